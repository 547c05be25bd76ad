"""A number option out of bounds is refused in plain words, one line, exit 2 (a mistyped command), before
the journal is touched."""

import pytest
from click.testing import CliRunner

from voicejournal.cli.root import cli


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", "sister", "--limit", "0"], "Invalid value for '--limit': use 1 or more, not 0."),
        (["list", "-n", "two"], "Invalid value for '--limit' / '-n': use 1 or more, not 'two'."),
        (["write", "--mood", "7", "A day."], "Invalid value for '--mood': use a number from 1 to 5, not 7."),
        (["list", "--mood", "0"], "Invalid value for '--mood': use a number from 1 to 5, not 0."),
        (
            ["record", "--max-minutes", "-1"],
            "Invalid value for '--max-minutes': use a number above 0, not -1.",
        ),
        (["themes", "--months", "61"], "Invalid value for '--months': use a number from 1 to 60, not 61."),
    ],
)
def test_a_number_out_of_bounds_is_refused_in_plain_words(vj_home, args, message):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == f"Error: {message}"
    assert not (vj_home / "entries").exists()  # nothing was written


def test_numbers_within_bounds_pass(vj_home):
    result = CliRunner().invoke(cli, ["write", "--mood", "5", "A good day at the lake."])
    assert result.exit_code == 0, result.output
