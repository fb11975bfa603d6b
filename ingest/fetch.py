"""Bring a recording in from the web: download a file, or capture an HLS stream with ffmpeg.

The pipeline ingests a local file; this module makes one from a URL. Only http and https are
ever opened, both here and by ffmpeg, so a URL (or a playlist or redirect it leads to) cannot
make us read local files or speak other protocols. Every failure is one InputError line that
names the URL, and leaves nothing behind in the target folder.
"""

from __future__ import annotations

import collections
import contextlib
import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import BinaryIO

from ingest import media
from ontherecord.errors import InputError
from ontherecord.progress import Progress

DEFAULT_MAX_BYTES = 8 * 1024**3
# Seconds without a byte from the server before a download or stream is given up.
TIMEOUT = 30.0
CHUNK = 1024 * 1024
# A playlist is text; anything bigger than this is not one we should be parsing.
MAX_PLAYLIST_BYTES = 4 * 1024 * 1024
# How long ffmpeg gets to write the end of the file after being asked to stop.
FINISH_TIMEOUT = 15.0

SCHEMES = ("http", "https")
# What ffmpeg may open while following a playlist: never file:, pipe: and the like.
FFMPEG_PROTOCOLS = "http,https,tcp,tls,crypto"
HLS_TYPES = {
    "application/vnd.apple.mpegurl",
    "application/x-mpegurl",
    "audio/mpegurl",
    "audio/x-mpegurl",
}
RECORDING_EXTENSIONS = {
    ".mp4", ".mkv", ".webm", ".mov", ".mp3", ".m4a", ".wav", ".flac", ".ogg", ".opus",
}
TYPE_EXTENSIONS = {
    "audio/mpeg": ".mp3", "audio/mp3": ".mp3",
    "audio/mp4": ".m4a", "audio/x-m4a": ".m4a", "audio/m4a": ".m4a", "audio/aac": ".aac",
    "video/mp4": ".mp4", "video/quicktime": ".mov",
    "video/webm": ".webm", "audio/webm": ".webm",
    "video/x-matroska": ".mkv", "audio/x-matroska": ".mkv",
    "audio/ogg": ".ogg", "application/ogg": ".ogg", "audio/opus": ".opus",
    "audio/wav": ".wav", "audio/x-wav": ".wav", "audio/wave": ".wav", "audio/vnd.wave": ".wav",
    "audio/flac": ".flac", "audio/x-flac": ".flac",
}
# Long enough for any real name, short enough for every file system.
MAX_NAME = 100


def is_url(text: str) -> bool:
    """Whether a PATH argument is a web address (http:// or https://) rather than a file."""
    return text.lower().startswith(("http://", "https://"))


def filename_for(url: str, content_type: str | None = None) -> str:
    """A safe local file name from the URL's last path component (never empty, never hidden).

    Only [A-Za-z0-9._-] survive; a name without a known recording extension gets the one its
    Content-Type implies, and a name with nothing usable left becomes 'recording'.
    """
    last = urllib.parse.unquote(urllib.parse.urlsplit(url).path).rsplit("/", 1)[-1]
    # Leading dots would make '..' or a hidden file; separators cannot survive the filter.
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", last).lstrip(".")
    name = re.sub(r"_+", "_", name).strip("_") or "recording"
    stem, ext = os.path.splitext(name)
    if ext.lower() in RECORDING_EXTENSIONS:
        return stem[: MAX_NAME - len(ext)] + ext.lower()
    ext = TYPE_EXTENSIONS.get(_media_type(content_type), "")
    return name[: MAX_NAME - len(ext)] + ext


def fetch(url: str, folder: Path, progress: Progress, max_bytes: int = DEFAULT_MAX_BYTES,
          stop: threading.Event | None = None) -> Path:
    """Download the recording at `url` into `folder` and return the local file.

    A plain file is streamed to disk under a temporary name, refusing more than `max_bytes`.
    An HLS playlist is captured with ffmpeg until it ends, live or not, as record() does; an
    interruption here abandons the download rather than keeping part of it, but setting
    `stop` (staff pressing "stop recording") ends a capture and keeps what it has.
    """
    _check_url(url)
    keep = stop is not None
    if _looks_like_playlist(url):
        return _capture(url, folder, progress, stop, keep_partial=keep, max_bytes=max_bytes)
    with _open(url) as response:
        final = response.geturl()
        content_type = response.headers.get("Content-Type")
        if _media_type(content_type) in HLS_TYPES:
            response.close()
            return _capture(final, folder, progress, stop, keep_partial=keep,
                            max_bytes=max_bytes)
        if _media_type(content_type) == "text/html":
            raise InputError(f"{_shown(url)}: is a web page, not a recording or HLS playlist")
        declared = _content_length(response)
        if declared is not None and declared > max_bytes:
            raise InputError(f"{_shown(url)}: the recording ({_size(declared)}) is larger than "
                             f"the {_size(max_bytes)} limit")
        first = _read(response, url)
        if first.lstrip().startswith(b"#EXTM3U"):  # a playlist served under a generic type
            response.close()
            return _capture(final, folder, progress, stop, keep_partial=keep,
                            max_bytes=max_bytes)
        name = filename_for(final, content_type)
        return _download(response, first, url, folder / name, progress, declared, max_bytes)


