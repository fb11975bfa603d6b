"""Citing over HTTP: /api/sessions/<id>/cite, and the permalink page that marks the passage,
plays it to its end, and says when it was corrected after it was quoted."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from ontherecord import service
from tests.helpers.example import DISTRICT_NAME, district_line
from tests.helpers.html import no_traceback, parse_html, squash
from tests.helpers.http import Client, client_over, serving


def cited(client: Client, session_id: str, start: float, end: float) -> dict:
    """The API's citation of a passage; it must be a 200."""
    reply = client.get(f"/api/sessions/{session_id}/cite", t=f"{start:.2f}", end=f"{end:.2f}")
    assert reply.status == 200, reply.text
    return reply.json()


@pytest.fixture(scope="module")
def named(named_live_server) -> Client:
    """A visitor at the app over the archive with the district negotiator named."""
    return Client(named_live_server)


def test_the_api_quotes_part_of_a_line_with_its_speaker(named, named_live_server, example_id):
    i, seg = district_line(named.get(f"/api/sessions/{example_id}").json())
    words = seg["words"]
    c = cited(named, example_id, words[1]["start"], words[3]["end"])
    said = " ".join(w["word"].strip() for w in words[1:4])
    assert c["quote"] == said
    (part,) = c["parts"]
    assert (part["speaker"], part["side"], part["role"]) == (DISTRICT_NAME, "district",
                                                             "Chief negotiator")
    assert c["start"] == words[1]["start"] and c["end"] == words[3]["end"]
    link = urlsplit(c["permalink"])
    assert f"{link.scheme}://{link.netloc}" == named_live_server
    assert link.path == f"/sessions/{example_id}"
    assert parse_qs(link.query) == {"t": [f"{words[1]['start']:.2f}"],
                                    "end": [f"{words[3]['end']:.2f}"], "v": [str(c["version"])]}
    assert c["clips"] == {"m4a": f"{named_live_server}/sessions/{example_id}/clip.m4a?"
                                 f"{link.query.rsplit('&v=', 1)[0]}"}
    assert f"**{DISTRICT_NAME}** (district, Chief negotiator): {said}" in c["markdown"]
    assert f"<strong>{DISTRICT_NAME}</strong> (district, Chief negotiator): {said}" in c["html"]
    assert c["text"].startswith(f"{DISTRICT_NAME} (district, Chief negotiator): “{said}”\n")


@pytest.mark.parametrize(("args", "message"), [
    ({"t": "10", "end": "5"}, "before it starts"),
    ({"t": "10", "end": "10"}, "before it starts"),
    ({"t": "10", "end": "99:00"}, "after the end of the session"),
    ({"t": "10", "end": "soon"}, "is not a time"),
    ({"t": "10"}, "say when the passage starts and ends"),
])
def test_the_api_refuses_a_bad_range_with_a_reason(named, example_id, args, message):
    reply = named.get(f"/api/sessions/{example_id}/cite", **args)
    assert reply.status == 400
    assert message in reply.json()["error"]


def test_the_api_cites_public_sessions_only(named, archive_copy, example_id):
    assert named.get("/api/sessions/no-such-session/cite", t="1", end="2").status == 404
    service.change_state(archive_copy, example_id, "withdraw")
    withdrawn = client_over(archive_copy)
    assert withdrawn.get(f"/api/sessions/{example_id}/cite?t=1&end=2").status_code == 404


def test_the_permalink_marks_the_passage_and_stops_there(named, example_id):
    i, seg = district_line(named.get(f"/api/sessions/{example_id}").json())
    words = seg["words"]
    c = cited(named, example_id, words[1]["start"], words[3]["end"])
    reply = named.get(urlsplit(c["permalink"]).path + "?" + urlsplit(c["permalink"]).query)
    assert reply.status == 200
    page = reply.page
    player = page.find(id="player")
    assert float(player["data-start"]) == pytest.approx(c["start"], abs=0.01)
    assert float(player["data-end"]) == pytest.approx(c["end"], abs=0.01)
    assert [li["id"] for li in page.select("#transcript li.quoted")] == [f"seg-{i}"]
    (mark,) = page.select("#transcript mark.quote")
    assert mark.get_text() == c["quote"]
    # The line reads as it did: the mark only wraps its words.
    assert squash(page.find(id=f"seg-{i}").select_one(".text").get_text()) == squash(seg["text"])
    assert squash(page.select_one(".quoted-range").get_text()).startswith(
        f"Quoted passage {c['times']}")
    assert page.select(".corrected-since") == []


