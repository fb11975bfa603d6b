"""ingest/fetch.py against a real HTTP server on 127.0.0.1 and the real ffmpeg: plain downloads,
size limits, refusals (schemes, redirects, statuses, dead ports), finished and live HLS streams,
and recordings stopped early by an event or by Ctrl-C."""

from __future__ import annotations

import _thread
import functools
import http.server
import json
import shutil
import signal
import subprocess
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

from ingest import download, fetch, jobs, media
from ingest.asr import AsrOptions
from ingest.media import ffmpeg_binary
from ontherecord.archive import Archive
from ontherecord.details import Details
from ontherecord.errors import InputError
from tests.helpers import snapshot
from tests.helpers.example import EXAMPLE, TEST_MODEL, normalize
from tests.helpers.http import free_port
from tests.helpers.media import ffmpeg

CLIP_SECONDS = 10
# Live streams are written in real time, so they are kept short to keep this file quick.
LIVE_SECONDS = 10
# A whole-stream capture begins this many one-second segments in, so that one starting at the
# live edge (ffmpeg's default: three segments from the end) would miss the first two seconds.
SEGMENTS_BEFORE_RECORDING = 5


class Steps:
    """A Progress that keeps what it was told, to check a stage was reported."""

    def __init__(self) -> None:
        self.stages: list[tuple[str, float]] = []
        self.positions: list[float] = []
        self.finished = 0

    def start(self, stage: str, total: float) -> None:
        self.stages.append((stage, total))

    def advance(self, position: float) -> None:
        self.positions.append(position)

    def finish(self) -> None:
        self.finished += 1


class Handler(http.server.SimpleHTTPRequestHandler):
    """Files from the served folder, plus paths that misbehave the ways real servers do."""

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        route = url.path.split("/")[1]
        special = {
            "stream": self.stream, "lying": self.lying, "endless": self.endless,
            "redirect": self.redirect, "error": self.error, "playlist": self.playlist,
        }
        if route in special:
            special[route](url.path.split("/", 2)[-1], query)
        else:
            super().do_GET()

    def stream(self, name: str, query: dict) -> None:
        """The file with no Content-Length: its end is the connection closing (HTTP/1.0)."""
        data = (Path(self.directory) / name).read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "audio/ogg")
        self.end_headers()
        for i in range(0, len(data), 4096):
            self.wfile.write(data[i:i + 4096])

    def lying(self, name: str, query: dict) -> None:
        """The file under a Content-Length larger than it: a download cut off."""
        data = (Path(self.directory) / name).read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "audio/ogg")
        self.send_header("Content-Length", str(len(data) + 5000))
        self.end_headers()
        self.wfile.write(data)

    def endless(self, name: str, query: dict) -> None:
        """Bytes without a Content-Length until the client hangs up (or 64 MiB, so that a
        client that never stops fails the test instead of hanging it)."""
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.end_headers()
        block = b"\0" * 65536
        try:
            for _ in range(1024):
                self.wfile.write(block)
        except OSError:
            pass

    def redirect(self, name: str, query: dict) -> None:
        self.send_response(302)
        self.send_header("Location", query["to"])
        self.send_header("Content-Length", "0")
        self.end_headers()

    def error(self, name: str, query: dict) -> None:
        self.send_error(500, "Broken on purpose")

    def playlist(self, name: str, query: dict) -> None:
        """A playlist at a URL that does not say so, under the HLS media type."""
        data = (Path(self.directory) / query["name"]).read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.apple.mpegurl")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args) -> None:
        """Keep the test output clean."""


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(base URL, folder) of a threaded HTTP server on a free loopback port."""
    folder = tmp_path_factory.mktemp("served")
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(folder)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", folder
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def base(served) -> str:
    return served[0]


@pytest.fixture(scope="module")
def clip(served) -> Path:
    """The example's first seconds as Ogg/Opus, in the served folder."""
    path = served[1] / "clip.ogg"
    ffmpeg("-t", str(CLIP_SECONDS), "-i", str(EXAMPLE), "-c", "copy", str(path))
    return path


@pytest.fixture(scope="module")
def live_clip(served) -> Path:
    """The example's first LIVE_SECONDS, outside the served folder: the source of live streams."""
    path = served[1].parent / "live-source.ogg"
    ffmpeg("-t", str(LIVE_SECONDS), "-i", str(EXAMPLE), "-c", "copy", str(path))
    return path