def record(url: str, folder: Path, progress: Progress, stop: threading.Event | None = None) -> Path:
    """Capture an HLS stream (live or finished) from its start to a Matroska file in `folder`.

    Capture runs until the stream ends, `stop` is set or Ctrl-C arrives; when stopped, ffmpeg is
    asked to finish the file cleanly and what was captured so far is returned.
    """
    _check_url(url)
    return _capture(url, folder, progress, stop, keep_partial=True, max_bytes=None)


# --- URLs and HTTP ---------------------------------------------------------------------------


def _check_url(url: str) -> None:
    """Refuse anything but an http(s) URL with a host, before opening anything."""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError for a port out of range
    except ValueError as e:
        raise InputError(f"{_shown(url)}: not a valid web address ({e})") from None
    if parts.scheme.lower() not in SCHEMES:
        shown = f"{parts.scheme}:" if parts.scheme else "no scheme"
        raise InputError(f"{_shown(url)}: only http:// and https:// addresses can be fetched "
                         f"(not {shown})")
    if not parts.hostname:
        raise InputError(f"{_shown(url)}: the web address has no host")


def _shown(url: str) -> str:
    """The URL for a message, without any password written into it."""
    with contextlib.suppress(ValueError):
        parts = urllib.parse.urlsplit(url)
        if parts.password is not None:
            host = parts.netloc.rsplit("@", 1)[-1]
            return urllib.parse.urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))
    return url


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects only to http(s): urllib would otherwise follow one to ftp://."""

    def http_error_302(self, req, fp, code, msg, headers):
        """Follow the redirect, or raise InputError if it leaves http(s)."""
        location = headers.get("Location") or headers.get("URI")
        if location:
            target = urllib.parse.urljoin(req.full_url, location)
            if urllib.parse.urlsplit(target).scheme.lower() not in SCHEMES:
                fp.close()
                raise InputError(f"{_shown(req.full_url)}: redirected to a non-web address "
                                 f"({_shown(target)})")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


_OPENER = urllib.request.build_opener(_HttpOnlyRedirects)


def _open(url: str) -> http.client.HTTPResponse:
    """Open an http(s) URL, turning every way it can fail into one InputError line."""
    request = urllib.request.Request(url, headers={"User-Agent": "ontherecord-fetch/1"})
    try:
        return _OPENER.open(request, timeout=TIMEOUT)
    except urllib.error.HTTPError as e:
        e.close()
        raise InputError(f"{_shown(url)}: the server answered HTTP {e.code} {e.reason}") from None
    except urllib.error.URLError as e:
        raise InputError(f"{_shown(url)}: could not connect ({_reason(e.reason)})") from None
    except (OSError, http.client.HTTPException, ValueError) as e:
        raise InputError(f"{_shown(url)}: could not connect ({_reason(e)})") from None


def _reason(error: object) -> str:
    """A short human reason for a network failure."""
    if isinstance(error, socket.gaierror):
        return "host not found"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, TimeoutError):
        return f"no answer in {TIMEOUT:.0f} s"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__


