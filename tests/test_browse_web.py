"""Browsing the archive: the session listing with its filters, the latest session, and the
pages (and JSON) of people and bargaining units. Drafts and closed sessions never show."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from ontherecord.archive import Archive
from tests.helpers.browse import ESP, browse_archive
from tests.helpers.example import DISTRICT_NAME
from tests.helpers.html import no_traceback, page_of, parse_html, squash, t_of
from tests.helpers.http import client_over

JANUARY, FEBRUARY, MARCH = "2026-01-12-teachers-a", "2026-02-09-esp-b", "2026-03-16-teachers-c"
HIDDEN = ("2026-04-01-teachers-draft", "2026-04-15-board-closed", "Dora Draft", "Carl Closed",
          "School Board")


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Archive:
    """The browse sessions: three public, a draft and a closed one."""
    return browse_archive(tmp_path_factory.mktemp("browse") / "archive")


@pytest.fixture(scope="module")
def client(archive):
    """The app over the browse sessions."""
    return client_over(archive)


def listed(client, **params) -> list[str]:
    """The ids of the sessions /sessions/ lists, in order."""
    page = page_of(client, "/sessions/", **params)
    return [li["data-session"] for li in page.find_all("li", class_="session-entry")]


def query_of(href: str) -> dict[str, list[str]]:
    """A link's query arguments."""
    return parse_qs(urlsplit(href).query)


def rows(page, table: str, key: str) -> list:
    """The rows of a table on a page that carry a data-<key>, in order."""
    return page.find("table", class_=table).find_all("tr", attrs={f"data-{key}": True})


def test_the_listing_is_newest_first_and_filters_by_unit_and_dates(client):
    assert listed(client) == [MARCH, FEBRUARY, JANUARY]
    assert listed(client, unit="Teachers") == [MARCH, JANUARY]
    assert listed(client, unit=ESP) == [FEBRUARY]
    assert listed(client, **{"from": "2026-02-01"}) == [MARCH, FEBRUARY]
    assert listed(client, **{"to": "2026-02-09"}) == [FEBRUARY, JANUARY]
    assert listed(client, unit="Teachers", **{"from": "2026-01-13", "to": "2026-12-31"}) == [MARCH]
    assert listed(client, unit="Teachers", **{"to": "2026-01-01"}) == []


def test_the_listing_form_offers_the_public_units_and_keeps_the_choices(client):
    page = page_of(client, "/sessions/", unit=ESP, **{"from": "2026-02-01"})
    form = page.find("form", class_="browse")
    options = [o["value"] for o in form.find("select", attrs={"name": "unit"}).find_all("option")]
    assert options == ["", ESP, "Teachers"]  # no "School Board": its one session is closed
    assert form.find("option", selected=True)["value"] == ESP
    assert form.find("input", attrs={"name": "from"})["value"] == "2026-02-01"
    assert squash(page.find("p", class_="count").text).startswith("1 session, newest first")


def test_each_entry_has_duration_speakers_and_chapters(client):
    page = page_of(client, "/sessions/")
    entry = page.find("li", attrs={"data-session": JANUARY})
    assert squash(entry.find("span", class_="duration").text) == "1:00"
    speakers = entry.find("p", class_="speakers")
    people = [(a.text, a["href"]) for a in speakers.find_all("a", class_="person")]
    assert people == [("Dana Whitfield", "/people/dana-whitfield"),
                      ("Ursula Grant", "/people/ursula-grant")]
    assert [query_of(a["href"]) for a in speakers.find_all("a", class_="side")] == \
        [{"side": ["district"]}, {"side": ["union"]}]
    assert squash(speakers.find(class_="unnamed").text) == "1 unnamed voice"
    chapters = entry.find("ol", class_="chapters").find_all("a")
    assert [squash(a.find(class_="chapter-title").text) for a in chapters] == ["Part 1", "Part 2"]
    assert [(urlsplit(a["href"]).path, t_of(a["href"])) for a in chapters] == \
        [(f"/sessions/{JANUARY}", 0.0), (f"/sessions/{JANUARY}", 20.0)]
    assert entry.find("a", class_="unit")["href"] == "/units/teachers"


