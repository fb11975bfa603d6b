"""The staff pages over real HTTP, as a logged-in browser uses them: the session list with
states, publishing, details, speaker names, chapters and transcript corrections, each form
posted with its CSRF token; and what the public then sees: pages, search, topics, exports."""

from __future__ import annotations

import json
import shutil
import urllib.parse

import pytest

from index.store import SearchIndex
from ontherecord import staff
from ontherecord.archive import Archive
from ontherecord.timecode import clock, link_time
from tests.helpers import snapshot
from tests.helpers.example import normalize, segment_saying
from tests.helpers.html import form_fields, result_hits, squash, t_of
from tests.helpers.http import Client, Reply, serving

NAME, PASSWORD = "editor", "correct horse battery"
FIXED = "Under state labor relations law both sides must keep bargaining in good faith."


def anonymous(base: str, path: str, **params: str) -> Reply:
    """What a visitor gets, redirects followed."""
    return Client(base, follow_redirects=True).get(path, **params)


def search(base: str, **params: str) -> dict:
    response = anonymous(base, "/api/search", **params)
    assert response.status == 200, response.text
    return response.json()


def session_hits(base: str, session_id: str) -> list[dict]:
    """Every segment of the session the public search holds."""
    first = search(base, q=f'session:"{session_id}"')
    hits = first["hits"]
    for page in range(2, first["pages"] + 1):
        hits += search(base, q=f'session:"{session_id}"', page=str(page))["hits"]
    assert len(hits) == first["total"]
    return hits


def assert_consistent(base: str, archive: Archive, session_id: str, times) -> None:
    """transcript.json reads back whole, its times never moved, and the public search holds
    exactly its segments as they now read (none if the session is not public)."""
    path = archive.session_dir(session_id) / "transcript.json"
    json.loads(path.read_text("utf-8"))
    transcript = archive.transcript(session_id)
    assert [(s.start, s.end) for s in transcript.segments] == times
    corrected = {c.start for c in transcript.corrections}
    for seg in transcript.segments:
        if seg.start in corrected:
            assert [w.word.strip() for w in seg.words] == seg.text.split()
    hits = session_hits(base, session_id)
    if not transcript.session.public:
        assert hits == []
        return
    assert len(hits) == len(transcript.segments)
    indexed = {h["segment_start"]: h for h in hits}
    s = transcript.session
    for seg in transcript.segments:
        hit = indexed[seg.start]
        assert (hit["text"], hit["speaker"], hit["title"], hit["date"], hit["unit"]) == (
            seg.text.strip(), transcript.speaker_name(seg.speaker), s.title, s.date, s.unit)
        chapter = transcript.chapter_of(seg)
        assert hit["chapter"] == {"title": chapter.title, "topic": chapter.topic,
                                  "topic_id": chapter.topic_id}
    assert SearchIndex(archive.index_dir).session_ids() == {session_id}


def unchanged(archive: Archive, session_id: str):
    """What a refused edit must leave alone: the session's files and the index."""
    return (snapshot(archive.session_dir(session_id)), snapshot(archive.index_dir),
            (archive.session_dir(session_id) / "session.json").read_bytes(),
            (archive.session_dir(session_id) / "transcript.json").read_bytes())


def set_state(archive: Archive, session_id: str, state: str, closed: bool = False) -> None:
    session = archive.session(session_id)
    session.state, session.closed = state, closed
    archive.save_session(session)
    SearchIndex.of(archive).replace_session(archive.transcript(session_id))


def add_copy(archive: Archive, session_id: str, new_id: str, title: str, state: str,
             closed: bool = False) -> None:
    """Another session in the archive: the example's folder under a new id (no ingest)."""
    shutil.copytree(archive.session_dir(session_id), archive.session_dir(new_id))
    session = archive.session(new_id)
    session.id, session.title, session.state, session.closed = new_id, title, state, closed
    session.source.sha256 = new_id.ljust(64, "0")[:64]
    archive.save_session(session)


@pytest.fixture(scope="module")
def served(example_archive, tmp_path_factory):
    """One server for the module over an archive folder each test fills afresh.

    A server per test would be simpler, but stopping waitress while its loop thread runs can
    close a descriptor the next test's server has just been given (seen as EBADF in its
    requests), so the server is started once and the archive under it is replaced.
    """
    archive = Archive(tmp_path_factory.mktemp("staff-web") / "archive")
    shutil.copytree(example_archive.root, archive.root)
    with serving(archive) as base:
        yield archive, base


@pytest.fixture
def archive(served, example_archive):
    """A fresh copy of the example archive under the running server, with a staff account."""
    archive, _ = served
    shutil.rmtree(archive.root)
    shutil.copytree(example_archive.root, archive.root)
    staff.add(archive, NAME, PASSWORD)
    return archive


@pytest.fixture
def site(served, archive):
    return served[1]


@pytest.fixture
def editor(site):
    """A browser logged in as staff, following redirects."""
    client = Client(site, follow_redirects=True)
    response = client.login(NAME, PASSWORD)
    assert response.status == 200, response.text
    assert urllib.parse.urlsplit(response.url).path == "/staff/"
    return client


@pytest.fixture
def times(archive, example_id):
    return [(s.start, s.end) for s in archive.transcript(example_id).segments]


def staff_page(example_id: str) -> str:
    return f"/staff/sessions/{example_id}"


def flashes(response: Reply) -> list[str]:
    found = response.page.find_all("ul", class_="flashes")
    return [squash(li.text) for ul in found for li in ul.find_all("li")]


def error_of(response: Reply) -> str:
    return squash(response.page.find("p", class_="error").text)


# --- the list and the session page ----------------------------------------------------------


def test_staff_pages_need_a_login(site, archive, example_id):
    response = anonymous(site, "/staff/")
    assert response.status == 200 and urllib.parse.urlsplit(response.url).path == "/staff/login"
    before = unchanged(archive, example_id)
    refused = Client(site).post(f"/staff/sessions/{example_id}/state", {"action": "withdraw"})
    assert refused.status in (400, 403)
    assert unchanged(archive, example_id) == before
    assert archive.session(example_id).public


