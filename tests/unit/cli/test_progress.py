"""The one progress rule of bulk commands (cli/output.progress_bar): a bar on a terminal only, never with
--json, and only for work that lasts longer than the delay."""

import pytest

from voicejournal.cli.output import PROGRESS_DELAY, progress_bar


@pytest.fixture
def terminal(monkeypatch):
    monkeypatch.setattr("sys.stderr.isatty", lambda: True, raising=False)


def run(bar) -> None:
    with bar:
        task = bar.add_task("importing", total=10)
        for done in range(11):
            bar.update(task, completed=done, total=10)


def test_no_bar_into_a_pipe_or_a_file(capsys):
    bar = progress_bar("import", delay=0)
    run(bar)
    assert not bar.enabled and not bar.started
    assert capsys.readouterr() == ("", "")


def test_no_bar_with_json_output(terminal):
    bar = progress_bar("import", show=False, delay=0)
    run(bar)
    assert not bar.enabled and not bar.started


def test_work_over_before_the_delay_shows_no_bar(terminal):
    bar = progress_bar("import", delay=3600)
    run(bar)
    assert bar.enabled and not bar.started


def test_work_lasting_past_the_delay_shows_the_bar(terminal):
    bar = progress_bar("import", delay=0)  # the delay has passed as soon as the work starts
    run(bar)
    assert bar.started
    assert PROGRESS_DELAY == 1.0
