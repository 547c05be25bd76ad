"""Use cases: small services that each take the store they need; `Journal` is their façade."""

from __future__ import annotations

import importlib


class _OnFirstUse:
    """A service module that is imported the first time one of its names is looked up."""

    def __init__(self, name: str):
        self.module_name = f"{__name__}.{name}"

    def __getattr__(self, attr: str):
        # Always through sys.modules (one dict lookup once imported), so a test that patches the module
        # is seen here too.
        return getattr(importlib.import_module(self.module_name), attr)


def on_first_use(*names: str) -> list:
    """Stand-ins for the service modules `names`, each imported when it is first used."""
    return [_OnFirstUse(name) for name in names]
