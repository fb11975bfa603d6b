"""Citing in a real browser: select words with the mouse (or lines from the keyboard), press
Cite, copy the citation, download its clip, and open its permalink at the passage, which plays
to its end."""

from __future__ import annotations

import pytest

from tests.helpers.browser import SETTLED, player_time
from tests.helpers.example import DISTRICT_NAME, district_line
from tests.helpers.http import get_json, serving
from tests.helpers.media import probe

pytestmark = pytest.mark.browser

DIALOG_OPEN = "() => document.getElementById('cite-dialog').open"



def drag_over_words(page, line: int, first: int, last: int) -> None:
    """Select words `first` to `last` of a line with the mouse, from inside the first word to
    inside the last (a selection's ends need not be a word's)."""
    box = page.evaluate("""([line, first, last]) => {
        const node = document.querySelector(`#seg-${line} .text`).firstChild;
        const words = Array.from(node.textContent.matchAll(/\\S+/g));
        const rect = (m, at) => { const r = document.createRange();
            r.setStart(node, m.index + at); r.setEnd(node, m.index + at + 1);
            return r.getBoundingClientRect(); };
        const a = rect(words[first], 1), b = rect(words[last], words[last][0].length - 2);
        return {x1: a.left, y1: a.top + a.height / 2, x2: b.right, y2: b.top + b.height / 2};
    }""", [line, first, last])
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move(box["x2"], box["y2"], steps=8)
    page.mouse.up()


def test_select_cite_copy_and_open_the_permalink(page, named_live_server, example_id, tmp_path):
    server = named_live_server
    i, seg = district_line(get_json(f"{server}/api/sessions/{example_id}"))
    words = seg["words"]
    said = " ".join(w["word"].strip() for w in words[1:4])
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page.goto(f"{server}/sessions/{example_id}")
    page.wait_for_function(SETTLED, timeout=20_000)
    page.locator(f"#seg-{i}").scroll_into_view_if_needed()

    drag_over_words(page, i, 1, 3)
    cite = page.locator(f"#seg-{i} button.cite-button")
    cite.click()
    page.wait_for_function(DIALOG_OPEN)
    dialog = page.locator("#cite-dialog")
    assert dialog.locator("#cite-quote blockquote").all_inner_texts() == [said]
    assert dialog.locator("#cite-quote figcaption").inner_text() == (
        f"{DISTRICT_NAME} (district, Chief negotiator)")
    cited = get_json(f"{server}/api/sessions/{example_id}/cite?t={words[1]['start']:.2f}"
                     f"&end={words[3]['end']:.2f}")
    assert cited["quote"] == said
    assert dialog.locator("#cite-source").inner_text().endswith(cited["times"])
    assert dialog.locator("#cite-link").input_value() == cited["permalink"]
    assert dialog.locator("#cite-clip-m4a").get_attribute("href") == cited["clips"]["m4a"]
    assert dialog.locator("#cite-clip-video").is_hidden()  # the example is audio only

    dialog.get_by_role("button", name="Copy Markdown").click()
    page.wait_for_function("() => document.getElementById('cite-copied').textContent")
    assert page.locator("#cite-copied").inner_text() == "Copied"
    assert page.locator("#cite-copy-text").input_value() == cited["markdown"]
    assert page.evaluate("navigator.clipboard.readText()") == cited["markdown"]
    assert f"**{DISTRICT_NAME}** (district, Chief negotiator): {said}" in cited["markdown"]

    # The audio clip, downloaded from the dialog: sound (and its captions), as long as the passage.
    with page.expect_download() as download:
        dialog.locator("#cite-clip-m4a").click()
    clip = tmp_path / download.value.suggested_filename
    download.value.save_as(clip)
    assert clip.suffix == ".m4a"
    found = probe(clip)
    assert found["streams"]["audio"] == "aac" and "video" not in found["streams"]
    assert found["duration"] == pytest.approx(cited["end"] - cited["start"], abs=0.5)

    # The permalink: opened at the passage, its words marked, and played to its end.
    page.goto(cited["permalink"])
    assert player_time(page) == pytest.approx(cited["start"], abs=0.5)
    assert page.locator("#transcript li.quoted").evaluate_all(
        "lis => lis.map(li => li.id)") == [f"seg-{i}"]
    assert page.locator("#transcript mark.quote").inner_text() == said
    assert page.locator(".quoted-range").inner_text().startswith(
        f"Quoted passage {cited['times']}")
    page.evaluate("""(end) => { const p = document.getElementById('player');
        p.currentTime = Math.max(0, end - 1); p.play(); }""", cited["end"])
    page.wait_for_function("() => document.getElementById('player').paused"
                           " && document.getElementById('player').currentTime > 0"
                           " && !document.getElementById('player').seeking", timeout=20_000)
    stopped = page.evaluate("document.getElementById('player').currentTime")
    assert cited["end"] <= stopped < cited["end"] + 0.5


def test_cite_from_the_keyboard_alone(page, named_live_server, example_id):
    server = named_live_server
    body = get_json(f"{server}/api/sessions/{example_id}")
    page.goto(f"{server}/sessions/{example_id}")
    page.wait_for_function(SETTLED, timeout=20_000)
    page.focus("#seg-0 a.ts")
    page.keyboard.press("Tab")  # to the next line's time
    assert page.evaluate("document.activeElement.closest('li').id") == "seg-1"
    page.keyboard.press("Shift+ArrowDown")  # line 1
    page.keyboard.press("Shift+ArrowDown")  # and line 2
    page.keyboard.press("Tab")
    focused = page.evaluate("""() => { const el = document.activeElement;
        return [el.className, el.closest('li').id, getComputedStyle(el).outlineStyle]; }""")
    assert focused == ["cite-button", "seg-2", "solid"]  # visibly focused
    page.keyboard.press("Enter")
    page.wait_for_function(DIALOG_OPEN)
    quoted = " ".join(page.locator("#cite-quote blockquote").all_inner_texts())
    assert quoted.split() == " ".join(s["text"] for s in body["segments"][1:3]).split()
    page.keyboard.press("Escape")
    page.wait_for_function("() => !document.getElementById('cite-dialog').open")
    assert page.evaluate("document.activeElement.className") == "cite-button"


def test_a_passage_too_long_for_a_clip_says_so_instead_of_linking_one(page, named_archive,
                                                                      example_id):
    # The example's first four lines span 38 s; a clip may be 30 s here.
    with serving(named_archive, CLIP_MAX_SECONDS=30) as server:
        page.goto(f"{server}/sessions/{example_id}")
        page.focus("#seg-0 a.ts")
        for _ in range(4):
            page.keyboard.press("Shift+ArrowDown")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.wait_for_function(DIALOG_OPEN)
        page.wait_for_function("() => document.querySelector('#cite-quote blockquote')")
        assert page.locator("#cite-clips").is_hidden()
        assert page.locator("#cite-no-clip").inner_text().startswith(
            "A clip can be at most 0.5 minutes long")
