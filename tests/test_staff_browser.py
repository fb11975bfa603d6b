"""The staff side in a real browser: logging in through the form, markup typed into a speaker's
name and into a transcript correction staying inert text everywhere it is shown, and a recording
uploaded from the browser becoming a published, searchable session (or a failed job that shows
its error, can be retried and discarded, and whose page survives a reload).

Debian's Chromium over the app served by waitress, driven by Playwright; background ingests run
the tiny.en model on a short clip of the example.
"""

from __future__ import annotations

import re
import threading
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from playwright.sync_api import expect

from ingest import jobs, media
from ontherecord import service, staff
from ontherecord.timecode import link_time
from tests.helpers.browser import log_in, player_time
from tests.helpers.example import EXAMPLE, assert_link_time, phrase_start, segment_saying
from tests.helpers.http import get_json, serving
from tests.helpers.media import ffmpeg

pytestmark = pytest.mark.browser

NAME, PASSWORD = "editor", "correct horse battery"
# Markup in a speaker's name: would set window.__xss if it ever reached the page as HTML.
NAME_PAYLOAD = '<img src=x onerror="window.__xss=1">Jane<script>window.__xss=2</script>'
# ... and in a correction, with a word of its own to search for.
FIX_PAYLOAD = ('<img src=x onerror="window.__xss=3"> quixotic '
               '<script>window.__xss=4</script><b onmouseover="window.__xss=5">bold</b>')
JOB_URL = re.compile(r"/staff/jobs/([0-9a-f]{12})$")
DONE = 180_000  # ms: a background ingest of the clip with tiny.en, with room for a slow machine
CLIP_SECONDS = 15
# Spoken about 3 s into the example ("This is the fourth bargaining session ..."), so in the clip.
CLIP_WORD = "fourth"


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    """The example's first 15 seconds as Ogg/Opus: a new recording, not the example's bytes."""
    path = tmp_path_factory.mktemp("upload") / "opening.ogg"
    ffmpeg("-t", str(CLIP_SECONDS), "-i", str(EXAMPLE), "-c:a", "libopus", str(path))
    return path


@pytest.fixture
def staff_archive(archive_copy):
    """A private copy of the example archive with one staff account."""
    staff.add(archive_copy, NAME, PASSWORD)
    return archive_copy


@pytest.fixture
def site(staff_archive):
    """The app over the staff archive, served over real HTTP."""
    with serving(staff_archive) as url:
        yield url


@pytest.fixture
def bare_page(browser):
    """A page that ignores the site's Content-Security-Policy, so that escaping alone stands
    between a payload and running it; JavaScript errors and dialogs on it fail the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    errors: list[str] = []
    dialogs: list[str] = []

    def dismiss(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", dismiss)
    yield page
    context.close()
    assert errors == []
    assert dialogs == []


def assert_inert(page, where: str) -> None:
    """Nothing of a payload ran or became markup: no flag, no injected element, no request."""
    page.wait_for_load_state("load")
    assert page.evaluate("typeof window.__xss") == "undefined", where
    assert page.locator('img[src="x"]').count() == 0, where
    assert page.evaluate("document.images.length") == 0, where
    assert page.evaluate("""() => Array.from(document.scripts)
        .filter((s) => s.textContent.includes('__xss')).length""") == 0, where
    assert page.locator("[onerror], [onmouseover]").count() == 0, where
    fetched = page.evaluate("""() => performance.getEntriesByType('resource')
        .map((e) => new URL(e.name).pathname).filter((p) => p.endsWith('/x'))""")
    assert fetched == [], where


def assert_csp(response) -> None:
    """The page also carries the policy that forbids inline script (a second line of defence)."""
    assert response.status == 200, response.url
    assert "script-src 'self'" in response.headers["content-security-policy"]


def cues(page) -> list[dict]:
    """The captions track's cues as the browser parsed them: raw text, and as HTML."""
    page.evaluate("document.getElementById('player').textTracks[0].mode = 'hidden'")
    page.wait_for_function("() => document.querySelector('#player track').readyState === 2",
                           timeout=20_000)
    return page.evaluate("""() => Array.from(document.getElementById('player').textTracks[0].cues,
        (c) => { const html = c.getCueAsHTML();
                 const voice = html.querySelector('span[title]');
                 return {start: c.startTime, end: c.endTime, text: c.text,
                         shown: html.textContent, voice: voice && voice.title,
                         elements: Array.from(html.querySelectorAll('*'),
                                              (e) => e.tagName.toLowerCase())}; })""")