def _media_type(content_type: str | None) -> str:
    """The bare media type of a Content-Type header, lower-cased."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def _content_length(response: http.client.HTTPResponse) -> int | None:
    """The declared body size, if the server gave a usable one."""
    value = response.headers.get("Content-Length", "").strip()
    return int(value) if value.isdigit() else None


def _read(response: http.client.HTTPResponse, url: str) -> bytes:
    """The next chunk of the body ('' at its end); a stall or cut connection is an InputError."""
    try:
        return response.read(CHUNK)
    except (OSError, http.client.HTTPException) as e:
        raise InputError(f"{_shown(url)}: the download was cut off ({_reason(e)})") from None


def _size(n: int) -> str:
    """A byte count for people: 8 GiB, 12.5 MiB."""
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if n >= scale:
            return f"{n / scale:.4g} {unit}"
    return f"{n} bytes"


# --- plain files -----------------------------------------------------------------------------


def _download(response: http.client.HTTPResponse, first: bytes, url: str, target: Path,
              progress: Progress, declared: int | None, max_bytes: int) -> Path:
    """Stream the body into a temporary file beside `target`, then rename it into place.

    Progress is in megabytes, since the length of a file's audio is not known until it is read.
    """
    temp, out = _reserve(target.parent, ".fetch-")
    try:
        with out:
            progress.start("downloading", (declared or 0) / 1e6)
            received, chunk = 0, first
            while chunk:
                received += len(chunk)
                # Content-Length may be absent or a lie: the limit holds for what actually came.
                if received > max_bytes:
                    raise InputError(f"{_shown(url)}: the recording is larger than the "
                                     f"{_size(max_bytes)} limit")
                try:
                    out.write(chunk)
                except OSError as e:
                    raise InputError(f"{_shown(url)}: could not save the download "
                                     f"({e.strerror or e})") from None
                progress.advance(received / 1e6)
                chunk = _read(response, url)
        if received == 0:
            raise InputError(f"{_shown(url)}: the server sent no data")
        if declared is not None and received < declared:
            raise InputError(f"{_shown(url)}: the download was cut off after "
                             f"{_size(received)} of {_size(declared)}")
        final = _unused(target)
        temp.rename(final)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    progress.finish()
    return final


def _reserve(folder: Path, prefix: str) -> tuple[Path, BinaryIO]:
    """A new hidden file in `folder` to write into before the result is complete.

    Made with the usual permissions (unlike mkstemp's owner-only ones), since it becomes the
    recording the archive and its staff read.
    """
    while True:
        temp = folder / f"{prefix}{secrets.token_hex(8)}.part"
        try:
            return temp, open(temp, "xb")
        except FileExistsError:
            continue
        except OSError as e:
            raise InputError(f"{folder}: cannot write the recording there "
                             f"({e.strerror or e})") from None


def _unused(target: Path) -> Path:
    """`target`, or `name-2.ext`, `name-3.ext`… if a file of that name is already there."""
    candidate, n = target, 1
    while candidate.exists():
        n += 1
        candidate = target.with_name(f"{target.stem}-{n}{target.suffix}")
    # Names come from filename_for, which cannot leave the folder; this keeps that promise.
    if candidate.resolve().parent != target.parent.resolve():
        raise InputError(f"{target.name}: not a usable file name")
    return candidate


# --- HLS streams -----------------------------------------------------------------------------


def _looks_like_playlist(url: str) -> bool:
    """Whether the URL's path names an HLS playlist."""
    return urllib.parse.urlsplit(url).path.lower().endswith(".m3u8")


def _playlist(url: str) -> str:
    """The text of the playlist at `url`; fails clearly if it cannot be had or is not one."""
    with _open(url) as response:
        body = b""
        while len(body) <= MAX_PLAYLIST_BYTES and (chunk := _read(response, url)):
            body += chunk
    if len(body) > MAX_PLAYLIST_BYTES or not body.lstrip().startswith(b"#EXTM3U"):
        raise InputError(f"{_shown(url)}: not an HLS playlist")
    return body.decode("utf-8", "replace")


def _finished_duration(url: str) -> float:
    """The length of a finished (#EXT-X-ENDLIST) stream in seconds; 0 while it is live.

    A master playlist's length is that of its first variant, which is what ffmpeg would read.
    """
    text = _playlist(url)
    variant = re.search(r"#EXT-X-STREAM-INF[^\n]*\n\s*([^#\s][^\n]*)", text)
    if variant:
        variant_url = urllib.parse.urljoin(url, variant[1].strip())
        if urllib.parse.urlsplit(variant_url).scheme.lower() not in SCHEMES:
            raise InputError(f"{_shown(url)}: the playlist points outside the web "
                             f"({_shown(variant_url)})")
        text = _playlist(variant_url)
    if "#EXT-X-ENDLIST" not in text:
        return 0.0
    return sum(float(m[1]) for m in re.finditer(r"#EXTINF:\s*([0-9.]+)", text))


def _capture(url: str, folder: Path, progress: Progress, stop: threading.Event | None,
             keep_partial: bool, max_bytes: int | None) -> Path:
    """Copy an HLS stream's media into `name.mkv` in `folder` with ffmpeg.

    With `keep_partial`, a stop or Ctrl-C ends the capture and keeps what was captured (the
    recorder's contract); without it, Ctrl-C abandons the file and is raised again (a fetch).
    """
    total = _finished_duration(url)  # also a clear error for 404s and non-playlists
    target = folder / (Path(filename_for(url)).stem + ".mkv")
    temp, out = _reserve(folder, ".record-")
    out.close()  # ffmpeg writes it
    try:
        stopped = _run_ffmpeg(_capture_command(url, temp, max_bytes), url, progress, total,
                              stop, keep_partial)
        info = _captured(temp, url, stopped)
        if max_bytes is not None and temp.stat().st_size >= max_bytes:
            raise InputError(f"{_shown(url)}: the stream is larger than the "
                             f"{_size(max_bytes)} limit")
        final = _unused(target)
        temp.rename(final)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    progress.advance(info.duration or 0.0)
    progress.finish()
    return final


def _capture_command(url: str, target: Path, max_bytes: int | None) -> list[str]:
    """The ffmpeg command that copies the stream from its first segment into Matroska.

    Matroska because a file cut short by a stop is still readable, unlike an unfinished MP4.
    """
    limit = ["-fs", str(max_bytes)] if max_bytes is not None else []
    return [
        media.ffmpeg_binary(), "-hide_banner", "-nostats", "-v", "error",
        "-progress", "pipe:1",
        "-protocol_whitelist", FFMPEG_PROTOCOLS,
        "-rw_timeout", str(int(TIMEOUT * 1e6)),
        "-live_start_index", "0",  # from the start of the playlist, not the live edge
        "-i", url,
        "-c", "copy", "-map_metadata", "-1", "-sn", "-dn", *limit,
        "-f", "matroska", "-y", str(target),
    ]


def _run_ffmpeg(command: list[str], url: str, progress: Progress, total: float,
                stop: threading.Event | None, keep_partial: bool) -> bool:
    """Run a capture to its end or until stopped; whether it was stopped early.

    A failure of ffmpeg that was not asked for raises InputError with its last complaint.
    """
    position = [0.0]
    complaints: collections.deque[str] = collections.deque(maxlen=20)
    stopped = False
    # Leaving the `with` closes ffmpeg's pipes and waits for it.
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE) as process:
        readers = [
            threading.Thread(target=_read_progress, args=(process.stdout, position), daemon=True),
            threading.Thread(target=_read_lines, args=(process.stderr, complaints), daemon=True),
        ]
        try:
            for reader in readers:
                reader.start()
            progress.start("recording", total)
            try:
                stopped = _wait(process, stop, progress, position)
            except KeyboardInterrupt:
                if not keep_partial:
                    raise
                stopped = True
            if stopped:
                _finish(process)
        except BaseException:
            process.kill()
            raise
        finally:
            for reader in readers:
                if reader.is_alive():
                    reader.join(timeout=5)
    if process.returncode != 0 and not stopped:
        reason = complaints[-1] if complaints else f"ffmpeg exited with {process.returncode}"
        reason = reason.removeprefix(f"{url}: ")  # ffmpeg names the URL too; once is enough
        raise InputError(f"{_shown(url)}: could not capture the stream ({reason})")
    return stopped


