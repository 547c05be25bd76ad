"""Printing: results on stdout, status and progress on stderr, and the small time words of listings."""

from __future__ import annotations

import sys
import threading
from datetime import datetime

from voicejournal import clock as clk
from voicejournal.core.wording import count


def echo(message: str = "", err: bool = False) -> None:
    """A line on stdout (or stderr), flushed: click.echo for the code that never imports Click (the quick
    commands, cli/quick.py). Into a pipe a closed reader ends the command quietly (see cli/__init__.main).
    A stream set to an encoding that cannot hold the text (LC_ALL=C with Python's UTF-8 coercion off) gets
    UTF-8 bytes, as Click gives it, rather than an error."""
    stream = sys.stderr if err else sys.stdout
    if stream is None:
        return
    line = f"{message}\n"
    try:
        stream.write(line)
    except UnicodeEncodeError:
        stream.flush()
        stream.buffer.write(line.encode("utf-8", "replace"))
    stream.flush()


def out():
    """Console for results (stdout)."""
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def err():
    """Console for status and progress (stderr)."""
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def print_marked(lines: list[tuple[str, ...]]) -> None:
    """Print result lines whose odd-numbered parts are bold (ids, search matches).

    On a terminal rich renders the bold; into a pipe or file the text goes out plain and fast (rich
    would drop the styling there anyway, and a long listing is 20x quicker without it).
    """
    if not sys.stdout.isatty():
        if lines:
            echo("\n".join("".join(parts) for parts in lines))
        return
    from rich.text import Text

    text = Text()  # one Text for all lines: rich renders a long listing several times faster so
    for parts in lines:
        for i, part in enumerate(parts):
            text.append(part, style="bold" if i % 2 else None)
        text.append("\n")
    out().print(text, end="")


_CONTROL = dict.fromkeys((7, 8, 11, 12, 13))  # the control characters rich leaves out of printed text


def print_styled(lines: list[list[tuple[str, str | None]]]) -> None:
    """Print lines made of (text, rich style) parts: styled by rich on a terminal; into a pipe or file the
    text goes out plain (as rich would print it there: tabs expanded) without importing rich at all."""
    if not sys.stdout.isatty():
        echo("\n".join("".join(t for t, _ in parts).translate(_CONTROL).expandtabs(8) for parts in lines))
        return
    from rich.text import Text

    text = Text()
    for parts in lines:
        for part, style in parts:
            text.append(part, style=style)
        text.append("\n")
    out().print(text, end="")


def print_json(data) -> None:
    import json  # here: only --json output needs it

    echo(json.dumps(data, ensure_ascii=False, indent=2))


def length(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    return f"{seconds // 60} min {seconds % 60} s" if seconds % 60 else f"{seconds // 60} min"


def when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def session_day(moment: datetime) -> str:
    """'today', 'yesterday' or 'on Mon 24 Nov'."""
    days = (clk.today() - moment.date()).days
    return {0: "today", 1: "yesterday"}.get(days, f"on {moment:%a %d %b}")


# A bar for work that ends within this many seconds would only flash: it appears once the work has lasted this long.
PROGRESS_DELAY = 1.0


def progress_bar(label: str, show: bool = True, delay: float = PROGRESS_DELAY):
    """The one progress rule of every bulk command: a rich bar on stderr, only on a terminal, only when
    `show` (False for --json output), and only for work lasting over `delay` seconds."""
    return DelayedProgress(label, enabled=show and sys.stderr.isatty(), delay=delay)


class DelayedProgress:
    """A rich `Progress` (add_task / update, used as a context manager) that starts drawing `delay`
    seconds after the work began, or never if it is disabled or over by then."""

    def __init__(self, label: str, enabled: bool, delay: float = PROGRESS_DELAY):
        self.label = label
        self.enabled = enabled
        self.delay = delay
        self.started = False
        self._progress = None
        self._timer = None
        self._lock = threading.Lock()
        self._next_task = 0

    def __enter__(self) -> DelayedProgress:
        if not self.enabled:
            return self
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeRemainingColumn(),
            console=err(),
            transient=True,
        )
        if self.delay <= 0:
            self._start()
        else:
            self._timer = threading.Timer(self.delay, self._start)
            self._timer.daemon = True
            self._timer.start()
        return self

    def _start(self) -> None:
        with self._lock:
            if self._progress is not None and not self.started:
                self._progress.start()
                self.started = True

    def __exit__(self, *exc) -> None:
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            if self.started:
                self._progress.stop()
            self._progress = None

    def add_task(self, description: str, total: float | None = None, **fields):
        if self._progress is None:
            self._next_task += 1
            return self._next_task
        return self._progress.add_task(description, total=total, **fields)

    def update(self, task, **fields) -> None:
        if self._progress is not None:
            self._progress.update(task, **fields)


def labels_text(tags, themes) -> str:
    return ", ".join(list(tags) + [t for t in themes if t not in tags])


def interactive() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty()


def report_retention(removed) -> None:
    if removed:
        err().print(
            f"Deleted {count(len(removed), 'recording')} older than your audio-retention setting; their transcripts "
            "are kept.",
            markup=False,
        )


def done_mark(flag: bool, what: str) -> str:
    return f"[green]✓[/] {what}" if flag else f"○ {what}"


def report_filed(journal, entry) -> None:
    """What an entry filed from its words: 'Question filed: "…"', 'Small win noted: "…"'."""
    for item in journal.filed_from(entry.id):
        label = {"Question": "Question filed", "Win": "Small win noted"}.get(type(item).__name__)
        label = label or f"{type(item).__name__} filed"
        err().print(f'{label}: "{item.text}"', markup=False)