def test_the_listing_pages_keep_the_filters(archive):
    client = client_over(archive, SESSIONS_LISTED=1)
    assert listed(client, unit="Teachers") == [MARCH]
    page = page_of(client, "/sessions/", unit="Teachers")
    following = page.find("a", rel="next")["href"]
    assert query_of(following) == {"unit": ["Teachers"], "page": ["2"]}
    assert listed(client, unit="Teachers", page="2") == [JANUARY]
    assert listed(client, unit="Teachers", page="9") == [JANUARY]  # past the end: the last


@pytest.mark.parametrize(("params", "message"), [
    ({"from": "2026-02-30"}, "from must be a date written YYYY-MM-DD, not '2026-02-30'"),
    ({"to": "March"}, "to must be a date written YYYY-MM-DD, not 'March'"),
    ({"from": "2026-03-01", "to": "2026-02-01"}, "the date range ends before it starts"),
    ({"page": "0"}, "page must be a whole number from 1"),
])
def test_bad_listing_arguments_are_a_400_that_says_why(client, params, message):
    response = client.get("/sessions/", query_string=params)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    no_traceback(body)
    assert squash(parse_html(body).find("p", class_="error").text) == message


def test_latest_goes_to_the_newest_public_session_and_home_links_to_it(client, tmp_path):
    response = client.get("/sessions/latest")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == f"/sessions/{MARCH}"
    link = page_of(client, "/").find("a", class_="latest")
    assert (squash(link.text), link["href"]) == ("Latest session", "/sessions/latest")
    empty = client_over(Archive(tmp_path / "empty"))
    assert empty.get("/sessions/latest").status_code == 404
    assert empty.get("/api/sessions/latest").status_code == 404


def test_drafts_and_closed_sessions_never_show(client):
    for path in ("/sessions/", "/people/", "/units/", "/units/teachers", "/people/dana-whitfield",
                 "/api/sessions", "/api/people", "/api/units", "/api/units/teachers",
                 "/api/people/dana-whitfield", "/sessions/?unit=Teachers&from=2026-03-20"):
        response = client.get(path)
        assert response.status_code == 200, path  # an error page would hide them too
        body = response.get_data(as_text=True)
        for hidden in HIDDEN:
            assert hidden not in body, (path, hidden)
    for path in ("/people/dora-draft", "/people/carl-closed", "/units/school-board",
                 "/api/people/dora-draft", "/api/units/school-board"):
        assert client.get(path).status_code == 404, path


def test_people_lists_everyone_named_with_side_role_sessions_and_talk(client):
    page = page_of(client, "/people/")
    found = {tr["data-person"]: [squash(td.text) for td in tr.find_all("td")]
            for tr in rows(page, "people", "person")}
    assert found == {
        "dana-whitfield": ["Dana Whitfield", "district", "Chief negotiator", "3", "3:30"],
        "jose-nunez": ["José Núñez", "union", "", "1", "0:45"],
        "ursula-grant": ["Ursula Grant", "union", "Lead negotiator", "2", "3:10"],
    }
    side = page.find("tr", attrs={"data-person": "jose-nunez"}).find("a", class_="side")
    assert query_of(side["href"]) == {"side": ["union"]}


def test_a_person_page_has_their_sessions_talk_lines_search_and_feed(client):
    page = page_of(client, "/people/ursula-grant")
    assert squash(page.find("h1").text) == "Ursula Grant"
    meta = squash(page.find("p", class_="meta").text)
    assert meta.startswith("union · Lead negotiator · 3:10 of talk in 2 sessions")
    talk = [(tr["data-session"], squash(tr.find("td", class_="talk").text))
            for tr in rows(page, "appearances", "session")]
    assert talk == [(MARCH, "1:40"), (JANUARY, "1:30")]
    lines = [squash(li.find(class_="snippet").text)
             for li in page.find("ol", class_="lines").find_all("li")]
    assert lines == ["Class size matters most.", "Our salary proposal is fair."]
    form = page.find("form", class_="person-search")
    assert form["action"] == "/search"
    assert form.find("input", attrs={"name": "speaker"})["value"] == "Ursula Grant"
    feed = page.find("a", class_="feed")["href"]
    assert urlsplit(feed).path == "/search/feed.atom"
    assert query_of(feed) == {"speaker": ["Ursula Grant"]}
    assert page.find("link", rel="alternate", title="Ursula Grant")["href"] == feed
    assert client.get(feed).status_code == 200


