"""Capture an HLS stream, live or finished, from its first segment with ffmpeg.

The playlist is read here first, for a clear error and to know a finished stream's length;
ffmpeg then copies the media into Matroska. It may open only http(s) (and the TCP, TLS and
decryption layers under them), so a playlist cannot make it read local files. A capture can be
stopped by an event or by Ctrl-C: ffmpeg is asked to finish its file, and what it holds is kept.
"""

from __future__ import annotations

import collections
import contextlib
import os
import re
import signal
import subprocess
import threading
import urllib.parse
from pathlib import Path
from typing import IO, BinaryIO

import ffmpeg

from ingest import media
from ingest.download import (
    TIMEOUT,
    filename_for,
    is_web,
    open_url,
    place,
    read_chunk,
    shown,
    size_text,
)
from ontherecord.errors import InputError
from ontherecord.progress import Progress

HLS_TYPES = {
    "application/vnd.apple.mpegurl",
    "application/x-mpegurl",
    "audio/mpegurl",
    "audio/x-mpegurl",
}
# A playlist is text; anything bigger than this is not one we should be parsing.
MAX_PLAYLIST_BYTES = 4 * 1024 * 1024
# How long ffmpeg gets to write the end of the file after being asked to stop.
FINISH_TIMEOUT = 15.0
# What ffmpeg may open while following a playlist: never file:, pipe: and the like.
FFMPEG_PROTOCOLS = "http,https,tcp,tls,crypto"


def looks_like_playlist(url: str) -> bool:
    """Whether the URL's path names an HLS playlist."""
    return urllib.parse.urlsplit(url).path.lower().endswith(".m3u8")


def is_playlist(body: bytes) -> bool:
    """Whether the start of a body is that of an HLS playlist, whatever it was served as."""
    return body.lstrip().startswith(b"#EXTM3U")


def capture(url: str, folder: Path, progress: Progress, stop: threading.Event | None,
            keep_partial: bool, max_bytes: int | None) -> Path:
    """Copy an HLS stream's media into `name.mkv` in `folder` with ffmpeg, and return it.

    With `keep_partial`, a stop or Ctrl-C ends the capture and keeps what was captured (the
    recorder's contract); without it, Ctrl-C abandons the file and is raised again (a fetch).
    """
    total = _finished_duration(url)  # also a clear error for 404s and non-playlists

    def write(temp: Path, out: BinaryIO) -> None:
        out.close()  # ffmpeg writes it
        stopped = _run(_command(url, temp, max_bytes), url, progress, total, stop, keep_partial)
        info = _captured(temp, url, stopped)
        if max_bytes is not None and temp.stat().st_size >= max_bytes:
            raise InputError(f"{shown(url)}: the stream is larger than the "
                             f"{size_text(max_bytes)} limit")
        progress.advance(info.duration or 0.0)

    final = place(folder / (Path(filename_for(url)).stem + ".mkv"), ".record-", write)
    progress.finish()
    return final


# --- the playlist ----------------------------------------------------------------------------


def _playlist(url: str) -> str:
    """The text of the playlist at `url`; fails clearly if it cannot be had or is not one."""
    with open_url(url) as response:
        body = b""
        while len(body) <= MAX_PLAYLIST_BYTES and (chunk := read_chunk(response, url)):
            body += chunk
    if len(body) > MAX_PLAYLIST_BYTES or not is_playlist(body):
        raise InputError(f"{shown(url)}: not an HLS playlist")
    return body.decode("utf-8", "replace")


def _finished_duration(url: str) -> float:
    """The length of a finished (#EXT-X-ENDLIST) stream in seconds; 0 while it is live.

    A master playlist's length is that of its first variant, which is what ffmpeg would read.
    """
    text = _playlist(url)
    variant = re.search(r"#EXT-X-STREAM-INF[^\n]*\n\s*([^#\s][^\n]*)", text)
    if variant:
        variant_url = urllib.parse.urljoin(url, variant[1].strip())
        if not is_web(variant_url):
            raise InputError(f"{shown(url)}: the playlist points outside the web "
                             f"({shown(variant_url)})")
        text = _playlist(variant_url)
    if "#EXT-X-ENDLIST" not in text:
        return 0.0
    return sum(float(m[1]) for m in re.finditer(r"#EXTINF:\s*([0-9.]+)", text))


# --- ffmpeg ----------------------------------------------------------------------------------


def _command(url: str, target: Path, max_bytes: int | None) -> ffmpeg.nodes.OutputStream:
    """The ffmpeg command that copies the stream from its first segment into Matroska.

    Matroska because a file cut short by a stop is still readable, unlike an unfinished MP4.
    """
    reading = {
        "protocol_whitelist": FFMPEG_PROTOCOLS,
        "rw_timeout": int(TIMEOUT * 1e6),  # microseconds
        "live_start_index": 0,  # from the start of the playlist, not the live edge
    }
    limit = {"fs": max_bytes} if max_bytes is not None else {}
    return media.output(url, target, reading, c="copy", f="matroska", **limit)


def _run(command: ffmpeg.nodes.OutputStream, url: str, progress: Progress, total: float,
         stop: threading.Event | None, keep_partial: bool) -> bool:
    """Run a capture to its end or until stopped; whether it was stopped early.

    A failure of ffmpeg that was not asked for raises InputError with its last complaint.
    """
    position = [0.0]
    complaints: collections.deque[str] = collections.deque(maxlen=20)
    stopped = False
    # Leaving the `with` closes ffmpeg's pipes and waits for it.
    with media.start(command, pipe_stdin=True) as process:
        readers = [
            threading.Thread(target=_follow, args=(process.stdout, position), daemon=True),
            threading.Thread(target=_keep_lines, args=(process.stderr, complaints), daemon=True),
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
        raise InputError(f"{shown(url)}: could not capture the stream ({reason})")
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
        if process.stdin is not None:
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


def _follow(stdout: IO[bytes], position: list[float]) -> None:
    """Keep the latest position ffmpeg reports, for _wait to show (runs in a thread)."""
    # Progress is reported from the waiting thread only: a Progress need not be thread-safe.
    for seconds in media.positions(stdout):
        position[0] = seconds


def _keep_lines(stderr: IO[bytes], lines: collections.deque[str]) -> None:
    """Keep ffmpeg's last complaints, and keep its stderr pipe from filling (runs in a thread)."""
    for line in stderr:
        text = line.decode("utf-8", "replace").strip()
        if text:
            lines.append(text)


def _captured(path: Path, url: str, stopped: bool) -> media.MediaInfo:
    """What the capture holds; InputError if it holds no playable audio."""
    when = " before it was stopped" if stopped else ""
    if not path.exists() or path.stat().st_size == 0:
        raise InputError(f"{shown(url)}: the stream yielded no media{when}")
    try:
        info = media.probe(path)
    except InputError:
        raise InputError(f"{shown(url)}: the stream yielded no playable audio{when}") from None
    if not info.duration:
        raise InputError(f"{shown(url)}: the stream yielded no media{when}")
    return info
