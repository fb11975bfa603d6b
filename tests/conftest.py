"""Shared fixtures: the bundled example ingested once with the real tiny.en model, the app over
that archive, recordings in every container a district might hand us, and a live server."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from index.store import SearchIndex
from ingest.asr import AsrOptions
from ingest.media import ffmpeg_binary
from ingest.pipeline import Details, ingest
from ontherecord import publishing
from ontherecord.archive import Archive
from search_app import create_app
from search_app.settings import waitress_options

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "bargaining-session.ogg"
REFERENCE = json.loads((ROOT / "examples" / "bargaining-session.json").read_text("utf-8"))
SHARED = ROOT.parent / "shared" / "data"
# tiny.en keeps the suite fast; the default (base) is exercised by the benchmarks.
TEST_MODEL = "tiny.en"
CHROMIUM = Path("/usr/bin/chromium")


def normalize(text: str) -> str:
    """Lower-case words without punctuation, for comparing what was said."""
    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", text.lower()).split())


def utterance_saying(words: str) -> dict:
    """The one utterance of the example script that says these words."""
    wanted = f" {normalize(words)} "
    found = [u for u in REFERENCE["utterances"] if wanted in f" {normalize(u['text'])} "]
    assert len(found) == 1, (words, found)
    return found[0]


def phrase_start(transcript, phrase: str) -> float:
    """When the transcript's words say this phrase (the start of its first word)."""
    words = [w for s in transcript.segments for w in s.words]
    spoken = [normalize(w.word) for w in words]
    wanted = normalize(phrase).split()
    for i in range(len(spoken) - len(wanted) + 1):
        if spoken[i:i + len(wanted)] == wanted:
            return words[i].start
    raise AssertionError(f"{phrase!r} is not in the words of the transcript")


def segment_saying(transcript, phrase: str):
    """The one segment of a transcript whose text says this phrase."""
    found = [s for s in transcript.segments if normalize(phrase) in normalize(s.text)]
    assert len(found) == 1, (phrase, [s.text for s in found])
    return found[0]


def assert_link_time(t: float, start: float) -> None:
    """A hit's link opens at its start rounded down to 0.1 s: never after the word, never 0.1 s
    or more before it."""
    assert t <= start < t + 0.1, (t, start)


def example_details() -> Details:
    """The metadata the example session is ingested with."""
    return Details(REFERENCE["title"], REFERENCE["date"], REFERENCE["unit"])


def ingest_into(archive: Archive, path: Path, details: Details | None = None,
                publish: bool = True):
    """Ingest one recording with the test model, indexing it as the CLI does; published
    unless asked not to, since most tests look at it as the public would."""
    index = SearchIndex(archive.index_dir)
    result = ingest(archive, path, details or example_details(), AsrOptions(model=TEST_MODEL),
                    on_commit=index.replace_session)
    if publish and result.created:
        publishing.publish(archive, result.session.id)
        index.replace_session(archive.transcript(result.session.id))
    return result


def snapshot(root: Path) -> dict[str, int]:
    """Every file under a folder with its size: to show that a failed command changed nothing."""
    return {str(p.relative_to(root)): p.stat().st_size for p in sorted(root.rglob("*"))
            if p.is_file()}


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


@pytest.fixture
def cli():
    """Run the real `ontherecord` command; returns the CompletedProcess."""

    def run(*args: str, archive: Path | None = None) -> subprocess.CompletedProcess:
        env = dict(os.environ)
        if archive is not None:
            env["ONTHERECORD_ARCHIVE"] = str(archive)
        return subprocess.run([sys.executable, "-m", "ontherecord", *args], capture_output=True,
                              text=True, env=env, cwd=ROOT, timeout=600)

    return run


def ffmpeg(*args: str) -> None:
    """Run ffmpeg quietly, failing the test setup if it fails."""
    subprocess.run([ffmpeg_binary(), "-v", "error", "-y", *args], check=True)


# (file name, ffmpeg output options, with a picture?) for each container we accept.
CONTAINERS = {
    "mp4": ("clip.mp4", ["-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac"], True),
    "mkv": ("clip.mkv", ["-c:v", "mpeg4", "-c:a", "libopus"], True),
    "webm": ("clip.webm", ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-c:a", "libopus"], True),
    "mov": ("clip.mov", ["-c:v", "mjpeg", "-c:a", "pcm_s16le"], True),
    "mp3": ("clip.mp3", ["-c:a", "libmp3lame"], False),
    "m4a": ("clip.m4a", ["-c:a", "aac"], False),
    "wav": ("clip.wav", ["-c:a", "pcm_s16le"], False),
    "flac": ("clip.flac", ["-c:a", "flac"], False),
    "ogg": ("clip.ogg", ["-c:a", "libopus"], False),
    "opus": ("clip.opus", ["-c:a", "libopus"], False),
}
CLIP_SECONDS = 12


@pytest.fixture(scope="session")
def clips(tmp_path_factory) -> dict[str, Path]:
    """The example's first seconds in every accepted container (video ones with a test card)."""
    folder = tmp_path_factory.mktemp("clips")
    made = {}
    for kind, (name, options, video) in CONTAINERS.items():
        picture = ["-f", "lavfi", "-i", f"testsrc=size=320x240:rate=10:duration={CLIP_SECONDS}"]
        inputs = ["-t", str(CLIP_SECONDS), "-i", str(EXAMPLE), *(picture if video else [])]
        maps = ["-map", "0:a", "-map", "1:v"] if video else []
        ffmpeg(*inputs, *maps, *options, "-shortest", str(folder / name))
        made[kind] = folder / name
    return made


@contextlib.contextmanager
def serving(archive: Archive, **settings):
    """The app over an archive, served over real HTTP by waitress on a free loopback port.

    Background ingests use the test model unless `settings` say otherwise.
    """
    from waitress import wasyncore
    from waitress.server import create_server

    app = create_app({"ARCHIVE": str(archive.root), "MODEL": TEST_MODEL, **settings})
    server = create_server(app, host="127.0.0.1", port=0, threads=4,
                           **waitress_options(app.config))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        # Request threads end first, then the loop closes every socket itself. Closed from
        # here while they run, a socket's number could be reused by the next test's server
        # and get a stray wake-up byte ("xHTTP/1.1 200 OK") or "Bad file descriptor".
        server.task_dispatcher.shutdown()
        server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
        thread.join(10)


@pytest.fixture(scope="session")
def live_server(example_archive: Archive):
    """The app over the example archive, served over real HTTP."""
    with serving(example_archive) as url:
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
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--autoplay-policy=no-user-gesture-required"],
        )
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


