"""Clips of a session's recording: cut with ffmpeg at the first request, then cached.

The cache (Archive.clips_dir) is derived data. A clip is cut in a scratch folder of the
archive and renamed into the cache, so a cut killed at any moment leaves only a scratch folder
for the sweep. One lock per clip lets one request cut it while the others asking for it wait
and then serve the same file. Past its size limit, the cache drops its least recently used
clips.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import ffmpeg

from ingest import media
from ontherecord.archive import Archive, file_lock
from ontherecord.clip_ranges import ClipRange, captions_within
from ontherecord.exports import WRITERS
from ontherecord.model import Session, Transcript
from ontherecord.progress import Silent

# Each kind of clip, its media type, and the audio codec (as ffmpeg names it) and encoder.
KINDS = {"m4a": "audio/mp4", "mp3": "audio/mpeg", "mp4": "video/mp4"}
AUDIO = {"m4a": ("aac", "aac"), "mp3": ("mp3", "libmp3lame"), "mp4": ("aac", "aac")}
# What the cut of a picture that cannot be copied is encoded with (as ingest's copies are).
VIDEO_ENCODING = {"c:v": "libx264", "preset": "veryfast", "crf": 23, "pix_fmt": "yuv420p"}


def clip_file(archive: Archive, session: Session, span: ClipRange, kind: str, limit: int) -> Path:
    """The cached clip of a range of a session, cut now if it is not in the cache.

    It is named for the session's version as well as the range, since the captions it
    carries change with the transcript. Cutting a new clip keeps the cache under `limit` bytes.
    """
    target = archive.clips_dir / f"{session.id}-v{session.version}-{span.label}.{kind}"
    try:
        mark_used(target)
        return target
    except FileNotFoundError:
        pass
    if _cut_once(archive, session, span, target):
        trim(archive.clips_dir, limit, keep=target)
    return target


def _cut_once(archive: Archive, session: Session, span: ClipRange, target: Path) -> bool:
    """Cut the clip into `target` unless another request did first; whether this one cut it."""
    archive.clip_locks_dir.mkdir(parents=True, exist_ok=True)
    lock = archive.clip_locks_dir / f"{target.name}.lock"
    with file_lock(lock):
        try:
            if target.is_file():
                return False
            with archive.staging("clip") as folder:
                part = folder / target.name
                cut(archive.media_path(session), archive.transcript(session.id), span, part)
                os.replace(part, target)
            return True
        finally:
            # Removed while held: whoever waits on it takes a new one and finds the clip
            # there (see file_lock), and a killed cut's lock is swept (Archive.sweep).
            lock.unlink(missing_ok=True)


def cut(source: Path, transcript: Transcript, span: ClipRange, target: Path) -> None:
    """Cut the range out of `source` into `target`, the kind its suffix says, with captions.

    Streams are copied where the cut allows: audio already in the kind's codec (its packets
    all start cleanly), and H.264 video with a keyframe at the start; else re-encoded. An m4a
    or mp4 carries the range's captions as a subtitle track, written beside `target`.
    """
    kind = target.suffix[1:]
    info = media.probe(source)
    clip = ffmpeg.input(str(source), ss=f"{span.start:.3f}")
    streams = [clip.audio]
    codec, encoder = AUDIO[kind]
    options: dict[str, object] = (
        {"c:a": "copy"} if info.audio_codec == codec else {"c:a": encoder, "b:a": "128k"}
    )
    if kind == "mp4":
        streams.insert(0, clip.video)
        copy = info.video_codec == "h264" and media.keyframe_at(source, span.start)
        options.update({"c:v": "copy"} if copy else VIDEO_ENCODING)
    if kind in ("m4a", "mp4"):
        # The index at the front lets a player start before it has the whole file.
        options["movflags"] = "+faststart"
        captions = captions_within(transcript, span)
        if captions.segments:
            vtt = target.with_suffix(".vtt")
            vtt.write_text(WRITERS["vtt"].render(captions), "utf-8")
            streams.append(ffmpeg.input(str(vtt))["s"])
            options["c:s"] = "mov_text"
    command = ffmpeg.output(*streams, str(target), t=f"{span.duration:.3f}", map_metadata=-1,
                            **options).overwrite_output()
    media.run(command, span.duration, "cutting", Silent())


def mark_used(clip: Path) -> None:
    """Note in its access time that a clip was just used: the cache drops the least recent.

    Its modification time stays, and with it the ETag that browsers revalidate.
    """
    stat = clip.stat()
    os.utime(clip, ns=(time.time_ns(), stat.st_mtime_ns))


def trim(folder: Path, limit: int, keep: Path) -> list[str]:
    """Remove the least recently used clips until the folder holds at most `limit` bytes.

    Never `keep`, the clip just cut and about to be served. Returns the names removed.
    """
    clips = []
    for path in folder.iterdir():
        try:
            if path.is_file() and not path.name.startswith("."):
                clips.append((path.stat(), path))
        except FileNotFoundError:  # trimmed meanwhile by another request
            continue
    total = sum(stat.st_size for stat, _ in clips)
    removed = []
    for stat, path in sorted(clips, key=lambda c: c[0].st_atime_ns):
        if total <= limit:
            break
        if path != keep:
            path.unlink(missing_ok=True)
            total -= stat.st_size
            removed.append(path.name)
    return removed