def test_a_passage_over_several_lines_marks_each(named, example_id):
    body = named.get(f"/api/sessions/{example_id}").json()
    first, last = body["segments"][1], body["segments"][3]
    c = cited(named, example_id, first["start"], last["end"])
    page = named.get(f"/sessions/{example_id}", t=f"{c['start']:.2f}", end=f"{c['end']:.2f}").page
    assert [li["id"] for li in page.select("#transcript li.quoted")] == ["seg-1", "seg-2",
                                                                         "seg-3"]
    assert squash(" ".join(m.get_text() for m in page.select("mark.quote"))) == squash(
        " ".join(s["text"] for s in body["segments"][1:4]))


@pytest.mark.parametrize(("end", "message"), [
    ("5", "before it starts"),
    ("20", "before it starts"),
    ("99:00", "after the end of the session"),
    ("later", "is not a time"),
])
def test_a_permalink_with_a_bad_end_is_a_400(named, example_id, end, message):
    reply = named.get(f"/sessions/{example_id}", t="20", end=end)
    assert reply.status == 400
    no_traceback(reply.text)
    assert message in squash(reply.page.select_one("main").get_text())


def test_a_version_that_is_not_a_number_is_a_400(named, example_id):
    reply = named.get(f"/sessions/{example_id}", t="1", end="2", v="latest")
    assert reply.status == 400
    assert "is not a version" in reply.text


def test_a_passage_corrected_since_it_was_quoted_says_so(archive_copy, example_id):
    with serving(archive_copy) as url:
        visitor = Client(url)
        body = visitor.get(f"/api/sessions/{example_id}").json()
        i, seg = next((i, s) for i, s in enumerate(body["segments"]) if len(s["words"]) >= 4)
        c = cited(visitor, example_id, seg["start"], seg["end"])
        permalink = urlsplit(c["permalink"])
        quoted_at = f"{permalink.path}?{permalink.query}"

        # A fix to another line is no news to this passage.
        service.correct(archive_copy, example_id, "Somewhere else entirely.", index=i + 1)
        assert visitor.get(quoted_at).page.select(".corrected-since") == []

        fix = service.correct(archive_copy, example_id, "Words staff heard instead.", index=i)
        page = visitor.get(quoted_at).page
        (notice,) = page.select(".corrected-since")
        said = squash(notice.get_text())
        assert "Corrected since you quoted it" in said
        assert squash(notice.select_one("del").get_text()) == squash(seg["text"])
        assert notice.select_one("ins").get_text() == "Words staff heard instead."
        assert len(notice.select("li")) == 1  # the other line's fix is not listed
        # The log entry keeps the version its change made, on disk too.
        saved = archive_copy.transcript(example_id)
        assert saved.corrections[-1].version == saved.session.version == c["version"] + 2
        assert fix.correction.version == saved.session.version

        # Quoted again now: the new words, and nothing to tell.
        again = cited(visitor, example_id, seg["start"], seg["end"])
        assert again["quote"] == "Words staff heard instead."
        fresh = urlsplit(again["permalink"])
        assert visitor.get(f"{fresh.path}?{fresh.query}").page.select(".corrected-since") == []


def test_a_passage_longer_than_the_longest_clip_offers_no_clip(named_archive, example_id):
    short_clips = client_over(named_archive, CLIP_MAX_SECONDS=90)
    within = short_clips.get(f"/api/sessions/{example_id}/cite?t=0&end=80").json
    assert set(within["clips"]) == {"m4a"}
    beyond = short_clips.get(f"/api/sessions/{example_id}/cite?t=0&end=100").json
    assert beyond["clips"] == {}
    page = parse_html(short_clips.get(f"/sessions/{example_id}").text)
    assert squash(page.find(id="cite-no-clip").text).startswith(
        "A clip can be at most 1.5 minutes long")