def test_a_unit_page_has_its_sessions_people_and_links(client):
    listing = page_of(client, "/units/")
    assert [li["data-unit"] for li in listing.find("ul", class_="units").find_all("li")] == \
        ["education-support-professionals", "teachers"]
    page = page_of(client, "/units/teachers")
    assert squash(page.find("h1").text) == "Teachers"
    sessions = [urlsplit(li.find("a")["href"]).path
                for li in page.find("ul", class_="sessions").find_all("li")]
    assert sessions == [f"/sessions/{MARCH}", f"/sessions/{JANUARY}"]
    people = {tr["data-person"]: squash(tr.find("td", class_="talk").text)
              for tr in rows(page, "people", "person")}
    assert people == {"dana-whitfield": "2:30", "ursula-grant": "3:10"}  # talk in this unit
    assert query_of(page.find("a", class_="browse")["href"]) == {"unit": ["Teachers"]}
    assert query_of(page.find("a", class_="feed")["href"]) == {"unit": ["Teachers"]}
    assert client.get("/units/nothing").status_code == 404


def test_the_api_has_people_units_and_filtered_sessions(client):
    everyone = client.get("/api/people").json
    assert [(p["slug"], p["side"], p["sessions"], p["talk_time"]) for p in everyone] == [
        ("dana-whitfield", "district", 3, 210.0), ("jose-nunez", "union", 1, 45.0),
        ("ursula-grant", "union", 2, 190.0)]
    ursula = client.get("/api/people/ursula-grant").json
    assert [(s["id"], s["talk_time"]) for s in ursula["sessions"]] == [(MARCH, 100.0),
                                                                         (JANUARY, 90.0)]
    assert urlsplit(ursula["url"]).path == "/people/ursula-grant"
    assert [(u["slug"], u["sessions"]) for u in client.get("/api/units").json] == \
        [("education-support-professionals", 1), ("teachers", 2)]
    teachers = client.get("/api/units/teachers").json
    assert [s["id"] for s in teachers["sessions"]] == [MARCH, JANUARY]
    assert [p["slug"] for p in teachers["people"]] == ["dana-whitfield", "ursula-grant"]
    sessions = client.get("/api/sessions", query_string={"unit": "Teachers", "from": "2026-02-01"})
    assert [s["id"] for s in sessions.json] == [MARCH]
    assert client.get("/api/sessions/latest").json["id"] == MARCH
    bad = client.get("/api/sessions", query_string={"to": "soon"})
    assert (bad.status_code, bad.json["error"]) == \
        (400, "to must be a date written YYYY-MM-DD, not 'soon'")
    assert client.get("/api/people/nobody").json["status"] == 404


def test_names_on_a_session_page_open_their_person_page(named_client, named_archive,
                                                        example_id, followup_id):
    page = page_of(named_client, f"/sessions/{followup_id}")
    (link,) = page.find("section", class_="speakers").find_all("a", class_="speaker")
    assert link["href"] == "/people/mark-ellison"
    assert page.find("p", class_="meta").find("a", class_="unit")["href"] == "/units/teachers"
    person = page_of(named_client, link["href"])
    talk = {i: next(s.talk_time for s in named_archive.transcript(i).speakers
                    if s.name == DISTRICT_NAME) for i in (example_id, followup_id)}
    assert {tr["data-session"] for tr in rows(person, "appearances", "session")} == set(talk)
    api = named_client.get("/api/people/mark-ellison").json
    assert api["talk_time"] == round(sum(talk.values()), 2)
    assert (api["side"], api["role"]) == ("district", "Chief negotiator")
    assert person.find("ol", class_="lines").find_all("li", class_="hit")


def test_a_named_speaker_in_search_hits_opens_their_page_and_a_label_does_not(client):
    page = parse_html(client.get("/search", query_string={"q": "salary OR cost"}).text)
    linked = {a.text: a["href"] for a in page.select("li.hit .meta a.person")}
    assert linked == {"Dana Whitfield": "/people/dana-whitfield",
                      "Ursula Grant": "/people/ursula-grant"}
    unlinked = [s.text for s in page.select("li.hit .meta span.speaker")
                if s.parent.name != "a"]
    assert unlinked == ["Speaker 3"]
    assert client.get(linked["Ursula Grant"]).status_code == 200
