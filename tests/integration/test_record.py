"""The real `voicejournal record` as a subprocess, hearing espeak-ng speech through the virtual microphone."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import soundfile as sf

from tests.conftest import ROOT

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

    def start(*args, env=None):
        full_env = dict(os.environ, PYTHONPATH=str(ROOT), **(env or {}))
        proc = subprocess.Popen(
            [sys.executable, "-m", "voicejournal", "record", *args],
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


def show_json(run_cli, entry_id=None):
    if entry_id is None:
        [entry] = json.loads(run_cli("list", "--json", check=True).stdout)
        entry_id = entry["id"]
    return json.loads(run_cli("show", entry_id, "--json", check=True).stdout)


def test_record_hears_speech_and_saves_a_transcribed_entry(recorder, speech, virtual_mic, run_cli, vj_home):
    start, finish = recorder
    wav = speech(SPEECH)
    proc = start("--tag", "Session", "--tag", "family", "--mood", "3", "--kind", "homework")
    time.sleep(0.3)
    virtual_mic(wav)
    time.sleep(0.5)
    code, out, err = finish(proc)
    assert code == 0, err
    entry = show_json(run_cli)
    text = entry["text"].lower()
    for word in KEYWORDS:
        assert word in text, (word, text)
    assert entry["status"] == "done" and entry["model"] == "tiny.en"
    assert entry["tags"] == ["session", "family"] and entry["mood"] == 3 and entry["kind"] == "homework"
    assert entry["segments"][0]["start"] >= 0
    assert sf.info(wav).duration < entry["duration"] < sf.info(wav).duration + 5
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
    t0 = time.monotonic()
    proc = start("--max-minutes", "0.05", "--no-transcribe")
    code, out, err = finish(proc, sig=None, timeout=60)
    assert code == 0, err
    assert time.monotonic() - t0 >= 3.0
    assert "Reached the 0.05-minute limit (--max-minutes), so the recording stopped." in err
    entry = show_json(run_cli)
    assert entry["duration"] == pytest.approx(3.0, abs=0.01)
    assert entry["status"] == "pending"
    assert "Not transcribed yet: `voicejournal transcribe" in err


def test_sigterm_stops_and_saves(recorder, run_cli):
    start, finish = recorder
    proc = start("--no-transcribe")
    time.sleep(2.0)
    assert proc.poll() is None  # no TTY: nothing but a signal or the limit stops it
    code, out, err = finish(proc, sig=signal.SIGTERM)
    assert code == 0, err
    entry = show_json(run_cli)
    assert 1.5 < entry["duration"] < 4
    assert f"Saved {entry['id']}" in err


def test_kill_9_mid_recording_is_recovered_by_the_next_command(
    recorder, speech, virtual_mic, run_cli, vj_home
):
    start, finish = recorder
    wav = speech(SPEECH)
    proc = start("--tag", "after-crash", "--mood", "2")
    time.sleep(0.3)
    virtual_mic(wav)
    time.sleep(1.5)  # more than the flush interval
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


def test_microphone_gone_mid_recording_keeps_what_was_recorded(recorder, private_sound_server, run_cli):
    server, kill_server = private_sound_server
    start, finish = recorder
    proc = start("--no-transcribe", env={"PULSE_SERVER": server})
    time.sleep(2.5)
    kill_server()
    code, out, err = finish(proc, sig=None, timeout=60)
    assert code == 0, err
    assert (
        "The microphone stopped working during the recording (unplugged or taken by another program?). "
        "Everything recorded until then is saved."
    ) in err
    entry = show_json(run_cli)
    assert 0 < entry["duration"] < 4  # a brand-new sound server may deliver its first second late
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
    deadline = time.monotonic() + 60
    try:
        while b"Enter or Ctrl-C to stop" not in seen and time.monotonic() < deadline:
            if select.select([master], [], [], 0.5)[0]:
                seen += os.read(master, 4096)
        assert b"What came up today that you want to remember?" in seen
        assert b"Enter or Ctrl-C to stop" in seen
        time.sleep(1.0)
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
    assert 0.5 < entry["duration"] < 10
    assert entry["mood"] == 4


def test_record_greets_with_the_session_and_homework_and_files_what_was_said(
    recorder, speech, virtual_mic, run_cli
):
    start, finish = recorder
    now = time.localtime(time.time() - 3600)
    run_cli(
        "session",
        "add",
        time.strftime("%Y-%m-%d", now),
        time.strftime("%H:%M", now),
        "--with",
        "Dr. Rivera",
        check=True,
    )
    run_cli("homework", "add", "Breathing exercise every evening", check=True)
    wav = speech(
        "Today my session was about work. Question for my therapist. Is it normal to feel tired after "
        "every session? ... My mother called too.",
        speed=140,
    )
    proc = start()
    greeting = "".join(proc.greeting)
    assert f"Session with Dr. Rivera today at {time.strftime('%H:%M', now)}" in greeting
    assert 'Open homework: "Breathing exercise every evening"' in greeting
    time.sleep(0.3)
    virtual_mic(wav)
    time.sleep(0.5)
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
    if "normal to feel tired" in entry["text"].lower():
        assert filed, entry["text"]
