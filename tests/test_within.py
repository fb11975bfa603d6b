"""Search within one session (search_app/within.py): the API at /api/sessions/<id>/search, the
session page with ?q= as it works without JavaScript, and searching, stepping through the
matches and seeking in a real browser."""

from __future__ import annotations

import copy
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from index.store import SearchIndex
from ontherecord import service
from search_app import within
from search_app.sessions import short_clock
from search_app.within import unmarked
from tests.helpers.browser import SETTLED, seeked_to, watch_seeks
from tests.helpers.example import normalize
from tests.helpers.html import no_traceback, page_of, parse_html, squash
from tests.helpers.http import client_over, get_json
from tests.helpers.transcripts import HOSTILE_TRANSCRIPT, segments_saying

LEFT = re.compile(r"left:\s*([\d.]+)%")
# The example says "percent" in four segments (six times: two lines say it twice).
PERCENT_SEGMENTS = 4
PERCENT_WORDS = 6


def found(client, session_id: str, q: str, status: int = 200) -> dict:
    """The session search API's answer for a query."""
    response = client.get(f"/api/sessions/{session_id}/search", query_string={"q": q})
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


def first_said(segment, word: str) -> float:
    """When a segment's words first say `word`."""
    return next(w.start for w in segment.words if normalize(w.word) == word)


@pytest.fixture(scope="module")
def example(example_archive, example_id):
    return example_archive.transcript(example_id)


# --- the API ---------------------------------------------------------------------------------


def test_matches_come_in_the_order_spoken(client, example_id, example):
    data = found(client, example_id, "percent")
    expected = segments_saying(example, "percent")
    assert len(expected) == PERCENT_SEGMENTS
    assert data["query"] == "percent"
    assert data["total"] == len(data["matches"]) == PERCENT_SEGMENTS
    assert [m["segment"] for m in data["matches"]] == expected
    starts = [m["start"] for m in data["matches"]]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    for m in data["matches"]:
        assert set(m) == {"segment", "start", "end", "snippet"}
        seg = example.segments[m["segment"]]
        # The moment the word was said, inside its line; the line's end; the line's text.
        assert m["start"] == first_said(seg, "percent")
        assert seg.start <= m["start"] < m["end"] == seg.end
        assert unmarked(m["snippet"]) == seg.text.strip()
    marked = [w for m in data["matches"] for w in re.findall(r"<mark>(.*?)</mark>", m["snippet"])]
    assert marked == ["percent"] * PERCENT_WORDS


def test_it_is_the_site_search_filtered_to_the_session(client, example_id):
    site = client.get("/api/search", query_string={"q": "students", "sort": "oldest"}).get_json()
    ours = found(client, example_id, "students")
    assert ours["total"] == site["total"] == 5
    assert [(m["start"], m["snippet"]) for m in ours["matches"]] == \
        [(h["start"], h["snippet"]) for h in site["hits"]]


def test_stemming_finds_other_forms_of_a_word(client, example_id, example):
    # "negotiate" is said only as "negotiations", in the chair's closing line.
    (match,) = found(client, example_id, "negotiate")["matches"]
    assert "<mark>negotiations</mark>" in match["snippet"]
    assert match["segment"] == len(example.segments) - 1
    assert match["start"] == first_said(example.segments[-1], "negotiations")
    # "raising" is never said: both lines say "raise".
    raising = found(client, example_id, "raising")["matches"]
    assert [m["segment"] for m in raising] == segments_saying(example, "raise")
    assert len(raising) == 2
    assert all("<mark>raise</mark>" in m["snippet"] for m in raising)


@pytest.mark.parametrize(("query", "count"), [
    ('"step increase"', 2), ("percent AND NOT inflation", PERCENT_SEGMENTS - 1),
    ("strike OR adjourned", 3), ("negotiat*", 1), ("class size", 2),
])
def test_the_query_language_is_the_site_searchs(client, example_id, query, count):
    data = found(client, example_id, query)
    assert data["total"] == len(data["matches"]) == count
    assert data["total"] == client.get("/api/search", query_string={"q": query}).get_json()[
        "total"]


