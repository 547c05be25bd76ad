"""The real CLI with the real default model on espeak-ng speech."""

import json
import shutil
import stat

import numpy as np
import pytest

from tests.audio_helpers import encode, write_wav

pytestmark = pytest.mark.integration

SPEECH = "Today in my session we talked about my mother and my work. I want to ask my therapist about it."


def entries(run_cli):
    proc = run_cli("list", "--json", check=True)
    return json.loads(proc.stdout)


def test_add_transcribes_and_stores_flac(run_cli, speech, vj_home):
    wav = speech(SPEECH)
    proc = run_cli("add", str(wav), "--tag", "Family", "--date", "2026-11-02")
    assert proc.returncode == 0, proc.stderr
    assert "Added" in proc.stderr and "as entry" in proc.stderr
    [entry] = entries(run_cli)
    text = entry["text"].lower()
    for word in ("session", "mother", "work", "therapist"):
        assert word in text
    assert entry["status"] == "done" and entry["model"] == "tiny.en" and entry["language"] == "en"
    assert entry["tags"] == ["family"]
    assert entry["created"].startswith("2026-11-02")
    assert 5 < entry["duration"] < 10
    assert entry["segments"] and entry["segments"][0]["start"] >= 0
    flac = vj_home / entry["audio"]
    assert entry["audio"] == f"audio/2026/11/{entry['id']}.flac"
    import soundfile as sf

    info = sf.info(flac)
    assert (info.samplerate, info.channels, info.format) == (16000, 1, "FLAC")
    assert stat.S_IMODE(flac.stat().st_mode) == 0o600
    shown = run_cli("show", entry["id"], check=True).stdout
    assert "00:00" in shown and "mother" in shown.lower()


@pytest.mark.parametrize("suffix", [".mp3", ".m4a", ".ogg", ".flac"])
def test_phone_formats(run_cli, speech, suffix):
    wav = speech("My relationship with work is better this week.")
    path = encode(wav, suffix)
    proc = run_cli("add", str(path))
    assert proc.returncode == 0, proc.stderr
    [entry] = entries(run_cli)
    assert "work" in entry["text"].lower()


def test_same_audio_twice_is_reported_not_duplicated(run_cli, speech, tmp_path):
    wav = speech("The session was about my mother.")
    run_cli("add", str(wav), check=True)
    copy = tmp_path / "copy.wav"
    shutil.copy(wav, copy)
    proc = run_cli("add", str(copy))
    assert proc.returncode == 1
    [entry] = entries(run_cli)
    assert proc.stderr.strip() == f"copy.wav was already imported as entry {entry['id']}; skipped."


def test_no_transcribe_then_transcribe_pending(run_cli, speech):
    wav = speech("My mother called after the session.")
    proc = run_cli("add", str(wav), "--no-transcribe", check=True)
    assert "not transcribed yet" in proc.stderr
    [entry] = entries(run_cli)
    assert entry["status"] == "pending" and entry["text"] == ""
    proc = run_cli("transcribe", "--pending", check=True)
    assert f"Transcribed {entry['id']} with tiny.en" in proc.stderr
    [entry] = entries(run_cli)
    assert entry["status"] == "done" and "mother" in entry["text"].lower()
    again = run_cli("transcribe", "--pending", check=True)
    assert "Nothing to transcribe" in again.stderr


def test_silence_and_noise_give_no_hallucinated_text(run_cli, tmp_path):
    silence = write_wav(tmp_path / "silence.wav", np.zeros(16000 * 8))
    rng = np.random.default_rng(1)
    noise = write_wav(tmp_path / "noise.wav", rng.normal(0, 0.02, 16000 * 8))
    for path in (silence, noise):
        proc = run_cli("add", str(path))
        assert proc.returncode == 0, proc.stderr
        assert proc.stderr.startswith(f"No speech detected in {path.name}; kept it as entry ")
    for entry in entries(run_cli):
        assert entry["status"] == "no_speech" and entry["text"] == ""


