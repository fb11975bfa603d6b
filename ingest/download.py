"""Plain files over the web: URL checks, an opener that stays on http(s), a limited download.

Only http and https are ever opened, redirects included. Every failure is one InputError line
that names the URL (without any password in it), and a download that fails leaves nothing
behind: it is written under a hidden temporary name and renamed into place only when whole.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import secrets
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from ontherecord.errors import InputError
from ontherecord.progress import Progress

DEFAULT_MAX_BYTES = 8 * 1024**3
# Seconds without a byte from the server before a download or stream is given up.
TIMEOUT = 30.0
CHUNK = 1024 * 1024

SCHEMES = ("http", "https")
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


# --- URLs ------------------------------------------------------------------------------------


def check_url(url: str) -> None:
    """Refuse anything but an http(s) URL with a host, before opening anything."""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError for a port out of range
    except ValueError as e:
        raise InputError(f"{shown(url)}: not a valid web address ({e})") from None
    if parts.scheme.lower() not in SCHEMES:
        scheme = f"{parts.scheme}:" if parts.scheme else "no scheme"
        raise InputError(f"{shown(url)}: only http:// and https:// addresses can be fetched "
                         f"(not {scheme})")
    if not parts.hostname:
        raise InputError(f"{shown(url)}: the web address has no host")


def is_web(url: str) -> bool:
    """Whether a (resolved) URL stays on http(s)."""
    return urllib.parse.urlsplit(url).scheme.lower() in SCHEMES


def shown(url: str) -> str:
    """The URL for a message, without any password written into it."""
    with contextlib.suppress(ValueError):
        parts = urllib.parse.urlsplit(url)
        if parts.password is not None:
            host = parts.netloc.rsplit("@", 1)[-1]
            return urllib.parse.urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))
    return url


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
    ext = TYPE_EXTENSIONS.get(media_type(content_type), "")
    return name[: MAX_NAME - len(ext)] + ext


# --- HTTP ------------------------------------------------------------------------------------


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects only to http(s): urllib would otherwise follow one to ftp://."""

    def http_error_302(self, req, fp, code, msg, headers):
        """Follow the redirect, or raise InputError if it leaves http(s)."""
        location = headers.get("Location") or headers.get("URI")
        if location:
            target = urllib.parse.urljoin(req.full_url, location)
            if not is_web(target):
                fp.close()
                raise InputError(f"{shown(req.full_url)}: redirected to a non-web address "
                                 f"({shown(target)})")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


_OPENER = urllib.request.build_opener(_HttpOnlyRedirects)


def open_url(url: str) -> http.client.HTTPResponse:
    """Open an http(s) URL, turning every way it can fail into one InputError line."""
    request = urllib.request.Request(url, headers={"User-Agent": "ontherecord-fetch/1"})
    try:
        return _OPENER.open(request, timeout=TIMEOUT)
    except urllib.error.HTTPError as e:
        e.close()
        raise InputError(f"{shown(url)}: the server answered HTTP {e.code} {e.reason}") from None
    except urllib.error.URLError as e:
        raise InputError(f"{shown(url)}: could not connect ({_reason(e.reason)})") from None
    except (OSError, http.client.HTTPException, ValueError) as e:
        raise InputError(f"{shown(url)}: could not connect ({_reason(e)})") from None


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


def media_type(content_type: str | None) -> str:
    """The bare media type of a Content-Type header, lower-cased."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def declared_size(response: http.client.HTTPResponse, url: str, max_bytes: int) -> int | None:
    """The body size the server declares, if usable; InputError if it is over the limit."""
    value = response.headers.get("Content-Length", "").strip()
    declared = int(value) if value.isdigit() else None
    if declared is not None and declared > max_bytes:
        raise InputError(f"{shown(url)}: the recording ({size_text(declared)}) is larger than "
                         f"the {size_text(max_bytes)} limit")
    return declared


def read_chunk(response: http.client.HTTPResponse, url: str) -> bytes:
    """The next chunk of the body ('' at its end); a stall or cut connection is an InputError."""
    try:
        return response.read(CHUNK)
    except (OSError, http.client.HTTPException) as e:
        raise InputError(f"{shown(url)}: the download was cut off ({_reason(e)})") from None


def size_text(n: int) -> str:
    """A byte count for people: 8 GiB, 12.5 MiB."""
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if n >= scale:
            return f"{n / scale:.4g} {unit}"
    return f"{n} bytes"


# --- files -----------------------------------------------------------------------------------


def save(response: http.client.HTTPResponse, first: bytes, url: str, target: Path,
         progress: Progress, declared: int | None, max_bytes: int) -> Path:
    """Stream the body (`first` is its first chunk) into `target`, or the next unused name.

    Progress is in megabytes, since the length of a file's audio is not known until it is read.
    """

    def write(_: Path, out: BinaryIO) -> None:
        progress.start("downloading", (declared or 0) / 1e6)
        with out:
            received = _copy_body(response, first, url, out, progress, max_bytes)
        if received == 0:
            raise InputError(f"{shown(url)}: the server sent no data")
        if declared is not None and received < declared:
            raise InputError(f"{shown(url)}: the download was cut off after "
                             f"{size_text(received)} of {size_text(declared)}")

    final = place(target, ".fetch-", write)
    progress.finish()
    return final


def _copy_body(response: http.client.HTTPResponse, first: bytes, url: str, out: BinaryIO,
               progress: Progress, max_bytes: int) -> int:
    """Copy the body into `out`, refusing more than `max_bytes`; the number of bytes copied."""
    received, chunk = 0, first
    while chunk:
        received += len(chunk)
        # Content-Length may be absent or a lie: the limit holds for what actually came.
        if received > max_bytes:
            raise InputError(f"{shown(url)}: the recording is larger than the "
                             f"{size_text(max_bytes)} limit")
        try:
            out.write(chunk)
        except OSError as e:
            raise InputError(f"{shown(url)}: could not save the download "
                             f"({e.strerror or e})") from None
        progress.advance(received / 1e6)
        chunk = read_chunk(response, url)
    return received


def place(target: Path, prefix: str, write: Callable[[Path, BinaryIO], None]) -> Path:
    """Have `write` fill a new hidden file beside `target`, then rename that into place.

    The name is `target`'s or the next unused one. If `write` fails or is interrupted, the file
    is removed: a failed download or capture leaves nothing behind.
    """
    temp, out = _reserve(target.parent, prefix)
    try:
        write(temp, out)
        final = _unused(target)
        temp.rename(final)
    except BaseException:
        out.close()
        temp.unlink(missing_ok=True)
        raise
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