def test_only_this_sessions_matches(named_client, named_archive, example_id, followup_id):
    everywhere = SearchIndex(named_archive.index_dir).search("district", 1, "oldest", 500).hits
    by_session = {sid: [h.to_dict() for h in everywhere if h.session == sid]
                  for sid in (example_id, followup_id)}
    assert all(by_session.values())
    for sid, hits in by_session.items():
        data = found(named_client, sid, "district")
        assert data["total"] == len(hits)
        assert sorted(m["start"] for m in data["matches"]) == sorted(h["start"] for h in hits)


def test_matches_stop_at_the_cap_but_the_total_counts_all(client, example_id, monkeypatch):
    every = found(client, example_id, "percent")["matches"]
    monkeypatch.setattr(within, "MAX_MATCHES", 2)
    data = found(client, example_id, "percent")
    assert data["total"] == PERCENT_SEGMENTS
    assert data["matches"] == every[:2]
    page = page_of(client, f"/sessions/{example_id}", q="percent")
    assert squash(page.find(id="within-status").text) == f"2 matches ({PERCENT_SEGMENTS} in all)"


@pytest.mark.parametrize(("q", "says"), [
    ("", "empty query"), ("   ", "empty query"), ('"class size', "unclosed quote"),
    ("colour:red", "unknown field 'colour'"), ("(percent", "unbalanced parentheses"),
])
def test_a_bad_query_is_a_400_that_says_what_to_fix(client, example_id, q, says):
    data = found(client, example_id, q, status=400)
    assert data["status"] == 400
    assert says in data["error"]


def test_an_unknown_session_is_a_404(client):
    data = found(client, "2030-01-01-nothing", "percent", status=404)
    assert data["status"] == 404 and "no session" in data["error"]
    assert found(client, "..%2f..%2fetc", "percent", status=404)["status"] == 404


@pytest.mark.parametrize("action", ["withdraw", "close"])
def test_a_session_that_is_not_public_is_a_404(archive_copy, example_id, action):
    client = client_over(archive_copy)
    assert found(client, example_id, "percent")["total"] == PERCENT_SEGMENTS
    service.change_state(archive_copy, example_id, action)
    data = found(client, example_id, "percent", status=404)
    assert data["error"] == f"no session {example_id!r} in the archive"
    # ... even when the query is bad: nothing says the session is there.
    assert found(client, example_id, '"class', status=404)["status"] == 404
    assert client.get(f"/sessions/{example_id}", query_string={"q": "percent"}).status_code \
        == 404


def test_a_line_changed_since_the_index_read_it_is_not_marked(example_archive, example_id,
                                                              example):
    hits = SearchIndex(example_archive.index_dir).search("percent", session=example_id).hits
    result = within.Matches("percent", len(hits), hits)
    assert sorted(result.snippets(example)) == segments_saying(example, "percent")
    corrected = copy.deepcopy(example)
    corrected.segments[14].text = "Two and a half per cent does not keep up with inflation."
    assert sorted(result.snippets(corrected)) == [13, 15, 17]


# --- the page with ?q=, without JavaScript -----------------------------------------------------