@pytest.fixture(scope="module")
def vod(served, clip) -> str:
    """A finished HLS stream of the clip, in the served folder: its playlist's name."""
    ffmpeg("-i", str(clip), "-c:a", "aac", "-f", "hls", "-hls_time", "2",
           "-hls_playlist_type", "vod", str(served[1] / "vod.m3u8"))
    assert "#EXT-X-ENDLIST" in (served[1] / "vod.m3u8").read_text()
    return "vod.m3u8"


@pytest.fixture
def live(served, live_clip):
    """Start a live HLS stream (written in real time, ENDLIST when done): returns its URL once
    `segments` segments are out, and the ffmpeg writing it."""
    started: list[subprocess.Popen] = []

    def start(name: str, segments: int) -> tuple[str, subprocess.Popen]:
        folder = served[1] / name
        folder.mkdir()
        playlist = folder / "live.m3u8"
        writer = subprocess.Popen([
            ffmpeg_binary(), "-v", "error", "-y", "-re", "-i", str(live_clip), "-c:a", "aac",
            "-f", "hls", "-hls_time", "1", "-hls_playlist_type", "event",
            "-hls_flags", "temp_file", str(playlist)])
        started.append(writer)
        deadline = time.monotonic() + 30
        while not (playlist.exists()
                   and playlist.read_text().count("#EXTINF") >= segments):
            assert writer.poll() is None and time.monotonic() < deadline, "live stream failed"
            time.sleep(0.05)
        assert "#EXT-X-ENDLIST" not in playlist.read_text()
        return f"{served[0]}/{name}/live.m3u8", writer

    yield start
    for writer in started:
        writer.kill()
        writer.wait()


