"""The service: every change goes through it once, from every entry point, with one set of
rules for details, events after each change, and an index that follows the archive."""

from __future__ import annotations

import pytest

from index import engines
from index.engines import hours_of
from index.store import SearchIndex
from ingest import jobs
from ontherecord import events, service
from ontherecord.archive import Archive
from ontherecord.details import MAX_TITLE, Details
from ontherecord.errors import InputError
from ontherecord.model import Chapter
from tests.helpers.cli import ok, one_line_error, run_main
from tests.helpers.http import Client, serving
from tests.helpers.transcripts import MARCH, OCTOBER, commit, make_transcript

PASSWORD = "correct horse battery"


@pytest.fixture
def archive(tmp_path) -> Archive:
    """An indexed archive of two hand-made sessions: MARCH published, OCTOBER a draft."""
    archive = Archive(tmp_path / "archive")
    for transcript in (MARCH, OCTOBER):
        copy = make_transcript(transcript.session.id, transcript.session.title,
                               transcript.session.date, transcript.session.unit,
                               [(s.start, s.end, s.speaker, s.text) for s in transcript.segments],
                               transcript.speakers)
        copy.chapters = [Chapter(0.0, 25.0, "Class size", "Class size and caseloads",
                                 "class-size")]
        commit(archive, copy)
    draft = archive.session(OCTOBER.session.id)
    draft.state = "draft"
    archive.save_session(draft)
    service.heal(archive)
    return archive


def hits(archive: Archive, query: str) -> list[str]:
    """The texts the index finds for a query."""
    return [h.text for h in SearchIndex.of(archive).search(query).hits]


class Recorder:
    """Wraps service functions, so a test sees which ones an entry point called."""

    def __init__(self, monkeypatch) -> None:
        self.calls: list[str] = []
        for name in ("ingest", "change_state", "edit_details", "correct", "name_speaker",
                     "merge_speakers", "edit_chapters", "rediarize", "reindex"):
            real = getattr(service, name)
            monkeypatch.setattr(service, name, self._wrap(name, real))

    def _wrap(self, name, real):
        def called(*args, **kwargs):
            self.calls.append(name)
            return real(*args, **kwargs)
        return called


MARCH_ID, OCTOBER_ID = MARCH.session.id, OCTOBER.session.id


def test_every_cli_change_goes_through_the_service(archive, capsys, monkeypatch):
    seen = Recorder(monkeypatch)
    root = ["--archive", str(archive.root)]
    commands = [
        (["publish", OCTOBER_ID], "change_state"),
        (["withdraw", OCTOBER_ID], "change_state"),
        (["close", OCTOBER_ID], "change_state"),
        (["edit", MARCH_ID, "--title", "Session three"], "edit_details"),
        (["correct", MARCH_ID, "6", "The district can raise salaries."], "correct"),
        (["speakers", MARCH_ID, "--name", "S1", "Jane Q. Doe"], "name_speaker"),
        (["speakers", MARCH_ID, "--merge", "S2", "S1"], "merge_speakers"),
        (["chapters", MARCH_ID, "--title", "1", "Opening"], "edit_chapters"),
        (["reindex"], "reindex"),
    ]
    for argv, function in commands:
        seen.calls.clear()
        ok(run_main(capsys, [*argv, *root]))
        assert seen.calls == [function], argv


def test_every_staff_change_goes_through_the_service(archive, monkeypatch):
    from ontherecord import staff

    staff.add(archive, "editor", PASSWORD)
    seen = Recorder(monkeypatch)
    with serving(archive) as base:
        client = Client(base)
        client.login("editor", PASSWORD)
        page = f"/staff/sessions/{MARCH_ID}"
        posts = [
            (f"{page}/state", {"action": "withdraw"}, "change_state"),
            (f"{page}/details", {"title": "Session three", "date": "2026-03-10",
                                 "unit": "Teachers", "description": "", "source_url": ""},
             "edit_details"),
            (f"{page}/speakers/S1", {"name": "Jane Q. Doe", "side": "union", "role": ""},
             "name_speaker"),
            (f"{page}/segments/1", {"text": "The district can raise salaries.",
                                    "before": MARCH.segments[1].text}, "correct"),
            (f"{page}/chapters/1", {"title": "Opening", "topic": "class-size"},
             "edit_chapters"),
        ]
        for path, fields, function in posts:
            seen.calls.clear()
            reply = client.post(path, {**fields, "csrf_token": client.token(page)})
            assert reply.status == 302, (path, reply.status, reply.text)
            assert seen.calls == [function], path


