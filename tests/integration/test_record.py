"""The real `voicejournal record` as a subprocess, hearing espeak-ng speech through the virtual microphone."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import soundfile as sf

from tests.conftest import ROOT, cli_command

pytestmark = [pytest.mark.integration, pytest.mark.mic]

SPEECH = (
    "Today in the session we talked about my mother and my work. My therapist gave me new exercises. "
    "We discussed the relationship and my mistakes."
)
KEYWORDS = ("session", "mother", "work", "therapist", "exercises", "relationship", "mistakes")
NO_MIC = "No microphone found. Plug one in, or choose one with --device (see `voicejournal devices`)."
DEAD_PULSE = {"PULSE_SERVER": "unix:/nonexistent/voicejournal-test-no-sound-server"}


@pytest.fixture
def recorder(vj_home, virtual_mic):
    """Start `voicejournal record ARGS` in the background; returns (start, finish) helpers."""
    procs = []

    def start(*args, env=None, now=None, tz=None):
        argv, full_env = cli_command("record", *args, now=now, tz=tz, env=env)
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=full_env,
        )
        procs.append(proc)
        proc.greeting = []  # lines before the live line: the session, open homework, the prompt
        while True:
            line = proc.stderr.readline()  # "Recording" is printed once the microphone stream is running
            if "Recording" in line:
                return proc
            assert line and len(proc.greeting) < 20, "".join(proc.greeting) + line + proc.stderr.read()
            proc.greeting.append(line)

    def finish(proc, sig=signal.SIGINT, timeout=120):
        if sig is not None:
            proc.send_signal(sig)
        out, err = proc.communicate(timeout=timeout)
        return proc.returncode, out, err

    yield start, finish
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


SR = 16000
LOUD = 0.01  # the virtual microphone is digital silence (zeros) while nothing plays


def saved_so_far(home, passphrase: str | None = None) -> np.ndarray:
    """The samples a running recorder has made safe in audio/incoming: a WAV's header is rewritten at
    every flush, and an encrypted journal's stream gains a sealed record, so reading the file gives exactly
    what a crash now would keep."""
    wavs = sorted((home / "audio" / "incoming").glob("*.wav"))
    if not wavs:
        return np.zeros(0, np.float32)
    if passphrase is not None:  # an encrypted journal: a sealed stream of 16-bit samples
        from voicejournal.speech.wav import read_sealed_pcm
        from voicejournal.store import keys

        keys.unlock(home, passphrase)
        try:
            pcm = read_sealed_pcm(home, wavs[0], partial=True)
        except Exception:  # a record being appended this very moment
            return np.zeros(0, np.float32)
        return np.frombuffer(pcm[: len(pcm) // 2 * 2], "<i2").astype(np.float32) / 32768
    try:
        return sf.read(wavs[0], dtype="float32")[0]
    except RuntimeError:  # the header is being written this very moment
        return np.zeros(0, np.float32)


def wait_for_audio(home, proc, ready, passphrase: str | None = None) -> np.ndarray:
    """Poll the recorder's incoming recording until `ready(samples)`; returns those samples.

    This waits for audio, not for a time: on a busy machine it only takes longer. (The deadline just keeps
    a broken recorder from hanging the run.)"""
    deadline = time.monotonic() + 300
    while not ready(samples := saved_so_far(home, passphrase)):
        assert proc.poll() is None, "the recorder stopped early:\n" + (
            proc.stderr.read() if proc.stderr else ""
        )
        assert time.monotonic() < deadline, f"the recorder saved only {len(samples) / SR:.1f} s in 5 minutes"
        time.sleep(0.05)
    return samples


def at_least(seconds: float):
    """`ready` for wait_for_audio: this much audio is safe on disk."""
    return lambda samples: len(samples) >= seconds * SR


def heard(wav):
    """`ready` for wait_for_audio, once `wav` has been played: its sound is on disk, followed by a second of
    silence, so all of it was heard (a sound that long is this speech, not a click)."""
    data, rate = sf.read(wav, dtype="float32")
    loud = np.flatnonzero(np.abs(data) > LOUD)
    span = (loud[-1] - loud[0]) / rate

    def ready(samples):
        loud = np.flatnonzero(np.abs(samples) > LOUD)
        return len(loud) > 0 and (loud[-1] - loud[0]) / SR >= 0.9 * span and len(samples) - loud[-1] >= SR

    return ready


def show_json(run_cli, entry_id=None):
    if entry_id is None:
        [entry] = json.loads(run_cli("list", "--json", check=True).stdout)
        entry_id = entry["id"]
    return json.loads(run_cli("show", entry_id, "--json", check=True).stdout)


def test_record_hears_speech_and_saves_a_transcribed_entry(recorder, speech, virtual_mic, run_cli, vj_home):
    start, finish = recorder
    wav = speech(SPEECH)
    proc = start("--tag", "Session", "--tag", "family", "--mood", "3", "--kind", "homework")
    wait_for_audio(vj_home, proc, at_least(0.1))  # the microphone is delivering
    virtual_mic(wav)
    safe = wait_for_audio(vj_home, proc, heard(wav))
    code, out, err = finish(proc)
    assert code == 0, err
    entry = show_json(run_cli)
    text = entry["text"].lower()
    for word in KEYWORDS:
        assert word in text, (word, text)
    assert entry["status"] == "done" and entry["model"] == "tiny.en"
    assert entry["tags"] == ["session", "family"] and entry["mood"] == 3 and entry["kind"] == "homework"
    assert entry["segments"][0]["start"] >= 0
    assert entry["duration"] > sf.info(wav).duration  # it ran before and after the speech
    assert entry["duration"] >= round(len(safe) / SR, 2)  # nothing made safe before Ctrl-C is lost
    created = entry["created"]
    assert entry["audio"] == f"audio/{created[:4]}/{created[5:7]}/{entry['id']}.flac"
    info = sf.info(vj_home / entry["audio"])
    assert (info.format, info.samplerate, info.channels) == ("FLAC", 16000, 1)
    assert not list((vj_home / "audio" / "incoming").iterdir())
    # the transcript on stdout; status on stderr
    assert "mother" in out.lower()
    assert "Transcript ready (" in err
    assert f"Saved {entry['id']}  ·  " in err and f"`voicejournal show {entry['id']}`" in err


def test_max_minutes_stops_by_itself_and_stdin_at_eof_does_not(recorder, run_cli):
    start, finish = recorder
    proc = start("--max-minutes", "0.05", "--no-transcribe")
    code, out, err = finish(proc, sig=None, timeout=120)
    assert code == 0, err
    assert "Reached the 0.05-minute limit (--max-minutes), so the recording stopped." in err
    entry = show_json(run_cli)
    assert entry["duration"] == pytest.approx(3.0, abs=0.01)
    assert entry["status"] == "pending"
    assert "Not transcribed yet: `voicejournal transcribe" in err


def test_sigterm_stops_and_saves(recorder, run_cli, vj_home):
    start, finish = recorder
    proc = start("--no-transcribe")
    safe = wait_for_audio(vj_home, proc, at_least(1.5))  # no TTY: only a signal or the limit stops it
    code, out, err = finish(proc, sig=signal.SIGTERM)
    assert code == 0, err
    entry = show_json(run_cli)
    assert entry["duration"] >= round(len(safe) / SR, 2)  # everything recorded before the signal is kept
    assert f"Saved {entry['id']}" in err


def test_kill_9_mid_recording_is_recovered_by_the_next_command(
    recorder, speech, virtual_mic, run_cli, vj_home
):
    start, finish = recorder
    wav = speech(SPEECH)
    proc = start("--tag", "after-crash", "--mood", "2")
    wait_for_audio(vj_home, proc, at_least(0.1))
    virtual_mic(wav)
    safe = wait_for_audio(vj_home, proc, heard(wav))  # the speech is flushed to disk: now kill
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    incoming = vj_home / "audio" / "incoming"
    assert [p.suffix for p in incoming.glob("*.wav")] == [".wav"]

    listed = run_cli("list", "--json")
    assert listed.returncode == 0, listed.stderr
    [entry] = json.loads(listed.stdout)
    assert listed.stderr.startswith("Recovered an interrupted recording from ")
    assert f"as entry {entry['id']} (pending transcription)." in listed.stderr
    assert entry["status"] == "pending"
    assert entry["tags"] == ["after-crash"] and entry["mood"] == 2
    assert entry["duration"] >= sf.info(wav).duration
    assert entry["duration"] >= round(len(safe) / SR, 2)  # everything flushed before the kill is recovered
    assert not list(incoming.glob("*.wav"))
    # only once
    assert "Recovered" not in run_cli("list").stderr

    done = run_cli("transcribe", "--pending")
    assert done.returncode == 0, done.stderr
    text = show_json(run_cli, entry["id"])["text"].lower()
    for word in ("session", "mother", "therapist"):
        assert word in text


def test_silent_microphone_is_warned_about(recorder, run_cli):
    start, finish = recorder
    proc = start("--max-minutes", "0.11", "--no-transcribe")
    code, out, err = finish(proc, sig=None, timeout=60)
    assert code == 0, err
    assert "No sound is reaching the microphone (5 s of silence). Is it muted?" in err
    assert "The microphone seemed silent for a while. `voicejournal doctor` checks it." in err


def test_no_microphone_is_one_clear_line(run_cli, vj_home):
    proc = run_cli("record", env=DEAD_PULSE, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr.strip() == NO_MIC
    assert proc.stdout == ""
    assert not list(vj_home.glob("audio/incoming/*"))
    assert json.loads(run_cli("list", "--json", check=True).stdout) == []


def test_unknown_device_is_explained(run_cli, virtual_mic):
    proc = run_cli("record", "--device", "99", timeout=60)
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        "There is no microphone with number 99. `voicejournal devices` lists the ones you have."
    )
    proc = run_cli("record", "--device", "no such mic", timeout=60)
    assert proc.stderr.strip() == (
        "No microphone matches 'no such mic'. `voicejournal devices` lists the ones you have."
    )


def test_devices_marks_the_default(run_cli, virtual_mic):
    proc = run_cli("devices", check=True)
    assert any(line.startswith("*") and "default" in line for line in proc.stdout.splitlines())
    found = json.loads(run_cli("devices", "--json", check=True).stdout)
    assert [d["name"] for d in found if d["default"]] == ["default"]
    none = run_cli("devices", env=DEAD_PULSE)
    assert none.returncode == 1 and none.stderr.strip() == NO_MIC


def test_play_from_a_time(run_cli, speech, virtual_mic):
    wav = speech("My relationship with work is better this week.")
    run_cli("add", str(wav), "--no-transcribe", check=True)
    [entry] = json.loads(run_cli("list", "--json", check=True).stdout)
    proc = run_cli("play", entry["id"], "--at", "0:01", timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.startswith(f"Playing {entry['id']} from 00:01 of ")
    late = run_cli("play", entry["id"], "--at", "10:00")
    assert late.returncode == 1 and "choose a time before that with --at" in late.stderr
    nowhere = run_cli("play", entry["id"], env=DEAD_PULSE)
    assert nowhere.returncode == 1
    assert nowhere.stderr.strip() == (
        "No speaker or headphones found to play on. Connect one (or check the system's sound settings) "
        "and try again."
    )


def test_doctor_checks_and_says_what_to_fix(run_cli, virtual_mic):
    good = run_cli("doctor", timeout=120)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Speech model: tiny.en loads" in good.stdout
    assert "Data folder:" in good.stdout and "is private and writable" in good.stdout
    bad = run_cli("doctor", env=DEAD_PULSE, timeout=120)
    assert bad.returncode == 1
    assert f"✗ Microphone: {NO_MIC}" in bad.stdout
    assert "1 thing to fix (see above)." in bad.stdout


def test_microphone_gone_mid_recording_keeps_what_was_recorded(
    recorder, private_sound_server, run_cli, vj_home
):
    server, kill_server = private_sound_server
    start, finish = recorder
    proc = start("--no-transcribe", env={"PULSE_SERVER": server})
    safe = wait_for_audio(vj_home, proc, at_least(1.0))
    kill_server()
    code, out, err = finish(proc, sig=None, timeout=60)
    assert code == 0, err
    assert (
        "The microphone stopped working during the recording (unplugged or taken by another program?). "
        "Everything recorded until then is saved."
    ) in err
    entry = show_json(run_cli)
    assert entry["duration"] >= round(
        len(safe) / SR, 2
    )  # nothing recorded before the microphone went is lost
    assert f"Saved {entry['id']}" in err


def test_on_a_terminal_enter_stops_and_the_live_line_shows(run_cli, virtual_mic, vj_home):
    import pty
    import select

    master, slave = pty.openpty()
    env = dict(os.environ, PYTHONPATH=str(ROOT), TERM="xterm", COLUMNS="100")
    proc = subprocess.Popen(
        [sys.executable, "-m", "voicejournal", "record", "--no-transcribe", "--prompt"],
        stdin=slave, stdout=subprocess.PIPE, stderr=slave, env=env, text=True,
    )  # fmt: skip
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + 300  # (only against a hang)
    try:
        while b"Enter or Ctrl-C to stop" not in seen and time.monotonic() < deadline:
            if select.select([master], [], [], 0.5)[0]:
                seen += os.read(master, 4096)
        assert b"What came up today that you want to remember?" in seen
        assert b"Enter or Ctrl-C to stop" in seen
        safe = wait_for_audio(vj_home, proc, at_least(0.5))
        os.write(master, b"\n")
        while b"Mood (1" not in seen and time.monotonic() < deadline:
            if select.select([master], [], [], 0.5)[0]:
                seen += os.read(master, 4096)
        os.write(master, b"4\n")
        out, _ = proc.communicate(timeout=60)
        while select.select([master], [], [], 0.2)[0]:
            try:
                seen += os.read(master, 4096)
            except OSError:
                break
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    assert proc.returncode == 0
    assert b"Saved " in seen
    [entry] = json.loads(run_cli("list", "--json", check=True).stdout)
    assert entry["duration"] >= round(len(safe) / SR, 2) >= 0.5
    assert entry["mood"] == 4


def test_record_greets_with_the_session_and_homework_and_files_what_was_said(
    recorder, speech, virtual_mic, run_cli, vj_home
):
    start, finish = recorder
    now = "2026-12-01T15:00:00"  # an hour after the session: the CLI runs at this instant, not the real one
    run_cli("session", "add", "2026-12-01", "14:00", "--with", "Dr. Rivera", now=now, check=True)
    run_cli("homework", "add", "Breathing exercise every evening", now=now, check=True)
    wav = speech(
        "Today my session was about work. Question for my therapist. Is it normal to feel tired after "
        "every session? ... My mother called too.",
        speed=140,
    )
    proc = start(now=now)
    greeting = "".join(proc.greeting)
    assert "Session with Dr. Rivera today at 14:00" in greeting
    assert 'Open homework: "Breathing exercise every evening"' in greeting
    wait_for_audio(vj_home, proc, at_least(0.1))
    virtual_mic(wav)
    wait_for_audio(vj_home, proc, heard(wav))
    code, out, err = finish(proc)
    assert code == 0, err
    assert "Themes: " in err and "work" in err, err
    # What was filed by voice is what is shown. (Whether tiny.en hears the marker through the live
    # chunks varies with espeak speech; filing itself is tested on files in test_review_cli.py.)
    entry = show_json(run_cli)
    filed = [q for q in json.loads(run_cli("question", "list", "--json", check=True).stdout)
             if q.get("entry") == entry["id"]]  # fmt: skip
    for question in filed:
        assert f'Question filed: "{question["text"]}"' in err, err
    # Every question the saved transcript holds as a marker was filed (whatever tiny.en heard this time).
    from voicejournal.core.markers import QUESTION, extract_markers
    from voicejournal.journal import Journal

    said = [m.text for m in extract_markers(Journal(vj_home).get(entry["id"])) if m.kind == QUESTION]
    assert {q["text"] for q in filed} == set(said), entry["text"]


@pytest.mark.parametrize(
    "now, session, greeting, month",
    [
        # the last minute of a month and of a year: the recording is filed in the month it was made
        ("2026-11-30T23:59:00", ("2026-11-30", "20:00"), "today at 20:00", "2026-11"),
        ("2026-12-31T23:59:00", ("2026-12-31", "18:00"), "today at 18:00", "2026-12"),
        # half an hour into a new year, after a session an hour ago: that was yesterday
        ("2027-01-01T00:30:00", ("yesterday", "23:30"), "yesterday at 23:30", "2027-01"),
        # clocks go back at 03:00 (summer time ends): 01:00 was three and a half hours ago
        ("2026-10-25T03:30:00", ("today", "01:00"), "today at 01:00", "2026-10"),
        # clocks go forward at 02:00: 23:00 last night was four hours ago
        ("2026-03-29T04:00:00", ("yesterday", "23:00"), "yesterday at 23:00", "2026-03"),
    ],
)
def test_record_at_a_fixed_instant_greets_links_and_files_by_that_day(
    recorder, run_cli, vj_home, now, session, greeting, month
):
    """`record` at chosen instants in Europe/Berlin: the greeting's "today"/"yesterday", the session the
    reflection is linked to, and the month file and audio folder the entry lands in."""
    start, finish = recorder
    at = {"now": now, "tz": "Europe/Berlin"}
    run_cli("session", "add", *session, "--with", "Dr. Rivera", **at, check=True)
    [linked] = json.loads(run_cli("session", "list", "--json", **at, check=True).stdout)
    proc = start("--no-transcribe", **at)
    assert f"Session with Dr. Rivera {greeting}" in "".join(proc.greeting)
    wait_for_audio(vj_home, proc, at_least(0.5))
    code, _, err = finish(proc)
    assert code == 0, err
    [entry] = json.loads(run_cli("list", "--json", **at, check=True).stdout)
    offset = "+02:00" if now.startswith("2026-03-29") else "+01:00"
    assert entry["created"] == now + offset
    assert entry["session"] == linked["id"]
    assert [p.name for p in (vj_home / "entries").glob("*.json")] == [f"{month}.json"]
    assert entry["audio"] == f"audio/{month[:4]}/{month[5:]}/{entry['id']}.flac"