def needs_shared(*parts: str) -> Path:
    """A file from ../shared/data, or skip the test when the shared data is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data not present: {path}")
    return path


# --- speakers: the follow-up session, decoded audio, and archives with named voices ----------

FOLLOWUP = ROOT / "examples" / "followup-session.ogg"
FOLLOWUP_REFERENCE = json.loads((ROOT / "examples" / "followup-session.json").read_text("utf-8"))
# The name staff give the district's negotiator in the shared named archive.
DISTRICT_NAME = "Mark Ellison"


def followup_details() -> Details:
    """The metadata the follow-up session is ingested with."""
    ref = FOLLOWUP_REFERENCE
    return Details(ref["title"], ref["date"], ref["unit"])


def decode(source: Path, target: Path):
    """A recording as 16 kHz mono float32 samples, decoded by ffmpeg as ingest does."""
    from ingest.media import read_wav

    ffmpeg("-i", str(source), "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le", str(target))
    return read_wav(target)


@pytest.fixture(scope="session")
def example_wav(tmp_path_factory):
    """The example session's audio, decoded to 16 kHz mono samples."""
    return decode(EXAMPLE, tmp_path_factory.mktemp("wav") / "example.wav")


@pytest.fixture(scope="session")
def followup_wav(tmp_path_factory):
    """The follow-up session's audio, decoded to 16 kHz mono samples."""
    return decode(FOLLOWUP, tmp_path_factory.mktemp("wav") / "followup.wav")


def overlaps(turns, start: float, end: float) -> dict[str, float]:
    """Seconds of [start, end] that each speaker's turns cover."""
    out: dict[str, float] = {}
    for turn in turns:
        shared = min(end, turn.end) - max(start, turn.start)
        if shared > 0:
            out[turn.speaker] = out.get(turn.speaker, 0.0) + shared
    return out


def utterance_speakers(turns, reference: dict) -> list[tuple[dict, str]]:
    """Each scripted utterance with the one found speaker that holds it.

    Fails unless that speaker's turns cover at least 95% of the utterance and every other
    speaker's turns no more than 0.2 s of it.
    """
    found = []
    for u in reference["utterances"]:
        cover = overlaps(turns, u["start"], u["end"])
        assert cover, f"no speaker during {u}"
        best = max(cover, key=cover.get)
        assert cover[best] >= 0.95 * (u["end"] - u["start"]), (u, cover)
        assert sum(cover.values()) - cover[best] <= 0.2, (u, cover)
        found.append((u, best))
    return found


def speaker_map(turns, reference: dict) -> dict[str, str]:
    """Reference speaker → found speaker id; fails unless the pairing is one-to-one."""
    pairs = {(u["speaker"], hyp) for u, hyp in utterance_speakers(turns, reference)}
    mapping = dict(pairs)
    assert len(mapping) == len(pairs), f"a voice was split across speakers: {sorted(pairs)}"
    assert len(set(mapping.values())) == len(mapping), f"voices were merged: {sorted(pairs)}"
    return mapping


def true_speaker(reference: dict, start: float, end: float) -> str | None:
    """The scripted speaker whose utterances overlap [start, end] most (None if none do)."""
    cover: dict[str, float] = {}
    for u in reference["utterances"]:
        shared = min(end, u["end"]) - max(start, u["start"])
        if shared > 0:
            cover[u["speaker"]] = cover.get(u["speaker"], 0.0) + shared
    return max(cover, key=cover.get) if cover else None


def name_speaker(archive: Archive, session_id: str, ref: str, name: str,
                 side: str | None = None, role: str | None = None):
    """Name a speaker as `ontherecord speakers --name` does: edit, then reindex the session."""
    from ontherecord import speakers

    transcript = speakers.name(archive, session_id, ref, name, side, role)
    SearchIndex(archive.index_dir).replace_session(transcript)
    return transcript


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


@pytest.fixture(scope="session")
def named_live_server(named_archive: Archive):
    """The app over the named archive, served over real HTTP."""
    with serving(named_archive) as url:
        yield url
