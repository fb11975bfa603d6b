"""The OpenAPI document against the running app: valid, true to every answer, and complete.

The app is served over real HTTP over a hand-made archive whose public session has the id the
document gives as its example, so every example request in the document is answered for real.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from openapi_spec_validator import validate

from ontherecord.model import Correction, SpeakerChange, Word
from search_app import create_app
from search_app.openapi import DOCUMENT, EXAMPLE_SESSION, example_url, operations
from tests.helpers.faceted import faceted
from tests.helpers.html import parse_html
from tests.helpers.http import Client, serving
from tests.helpers.media import CLIP_SECONDS, make_clip
from tests.helpers.schemas import named, schema_errors
from tests.helpers.transcripts import made_archive

# Public GET routes that are pages for people, not for programs: no need to describe them.
PAGES = {"/", "/search", "/sessions/"}
# Areas that are not public: logged-in staff, static files, and alerts (e-mail sign-up forms).
PRIVATE = ("/staff/", "/static/", "/alerts/")


def example_sessions():
    """The document's example session (public, a video, with every kind of field) and a
    draft."""
    public = faceted(EXAMPLE_SESSION, "2026-03-10", "Teachers", [
        ("D", "compensation", "The salary schedule stays."),
        ("U", "class-size", "Class size caps matter most."),
    ])
    public.session.duration = CLIP_SECONDS
    public.session.media, public.session.media_type = "media.mp4", "video/mp4"
    public.session.published_at = "2026-03-11T09:00:00+00:00"
    public.segments[0].words = [Word(0.0, 0.5, " The", 0.9), Word(0.5, 1.2, " salary", 0.8)]
    public.corrections = [Correction("2026-03-12T10:00:00+00:00", 0.0, "The salary stays.",
                                     "The salary schedule stays.")]
    public.speaker_changes = [SpeakerChange("2026-03-12T10:05:00+00:00", 5.0, "Speaker 1",
                                            "Ursula Grant")]
    draft = faceted("2026-04-01-teachers-draft", "2026-04-01", "Teachers", [
        ("D", "compensation", "A draft salary line."),
    ])
    draft.session.state = "draft"
    return public, draft


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """The example sessions, the public one with a real recording (its clips are cut)."""
    video = make_clip(tmp_path_factory.mktemp("recording"), "mp4").read_bytes()
    return made_archive(tmp_path_factory.mktemp("openapi") / "archive", example_sessions(),
                        {EXAMPLE_SESSION: video})


@pytest.fixture(scope="module")
def server(archive):
    with serving(archive) as url:
        yield url


@pytest.fixture(scope="module")
def document(server):
    """The document as the app serves it."""
    reply = Client(server).get("/api/openapi.json")
    assert reply.status == 200 and reply.headers.get_content_type() == "application/json"
    return reply.json()


def test_the_document_is_valid_openapi(document, server):
    validate(document)
    assert document["openapi"].startswith("3.1")
    assert document["servers"] == [{"url": server}]
    assert {k: v for k, v in document.items() if k != "servers"} == DOCUMENT


def media_type_matches(got: str, documented: str) -> bool:
    """Whether a response's media type is the documented one (which may be "audio/*")."""
    kind, _, sub = documented.partition("/")
    return got == documented or (sub == "*" and got.startswith(f"{kind}/"))


def check_answer(document, reply, response) -> None:
    """The reply has a documented media type and, if JSON, a body the schema allows; a
    redirect instead leads somewhere that answers."""
    if "Location" in response.get("headers", {}):
        target = urlsplit(urljoin(reply.url, reply.headers["Location"]))
        site = Client(f"{target.scheme}://{target.netloc}")
        assert site.get(target.path + (f"?{target.query}" if target.query else "")
                        ).status == 200, f"{reply.url}: {target.geturl()} does not answer"
        return
    got = reply.headers.get_content_type()
    content = response["content"]
    matching = [m for m in content if media_type_matches(got, m)]
    assert matching, f"{reply.url}: {got} is not one of {list(content)}"
    schema = content[matching[0]].get("schema")
    if got == "application/json":
        assert schema, f"{reply.url}: JSON without a schema"
        errors = schema_errors(document, schema, reply.json())
        assert errors == [], f"{reply.url}: " + "; ".join(errors[:5])


