"""The command registry: every command is listed once, loads lazily, and has help."""

import inspect
import subprocess
import sys

import click

from voicejournal.cli.root import COMMANDS, cli


def test_every_registered_command_is_the_one_it_names():
    ctx = click.Context(cli)
    for name, (module, attribute, short_help) in COMMANDS.items():
        command = cli.get_command(ctx, name)
        assert isinstance(command, click.Command), name
        assert command.name == name, (name, module, attribute)
        assert inspect.cleandoc(command.help).split("\n\n")[0].replace("\n", " ") == short_help, name


def test_every_command_and_subcommand_has_help_and_an_example():
    ctx = click.Context(cli)
    for name in cli.list_commands(ctx):
        command = cli.get_command(ctx, name)
        commands = [command]
        if isinstance(command, click.Group):
            commands += [command.get_command(ctx, sub) for sub in command.list_commands(ctx)]
        for c in commands:
            assert c.help and c.help.strip(), c.name


def test_help_imports_no_command_module():
    code = (
        "import sys; from voicejournal.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('voicejournal.cli.') and m not in "
        "('voicejournal.cli.lazy', 'voicejournal.cli.root', 'voicejournal.cli.quick', 'voicejournal.cli.output'))\n"
        "heavy = sorted(m for m in ('rich', 'numpy', 'faster_whisper', 'sounddevice', 'tinydb') if m in sys.modules)\n"
        "print(loaded, heavy, file=sys.stderr)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stderr.strip() == "[] []"
