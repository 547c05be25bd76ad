"""A keyring backend in one JSON file, for benchmarks/scale_bench.py's encrypted journals with --keyring.

Selected with PYTHON_KEYRING_BACKEND=_file_keyring.FileKeyring (benchmarks/ on PYTHONPATH) and the file named
by SCALE_BENCH_KEYRING: the system keyring of the machine is never touched.
"""

import json
import os

from keyring.backend import KeyringBackend


class FileKeyring(KeyringBackend):
    priority = 1

    def _load(self) -> dict:
        try:
            with open(os.environ["SCALE_BENCH_KEYRING"]) as fh:
                return json.load(fh)
        except FileNotFoundError:
            return {}

    def _save(self, data: dict) -> None:
        with open(os.environ["SCALE_BENCH_KEYRING"], "w") as fh:
            json.dump(data, fh)

    def get_password(self, service, username):
        return self._load().get(f"{service}|{username}")

    def set_password(self, service, username, password):
        self._save(self._load() | {f"{service}|{username}": password})

    def delete_password(self, service, username):
        data = self._load()
        data.pop(f"{service}|{username}", None)
        self._save(data)
