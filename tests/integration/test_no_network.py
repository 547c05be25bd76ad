"""No network, ever: the whole CLI surface runs with every socket connection refused."""

import json
import os
import subprocess
import sys

import click
import pytest

from tests.conftest import ROOT
from voicejournal.cli.root import cli

pytestmark = pytest.mark.integration

GUARD = """
import socket
def _refuse(*a, **k):
    raise RuntimeError('voicejournal tried to open a network connection')
socket.socket.connect = _refuse
socket.socket.connect_ex = _refuse
socket.socket.sendto = _refuse
socket.create_connection = _refuse
socket.getaddrinfo = _refuse
"""


def command_paths(group: click.Group, prefix=()):
    ctx = click.Context(group)
    for name in sorted(group.list_commands(ctx)):
        command = group.get_command(ctx, name)
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from command_paths(command, (*prefix, name))


def test_whole_cli_surface_without_network(run_cli, speech, tmp_path):
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(GUARD)
    offline = {"PYTHONPATH": f"{ROOT}{os.pathsep}{guard}"}
    probe = subprocess.run(
        [sys.executable, "-c", "import socket; socket.create_connection(('127.0.0.1', 9))"],
        env={**os.environ, **offline},
        capture_output=True,
        text=True,
    )
    assert "tried to open a network connection" in probe.stderr  # the guard is really on

    def ok(*args, env=None):
        proc = run_cli(*args, env={**offline, **(env or {})})
        assert proc.returncode == 0, (args, proc.stderr)
        assert "network" not in proc.stderr and "Traceback" not in proc.stderr
        return proc

    ok("--help")
    ok("--version")
    for path in command_paths(cli):
        assert ok(*path, "--help").stdout.strip(), path

    wav = speech("Today in my session we talked about my work and my relationship.")
    ok("add", str(wav), "--tag", "work", "--date", "2026-10-01")
    ok("add", str(speech("My mother called after the session.")), "--no-transcribe")
    entries = json.loads(ok("list", "--json").stdout)
    assert len(entries) == 2
    ok("transcribe", "--pending")
    ok("show", entries[0]["id"])
    ok("list", "--since", "last year", "--tag", "work")
    ok("models")
    ok("search", "work")
    ok("search", '"my work"', "--theme", "work", "--json")
    assert json.loads(
        ok("search", "--meaning", "trouble at my job", "--json").stdout
    )  # the model runs offline
    ok("show", entries[0]["id"], "--related")
    ok("index", "--rebuild")
    ok("themes")
    ok("themes", "define", "job", "interview", "manager")
    ok("tag", entries[1]["id"], "+private", "-work")
    ok("session", "add", "2026-10-01", "09:00", "--with", "Dr. Rivera")
    ok("session", "list")
    ok("goal", "add", "Sleep before midnight")
    ok("homework", "add", "Write the letter", "--due", "2026-12-01")
    ok("question", "add", "Can we talk about work?")
    ok("win", "add", "Went for a walk")
    ok("review", "--since", "2026-09-01")
    ok("review", "--since", "2026-09-01", "--format", "html", "-o", str(tmp_path / "brief.html"))
    ok("review", "--since", "2026-09-01", "--format", "markdown", "-o", str(tmp_path / "brief.md"))
    ok("export", str(tmp_path / "backup.zip"))
    ok("export", "--format", "markdown", str(tmp_path / "md"))
    ok("import", str(tmp_path / "backup.zip"))
    ok("devices")
    ok("config", "set", "audio-retention", "90d")
    ok("config", "get", "audio-retention")
    ok("config", "list")
    ok("retention", "--dry-run")
    ok("retention")
    ok("check")
    secret = {"VOICEJOURNAL_PASSPHRASE": "blue river morning"}
    ok("encrypt", env=secret)
    ok("list", env=secret)
    ok("show", entries[1]["id"], env=secret)
    ok("check", env=secret)
    ok("passwd", env={**secret, "VOICEJOURNAL_NEW_PASSPHRASE": "green hills evening"})
    renewed = {"VOICEJOURNAL_PASSPHRASE": "green hills evening"}
    # The system keyring would talk over D-Bus: refused here, which must be one clear line.
    proc = run_cli("encrypt", "--keyring", env={**offline, **renewed})
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("The system keyring is not available here")
    ok("decrypt", "--yes", env=renewed)
    assert len(json.loads(ok("list", "--json").stdout)) == 2