def test_a_post_without_the_csrf_token_is_refused(editor, archive, example_id):
    before = unchanged(archive, example_id)
    fields = editor.form(staff_page(example_id), f"/staff/sessions/{example_id}/state")
    for token in ("", "forged-token"):
        response = editor.send({**fields, "csrf_token": token}, ("action", "withdraw"))
        assert response.status == 400
        assert "expired or did not come from this site" in error_of(response)
    assert unchanged(archive, example_id) == before


def test_listing_shows_every_session_with_its_state(site, editor, archive, example_id):
    add_copy(archive, example_id, "2026-11-02-draft-session", "A draft session", "draft")
    add_copy(archive, example_id, "2026-11-09-closed-session", "A closed session", "withdrawn",
             closed=True)
    add_copy(archive, example_id, "2026-11-16-withdrawn-session", "A withdrawn session",
             "withdrawn")
    response = editor.get("/staff/")
    assert response.status == 200
    rows = response.page.find("table", class_="staff-sessions").find("tbody") \
        .find_all("tr")
    listed = {}
    for row in rows:
        link = row.find("a")
        states = [squash(s.text) for s in row.find_all("span", class_="state")]
        listed[row.get("data-session")] = (squash(link.text), link.get("href"), states)
    assert listed == {
        example_id: ("Teachers bargaining session (example)",
                     f"/staff/sessions/{example_id}", ["published"]),
        "2026-11-02-draft-session": ("A draft session",
                                     "/staff/sessions/2026-11-02-draft-session", ["draft"]),
        "2026-11-09-closed-session": ("A closed session",
                                      "/staff/sessions/2026-11-09-closed-session",
                                      ["withdrawn", "closed"]),
        "2026-11-16-withdrawn-session": ("A withdrawn session",
                                         "/staff/sessions/2026-11-16-withdrawn-session",
                                         ["withdrawn"]),
    }
    # Drafts first: they are what staff have to review.
    assert rows[0].get("data-session") == "2026-11-02-draft-session"
    # Each one's staff page opens, whatever its state; the public sees only the published.
    for session_id in listed:
        assert editor.get(f"/staff/sessions/{session_id}").status == 200
        public = anonymous(site, f"/sessions/{session_id}").status
        assert public == (200 if session_id == example_id else 404), session_id
    public_list = anonymous(site, "/sessions/").text
    assert example_id in public_list and "draft-session" not in public_list


def test_the_staff_session_page_shows_everything_to_edit(site, editor, archive, example_id):
    set_state(archive, example_id, "draft")
    transcript = archive.transcript(example_id)
    s = transcript.session
    response = editor.get(staff_page(example_id))
    assert response.status == 200
    page = response.page
    assert squash(page.find("h1").text) == s.title
    assert [squash(x.text) for x in page.find("p", class_="meta").find_all("span",
                                                                             class_="state")] \
        == ["draft"]
    buttons = [(b.get("name"), b.get("value")) for b in
               page.find("section", class_="state-actions").find_all("button")]
    assert buttons == [("action", "publish"), ("action", "close")]

    details = form_fields(page.find("section", class_="details-form").find("form"))
    assert {k: v for k, v in details.items() if k != "csrf_token"} == {
        "title": s.title, "date": s.date, "unit": s.unit, "source_url": s.source_url,
        "description": s.description, "roster": "", "speakers": ""}

    speakers = page.find("section", class_="speaker-forms").find_all("form", class_="speaker-form")
    assert [f.get("id") for f in speakers] == [f"speaker-{sp.id}" for sp in transcript.speakers]
    for form, sp in zip(speakers, transcript.speakers, strict=True):
        assert form.get("action") == f"/staff/sessions/{example_id}/speakers/{sp.id}"
        assert squash(form.find("span", class_="label").text).startswith(sp.label)
        fields = form_fields(form)
        assert (fields["name"], fields["side"], fields["role"]) == ("", "", "")

    chapters = page.find("section", class_="chapter-forms").find_all("form")
    assert len(chapters) == len(transcript.chapters) == 4
    for n, (form, chapter) in enumerate(zip(chapters, transcript.chapters, strict=True), 1):
        assert form.get("action") == f"/staff/sessions/{example_id}/chapters/{n}"
        fields = form_fields(form)
        assert (fields["title"], fields["topic"]) == (chapter.title, chapter.topic_id)

    lines = page.find("ol", id="transcript").find_all("li")
    assert len(lines) == len(transcript.segments)
    for i, (line, seg) in enumerate(zip(lines, transcript.segments, strict=True)):
        assert (line.get("id"), line.get("data-start"), line.get("data-end")) == (
            f"seg-{i}", str(seg.start), str(seg.end))
        form = line.find("form", class_="correction-form")
        assert form.get("action") == f"/staff/sessions/{example_id}/segments/{i}"
        fields = form_fields(form)
        assert fields["text"] == fields["before"] == seg.text.strip()
        assert squash(line.find("span", class_="speaker").text) == \
            transcript.speaker_name(seg.speaker)
        form = line.find("form", class_="line-speaker-form")
        assert form.get("action") == f"/staff/sessions/{example_id}/segments/{i}/speaker"
        assert form_fields(form)["speaker"] == seg.speaker
        assert [o.get("value") for o in form.find_all("option")] == \
            [sp.id for sp in transcript.speakers] + ["new"]
    # A draft's staff page plays its media for review; the public's media URL does not.
    assert editor.get(f"/staff/sessions/{example_id}/media").status == 200
    assert anonymous(site, f"/sessions/{example_id}/media").status == 404


# --- publish, withdraw, close ---------------------------------------------------------------