# --- markup typed by staff stays text ----------------------------------------------------------


def test_markup_in_a_speaker_name_is_inert_everywhere(bare_page, site, staff_archive,
                                                      example_id):
    page = bare_page
    log_in(page, site, NAME, PASSWORD)
    staff_url = f"{site}/staff/sessions/{example_id}"
    page.goto(staff_url)
    form = page.locator("#speaker-S1")
    name = form.get_by_label("Name of Speaker 1")
    name.press_sequentially(NAME_PAYLOAD)
    assert name.input_value() == NAME_PAYLOAD
    form.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{staff_url}#speaker-S1")
    expect(page.locator("ul.flashes")).to_have_text("Speaker saved.")

    # Stored as typed, character for character.
    transcript = staff_archive.transcript(example_id)
    assert {s.id: s.name for s in transcript.speakers}["S1"] == NAME_PAYLOAD
    said = [s for s in transcript.segments if s.speaker == "S1"]
    assert said

    # The staff page shows it back as the field's value and as the transcript's speaker.
    assert_inert(page, "staff page after saving")
    assert page.locator("#speaker-S1").get_by_label("Name of Speaker 1").input_value() == \
        NAME_PAYLOAD
    shown = page.locator("#transcript li .speaker").all_text_contents()
    assert shown.count(NAME_PAYLOAD) == len(said)

    # The public session page: the speakers table, every line of theirs, and the captions.
    response = page.goto(f"{site}/sessions/{example_id}")
    assert_csp(response)
    assert_inert(page, "public session page")
    row = page.locator("section.speakers tr[data-speaker=S1]")
    assert row.locator("a.speaker").text_content() == NAME_PAYLOAD
    lines = page.locator("#transcript li .speaker[data-speaker=S1]")
    assert lines.count() == len(said)
    assert set(lines.all_text_contents()) == {NAME_PAYLOAD}
    theirs = [c for c in cues(page) if any(s.start <= c["start"] < s.end for s in said)]
    assert theirs
    for cue in theirs:
        assert cue["voice"] == NAME_PAYLOAD, cue
        assert cue["text"].startswith("<v &lt;img src=x"), cue
        assert "img" not in cue["elements"] and "script" not in cue["elements"], cue
        assert "__xss" not in cue["shown"], cue
    assert_inert(page, "public session page with captions")

    # Their name in the speakers table leads to their page, and it to the search filtered by
    # them.
    row.locator("a.speaker").click()
    page.wait_for_url(re.compile(r"/people/"))
    assert_inert(page, "the speaker's page")
    assert page.locator("h1").text_content() == NAME_PAYLOAD
    page.get_by_role("link", name=f"Everything {NAME_PAYLOAD} said").click()
    page.wait_for_url(re.compile(r"/search\?"))
    assert parse_qs(urlsplit(page.url).query) == {"speaker": [NAME_PAYLOAD], "sort": ["newest"]}
    assert_inert(page, "search filtered by the speaker")
    assert page.locator("p.count strong.speaker-filter").text_content() == NAME_PAYLOAD
    assert page.locator("p.count strong").first.text_content() == str(len(said))
    hits = page.locator("ol.hits li.hit")
    # One session: its entry holds its best ten moments, three shown and the rest under "more".
    assert hits.count() == min(len(said), 10)
    assert set(hits.locator(".meta .speaker").all_text_contents()) == {NAME_PAYLOAD}
    chosen = page.locator("select[name=speaker] option:checked")
    assert chosen.text_content() == NAME_PAYLOAD
    assert chosen.get_attribute("value") == NAME_PAYLOAD
    assert page.title().startswith(NAME_PAYLOAD)
    # The same search typed by hand, with the name in the address.
    page.goto(f"{site}/search?speaker={quote(NAME_PAYLOAD)}&q=teachers")
    assert_inert(page, "search for a word said by the speaker")
    assert page.locator("p.count strong.speaker-filter").text_content() == NAME_PAYLOAD

    # And the staff page again, loaded afresh.
    response = page.goto(staff_url)
    assert_csp(response)
    assert_inert(page, "staff page reloaded")
    assert page.locator("#speaker-S1").get_by_label("Name of Speaker 1").input_value() == \
        NAME_PAYLOAD