@pytest.fixture
def ctrl_c():
    """Press Ctrl-C after a delay: a KeyboardInterrupt in the main thread, as from a terminal.

    Python's own handler is put in place for the test, since a runner may have started us with
    SIGINT ignored (as a shell does for a background job), where nothing would arrive.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timers: list[threading.Timer] = []

    def press_after(seconds: float) -> None:
        timers.append(threading.Timer(seconds, _thread.interrupt_main))
        timers[-1].start()

    yield press_after
    for timer in timers:
        timer.cancel()
    signal.signal(signal.SIGINT, previous)


@pytest.fixture
def out(tmp_path) -> Path:
    folder = tmp_path / "fetched"
    folder.mkdir()
    return folder


def listing(folder: Path) -> list[str]:
    """Every entry in a folder, hidden ones included."""
    return sorted(p.name for p in folder.iterdir())


def decodes_cleanly(path: Path) -> None:
    """Assert ffmpeg decodes the whole file without a single complaint."""
    done = subprocess.run([ffmpeg_binary(), "-v", "error", "-xerror", "-i", str(path),
                           "-f", "null", "-"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stderr == "", done.stderr


# --- names and addresses ----------------------------------------------------------------------


def test_is_url():
    assert fetch.is_url("http://example.org/a.mp3")
    assert fetch.is_url("HTTPS://example.org/live.m3u8")
    for text in ("session.mp4", "/srv/recordings/a.mp3", "ftp://example.org/a.mp3",
                 "file:///etc/passwd", "", "http:/typo"):
        assert not fetch.is_url(text), text


@pytest.mark.parametrize("url, content_type, expected", [
    ("http://h/media/session-4.mp4", None, "session-4.mp4"),
    ("http://h/media/Board%20Meeting%202024.MP3?token=abc/../../x", None,
     "Board_Meeting_2024.mp3"),
    ("http://h/../../etc/passwd", None, "passwd"),
    ("http://h/a/%2e%2e%2f%2e%2e%2fetc%2fpasswd", None, "passwd"),
    ("http://h/..", None, "recording"),
    ("http://h/", "audio/mpeg", "recording.mp3"),
    ("http://h", None, "recording"),
    ("http://h/download.php?id=7", "audio/ogg; charset=binary", "download.php.ogg"),
    ("http://h/.hidden.wav", None, "hidden.wav"),
    ("http://h/x/%00%01;rm -rf", "video/mp4", "rm_-rf.mp4"),
    ("http://h/" + "a" * 300 + ".webm", None, "a" * 95 + ".webm"),
])
def test_filename_for_is_safe(url, content_type, expected, tmp_path):
    name = download.filename_for(url, content_type)
    assert name == expected
    assert (tmp_path / name).resolve().parent == tmp_path.resolve()


# --- plain files ------------------------------------------------------------------------------


def test_download_is_byte_identical(base, clip, out):
    steps = Steps()
    path = fetch.fetch(f"{base}/clip.ogg", out, steps)
    assert path == out / "clip.ogg"
    assert path.read_bytes() == clip.read_bytes()
    assert listing(out) == ["clip.ogg"]
    assert steps.stages[0][0] == "downloading" and steps.finished == 1
    assert steps.positions[-1] == pytest.approx(clip.stat().st_size / 1e6)


def test_download_does_not_overwrite(base, clip, out):
    (out / "clip.ogg").write_bytes(b"earlier")
    path = fetch.fetch(f"{base}/clip.ogg", out, Steps())
    assert path == out / "clip-2.ogg" and path.read_bytes() == clip.read_bytes()
    assert (out / "clip.ogg").read_bytes() == b"earlier"


def test_download_without_content_length(base, clip, out):
    path = fetch.fetch(f"{base}/stream/clip.ogg", out, Steps())
    assert path.read_bytes() == clip.read_bytes()
    assert listing(out) == ["clip.ogg"]


def test_download_follows_web_redirects(base, clip, out):
    path = fetch.fetch(f"{base}/redirect?to=/clip.ogg", out, Steps())
    assert path.name == "clip.ogg" and path.read_bytes() == clip.read_bytes()


def test_size_limit_from_content_length(base, clip, out):
    size = clip.stat().st_size
    with pytest.raises(InputError) as e:
        fetch.fetch(f"{base}/clip.ogg", out, Steps(), max_bytes=size - 1)
    assert f"{base}/clip.ogg" in str(e.value) and "limit" in str(e.value)
    assert "KiB)" in str(e.value)  # the declared size was refused before any download
    assert listing(out) == []
    assert fetch.fetch(f"{base}/clip.ogg", out, Steps(), max_bytes=size).stat().st_size == size


def test_size_limit_while_streaming(base, clip, out):
    with pytest.raises(InputError, match="limit"):
        fetch.fetch(f"{base}/stream/clip.ogg", out, Steps(), max_bytes=clip.stat().st_size - 1)
    assert listing(out) == []


def test_size_limit_stops_an_endless_download(base, out):
    started = time.monotonic()
    with pytest.raises(InputError, match="3 MiB limit"):
        fetch.fetch(f"{base}/endless/data", out, Steps(), max_bytes=3 * 1024 * 1024)
    assert time.monotonic() - started < 20
    assert listing(out) == []


def test_cut_off_download(base, out):
    with pytest.raises(InputError, match="cut off"):
        fetch.fetch(f"{base}/lying/clip.ogg", out, Steps())
    assert listing(out) == []


@pytest.mark.parametrize("path, status", [("missing.mp3", "404"), ("error", "500")])
def test_http_errors(base, out, path, status):
    with pytest.raises(InputError) as e:
        fetch.fetch(f"{base}/{path}", out, Steps())
    assert f"HTTP {status}" in str(e.value) and f"{base}/{path}" in str(e.value)
    assert listing(out) == []


def test_connection_refused(out):
    url = f"http://127.0.0.1:{free_port()}/a.mp3"
    with pytest.raises(InputError) as e:
        fetch.fetch(url, out, Steps())
    assert url in str(e.value) and "refused" in str(e.value)
    with pytest.raises(InputError, match="refused"):
        fetch.record(url.replace(".mp3", ".m3u8"), out, Steps())
    assert listing(out) == []


def test_web_page_refused(base, out):
    with pytest.raises(InputError, match="web page"):
        fetch.fetch(f"{base}/", out, Steps())
    assert listing(out) == []


@pytest.mark.parametrize("url", [
    "file:///etc/passwd", "FILE:///etc/passwd", "ftp://127.0.0.1/a.mp3", "data:,hello",
    "gopher://127.0.0.1/", "/etc/passwd", "http:///no-host.mp3", "http://127.0.0.1:99999/a",
])
def test_other_schemes_refused(url, out):
    for call in (fetch.fetch, fetch.record):
        with pytest.raises(InputError) as e:
            call(url, out, Steps())
        assert url in str(e.value)
    assert listing(out) == []


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://127.0.0.1:1/a.mp3"])
def test_redirect_away_from_the_web_refused(base, out, target):
    with pytest.raises(InputError, match="redirected"):
        fetch.fetch(f"{base}/redirect?to={urllib.parse.quote(target)}", out, Steps())
    assert listing(out) == []


def test_password_not_shown(out):
    with pytest.raises(InputError) as e:
        fetch.fetch(f"http://staff:s3cret@127.0.0.1:{free_port()}/a.mp3", out, Steps())
    assert "s3cret" not in str(e.value) and "staff:***@" in str(e.value)


# --- HLS --------------------------------------------------------------------------------------


def test_hls_vod_is_captured(base, vod, clip, out):
    steps = Steps()
    path = fetch.fetch(f"{base}/{vod}", out, steps)
    assert path == out / "vod.mkv" and listing(out) == ["vod.mkv"]
    info = media.probe(path)
    assert info.audio_codec == "aac"
    assert info.duration == pytest.approx(CLIP_SECONDS, abs=0.3)
    # A finished playlist's length is known up front, so the bar has a total.
    assert steps.stages == [("recording", pytest.approx(CLIP_SECONDS, abs=0.3))]
    decodes_cleanly(path)


def test_hls_found_by_content_type(base, vod, out):
    path = fetch.fetch(f"{base}/playlist?name={vod}", out, Steps())
    assert path.suffix == ".mkv"
    assert media.probe(path).duration == pytest.approx(CLIP_SECONDS, abs=0.3)


def test_hls_size_limit(base, vod, out):
    with pytest.raises(InputError, match="limit"):
        fetch.fetch(f"{base}/{vod}", out, Steps(), max_bytes=20_000)
    assert listing(out) == []


def test_hls_that_ffmpeg_cannot_read(served, base, out):
    folder = served[1]
    (folder / "text.m3u8").write_text("this is not a playlist\n")
    (folder / "garbage.ts").write_bytes(bytes(range(256)) * 64)
    segments = "".join(f"#EXTINF:2.0,\n{name}\n" for name in ("garbage.ts", "absent.ts"))
    (folder / "broken.m3u8").write_text(
        f"#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n{segments}#EXT-X-ENDLIST\n")
    with pytest.raises(InputError, match="not an HLS playlist"):
        fetch.fetch(f"{base}/text.m3u8", out, Steps())
    with pytest.raises(InputError) as e:
        fetch.fetch(f"{base}/broken.m3u8", out, Steps())
    assert f"{base}/broken.m3u8" in str(e.value)
    with pytest.raises(InputError, match="404"):
        fetch.record(f"{base}/absent.m3u8", out, Steps())
    assert listing(out) == []


def test_hls_cannot_reach_local_files(served, base, vod, tmp_path, out):
    """A playlist naming a file: segment must not make ffmpeg read the local disk."""
    secret = tmp_path / "secret.ts"
    shutil.copy(served[1] / "vod0.ts", secret)
    (served[1] / "local.m3u8").write_text(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n"
        f"#EXTINF:2.0,\nfile://{secret}\n#EXT-X-ENDLIST\n")
    with pytest.raises(InputError):
        fetch.fetch(f"{base}/local.m3u8", out, Steps())
    assert listing(out) == []


def test_live_hls_captured_from_the_start_until_it_ends(live, tmp_path):
    """record() and fetch() of the same live stream at once (it runs in real time)."""
    url, writer = live("live-whole", SEGMENTS_BEFORE_RECORDING)
    recorded, fetched = tmp_path / "recorded", tmp_path / "fetched"
    recorded.mkdir(), fetched.mkdir()
    steps = Steps()
    results: dict[str, Path | BaseException] = {}

    def capture(name: str, call, folder: Path, progress) -> None:
        try:
            results[name] = call(url, folder, progress)
        except BaseException as e:
            results[name] = e

    other = threading.Thread(target=capture, args=("fetch", fetch.fetch, fetched, Steps()))
    other.start()
    capture("record", fetch.record, recorded, steps)
    other.join(timeout=30)
    assert writer.poll() == 0  # the stream ended: neither capture was cut short
    assert results["record"] == recorded / "live.mkv" and listing(recorded) == ["live.mkv"]
    assert results["fetch"] == fetched / "live.mkv" and listing(fetched) == ["live.mkv"]
    for path in results.values():
        # Only a capture from the playlist's first segment holds the whole stream.
        assert media.probe(path).duration == pytest.approx(LIVE_SECONDS, abs=0.6)
        decodes_cleanly(path)
    assert steps.stages == [("recording", 0.0)]  # live: the length was not known up front
    assert max(steps.positions) > LIVE_SECONDS / 2 and steps.finished == 1


def assert_cut_short(path: Path) -> None:
    """Assert a stopped recording is playable and holds some, not all, of the stream."""
    duration = media.probe(path).duration
    assert duration and 1.0 < duration < LIVE_SECONDS - 3, duration
    decodes_cleanly(path)


def test_record_stops_when_asked(live, out):
    url, writer = live("live-stop", 2)
    stop = threading.Event()
    timer = threading.Timer(2.0, stop.set)
    started = time.monotonic()
    timer.start()
    try:
        path = fetch.record(url, out, Steps(), stop)
    finally:
        timer.cancel()
    assert time.monotonic() - started < 2.0 + 4.0
    assert writer.poll() is None  # the stream was still going
    assert listing(out) == ["live.mkv"]
    assert_cut_short(path)


def test_record_keeps_what_it_has_on_ctrl_c(live, ctrl_c, out):
    url, writer = live("live-interrupt", 2)
    ctrl_c(2.0)
    path = fetch.record(url, out, Steps())
    assert writer.poll() is None
    assert listing(out) == ["live.mkv"]
    assert_cut_short(path)


def test_fetch_abandons_a_stream_on_ctrl_c(live, ctrl_c, out):
    url, writer = live("live-abandon", 2)
    ctrl_c(2.0)
    with pytest.raises(KeyboardInterrupt):
        fetch.fetch(url, out, Steps())
    assert writer.poll() is None
    assert listing(out) == []


# End to end: the `ontherecord` command and a staff job, from a server on 127.0.0.1 to a session.

def said(archive: Archive, session_id: str) -> str:
    """Everything a session's transcript says, normalized."""
    return normalize(" ".join(s.text for s in archive.transcript(session_id).segments))