def test_publish_then_withdraw(site, editor, archive, example_id, times):
    set_state(archive, example_id, "draft")
    action = f"/staff/sessions/{example_id}/state"
    assert anonymous(site, f"/sessions/{example_id}").status == 404
    assert search(site, q="salary")["total"] == 0

    published = editor.submit(staff_page(example_id), action, ("action", "publish"))
    assert published.status == 200
    assert urllib.parse.urlsplit(published.url).path == staff_page(example_id)
    assert flashes(published) == ["Published: it is now public."]
    assert [squash(x.text) for x in published.page.find("p", class_="meta")
            .find_all("span", class_="state")] == ["published"]
    assert archive.session(example_id).state == "published"
    assert anonymous(site, f"/sessions/{example_id}").status == 200
    found = search(site, q="salary")
    assert found["total"] > 0 and {h["session"] for h in found["hits"]} == {example_id}
    assert_consistent(site, archive, example_id, times)

    withdrawn = editor.submit(staff_page(example_id), action, ("action", "withdraw"))
    assert withdrawn.status == 200
    assert flashes(withdrawn) == ["Withdrawn from the public site."]
    assert archive.session(example_id).state == "withdrawn"
    assert anonymous(site, f"/sessions/{example_id}").status == 404
    assert search(site, q="salary")["total"] == 0
    assert_consistent(site, archive, example_id, times)
    # And published again, it is back.
    editor.submit(staff_page(example_id), action, ("action", "publish"))
    assert anonymous(site, f"/sessions/{example_id}").status == 200
    assert_consistent(site, archive, example_id, times)


def test_a_closed_session_cannot_be_published(site, editor, archive, example_id, times):
    action = f"/staff/sessions/{example_id}/state"
    fields = editor.form(staff_page(example_id), action)
    closed = editor.send(fields, ("action", "close"))
    assert closed.status == 200
    assert flashes(closed) == ["Marked closed: it can never be published."]
    session = archive.session(example_id)
    assert (session.state, session.closed) == ("withdrawn", True)
    assert anonymous(site, f"/sessions/{example_id}").status == 404
    assert search(site, q="salary")["total"] == 0
    # The page offers no way to publish it…
    buttons = [b.get("value") for b in closed.page.find("section", class_="state-actions")
               .find_all("button")]
    assert buttons == []
    # …and a publish sent anyway (a form left open from before) is refused.
    before = unchanged(archive, example_id)
    refused = editor.send(fields, ("action", "publish"))
    assert refused.status == 400
    assert "closed session: it can never be published" in error_of(refused)
    assert unchanged(archive, example_id) == before
    assert anonymous(site, f"/sessions/{example_id}").status == 404
    assert search(site, q="salary")["total"] == 0
    assert_consistent(site, archive, example_id, times)


def test_state_changes_that_make_no_sense_are_refused(site, editor, archive, example_id):
    set_state(archive, example_id, "draft")
    action = f"/staff/sessions/{example_id}/state"
    fields = editor.form(staff_page(example_id), action)
    before = unchanged(archive, example_id)
    for button, message in ((("action", "withdraw"), "is not published (it is draft)"),
                            (("action", "delete"), "no such change: 'delete'"),
                            (None, "no such change: ''")):
        refused = editor.send(fields, button)
        assert refused.status == 400, button
        assert message in error_of(refused)
    assert unchanged(archive, example_id) == before


# --- details ----------------------------------------------------------------------------------


def test_edit_details(site, editor, archive, example_id, times):
    ids = archive.ids()
    source = "https://district.example/board/streams?id=1014&part=1"
    response = editor.submit(
        staff_page(example_id), f"/staff/sessions/{example_id}/details",
        title="Teachers: fourth session", date="2026-10-15", unit="Teachers and ESPs",
        description="The fourth session.\r\n\r\nClass size, then <b>salary</b>.",
        source_url=source)
    assert response.status == 200
    assert flashes(response) == ["Details saved."]
    assert urllib.parse.urlsplit(response.url).path == staff_page(example_id)
    session = archive.session(example_id)
    assert (session.id, session.title, session.date, session.unit, session.description,
            session.source_url) == (
        example_id, "Teachers: fourth session", "2026-10-15", "Teachers and ESPs",
        "The fourth session.\n\nClass size, then <b>salary</b>.", source)
    assert archive.ids() == ids
    # The staff form shows what was saved.
    saved = form_fields(response.page.find("section", class_="details-form").find("form"))
    assert (saved["title"], saved["date"], saved["unit"], saved["source_url"],
            saved["description"]) == (session.title, session.date, session.unit, source,
                                      session.description)

    # The public page, at the same URL as before.
    public = anonymous(site, f"/sessions/{example_id}")
    assert public.status == 200
    page = public.page
    assert squash(page.find("h1").text) == "Teachers: fourth session"
    meta = page.find("article", class_="session").find("header").find("p", class_="meta")
    assert meta.find("time").get("datetime") == "2026-10-15"
    assert "Teachers and ESPs" in meta.text
    link = meta.find("a", class_="source")
    assert link.get("href") == source
    assert "nofollow" in link.get("rel")
    paragraphs = page.find("div", class_="description").find_all("p")
    assert [squash(p.text) for p in paragraphs] == ["The fourth session.",
                                                    "Class size, then <b>salary</b>."]
    assert "<b>salary</b>" not in public.text  # shown as text, not markup
    # Search results carry the new details.
    found = search(site, q="salary")
    assert found["total"] > 0
    assert {(h["title"], h["date"], h["unit"]) for h in found["hits"]} == {
        ("Teachers: fourth session", "2026-10-15", "Teachers and ESPs")}
    results = anonymous(site, "/search", q="salary").page
    shown = result_hits(results)
    assert shown and {(h.session, h.title) for h in shown} == {
        (example_id, "Teachers: fourth session")}
    (group,) = results.find_all("li", class_="group")
    meta = group.find("p", class_="meta")
    assert meta.find("time").get("datetime") == "2026-10-15"
    assert "Teachers and ESPs" in meta.text
    alone = anonymous(site, "/search", q="salary", session=example_id).page
    shown = result_hits(alone)
    assert shown and {h.title for h in shown} == {"Teachers: fourth session"}
    assert {h.tag.find("time").get("datetime") for h in shown} == {"2026-10-15"}
    listing = anonymous(site, "/api/sessions").json()
    assert [(s["id"], s["title"], s["date"]) for s in listing] == [
        (example_id, "Teachers: fourth session", "2026-10-15")]
    assert_consistent(site, archive, example_id, times)


