"""Session states: only published, not-closed sessions are public, on every public route."""

from __future__ import annotations

import pytest

from index.store import SearchIndex
from ontherecord import service
from ontherecord.archive import Archive
from ontherecord.errors import InputError
from ontherecord.exports import WRITERS
from tests.helpers import snapshot
from tests.helpers.example import FOLLOWUP, followup_details, ingest_into, name_speaker
from tests.helpers.http import client_over

SPEAKER = "Hidden Person"


def make_private(archive, session_id: str, how: str) -> None:
    """Turn the published example into a draft, a withdrawn or a closed session."""
    name_speaker(archive, session_id, "S1", SPEAKER)
    if how == "draft":
        session = archive.session(session_id)
        session.state = "draft"
        archive.save_session(session)
    service.heal(archive)  # the draft was made by hand, not through the service
    if how != "draft":
        service.change_state(archive, session_id, "withdraw" if how == "withdrawn" else "close")


@pytest.mark.parametrize("how", ["draft", "withdrawn", "closed"])
def test_every_public_route_shows_nothing_of_a_private_session(archive_copy, example_id, how):
    title = archive_copy.session(example_id).title
    make_private(archive_copy, example_id, how)
    client = client_over(archive_copy)
    own = [f"/sessions/{example_id}", f"/sessions/{example_id}?t=30",
           f"/sessions/{example_id}/media", f"/api/sessions/{example_id}",
           *[f"/sessions/{example_id}/transcript.{fmt}" for fmt in WRITERS],
           f"/sessions/{example_id}/transcript.vtt?download=1"]
    for url in own:
        response = client.get(url)
        assert response.status_code == 404, url
        assert title not in response.get_data(as_text=True), url
    for url in ("/", "/sessions/", "/sessions/feed.atom", "/topics/", "/topics/compensation",
                "/api/sessions",
                "/search?q=salary", "/api/search?q=salary", "/search?topic=compensation",
                "/api/search?topic=compensation"):
        response = client.get(url)
        body = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert example_id not in body and title not in body and SPEAKER not in body, url
    assert client.get("/api/search?q=salary").json["total"] == 0
    assert client.get("/api/search", query_string={"speaker": SPEAKER}).json["total"] == 0
    assert client.get("/api/sessions").json == []


def test_the_feed_lists_published_sessions(client, example_archive, example_id):
    from xml.dom.minidom import parseString

    response = client.get("/sessions/feed.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = parseString(response.data)
    entries = feed.getElementsByTagName("entry")
    assert len(entries) == len(example_archive.public_sessions()) >= 1
    links = [e.getElementsByTagName("link")[0].getAttribute("href") for e in entries]
    assert f"http://localhost/sessions/{example_id}" in links
    # Staff-typed text is escaped in XML as it is in HTML.
    titles = [e.getElementsByTagName("title")[0].firstChild.data for e in entries]
    assert example_archive.session(example_id).title in titles


def test_publishing_again_brings_it_back(archive_copy, example_id):
    make_private(archive_copy, example_id, "withdrawn")
    service.publish(archive_copy, example_id)
    client = client_over(archive_copy)
    assert client.get(f"/sessions/{example_id}").status_code == 200
    assert client.get("/api/search?q=salary").json["total"] > 0


def test_a_closed_session_can_never_be_published(archive_copy, example_id):
    make_private(archive_copy, example_id, "closed")
    before = snapshot(archive_copy.root)
    with pytest.raises(InputError, match="closed session: it can never be published"):
        service.publish(archive_copy, example_id)
    assert snapshot(archive_copy.root) == before
    session = archive_copy.session(example_id)
    assert (session.state, session.closed, session.public) == ("withdrawn", True, False)


def test_reindex_holds_public_sessions_only(archive_copy, example_id):
    make_private(archive_copy, example_id, "draft")
    index = SearchIndex(archive_copy.index_dir)
    assert index.rebuild_from(archive_copy) == 0
    assert index.session_ids() == set()


def test_cli_states(cli, archive_copy, example_id):
    root = archive_copy.root

    def run(*args: str):
        result = cli(*args, archive=root)
        return result.returncode, result.stdout, result.stderr

    assert run("withdraw", example_id) == (0, f"{example_id}\twithdrawn\n", "")
    assert run("withdraw", example_id) == (
        1, "", f"ontherecord: error: session {example_id} is not published (it is withdrawn)\n")
    assert run("search", "salary")[1] == "0 results\n"
    assert run("publish", example_id) == (0, f"{example_id}\tpublished\n", "")
    assert run("search", "salary")[1] != "0 results\n"
    assert run("close", example_id) == (0, f"{example_id}\twithdrawn, closed\n", "")
    code, out, err = run("publish", example_id)
    assert (code, out) == (1, "") and "can never be published" in err
    assert "\twithdrawn, closed\t" in run("list")[1]
    assert run("search", "salary")[1] == "0 results\n"
    assert run("publish", "no-such-session")[0] == 1


@pytest.mark.slow
def test_new_sessions_start_as_drafts(tmp_path):
    archive = Archive(tmp_path / "archive")
    result = ingest_into(archive, FOLLOWUP, followup_details(), publish=False)
    session = archive.session(result.session.id)
    assert (session.state, session.closed, session.public) == ("draft", False, False)
    assert SearchIndex(archive.index_dir).session_ids() == set()
    client = client_over(archive)
    assert client.get(f"/sessions/{session.id}").status_code == 404
