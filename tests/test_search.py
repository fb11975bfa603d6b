"""The web search pages over the Flask test client: home, results, pages, unreadable queries."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import Tag
from markupsafe import escape

from index.store import SearchIndex
from search_app import create_app
from tests.helpers.example import assert_link_time, segment_saying
from tests.helpers.html import no_traceback, parse_html, squash, t_of
from tests.helpers.http import client_over


@pytest.fixture
def small_pages(example_archive):
    """A client for the example archive with two hits a page."""
    return client_over(example_archive, PAGE_SIZE=2)


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
    assert "0 results" in squash(parse_html(response.get_data(as_text=True)).text)


# --- results ---------------------------------------------------------------------------------


def test_results_show_count_snippet_session_and_timestamp(client, example_archive, example_id):
    response = client.get("/search", query_string={"q": '"class size caps"'})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    page = parse_html(body)
    assert squash(page.find("p", class_="count").text) == '1 result for "class size caps"'
    (hit,) = page.find("ol", class_="hits").find_all("li", class_="hit")
    # The matched words are marked in the snippet, and the words after them are not.
    said = segment_saying(example_archive.transcript(example_id), "class size caps").text.split()
    assert [w.lower() for w in said[:3]] == ["class", "size", "caps"]
    marked = " ".join([*(f"<mark>{escape(w)}</mark>" for w in said[:3]),
                       *map(escape, said[3:5])])
    assert marked in body
    session = example_archive.session(example_id)
    meta = squash(hit.find("div", class_="meta").text)
    assert session.title in meta and session.date in meta and session.unit in meta
    assert hit.find("time").get("datetime") == session.date
    # Who said it: the speaker of the segment that holds the hit.
    transcript = example_archive.transcript(example_id)
    speaker = segment_saying(transcript, "class size caps").speaker
    assert speaker
    assert hit.find("span", class_="speaker").text == transcript.speaker_name(speaker)
    # The timestamp links to the session page at that second.
    (truth,) = SearchIndex(example_archive.index_dir).search('"class size caps"').hits
    jump = hit.find("a", class_="jump")
    assert urlsplit(jump.get("href")).path == f"/sessions/{example_id}"
    assert_link_time(t_of(jump.get("href")), truth.start)
    minutes, secs = divmod(int(truth.start), 60)
    assert squash(jump.find("span", class_="ts").text) == f"{minutes}:{secs:02d}"
    # The session's title links to its page.
    assert any(a.get("href") == f"/sessions/{example_id}" and a.text == session.title
               for a in hit.find_all("a"))
    # The query stays in the search box.
    assert page.find("input", attrs={"name": "q"}).get("value") == '"class size caps"'


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


def test_counts_in_plural(client):
    page = parse_html(client.get("/search?q=district").get_data(as_text=True))
    count = squash(page.find("p", class_="count").text)
    assert re.fullmatch(r"(\d+) results for district", count)
    assert int(count.split()[0]) == len(page.find_all("li", class_="hit")) > 1


def test_no_results(client):
    response = client.get("/search?q=arbitration")
    assert response.status_code == 200
    page = parse_html(response.get_data(as_text=True))
    assert squash(page.find("p", class_="count").text) == "0 results for arbitration"
    assert page.find_all("li", class_="hit") == []
    assert page.find_all("nav", class_="pages") == []


def test_results_are_split_into_pages(small_pages, example_archive):
    total = SearchIndex(example_archive.index_dir).search("district").total
    assert total > 4, "the example needs more than two pages of 'district'"
    pages = -(-total // 2)
    seen = []
    for number in range(1, pages + 1):
        response = small_pages.get(f"/search?q=district&page={number}")
        assert response.status_code == 200
        page = parse_html(response.get_data(as_text=True))
        hits = page.find_all("li", class_="hit")
        assert len(hits) == (2 if number < pages else total - 2 * (pages - 1))
        seen += [h.find("a", class_="jump").get("href") for h in hits]
        nav = page.find("nav", class_="pages")
        assert f"Page {number} of {pages}" in squash(nav.text)
        prev = nav.find_all("a", rel="prev")
        after = nav.find_all("a", rel="next")
        assert bool(prev) == (number > 1)
        assert bool(after) == (number < pages)
        for link, target in ((prev, number - 1), (after, number + 1)):
            if link:
                query = parse_qs(urlsplit(link[0].get("href")).query)
                assert query["q"] == ["district"] and query["page"] == [str(target)]
                assert query["sort"] == ["relevance"]
    assert len(set(seen)) == total
    # The count is of all hits, not of this page.
    page = parse_html(small_pages.get("/search?q=district").get_data(as_text=True))
    assert squash(page.find("p", class_="count").text) == f"{total} results for district"


def test_page_past_the_end_shows_the_last_page(small_pages, example_archive):
    total = SearchIndex(example_archive.index_dir).search("district").total
    pages = -(-total // 2)
    page = parse_html(small_pages.get("/search?q=district&page=999").get_data(as_text=True))
    assert f"Page {pages} of {pages}" in squash(page.find("nav", class_="pages").text)


def test_one_page_has_no_page_links(client):
    page = parse_html(client.get("/search?q=district").get_data(as_text=True))
    assert page.find_all("nav", class_="pages") == []


@pytest.mark.parametrize("sort", ["newest", "oldest", "relevance"])
def test_sort_orders(client, sort):
    response = client.get(f"/search?q=district&sort={sort}")
    assert response.status_code == 200
    page = parse_html(response.get_data(as_text=True))
    starts = [t_of(a.get("href")) for a in page.find_all("a", class_="jump")]
    assert len(starts) > 1
    if sort in ("oldest", "newest"):
        # One session, so its hits come in the order they were said.
        assert starts == sorted(starts)
    # The chosen order is shown as chosen; the others are links that keep the query.
    sorts = page.find("p", class_="sort")
    assert sorts.find("strong").text == sort
    for link in sorts.find_all("a"):
        query = parse_qs(urlsplit(link.get("href")).query)
        assert query["q"] == ["district"] and query["sort"][0] != sort


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
    hits = page.find_all("li", class_="hit")
    assert len(hits) == 3
    first = hits[0]
    assert first.find("span", class_="speaker").text == "<em>Evil</em> Name"
    assert "Hostile <b>title</b>" in first.find("div", class_="meta").text
    assert "Teachers & <i>Staff</i>" in first.find("div", class_="meta").text
    # Only <mark> elements were added inside the snippet.
    snippet = first.find("span", class_="snippet")
    assert {c.name for c in snippet.children if isinstance(c, Tag)} == {"mark"}


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