@pytest.mark.parametrize("changes", [
    {"source_url": "javascript:alert(document.cookie)"},
    {"source_url": "JaVaScRiPt:alert(1)//https://district.example/"},
    {"source_url": "data:text/html,<script>alert(1)</script>"},
    {"date": "2026-02-30"},
    {"date": "Friday"},
    {"date": "2026-W42-3"},
    {"source_url": "https://district.example/\x1b[2Jstream"},
    {"title": ""},
    {"title": "Teachers\x1b[2J"},
    {"unit": "x" * 101},
], ids=["javascript", "javascript-mixed-case", "data-url", "february-30", "weekday",
        "week-date", "url-control-characters", "no-title", "title-control-characters",
        "long-unit"])
def test_refused_details_change_nothing(site, editor, archive, example_id, times, changes):
    before = unchanged(archive, example_id)
    # With a good change alongside: that is not saved either.
    fields = {"title": "A new title that must not be saved", **changes}
    response = editor.submit(staff_page(example_id), f"/staff/sessions/{example_id}/details",
                              **fields)
    assert response.status == 400
    assert error_of(response)
    assert "Traceback" not in response.text
    assert unchanged(archive, example_id) == before
    public = anonymous(site, f"/sessions/{example_id}")
    assert squash(public.page.find("h1").text) == "Teachers bargaining session (example)"
    assert public.page.find("article", class_="session").find_all("a", class_="source") == []
    assert "javascript:" not in public.text.lower()
    assert_consistent(site, archive, example_id, times)


# --- speakers ---------------------------------------------------------------------------------


def test_name_a_speaker(site, editor, archive, example_id, times):
    transcript = archive.transcript(example_id)
    said = [s for s in transcript.segments if s.speaker == "S2"]
    assert search(site, speaker="Dana Whitfield")["total"] == 0
    response = editor.submit(staff_page(example_id),
                              f"/staff/sessions/{example_id}/speakers/S2",
                              name="  Dana   Whitfield ", side="district",
                              role="Chief negotiator")
    assert response.status == 200
    assert flashes(response) == ["Speaker saved."]
    assert urllib.parse.urlsplit(response.url).path == staff_page(example_id)
    fields = form_fields(response.page.find("form", id="speaker-S2"))
    assert (fields["name"], fields["side"], fields["role"]) == (
        "Dana Whitfield", "district", "Chief negotiator")
    speaker = archive.transcript(example_id).speaker("S2")
    assert (speaker.name, speaker.side, speaker.role, speaker.named_by) == (
        "Dana Whitfield", "district", "Chief negotiator", "staff")

    page = anonymous(site, f"/sessions/{example_id}").page
    row = [r for r in page.find("section", class_="speakers").find_all("tr")
           if r.get("data-speaker") == "S2"][0]
    assert squash(row.find("a", class_="speaker").text) == "Dana Whitfield"
    assert squash(row.find("span", class_="role").text) == "Chief negotiator · district"
    shown = {squash(li.find("span", class_="speaker").text)
             for li in page.find("ol", id="transcript").find_all("li")
             if li.find_all("span", class_="speaker")
             and li.find("span", class_="speaker").get("data-speaker") == "S2"}
    assert shown == {"Dana Whitfield"}
    # The speaker filter offers the name, and the index knows it at once.
    options = page.find("form", class_="searchbox").find("select", attrs={"name": "speaker"}) \
        .find_all("option")
    assert [o.get("value") for o in options] == ["", "Dana Whitfield"]
    theirs = search(site, speaker="Dana Whitfield")
    assert 0 < theirs["total"] == len(said) <= len(theirs["hits"])
    assert sorted(h["segment_start"] for h in theirs["hits"]) == sorted(s.start for s in said)
    assert {h["speaker"] for h in theirs["hits"]} == {"Dana Whitfield"}
    salary = search(site, q="salary")
    assert "Dana Whitfield" in {h["speaker"] for h in salary["hits"]}
    results = anonymous(site, "/search", q="salary", speaker="Dana Whitfield").page
    assert squash(results.find("p", class_="count").text).endswith("said by Dana Whitfield")
    assert_consistent(site, archive, example_id, times)


def test_a_refused_speaker_name_changes_nothing(site, editor, archive, example_id, times):
    editor.submit(staff_page(example_id), f"/staff/sessions/{example_id}/speakers/S1",
                   name="Dana Whitfield")
    before = unchanged(archive, example_id)
    for changes in ({"name": "dana whitfield"}, {"name": "Bad\x07Name"},
                    {"side": "the press"}):
        response = editor.submit(staff_page(example_id),
                                  f"/staff/sessions/{example_id}/speakers/S2", **changes)
        assert response.status == 400, changes
        assert error_of(response)
    assert unchanged(archive, example_id) == before
    assert_consistent(site, archive, example_id, times)


# --- chapters ---------------------------------------------------------------------------------


def test_retitle_a_chapter_and_change_a_topic(site, editor, archive, example_id, times):
    before = archive.transcript(example_id)
    page_path = staff_page(example_id)
    retitled = editor.submit(page_path, f"/staff/sessions/{example_id}/chapters/2",
                              title="  A counselor and a social worker in every school ")
    assert retitled.status == 200
    assert flashes(retitled) == ["Chapter saved."]
    moved = editor.submit(page_path, f"/staff/sessions/{example_id}/chapters/4",
                           topic="calendar")
    assert moved.status == 200
    after = archive.transcript(example_id)
    second, fourth = after.chapters[1], after.chapters[3]
    assert (second.title, second.topic_id, second.edited) == (
        "A counselor and a social worker in every school", "mental-health", True)
    # The machine title named the old topic, so it becomes the new topic's name.
    assert (fourth.title, fourth.topic_id, fourth.topic, fourth.edited) == (
        "Calendar and schedule", "calendar", "Calendar and schedule", True)
    assert (after.chapters[0], after.chapters[2]) == (before.chapters[0], before.chapters[2])
    assert [(c.start, c.end) for c in after.chapters] == [(c.start, c.end)
                                                          for c in before.chapters]
    # The staff page's forms show the edits.
    page = moved.page
    fields = form_fields(page.find("form", id="chapter-4"))
    assert (fields["title"], fields["topic"]) == ("Calendar and schedule", "calendar")
    assert squash(page.find("form", id="chapter-2").find("span", class_="edited").text) \
        == "edited"

    public = anonymous(site, f"/sessions/{example_id}").page
    items = public.find("ol", id="chapters").find_all("li")
    shown = [(squash(li.find("span", class_="chapter-title").text),
              li.find("a", class_="topic").get("href"), squash(li.find("a", class_="topic").text))
             for li in items]
    assert shown[1] == ("A counselor and a social worker in every school",
                        "/topics/mental-health", "Student mental health")
    assert shown[3] == ("Calendar and schedule", "/topics/calendar", "Calendar and schedule")
    assert [bool(li.find_all("span", class_="edited")) for li in items] == [False, True, False,
                                                                            True]

    def topic_titles(topic_id: str) -> list[str]:
        response = anonymous(site, f"/topics/{topic_id}")
        assert response.status == 200
        return [squash(x.text) for x in response.page.find_all("span", class_="chapter-title")]

    assert topic_titles("mental-health") == ["A counselor and a social worker in every school"]
    assert topic_titles("calendar") == ["Calendar and schedule"]
    assert topic_titles("procedure") == []
    in_fourth = [s.start for s in after.segments if s.chapter == 3]
    on_calendar = search(site, topic="calendar")
    assert sorted(h["segment_start"] for h in on_calendar["hits"]) == in_fourth
    assert search(site, topic="procedure")["total"] == 0
    assert_consistent(site, archive, example_id, times)