def test_markup_in_a_correction_is_inert_everywhere(bare_page, site, staff_archive,
                                                    example_id):
    page = bare_page
    before = staff_archive.transcript(example_id).segments[0].text.strip()
    after = f"{before} {FIX_PAYLOAD}"
    log_in(page, site, NAME, PASSWORD)
    staff_url = f"{site}/staff/sessions/{example_id}"
    page.goto(staff_url)
    line = page.locator("#seg-0")
    text = line.locator("textarea[name=text]")
    assert text.input_value() == before
    text.click()
    page.keyboard.press("Control+End")
    text.press_sequentially(f" {FIX_PAYLOAD}")
    assert text.input_value() == after
    line.get_by_role("button", name="Correct").click()
    page.wait_for_url(f"{staff_url}#seg-0")
    expect(page.locator("ul.flashes")).to_have_text("Correction saved and logged.")

    transcript = staff_archive.transcript(example_id)
    assert transcript.segments[0].text.strip() == after
    assert [(c.before, c.after) for c in transcript.corrections] == [(before, after)]

    # The staff page: the field holds the text, and the log shows it as text.
    assert_inert(page, "staff page after correcting")
    assert page.locator("#seg-0 textarea[name=text]").input_value() == after
    assert page.locator("section.corrections .correction-log ins").all_text_contents() == [after]
    assert page.locator("section.corrections .correction-log del").all_text_contents() == \
        [before]

    # The public session page: the transcript line, the correction log and the captions.
    response = page.goto(f"{site}/sessions/{example_id}")
    assert_csp(response)
    assert_inert(page, "public session page")
    assert page.locator("#seg-0 .text").text_content().strip() == after
    log = page.locator("section.corrections .correction-log li")
    assert log.count() == 1
    assert log.locator("ins").text_content() == after
    assert log.locator("del").text_content() == before
    assert "<img src=x" in log.text_content()
    first = transcript.segments[0]
    mine = [c for c in cues(page) if first.start <= c["start"] <= first.end]
    assert mine
    for cue in mine:
        assert "img" not in cue["elements"] and "script" not in cue["elements"], cue
        assert "b" not in cue["elements"], cue  # WebVTT knows <b>: escaped, it stays text
    assert " ".join(c["shown"] for c in mine) == after
    assert_inert(page, "public session page with captions")

    # Search for a word of the correction, typed into the search box.
    page.locator("header.site input[name=q]").fill("quixotic")
    page.locator("header.site input[name=q]").press("Enter")
    page.wait_for_url(re.compile(r"/search\?"))
    assert_inert(page, "search results")
    assert page.locator("p.count").inner_text() == "1 moment in 1 session for quixotic"
    hit = page.locator("ol.hits li.hit")
    assert hit.locator(".snippet").text_content() == after
    assert hit.locator(".snippet mark").all_text_contents() == ["quixotic"]
    assert hit.locator(".snippet b").count() == 0
    assert hit.locator("a.jump").get_attribute("href").startswith(f"/sessions/{example_id}?t=")
    # A search for the markup's own words finds it, and shows it as text too.
    page.goto(f"{site}/search?q=onerror")
    assert_inert(page, "search results for onerror")
    assert page.locator("ol.hits li.hit .snippet").all_text_contents() == [after]


# --- recordings uploaded from the browser ------------------------------------------------------


def upload(page, url: str, path, title: str, date: str = "2026-11-02",
           unit: str = "Teachers") -> str:
    """Fill the upload form, send the file and land on its job page; returns the job id."""
    page.goto(f"{url}/staff/upload")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Date").fill(date)
    page.get_by_label("Bargaining unit").fill(unit)
    page.set_input_files("input[name=recording]", str(path))
    page.get_by_role("button", name="Add").click()
    page.wait_for_url(JOB_URL, timeout=60_000)
    return JOB_URL.search(page.url).group(1)


