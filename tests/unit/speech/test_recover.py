"""Journal.recover: recordings a crash left in audio/incoming become pending entries, exactly once."""

import json
import os
from datetime import datetime

import numpy as np
import soundfile as sf

from voicejournal.core.entry import PENDING
from voicejournal.journal import Journal
from voicejournal.speech.wav import WavWriter, wav_header


def crashed_recording(home, entry_id="ab12", seconds=2.0, meta=None, finalised=False):
    """What `kill -9` leaves: a WAV whose header may still say 'no data', and its sidecar."""
    folder = home / "audio" / "incoming"
    folder.mkdir(parents=True, exist_ok=True)
    wav = folder / f"{entry_id}.wav"
    pcm = (np.full(int(seconds * 16000), 0.1) * 32767).astype("<i2").tobytes()
    wav.write_bytes(wav_header(len(pcm) // 2 if finalised else 0) + pcm + b"\x07")
    if meta is not None:
        (folder / f"{entry_id}.json").write_text(json.dumps(meta))
    return wav


def test_a_crashed_recording_becomes_a_pending_entry_with_its_tags(vj_home):
    meta = {"created": "2026-11-20T18:05:00+01:00", "tags": ["session"], "mood": 2, "kind": "homework"}
    wav = crashed_recording(vj_home, meta=meta)
    journal = Journal(vj_home)
    [entry] = journal.recover()
    assert entry.id == "ab12" and entry.status == PENDING
    assert entry.created.isoformat() == "2026-11-20T18:05:00+01:00"
    assert (entry.tags, entry.mood, entry.kind) == (["session"], 2, "homework")
    assert entry.duration == 2.0
    flac = vj_home / entry.audio
    assert entry.audio == "audio/2026/11/ab12.flac"
    assert sf.info(flac).frames == 32000
    assert not wav.exists() and not wav.with_suffix(".json").exists()
    assert journal.get("ab12").status == PENDING
    assert journal.recover() == []


def test_without_a_sidecar_the_date_comes_from_the_file(vj_home):
    # Killed a second into a recording begun just before midnight at the end of November: the file was
    # last written in December, but the recording (and its entry) belongs to November.
    wav = crashed_recording(vj_home, entry_id="cd34", seconds=1.0)
    stamp = datetime(2026, 12, 1, 0, 0, 0, 500_000).astimezone().timestamp()
    os.utime(wav, (stamp, stamp))
    [entry] = Journal(vj_home).recover()
    assert entry.created == datetime(2026, 11, 30, 23, 59, 59, 500_000).astimezone()
    assert entry.kind == "reflection" and entry.tags == []
    assert entry.audio == "audio/2026/11/cd34.flac"
    assert [p.name for p in (vj_home / "entries").glob("*.json")] == ["2026-11.json"]
    assert Journal(vj_home).get("cd34").created == datetime(2026, 11, 30, 23, 59, 59).astimezone()


def test_a_leftover_of_a_saved_recording_is_not_saved_twice(vj_home):
    journal = Journal(vj_home)
    crashed_recording(vj_home, entry_id="ef56", finalised=True)
    [entry] = journal.recover()
    # the same recording left behind again (killed after saving, before removing the WAV)
    again = crashed_recording(vj_home, entry_id="ef56", finalised=True)
    assert journal.recover() == []
    assert not again.exists()
    assert [e.id for e in journal.entries()] == [entry.id]


def test_an_empty_recording_is_cleared_and_a_live_one_left_alone(vj_home):
    folder = vj_home / "audio" / "incoming"
    folder.mkdir(parents=True)
    (folder / "gh78.wav").write_bytes(wav_header(0))
    live = WavWriter(folder / "ij90.wav")
    live.write(np.zeros(1600, dtype=np.float32))
    try:
        assert Journal(vj_home).recover() == []
        assert not (folder / "gh78.wav").exists()
        assert (folder / "ij90.wav").exists()
    finally:
        live.close()
    [entry] = Journal(vj_home).recover()
    assert entry.id == "ij90"


def test_nothing_to_do_is_cheap(vj_home):
    assert Journal(vj_home).recover() == []
    assert not (vj_home / "audio").exists()


def test_a_sealed_stream_cut_short_is_accepted_only_by_recovery(vj_home, monkeypatch):
    import pytest

    from voicejournal.errors import AudioDecodeError
    from voicejournal.speech.incoming import wav_to_flac
    from voicejournal.speech.wav import EncryptedWavWriter
    from voicejournal.store import files, keys, sealing, streams, vault

    keys.forget_keys()
    monkeypatch.setenv(keys.PASSPHRASE_ENV, "correct horse battery")
    Journal(vj_home)
    vault.encrypt_home(vj_home, "correct horse battery", kdf_n=2**10)
    folder = vj_home / "audio" / "incoming"
    folder.mkdir(parents=True)
    meta = {"created": "2026-11-20T18:05:00+01:00", "tags": ["zebra"], "mood": 4}
    files.write_bytes(vj_home, folder / "kl12.json", json.dumps(meta).encode())
    # What kill -9 leaves: a second sealed, half a second still in memory, no end mark.
    stream = streams.EncryptedStreamWriter(vj_home, folder / "kl12.wav")
    stream.write((np.full(16000, 0.1) * 32767).astype("<i2").tobytes())
    stream.flush()
    stream.write(b"\x01\x00" * 8000)
    live = EncryptedWavWriter(vj_home, folder / "mn34.wav")
    live.write(np.zeros(1600, dtype=np.float32))
    live.flush()
    try:
        with pytest.raises(AudioDecodeError) as info:
            wav_to_flac(folder / "kl12.wav", vj_home / "audio" / "x.flac")
        assert str(info.value) == (
            f"The recording in {folder / 'kl12.wav'} was not finished properly. It is kept; the next "
            "voicejournal command saves what it holds."
        )
        assert not (vj_home / "audio" / "x.flac").exists()
        journal = Journal(vj_home)
        [entry] = journal.recover()
        assert (entry.id, entry.duration, entry.tags, entry.mood) == ("kl12", 1.0, ["zebra"], 4)
        assert sealing.is_encrypted_blob((vj_home / entry.audio).read_bytes())
        assert sorted(p.name for p in folder.iterdir()) == ["mn34.wav"]  # the live one is left alone
    finally:
        live.close()
        keys.forget_keys()