def test_a_refused_chapter_edit_changes_nothing(site, editor, archive, example_id, times):
    before = unchanged(archive, example_id)
    for number, changes in ((1, {"title": "   "}), (1, {"topic": "no-such-topic"}),
                            (2, {"title": "x" * 121})):
        response = editor.submit(staff_page(example_id),
                                  f"/staff/sessions/{example_id}/chapters/{number}", **changes)
        assert response.status == 400, changes
        assert error_of(response)
    fields = editor.form(staff_page(example_id), f"/staff/sessions/{example_id}/chapters/1")
    fields["_action"] = f"/staff/sessions/{example_id}/chapters/5"
    assert editor.send(fields).status == 400
    assert unchanged(archive, example_id) == before
    assert_consistent(site, archive, example_id, times)


# --- transcript corrections -------------------------------------------------------------------


def test_correct_a_line_of_the_transcript(site, editor, archive, example_id, times):
    original = archive.transcript(example_id)
    seg = segment_saying(original, "keep bargaining")
    index = original.segments.index(seg)
    old = seg.text.strip()
    assert normalize(old) != normalize(FIXED)
    gone = sorted(set(normalize(old).split()) - set(normalize(FIXED).split())
                  - {w for s in original.segments if s is not seg
                     for w in normalize(s.text).split()})
    assert gone  # the misheard words, said nowhere else
    assert all(search(site, q=word)["total"] == 1 for word in gone)
    assert search(site, q="faith")["total"] == 0
    # The permalink to the line, as the public page gave it before the fix.
    line = anonymous(site, f"/sessions/{example_id}").page.find("li", id=f"seg-{index}")
    permalink = line.find("a", class_="ts").get("href")
    assert t_of(permalink) == float(link_time(seg.start))

    response = editor.submit(staff_page(example_id),
                              f"/staff/sessions/{example_id}/segments/{index}",
                              text=f"  {FIXED}\r\n")
    assert response.status == 200
    assert flashes(response) == ["Correction saved and logged."]
    fields = form_fields(response.page.find("li", id=f"seg-{index}").find("form"))
    assert fields["text"] == fields["before"] == FIXED

    after = archive.transcript(example_id)
    (logged,) = after.corrections
    assert (logged.start, logged.before, logged.after) == (seg.start, old, FIXED)
    assert after.segments[index].text.strip() == FIXED
    assert [s for i, s in enumerate(after.segments) if i != index] == \
        [s for i, s in enumerate(original.segments) if i != index]

    # The public page: the new text, at the same times, and the fix in its log.
    public = anonymous(site, f"/sessions/{example_id}").page
    line = public.find("li", id=f"seg-{index}")
    assert squash(line.find("span", class_="text").text) == FIXED
    assert (line.get("data-start"), line.get("data-end")) == (str(seg.start), str(seg.end))
    assert line.find("a", class_="ts").get("href") == permalink
    log = public.find("section", class_="corrections").find("ol", class_="correction-log")
    (entry,) = log.find_all("li")
    assert squash(entry.find("del").text) == old
    assert squash(entry.find("ins").text) == FIXED
    assert entry.find("time").get("datetime") == logged.at
    jump = entry.find("a", class_="ts")
    assert jump.get("href") == permalink
    assert squash(jump.text) == squash(line.find("a", class_="ts").text)

    # The old permalink opens at the same moment, which is still this line.
    opened = anonymous(site, permalink)
    assert opened.status == 200
    page = opened.page
    start = float(page.find("audio", id="player").get("data-start"))
    assert start == pytest.approx(float(link_time(seg.start)))
    lines = page.find("ol", id="transcript").find_all("li")
    current = [li for li in lines if float(li.get("data-start")) <= start + 0.1][-1]
    assert current.get("id") == f"seg-{index}"
    assert squash(current.find("span", class_="text").text) == FIXED

    # The search finds the corrected words at once, in that line, and not the old ones.
    found = search(site, q="faith")
    assert found["total"] == 1
    (hit,) = found["hits"]
    assert (hit["session"], hit["segment_start"], hit["text"]) == (example_id, seg.start, FIXED)
    assert seg.start <= hit["start"] <= seg.end
    assert search(site, q='"in good faith"')["total"] == 1
    for word in gone:
        assert search(site, q=word)["total"] == 0, word

    # The exports and the API carry the new text and the log.
    vtt = anonymous(site, f"/sessions/{example_id}/transcript.vtt").text
    cue = f"{clock(seg.start)} --> {clock(seg.end)}\n<v {after.speaker_name(seg.speaker)}>"
    assert f"{cue}{FIXED}\n" in vtt
    assert old not in vtt
    exported = anonymous(site, f"/sessions/{example_id}/transcript.json").json()
    assert exported["segments"][index]["text"].strip() == FIXED
    assert [w["word"].strip() for w in exported["segments"][index]["words"]] == FIXED.split()
    assert exported["corrections"] == [{"at": logged.at, "start": seg.start, "before": old,
                                        "after": FIXED, "version": after.session.version}]
    assert anonymous(site, f"/api/sessions/{example_id}").json() == exported
    txt = anonymous(site, f"/sessions/{example_id}/transcript.txt").text
    assert f"[{clock(seg.start)[:8]}] {after.speaker_name(seg.speaker)}: {FIXED}\n" in txt
    assert_consistent(site, archive, example_id, times)