def job_json(page, url: str, job_id: str) -> dict:
    """A job's record as its status URL gives it, with this browser's login."""
    response = page.request.get(f"{url}/staff/jobs/{job_id}.json")
    assert response.status == 200
    return response.json()


def test_give_a_line_to_another_speaker_and_see_it_in_public(page, site, staff_archive,
                                                              example_id):
    transcript = staff_archive.transcript(example_id)
    seg = segment_saying(transcript, "keep bargaining")
    index = transcript.segments.index(seg)
    before = transcript.speaker_name(seg.speaker)
    other = next(s for s in transcript.speakers if s.id != seg.speaker)
    log_in(page, site, NAME, PASSWORD)
    staff_url = f"{site}/staff/sessions/{example_id}"
    page.goto(staff_url)
    line = page.locator(f"#seg-{index}")
    line.locator("form.line-speaker-form select").select_option(label=other.display)
    line.get_by_role("button", name="Change speaker").click()
    page.wait_for_url(f"{staff_url}#seg-{index}")
    expect(page.locator("ul.flashes")).to_have_text("Speaker of the line changed and logged.")
    expect(page.locator(f"#seg-{index} .speaker")).to_have_text(other.display)

    page.goto(f"{site}/sessions/{example_id}")
    expect(page.locator(f"#seg-{index} .speaker")).to_have_text(other.display)
    assert page.locator(f"#seg-{index} .speaker").get_attribute("data-speaker") == other.id
    entry = page.locator("section.corrections ol.correction-log li")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text(f"speaker changed from {before} to {other.display}")
    # The log's time plays the line.
    entry.locator("a.ts").click()
    page.wait_for_function(f"() => Math.abs(document.getElementById('player').currentTime"
                           f" - {seg.start}) < 0.5")


def test_upload_from_the_browser_to_a_published_searchable_session(page, site, staff_archive,
                                                                   example_id, clip):
    title = "Opening remarks (uploaded)"
    before = set(staff_archive.ids())
    log_in(page, site, NAME, PASSWORD)
    job_id = upload(page, site, clip, title)

    # The job page follows the job: first its stage and progress ...
    box = page.locator("section.job")
    assert box.get_attribute("data-state") in ("queued", "running")
    assert page.locator("h1").text_content() == title
    assert page.locator("p.meta").text_content() == "opening.ogg · 2026-11-02 · Teachers"
    assert page.locator(".job-state[role=status]").text_content().endswith("…")
    assert page.locator("section.job progress").count() == 1
    # ... then, reloaded by job.js when the job ends, the finished state.
    done = page.locator(".job-done")
    expect(done).to_be_visible(timeout=DONE)
    assert box.get_attribute("data-state") == "done"
    assert done.text_content().strip().startswith("Done:")
    assert page.locator("section.job progress").count() == 0
    record = job_json(page, site, job_id)
    assert (record["state"], record["error"], record["existed"]) == ("done", "", False)
    session_id = record["session_id"]
    assert set(staff_archive.ids()) == before | {session_id}

    # A draft: not public, not searchable.
    assert page.request.get(f"{site}/sessions/{session_id}").status == 404
    assert page.request.get(f"{site}/sessions/{session_id}/media").status == 404
    assert [h["session"] for h in get_json(f"{site}/api/search?q={CLIP_WORD}")["hits"]] == \
        [example_id]

    # Review it: the staff page shows the draft with the word in its transcript.
    page.get_by_role("link", name="review and publish the session").click()
    page.wait_for_url(f"{site}/staff/sessions/{session_id}")
    assert page.locator("article.staff-session h1").text_content() == title
    assert page.locator("p.meta .state").first.text_content() == "draft"
    texts = page.locator("#transcript textarea[name=text]").evaluate_all(
        "(fields) => fields.map((f) => f.value)")
    assert any(CLIP_WORD in t.lower().split() for t in texts), texts
    transcript = staff_archive.transcript(session_id)
    said_at = phrase_start(transcript, CLIP_WORD)
    assert said_at < CLIP_SECONDS
    assert transcript.session.duration == pytest.approx(CLIP_SECONDS, abs=0.5)

    page.get_by_role("button", name="Publish").click()
    expect(page.locator("ul.flashes")).to_have_text("Published: it is now public.")
    assert page.locator("p.meta .state").first.text_content() == "published"
    assert staff_archive.session(session_id).state == "published"

    # The public finds it by a word said in it, and the hit plays from that moment.
    page.goto(f"{site}/")
    page.locator("input[name=q]").first.fill(CLIP_WORD)
    page.locator("input[name=q]").first.press("Enter")
    page.wait_for_url(re.compile(r"/search\?"))
    assert page.locator("p.count").inner_text() == f"2 moments in 2 sessions for {CLIP_WORD}"
    ours = page.locator(f'li.group[data-session="{session_id}"] li.hit')
    assert ours.count() == 1
    assert ours.locator("mark").all_text_contents() == ["fourth"]
    (hit,) = [h for h in get_json(f"{site}/api/search?q={CLIP_WORD}")["hits"]
              if h["session"] == session_id]
    ours.locator("a.jump").click()
    page.wait_for_url(re.compile(rf"/sessions/{re.escape(session_id)}\?t="))
    assert page.locator("article.session h1").text_content() == title
    t = parse_qs(urlsplit(page.url).query)["t"]
    assert t == [link_time(hit["start"])]
    assert_link_time(float(t[0]), said_at)
    at = player_time(page)
    assert abs(at - hit["start"]) <= 0.5
    current = page.locator("#transcript li.current")
    expect(current).to_have_count(1)
    assert CLIP_WORD in current.locator(".text").text_content().lower()
    # It plays on from there.
    page.evaluate("document.getElementById('player').play()")
    page.wait_for_function("(t) => document.getElementById('player').currentTime > t",
                           arg=at + 0.5, timeout=20_000)
    assert page.evaluate("document.getElementById('player').currentTime") < at + 10


