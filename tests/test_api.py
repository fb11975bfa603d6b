"""The JSON API over the Flask test client: search hits that link to the moment, and sessions."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from index.engines import default_engine, engine_for_hours, hours_of
from index.store import SearchIndex
from ontherecord.exports import JsonWriter
from search_app import create_app
from tests.helpers.example import (
    assert_link_time,
    normalize,
    phrase_start,
    segment_saying,
    utterance_saying,
)
from tests.helpers.html import parse_html
from tests.helpers.http import client_over


def api_json(client, url, status=200, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


def test_search_hits(client, example_archive, example_id):
    data = api_json(client, "/api/search", query_string={"q": '"class size caps"'})
    assert (data["total"], data["page"], data["pages"]) == (1, 1, 1)
    assert data["query"] == '"class size caps"' and data["sort"] == "relevance"
    (hit,) = data["hits"]
    (truth,) = SearchIndex(example_archive.index_dir).search('"class size caps"').hits
    session = example_archive.session(example_id)
    transcript = example_archive.transcript(example_id)
    segment = segment_saying(transcript, "class size caps")
    assert hit["session"] == example_id
    assert (hit["title"], hit["date"], hit["unit"]) == (session.title, session.date, session.unit)
    assert (hit["start"], hit["end"], hit["segment_start"]) == (
        truth.start, truth.end, truth.segment_start)
    # The hit starts when its first matched word was said, inside the segment that holds it.
    assert hit["start"] == phrase_start(transcript, "class size caps")
    assert (hit["segment_start"], hit["end"]) == (segment.start, segment.end)
    assert hit["segment_start"] <= hit["start"] < hit["end"]
    # The speaker of the segment that holds the hit, by label while nobody has named them.
    assert segment.speaker
    assert hit["speaker"] == transcript.speaker_name(segment.speaker)
    assert hit["speaker"] == transcript.speaker(segment.speaker).label
    assert hit["text"] == segment.text
    # It is the turn that opens with these words (its first five, as the script has them).
    opening = " ".join(normalize(utterance_saying("class size caps")["text"]).split()[:5])
    assert normalize(hit["text"]).startswith(opening)
    assert hit["snippet"].startswith("<mark>Class</mark> <mark>size</mark> <mark>caps</mark>")


def test_hit_url_is_absolute_and_opens_the_session_at_the_hit(client, example_id):
    data = api_json(client, "/api/search?q=strike")
    assert data["total"] >= 1
    for hit in data["hits"]:
        url = urlsplit(hit["url"])
        assert (url.scheme, url.netloc) == ("http", "localhost")
        assert url.path == f"/sessions/{example_id}"
        t = float(parse_qs(url.query)["t"][0])
        assert_link_time(t, hit["start"])
        assert hit["segment_start"] <= hit["start"] <= hit["end"]
        page = parse_html(client.get(f"{url.path}?{url.query}").get_data(as_text=True))
        player = page.find("audio", id="player")
        assert float(player.get("data-start")) == pytest.approx(t)


def test_hit_url_follows_the_host_asked_for(client):
    data = api_json(client, "/api/search?q=strike", base_url="https://records.example.org")
    assert all(h["url"].startswith("https://records.example.org/sessions/")
               for h in data["hits"])


def test_hit_url_keeps_the_prefix_the_app_is_mounted_under(client, example_id):
    data = api_json(client, "/api/search?q=strike", environ_overrides={"SCRIPT_NAME": "/records"})
    assert data["hits"]
    for hit in data["hits"]:
        assert urlsplit(hit["url"]).path == f"/records/sessions/{example_id}"


def test_search_pages(example_archive):
    client = client_over(example_archive, PAGE_SIZE=2)
    first = api_json(client, "/api/search?q=district")
    total = first["total"]
    assert total > 4
    pages = -(-total // 2)
    assert (first["page"], first["pages"], len(first["hits"])) == (1, pages, 2)
    seen = []
    for number in range(1, pages + 1):
        data = api_json(client, f"/api/search?q=district&page={number}")
        assert data["page"] == number and data["total"] == total
        seen += [(h["session"], h["start"]) for h in data["hits"]]
    assert len(set(seen)) == total
    assert api_json(client, "/api/search?q=district&page=999")["page"] == pages


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_search_sorted(client, sort):
    data = api_json(client, f"/api/search?q=district&sort={sort}")
    assert data["sort"] == sort
    starts = [h["start"] for h in data["hits"]]
    assert len(starts) > 1
    # One session, so its hits come in the order they were said, whichever the sort.
    assert starts == sorted(starts)


@pytest.mark.parametrize(("url", "says"), [
    ("/api/search", "empty query"),
    ("/api/search?q=", "empty query"),
    ("/api/search?q=%20%20", "empty query"),
    ("/api/search?q=%22class", "unclosed quote"),
    ("/api/search?q=colour:red", "unknown field 'colour'"),
    ("/api/search?q=(a", "unbalanced parentheses"),
    ("/api/search?q=NOT%20AND%20salary", "both sides of"),
    ("/api/search?q=salary&page=zero", "page must be a whole number"),
    ("/api/search?q=salary&sort=best", "sort must be one of"),
    ("/api/search?q=salary&from=yesterday", "YYYY-MM-DD"),
    ("/api/search?q=salary&from=2026-02-01&to=2026-01-01", "ends before it starts"),
    ("/api/search?q=salary&group=session&page=0", "page must be a whole number"),
])
def test_search_errors_are_400_json(client, url, says):
    data = api_json(client, url, status=400)
    assert data["status"] == 400
    assert says in data["error"]


def test_sessions_list(client, example_archive, example_id):
    data = api_json(client, "/api/sessions")
    session = example_archive.session(example_id)
    assert data == [{
        "id": example_id, "title": session.title, "date": session.date, "unit": session.unit,
        "duration": session.duration, "description": "", "source_url": "",
        "url": f"http://localhost/sessions/{example_id}",
        "transcript": f"http://localhost/api/sessions/{example_id}",
    }]
    assert client.get(urlsplit(data[0]["url"]).path).status_code == 200
    assert client.get(urlsplit(data[0]["transcript"]).path).status_code == 200


def test_session_equals_the_json_export(client, example_archive, example_id):
    data = api_json(client, f"/api/sessions/{example_id}")
    export = json.loads(JsonWriter().render(example_archive.transcript(example_id)))
    assert data == export
    assert set(data["session"]) == {"id", "title", "date", "unit", "duration", "description",
                                    "source_url"}


@pytest.mark.parametrize("url", [
    "/api/sessions/2030-01-01-nothing", "/api/sessions/..%2f..%2fetc%2fpasswd",
    "/api/sessions/%2e%2e", "/api/sessions/UPPER", "/api/nothing",
])
def test_unknown_is_404_json(client, url):
    data = api_json(client, url, status=404)
    assert data["status"] == 404
    assert data["error"]


def test_wrong_method_is_json_too(client):
    response = client.post("/api/search?q=salary")
    assert response.status_code == 405
    assert response.get_json()["status"] == 405


def test_empty_archive(tmp_path):
    client = create_app({"ARCHIVE": str(tmp_path / "none"), "TESTING": True}).test_client()
    assert api_json(client, "/api/sessions") == []
    data = api_json(client, "/api/search?q=salary")
    assert (data["total"], data["hits"]) == (0, [])


def test_the_index_is_built_by_the_chosen_engine(example_archive):
    """`make test` runs this module again with ONTHERECORD_ENGINE=tantivy: it must take."""
    index = SearchIndex(example_archive.index_dir)
    assert index.choice() == default_engine()
    hours = hours_of(example_archive.public_sessions())
    assert index.engine() == engine_for_hours(default_engine(), hours)


# --- facets, groups and suggestions, over sessions with sides, units and chapters ------------


def test_search_gives_facets_and_session_count(faceted_client):
    data = api_json(faceted_client, "/api/search?q=salary")
    assert (data["total"], data["sessions"], data["suggestion"]) == (5, 3, None)
    assert data["facets"]["side"] == {"district": 3, "union": 2}
    assert data["facets"]["topic"] == {"compensation": 4, "class-size": 1}


@pytest.mark.parametrize(("args", "total"), [
    ("unit=Teachers", 3), ("side=union", 2), ("topic=class-size", 1),
    ("from=2026-02-01", 3), ("to=2026-02-09", 4), ("speaker=Ursula+Grant", 2),
    ("unit=Teachers&side=district&from=2026-03-01", 1),
])
def test_search_filters(faceted_client, args, total):
    data = api_json(faceted_client, f"/api/search?q=salary&{args}")
    assert data["total"] == len(data["hits"]) == total


def test_search_grouped_by_session(faceted_client):
    data = api_json(faceted_client, "/api/search?q=salary&group=session&sort=oldest")
    assert "hits" not in data
    assert [(g["session"], g["count"]) for g in data["groups"]] == [
        ("2026-01-12-teachers-a", 2), ("2026-02-09-esp-b", 2), ("2026-03-16-teachers-c", 1)]
    assert (data["total"], data["sessions"]) == (5, 3)
    # HITS_PER_SESSION of each, each with its url.
    for group in data["groups"]:
        assert 0 < len(group["hits"]) <= 3
        assert all(h["url"].startswith("http://localhost/sessions/") for h in group["hits"])


def test_search_suggests_what_was_meant(faceted_client):
    data = api_json(faceted_client, "/api/search?q=salery")
    assert (data["total"], data["suggestion"]) == (0, "salary")
    data = api_json(faceted_client, "/api/search", query_string={"q": 'speaker:"Ursula Grand"'})
    assert (data["total"], data["suggestion"]) == (0, 'speaker:"Ursula Grant"')
