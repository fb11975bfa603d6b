"""Accessible, and readable on a phone: every page passes axe-core without a serious or critical
violation, reads without sideways scrolling on a 375-px-wide screen, and the session page works
from the keyboard alone (visible focus, the player, the search, chapters and transcript lines),
with captions shown by default on a video.

Debian's Chromium over the app served by waitress, driven by Playwright, over hand-made
sessions whose recordings are real (ffmpeg); axe-core comes from npm (`make install`).
"""

from __future__ import annotations

import os

import pytest

from ontherecord import staff
from tests.helpers.axe import AXE, blocking_violations, described
from tests.helpers.browser import log_in, player_time, seeked_to, watch_seeks
from tests.helpers.faceted import FACETED
from tests.helpers.http import serving
from tests.helpers.mail import free_port, mail_settings
from tests.helpers.media import make_clip
from tests.helpers.transcripts import VIDEO_TRANSCRIPT, made_archive, make_transcript

pytestmark = pytest.mark.browser

NAME, PASSWORD = "editor", "correct horse battery"
SESSION = FACETED[0].session.id  # three lines, two speakers with sides, two chapters
VIDEO = VIDEO_TRANSCRIPT.session.id
# Words no phone screen is wide enough for, in the title, the description and what was said.
ADDRESS = ("https://district.example.org/board/documents/2026/bargaining/proposals/"
           "ArticleXIVCompensationScheduleRevisedFinalDraftForTheUnion.pdf")
LONG_WORDS = make_transcript("2026-04-20-long-words", f"Proposal {ADDRESS}", "2026-04-20",
                             "Teachers", [(0.0, 5.0, None, f"The salary proposal is {ADDRESS}")])
LONG_WORDS.session.description = f"Documents: {ADDRESS}"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}

# Every page a person meets, as (path, an element that shows the page is in the state meant,
# seen as staff?). A new page is one more line here: axe and the phone test both visit it.
PAGES = [
    ("/", "form.searchbox", False),
    ("/search?q=salary", "aside.facets .facet", False),
    ("/search?q=salary&side=union", ".facet a.chosen", False),
    ("/search?q=salry", "p.suggestion a", False),
    (f"/search?q=salary&session={SESSION}", "ol.hits li", False),
    (f"/sessions/{SESSION}?q=salary", "#match-list li a", False),
    (f"/sessions/{VIDEO}", "video#player", False),
    (f"/sessions/{LONG_WORDS.session.id}", ".description", False),
    (f"/sessions/{SESSION}?t=0&end=3&v=0", ".passage .quoted-range", False),
    ("/sessions/", "main li", False),
    ("/sessions/?unit=Teachers&from=2026-01-01", "main li", False),
    ("/people/", "table.people a.person", False),
    ("/people/dana-whitfield", "table.appearances td", False),
    ("/units/", "ul.units li a", False),
    ("/units/teachers", "a.feed", False),
    ("/alerts/?q=salary&side=union", "input[type=email]", False),
    ("/api/docs", ".api-docs .route", False),
    ("/topics/", "main li a", False),
    ("/topics/compensation", "ol.topic-chapters li.hit", False),
    ("/no-such-page", "section.error-page", False),
    ("/staff/login", "input[name=password]", False),
    ("/staff/", ".staffbar", True),
    (f"/staff/sessions/{SESSION}", "#transcript li", True),
    ("/staff/upload", "input[type=file]", True),
]

# Where the keyboard must reach on the session page: name → selector of the focused element.
STOPS = {"player": "#player", "session search": "#within-q",
         "chapter link": "#chapters a", "transcript line": "#transcript li[data-start] *"}
# What document.activeElement is, which stops it matches, and whether its focus shows.
FOCUSED = """(stops) => { const el = document.activeElement, s = getComputedStyle(el);
    const outlined = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0;
    return {element: el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
                     + Array.from(el.classList, (c) => "." + c).join(""),
            stops: Object.keys(stops).filter((k) => el.matches(stops[k])),
            visible: outlined || s.boxShadow !== "none"}; }"""
# Whatever sticks out past the right edge of the screen, or scrolls sideways inside a box that
# was not made to (an intentional scroller, such as a wide table's, has the class scroll-x).
OVERFLOW = """() => { const edge = document.documentElement.clientWidth, found = [];
    const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
                         + Array.from(el.classList, (c) => "." + c).join("");
    for (const el of document.body.querySelectorAll("*")) {
      if (el.parentElement.closest(".scroll-x")) continue;
      const box = el.getBoundingClientRect();
      const scrolls = ["auto", "scroll"].includes(getComputedStyle(el).overflowX);
      if (box.width > 0 && box.right > edge + 0.5) {
        found.push(`${name(el)} reaches ${Math.round(box.right)}px`);
      } else if (scrolls && el.scrollWidth > el.clientWidth + 1
                 && !el.classList.contains("scroll-x")) {
        found.push(`${name(el)} scrolls sideways (${el.scrollWidth}px in ${el.clientWidth}px)`);
      }
    }
    return {width: document.documentElement.scrollWidth, found}; }"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Hand-made sessions with sides, chapters and topics, a video, and one of long words,
    each with a real recording; one staff account; served over real HTTP."""
    folder = tmp_path_factory.mktemp("a11y")
    audio = make_clip(folder, "ogg", 15).read_bytes()
    media = {t.session.id: audio for t in (*FACETED, LONG_WORDS)}
    media[VIDEO] = make_clip(folder, "mp4", 6).read_bytes()
    archive = made_archive(folder / "archive", (*FACETED, VIDEO_TRANSCRIPT, LONG_WORDS), media)
    staff.add(archive, NAME, PASSWORD)
    # Alerts are offered only with mail set up; viewing the form sends nothing.
    with serving(archive, **mail_settings(free_port())) as url:
        yield url