def test_the_page_marks_the_matches_and_lists_them(client, example_id, example):
    data = found(client, example_id, "percent")
    page = page_of(client, f"/sessions/{example_id}", q="percent")
    form = page.find("form", id="within")
    assert form.get("role") == "search" and form.get("method") == "get"
    assert form.get("action") == f"/sessions/{example_id}"
    assert form.get("data-api") == f"/api/sessions/{example_id}/search"
    assert form.find("input", attrs={"name": "q"}).get("value") == "percent"
    # The site's search box in the header is left empty: it searches the whole archive.
    assert page.find("header", class_="site").find("input", attrs={"name": "q"}).get("value") \
        == ""
    assert squash(page.find(id="within-status").text) == f"{PERCENT_SEGMENTS} matches"
    assert page.find(id="within-error").has_attr("hidden")

    lines = page.find("ol", id="transcript").find_all("li")
    marked = [n for n, li in enumerate(lines) if "match" in (li.get("class") or [])]
    assert marked == [m["segment"] for m in data["matches"]]
    for m in data["matches"]:
        text = lines[m["segment"]].find("span", class_="text")
        assert text.decode_contents() == m["snippet"]
        assert [mark.text for mark in text.find_all("mark")] == \
            re.findall(r"<mark>(.*?)</mark>", m["snippet"])
    assert len(page.find("ol", id="transcript").find_all("mark")) == PERCENT_WORDS
    for n, li in enumerate(lines):
        if n not in marked:
            assert li.find("mark") is None
            assert li.find("span", class_="text").text == example.segments[n].text

    # The list of matches: each a link to its moment, keeping the query, at its line.
    listed = page.find("details", id="match-list")
    assert listed.has_attr("open") and not listed.has_attr("hidden")
    links = listed.find("ol").find_all("a")
    assert len(links) == PERCENT_SEGMENTS
    for link, m in zip(links, data["matches"], strict=True):
        href = urlsplit(link.get("href"))
        assert href.path == f"/sessions/{example_id}"
        assert parse_qs(href.query) == {"t": [f"{int(m['start'] * 10) / 10:.1f}"],
                                        "q": ["percent"]}
        assert href.fragment == f"seg-{m['segment']}"
        assert squash(link.find("span", class_="ts").text) == short_clock(m["start"])
        assert link.find("span", class_="snippet").decode_contents() == m["snippet"]


def test_the_page_opens_at_the_first_match_unless_t_says(client, example_id):
    first = found(client, example_id, "percent")["matches"][0]["start"]
    player = page_of(client, f"/sessions/{example_id}", q="percent").find(id="player")
    assert player.get("data-start") == f"{int(first * 10) / 10:.2f}"
    assert first - 0.1 < float(player.get("data-start")) <= first
    assert page_of(client, f"/sessions/{example_id}", q="percent", t="1:00") \
        .find(id="player").get("data-start") == "60.00"
    assert page_of(client, f"/sessions/{example_id}", q="zebra") \
        .find(id="player").get("data-start") == "0.00"


def test_the_timeline_marks_each_match(client, example_id, example):
    data = found(client, example_id, "percent")
    page = page_of(client, f"/sessions/{example_id}", q="percent")
    row = page.find("div", class_="match-row")
    assert not row.has_attr("hidden")
    marks = row.find_all("a", class_="match-mark")
    assert len(marks) == PERCENT_SEGMENTS
    for n, (mark, m) in enumerate(zip(marks, data["matches"], strict=True)):
        assert mark.get("data-match") == str(n)
        assert float(LEFT.search(mark.get("style")).group(1)) == pytest.approx(
            100 * m["start"] / example.session.duration, abs=0.01)
        # Not a link: the slider around it is one control, nothing in it takes focus.
        assert not mark.has_attr("href") and not mark.has_attr("tabindex")
    # Without a query the row is there for the script to fill, hidden and empty.
    row = page_of(client, f"/sessions/{example_id}").find("div", class_="match-row")
    assert row.has_attr("hidden") and row.find_all("a") == []


def test_no_match_says_so(client, example_id):
    page = page_of(client, f"/sessions/{example_id}", q="zebra")
    assert squash(page.find(id="within-status").text) == "No match for “zebra”"
    assert page.find("ol", id="transcript").find_all("li", class_="match") == []
    assert page.find("details", id="match-list").has_attr("hidden")


