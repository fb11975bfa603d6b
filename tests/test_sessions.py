"""Session pages, the media file, and transcript downloads, over the Flask test client."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from ontherecord.archive import Archive
from ontherecord.errors import InputError
from ontherecord.exports import WRITERS
from ontherecord.timecode import parse_time
from search_app import create_app
from search_app.sessions import short_clock
from tests.helpers.html import no_traceback, parse_html, squash, t_of
from tests.helpers.http import client_over
from tests.helpers.transcripts import (
    HOSTILE_TRANSCRIPT,
    VIDEO_TRANSCRIPT,
    commit,
    make_transcript,
)


@pytest.fixture(scope="module")
def example(example_archive):
    return example_archive.transcript(example_archive.ids()[0])


@pytest.fixture(scope="module")
def media_bytes(example_archive, example):
    return example_archive.media_path(example.session).read_bytes()


def session_page(client, session_id, t=None):
    query = {} if t is None else {"t": t}
    response = client.get(f"/sessions/{session_id}", query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)
    return parse_html(response.get_data(as_text=True))


# --- the page --------------------------------------------------------------------------------


def test_session_page_has_an_audio_player_opened_at_t(client, example_id, example):
    page = session_page(client, example_id, "30")
    assert page.find_all("video") == []
    player = page.find("audio", id="player")
    assert player.get("data-start") == "30.00"
    assert "controls" in player.attrs
    (source,) = player.find_all("source")
    assert source.get("type") == "audio/ogg"
    assert source.get("src") == f"/sessions/{example_id}/media#t=30.00"
    (track,) = player.find_all("track")
    assert track.get("kind") == "captions"
    assert track.get("src") == f"/sessions/{example_id}/transcript.vtt"
    assert track.get("srclang") == "en"
    # The player's sources answer.
    assert client.get(urlsplit(source.get("src")).path).status_code == 200
    assert client.get(track.get("src")).mimetype == "text/vtt"
    assert page.find("script").get("src") == "/static/player.js"
    assert client.get("/static/player.js").status_code == 200


def test_session_page_header(client, example_id, example):
    page = session_page(client, example_id)
    s = example.session
    assert page.find("h1").text == s.title
    minutes, secs = divmod(int(s.duration), 60)
    meta = squash(page.find("p", class_="meta").text)
    assert meta == f"{s.date} · {s.unit} · {minutes}:{secs:02d}"
    assert page.find("title").text == f"{s.title} · On the Record"


def test_every_segment_is_a_clickable_line_with_a_time_link(client, example_id, example):
    page = session_page(client, example_id)
    lines = page.find("ol", id="transcript").find_all("li")
    assert len(lines) == len(example.segments)
    for n, (line, seg) in enumerate(zip(lines, example.segments, strict=True)):
        assert line.get("id") == f"seg-{n}"
        assert float(line.get("data-start")) == seg.start
        assert float(line.get("data-end")) == seg.end
        link = line.find("a", class_="ts")
        assert urlsplit(link.get("href")).path == f"/sessions/{example_id}"
        # The segment's start rounded down to 0.1 s: never after the line, never 0.1 s before.
        assert t_of(link.get("href")) <= seg.start < t_of(link.get("href")) + 0.1
        assert link.text == short_clock(seg.start)
        assert line.find("span", class_="text").text == seg.text
        assert seg.speaker
        assert line.find("span", class_="speaker").text == example.speaker_name(seg.speaker)


def test_time_links_open_the_page_at_their_line(client, example_id, example):
    page = session_page(client, example_id)
    link = page.find("ol", id="transcript").find_all("a", class_="ts")[10]
    opened = parse_html(client.get(link.get("href")).get_data(as_text=True))
    start = float(opened.find("audio", id="player").get("data-start"))
    # At the line's start rounded down to 0.1 s: never after the line, never 0.1 s before it.
    assert start <= example.segments[10].start < start + 0.1


def test_download_links_for_the_recording_and_every_format(client, example_id):
    page = session_page(client, example_id)
    links = page.find("section", class_="downloads").find_all("a")
    hrefs = {a.get("href"): a for a in links}
    assert "download" in hrefs[f"/sessions/{example_id}/media"].attrs
    for name in ("json", "vtt", "srt", "txt", "rttm"):
        href = f"/sessions/{example_id}/transcript.{name}?download=1"
        assert href in hrefs
        assert hrefs[href].text == f"Transcript (.{name})"
        response = client.get(href)
        assert response.status_code == 200
        assert response.headers["Content-Disposition"].startswith("attachment")
    assert len(links) == 6


def test_session_list(client, example_id, example):
    page = parse_html(client.get("/sessions/").get_data(as_text=True))
    (entry,) = page.find("ol", class_="sessions").find_all("li", class_="session-entry")
    link = entry.find("h2").find("a")
    assert link.get("href") == f"/sessions/{example_id}"
    assert link.text == example.session.title


# --- ?t= -------------------------------------------------------------------------------------


@pytest.mark.parametrize("t", ["83", "83.0", "1:23", "01:23", "0:01:23", "1m23s", "83s",
                               " 1:23 "])
def test_t_forms_mean_the_same_second(client, example_id, t):
    player = session_page(client, example_id, t).find("audio", id="player")
    assert player.get("data-start") == "83.00"
    assert player.find("source").get("src").endswith("#t=83.00")


def test_t_with_fractions(client, example_id):
    player = session_page(client, example_id, "1:23.5").find("audio", id="player")
    assert player.get("data-start") == "83.50"


def test_t_defaults_to_the_start_and_clamps_to_the_recording(client, example_id, example):
    assert session_page(client, example_id).find("audio", id="player").get("data-start") == "0.00"
    assert session_page(client, example_id, "-5").find("audio").get("data-start") == "0.00"
    end = f"{example.session.duration:.2f}"
    assert session_page(client, example_id, "1h").find("audio").get("data-start") == end
    assert session_page(client, example_id, "99999").find("audio").get("data-start") == end


@pytest.mark.parametrize(("raw", "seconds"), [
    ("83", 83.0), ("83.5", 83.5), ("1:23", 83.0), ("1:02:03", 3723.0), ("1h2m3s", 3723.0),
    ("1h", 3600.0), ("2m", 120.0), ("4.5s", 4.5), ("1h3s", 3603.0), ("0", 0.0), ("-3", 0.0),
])
def test_parse_time(raw, seconds):
    assert parse_time(raw) == seconds


@pytest.mark.parametrize("raw", ["abc", "", "1:2:3:4", "1h2x", "nan", "inf", "-inf", "1::2",
                                 "h", "1.2.3"])
def test_parse_time_refuses_what_is_not_a_time(raw):
    with pytest.raises(InputError, match="is not a time"):
        parse_time(raw)


@pytest.mark.parametrize("t", ["abc", "nan", "1:2:3:4"])
def test_t_that_is_not_a_time_is_a_400(client, example_id, t):
    response = client.get(f"/sessions/{example_id}", query_string={"t": t})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    no_traceback(body)
    message = squash(parse_html(body).find("p", role="alert").text)
    assert f"t='{t}' is not a time" in message


# --- what is not there -----------------------------------------------------------------------


@pytest.mark.parametrize("path", [
    "/sessions/2030-01-01-nothing",
    "/sessions/2030-01-01-nothing/media",
    "/sessions/2030-01-01-nothing/transcript.vtt",
    "/sessions/UPPER-CASE",
    "/sessions/..%2f..%2fetc/media",
    "/sessions/..%2f..%2fetc%2fpasswd",
    "/sessions/%2e%2e/media",
    "/sessions/%2e%2e/transcript.json",
    "/sessions/%2e%2e",
    "/sessions/.index/media",
    "/sessions/-x/media",
])
def test_missing_or_outside_sessions_are_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    no_traceback(body)
    assert "root:" not in body
    assert parse_html(body).find("h1").text == "Not found"


def test_unknown_format_is_404(client, example_id):
    for fmt in ("doc", "pdf", "JSON", "vtt.bak"):
        assert client.get(f"/sessions/{example_id}/transcript.{fmt}").status_code == 404


def test_missing_session_says_which(client):
    body = client.get("/sessions/2030-01-01-nothing").get_data(as_text=True)
    assert "no session &#39;2030-01-01-nothing&#39; in the archive" in body


# --- media -----------------------------------------------------------------------------------


def test_media_is_served_whole(client, example_id, media_bytes):
    response = client.get(f"/sessions/{example_id}/media")
    assert response.status_code == 200
    assert response.mimetype == "audio/ogg"
    assert response.headers["Accept-Ranges"] == "bytes"
    assert int(response.headers["Content-Length"]) == len(media_bytes)
    assert response.data == media_bytes


def test_files_are_found_with_an_archive_named_relative_to_where_the_server_starts(
        archive_copy, example_id, media_bytes, monkeypatch):
    # As `ontherecord serve --archive archive` names it: Flask's send_file would read a
    # relative path from the app's package folder.
    monkeypatch.chdir(archive_copy.root.parent)
    client = create_app({"ARCHIVE": archive_copy.root.name, "TESTING": True}).test_client()
    assert client.get(f"/sessions/{example_id}/media").data == media_bytes
    assert client.get("/data/archive.jsonl").status_code == 200
    clip = client.get(f"/sessions/{example_id}/clip.m4a?t=1&end=3")
    assert (clip.status_code, clip.mimetype) == (200, "audio/mp4") and clip.data


# (Range header, first byte, last byte) for a file of `size` bytes.
RANGES = {
    "middle": lambda size: ("bytes=100-199", 100, 199),
    "first-byte": lambda size: ("bytes=0-0", 0, 0),
    # From the last hundredth of the file to its end.
    "open-ended": lambda size: (f"bytes={size - size // 100}-", size - size // 100, size - 1),
    "suffix": lambda size: ("bytes=-50", size - 50, size - 1),
}


@pytest.mark.parametrize("kind", RANGES)
def test_media_answers_range_requests(client, example_id, media_bytes, kind):
    size = len(media_bytes)
    header, start, end = RANGES[kind](size)
    response = client.get(f"/sessions/{example_id}/media", headers={"Range": header})
    assert response.status_code == 206
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["Content-Range"] == f"bytes {start}-{end}/{size}"
    assert response.data == media_bytes[start:end + 1]
    assert int(response.headers["Content-Length"]) == end + 1 - start
    assert response.mimetype == "audio/ogg"


def test_media_range_past_the_end_is_416(client, example_id, media_bytes):
    response = client.get(f"/sessions/{example_id}/media",
                          headers={"Range": f"bytes={len(media_bytes) + 10}-"})
    assert response.status_code == 416


def test_media_revalidates(client, example_id):
    first = client.get(f"/sessions/{example_id}/media")
    etag = first.headers["ETag"]
    again = client.get(f"/sessions/{example_id}/media", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""


# --- transcript downloads --------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "mimetype"), [
    ("vtt", "text/vtt"), ("srt", "application/x-subrip"), ("json", "application/json"),
    ("txt", "text/plain"), ("rttm", "text/plain"),
])
def test_transcript_formats(client, example_id, example, fmt, mimetype):
    response = client.get(f"/sessions/{example_id}/transcript.{fmt}")
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.mimetype_params.get("charset") == "utf-8"
    assert "Content-Disposition" not in response.headers
    assert response.get_data(as_text=True) == WRITERS[fmt].render(example)
    saved = client.get(f"/sessions/{example_id}/transcript.{fmt}?download=1")
    assert saved.headers["Content-Disposition"] == (
        f'attachment; filename="{example_id}.{fmt}"')
    assert saved.data == response.data


def test_transcript_json_is_the_contract(client, example_id, example):
    data = json.loads(client.get(f"/sessions/{example_id}/transcript.json").data)
    assert data == example.to_dict()
    assert data["session"]["id"] == example_id


# --- hand-made sessions: escaping and video --------------------------------------------------


def test_session_page_escapes_everything(made_client):
    hostile = HOSTILE_TRANSCRIPT.session.id
    response = made_client.get(f"/sessions/{hostile}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    for raw in ("<script>alert(1)</script>", "<b>title</b>", "<i>Staff</i>", "<em>Evil</em>"):
        assert raw not in body
    page = parse_html(body)
    assert page.find("h1").text == "Hostile <b>title</b>"
    line = page.find("ol", id="transcript").find("li")
    assert line.find("span", class_="speaker").text == "<em>Evil</em> Name"
    assert line.find("span", class_="text").text == HOSTILE_TRANSCRIPT.segments[0].text
    vtt = made_client.get(f"/sessions/{hostile}/transcript.vtt").get_data(as_text=True)
    assert "<script>" not in vtt and "<em>" not in vtt


def test_video_session_gets_a_video_player(made_client):
    video = VIDEO_TRANSCRIPT.session.id
    page = parse_html(made_client.get(f"/sessions/{video}?t=2").get_data(as_text=True))
    assert page.find_all("audio") == []
    player = page.find("video", id="player")
    assert player.get("data-start") == "2.00"
    assert player.find("source").get("type") == "video/mp4"
    assert player.find("track").get("kind") == "captions"
    media = made_client.get(f"/sessions/{video}/media")
    assert media.mimetype == "video/mp4"


def test_session_without_speech(tmp_path):
    archive = Archive(tmp_path / "archive")
    commit(archive, make_transcript("2026-12-01-silent", "Silent", "2026-12-01", "Teachers", []))
    client = client_over(archive)
    page = parse_html(client.get("/sessions/2026-12-01-silent").get_data(as_text=True))
    assert "No speech was recognized" in page.find("ol", id="transcript").text
    assert client.get("/sessions/2026-12-01-silent/transcript.vtt").data.decode() == "WEBVTT\n"


def test_short_clock():
    assert [short_clock(s) for s in (0, 5.9, 83, 3599, 3723)] == [
        "0:00", "0:05", "1:23", "59:59", "1:02:03"]


def test_query_args_of_a_time_link_are_only_t(client, example_id):
    page = session_page(client, example_id)
    for link in page.find("ol", id="transcript").find_all("a", class_="ts"):
        assert set(parse_qs(urlsplit(link.get("href")).query)) == {"t"}