@pytest.fixture
def attempts(monkeypatch):
    """The recordings the background worker tried to ingest, in order (it runs in this
    process): a job run again shows up again."""
    calls: list[str] = []
    real = service.ingest

    def ingest(archive, source, *args, **kwargs):
        calls.append(source.name)
        return real(archive, source, *args, **kwargs)

    monkeypatch.setattr(service, "ingest", ingest)
    return calls


def test_a_failed_job_shows_its_error_and_can_be_retried_and_discarded(page, site,
                                                                        staff_archive,
                                                                        tmp_path, attempts):
    bad = tmp_path / "notes.mp4"
    bad.write_text("Minutes of the meeting, not a recording.\n" * 40)
    before = staff_archive.ids()
    log_in(page, site, NAME, PASSWORD)
    job_id = upload(page, site, bad, "Not a recording")

    error = page.locator(".job-error[role=alert]")
    expect(error).to_be_visible(timeout=60_000)
    assert page.locator("section.job").get_attribute("data-state") == "failed"
    message = error.text_content()
    assert message.startswith("notes.mp4: not a readable recording"), message
    assert job_json(page, site, job_id)["error"] == message
    assert attempts == ["notes.mp4"]
    assert staff_archive.ids() == before
    assert (staff_archive.root / ".jobs" / job_id / "in" / "notes.mp4").is_file()

    # The staff list shows it as failed.
    page.goto(f"{site}/staff/")
    row = page.locator(f"tr[data-job='{job_id}']")
    assert row.locator("td.job-state").text_content() == "failed"
    assert row.locator("td").nth(1).text_content() == "Not a recording"
    row.get_by_role("link", name="notes.mp4").click()
    page.wait_for_url(f"{site}/staff/jobs/{job_id}")

    # Retry: queued again, run again, and (the file is still no recording) failed again.
    page.get_by_role("button", name="Retry").click()
    page.wait_for_url(f"{site}/staff/jobs/{job_id}")
    expect(page.locator("ul.flashes")).to_have_text("Queued again.")
    expect(error).to_be_visible(timeout=60_000)
    assert error.text_content() == message
    assert attempts == ["notes.mp4", "notes.mp4"]
    assert job_json(page, site, job_id)["state"] == "failed"
    assert staff_archive.ids() == before

    # Discard: gone from the list, and its recording with it.
    page.get_by_role("button", name="Discard").click()
    page.wait_for_url(f"{site}/staff/")
    expect(page.locator("ul.flashes")).to_have_text("Job removed.")
    assert page.locator(f"tr[data-job='{job_id}']").count() == 0
    assert not (staff_archive.root / ".jobs" / job_id).exists()
    assert page.request.get(f"{site}/staff/jobs/{job_id}.json").status == 404
    assert staff_archive.ids() == before