def test_bad_files_get_one_line_and_exit_1(run_cli, tmp_path, speech):
    import soundfile as sf

    good = speech("A good recording about work.")
    run_cli("add", str(good), check=True)
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    pdf = tmp_path / "notes.pdf"
    pdf.write_bytes(b"%PDF-1.4 not audio at all " * 100)
    truncated = tmp_path / "cut.wav"
    truncated.write_bytes(good.read_bytes()[:2000])
    header_only = tmp_path / "header.wav"
    header_only.write_bytes(good.read_bytes()[:44])
    cases = {
        str(tmp_path / "missing.wav"): f"{tmp_path / 'missing.wav'} does not exist.",
        str(empty): "empty.wav is empty (0 bytes): there is no audio in it.",
        str(
            pdf
        ): "notes.pdf is not an audio file voicejournal can read (wav, flac, mp3, m4a, aac, ogg, opus).",
        str(
            truncated
        ): f"cut.wav looks cut short: it should last {sf.info(good).duration:.0f} s but only 0 s "
        "can be read. Add --partial to keep what can be read.",
        str(header_only): "header.wav holds no audio that can be played (it may be damaged).",
    }
    for path, message in cases.items():
        proc = run_cli("add", path)
        assert proc.returncode == 1, path
        assert proc.stderr.strip() == message
        assert "Traceback" not in proc.stderr
    assert len(entries(run_cli)) == 1  # nothing saved was lost, nothing half-saved was added


def test_partial_keeps_what_can_be_read(run_cli, speech, tmp_path):
    wav = speech("My mother and my work and my session with the therapist took all week.")
    cut = tmp_path / "cut.wav"
    data = wav.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    proc = run_cli("add", str(cut), "--partial")
    assert proc.returncode == 0, proc.stderr
    [entry] = entries(run_cli)
    assert entry["duration"] > 1


def test_unknown_id_bad_date_missing_model(run_cli, speech):
    proc = run_cli("show", "zzzz")
    assert (proc.returncode, proc.stderr.strip()) == (
        1,
        "No entry with id 'zzzz'. `voicejournal list` shows recent ids.",
    )
    proc = run_cli("list", "--since", "next blursday")
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        "Could not understand the date 'next blursday'. Try 2026-11-02, 'yesterday' or '3 weeks ago'."
    )
    wav = speech("hello")
    proc = run_cli("add", str(wav), "--model", "large-v3")
    assert (proc.returncode, proc.stderr.strip()) == (
        1,
        "The speech model 'large-v3' is not installed. `voicejournal models` lists the installed models "
        "and how to add more.",
    )
    proc = run_cli("add", str(wav), "--model", "/nonexistent/model")
    assert proc.stderr.strip() == (
        "/nonexistent/model is not a speech model folder (it needs model.bin and config.json). "
        "`voicejournal models` lists the installed models."
    )
    assert entries(run_cli) == []


def test_list_filters(run_cli, speech):
    run_cli(
        "add", str(speech("The session was about work.")), "--date", "2026-10-01", "--tag", "work", check=True
    )
    run_cli("add", str(speech("My mother called me.")), "--date", "2026-11-20", check=True)
    assert [e["created"][:10] for e in entries(run_cli)] == ["2026-11-20", "2026-10-01"]
    since = json.loads(run_cli("list", "--since", "2026-11-01", "--json", check=True).stdout)
    assert [e["created"][:10] for e in since] == ["2026-11-20"]
    until = json.loads(run_cli("list", "--until", "2026-10-01", "--json", check=True).stdout)
    assert [e["created"][:10] for e in until] == ["2026-10-01"]
    tagged = json.loads(run_cli("list", "--tag", "WORK", "--json", check=True).stdout)
    assert len(tagged) == 1
    text = run_cli("list", check=True).stdout
    assert "2026-11-20" in text and "work" in text


def test_corrupt_journal_is_a_clear_error_and_untouched(run_cli, speech, vj_home):
    run_cli("add", str(speech("About work.")), "--date", "2026-11-02", check=True)
    run_cli("add", str(speech("About my mother.")), "--date", "2026-11-03", check=True)
    shard = vj_home / "entries" / "2026-11.json"
    shard.write_bytes(b"{ broken")
    proc = run_cli("list")
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        f"The journal file {shard} is damaged and was left untouched. The last good copy is {shard}.bak; "
        "`voicejournal check --repair` puts it back."
    )
    proc = run_cli("add", str(speech("Another one about the session.")), "--date", "2026-11-04")
    assert proc.returncode == 1
    assert shard.read_bytes() == b"{ broken"


def test_session_chosen_by_id(run_cli, speech):
    run_cli("session", "add", "2026-11-20", "14:00", "--with", "Dr. Rivera", check=True)
    [session] = json.loads(run_cli("session", "list", "--json", check=True).stdout)
    wav = speech("After the session I thought about my work.")
    run_cli("add", str(wav), "--date", "2026-11-22", "--session", session["id"].upper(), check=True)
    [entry] = entries(run_cli)
    assert entry["session"] == session["id"]
    proc = run_cli("add", str(speech("Another thought about work.")), "--session", "zzzz")
    assert (proc.returncode, proc.stderr.strip()) == (
        1,
        "No session with id 'zzzz'. `voicejournal session list` shows them.",
    )
    assert len(entries(run_cli)) == 1
