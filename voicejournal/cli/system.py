"""The machine: speech models, microphones, and the doctor."""

from __future__ import annotations

import sys

import click

from voicejournal.cli.options import json_option
from voicejournal.cli.output import (
    err,
    out,
    print_json,
)
from voicejournal.core.wording import count


@click.command()
@json_option()
def models(as_json):
    """List the speech models installed, the default, and how to add a bigger one.

    \b
    Example:
      voicejournal models
    """
    from voicejournal.speech.models import list_models

    infos = list_models()
    if as_json:
        print_json(
            [
                {
                    "name": m.name,
                    "path": str(m.path) if m.path else None,
                    "installed": m.installed,
                    "default": m.default,
                    "note": m.note,
                }
                for m in infos
            ]
        )
        return
    console = out()
    for m in infos:
        mark = "*" if m.default else " "
        state = "installed" if m.installed else "not installed"
        console.print(f"{mark} {m.name:<10} {state:<14} {m.note}", markup=False)
    console.print("\n* = default. Choose with --model NAME or VOICEJOURNAL_MODEL.", markup=False)


@click.command()
@json_option()
def devices(as_json):
    """List the microphones (input devices); * marks the default.

    \b
    Example:
      voicejournal devices
    """
    from voicejournal.speech.devices import NO_MICROPHONE, input_devices

    found = input_devices()
    if as_json:
        print_json([d.__dict__ for d in found])
        return
    if not found:
        err().print(NO_MICROPHONE, markup=False)
        sys.exit(1)
    console = out()
    for d in found:
        mark = "*" if d.default else " "
        console.print(
            f"{mark} {d.index:>3}  {d.name}  ({d.hostapi}, {d.channels} ch, {d.samplerate:g} Hz)",
            markup=False,
        )
    console.print("\n* = default. Choose another with `voicejournal record --device INDEX`.", markup=False)


@click.command()
@click.option("--device", "-d", metavar="NAME|INDEX", help="Check this microphone instead of the default.")
def doctor(device):
    """Check the microphone, the speech model and the data folder; say what to fix.

    \b
    Example:
      voicejournal doctor
    """
    from rich.markup import escape

    from voicejournal.services.doctor import run_checks

    console = out()
    problems = 0
    for check in run_checks(device=device):
        mark = "[red]✗[/]" if not check.ok else "[yellow]![/]" if check.warning else "[green]✓[/]"
        problems += not check.ok
        console.print(f"{mark} {check.what}: {escape(check.detail)}")
    if problems:
        console.print(f"\n{count(problems, 'thing')} to fix (see above).")
        sys.exit(1)
    console.print("\nAll good.")