@pytest.fixture(scope="module")
def staff_state(browser, site):
    """The cookies of a staff member logged in through the form."""
    context = browser.new_context()
    log_in(context.new_page(), site, NAME, PASSWORD)
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture(scope="module")
def axe():
    """axe-core's script (skipped where it is not installed, unless ONTHERECORD_REQUIRE_BROWSER
    is set, as CI sets it)."""
    if not AXE.exists():
        if os.environ.get("ONTHERECORD_REQUIRE_BROWSER"):
            pytest.fail(f"{AXE} is required (make install: npm install axe-core)")
        pytest.skip("axe-core is not installed (make install)")
    return AXE


@pytest.fixture
def visit(browser, site, staff_state):
    """Open a path at a screen size, as the public or as staff; JavaScript errors fail the test.

    The site's Content-Security-Policy is bypassed only so that axe can be injected.
    """
    contexts, errors = [], []

    def open_page(path: str, selector: str, as_staff: bool, viewport: dict):
        context = browser.new_context(viewport=viewport, bypass_csp=True,
                                      storage_state=staff_state if as_staff else None)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(site + path)
        page.wait_for_load_state("load")
        assert page.locator(selector).count(), f"{path}: nothing matches {selector}"
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert errors == []


def page_id(entry) -> str:
    """A test id for a PAGES entry: its path (as staff, marked)."""
    path, _, as_staff = entry
    return path + (" (staff)" if as_staff else "")


@pytest.mark.parametrize("entry", PAGES, ids=page_id)
def test_no_serious_accessibility_violation(axe, visit, entry):
    path, selector, as_staff = entry
    page = visit(path, selector, as_staff, DESKTOP)
    violations = blocking_violations(page)
    assert not violations, f"{path}:\n{described(violations)}"


@pytest.mark.parametrize("entry", PAGES, ids=page_id)
def test_nothing_overflows_a_phone_screen(visit, entry):
    path, selector, as_staff = entry
    page = visit(path, selector, as_staff, PHONE)
    found = page.evaluate(OVERFLOW)
    assert found["found"] == [], f"{path} at 375 px:\n" + "\n".join(found["found"])
    assert found["width"] <= PHONE["width"], path


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_cite_dialog_is_accessible(axe, visit, viewport):
    page = visit(f"/sessions/{SESSION}", "#transcript li", False, viewport)
    page.focus("#seg-0 a.ts")
    page.keyboard.press("Shift+ArrowDown")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('cite-dialog').open"
                           " && document.querySelector('#cite-quote blockquote')")
    violations = blocking_violations(page)
    assert not violations, described(violations)
    assert page.evaluate(OVERFLOW)["found"] == []


def test_the_session_page_works_from_the_keyboard(page, site):
    page.goto(f"{site}/sessions/{SESSION}?t=10")
    assert player_time(page) == pytest.approx(10, abs=0.5)
    # The first stop is the way past the header, shown on the screen once focused.
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    assert skip.evaluate("(a) => a === document.activeElement")
    assert skip.inner_text() == "Skip to content"
    assert skip.bounding_box()["y"] >= 0
    assert page.locator(skip.get_attribute("href")).evaluate("(e) => e.tagName") == "MAIN"
    reached, unseen = set(), []
    for _ in range(200):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED, STOPS)
        reached.update(focused["stops"])
        if not focused["visible"]:
            unseen.append(focused["element"])
        if "transcript line" in focused["stops"]:
            break
    assert reached == set(STOPS)
    assert unseen == [], "focus is not visible on these"

    # Enter on the first line (it starts at 0:00) plays from there.
    watch_seeks(page)
    page.keyboard.press("Enter")
    assert seeked_to(page) == pytest.approx(0, abs=0.1)
    assert page.evaluate("document.getElementById('player').paused") is False
    assert page.url.endswith(f"/sessions/{SESSION}?t=0.0")


def test_captions_are_on_by_default_on_a_video(page, site):
    page.goto(f"{site}/sessions/{VIDEO}")
    page.wait_for_function("() => document.querySelector('#player track').readyState === 2",
                           timeout=20_000)
    track = page.evaluate("""() => { const t = document.getElementById('player').textTracks[0];
        return {mode: t.mode, kind: t.kind, cues: Array.from(t.cues, (c) => c.text)}; }""")
    assert track["mode"] == "showing"
    assert track["kind"] == "captions"
    assert any("salary offer on video" in cue for cue in track["cues"])
