"""Speakers on the web: the session page's speaker table, names on transcript lines and hits,
the speaker filter in the search box, and picking a speaker in a real browser."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from search_app.sessions import short_clock
from tests.helpers.example import (
    DISTRICT_NAME,
    FOLLOWUP_REFERENCE,
    REFERENCE,
    name_speaker,
)
from tests.helpers.html import count_line, moments, page_of, parse_html, result_hits, squash
from tests.helpers.http import client_over
from tests.helpers.turns import speaker_map, true_speaker


@pytest.fixture(scope="module")
def references(example_id, followup_id):
    return {example_id: REFERENCE, followup_id: FOLLOWUP_REFERENCE}


def speaker_rows(page) -> dict[str, object]:
    section = page.find("section", class_="speakers")
    return {row.get("data-speaker"): row for row in section.find_all("tr")
            if row.get("data-speaker")}


def test_session_page_shows_every_speaker_with_talk_time(client, example_archive, example_id):
    transcript = example_archive.transcript(example_id)
    page = page_of(client, f"/sessions/{example_id}")
    rows = speaker_rows(page)
    assert set(rows) == {"S1", "S2", "S3", "S4"}
    for s in transcript.speakers:
        row = rows[s.id]
        assert squash(row.find("span", class_="speaker").text) == s.label
        assert short_clock(s.talk_time) in row.find("td", class_="talk").text
        assert row.find_all("span", class_="match") == []
        assert row.find_all("a", class_="speaker") == []
    # Most talk first; the shares add up to about 100%.
    order = [r.get("data-speaker") for r in page.find("section", class_="speakers")
             .find_all("tr") if r.get("data-speaker")]
    assert order == [s.id for s in sorted(transcript.speakers, key=lambda s: -s.talk_time)]
    shares = [int(re.search(r"\((\d+)%\)", rows[i].text).group(1)) for i in order]
    assert 98 <= sum(shares) <= 102


def test_transcript_lines_say_who_spoke(client, example_archive, example_id):
    transcript = example_archive.transcript(example_id)
    lines = page_of(client, f"/sessions/{example_id}").find("ol", id="transcript") \
        .find_all("li")
    assert len(lines) == len(transcript.segments)
    for line, seg in zip(lines, transcript.segments, strict=True):
        tag = line.find("span", class_="speaker")
        assert tag.get("data-speaker") == seg.speaker
        assert squash(tag.text) == transcript.speaker_name(seg.speaker)


def test_no_speaker_filter_until_someone_is_named(client):
    page = page_of(client, "/")
    assert page.find("form", class_="searchbox").find_all("select", attrs={"name": "speaker"}) \
        == []


def test_named_and_recognized_speakers_on_their_session_pages(named_client, named_archive,
                                                             example_id, followup_id):
    for session_id, reference, by in ((example_id, REFERENCE, None),
                                      (followup_id, FOLLOWUP_REFERENCE, "voice")):
        transcript = named_archive.transcript(session_id)
        district = speaker_map(transcript.turns, reference)["district"]
        page = page_of(named_client, f"/sessions/{session_id}")
        rows = speaker_rows(page)
        assert set(rows) == {s.id for s in transcript.speakers}
        link = rows[district].find("a", class_="speaker")
        assert squash(link.text) == DISTRICT_NAME
        assert link.get("href") == "/people/mark-ellison"  # their page, then their words
        assert squash(rows[district].find("span", class_="role").text) == \
            "Chief negotiator · district"
        badges = rows[district].find_all("span", class_="match")
        if by == "voice":
            (badge,) = badges
            assert squash(badge.text) == "voice match"
            score = transcript.speaker(district).score
            assert str(score) in badge.get("title")
        else:
            assert badges == []
        for sid, row in rows.items():
            if sid != district:
                assert row.find_all("a", class_="speaker") == []
                assert row.find_all("span", class_="match") == []
        names = {squash(li.find("span", class_="speaker").text)
                 for li in page.find("ol", id="transcript").find_all("li")
                 if li.find_all("span", class_="speaker")
                 and li.find("span", class_="speaker").get("data-speaker") == district}
        assert names == {DISTRICT_NAME}


def test_select_lists_everyone_named(named_client):
    for url, params in (("/", {}), ("/sessions/", {}), ("/search", {"q": "salary"})):
        select = page_of(named_client, url, **params).find("form", class_="searchbox") \
            .find("select")
        assert select.get("name") == "speaker"
        options = select.find_all("option")
        assert [(o.get("value"), squash(o.text)) for o in options] == [
            ("", "Anyone"), (DISTRICT_NAME, DISTRICT_NAME)]
    chosen = page_of(named_client, "/search", q="salary", speaker=DISTRICT_NAME)
    (picked,) = [o for o in chosen.find("select").find_all("option") if o.has_attr("selected")]
    assert picked.get("value") == DISTRICT_NAME


def speakers_of(hits) -> list[str]:
    """Who said each hit on a results page."""
    return [squash(h.tag.find("span", class_="speaker").text) for h in hits]


def shown_in_full(page) -> bool:
    """Whether a grouped results page shows every moment its sessions have."""
    counts = [int(g.find("span", class_="group-count").text.split()[0])
              for g in page.find_all("li", class_="group")]
    return sum(counts) == len(result_hits(page))


def test_speaker_filter_on_the_results_page(named_client, named_archive, references):
    everyone = page_of(named_client, "/search", q="salary")
    theirs = page_of(named_client, "/search", q="salary", speaker=DISTRICT_NAME)
    assert shown_in_full(everyone) and shown_in_full(theirs)
    all_hits, their_hits = result_hits(everyone), result_hits(theirs)
    who = speakers_of(all_hits)
    assert DISTRICT_NAME in who and set(who) - {DISTRICT_NAME}
    assert speakers_of(their_hits) == [DISTRICT_NAME] * who.count(DISTRICT_NAME)
    # The same moments, session by session.
    assert sorted(h.tag.find("a", class_="jump").get("href") for h in their_hits) == \
        sorted(h.tag.find("a", class_="jump").get("href") for h in all_hits
               if squash(h.tag.find("span", class_="speaker").text) == DISTRICT_NAME)
    sessions = {h.session for h in their_hits}
    assert count_line(theirs) == \
        f"{moments(len(their_hits), len(sessions))} for salary said by {DISTRICT_NAME}"
    # Their hits come from both sessions, and each is the district's voice in the recording.
    api = named_client.get("/api/search", query_string={"q": "salary",
                                                        "speaker": DISTRICT_NAME}).json
    assert api["speaker"] == DISTRICT_NAME and api["total"] == len(their_hits)
    assert {h["session"] for h in api["hits"]} == set(references) == sessions
    for hit in api["hits"]:
        assert true_speaker(references[hit["session"]], hit["segment_start"],
                            hit["end"]) == "district", hit


def test_speaker_link_lists_everything_they_said(named_client, named_archive, example_id,
                                                 followup_id):
    page = page_of(named_client, f"/sessions/{followup_id}")
    (link,) = page.find("section", class_="speakers").find_all("a", class_="speaker")
    person = page_of(named_client, link.get("href"))
    (everything,) = [a for a in person.find_all("a") if a.text.startswith("Everything")]
    assert parse_qs(urlsplit(everything["href"]).query)["speaker"] == [DISTRICT_NAME]
    results = named_client.get(everything["href"])
    assert results.status_code == 200
    listed = parse_html(results.get_data(as_text=True))
    said = {i: sum(1 for s in named_archive.transcript(i).segments
                   if named_archive.transcript(i).speaker_name(s.speaker) == DISTRICT_NAME)
            for i in (example_id, followup_id)}
    assert all(said.values())
    assert count_line(listed) == \
        f"{moments(sum(said.values()), len(said))} said by {DISTRICT_NAME}"
    # Each session with as many of their moments as they said there.
    groups = {g.get("data-session"): squash(g.find("span", class_="group-count").text)
              for g in listed.find_all("li", class_="group")}
    assert groups == {i: moments(n) for i, n in said.items()}
    assert set(speakers_of(result_hits(listed))) == {DISTRICT_NAME}
    api = named_client.get("/api/search", query_string={"speaker": DISTRICT_NAME,
                                                        "page": 1}).json
    assert api["total"] == sum(said.values())


def test_unknown_speaker_finds_nothing(named_client):
    page = page_of(named_client, "/search", q="salary", speaker="Nobody Here")
    assert count_line(page) == "0 moments in 0 sessions for salary said by Nobody Here"
    assert result_hits(page) == []
    assert named_client.get("/api/search", query_string={
        "q": "salary", "speaker": "Nobody Here"}).json["total"] == 0


def test_names_are_escaped_and_still_searchable(archive_copy, example_id):
    hostile = '<b>Evil</b> & "Co"'
    name_speaker(archive_copy, example_id, "S2", hostile)
    client = client_over(archive_copy)
    body = client.get(f"/sessions/{example_id}").get_data(as_text=True)
    assert "<b>Evil</b>" not in body and "&lt;b&gt;Evil&lt;/b&gt;" in body
    page = parse_html(body)
    assert squash(speaker_rows(page)["S2"].find("a", class_="speaker").text) == hostile
    options = page.find("form", class_="searchbox").find("select").find_all("option")
    assert [o.get("value") for o in options] == ["", hostile]
    said = sum(1 for seg in archive_copy.transcript(example_id).segments if seg.speaker == "S2")
    api = client.get("/api/search", query_string={"speaker": hostile}).json
    assert api["total"] == said > 0
    assert {h["speaker"] for h in api["hits"]} == {hostile}
    results = client.get("/search", query_string={"speaker": hostile}).get_data(as_text=True)
    assert "<b>Evil</b>" not in results


def test_a_speaker_filter_without_a_name_is_a_400(named_client):
    response = named_client.get("/api/search", query_string={"q": "salary", "speaker": "!!!"})
    assert response.status_code == 400
    assert response.json["error"] == "the speaker filter needs a name"
    page = named_client.get("/search", query_string={"speaker": "!!!"})
    assert page.status_code == 400
    assert "the speaker filter needs a name" in page.get_data(as_text=True)


# --- in a real browser ------------------------------------------------------------------------


@pytest.mark.browser
def test_pick_a_speaker_and_see_only_their_words(page, named_live_server):
    page.goto(f"{named_live_server}/search?q=salary")
    speakers = page.locator("ol.hits li.hit .meta span.speaker").all_inner_texts()
    assert DISTRICT_NAME in speakers and set(speakers) - {DISTRICT_NAME}
    select = page.locator("form.searchbox select[name=speaker]")
    assert select.locator("option").all_inner_texts() == ["Anyone", DISTRICT_NAME]
    assert select.input_value() == ""

    select.select_option(label=DISTRICT_NAME)
    page.locator("form.searchbox button[type=submit]").click()
    page.wait_for_url(re.compile(r"/search\?.*speaker="))
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"q": ["salary"], "speaker": [DISTRICT_NAME]}
    shown = page.locator("ol.hits li.hit .meta span.speaker").all_inner_texts()
    assert shown == [DISTRICT_NAME] * speakers.count(DISTRICT_NAME)
    sessions = len(set(page.locator("li.group").evaluate_all(
        "groups => groups.map(g => g.dataset.session)")))
    assert page.locator("p.count").inner_text() == \
        f"{moments(len(shown), sessions)} for salary said by {DISTRICT_NAME}"
    # The box keeps the choice, and choosing "Anyone" again brings everyone back.
    select = page.locator("form.searchbox select[name=speaker]")
    assert select.input_value() == DISTRICT_NAME
    select.select_option(label="Anyone")
    page.locator("form.searchbox button[type=submit]").click()
    page.wait_for_url(re.compile(r"/search\?q=salary&speaker=&topic=$"))
    assert page.locator("ol.hits li.hit .meta span.speaker").all_inner_texts() == speakers
