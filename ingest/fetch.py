"""Bring a recording in from the web: download a file, or capture an HLS stream with ffmpeg.

The pipeline ingests a local file; this module makes one from a URL, deciding which of
ingest.download (a plain file) and ingest.hls (a stream) the URL needs. Only http and https are
ever opened, by either, so a URL (or a playlist or redirect it leads to) cannot make us read
local files or speak other protocols. Every failure is one InputError line that names the URL,
and leaves nothing behind in the target folder.
"""

from __future__ import annotations

import functools
import threading
from pathlib import Path

from ingest import download, hls
from ingest.download import DEFAULT_MAX_BYTES
from ontherecord.errors import InputError
from ontherecord.progress import Progress


def is_url(text: str) -> bool:
    """Whether a PATH argument is a web address (http:// or https://) rather than a file."""
    return text.lower().startswith(("http://", "https://"))


def fetch(url: str, folder: Path, progress: Progress, max_bytes: int = DEFAULT_MAX_BYTES,
          stop: threading.Event | None = None) -> Path:
    """Download the recording at `url` into `folder` and return the local file.

    A plain file is streamed to disk under a temporary name, refusing more than `max_bytes`.
    An HLS playlist is captured with ffmpeg until it ends, live or not, as record() does; an
    interruption here abandons the download rather than keeping part of it, but setting
    `stop` (staff pressing "stop recording") ends a capture and keeps what it has.
    """
    download.check_url(url)
    capture = functools.partial(hls.capture, folder=folder, progress=progress, stop=stop,
                                keep_partial=stop is not None, max_bytes=max_bytes)
    if hls.looks_like_playlist(url):
        return capture(url)
    with download.open_url(url) as response:
        final = response.geturl()
        content_type = response.headers.get("Content-Type")
        if download.media_type(content_type) in hls.HLS_TYPES:
            response.close()
            return capture(final)
        if download.media_type(content_type) == "text/html":
            raise InputError(f"{download.shown(url)}: is a web page, not a recording or HLS "
                             "playlist")
        declared = download.declared_size(response, url, max_bytes)
        first = download.read_chunk(response, url)
        if hls.is_playlist(first):  # a playlist served under a generic type
            response.close()
            return capture(final)
        target = folder / download.filename_for(final, content_type)
        return download.save(response, first, url, target, progress, declared, max_bytes)


def record(url: str, folder: Path, progress: Progress, stop: threading.Event | None = None) -> Path:
    """Capture an HLS stream (live or finished) from its start to a Matroska file in `folder`.

    Capture runs until the stream ends, `stop` is set or Ctrl-C arrives; when stopped, ffmpeg is
    asked to finish the file cleanly and what was captured so far is returned.
    """
    download.check_url(url)
    return hls.capture(url, folder, progress, stop, keep_partial=True, max_bytes=None)