def _wait(process: subprocess.Popen, stop: threading.Event | None, progress: Progress,
          position: list[float]) -> bool:
    """Report progress until ffmpeg exits (False) or `stop` is set (True)."""
    # A never-set event keeps one loop for both cases.
    stop = stop or threading.Event()
    while process.poll() is None:
        if stop.wait(0.25):
            return True
        progress.advance(position[0])
    return False


def _finish(process: subprocess.Popen) -> None:
    """Ask ffmpeg to stop and close its file properly; kill it only if it will not."""
    # 'q' is ffmpeg's own "stop"; SIGINT also wakes it from a wait for the next segment.
    with contextlib.suppress(OSError):
        process.stdin.write(b"q")
        process.stdin.close()
    if os.name == "posix":
        with contextlib.suppress(OSError):
            process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=FINISH_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _read_progress(stream, position: list[float]) -> None:
    """Keep the latest position from ffmpeg's `-progress` output (runs in a thread)."""
    for line in stream:
        if line.startswith(b"out_time_us=") and line[12:].strip().isdigit():
            position[0] = int(line[12:]) / 1e6


def _read_lines(stream, lines: collections.deque[str]) -> None:
    """Keep ffmpeg's last complaints, and keep its stderr pipe from filling (runs in a thread)."""
    for line in stream:
        text = line.decode("utf-8", "replace").strip()
        if text:
            lines.append(text)


def _captured(path: Path, url: str, stopped: bool) -> media.MediaInfo:
    """What the capture holds; InputError if it holds no playable audio."""
    when = " before it was stopped" if stopped else ""
    if not path.exists() or path.stat().st_size == 0:
        raise InputError(f"{_shown(url)}: the stream yielded no media{when}")
    try:
        info = media.probe(path)
    except InputError:
        raise InputError(f"{_shown(url)}: the stream yielded no playable audio{when}") from None
    if not info.duration:
        raise InputError(f"{_shown(url)}: the stream yielded no media{when}")
    return info
