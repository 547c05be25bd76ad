"""Where the speech in a chunk is: how much of it there is, and speech after the last segment that Whisper
left out (speech/chunked hears it again)."""

from __future__ import annotations

from typing import Any

from voicejournal.core.entry import Segment
from voicejournal.speech.levels import SILENT_DB, block_levels, level_db
from voicejournal.store.home import SAMPLE_RATE

UNHEARD_SECONDS = 1.5  # speech this long after a chunk's last segment is heard again
PAUSE_SECONDS = 0.2  # the Chunker cuts in the middle of a pause of at least 0.4 s
QUIETER_SPEECH_DB = 25.0  # speech this far below a chunk's loudest is still speech (unheard_tail)
END_SLACK_SECONDS = 0.1  # a segment ending this close to its chunk's end runs to it


def speech_seconds(samples: Any) -> float:
    """Seconds of speech in a chunk (100 ms blocks over `speech_bar`)."""
    levels = block_levels(samples)
    bar = speech_bar(levels)
    return sum(db > bar for db in levels) / 10


def short_of_words(words: int, samples: Any, per_second: float) -> bool:
    """Whether `words` are fewer than `per_second` for each second of speech in `samples` (people say 2.5-3.8
    words a second): the prompt may have made Whisper skip some. Chunks (`Hearing`) and windows (`chunked`)
    are judged alike, each with its own bar."""
    return words < per_second * speech_seconds(samples)


def speech_bar(levels: list[float]) -> float:
    """The level above which a 100 ms block counts as speech: within QUIETER_SPEECH_DB of the chunk's speech
    (a quiet speaker after a loud one counts: the speech-dev digits after "Please call Stella." sit 15-20 dB
    below the sentences before them) and clear of its floor. Noise that passes is kept out by the speech gate."""
    from voicejournal.speech.levels import speech_level

    speech, floor = speech_level(levels)
    return max(SILENT_DB, speech - QUIETER_SPEECH_DB, min(floor + 10.0, speech - 10.0))


def runs_to_the_end(
    segment: Segment, samples: Any, offset: float = 0.0, samplerate: int = SAMPLE_RATE
) -> bool:
    """Whether a chunk's last segment ends with the chunk although the chunk ends in a pause (its last
    PAUSE_SECONDS well below its speech): Whisper then wrote no end of its own."""
    from voicejournal.speech.levels import SPEECH_OVER_FLOOR_DB, speech_level

    if segment.end - offset < len(samples) / samplerate - END_SLACK_SECONDS:
        return False
    speech, _ = speech_level(block_levels(samples))
    return level_db(samples[-int(PAUSE_SECONDS * samplerate) :]) < speech - SPEECH_OVER_FLOOR_DB


def unheard_tail(samples: Any, heard_until: float | None, samplerate: int = SAMPLE_RATE) -> int | None:
    """The first frame of speech after `heard_until` (seconds) that no segment covers: at least
    UNHEARD_SECONDS long, and half of it over the chunk's `speech_bar`. None when nothing was heard at all
    (the same audio again would give the same nothing) or what is left is pause, breath or noise."""
    if heard_until is None:
        return None
    lo = max(0, int(heard_until * samplerate))
    if len(samples) - lo < UNHEARD_SECONDS * samplerate:
        return None
    bar = speech_bar(block_levels(samples))
    loud = [db for db in block_levels(samples[lo:]) if db > bar]
    return lo if len(loud) >= UNHEARD_SECONDS * 10 / 2 else None  # half of it loud, in 100 ms blocks


def speaks(samples: Any, levels: list[float], seconds: float) -> bool:
    """Whether `samples` hold `seconds` of speech, by the recording's own speech level (`levels`, of its 100 ms
    blocks so far). People stop after a pause: heard with the seconds before, such a tail only says their last
    sentence again, another way ("Mood. San without 10. Mood. And with how good it can." in a marker run)."""
    bar = speech_bar(levels)
    return sum(db > bar for db in block_levels(samples)) >= seconds * 10


def context_tail(samples: Any, seconds: float, least: float, samplerate: int = SAMPLE_RATE) -> Any:
    """The last `seconds` of `samples` (the chunk before a last one), from their quietest 100 ms (a pause) among
    all but the last `least` seconds; None when fewer than `least` seconds are there."""
    tail = samples[-int(seconds * samplerate) :]
    if len(tail) < least * samplerate:
        return None
    block = samplerate // 10
    levels = block_levels(tail[: len(tail) - int(least * samplerate)], block)
    quietest = min(range(len(levels)), key=levels.__getitem__) if levels else 0
    return tail[quietest * block :]