def test_a_job_ingests_through_the_service_with_its_source_link(archive, monkeypatch):
    asked = []

    def ingest(archive, source, details, **options):
        asked.append((source, details))
        raise InputError("stop here: the pipeline is tested elsewhere")

    monkeypatch.setattr(service, "ingest", ingest)
    url = "https://district.example/streams/2026-10-14.m3u8"
    job = jobs.create(archive, Details("Session", "2026-10-14", "Teachers"), url, url=url)
    done = jobs.run(archive, job.id, options=None)
    assert done.state == "failed" and "stop here" in done.error
    [(source, details)] = asked
    assert source == url
    assert details.source_url == url  # the web-address ingest keeps its source link


def test_each_change_hits_the_index_once(archive, monkeypatch):
    writes = []
    real = SearchIndex._replace
    monkeypatch.setattr(SearchIndex, "_replace",
                        lambda self, ids, transcripts: writes.append(ids) or real(
                            self, ids, transcripts))
    changes = [
        lambda: service.publish(archive, OCTOBER_ID),
        lambda: service.edit_details(archive, MARCH_ID, title="Session three"),
        lambda: service.correct(archive, MARCH_ID, "Salaries can rise.", at=6.0),
        lambda: service.name_speaker(archive, MARCH_ID, "S1", "Jane Q. Doe"),
        lambda: service.merge_speakers(archive, MARCH_ID, "S2", "S1"),
        lambda: service.edit_chapters(archive, MARCH_ID),  # asks for nothing: no write
        lambda: service.change_state(archive, OCTOBER_ID, "withdraw"),
    ]
    for n, change in enumerate(changes):
        writes.clear()
        change()
        assert len(writes) == (0 if n == 5 else 1), (n, writes)
    assert SearchIndex.of(archive).stamps() == archive.versions()


def test_a_change_counts_up_the_version_and_the_index_holds_it(archive):
    before = archive.session(MARCH_ID).version
    change = service.correct(archive, MARCH_ID, "The district can raise salaries.", at=6.0)
    assert change.session.version == before + 1 == archive.session(MARCH_ID).version
    assert SearchIndex.of(archive).stamps()[MARCH_ID] == before + 1
    assert hits(archive, "district raise") == ["The district can raise salaries."]
    assert change.correction and change.correction.before == MARCH.segments[1].text.strip()


def test_listeners_hear_changes_and_publication(archive):
    heard, published = [], []
    changed = events.on_change(heard.append)
    public = events.on_published(published.append)
    try:
        service.publish(archive, OCTOBER_ID)
        service.edit_details(archive, OCTOBER_ID, unit="ESP")
        service.change_state(archive, OCTOBER_ID, "withdraw")
        service.publish(archive, OCTOBER_ID)
    finally:
        events.unsubscribe(changed)
        events.unsubscribe(public)
    assert [c.kind for c in heard] == ["state", "details", "state", "state"]
    assert [c.session.id for c in published] == [OCTOBER_ID, OCTOBER_ID]
    assert heard[1].what == ["unit"]


def test_a_failing_listener_does_not_undo_the_change(archive, caplog):
    def broken(change):
        raise RuntimeError("the feed is down")

    events.on_published(broken)
    try:
        service.publish(archive, OCTOBER_ID)
    finally:
        events.unsubscribe(broken)
    assert archive.session(OCTOBER_ID).public
    assert "a listener failed" in caplog.text


BAD_DETAILS = [
    ({"title": "x" * 5000}, f"the title is longer than {MAX_TITLE} characters"),
    ({"title": "Session \x1b[31mred"}, "the title contains control characters"),
    ({"title": "  "}, "a session needs a title"),
    ({"unit": "Teach\x00ers"}, "the bargaining unit contains control characters"),
    ({"date": "2026-W42-3"}, "is not a date written YYYY-MM-DD"),
]


