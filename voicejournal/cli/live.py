"""The live line while recording: elapsed time, level meter, notices."""

from __future__ import annotations

import sys

from voicejournal.core.wording import timestamp


class LiveRecording:
    """The live line on stderr: ● Recording, elapsed, level meter, how to stop; notices on the side."""

    def __init__(self, console, interactive: bool):
        self.console = console
        self.interactive = interactive
        self.warned_silent = False

    def render(self, recorder):
        from rich.text import Text

        from voicejournal.speech.levels import meter_bar

        line = Text()
        line.append("● ", style="bold red")
        line.append("Recording   ")
        line.append(timestamp(recorder.elapsed), style="bold")
        line.append("   " + meter_bar(recorder.levels) + "   ", style="green")
        line.append("Enter or Ctrl-C to stop", style="dim")
        if recorder.silent:
            line.append(
                "\n  No sound is reaching the microphone. Is it muted? (`voicejournal devices`)",
                style="yellow",
            )
        else:
            line.append("\n  (saved as you speak — nothing is lost if the computer stops)", style="dim")
        return line

    def __call__(self, recorder) -> None:
        import threading

        if self.interactive:
            from rich.live import Live

            def wait_for_enter():
                import select

                # Poll, so the thread ends with the recording and never swallows a later answer.
                try:
                    while not recorder.stopped:
                        if select.select([sys.stdin], [], [], 0.2)[0]:
                            sys.stdin.readline()
                            recorder.stop()
                except (OSError, ValueError):
                    return

            threading.Thread(target=wait_for_enter, daemon=True).start()
            with Live(
                self.render(recorder), console=self.console, refresh_per_second=10, transient=True
            ) as live:
                while not recorder.wait(0.1):
                    live.update(self.render(recorder))
            return
        # No terminal: no keys, no animation; a line now and a notice when something changes.
        self.console.print(
            "● Recording. Stop with Ctrl-C (SIGINT) or SIGTERM; saved as you speak.", markup=False
        )
        while not recorder.wait(0.2):
            if recorder.silent and not self.warned_silent:
                self.warned_silent = True
                self.console.print(
                    "No sound is reaching the microphone (5 s of silence). Is it muted? "
                    "`voicejournal devices` lists the microphones.",
                    markup=False,
                )