def requests_of(path: str, operation) -> list[str]:
    """An operation's example request, and one per value of each parameter that has a list."""
    variants = [{}] + [{p["name"]: value} for p in operation["parameters"]
                       for value in p["schema"].get("enum", [])]
    return list(dict.fromkeys(example_url(path, operation, changes) for changes in variants))


EXAMPLES = [(path, method, url) for path, method, operation in operations()
            for url in requests_of(path, operation)]


@pytest.mark.parametrize(("path", "method", "url"), EXAMPLES, ids=[u for _, _, u in EXAMPLES])
def test_every_example_request_is_answered_as_documented(document, server, path, method, url):
    assert method == "get"
    reply = Client(server).get(url)
    responses = document["paths"][path][method]["responses"]
    assert str(reply.status) in responses, f"{url}: {reply.status} is not documented"
    answer = next(iter(responses))  # the first documented: the example's (200, or a redirect)
    assert reply.status == int(answer), f"{url}: {reply.status} {reply.text[:300]}"
    check_answer(document, reply, responses[answer])


# Answers other than the example's that parameter values bring about: errors and redirects.
OTHER_ANSWERS = [(path, method, status, when)
            for path, method, operation in operations()
            for status, response in operation["responses"].items()
            for when in response.get("x-when", [])]
# Answers given while no session is public (what the example archive's draft alone gives).
EMPTY = [(path, method, status) for path, method, operation in operations()
         for status, response in operation["responses"].items()
         if response.get("x-when-archive-empty")]


def test_every_documented_failure_says_how_to_bring_it_about():
    for path, method, operation in operations():
        for status, response in operation["responses"].items():
            if status.startswith("4"):
                assert response.get("x-when") or response.get("x-when-archive-empty"), (
                    f"{method} {path} {status}: no x-when")


def check_other_answer(document, reply, path: str, status: str) -> None:
    """The reply is this documented answer, and an API error says what it is."""
    assert reply.status == int(status), f"{reply.url}: {reply.status}"
    check_answer(document, reply, document["paths"][path]["get"]["responses"][status])
    if path.startswith("/api/") and status.startswith("4"):
        assert reply.json()["status"] == int(status) and reply.json()["error"]


@pytest.mark.parametrize(("path", "method", "status", "when"), OTHER_ANSWERS,
                         ids=[f"{p} {s} {w}" for p, _, s, w in OTHER_ANSWERS])
def test_documented_other_answers_happen(document, server, path, method, status, when):
    url = example_url(path, document["paths"][path][method], when)
    check_other_answer(document, Client(server).get(url), path, status)


@pytest.fixture(scope="module")
def empty_server(tmp_path_factory):
    """The example archive without its public session: only the draft."""
    _, draft = example_sessions()
    with serving(made_archive(tmp_path_factory.mktemp("empty") / "archive", [draft])) as url:
        yield url


@pytest.mark.parametrize(("path", "method", "status"), EMPTY, ids=[p for p, _, _ in EMPTY])
def test_documented_answers_of_an_empty_archive_happen(document, empty_server, path, method,
                                                       status):
    url = example_url(path, document["paths"][path][method])
    check_other_answer(document, Client(empty_server).get(url), path, status)


def test_the_schemas_refuse_what_the_app_does_not_send(document):
    """The check the tests above rely on can fail: a wrong or extra field is caught."""
    assert schema_errors(document, named("Error"), {"error": "x", "status": 400}) == []
    assert schema_errors(document, named("Error"), {"error": "x"})
    assert schema_errors(document, named("Error"), {"error": "x", "status": 400, "more": 1})
    assert schema_errors(document, named("Speaker"), {"id": "S1"})
    assert schema_errors(document, named("Transcript"), "not a transcript")


def documented_path(rule: str) -> str:
    """A Flask rule as an OpenAPI path: <converter:name> → {name}."""
    return re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", rule)


