"""The session timeline (search_app/timeline.py): spans of talk merged from segments, lanes by
speaker, the markup the page draws with its text alternative, and seeking by click and keyboard
in a real browser."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from ontherecord.archive import Archive
from ontherecord.model import Chapter, Speaker
from search_app.sessions import short_clock
from search_app.timeline import MERGE_GAP, UNATTRIBUTED, Span, Timeline, build, talk_spans
from tests.helpers.browser import SETTLED, seeked_to, watch_seeks
from tests.helpers.html import page_of, squash, t_of
from tests.helpers.http import client_over
from tests.helpers.transcripts import commit, make_transcript

LEFT = re.compile(r"left:\s*([\d.]+)%")
WIDTH = re.compile(r"width:\s*([\d.]+)%")
# The example: 28 segments by four voices, of which only two in a row are one speaker's (the
# support staff's two lines on wages), so 27 spans of talk.
SEGMENTS, SPANS, LANES = 28, 27, 4


@pytest.fixture(scope="module")
def example(example_archive, example_id):
    return example_archive.transcript(example_id)


def made(lines, speakers=(), duration: float = 60.0):
    """A hand-made transcript of (start, end, speaker, text) lines."""
    transcript = make_transcript("2026-12-01-made", "Made", "2026-12-01", "Teachers", lines,
                                 speakers)
    transcript.session.duration = duration
    return transcript


def timeline_of(page):
    return page.find("div", id="timeline")


# --- spans and lanes ---------------------------------------------------------------------------


def test_a_speakers_consecutive_segments_are_one_span():
    lines = [(0.0, 4.0, "A", "one"), (4.2, 9.0, "A", "two"), (9.5, 12.0, "B", "three"),
             (12.0, 15.0, "A", "four"), (15.0 + MERGE_GAP + 1, 30.0, "A", "after a pause"),
             (31.0, 33.0, None, "nobody found")]
    assert talk_spans(made(lines).segments) == [
        Span("A", 0.0, 9.0), Span("B", 9.5, 12.0), Span("A", 12.0, 15.0),
        Span("A", 21.0, 30.0), Span("", 31.0, 33.0)]


def test_lanes_go_by_side_then_by_who_spoke_first():
    speakers = [Speaker("A", "Speaker 1"), Speaker("B", "Speaker 2", "Rosa Delgado", "union"),
                Speaker("C", "Speaker 3", "Mark Ellison", "district")]
    lines = [(0.0, 2.0, "A", "chair"), (2.0, 4.0, "B", "union"), (4.0, 6.0, "C", "district"),
             (6.0, 8.0, None, "unknown"), (8.0, 9.0, "B", "union again")]
    timeline = build(made(lines, speakers))
    assert [(lane.speaker, lane.name, lane.side) for lane in timeline.lanes] == [
        ("C", "Mark Ellison", "district"), ("B", "Rosa Delgado", "union"),
        ("A", "Speaker 1", None), ("", UNATTRIBUTED, None)]
    assert [len(lane.spans) for lane in timeline.lanes] == [1, 2, 1, 1]
    assert timeline.lanes[1].spans == [Span("B", 2.0, 4.0), Span("B", 8.0, 9.0)]


def test_positions_are_percent_of_the_recording_and_stay_inside_it():
    timeline = Timeline(200.0, [], [])
    assert (timeline.left(50.0), timeline.width(50.0, 75.0)) == (25.0, 12.5)
    assert (timeline.left(-3.0), timeline.left(500.0)) == (0.0, 100.0)
    assert timeline.width(190.0, 230.0) == 5.0
    assert Timeline(0.0, [], []).left(5.0) == 100.0


def test_three_hours_of_segments_draw_hundreds_of_boxes(tmp_path):
    """A long session: 6,000 segments in 400 turns of the floor are 400 boxes, not 6,000."""
    speakers = [Speaker(f"S{n}", f"Speaker {n}") for n in range(1, 7)]
    lines = [(t * 1.8, t * 1.8 + 1.7, f"S{(t // 15) % 6 + 1}", f"line {t}")
             for t in range(6000)]
    transcript = made(lines, speakers, duration=3 * 3600.0)
    transcript.session.id = "2026-12-02-long"
    timeline = build(transcript)
    assert timeline.span_count == 400 and len(timeline.lanes) == 6
    archive = Archive(tmp_path / "archive")
    commit(archive, transcript)
    page = page_of(client_over(archive), "/sessions/2026-12-02-long")
    assert len(timeline_of(page).find_all("span", class_="talk")) == 400
    assert len(page.find("details", class_="timeline-text").find_all("a")) == 400
    assert len(page.find("ol", id="transcript").find_all("li")) == 6000


# --- the page ----------------------------------------------------------------------------------


def test_one_lane_per_speaker_with_a_box_per_span(client, example_id, example):
    duration = example.session.duration
    page = page_of(client, f"/sessions/{example_id}")
    lanes = timeline_of(page).find_all("div", class_="lane")
    assert len(example.segments) == SEGMENTS
    assert len(lanes) == LANES == len(example.speakers)
    # Nobody is named: the lanes are in the order each voice first spoke.
    assert [squash(lane.find("span", class_="label").text) for lane in lanes] == \
        [f"Speaker {n}" for n in range(1, 5)]
    boxes = [(lane.get("data-speaker"), box) for lane in lanes
             for box in lane.find_all("span", class_="talk")]
    assert len(boxes) == SPANS
    for speaker, box in boxes:
        start, end = float(box.get("data-start")), float(box.get("data-end"))
        assert float(LEFT.search(box.get("style")).group(1)) == pytest.approx(
            100 * start / duration, abs=0.01)
        assert float(WIDTH.search(box.get("style")).group(1)) == pytest.approx(
            100 * (end - start) / duration, abs=0.01)
        # Each box is one or more of the speaker's segments, from the first's start to the
        # last's end.
        inside = [s for s in example.segments if start <= s.start and s.end <= end]
        assert inside and {s.speaker for s in inside} == {speaker}
        assert (inside[0].start, inside[-1].end) == (start, end)
    # The merged one: two lines in a row of the speaker who opened on support staff pay.
    (merged,) = [b for _, b in boxes if len([s for s in example.segments
                                             if float(b.get("data-start")) <= s.start
                                             and s.end <= float(b.get("data-end"))]) > 1]
    assert float(merged.get("data-start")) == example.segments[18].start
    assert float(merged.get("data-end")) == example.segments[19].end


def test_the_timeline_is_a_slider_people_can_reach(client, example_id, example):
    page = page_of(client, f"/sessions/{example_id}", t="83")
    timeline = timeline_of(page)
    assert timeline.get("role") == "slider" and timeline.get("tabindex") == "0"
    assert timeline.get("aria-label")
    assert (timeline.get("aria-valuemin"), timeline.get("aria-valuemax")) == \
        ("0", str(round(example.session.duration)))
    assert (timeline.get("aria-valuenow"), timeline.get("aria-valuetext")) == \
        ("83", f"1:23 of {short_clock(example.session.duration)}")
    keys = page.find(id=timeline.get("aria-describedby"))
    for key in ("←", "Shift", "↑", "Page Up", "Home", "Enter"):
        assert key in keys.text
    # The drawing is hidden from screen readers: the slider and the text below speak for it.
    rows = timeline.find_all("div", class_="row")
    assert rows and all(row.get("aria-hidden") == "true" for row in rows)
    assert float(LEFT.search(timeline.find("span", class_="playhead").get("style"))
                 .group(1)) == pytest.approx(100 * 83 / example.session.duration, abs=0.01)
    # The chapter row comes first, above the lanes.
    assert "chapter-bar" in rows[0].get("class")


def test_the_timeline_as_text(client, example_id, example):
    page = page_of(client, f"/sessions/{example_id}")
    text = page.find("details", class_="timeline-text")
    assert squash(text.find("summary").text) == "Timeline as text"
    rows = text.find("tbody").find_all("tr")
    lanes = timeline_of(page).find_all("div", class_="lane")
    assert [squash(r.find("th").text) for r in rows] == \
        [squash(lane.find("span", class_="label").text) for lane in lanes]
    for row, lane in zip(rows, lanes, strict=True):
        links = row.find_all("a")
        boxes = lane.find_all("span", class_="talk")
        assert len(links) == len(boxes)
        for link, box in zip(links, boxes, strict=True):
            start, end = float(box.get("data-start")), float(box.get("data-end"))
            assert float(link.get("data-seek")) == start
            assert t_of(link.get("href")) <= start < t_of(link.get("href")) + 0.1
            assert squash(link.text) == f"{short_clock(start)}–{short_clock(end)}"
    assert sum(len(r.find_all("a")) for r in rows) == SPANS


def test_a_named_districts_lane_comes_first(named_client, named_archive, example_id):
    transcript = named_archive.transcript(example_id)
    (district,) = [s for s in transcript.speakers if s.side == "district"]
    lanes = timeline_of(page_of(named_client, f"/sessions/{example_id}")) \
        .find_all("div", class_="lane")
    assert lanes[0].get("data-speaker") == district.id
    assert lanes[0].get("data-side") == "district"
    assert squash(lanes[0].find("span", class_="label").text) == district.name


def test_a_session_without_speech_has_no_timeline(tmp_path):
    archive = Archive(tmp_path / "archive")
    commit(archive, make_transcript("2026-12-01-silent", "Silent", "2026-12-01", "Teachers", []))
    page = page_of(client_over(archive), "/sessions/2026-12-01-silent")
    assert timeline_of(page) is None
    assert page.find("details", class_="timeline-text") is None


def test_a_session_with_chapters_only_still_has_a_timeline(tmp_path):
    transcript = made([])
    transcript.chapters = [Chapter(0.0, 30.0, "Opening", "Procedure", "procedure")]
    archive = Archive(tmp_path / "archive")
    commit(archive, transcript)
    timeline = timeline_of(page_of(client_over(archive), "/sessions/2026-12-01-made"))
    assert timeline.find_all("a", class_="chapter-mark")
    assert timeline.find_all("div", class_="lane") == []


# --- in a real browser -------------------------------------------------------------------------


def player_state(page) -> dict:
    return page.evaluate("""() => { const p = document.getElementById('player'),
        tl = document.getElementById('timeline');
        return {t: p.currentTime, paused: p.paused, now: tl.getAttribute('aria-valuenow'),
                text: tl.getAttribute('aria-valuetext'),
                playhead: parseFloat(tl.querySelector('.playhead').style.left)}; }""")


@pytest.mark.browser
@pytest.mark.parametrize(("lane", "fraction"), [(1, 0.5), (3, 0.8)])
def test_clicking_a_lane_seeks_to_that_moment(page, live_server, example_id, example, lane,
                                              fraction):
    duration = example.session.duration
    page.goto(f"{live_server}/sessions/{example_id}")
    page.wait_for_function(SETTLED, timeout=20_000)
    page.evaluate("window.sameDocument = true")
    track = page.locator("#timeline .lane .track").nth(lane)
    box = track.bounding_box()
    watch_seeks(page)
    track.click(position={"x": box["width"] * fraction, "y": box["height"] / 2})
    # One pixel of the track is about half a second of this recording.
    assert seeked_to(page) == pytest.approx(duration * fraction, abs=1.0)
    assert float(parse_qs(urlsplit(page.url).query)["t"][0]) == pytest.approx(
        duration * fraction, abs=1.0)
    page.wait_for_function(
        "(x) => Math.abs(parseFloat(document.querySelector('#timeline .playhead').style.left)"
        " - x) < 1", arg=100 * fraction, timeout=10_000)
    assert page.evaluate("window.sameDocument") is True


@pytest.mark.browser
def test_the_keyboard_moves_through_the_timeline(page, live_server, example_id, example):
    duration = example.session.duration
    chapters, segments = example.chapters, example.segments
    # Segment 8 opens a turn: another voice spoke the line before.
    assert segments[8].speaker != segments[7].speaker
    page.goto(f"{live_server}/sessions/{example_id}")
    page.wait_for_function(SETTLED, timeout=20_000)
    page.locator("#timeline").focus()
    steps = [("ArrowRight", 10.0), ("Shift+ArrowRight", 70.0), ("ArrowLeft", 60.0),
             ("PageUp", chapters[2].start), ("PageDown", chapters[1].start),
             ("ArrowUp", segments[8].start), ("ArrowDown", segments[7].start),
             ("End", duration), ("Home", 0.0)]
    for key, expected in steps:
        watch_seeks(page)
        page.keyboard.press(key)
        assert seeked_to(page) == pytest.approx(expected, abs=0.5), key
        state = player_state(page)
        assert state["paused"], key
        assert int(state["now"]) == pytest.approx(expected, abs=1), key
        assert state["playhead"] == pytest.approx(100 * expected / duration, abs=0.5), key
    # What a screen reader hears at the start of a turn: the time, who, and the chapter.
    watch_seeks(page)
    page.keyboard.press("PageUp")  # from the start, to the second chapter
    assert seeked_to(page) == pytest.approx(chapters[1].start, abs=0.5)
    page.keyboard.press("ArrowUp")
    page.wait_for_function("() => document.getElementById('timeline')"
                           ".getAttribute('aria-valuetext').includes('Speaker 4')")
    assert player_state(page)["text"] == (
        f"{short_clock(segments[8].start)} of {short_clock(duration)}, Speaker 4 speaking, "
        f"chapter: {chapters[1].title}")
    # Enter plays and pauses; the focus stays on the timeline.
    page.keyboard.press("Enter")
    page.wait_for_function("() => !document.getElementById('player').paused")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('player').paused")
    assert page.evaluate("document.activeElement.id") == "timeline"


@pytest.mark.browser
def test_the_timeline_shows_its_focus(page, live_server, example_id):
    page.goto(f"{live_server}/sessions/{example_id}")
    page.locator("#within-q").focus()
    # Tab order: the search box, Find, (next/previous are hidden until a search), the timeline.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "timeline"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
