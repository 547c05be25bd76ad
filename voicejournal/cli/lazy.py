"""A command group that imports each command family only when it is used.

`voicejournal --help` lists every command from the registry's one-line help without importing any of
them, and `voicejournal list` imports only the entries module, so start-up stays fast.
"""

from __future__ import annotations

import importlib

import click


class LazyGroup(click.Group):
    """A Click group whose commands live in `voicejournal.cli.<module>` and load on first use."""

    def __init__(self, *args, lazy: dict[str, tuple[str, str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy = lazy  # name -> (module, attribute, one-line help)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.lazy)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.lazy:
            return None
        module, attribute, _ = self.lazy[name]
        return getattr(importlib.import_module(f"voicejournal.cli.{module}"), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(n) for n in names)
        # A stand-in command with the same help: Click shortens it exactly as it would the real one.
        rows = [(n, click.Command(n, help=self.lazy[n][2]).get_short_help_str(limit)) for n in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)
