"""The web search pages over the Flask test client: home, results, pages, unreadable queries."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import Tag
from markupsafe import escape

from index.store import SearchIndex
from ontherecord.archive import Archive
from search_app import create_app
from search_app.settings import defaults
from tests.helpers.example import assert_link_time, segment_saying
from tests.helpers.html import (
    count_line,
    no_traceback,
    page_of,
    parse_html,
    result_hits,
    squash,
    t_of,
)
from tests.helpers.http import client_over
from tests.helpers.transcripts import commit, make_transcript

# More sessions than one page of grouped results holds, by default.
MANY = defaults()["SESSIONS_PER_PAGE"] + 2


@pytest.fixture
def small_pages(example_archive):
    """A client for the example archive with two hits a page."""
    return client_over(example_archive, PAGE_SIZE=2)


def day(n: int) -> str:
    """The date of hand-made session n (1 to MANY): one a day, in order."""
    return f"2026-01-{n:02d}"


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    """A client over MANY hand-made sessions (no ingest), session n on day n saying "salary"
    in n of its lines (so the last ones have more moments than a group shows)."""
    archive = Archive(tmp_path_factory.mktemp("many") / "archive")
    for n in range(1, MANY + 1):
        lines = [(5.0 * k, 5.0 * k + 4, None, f"Line {k}: the salary offer, take {k}.")
                 for k in range(n)]
        lines.append((5.0 * n, 5.0 * n + 4, None, "Nothing about money here."))
        commit(archive, make_transcript(f"{day(n)}-session-{n}", f"Session {n}", day(n),
                                        "Teachers", lines))
    SearchIndex(archive.index_dir).rebuild_from(archive)
    return client_over(archive)


def groups_of(page) -> list:
    """The session groups (li.group) of a results page."""
    return page.find_all("li", class_="group")


# --- home ------------------------------------------------------------------------------------


def test_home_lists_the_session(client, example_archive, example_id):
    response = client.get("/")
    assert response.status_code == 200
    page = parse_html(response.get_data(as_text=True))
    session = example_archive.session(example_id)
    (link,) = [a for a in page.find("ul", class_="sessions").find_all("a")
               if a.get("href") == f"/sessions/{example_id}"]
    assert link.text == session.title
    item = squash(page.find("ul", class_="sessions").find("li").text)
    minutes, secs = divmod(int(session.duration), 60)
    assert f"{session.date} · {session.unit} · {minutes}:{secs:02d}" in item
    assert page.find("form", role="search").get("action") == "/search"


def test_home_of_an_empty_archive(tmp_path):
    client = create_app({"ARCHIVE": str(tmp_path / "none"), "TESTING": True}).test_client()
    response = client.get("/")
    assert response.status_code == 200
    assert "No sessions in the archive yet." in response.get_data(as_text=True)
    # Searching an empty archive is an empty answer, not an error.
    response = client.get("/search?q=salary")
    assert response.status_code == 200
    page = parse_html(response.get_data(as_text=True))
    assert count_line(page) == "0 moments in 0 sessions for salary"
    assert result_hits(page) == [] and groups_of(page) == []


# --- results ---------------------------------------------------------------------------------


def test_results_show_count_snippet_session_and_timestamp(client, example_archive, example_id):
    response = client.get("/search", query_string={"q": '"class size caps"'})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    page = parse_html(body)
    assert count_line(page) == '1 moment in 1 session for "class size caps"'
    # One group: the session, its title linking to its page (keeping the query), its date,
    # unit and count, and its one hit (no "more", no link to all of them).
    (group,) = groups_of(page)
    assert group.get("data-session") == example_id
    (shown,) = result_hits(page)
    hit = shown.tag
    assert (shown.session, shown.title) == (example_id, example_archive.session(example_id).title)
    heading = group.find("h2").find("a")
    assert urlsplit(heading.get("href")).path == f"/sessions/{example_id}"
    assert parse_qs(urlsplit(heading.get("href")).query) == {"q": ['"class size caps"']}
    group_meta = group.find("p", class_="meta")
    assert squash(group_meta.find("span", class_="group-count").text) == "1 moment"
    assert group.find_all("details") == [] and group.find_all("p", class_="all") == []
    # The matched words are marked in the snippet, and the words after them are not.
    said = segment_saying(example_archive.transcript(example_id), "class size caps").text.split()
    assert [w.lower() for w in said[:3]] == ["class", "size", "caps"]
    marked = " ".join([*(f"<mark>{escape(w)}</mark>" for w in said[:3]),
                       *map(escape, said[3:5])])
    assert marked in body
    session = example_archive.session(example_id)
    assert session.date in squash(group_meta.text) and session.unit in squash(group_meta.text)
    assert group_meta.find("time").get("datetime") == session.date
    # Who said it: the speaker of the segment that holds the hit.
    transcript = example_archive.transcript(example_id)
    speaker = segment_saying(transcript, "class size caps").speaker
    assert speaker
    assert hit.find("span", class_="speaker").text == transcript.speaker_name(speaker)
    # The timestamp links to the session page at that second, with the query.
    (truth,) = SearchIndex(example_archive.index_dir).search('"class size caps"').hits
    jump = hit.find("a", class_="jump")
    assert urlsplit(jump.get("href")).path == f"/sessions/{example_id}"
    assert_link_time(t_of(jump.get("href")), truth.start)
    assert parse_qs(urlsplit(jump.get("href")).query)["q"] == ['"class size caps"']
    minutes, secs = divmod(int(truth.start), 60)
    assert squash(jump.find("span", class_="ts").text) == f"{minutes}:{secs:02d}"
    # The query stays in the search box.
    assert page.find("input", attrs={"name": "q"}).get("value") == '"class size caps"'
    # The session's own list: the hit's meta line names the session, its date and unit.
    alone = page_of(client, "/search", q='"class size caps"', session=example_id)
    assert count_line(alone) == f'1 moment for "class size caps" in {session.title} ' \
                                "(all sessions)"
    (shown,) = result_hits(alone)
    assert (shown.session, shown.title) == (example_id, session.title)
    meta = squash(shown.tag.find("div", class_="meta").text)
    assert session.date in meta and session.unit in meta
    assert shown.tag.find("time").get("datetime") == session.date
    assert shown.tag.find("a", class_="jump").get("href") == jump.get("href")


def test_result_link_opens_the_session_at_the_hit(client, example_id):
    page = parse_html(client.get("/search?q=strike").get_data(as_text=True))
    href = page.find("a", class_="jump").get("href")
    session_page = parse_html(client.get(href).get_data(as_text=True))
    player = session_page.find("audio", id="player")
    assert float(player.get("data-start")) == pytest.approx(t_of(href))


def test_hit_links_keep_the_prefix_the_app_is_mounted_under(client, example_id):
    body = client.get("/search?q=strike", environ_overrides={"SCRIPT_NAME": "/records"})
    page = parse_html(body.get_data(as_text=True))
    jumps = page.find_all("a", class_="jump")
    assert jumps
    for link in jumps:
        assert urlsplit(link.get("href")).path == f"/records/sessions/{example_id}"


def test_counts_in_plural(client, many):
    page = parse_html(client.get("/search?q=district").get_data(as_text=True))
    count = count_line(page)
    assert re.fullmatch(r"(\d+) moments in 1 session for district", count)
    # One session, with fewer moments than a group shows: every one of them is on the page.
    (group,) = groups_of(page)
    assert int(count.split()[0]) == len(result_hits(page)) > 1
    assert squash(group.find("span", class_="group-count").text) == f"{count.split()[0]} moments"
    # Many sessions: the moments of all of them, on every page of sessions.
    total = MANY * (MANY + 1) // 2
    page = page_of(many, "/search", q="salary")
    assert count_line(page) == f"{total} moments in {MANY} sessions for salary"
    counts = {}
    for number in (1, 2):
        for group in groups_of(page_of(many, "/search", q="salary", page=number)):
            counts[group.get("data-session")] = \
                int(group.find("span", class_="group-count").text.split()[0])
    assert len(counts) == MANY and sum(counts.values()) == total


def test_no_results(client):
    response = client.get("/search?q=arbitration")
    assert response.status_code == 200
    page = parse_html(response.get_data(as_text=True))
    assert count_line(page) == "0 moments in 0 sessions for arbitration"
    assert page.find_all("li", class_="hit") == [] and groups_of(page) == []
    assert page.find_all("nav", class_="pages") == []


def assert_page_links(page, number: int, pages: int, kept: dict[str, list[str]]) -> None:
    """Page `number` of `pages` says so, and links to the pages either side keeping `kept`."""
    nav = page.find("nav", class_="pages")
    assert f"Page {number} of {pages}" in squash(nav.text)
    prev = nav.find_all("a", rel="prev")
    after = nav.find_all("a", rel="next")
    assert bool(prev) == (number > 1)
    assert bool(after) == (number < pages)
    for link, target in ((prev, number - 1), (after, number + 1)):
        if link:
            assert parse_qs(urlsplit(link[0].get("href")).query) == {**kept,
                                                                     "page": [str(target)]}


def test_results_are_split_into_pages(small_pages, example_archive, example_id):
    """One session's hits (?session=) come PAGE_SIZE a page."""
    total = SearchIndex(example_archive.index_dir).search("district").total
    assert total > 4, "the example needs more than two pages of 'district'"
    pages = -(-total // 2)
    seen = []
    for number in range(1, pages + 1):
        response = small_pages.get(f"/search?q=district&session={example_id}&page={number}")
        assert response.status_code == 200
        page = parse_html(response.get_data(as_text=True))
        assert groups_of(page) == []
        hits = result_hits(page)
        assert len(hits) == (2 if number < pages else total - 2 * (pages - 1))
        assert {h.session for h in hits} == {example_id}
        seen += [h.tag.find("a", class_="jump").get("href") for h in hits]
        # The query and the session are kept; the default order needs no argument.
        assert_page_links(page, number, pages, {"q": ["district"], "session": [example_id]})
    assert len(set(seen)) == total
    # The count is of all hits, not of this page.
    page = page_of(small_pages, "/search", q="district", session=example_id)
    title = example_archive.session(example_id).title
    assert count_line(page) == f"{total} moments for district in {title} (all sessions)"
    # PAGE_SIZE is not a page of sessions: grouped, the one session is one page.
    page = page_of(small_pages, "/search", q="district")
    assert page.find_all("nav", class_="pages") == []
    assert len(groups_of(page)) == 1 and len(result_hits(page)) == total


def test_sessions_are_split_into_pages(many):
    """Grouped results come SESSIONS_PER_PAGE sessions a page; a chosen sort is kept."""
    per_page = defaults()["SESSIONS_PER_PAGE"]
    pages = -(-MANY // per_page)
    assert pages == 2
    seen = []
    for number in range(1, pages + 1):
        page = page_of(many, "/search", q="salary", sort="newest", page=number)
        shown = [g.get("data-session") for g in groups_of(page)]
        assert len(shown) == (per_page if number < pages else MANY - per_page * (pages - 1))
        seen += shown
        assert_page_links(page, number, pages, {"q": ["salary"], "sort": ["newest"]})
    # Every session once, newest first across the pages.
    assert seen == [f"{day(n)}-session-{n}" for n in range(MANY, 0, -1)]


def test_a_session_shows_its_best_moments_then_more_then_a_link_to_all(many):
    shown, expanded = defaults()["HITS_PER_SESSION"], 10
    assert MANY > expanded > shown
    groups = {g.get("data-session"): g
              for number in (1, 2)
              for g in groups_of(page_of(many, "/search", q="salary", sort="newest",
                                         page=number))}
    for n in range(1, MANY + 1):
        session_id = f"{day(n)}-session-{n}"
        group = groups[session_id]
        assert squash(group.find("span", class_="group-count").text) == \
            ("1 moment" if n == 1 else f"{n} moments")
        # Its best moments first, as its own list ranks them; up to ten in all.
        first = group.find("ol", class_="hits", recursive=False)
        assert len(first.find_all("li", class_="hit")) == min(n, shown)
        more = group.find_all("details", class_="more")
        if n > shown:
            (more,) = more
            behind = more.find("ol", class_="hits").find_all("li", class_="hit")
            assert len(behind) == min(n, expanded) - shown
            assert squash(more.find("summary").text) == f"{len(behind)} more from this session"
        else:
            assert more == []
        best = many.get("/api/search", query_string={"q": "salary", "session": session_id})
        assert [t_of(a.get("href")) for a in group.find_all("a", class_="jump")] == \
            [t_of(h["url"]) for h in best.get_json()["hits"][:expanded]]
        # A link to all of them when not all are shown; it keeps the query and the order.
        link = group.find_all("p", class_="all")
        if n <= expanded:
            assert link == []
            continue
        (link,) = link
        assert squash(link.text) == f"All {n} moments in this session"
        href = link.find("a").get("href")
        assert parse_qs(urlsplit(href).query) == {"q": ["salary"], "session": [session_id],
                                                  "sort": ["newest"]}
        alone = parse_html(many.get(href).get_data(as_text=True))
        assert count_line(alone) == f"{n} moments for salary in Session {n} (all sessions)"
        assert len(result_hits(alone)) == n


def test_page_past_the_end_shows_the_last_page(small_pages, example_archive, example_id,
                                                many):
    total = SearchIndex(example_archive.index_dir).search("district").total
    pages = -(-total // 2)
    page = page_of(small_pages, "/search", q="district", session=example_id, page=999)
    assert f"Page {pages} of {pages}" in squash(page.find("nav", class_="pages").text)
    assert len(result_hits(page)) == total - 2 * (pages - 1)
    # Of sessions, too.
    per_page = defaults()["SESSIONS_PER_PAGE"]
    page = page_of(many, "/search", q="salary", page=999)
    assert "Page 2 of 2" in squash(page.find("nav", class_="pages").text)
    assert len(groups_of(page)) == MANY - per_page


def test_one_page_has_no_page_links(client):
    page = parse_html(client.get("/search?q=district").get_data(as_text=True))
    assert page.find_all("nav", class_="pages") == []


@pytest.mark.parametrize("sort", ["newest", "oldest", "relevance"])
def test_sort_orders(client, example_id, many, sort):
    alone = page_of(client, "/search", q="district", session=example_id, sort=sort)
    starts = [t_of(a.get("href")) for a in alone.find_all("a", class_="jump")]
    assert len(starts) > 1
    if sort in ("oldest", "newest"):
        # One session, so its hits come in the order they were said.
        assert starts == sorted(starts)
    # The chosen order is shown as chosen; the others are links that keep the query and the
    # session (relevance, the default, needs no argument).
    for page, kept in ((alone, {"q": ["district"], "session": [example_id]}),
                       (page_of(client, "/search", q="district", sort=sort),
                        {"q": ["district"]})):
        sorts = page.find("p", class_="sort")
        assert sorts.find("strong").text == sort
        links = sorts.find_all("a")
        assert len(links) == 2
        for link in links:
            query = parse_qs(urlsplit(link.get("href")).query)
            assert query.pop("sort", ["relevance"]) != [sort] and query == kept
    # Grouped, sessions come in the order of their dates.
    dates = [g.find("time").get("datetime")
             for number in (1, 2)
             for g in groups_of(page_of(many, "/search", q="salary", sort=sort, page=number))]
    assert sorted(dates) == [day(n) for n in range(1, MANY + 1)]
    if sort != "relevance":
        assert dates == sorted(dates, reverse=sort == "newest")


def test_empty_query_goes_home(client):
    for url in ("/search?q=", "/search?q=+++", "/search", "/search?q=&speaker=+"):
        response = client.get(url)
        assert response.status_code == 302
        assert urlsplit(response.headers["Location"]).path == "/"


@pytest.mark.parametrize(("query", "says"), [
    ('"class size', "unclosed quote"),
    ("(class OR size", "unbalanced parentheses"),
    ("date:[2026-01-01 TO", "unclosed range"),
    ("colour:red", "unknown field 'colour'"),
    ("salary AND", "nothing on one side"),
    ("x" * 501, "too long"),
    ("NOT NOT salary", "both sides of"),
])
def test_unreadable_query_is_a_400_that_says_why(client, query, says):
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    no_traceback(body)
    page = parse_html(body)
    alert = squash(page.find("p", role="alert").text)
    assert alert.startswith("Could not read that query:")
    assert says in alert
    # The query is kept so it can be fixed.
    assert page.find("input", attrs={"name": "q"}).get("value") == query.strip()


@pytest.mark.parametrize(("args", "says"), [
    ("page=x", "page must be a whole number"),
    ("page=0", "page must be a whole number"),
    ("page=-1", "page must be a whole number"),
    ("page=1.5", "page must be a whole number"),
    ("sort=sideways", "sort must be one of relevance, newest, oldest"),
])
def test_bad_page_or_sort_is_a_400(client, args, says):
    response = client.get(f"/search?q=salary&{args}")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    no_traceback(body)
    assert says in squash(parse_html(body).find("p", class_="error").text)


# --- escaping --------------------------------------------------------------------------------


def test_results_escape_what_was_said_and_the_session_fields(made_client):
    response = made_client.get("/search?q=salary&sort=oldest")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<script>" not in body
    assert "<b>title</b>" not in body and "<i>Staff</i>" not in body
    assert "<em>Evil</em>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>salary</mark> &amp; budget" in body
    page = parse_html(body)
    assert len(result_hits(page)) == 3
    # The oldest session first: the hostile one, its fields shown as text.
    first = groups_of(page)[0]
    hostile = first.get("data-session")
    assert first.find("h2").find("a").text == "Hostile <b>title</b>"
    assert "Teachers & <i>Staff</i>" in first.find("p", class_="meta").text
    (said,) = [h for h in result_hits(page) if "alert(1)" in h.tag.text]
    assert said.session == hostile
    assert said.tag.find("span", class_="speaker").text == "<em>Evil</em> Name"
    # Only <mark> elements were added inside the snippet.
    snippet = said.tag.find("span", class_="snippet")
    assert {c.name for c in snippet.children if isinstance(c, Tag)} == {"mark"}
    # The session's own list names the session on each hit, as text too.
    response = made_client.get("/search", query_string={"q": "salary", "session": hostile})
    body = response.get_data(as_text=True)
    assert "<b>title</b>" not in body and "<i>Staff</i>" not in body
    assert "<em>Evil</em>" not in body and "<script>" not in body
    hits = result_hits(parse_html(body))
    assert len(hits) == 2
    for hit in hits:
        assert hit.title == "Hostile <b>title</b>"
        assert "Teachers & <i>Staff</i>" in hit.tag.find("div", class_="meta").text
        assert hit.tag.find("span", class_="speaker").text == "<em>Evil</em> Name"


def test_query_is_escaped_back_into_the_page(client):
    query = '"<script>alert(1)</script>'
    body = client.get("/search", query_string={"q": query}).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    body = client.get("/search", query_string={"q": "<b>salary</b>"}).get_data(as_text=True)
    assert "<b>salary</b>" not in body


def test_site_header_links(client):
    page = parse_html(client.get("/search?q=salary").get_data(as_text=True))
    assert page.find("a", class_="brand").get("href") == "/"
    assert any(a.get("href") == "/sessions/" for a in page.find("header").find_all("a"))
    assert Path(page.find("link", rel="stylesheet").get("href")).name == "style.css"
    assert client.get(page.find("link", rel="stylesheet").get("href")).status_code == 200


# --- filters beside the results, and did you mean --------------------------------------------


def facet_links(page, name: str) -> dict[str, tuple[int, str]]:
    """A facet's values as the page offers them: value → (count, link)."""
    section = page.find("section", attrs={"data-facet": name})
    return {squash(a.find("span", class_="value").text):
            (int(a.find("span", class_="count").text), a.get("href"))
            for a in section.find_all("a")}


def test_facets_beside_the_results_count_each_value(faceted_client):
    page = page_of(faceted_client, "/search", q="salary")
    assert count_line(page) == "5 moments in 3 sessions for salary"
    assert {k: n for k, (n, _) in facet_links(page, "side").items()} == {"district": 3,
                                                                        "union": 2}
    assert {k: n for k, (n, _) in facet_links(page, "unit").items()} == {
        "Teachers": 3, "Education Support Professionals": 2}
    # Topics are offered by name.
    assert {k: n for k, (n, _) in facet_links(page, "topic").items()} == {
        "Compensation": 4, "Class size and caseloads": 1}


@pytest.mark.parametrize(("facet", "value", "line", "sessions"), [
    ("side", "union", "2 moments in 2 sessions", 2),
    ("unit", "Teachers", "3 moments in 2 sessions", 2),
    ("speaker", "Dana Whitfield", "3 moments in 3 sessions", 3),
    ("topic", "Class size and caseloads", "1 moment in 1 session", 1),
])
def test_following_a_facet_narrows_the_results(faceted_client, facet, value, line, sessions):
    page = page_of(faceted_client, "/search", q="salary")
    _, link = facet_links(page, facet)[value]
    narrowed = page_of(faceted_client, link)
    assert count_line(narrowed).startswith(line)
    assert len(narrowed.find_all("li", class_="group")) == sessions
    # The chosen value is marked, keeps its count, and its link takes the filter off.
    chosen = narrowed.find("section", attrs={"data-facet": facet}).find("a", class_="chosen")
    assert squash(chosen.find("span", class_="value").text) == value
    widened = page_of(faceted_client, chosen.get("href"))
    assert count_line(widened) == "5 moments in 3 sessions for salary"


def test_date_range_form_narrows_and_keeps_the_other_filters(faceted_client):
    page = page_of(faceted_client, "/search", q="salary", side="district")
    form = page.find("form", class_="dates")
    fields = {i.get("name"): i.get("value") for i in form.find_all("input")}
    assert (fields["q"], fields["side"]) == ("salary", "district")
    fields |= {"from": "2026-02-01", "to": "2026-02-28"}
    narrowed = page_of(faceted_client, form.get("action"), **fields)
    assert count_line(narrowed).startswith("1 moment in 1 session")
    assert narrowed.find("input", attrs={"name": "from"}).get("value") == "2026-02-01"


def test_a_bad_date_is_a_400_that_says_why(faceted_client):
    response = faceted_client.get("/search?q=salary&from=02/01/2026")
    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.get_data(as_text=True)


def test_did_you_mean_links_to_the_query_spelled_right(faceted_client):
    page = page_of(faceted_client, "/search", q="salery", unit="Teachers")
    suggestion = page.find("p", class_="suggestion")
    assert squash(suggestion.text) == "Did you mean salary?"
    fixed = page_of(faceted_client, suggestion.find("a").get("href"))
    assert count_line(fixed).startswith("3 moments in 2 sessions for salary")
    assert fixed.find("p", class_="suggestion") is None