def undocumented(app) -> list[str]:
    """The public GET routes of an app that the document does not describe."""
    found = []
    for rule in app.url_map.iter_rules():
        path = documented_path(rule.rule)
        if ("GET" not in (rule.methods or ()) or path in PAGES or path.startswith(PRIVATE)
                or rule.endpoint == "static"):
            continue
        if "get" not in DOCUMENT["paths"].get(path, {}):
            found.append(f"GET {path} ({rule.endpoint})")
    return sorted(found)


def test_every_public_route_is_documented(archive):
    app = create_app({"ARCHIVE": str(archive.root), "TESTING": True})
    assert undocumented(app) == [], (
        "routes missing from the OpenAPI document (search_app/openapi.py)")
    assert any(r.rule.startswith("/staff/") for r in app.url_map.iter_rules())


def test_a_new_route_is_caught_until_documented(archive):
    app = create_app({"ARCHIVE": str(archive.root), "TESTING": True})
    app.add_url_rule("/api/speakers/<int:n>", "extra", lambda n: "")
    app.add_url_rule("/sessions/<session_id>/notes.txt", "extra_notes", lambda session_id: "")
    assert undocumented(app) == ["GET /api/speakers/{n} (extra)",
                                 "GET /sessions/{session_id}/notes.txt (extra_notes)"]


def test_every_documented_path_is_a_route(archive):
    app = create_app({"ARCHIVE": str(archive.root), "TESTING": True})
    routes = {documented_path(r.rule) for r in app.url_map.iter_rules()}
    assert sorted(set(DOCUMENT["paths"]) - routes) == []


def test_the_docs_page_describes_every_route_with_a_working_example(server, archive):
    client = Client(server)
    reply = client.get("/api/docs")
    assert reply.status == 200 and reply.headers.get_content_type() == "text/html"
    page = reply.page
    assert page.find_all("script") == []  # no script, from a CDN or anywhere: works offline
    for path, method, operation in operations():
        section = page.find("section", id=operation["operationId"])
        assert section, path
        assert f"{method.upper()} {path}" in section.find("h2").text
        names = [row.find("th").code.text for row in section.select("table.params tbody tr")]
        assert names == [p["name"] for p in operation["parameters"]]
        statuses = [row.find("th").text for row in section.select("table.answers tbody tr")]
        assert statuses == list(operation["responses"])
        example = section.find("a", class_="example")["href"]
        asked = parse_qs(urlsplit(example).query)
        assert set(asked) <= {p["name"] for p in operation["parameters"]}, example
        # The archive's own newest session stands in for the document's example id.
        assert client.get(example).status == int(next(iter(operation["responses"]))), example
    for name in DOCUMENT["components"]["schemas"]:
        assert page.find("section", id=f"schema-{name}"), name
    links = [a["href"] for a in page.find("article").find_all("a")]
    assert {"/api/openapi.json", "/data/archive.jsonl", "/data/archive.jsonl.gz"} <= set(links)
    hit = page.find("section", id="schema-Hit")
    assert "url" in [row.find("th").code.text for row in hit.select("tbody tr")]
    assert hit.find("a", href="#schema-HitChapter")


def test_docs_examples_use_the_archives_newest_session(tmp_path, archive):
    public, _ = example_sessions()
    other = faceted("2027-01-05-teachers-later", "2027-01-05", "Teachers", [
        ("D", "compensation", "A later salary line.")])
    served = made_archive(tmp_path / "archive", (public, other))
    client = create_app({"ARCHIVE": str(served.root), "TESTING": True}).test_client()
    page = parse_html(client.get("/api/docs").get_data(as_text=True))
    example = page.find("section", id="getSession").find("a", class_="example")["href"]
    assert example == "/api/sessions/2027-01-05-teachers-later"


def test_every_page_links_to_the_docs_and_the_data(server):
    for path in ("/", "/topics/", f"/sessions/{EXAMPLE_SESSION}"):
        footer = Client(server).get(path).page.find("footer")
        hrefs = [a["href"] for a in footer.find_all("a")]
        assert "/api/docs" in hrefs and "/data/archive.jsonl" in hrefs, path
