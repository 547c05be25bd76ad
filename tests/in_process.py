"""The real CLI run in this process (fast, no subprocess): `invoke(*args)` -> (exit code, stdout, stderr)."""

from click.testing import CliRunner

from voicejournal.cli import main


def invoke(*args: str, input: str | None = None, env: dict | None = None) -> tuple[int, str, str]:
    """Run `voicejournal ARGS` in this process; returns (exit code, stdout, stderr)."""
    with CliRunner().isolation(input=input, env=env) as (stdout, stderr, _):
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code
    return code, stdout.getvalue().decode(), stderr.getvalue().decode()