def test_a_stale_form_is_refused(site, editor, archive, example_id, times):
    original = archive.transcript(example_id)
    seg = segment_saying(original, "keep bargaining")
    index = original.segments.index(seg)
    action = f"/staff/sessions/{example_id}/segments/{index}"
    # Two editors open the page; the first saves a fix.
    mine = editor.form(staff_page(example_id), action)
    theirs = dict(mine)
    assert editor.send(theirs, text=FIXED).status == 200
    before = unchanged(archive, example_id)
    # The second, from the page as it was, would undo it: refused.
    refused = editor.send(mine, text=f"{seg.text.strip()} Indeed.")
    assert refused.status == 400
    assert "changed since you opened it" in error_of(refused)
    assert unchanged(archive, example_id) == before
    after = archive.transcript(example_id)
    assert after.segments[index].text.strip() == FIXED
    assert len(after.corrections) == 1
    assert search(site, q="indeed")["total"] == 0
    assert_consistent(site, archive, example_id, times)


@pytest.mark.parametrize(("changes", "message"), [
    ({"text": ""}, "empty"),
    ({"text": " \r\n\t "}, "empty"),
    ({"text": "Bad \x1b[2J text"}, "control characters"),
    ({"text": "x" * 2001}, "longer than 2000"),
    ({}, "same as the transcript"),
])
def test_refused_corrections_change_nothing(site, editor, archive, example_id, times,
                                            changes, message):
    before = unchanged(archive, example_id)
    response = editor.submit(staff_page(example_id), f"/staff/sessions/{example_id}/segments/3",
                              **changes)
    assert response.status == 400
    assert message in error_of(response)
    assert unchanged(archive, example_id) == before
    assert archive.transcript(example_id).corrections == []
    public = anonymous(site, f"/sessions/{example_id}").page
    assert public.find_all("section", class_="corrections") == []
    assert_consistent(site, archive, example_id, times)


def test_a_correction_without_text_or_of_no_segment_is_refused(site, editor, archive,
                                                              example_id, times):
    before = unchanged(archive, example_id)
    fields = editor.form(staff_page(example_id), f"/staff/sessions/{example_id}/segments/3")
    no_text = {k: v for k, v in fields.items() if k != "text"}
    response = editor.send(no_text)
    assert response.status == 400 and "has no text" in error_of(response)
    count = len(archive.transcript(example_id).segments)
    response = editor.send({**fields, "_action": f"/staff/sessions/{example_id}/segments/"
                                                  f"{count}"}, text="Words.")
    assert response.status == 400 and f"no segment {count}" in error_of(response)
    assert unchanged(archive, example_id) == before
    assert_consistent(site, archive, example_id, times)


def test_a_correction_is_shown_as_text(site, editor, archive, example_id, times):
    hostile = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'
    seg = segment_saying(archive.transcript(example_id), "keep bargaining")
    index = archive.transcript(example_id).segments.index(seg)
    response = editor.submit(staff_page(example_id),
                              f"/staff/sessions/{example_id}/segments/{index}", text=hostile)
    assert response.status == 200
    for path in (f"/sessions/{example_id}", staff_page(example_id)):
        body = (anonymous(site, path) if path.startswith("/sessions") else editor.get(path)).text
        assert "<script>alert" not in body and "<img src=x" not in body, path
        assert "&lt;script&gt;" in body, path
    page = anonymous(site, f"/sessions/{example_id}").page
    assert squash(page.find("li", id=f"seg-{index}").find("span", class_="text").text) == hostile
    assert squash(page.find("ol", class_="correction-log").find("ins").text) == hostile
    assert_consistent(site, archive, example_id, times)


# --- who said it: lines, ranges, suggestions, the roster, jobs ------------------------------


def finished_job(editor: Client, response: Reply, timeout: float = 120) -> dict:
    """Follow a job the response's page shows until it ends; its record."""
    import time

    path = urllib.parse.urlsplit(response.url).path
    assert path.startswith("/staff/jobs/"), path
    deadline = time.monotonic() + timeout
    while True:
        job = editor.get(f"{path}.json").json()
        if job["state"] in ("done", "failed"):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.2)


def test_give_a_line_to_another_speaker(site, editor, archive, example_id, times):
    transcript = archive.transcript(example_id)
    seg = segment_saying(transcript, "keep bargaining")
    index = transcript.segments.index(seg)
    editor.submit(staff_page(example_id), f"/staff/sessions/{example_id}/speakers/S2",
                  name="Dana Whitfield", side="district")
    assert seg.speaker != "S2"
    assert seg.start not in {h["segment_start"] for h in
                             search(site, speaker="Dana Whitfield")["hits"]}

    response = editor.submit(staff_page(example_id),
                              f"/staff/sessions/{example_id}/segments/{index}/speaker",
                              speaker="S2")
    assert response.status == 200
    assert flashes(response) == ["Speaker of the line changed and logged."]
    line = response.page.find("li", id=f"seg-{index}")
    assert squash(line.find("span", class_="speaker").text) == "Dana Whitfield"
    assert line.find("span", class_="set-by-staff") is not None
    after = archive.transcript(example_id)
    assert (after.segments[index].speaker, after.segments[index].speaker_by) == ("S2", "staff")
    hits = search(site, q="bargaining", speaker="Dana Whitfield")["hits"]
    assert seg.start in {h["segment_start"] for h in hits}
    # The public page shows the line under its new speaker, and the change in the log.
    page = anonymous(site, f"/sessions/{example_id}").page
    shown = page.find("ol", id="transcript").find_all("li")[index]
    assert squash(shown.find("span", class_="speaker").text) == "Dana Whitfield"
    (entry,) = page.find("ol", class_="correction-log").find_all("li")
    assert squash(entry.text).endswith(
        f"at {clock_of(seg.start)}: speaker changed from Speaker {seg.speaker[1:]} to "
        "Dana Whitfield")
    assert page.find("table", class_="sides") is not None
    assert_consistent(site, archive, example_id, times)


