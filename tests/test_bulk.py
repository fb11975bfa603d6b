"""The bulk data file: every public session and nothing else, kept fresh after every change the
public can see, healed at start-up, served with the right types, and written by the command."""

from __future__ import annotations

import gzip
import json

import pytest

from ontherecord import bulk, service
from ontherecord.archive import Archive, file_lock
from search_app import create_app
from search_app.openapi import DOCUMENT
from tests.helpers.faceted import faceted
from tests.helpers.http import Client, serving
from tests.helpers.schemas import named, schema_errors
from tests.helpers.transcripts import made_archive

PUBLIC_OLD, PUBLIC_NEW = "2026-01-12-teachers-a", "2026-03-16-teachers-c"
DRAFT, WITHDRAWN, CLOSED = "2026-02-01-draft", "2026-02-02-withdrawn", "2026-02-03-closed"


def sessions():
    """Two public sessions, and one each of a draft, a withdrawn and a closed session."""
    made = {}
    for session_id in (PUBLIC_OLD, PUBLIC_NEW, DRAFT, WITHDRAWN, CLOSED):
        made[session_id] = faceted(session_id, session_id[:10], "Teachers", [
            ("D", "compensation", f"The salary line of {session_id}."),
            ("U", "class-size", "Class size caps matter most."),
        ])
    made[DRAFT].session.state = "draft"
    made[WITHDRAWN].session.state = "withdrawn"
    made[CLOSED].session.closed = True
    return made.values()


@pytest.fixture
def archive(tmp_path) -> Archive:
    """An archive of the five sessions, its bulk file written as at start-up."""
    made = made_archive(tmp_path / "archive", sessions())
    service.heal(made)
    return made