@pytest.mark.slow
def test_ingest_a_url_end_to_end(cli, base, clip, tmp_path):
    archive = Archive(tmp_path / "archive")
    url = f"{base}/clip.ogg"
    done = cli("ingest", url, "--title", "From the web", "--date", "2026-11-02", "--unit",
               "ESP", "--model", TEST_MODEL, "--quiet", "--publish", archive=archive.root)
    assert done.returncode == 0, done.stderr
    session_id = done.stdout.split()[-1]
    session = archive.session(session_id)
    assert session.source_url == url and session.source.filename == "clip.ogg"
    assert session.public and abs(session.duration - CLIP_SECONDS) < 0.5
    assert "fourth bargaining session" in said(archive, session_id)
    found = cli("search", "fourth bargaining", archive=archive.root)
    assert session_id in found.stdout
    assert list((archive.root / ".staging").iterdir()) == []  # the download is gone
    # A dead address is one line and a non-zero exit, and the archive keeps what it had.
    before = snapshot(archive.root)
    failed = cli("ingest", f"{base}/missing.ogg", "--title", "x", "--date", "2026-11-02",
                 "--unit", "ESP", "--quiet", archive=archive.root)
    assert failed.returncode == 1
    assert failed.stderr.strip().count("\n") == 0 and "404" in failed.stderr
    assert snapshot(archive.root) == before