def test_a_bad_query_on_the_page_says_what_to_fix(client, example_id, example):
    response = client.get(f"/sessions/{example_id}", query_string={"q": '"class size'})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    no_traceback(body)
    page = parse_html(body)
    assert "unclosed quote" in squash(page.find(id="within-error").text)
    assert page.find(id="within-error").get("role") == "alert"
    assert page.find("form", id="within").find("input", attrs={"name": "q"}).get("value") == \
        '"class size'
    # The session is all there still, nothing marked.
    assert len(page.find("ol", id="transcript").find_all("li")) == len(example.segments)
    assert page.find("ol", id="transcript").find_all("mark") == []


def test_matches_in_hostile_text_stay_escaped(made_client):
    hostile = HOSTILE_TRANSCRIPT.session.id
    response = made_client.get(f"/sessions/{hostile}", query_string={"q": "salary"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in body
    page = parse_html(body)
    lines = page.find("ol", id="transcript").find_all("li", class_="match")
    assert len(lines) == 2
    assert lines[0].find("span", class_="text").text == HOSTILE_TRANSCRIPT.segments[0].text
    assert [m.text for m in lines[0].find_all("mark")] == ["salary"]
    assert page.find_all("script", src=False) == []


# --- in a real browser -------------------------------------------------------------------------


def status_is(page, text: str) -> None:
    page.wait_for_function("(t) => document.getElementById('within-status').textContent === t",
                           arg=text, timeout=10_000)


def current_match(page) -> list[str]:
    return page.evaluate("Array.from(document.querySelectorAll('#transcript li.current-match'),"
                         " (li) => li.id)")


@pytest.mark.browser
def test_search_in_the_session_then_step_through_the_matches(page, live_server, example_id,
                                                             example):
    matches = get_json(f"{live_server}/api/sessions/{example_id}/search?q=percent")["matches"]
    page.goto(f"{live_server}/sessions/{example_id}")
    page.wait_for_function(SETTLED, timeout=20_000)
    page.evaluate("window.sameDocument = true")
    assert page.locator("form#within button.step").evaluate_all(
        "(bs) => bs.map((b) => b.hidden)") == [True, True]

    # Enter asks the API: the words are marked, the first match is current and played from.
    watch_seeks(page)
    page.fill("#within-q", "percent")
    page.press("#within-q", "Enter")
    status_is(page, f"1 of {PERCENT_SEGMENTS} matches")
    assert abs(seeked_to(page) - matches[0]["start"]) <= 0.5
    assert page.locator("#transcript li.match").evaluate_all("(ls) => ls.map((l) => l.id)") == \
        [f"seg-{m['segment']}" for m in matches]
    assert page.locator("#transcript mark").all_inner_texts() == ["percent"] * PERCENT_WORDS
    assert current_match(page) == [f"seg-{matches[0]['segment']}"]
    # The line keeps its text, only the words are wrapped.
    line = example.segments[matches[0]["segment"]]
    assert page.locator(f"#seg-{matches[0]['segment']} .text").inner_text() == line.text.strip()

    # ... and marked on the timeline, where the words were said.
    marks = page.locator("#match-marks a.match-mark")
    assert marks.count() == PERCENT_SEGMENTS
    assert page.locator(".match-row").is_visible()
    lefts = marks.evaluate_all("(ms) => ms.map((m) => parseFloat(m.style.left))")
    assert lefts == pytest.approx([100 * m["start"] / example.session.duration
                                   for m in matches], abs=0.01)
    assert "current" in marks.nth(0).get_attribute("class").split()

    # Next, Enter again and Shift+Enter move through them, seeking the player each time.
    for press, n in ((lambda: page.click("button[data-step='1']"), 1),
                     (lambda: page.press("#within-q", "Enter"), 2),
                     (lambda: page.press("#within-q", "Shift+Enter"), 1),
                     (lambda: page.click("button[data-step='-1']"), 0),
                     # Before the first comes the last.
                     (lambda: page.click("button[data-step='-1']"), PERCENT_SEGMENTS - 1)):
        watch_seeks(page)
        press()
        status_is(page, f"{n + 1} of {PERCENT_SEGMENTS} matches")
        assert abs(seeked_to(page) - matches[n]["start"]) <= 0.5, n
        assert current_match(page) == [f"seg-{matches[n]['segment']}"]
        assert "current" in marks.nth(n).get_attribute("class").split()
        query = parse_qs(urlsplit(page.url).query)
        assert query["q"] == ["percent"]
        assert float(query["t"][0]) == pytest.approx(matches[n]["start"], abs=0.1)
    assert page.evaluate("window.sameDocument") is True


@pytest.mark.browser
def test_a_match_on_the_timeline_plays_from_its_words(page, live_server, example_id):
    matches = get_json(f"{live_server}/api/sessions/{example_id}/search?q=students")["matches"]
    assert len(matches) == 5
    page.goto(f"{live_server}/sessions/{example_id}?q=students")
    page.wait_for_function(SETTLED, timeout=20_000)
    status_is(page, "1 of 5 matches")
    watch_seeks(page)
    page.locator("#match-marks a.match-mark").nth(3).click()
    assert abs(seeked_to(page) - matches[3]["start"]) <= 0.5
    status_is(page, "4 of 5 matches")
    assert current_match(page) == [f"seg-{matches[3]['segment']}"]


@pytest.mark.browser
def test_arriving_from_a_site_search_hit_shows_the_words(page, live_server, example_id):
    (hit,) = [h for h in get_json(f"{live_server}/api/search?q=percent")["hits"]
              if "inflation" in h["text"]]
    url = urlsplit(hit["url"])
    page.goto(f"{live_server}{url.path}?{url.query}&q=percent")
    page.wait_for_function(SETTLED, timeout=20_000)
    # The hit is the current match, and the player stays where the link opened it.
    status_is(page, f"2 of {PERCENT_SEGMENTS} matches")
    assert current_match(page) == [f"seg-{hit['segment']}"]
    assert abs(page.evaluate("document.getElementById('player').currentTime")
               - hit["start"]) <= 0.5
    assert page.locator(f"#seg-{hit['segment']} mark").all_inner_texts() == ["percent"] * 2
    assert page.locator("#transcript li.match").count() == PERCENT_SEGMENTS


@pytest.mark.browser
def test_a_bad_query_and_an_emptied_box(page, live_server, example_id):
    page.goto(f"{live_server}/sessions/{example_id}?q=percent")
    page.wait_for_function(SETTLED, timeout=20_000)
    status_is(page, f"1 of {PERCENT_SEGMENTS} matches")
    page.evaluate("window.sameDocument = true")
    page.fill("#within-q", '"class size')
    page.press("#within-q", "Enter")
    alert = page.locator("#within-error")
    alert.wait_for(state="visible")
    assert "unclosed quote" in alert.inner_text()
    assert page.locator("#transcript li.match, #transcript mark, #match-marks a").count() == 0
    assert not page.locator(".match-row").is_visible()
    # A query that reads clears the error; emptying the box ends the search.
    page.fill("#within-q", "strike")
    page.press("#within-q", "Enter")
    status_is(page, "1 of 2 matches")
    assert not alert.is_visible()
    page.fill("#within-q", "")
    status_is(page, "")
    assert page.locator("#transcript mark, #match-marks a").count() == 0
    assert "q" not in parse_qs(urlsplit(page.url).query)
    assert page.evaluate("window.sameDocument") is True


@pytest.mark.browser
def test_the_form_works_without_javascript(browser, live_server, example_id):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{live_server}/sessions/{example_id}")
        page.fill("#within-q", "strike")
        page.press("#within-q", "Enter")
        page.wait_for_url(re.compile(rf"/sessions/{example_id}\?q=strike$"))
        assert page.locator("#within-status").inner_text() == "2 matches"
        assert page.locator("#transcript mark").all_inner_texts() == ["strike", "strike"]
        page.locator("#match-list a").nth(1).click()
        page.wait_for_url(re.compile(rf"/sessions/{example_id}\?t=[\d.]+&q=strike#seg-\d+$"))
        assert page.locator("#transcript li.match").count() == 2
    finally:
        context.close()