@pytest.mark.parametrize(("bad", "message"), BAD_DETAILS)
def test_ingest_edit_and_upload_refuse_the_same_details_alike(archive, tmp_path, capsys, bad,
                                                              message):
    good = {"title": "Session", "date": "2026-10-14", "unit": "Teachers"}
    with pytest.raises(InputError) as edit:
        service.edit_details(archive, MARCH_ID, **bad)
    assert message in str(edit.value)
    recording = tmp_path / "never-read.ogg"
    with pytest.raises(InputError) as ingest:
        service.ingest(archive, recording, Details(**{**good, **bad}))
    assert str(ingest.value) == str(edit.value)
    flags = [x for k, v in {**good, **bad}.items() for x in (f"--{k}", v)]
    error = one_line_error(run_main(capsys, ["ingest", str(recording), *flags,
                                             "--archive", str(archive.root)]))
    assert str(edit.value) in error
    with pytest.raises(InputError) as upload:
        jobs.create(archive, Details(**{**good, **bad}), "x.ogg")
    assert str(upload.value) == str(edit.value)
    assert not archive.jobs_dir.exists() or not any(archive.jobs_dir.iterdir())


def test_the_upload_form_refuses_what_edit_refuses(archive):
    from ontherecord import staff

    staff.add(archive, "editor", PASSWORD)
    with serving(archive) as base:
        client = Client(base)
        client.login("editor", PASSWORD)
        for bad, message in BAD_DETAILS:
            fields = {"title": "Session", "date": "2026-10-14", "unit": "Teachers",
                      "url": "https://district.example/a.mp4", **bad,
                      "csrf_token": client.token("/staff/upload")}
            reply = client.post("/staff/upload", fields)
            assert reply.status == 400, (bad, reply.status)
            assert message in reply.text
    assert not archive.jobs_dir.exists() or not any(archive.jobs_dir.iterdir())


def test_list_shows_control_characters_of_old_records_as_escapes(archive, capsys):
    old = archive.session(MARCH_ID)
    old.title = "Session \x1b[2J three"  # written before titles were checked
    archive.save_session(old)
    out = ok(run_main(capsys, ["list", "--archive", str(archive.root)]))
    assert "\x1b" not in out and "Session \\x1b[2J three" in out


def test_a_login_with_a_line_break_in_next_is_no_error(archive):
    from ontherecord import staff

    staff.add(archive, "editor", PASSWORD)
    with serving(archive) as base:
        client = Client(base)
        fields = {"name": "editor", "password": PASSWORD, "csrf_token": client.token()}
        reply = client.post("/staff/login?next=/%0aX", fields)
        assert reply.status == 302
        assert reply.headers["Location"].endswith("/staff/")


def test_the_core_imports_nothing_above_it():
    import ast
    from pathlib import Path

    core = {"model", "archive", "exports", "timecode", "taxonomy", "text", "errors", "details",
            "roster"}
    root = Path(__file__).resolve().parents[1] / "ontherecord"
    for name in sorted(core):
        tree = ast.parse((root / f"{name}.py").read_text("utf-8"))
        imported = {node.module for node in ast.walk(tree)
                    if isinstance(node, ast.ImportFrom) and node.module}
        imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                     for alias in node.names}
        ours = {m for m in imported if m.split(".")[0] in ("ontherecord", "index", "ingest",
                                                           "search_app")}
        assert ours <= {f"ontherecord.{c}" for c in core}, (name, ours)


def test_a_source_link_never_carries_credentials(archive):
    change = service.edit_details(archive, MARCH_ID,
                                  source_url="https://user:secret@district.example/live")
    assert change.session.source_url == "https://district.example/live"


def test_auto_engine_follows_the_archive_size(archive, monkeypatch):
    """"auto" builds with Whoosh for a small archive and Tantivy past AUTO_HOURS, both ways."""
    monkeypatch.setattr(engines, "AUTO_HOURS", 1.5 / 60)  # a minute and a half: MARCH is one
    service.reindex(archive, "auto")
    index = SearchIndex(archive.index_dir)
    assert (index.choice(), index.engine()) == ("auto", "whoosh")
    service.change_state(archive, OCTOBER_ID, "publish")
    # A change only reconciles; the next start-up or search finds the archive has grown.
    assert index.engine() == "whoosh" and index.outgrown(hours_of(archive.public_sessions()))
    service.heal(archive)
    assert (index.choice(), index.engine()) == ("auto", "tantivy")
    assert not index.outgrown(hours_of(archive.public_sessions()))
    assert len(hits(archive, "district")) == 2
    service.change_state(archive, OCTOBER_ID, "withdraw")
    service.heal(archive)
    assert index.engine() == "whoosh"
    assert len(hits(archive, "district")) == 1
    # An engine chosen by name stays, whatever the size.
    service.reindex(archive, "tantivy")
    service.heal(archive)
    assert (index.choice(), index.engine()) == ("tantivy", "tantivy")