def lines(path) -> list[dict]:
    """A bulk file's lines, plain or gzipped."""
    data = path.read_bytes()
    text = (gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8")
    return [json.loads(line) for line in text.splitlines()]


def session_ids(archive: Archive) -> list[str]:
    """The sessions the bulk file holds, in its order."""
    return [line["session"]["id"] for line in lines(archive.bulk_path)[1:]]


def test_the_file_holds_every_public_session_and_nothing_else(archive):
    head, *rest = lines(archive.bulk_path)
    assert schema_errors(DOCUMENT, named("BulkHeader"), head) == []
    about = head["archive"]
    assert (about["format"], about["license"], about["license_url"]) == (
        "ontherecord-archive/1", "CC-BY-4.0", "https://creativecommons.org/licenses/by/4.0/")
    assert about["sessions"] == len(rest) == 2
    assert about["versions"] == archive.versions() == {PUBLIC_OLD: 0, PUBLIC_NEW: 0}
    assert [line["session"]["id"] for line in rest] == [PUBLIC_NEW, PUBLIC_OLD]  # newest first
    for line in rest:
        assert schema_errors(DOCUMENT, named("BulkSession"), line) == []
        session_id = line["session"]["id"]
        transcript = archive.transcript(session_id)
        assert line["session"]["permalink"] == f"/sessions/{session_id}"
        assert line["session"]["title"] == transcript.session.title
        assert [(s["start"], s["end"], s["speaker"], s["text"]) for s in line["segments"]] == [
            (s.start, s.end, s.speaker, s.text) for s in transcript.segments]
        assert [s["name"] for s in line["speakers"]] == ["Dana Whitfield", "Ursula Grant"]
        assert [s["side"] for s in line["speakers"]] == ["district", "union"]
        assert [c["topic_id"] for c in line["chapters"]] == ["compensation", "class-size"]
        assert "words" not in line["segments"][0] and "turns" not in line
    text = archive.bulk_path.read_text()
    for hidden in (DRAFT, WITHDRAWN, CLOSED):
        assert hidden not in text


def test_the_gzip_copy_holds_the_same_bytes(archive):
    with gzip.open(bulk.gzip_path(archive)) as f:
        assert f.read() == archive.bulk_path.read_bytes()


def test_changes_the_public_sees_rewrite_it_at_once_and_others_do_not(archive):
    service.publish(archive, DRAFT)
    assert session_ids(archive) == [PUBLIC_NEW, DRAFT, PUBLIC_OLD]
    service.change_state(archive, PUBLIC_NEW, "withdraw")
    assert session_ids(archive) == [DRAFT, PUBLIC_OLD]
    service.correct(archive, PUBLIC_OLD, "The salary line, corrected.", at=1.0)
    service.edit_details(archive, PUBLIC_OLD, title="Renamed session")
    (line,) = [x for x in lines(archive.bulk_path)[1:] if x["session"]["id"] == PUBLIC_OLD]
    assert line["segments"][0]["text"].strip() == "The salary line, corrected."
    assert line["corrections"][0]["after"] == "The salary line, corrected."
    assert line["session"]["title"] == "Renamed session"
    assert line["session"]["version"] == archive.session(PUBLIC_OLD).version == 2
    assert not bulk.stale(archive)
    assert lines(bulk.gzip_path(archive)) == lines(archive.bulk_path)
    # A change to a session the public never sees leaves the file as it was.
    before = archive.bulk_path.read_bytes()
    service.edit_details(archive, WITHDRAWN, title="Still withdrawn")
    service.edit_details(archive, PUBLIC_NEW, title="Withdrawn now")
    assert archive.bulk_path.read_bytes() == before


def test_a_large_archive_is_rewritten_after_the_change_returns(tmp_path):
    long = list(sessions())
    for transcript in long:
        transcript.session.duration = bulk.AT_ONCE_HOURS * 3600 / 2  # two public: the limit
    archive = made_archive(tmp_path / "archive", long)
    service.heal(archive)
    # Held here, as another rewrite would hold it: the change cannot wait for it.
    with file_lock(archive.bulk_path.with_name(".lock")):
        service.publish(archive, DRAFT)
        service.correct(archive, PUBLIC_OLD, "Corrected meanwhile.", at=1.0)
        assert bulk.stale(archive) and DRAFT not in session_ids(archive)
    bulk.settle()  # the rewrite, once the lock was free, read both changes
    assert not bulk.stale(archive)
    assert session_ids(archive) == [PUBLIC_NEW, DRAFT, PUBLIC_OLD]
    assert "Corrected meanwhile." in archive.bulk_path.read_text()
    assert lines(bulk.gzip_path(archive)) == lines(archive.bulk_path)


@pytest.mark.parametrize("damage", ["delete", "corrupt", "gzip", "stale"])
def test_start_up_heals_a_missing_corrupt_or_stale_file(archive, damage):
    if damage == "delete":
        archive.bulk_path.unlink()
    elif damage == "corrupt":
        archive.bulk_path.write_text("{not json\n")
    elif damage == "gzip":
        bulk.gzip_path(archive).write_bytes(b"garbage")
    else:  # a process killed between publishing and rewriting the file
        session = archive.session(DRAFT)
        session.state, session.version = "published", session.version + 1
        archive.save_session(session)
    assert bulk.stale(archive)
    create_app({"ARCHIVE": str(archive.root), "TESTING": True})
    assert not bulk.stale(archive)
    expected = [PUBLIC_NEW, DRAFT, PUBLIC_OLD] if damage == "stale" else [PUBLIC_NEW, PUBLIC_OLD]
    assert session_ids(archive) == expected
    assert lines(bulk.gzip_path(archive)) == lines(archive.bulk_path)


def test_the_licence_follows_the_settings_and_outlives_later_changes(archive):
    create_app({"ARCHIVE": str(archive.root), "TESTING": True, "DATA_LICENSE": "CC0-1.0",
                "DATA_LICENSE_URL": "https://creativecommons.org/publicdomain/zero/1.0/"})
    about = lines(archive.bulk_path)[0]["archive"]
    assert (about["license"], about["license_url"]) == (
        "CC0-1.0", "https://creativecommons.org/publicdomain/zero/1.0/")
    # A command line change rewrites the file under the licence it states.
    service.publish(archive, DRAFT)
    about = lines(archive.bulk_path)[0]["archive"]
    assert about["license"] == "CC0-1.0" and DRAFT in about["versions"]


def test_served_with_types_etags_and_ranges(archive):
    with serving(archive) as url:
        client = Client(url)
        plain = client.get("/data/archive.jsonl")
        assert plain.status == 200
        assert plain.headers.get_content_type() == "application/x-ndjson"
        assert plain.body == archive.bulk_path.read_bytes()
        again = client.get("/data/archive.jsonl", headers={"If-None-Match": plain.headers["ETag"]})
        assert again.status == 304
        part = client.get("/data/archive.jsonl", headers={"Range": "bytes=0-9"})
        assert (part.status, part.body) == (206, plain.body[:10])
        packed = client.get("/data/archive.jsonl.gz")
        assert packed.status == 200
        assert packed.headers.get_content_type() == "application/gzip"
        assert gzip.decompress(packed.body) == plain.body


def test_served_after_the_file_went_missing(archive):
    client = create_app({"ARCHIVE": str(archive.root), "TESTING": True}).test_client()
    archive.bulk_path.unlink()
    reply = client.get("/data/archive.jsonl")
    assert reply.status_code == 200 and reply.data == archive.bulk_path.read_bytes()


def test_an_archive_without_sessions_has_no_file(tmp_path):
    (tmp_path / "archive").mkdir()
    client = create_app({"ARCHIVE": str(tmp_path / "archive"), "TESTING": True}).test_client()
    reply = client.get("/data/archive.jsonl")
    assert reply.status_code == 404 and reply.mimetype == "text/html"


def test_export_all_writes_the_same_file(archive, cli, tmp_path):
    archive.bulk_path.unlink()  # made afresh when asked for
    shown = cli("export-all", "--archive", str(archive.root))
    assert (shown.returncode, shown.stderr) == (0, "")
    assert shown.stdout == archive.bulk_path.read_text()
    assert cli("export-all", "--archive", str(archive.root), "-o",
               str(tmp_path / "all.jsonl")).returncode == 0
    assert (tmp_path / "all.jsonl").read_bytes() == archive.bulk_path.read_bytes()
    assert cli("export-all", "--archive", str(archive.root), "--output",
               str(tmp_path / "all.jsonl.gz")).returncode == 0
    assert gzip.decompress((tmp_path / "all.jsonl.gz").read_bytes()) == (
        archive.bulk_path.read_bytes())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["all.jsonl", "all.jsonl.gz", "archive"]


def test_export_all_refuses_a_missing_folder(archive, cli, tmp_path):
    shown = cli("export-all", "--archive", str(archive.root), "-o", str(tmp_path / "no" / "x"))
    assert shown.returncode == 1
    assert shown.stderr.strip().splitlines() == [
        f"ontherecord: error: {tmp_path / 'no'}: no such folder for the output file"]


def test_regenerated_after_publish_withdraw_and_correction(archive_copy, example_id):
    """On the archive ingested with the real model, as the command line changes it."""
    service.heal(archive_copy)
    assert session_ids(archive_copy) == [example_id]
    service.change_state(archive_copy, example_id, "withdraw")
    assert session_ids(archive_copy) == []
    service.publish(archive_copy, example_id)
    segment = archive_copy.transcript(example_id).segments[3]
    service.correct(archive_copy, example_id, "Corrected for the record.", at=segment.start)
    (line,) = lines(archive_copy.bulk_path)[1:]
    assert line["segments"][3]["text"].strip() == "Corrected for the record."
    assert line["session"]["version"] == archive_copy.session(example_id).version
    assert schema_errors(DOCUMENT, named("BulkSession"), line) == []
    assert lines(bulk.gzip_path(archive_copy)) == lines(archive_copy.bulk_path)