@pytest.mark.slow
def test_record_a_live_stream_end_to_end(cli, live, tmp_path):
    archive = Archive(tmp_path / "archive")
    url, writer = live("cli-live", SEGMENTS_BEFORE_RECORDING)
    done = cli("record", url, "--title", "Live session", "--date", "2026-11-03", "--unit",
               "Teachers", "--model", TEST_MODEL, "--quiet", "--publish",
               archive=archive.root)
    assert done.returncode == 0, done.stderr
    assert writer.wait(timeout=30) == 0
    session_id = done.stdout.split()[-1]
    session = archive.session(session_id)
    # From the stream's start, though recording began five segments in, to its end.
    assert abs(session.duration - LIVE_SECONDS) < 0.8, session.duration
    assert session.source_url == url and session.public
    assert "good afternoon everyone" in said(archive, session_id)
    hits = cli("search", "fourth bargaining", "--json", archive=archive.root)
    assert json.loads(hits.stdout)["total"] >= 1


@pytest.mark.slow
def test_a_staff_job_fetches_a_stream(base, vod, tmp_path):
    archive = Archive(tmp_path / "archive")
    url = f"{base}/{vod}"
    job = jobs.create(archive, Details("Stream job", "2026-11-04", "Teachers"), url, url=url)
    done = jobs.run(archive, job.id, AsrOptions(model=TEST_MODEL))
    assert done.state == "done", done.error
    assert archive.session(done.session_id).state == "draft"
    # The address is the session's source link, as `ontherecord ingest URL` makes it.
    assert archive.session(done.session_id).source_url == url
    assert "fourth bargaining session" in said(archive, done.session_id)
    assert list(jobs.inbox(archive, job.id).iterdir()) == []  # the recording is not kept twice
    # A job for a dead address fails with the reason, leaves no session, and can be retried.
    bad = jobs.create(archive, Details("Dead", "2026-11-04", "Teachers"), url + "x",
                      url=url + "x")
    failed = jobs.run(archive, bad.id, AsrOptions(model=TEST_MODEL))
    assert failed.state == "failed" and "404" in failed.error
    assert archive.ids() == [done.session_id]
    assert jobs.retry(archive, bad.id).state == "queued"
