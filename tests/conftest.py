"""Fixtures shared by the test files (helpers live in tests/helpers): the bundled example
ingested once with the real tiny.en model, the app over that archive, the command line,
recordings in every container a district might hand us, live servers and a browser.

The two hooks at the end mark `slow` every test that runs a Whisper model through a fixture,
and fail a test that runs one without the mark, so that `-m "not slow"` transcribes nothing.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from ontherecord.archive import Archive
from search_app import create_app
from tests.helpers import slow
from tests.helpers.browser import CHROMIUM, CHROMIUM_ARGS
from tests.helpers.cli import run_main, run_process
from tests.helpers.example import (
    DISTRICT_NAME,
    EXAMPLE,
    FOLLOWUP,
    REFERENCE,
    followup_details,
    ingest_into,
    name_speaker,
)
from tests.helpers.faceted import FACETED
from tests.helpers.http import client_over, serving
from tests.helpers.media import decode, make_clips
from tests.helpers.transcripts import made_archive
from tests.helpers.turns import speaker_map

# --- the example archive, ingested once ----------------------------------------------------


@pytest.fixture(scope="session")
def reference() -> dict:
    """The example session's script: speakers and utterances with their true times."""
    return REFERENCE


@pytest.fixture(scope="session")
def example_archive(tmp_path_factory) -> Archive:
    """An archive holding the example session (read-only: copy it to change it)."""
    archive = Archive(tmp_path_factory.mktemp("example-archive"))
    ingest_into(archive, EXAMPLE)
    return archive


@pytest.fixture(scope="session")
def example_id(example_archive: Archive) -> str:
    """The example session's id."""
    return example_archive.ids()[0]


@pytest.fixture
def archive_copy(example_archive: Archive, tmp_path: Path) -> Archive:
    """A private copy of the example archive that a test may change."""
    shutil.copytree(example_archive.root, tmp_path / "archive")
    return Archive(tmp_path / "archive")


@pytest.fixture
def app(example_archive: Archive):
    """The web app over the example archive."""
    return create_app({"ARCHIVE": str(example_archive.root), "TESTING": True})


@pytest.fixture
def client(app):
    """A Flask test client for the app."""
    return app.test_client()


# --- the example with a named speaker, and the follow-up session ---------------------------


@pytest.fixture(scope="session")
def named_archive(example_archive: Archive, tmp_path_factory) -> Archive:
    """The example with its district negotiator named by staff, then the follow-up session
    ingested (where the registry recognizes that voice). Read-only: copy it to change it."""
    root = tmp_path_factory.mktemp("named") / "archive"
    shutil.copytree(example_archive.root, root)
    archive = Archive(root)
    (session_id,) = archive.ids()
    district = speaker_map(archive.transcript(session_id).turns, REFERENCE)["district"]
    name_speaker(archive, session_id, district, DISTRICT_NAME, "district", "Chief negotiator")
    ingest_into(archive, FOLLOWUP, followup_details())
    return archive


@pytest.fixture(scope="session")
def followup_id(named_archive: Archive, example_id: str) -> str:
    """The follow-up session's id in the named archive."""
    (found,) = [i for i in named_archive.ids() if i != example_id]
    return found


@pytest.fixture(scope="module")
def named_client(named_archive: Archive):
    """A Flask test client for the app over the named archive."""
    return client_over(named_archive)


# --- hand-made sessions (no ingest) ---------------------------------------------------------


@pytest.fixture(scope="session")
def faceted_client(tmp_path_factory):
    """A Flask test client over hand-made sessions with sides, units and chapters."""
    return client_over(made_archive(tmp_path_factory.mktemp("faceted") / "archive", FACETED))


@pytest.fixture(scope="session")
def made_client(tmp_path_factory):
    """A Flask test client over hand-made sessions: HTML in every field, and a video."""
    return client_over(made_archive(tmp_path_factory.mktemp("made") / "archive"))


# --- the command line -----------------------------------------------------------------------


@pytest.fixture
def cli(capfd, monkeypatch):
    """Run `ontherecord` in this process (`main(argv)`); returns its exit code and output.

    Output is caught at the file descriptors, as a terminal would see it: ffmpeg's included.
    """

    def run(*args: str, archive: Path | None = None):
        if archive is not None:
            monkeypatch.setenv("ONTHERECORD_ARCHIVE", str(archive))
        return run_main(capfd, list(args))

    return run


@pytest.fixture
def cli_process():
    """Run the real `ontherecord` entry point in a process of its own."""
    return run_process


# --- recordings -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def clips(tmp_path_factory) -> dict[str, Path]:
    """The example's first seconds in every accepted container (video ones with a test card)."""
    return make_clips(tmp_path_factory.mktemp("clips"))


@pytest.fixture(scope="session")
def example_wav(tmp_path_factory):
    """The example session's audio, decoded to 16 kHz mono samples."""
    return decode(EXAMPLE, tmp_path_factory.mktemp("wav") / "example.wav")


@pytest.fixture(scope="session")
def followup_wav(tmp_path_factory):
    """The follow-up session's audio, decoded to 16 kHz mono samples."""
    return decode(FOLLOWUP, tmp_path_factory.mktemp("wav") / "followup.wav")


# --- live servers and a browser -------------------------------------------------------------


@pytest.fixture(scope="session")
def live_server(example_archive: Archive):
    """The app over the example archive, served over real HTTP."""
    with serving(example_archive) as url:
        yield url


@pytest.fixture(scope="session")
def named_live_server(named_archive: Archive):
    """The app over the named archive, served over real HTTP."""
    with serving(named_archive) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright (skipped where it is not installed,
    unless ONTHERECORD_REQUIRE_BROWSER is set, as CI sets it)."""
    if not CHROMIUM.exists():
        if os.environ.get("ONTHERECORD_REQUIRE_BROWSER"):
            pytest.fail("/usr/bin/chromium is required (apt-get install chromium)")
        pytest.skip("/usr/bin/chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh page; JavaScript errors on it fail the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert errors == []


# --- the slow mark ----------------------------------------------------------------------------


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Mark slow every test that needs an archive ingested with the real model (before -m
    deselects by mark)."""
    for item in items:
        if slow.uses_an_ingesting_fixture(item):
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Fail a test that runs the Whisper model without being marked slow."""
    with slow.whisper_forbidden_unless_slow(item):
        return (yield)

