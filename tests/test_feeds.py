"""Search feeds: any search as Atom, one entry per matching session, newest published first,
its moments as links; a newly published session that matches joins at the top."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

import pytest

from ontherecord import service
from ontherecord.archive import Archive
from ontherecord.timecode import link_time
from tests.helpers.browse import browse_archive, session
from tests.helpers.example import DISTRICT_NAME
from tests.helpers.html import page_of, parse_html, t_of
from tests.helpers.http import client_over
from tests.helpers.transcripts import commit

ATOM = "{http://www.w3.org/2005/Atom}"
JANUARY, FEBRUARY, MARCH = "2026-01-12-teachers-a", "2026-02-09-esp-b", "2026-03-16-teachers-c"


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Archive:
    """The browse sessions: three public (February's published last), a draft, a closed one."""
    return browse_archive(tmp_path_factory.mktemp("feeds") / "archive")


@pytest.fixture(scope="module")
def client(archive):
    """The app over the browse sessions."""
    return client_over(archive)


def feed(client, **params) -> ET.Element:
    """The search feed for these arguments, parsed; it must be Atom."""
    response = client.get("/search/feed.atom", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.content_type == "application/atom+xml; charset=utf-8"
    return ET.fromstring(response.data)


def entries(root: ET.Element) -> list[ET.Element]:
    """A feed's entries, in order."""
    return root.findall(f"{ATOM}entry")


def session_of(entry: ET.Element) -> str:
    """The session an entry links to."""
    return urlsplit(entry.find(f"{ATOM}link").get("href")).path.rsplit("/", 1)[1]


def said_at(transcript, href: str):
    """The segment a moment link opens at (links round a time down, as link_time does)."""
    return max((s for s in transcript.segments
                if float(link_time(s.start)) <= t_of(href) < s.end), key=lambda s: s.start)


def moments(entry: ET.Element) -> list[str]:
    """The moment links in an entry's content (HTML, escaped in the XML)."""
    return [a["href"] for a in parse_html(entry.find(f"{ATOM}content").text).find_all("a")]


def test_a_search_feed_has_the_matching_sessions_newest_published_first(client, archive):
    root = feed(client, q="salary")
    found = entries(root)
    # February's session was held before March's but published after it.
    assert [session_of(e) for e in found] == [FEBRUARY, MARCH, JANUARY]
    assert [e.find(f"{ATOM}updated").text for e in found] == \
        [archive.session(i).published_at for i in (FEBRUARY, MARCH, JANUARY)]
    assert root.find(f"{ATOM}updated").text == archive.session(FEBRUARY).published_at
    for entry in found:
        transcript = archive.transcript(session_of(entry))
        links = moments(entry)
        assert links
        for href in links:
            assert urlsplit(href).path == f"/sessions/{transcript.session.id}"
            assert "salary" in said_at(transcript, href).text.lower()
    assert [len(moments(e)) for e in found] == [1, 1, 2]


def test_entry_ids_are_stable_and_differ_between_searches(client):
    first = [e.find(f"{ATOM}id").text for e in entries(feed(client, q="salary"))]
    assert first == [e.find(f"{ATOM}id").text for e in entries(feed(client, q="salary"))]
    other = [e.find(f"{ATOM}id").text for e in entries(feed(client, q="salary", side="union"))]
    assert len(set(first)) == 3 and not set(first) & set(other)


@pytest.mark.parametrize(("params", "expected"), [
    ({"q": "salary", "unit": "Teachers"}, [MARCH, JANUARY]),
    ({"q": "salary", "speaker": "Ursula Grant"}, [JANUARY]),
    ({"side": "union"}, [FEBRUARY, MARCH, JANUARY]),
    ({"q": "salary", "side": "union"}, [JANUARY]),
    ({"q": "salary", "from": "2026-02-01", "to": "2026-02-28"}, [FEBRUARY]),
    ({"speaker": "Dana Whitfield", "q": "final"}, [MARCH]),
    ({"topic": "compensation", "unit": "Education Support Professionals"}, [FEBRUARY]),
    ({"q": "salary", "speaker": "Nobody Here"}, []),
    ({"q": "secret OR closed"}, []),  # the draft's and the closed session's words
])
def test_filters_narrow_a_feed(client, params, expected):
    assert [session_of(e) for e in entries(feed(client, **params))] == expected


@pytest.mark.parametrize("params", [{"q": '"unclosed'}, {"q": "x", "from": "soon"},
                                    {"side": "everyone"}])
def test_bad_feed_arguments_are_a_one_line_400(client, params):
    response = client.get("/search/feed.atom", query_string=params)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert text.startswith("Could not read that search: ") and text.count("\n") == 1


def test_a_feed_has_its_own_order_so_a_sort_is_ignored_not_refused(client):
    assert client.get("/search/feed.atom", query_string={"q": "a", "sort": "sideways"}) \
        .status_code == 200


def test_no_search_at_all_is_the_feed_of_sessions_which_still_works(client):
    response = client.get("/search/feed.atom")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/sessions/feed.atom"
    root = ET.fromstring(client.get("/sessions/feed.atom").data)
    assert {session_of(e) for e in entries(root)} == {JANUARY, FEBRUARY, MARCH}


def test_results_topic_and_person_pages_link_their_feeds(client):
    page = page_of(client, "/search", q="salary", unit="Teachers", sort="newest")
    alternate = page.find("link", rel="alternate", title="This search")["href"]
    visible = page.find("a", class_="feed")
    assert visible.text == "Feed" and visible["href"] == alternate
    assert urlsplit(alternate).path == "/search/feed.atom"
    assert parse_qs(urlsplit(alternate).query) == {"q": ["salary"], "unit": ["Teachers"]}
    topic = page_of(client, "/topics/compensation").find("a", class_="feed")["href"]
    assert parse_qs(urlsplit(topic).query) == {"topic": ["compensation"]}
    assert [session_of(e) for e in entries(ET.fromstring(client.get(topic).data))] == \
        [FEBRUARY, MARCH, JANUARY]


def test_a_newly_published_session_joins_the_feed_at_the_top(archive, tmp_path):
    shutil.copytree(archive.root, tmp_path / "archive")
    copy = Archive(tmp_path / "archive")
    client = client_over(copy)
    # Held long ago, published now: it is new to a reader, so it goes first.
    old = session("2025-09-01-teachers-old", "2025-09-01", "Teachers", "",
                  [], [(None, "An old salary table, published at last.")])
    old.session.state = "draft"
    commit(copy, old)
    before = [session_of(e) for e in entries(feed(client, q="salary"))]
    assert before == [FEBRUARY, MARCH, JANUARY]
    service.publish(copy, old.session.id)
    after = entries(feed(client, q="salary"))
    assert [session_of(e) for e in after] == [old.session.id, *before]
    assert after[0].find(f"{ATOM}updated").text == copy.session(old.session.id).published_at
    assert [session_of(e) for e in entries(feed(client, q="salary", unit="Education Support "
                                                "Professionals"))] == [FEBRUARY]


def test_a_speakers_feed_on_real_sessions(named_client, named_archive, example_id, followup_id):
    root = feed(named_client, speaker=DISTRICT_NAME)
    found = entries(root)
    published = {i: named_archive.session(i).published_at for i in (example_id, followup_id)}
    assert [session_of(e) for e in found] == sorted(published, key=published.get, reverse=True)
    for entry in found:
        transcript = named_archive.transcript(session_of(entry))
        assert moments(entry)
        for href in moments(entry):
            assert transcript.speaker_name(said_at(transcript, href).speaker) == DISTRICT_NAME
    person = page_of(named_client, "/people/mark-ellison").find("a", class_="feed")["href"]
    assert parse_qs(urlsplit(person).query) == {"speaker": [DISTRICT_NAME]}


def test_the_publish_feed_gains_a_session_on_the_example(archive_copy, example_id):
    client = client_over(archive_copy)
    before = [session_of(e) for e in entries(feed(client, q="salary"))]
    assert before == [example_id]
    new = session("2026-10-20-teachers-new", "2026-10-20", "Teachers", "", [],
                  [(None, "A new salary offer, published through the service.")])
    new.session.state = "draft"
    commit(archive_copy, new)
    assert [session_of(e) for e in entries(feed(client, q="salary"))] == before
    service.publish(archive_copy, new.session.id)
    assert [session_of(e) for e in entries(feed(client, q="salary"))] == \
        [new.session.id, example_id]
