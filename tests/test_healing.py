"""Derived state heals itself: a process killed (kill -9) at its worst moment, or several
processes at once, leave an archive whose index, scratch folders and jobs the next start puts
right. Each kill happens at a named point of the code, not on a timer."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from index.store import SearchIndex
from ingest import jobs
from ontherecord import service
from ontherecord.archive import Archive, file_lock
from ontherecord.details import Details
from search_app import create_app
from tests.helpers import ROOT
from tests.helpers.cli import ok, run_main
from tests.helpers.example import EXAMPLE, TEST_MODEL
from tests.helpers.http import serving
from tests.helpers.transcripts import MARCH, commit

MARCH_ID = MARCH.session.id

# Runs the command in a process that SIGKILLs itself when it reaches `target`: the moment
# after the archive is saved and before the index hears of it, say.
KILL_AT = """
import importlib, os, signal, sys
module, _, attribute = sys.argv[1].partition(":")
owner = importlib.import_module(module)
*path, name = attribute.split(".")
for part in path:
    owner = getattr(owner, part)
setattr(owner, name, lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL))
from ontherecord.cli import main
sys.exit(main(sys.argv[2:]))
"""


def killed_at(target: str, *argv: str) -> subprocess.CompletedProcess:
    """Run `ontherecord ARGV` until it reaches `target` (module:attribute), where it dies."""
    done = subprocess.run([sys.executable, "-c", KILL_AT, target, *argv], capture_output=True,
                          text=True, cwd=ROOT, timeout=300,
                          env={**os.environ, "OMP_WAIT_POLICY": "passive"})
    assert done.returncode == -signal.SIGKILL, (done.returncode, done.stderr)
    return done


@pytest.fixture
def archive(tmp_path) -> Archive:
    """An archive with one published hand-made session, indexed."""
    archive = Archive(tmp_path / "archive")
    commit(archive, MARCH)
    service.heal(archive)
    return archive


def texts(archive: Archive, query: str) -> list[str]:
    """What the index finds for a query."""
    return [h.text for h in SearchIndex(archive.index_dir).search(query).hits]


def test_a_correction_killed_before_indexing_heals_at_the_next_start(archive, capsys):
    killed_at("index.store:SearchIndex.reconcile", "correct", MARCH_ID, "6",
              "The district can raise teacher pay.", "--archive", str(archive.root))
    saved = archive.transcript(MARCH_ID)
    assert saved.segments[1].text.strip() == "The district can raise teacher pay."
    assert texts(archive, "teacher pay") == []  # the archive has it, the index not yet
    # Running the same correction again is refused: the transcript already says it.
    assert "the same as the transcript's" in run_main(
        capsys, ["correct", MARCH_ID, "6", "The district can raise teacher pay.",
                 "--archive", str(archive.root)]).stderr
    create_app({"ARCHIVE": str(archive.root)})  # a server starting up
    assert texts(archive, "teacher pay") == ["The district can raise teacher pay."]
    assert SearchIndex.of(archive).stamps() == archive.versions()


def test_a_naming_killed_before_indexing_heals_at_the_next_search(archive, capsys):
    killed_at("index.store:SearchIndex.reconcile", "speakers", MARCH_ID, "--name", "S2",
              "Pat Quinn", "--archive", str(archive.root))
    assert archive.transcript(MARCH_ID).speaker("S2").name == "Pat Quinn"
    out = ok(run_main(capsys, ["search", "--speaker", "Pat Quinn", "--json",
                               "--archive", str(archive.root)]))
    assert json.loads(out)["total"] == 2


def test_a_publication_killed_before_indexing_heals(archive, capsys):
    service.change_state(archive, MARCH_ID, "withdraw")
    assert texts(archive, "\"salary freeze\"") == []
    killed_at("index.store:SearchIndex.reconcile", "publish", MARCH_ID,
              "--archive", str(archive.root))
    assert archive.session(MARCH_ID).public
    service.heal(archive)
    assert texts(archive, "\"salary freeze\"") == ["We will not accept a salary freeze."]


def test_a_change_killed_between_its_two_files_leaves_a_consistent_index(archive):
    # session.json (with the new version) is written first: killed before transcript.json,
    # the change is lost but the index is reconciled to what the archive still says.
    killed_at("ontherecord.archive:Archive.save_transcript", "correct", MARCH_ID, "6",
              "Lost words.", "--archive", str(archive.root))
    assert archive.transcript(MARCH_ID).segments[1].text == MARCH.segments[1].text
    service.heal(archive)
    assert SearchIndex.of(archive).stamps() == archive.versions()
    assert texts(archive, "cannot raise salaries") == [MARCH.segments[1].text.strip()]


def test_a_killed_reindex_leaves_nothing_the_next_start_keeps(archive):
    killed_at("index.store:os.rename", "reindex", "--archive", str(archive.root))
    left = sorted(p.name for p in archive.staging_dir.iterdir())
    assert left and all(name.startswith("index-") for name in left)
    create_app({"ARCHIVE": str(archive.root)})
    assert list(archive.staging_dir.iterdir()) == []
    assert texts(archive, "\"salary freeze\"") == ["We will not accept a salary freeze."]


@pytest.mark.slow
def test_a_killed_ingest_leaves_no_staging_and_no_session(tmp_path):
    root = tmp_path / "archive"
    killed_at("ingest.asr:transcribe", "ingest", str(EXAMPLE), "--title", "Killed",
              "--date", "2026-10-14", "--unit", "Teachers", "--model", TEST_MODEL,
              "--archive", str(root))
    archive = Archive(root)
    assert archive.ids() == []
    assert any(p.is_dir() for p in archive.staging_dir.iterdir())  # the media copy was there
    create_app({"ARCHIVE": str(root)})
    assert list(archive.staging_dir.iterdir()) == []


@pytest.mark.slow
def test_an_ingest_killed_after_its_commit_is_indexed_at_the_next_start(tmp_path):
    root = tmp_path / "archive"
    archive = Archive(root)
    commit(archive, MARCH)
    service.heal(archive)  # an archive with an index, which the ingest only adds to
    killed_at("index.store:SearchIndex.reconcile", "ingest", str(EXAMPLE), "--title",
              "Killed", "--date", "2026-10-14", "--unit", "Teachers", "--model", TEST_MODEL,
              "--publish", "--archive", str(root))
    [session] = [s for s in archive.sessions() if s.id != MARCH_ID]
    assert session.public  # published in the same commit as the session itself
    assert SearchIndex(archive.index_dir).stamps() == {MARCH_ID: 0}
    create_app({"ARCHIVE": str(root)})
    assert SearchIndex(archive.index_dir).stamps() == {MARCH_ID: 0, session.id: session.version}
    assert texts(archive, "class size")


def test_scratch_folders_in_use_are_never_swept(archive):
    with archive.staging() as live:
        (live / "media.ogg").write_bytes(b"half a recording")
        assert service.heal(archive) == [] and live.is_dir()
    stale = archive.staging_dir / "tmp0123456789ab"  # from a version before locks
    stale.mkdir()
    service.heal(archive)
    assert not stale.exists()


def test_searches_never_fail_while_another_process_commits(archive):
    """Readers reopen when a commit swaps the index's files under them."""
    errors: list[str] = []
    stop = threading.Event()

    def churn() -> None:
        """Publish and withdraw in other processes, each commit rewriting the index."""
        while not stop.is_set():
            for action in ("withdraw", "publish"):
                subprocess.run([sys.executable, "-m", "ontherecord", action, MARCH_ID,
                                "--archive", str(archive.root)], cwd=ROOT, capture_output=True,
                               timeout=60)

    import urllib.error
    import urllib.request

    with serving(archive) as base:
        writer = threading.Thread(target=churn)
        writer.start()
        try:
            deadline = time.monotonic() + 20
            count = 0
            while time.monotonic() < deadline and count < 400:
                try:
                    with urllib.request.urlopen(f"{base}/api/search?q=salary", timeout=30) as r:
                        json.load(r)
                except urllib.error.HTTPError as e:
                    errors.append(f"{e.code} {e.read()[:200]!r}")
                count += 1
        finally:
            stop.set()
            writer.join(120)
    assert count > 50
    assert errors == []