def clock_of(seconds: float) -> str:
    """A time as the pages show it (M:SS under an hour)."""
    from search_app.sessions import short_clock

    return short_clock(seconds)


def test_give_a_range_to_a_new_speaker(site, editor, archive, example_id, times):
    before = archive.transcript(example_id)
    first, last = before.segments[2], before.segments[4]
    response = editor.submit(staff_page(example_id), f"/staff/sessions/{example_id}/lines/speaker",
                              **{"from": clock_of(first.start + 0.5),
                                 "to": clock_of(last.start + 0.5), "speaker": "new"})
    assert response.status == 200, error_of(response)
    assert flashes(response) == ["Speaker of the lines changed and logged."]
    after = archive.transcript(example_id)
    assert after.speakers[-1].id == "S5"
    assert [n for n, s in enumerate(after.segments) if s.speaker == "S5"] == [2, 3, 4]
    assert {h["segment_start"] for h in search(site, q='speaker:"Speaker 5"')["hits"]} == \
        {after.segments[n].start for n in (2, 3, 4)}
    assert_consistent(site, archive, example_id, times)


def test_merge_from_the_staff_page(site, editor, archive, example_id, times):
    theirs = [n for n, s in enumerate(archive.transcript(example_id).segments)
              if s.speaker in ("S3", "S4")]
    response = editor.submit(staff_page(example_id),
                              f"/staff/sessions/{example_id}/speakers/S4/merge", into="S3")
    assert flashes(response) == ["Speakers merged."]
    after = archive.transcript(example_id)
    assert [s.id for s in after.speakers] == ["S1", "S2", "S3"]
    assert [n for n, s in enumerate(after.segments) if s.speaker == "S3"] == theirs
    assert after.speaker_changes[0].how == "merge"
    assert_consistent(site, archive, example_id, times)


@pytest.mark.parametrize(("path", "fields", "says"), [
    ("segments/3/speaker", {"speaker": "S9"}, "no speaker 'S9'"),
    ("segments/999/speaker", {"speaker": "S1"}, "has no line 999"),
    ("segments/3/speaker", {"speaker": "S1", "start": "0.5"}, "changed since you opened it"),
    ("lines/speaker", {"from": "2:00", "to": "1:00", "speaker": "S1"}, "before it starts"),
    ("lines/speaker", {"from": "0:10", "to": "59:00", "speaker": "new"}, "after the end"),
    ("lines/speaker", {"from": "x", "to": "1:00", "speaker": "S1"}, "is not a time"),
    ("speakers/S1/merge", {"into": "S1"}, "cannot be merged into itself"),
    ("speakers/S9/split", {}, "no speaker 'S9'"),
    ("diarize", {"speakers": "0"}, "from 1 to 50, not 0"),
    ("suggestions", {"speaker": "S1", "name": "Nobody", "action": "accept"}, "not suggested"),
    ("suggestions", {"speaker": "S1", "name": "Nobody", "action": "maybe"}, "accept or reject"),
    ("details", {"title": "T", "date": "2026-01-01", "unit": "U", "roster": "A, teachers"},
     "side 'teachers' is not one of"),
    ("details", {"title": "T", "date": "2026-01-01", "unit": "U", "speakers": "0"},
     "from 1 to 50, not 0"),
])
def test_refused_speaker_edits_on_the_web_change_nothing(site, editor, archive, example_id,
                                                         path, fields, says):
    before = unchanged(archive, example_id)
    token = editor.token(staff_page(example_id))
    response = editor.post(f"/staff/sessions/{example_id}/{path}",
                           {**fields, "csrf_token": token})
    assert response.status == 400, (path, response.status)
    assert says in error_of(response)
    assert unchanged(archive, example_id) == before
    assert not (archive.root / ".jobs").exists()


def test_roster_in_the_details_and_as_name_suggestions(site, editor, archive, example_id):
    response = editor.submit(staff_page(example_id), f"/staff/sessions/{example_id}/details",
                              roster="Mark Ellison, District, Chief negotiator\r\n\r\n"
                                     "Rosa Delgado, union", speakers="3")
    assert response.status == 200, error_of(response)
    session = archive.session(example_id)
    assert [(m.name, m.side, m.role) for m in session.roster] == [
        ("Mark Ellison", "district", "Chief negotiator"), ("Rosa Delgado", "union", None)]
    assert session.speaker_count == 3
    page = response.page
    fields = form_fields(page.find("section", class_="details-form").find("form"))
    assert (fields["roster"], fields["speakers"]) == (
        "Mark Ellison, district, Chief negotiator\nRosa Delgado, union", "3")
    names = page.find("datalist", id="roster-names").find_all("option")
    assert [o.get("value") for o in names] == ["Mark Ellison", "Rosa Delgado"]
    assert page.find("form", id="speaker-S1").find("input", attrs={"name": "name"}) \
        .get("list") == "roster-names"
    # Cleared again: a blank count is "not said".
    editor.submit(staff_page(example_id), f"/staff/sessions/{example_id}/details",
                  roster="", speakers="")
    session = archive.session(example_id)
    assert (session.roster, session.speaker_count) == ([], None)


def suggest(archive: Archive, session_id: str, *suggestions) -> None:
    """Give a session suggestions by hand, as ingest would (the introductions finder and the
    registry make them there)."""
    transcript = archive.transcript(session_id)
    transcript.suggestions = list(suggestions)
    archive.save_transcript(transcript)


def suggestion_form(editor: Client, session_id: str, speaker: str, name: str) -> dict:
    """The fields of the staff page's form that answers one suggestion."""
    forms = editor.get(staff_page(session_id)).page.find_all("form", class_="suggestion")
    (form,) = [f for f in forms if (form_fields(f)["speaker"], form_fields(f)["name"])
               == (speaker, name)]
    return {"_action": form.get("action"), **form_fields(form)}


