"""Which tests are slow: those that run a real Whisper model, directly or through a fixture."""

from __future__ import annotations

import contextlib

import pytest

# Fixtures that ingest with the real model: a test that uses one, even through another
# fixture, is slow. Tests that transcribe by themselves carry the mark in their own file.
INGESTING_FIXTURES = frozenset({"example_archive", "named_archive"})


def uses_an_ingesting_fixture(item: pytest.Item) -> bool:
    """Whether a test needs, directly or not, a fixture that runs the Whisper model."""
    return not INGESTING_FIXTURES.isdisjoint(getattr(item, "fixturenames", ()))


@contextlib.contextmanager
def whisper_forbidden_unless_slow(item: pytest.Item):
    """While a test not marked slow runs, running the Whisper model fails it."""
    if item.get_closest_marker("slow"):
        yield
        return
    from faster_whisper import WhisperModel

    def refuse(*args, **kwargs):
        pytest.fail(f"{item.nodeid} runs the Whisper model: mark it slow", pytrace=False)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(WhisperModel, "transcribe", refuse)
        yield