def test_a_job_left_running_by_a_stopped_server_fails_at_the_next_start(archive):
    job = jobs.create(archive, Details("Session", "2026-10-14", "Teachers"), "a.ogg")
    job.state, job.stage = "running", "transcribing"  # as a server killed mid-job left it
    jobs.save(archive, job)
    create_app({"ARCHIVE": str(archive.root)})
    found = jobs.load(archive, job.id)
    assert found.state == "failed" and "server stopped" in found.error
    jobs.retry(archive, job.id)  # and it can be retried (or discarded)


def test_a_job_another_process_is_running_is_left_to_it(archive):
    job = jobs.create(archive, Details("Session", "2026-10-14", "Teachers"), "a.ogg")
    job.state = "running"
    jobs.save(archive, job)
    with file_lock(Path(jobs.folder(archive, job.id)) / "running.lock"):
        create_app({"ARCHIVE": str(archive.root)})
        assert jobs.load(archive, job.id).state == "running"


def test_uploads_a_killed_server_left_are_swept_and_live_ones_kept(archive):
    archive.uploads_dir.mkdir()
    stray = archive.uploads_dir / "upload-killed"
    stray.write_bytes(b"half an upload")
    live = archive.uploads_dir / "upload-live"
    live.write_bytes(b"arriving")
    with open(live, "rb") as f:
        fcntl.flock(f, fcntl.LOCK_EX)  # as the request receiving it holds it
        create_app({"ARCHIVE": str(archive.root)})
        assert sorted(p.name for p in archive.uploads_dir.iterdir()) == ["upload-live"]