@pytest.fixture
def gates(monkeypatch):
    """Hold the background job twice: before it starts (queued), and as it begins
    transcribing (running); each `entered` event says it got there, `go` lets it on."""
    gate = {k: threading.Event() for k in ("queued", "running", "go-queued", "go-running")}
    real_run, real_start = jobs.run, jobs.JobProgress.start

    def run(archive, job_id, *args, **kwargs):
        gate["queued"].set()
        gate["go-queued"].wait(120)
        return real_run(archive, job_id, *args, **kwargs)

    def start(self, stage, total):
        real_start(self, stage, total)
        if stage == "transcribing":
            gate["running"].set()
            gate["go-running"].wait(120)

    monkeypatch.setattr(jobs, "run", run)
    monkeypatch.setattr(jobs.JobProgress, "start", start)
    yield gate
    for event in gate.values():  # never leave the worker waiting
        event.set()


def test_the_job_page_survives_a_reload(page, site, staff_archive, clip, gates):
    log_in(page, site, NAME, PASSWORD)
    job_id = upload(page, site, clip, "Reloaded while working")
    assert gates["queued"].wait(30)
    box = page.locator("section.job")
    status = page.locator(".job-state[role=status]")

    # Queued: a reload finds the job still waiting.
    assert box.get_attribute("data-state") == "queued"
    expect(status).to_have_text("Waiting to start…")
    response = page.reload()
    assert response.status == 200 and JOB_URL.search(page.url).group(1) == job_id
    assert box.get_attribute("data-state") == "queued"
    expect(status).to_have_text("Waiting to start…")
    assert page.locator("h1").text_content() == "Reloaded while working"

    # Running: job.js shows the stage as it goes, and a reload finds it there too.
    gates["go-queued"].set()
    assert gates["running"].wait(60)
    expect(status).to_have_text("Transcribing…", timeout=15_000)
    assert job_json(page, site, job_id)["state"] == "running"
    page.reload()
    assert box.get_attribute("data-state") == "running"
    expect(status).to_have_text("Transcribing…")
    assert page.locator("section.job progress").count() == 1
    assert re.fullmatch(r"\d{1,3}%", page.locator("section.job .percent").text_content())

    # Let it finish: the reloaded page still follows it to the end.
    gates["go-running"].set()
    expect(page.locator(".job-done")).to_be_visible(timeout=DONE)
    assert box.get_attribute("data-state") == "done"
    record = job_json(page, site, job_id)
    assert record["state"] == "done"
    assert record["session_id"] in staff_archive.ids()
    page.get_by_role("link", name="review and publish the session").click()
    page.wait_for_url(f"{site}/staff/sessions/{record['session_id']}")
    assert page.locator("p.meta .state").first.text_content() == "draft"


def test_a_job_running_before_its_first_stage_says_what_it_is_doing(page, site, clip,
                                                                     monkeypatch):
    """Between taking up a job and its first stage (checking and probing the recording, which
    for gigabytes takes a while), the page says more than an ellipsis."""
    probing, go = threading.Event(), threading.Event()
    real = media.probe

    def probe(path):
        probing.set()
        go.wait(120)
        return real(path)

    monkeypatch.setattr(media, "probe", probe)
    try:
        log_in(page, site, NAME, PASSWORD)
        job_id = upload(page, site, clip, "Probed slowly")
        assert probing.wait(60)
        assert job_json(page, site, job_id)["state"] == "running"
        page.reload()
        assert page.locator("section.job").get_attribute("data-state") == "running"
        shown = page.locator(".job-state[role=status]").text_content()
        assert re.search(r"\w", shown), f"the running job's status reads only {shown!r}"
    finally:
        go.set()
    expect(page.locator(".job-done")).to_be_visible(timeout=DONE)
