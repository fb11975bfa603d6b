"""ingest/models.py: Whisper models come from installed packages, never from a hub."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest import asr, models
from ingest.pipeline import sha256_of
from ontherecord.errors import InputError


@pytest.fixture(scope="module")
def base_cache(tmp_path_factory) -> Path:
    """A cache folder holding Whisper base assembled from the two packages (done once: 145 MB)."""
    cache = tmp_path_factory.mktemp("model-cache")
    target = cache / f"whisper-base-{models.BASE_SHA256[:12]}"
    assert models.assemble_base(target) == target
    return cache


def test_assemble_base_joins_the_packaged_parts(base_cache):
    target = base_cache / f"whisper-base-{models.BASE_SHA256[:12]}"
    # Checked here independently of the check inside assemble_base.
    assert sha256_of(target / "model.bin") == models.BASE_SHA256
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        assert (target / name).stat().st_size > 0, name
    # The staging folder it was assembled in is gone.
    assert sorted(p.name for p in base_cache.iterdir()) == [target.name]


def test_assembled_base_loads_as_a_whisper_model(base_cache):
    target = base_cache / f"whisper-base-{models.BASE_SHA256[:12]}"
    model = asr.load_model(str(target), "int8", 0)
    assert model.model.is_multilingual  # base (not base.en) is the multilingual model


def test_assemble_base_is_done_once(base_cache):
    target = base_cache / f"whisper-base-{models.BASE_SHA256[:12]}"
    before = (target / "model.bin").stat()
    assert models.assemble_base(target) == target
    after = (target / "model.bin").stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_resolve_base_uses_the_cache(base_cache, monkeypatch):
    monkeypatch.setenv("ONTHERECORD_CACHE", str(base_cache))
    target = base_cache / f"whisper-base-{models.BASE_SHA256[:12]}"
    mtime = (target / "model.bin").stat().st_mtime_ns
    assert models.resolve("base") == str(target)
    assert (target / "model.bin").stat().st_mtime_ns == mtime
    assert models.DEFAULT_MODEL == "base"


def test_assemble_base_refuses_parts_that_do_not_match(tmp_path, monkeypatch):
    """Damaged package parts: an InputError, and neither a model folder nor scraps are left."""
    fake = {}
    for n, name in enumerate(models.BASE_PARTS, 1):
        data = tmp_path / "site-packages" / name / "data"
        data.mkdir(parents=True)
        (data / f"model.bin.part{n}").write_bytes(b"not the model" * 1000)
        for extra in ("config.json", "tokenizer.json", "vocabulary.txt"):
            (data / extra).write_text("{}")
        fake[name] = data.parent
    # Point the package lookup at the damaged copies; the assembly itself runs for real.
    monkeypatch.setattr(models, "_package_dir", lambda name: fake[name])
    cache = tmp_path / "cache"
    with pytest.raises(InputError, match="checksum"):
        models.assemble_base(cache / "base")
    assert list(cache.iterdir()) == []


def test_missing_model_package_names_what_to_install():
    with pytest.raises(InputError, match="pip install no-such-model-package"):
        models._package_dir("no_such_model_package")


def test_resolve_tiny_en_is_the_packaged_model():
    folder = Path(models.resolve("tiny.en"))
    assert folder.is_dir()
    assert (folder / "model.bin").is_file()
    assert (folder / "config.json").is_file()


def test_resolve_a_model_folder(tmp_path):
    (tmp_path / "model.bin").write_bytes(b"\0")
    assert models.resolve(str(tmp_path)) == str(tmp_path)


def test_resolve_a_folder_without_model_bin_is_refused(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(InputError, match="no model.bin"):
        models.resolve(str(tmp_path))


def test_resolve_other_names_go_to_faster_whisper(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # so that no folder of that name exists
    assert models.resolve("small.en") == "small.en"


def test_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("ONTHERECORD_CACHE", str(tmp_path / "c"))
    assert models.cache_dir() == tmp_path / "c"
    monkeypatch.delenv("ONTHERECORD_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert models.cache_dir() == tmp_path / "xdg" / "ontherecord"
