"""What a person does in a real browser: search, click a hit, and hear it from that second.

Debian's Chromium over the app served by waitress, driven by Playwright.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import webvtt

from ontherecord.timecode import link_time
from tests.helpers.browser import SETTLED, player_time
from tests.helpers.http import Client, get_json

pytestmark = pytest.mark.browser

PHRASE = '"class size caps"'


def reference_start(reference: dict, words: str) -> float:
    """The true start of the scripted utterance that contains these words."""
    (start,) = [u["start"] for u in reference["utterances"] if words in u["text"].lower()]
    return start


def test_browser_plays_the_archive_media(browser, page, live_server, example_id):
    """Debian Chromium decodes the formats ingest keeps (Ogg/Opus here, AAC/H.264 otherwise)."""
    page.goto(f"{live_server}/sessions/{example_id}")
    kinds = {
        "ogg/opus": ("audio", 'audio/ogg; codecs="opus"'),
        "m4a/aac": ("audio", 'audio/mp4; codecs="mp4a.40.2"'),
        "mp3": ("audio", "audio/mpeg"),
        "mp4/h264+aac": ("video", 'video/mp4; codecs="avc1.42E01E, mp4a.40.2"'),
        "webm/vp9+opus": ("video", 'video/webm; codecs="vp9, opus"'),
    }
    support = page.evaluate(
        "(kinds) => Object.fromEntries(Object.entries(kinds).map(([k, [tag, type]]) =>"
        " [k, document.createElement(tag).canPlayType(type)]))", kinds)
    assert support == dict.fromkeys(kinds, "probably")
    page.wait_for_function(SETTLED, timeout=20_000)
    state = page.evaluate("() => { const p = document.getElementById('player');"
                          " return [p.error && p.error.code, p.duration]; }")
    assert state[0] is None
    session = get_json(f"{live_server}/api/sessions/{example_id}")["session"]
    assert state[1] == pytest.approx(session["duration"], abs=0.5)


def test_search_click_hit_hear_it_then_click_another_line(page, live_server, example_id,
                                                          reference, tmp_path):
    (hit,) = get_json(f"{live_server}/api/search?q={quote(PHRASE)}")["hits"]
    assert hit["segment_start"] <= hit["start"] <= hit["end"]

    page.goto(f"{live_server}/search?q={quote(PHRASE)}")
    assert page.locator("p.count").inner_text() == f"1 moment in 1 session for {PHRASE}"
    assert page.locator("ol.hits mark").all_inner_texts() == ["Class", "size", "caps"]
    page.screenshot(path=str(tmp_path / "results.png"), full_page=True)
    page.locator("ol.hits li.hit a.jump").first.click()
    page.wait_for_url(re.compile(rf"/sessions/{example_id}\?t="))

    # The player opens where the hit starts, which is where the words were really said.
    at = player_time(page)
    assert abs(at - hit["start"]) <= 0.5
    truth = reference_start(reference, "class size caps")
    assert abs(at - truth) <= 1.5
    # ... and the line being heard, the hit's segment, is highlighted.
    current = page.locator("#transcript li.current")
    current.wait_for()
    assert float(current.get_attribute("data-start")) == hit["segment_start"]
    assert current.get_attribute("aria-current") == "true"
    assert "Class size caps" in current.inner_text()
    page.screenshot(path=str(tmp_path / "session.png"), full_page=True)

    # Clicking another line plays from its start, marks it, and puts its time in the address.
    # (A line that opens with its turn: tiny.en runs the turn before "mental health staffing"
    # into the same segment.)
    words = "education support professionals"
    line = page.locator("#transcript li", has_text=words)
    target = float(line.get_attribute("data-start"))
    page.evaluate("""() => { const p = document.getElementById('player');
        window.seekedTo = undefined;
        p.addEventListener('seeked', () => { window.seekedTo = p.currentTime; },
                           {once: true}); }""")
    line.locator("span.text").click()
    page.wait_for_function("() => window.seekedTo !== undefined", timeout=20_000)
    assert abs(page.evaluate("window.seekedTo") - target) <= 0.3
    page.wait_for_function("(el) => el.classList.contains('current')",
                           arg=line.element_handle(), timeout=10_000)
    assert "current" in line.get_attribute("class").split()
    assert page.locator("#transcript li.current").count() == 1
    # Whisper may run the turn before into the line, so it can start early, never late.
    assert target <= reference_start(reference, words) + 1.5
    url = urlsplit(page.url)
    assert url.path == f"/sessions/{example_id}"
    assert parse_qs(url.query)["t"] == [link_time(target)]

    for shot in ("results.png", "session.png"):
        assert (tmp_path / shot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("t", ["1:23", "83", "1m23s"])
def test_opening_a_time_link_directly(page, live_server, example_id, t):
    page.goto(f"{live_server}/sessions/{example_id}?t={t}")
    assert abs(player_time(page) - 83.0) <= 0.5


def test_clicking_a_time_link_seeks_without_reloading(page, live_server, example_id):
    page.goto(f"{live_server}/sessions/{example_id}")
    player_time(page)
    page.evaluate("window.sameDocument = true")
    link = page.locator("#transcript li a.ts").nth(20)
    target = float(page.locator("#transcript li").nth(20).get_attribute("data-start"))
    link.click()
    page.wait_for_function(
        f"() => Math.abs(document.getElementById('player').currentTime - {target}) < 1",
        timeout=20_000)
    assert page.evaluate("window.sameDocument") is True
    assert parse_qs(urlsplit(page.url).query)["t"] == [link_time(target)]


def test_captions_load(page, live_server, example_id):
    page.goto(f"{live_server}/sessions/{example_id}")
    page.evaluate("document.getElementById('player').textTracks[0].mode = 'showing'")
    page.wait_for_function("() => document.querySelector('#player track').readyState === 2",
                           timeout=20_000)
    vtt = Client(live_server).get(f"/sessions/{example_id}/transcript.vtt").text
    expected = webvtt.from_string(vtt).captions
    cues = page.evaluate("""() => Array.from(document.getElementById('player').textTracks[0].cues,
        (c) => [c.startTime, c.endTime, c.text, c.getCueAsHTML().textContent])""")
    assert len(cues) == len(expected) > 0
    first_start, _end, first_text, first_shown = cues[0]
    # The cue carries its speaker as a voice span, which the browser reads as markup, not text.
    assert expected[0].voice
    assert first_text == expected[0].raw_text == f"<v {expected[0].voice}>{expected[0].text}"
    assert first_shown == html.unescape(expected[0].text)
    assert first_start == pytest.approx(float(expected[0].start.split(":")[-1]), abs=0.001)


def test_malformed_query_in_the_browser(page, live_server):
    page.goto(live_server + "/")
    page.fill("input[name=q]", '"class size')
    page.locator("form[role=search] button").first.click()
    page.wait_for_url(re.compile(r"/search\?"))
    alert = page.locator("[role=alert]")
    assert "unclosed quote" in alert.inner_text()
    assert page.input_value("input[name=q]") == '"class size'