def test_accept_and_reject_suggestions(site, editor, archive, example_id, times):
    from ontherecord.model import Suggestion

    transcript = archive.transcript(example_id)
    voiced = transcript.speaker("S3")  # as the registry names a recognized voice
    voiced.name, voiced.side, voiced.named_by, voiced.score = "Rosa Delgado", "union", "voice", 0.93
    archive.save_transcript(transcript)
    suggest(archive, example_id,
            Suggestion("S1", "Mark Ellison", "district", "Chief negotiator", "introduction",
                       None, "I'm Mark Ellison, for the district.", 0.11),
            Suggestion("S2", "Mark Ellison", "district", None, "introduction", None,
                       "Mark Ellison here.", 10.5),
            Suggestion("S3", "Rosa Delgado", "union", None, "voice", 0.93))
    page = editor.get(staff_page(example_id)).page
    offered = {(f.find("input", attrs={"name": "speaker"}).get("value"),
                f.find("input", attrs={"name": "name"}).get("value")): squash(f.text)
               for f in page.find_all("form", class_="suggestion")}
    assert set(offered) == {("S1", "Mark Ellison"), ("S2", "Mark Ellison"),
                            ("S3", "Rosa Delgado")}
    assert "I'm Mark Ellison, for the district." in offered[("S1", "Mark Ellison")]
    assert "the voice matched (0.93)" in offered[("S3", "Rosa Delgado")]

    response = editor.send(suggestion_form(editor, example_id, "S1", "Mark Ellison"),
                           ("action", "accept"))
    assert flashes(response) == ["Mark Ellison: name accepted."]
    after = archive.transcript(example_id)
    s1 = after.speaker("S1")
    assert (s1.name, s1.side, s1.role, s1.named_by) == (
        "Mark Ellison", "district", "Chief negotiator", "staff")
    # The name is taken: the same name for S2 is no longer offered.
    assert [(x.speaker, x.name) for x in after.suggestions] == [("S3", "Rosa Delgado")]
    assert search(site, speaker="Mark Ellison")["total"] == \
        sum(1 for s in after.segments if s.speaker == "S1")

    # Rejecting the voice match takes the name back, and it is not offered again.
    response = editor.send(suggestion_form(editor, example_id, "S3", "Rosa Delgado"),
                           ("action", "reject"))
    assert flashes(response) == ["Rosa Delgado: suggestion rejected; it will not be "
                                 "suggested again."]
    after = archive.transcript(example_id)
    s3 = after.speaker("S3")
    assert (s3.name, s3.side, s3.named_by, s3.score) == (None, None, None, None)
    assert after.suggestions == []
    assert [(x.speaker, x.name) for x in after.rejected] == [("S3", "Rosa Delgado")]
    assert search(site, speaker="Rosa Delgado")["total"] == 0
    assert response.page.find_all("form", class_="suggestion") == []
    # Offered again (say, by a new diarization), it stays turned down.
    from ontherecord import suggestions as offers

    offers.offer(after, [Suggestion("S3", "rosa delgado", source="voice", score=0.95)])
    assert after.suggestions == []
    assert_consistent(site, archive, example_id, times)


def test_find_speakers_again_from_the_staff_page(site, editor, archive, example_id):
    seg = archive.transcript(example_id).segments[0]
    editor.submit(staff_page(example_id), f"/staff/sessions/{example_id}/segments/0/speaker",
                  speaker="new")
    response = editor.submit(staff_page(example_id), f"/staff/sessions/{example_id}/diarize",
                              speakers="2")
    assert response.status == 200
    assert "finding the speakers again" in squash(response.page.find("h1").text)
    job = finished_job(editor, response)
    assert (job["state"], job["kind"], job["session_id"]) == ("done", "diarize", example_id)
    after = archive.transcript(example_id)
    # Two voices found, and the line staff set kept its own speaker.
    kept = after.segments[0]
    assert (kept.start, kept.end, kept.speaker_by) == (seg.start, seg.end, "staff")
    assert [s.speaker for s in after.segments].count(kept.speaker) == 1
    assert len(after.speakers) == 3
    assert [c.how for c in after.speaker_changes] == ["reassign", "rediarize"]
    done = editor.get(urllib.parse.urlsplit(response.url).path).page
    assert done.find("p", class_="job-done").find("a").get("href").endswith("#speakers")


def test_split_a_speaker_from_the_staff_page(site, editor, archive, example_id):
    editor.submit(staff_page(example_id), f"/staff/sessions/{example_id}/speakers/S3/merge",
                  into="S2")
    response = editor.submit(staff_page(example_id),
                              f"/staff/sessions/{example_id}/speakers/S2/split")
    job = finished_job(editor, response)
    assert (job["state"], job["kind"], job["speaker"]) == ("done", "split", "S2")
    after = archive.transcript(example_id)
    assert [s.id for s in after.speakers] == ["S1", "S2", "S4", "S5"]
    assert after.speaker_changes[-1].how == "split"
    assert search(site, q='speaker:"Speaker 5"')["total"] == \
        sum(1 for s in after.segments if s.speaker == "S5") > 0


def test_upload_takes_a_roster(site, editor, archive):
    from ingest import jobs

    fields = {"title": "With roster", "date": "2026-02-02", "unit": "Teachers",
              "url": "http://127.0.0.1:9/recording.ogg",
              "roster": "Mark Ellison, district, Chief negotiator\nRosa Delgado",
              "speakers": "2"}
    token = editor.token("/staff/upload")
    for bad, says in (({"roster": "Mark, the press"}, "side 'the press' is not one of"),
                      ({"speakers": "0"}, "from 1 to 50, not 0")):
        refused = editor.post("/staff/upload", {**fields, **bad, "csrf_token": token})
        assert refused.status == 400 and says in error_of(refused)
    assert not (archive.root / ".jobs").exists()
    response = editor.post("/staff/upload", {**fields, "csrf_token": token})
    job = finished_job(editor, response)
    assert job["state"] == "failed"  # nothing listens on port 9; the roster is kept for a retry
    details = jobs.load(archive, job["id"]).details
    assert [(m.name, m.side, m.role) for m in details.roster] == [
        ("Mark Ellison", "district", "Chief negotiator"), ("Rosa Delgado", None, None)]
    assert details.speaker_count == 2
