"""Media handling with ffmpeg: inspect a recording, make a web-playable copy, extract audio.

The transcript's clock is the playable copy's clock: audio for the recognizer is taken from the
copy the browser will play, so a timestamp in the transcript is a seek position in the player.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import wave
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import ffmpeg
import numpy as np

from ontherecord.errors import InputError
from ontherecord.progress import Progress

SAMPLE_RATE = 16000
# A decode that ends this much short of the container's stated length means a truncated file.
TRUNCATION_TOLERANCE = 2.0
# An Ogg page is at most 65,307 bytes, so the last page starts within this many of the end.
OGG_TAIL = 65536
OGG_END_OF_STREAM = 0x04  # header_type flag of a logical stream's last page
# A keyframe this close to a cut's start lets the video be copied: one frame at 25 fps.
KEYFRAME_TOLERANCE = 0.04


def ffmpeg_binary() -> str:
    """The system ffmpeg if there is one, else the binary that imageio-ffmpeg ships."""
    found = shutil.which("ffmpeg")
    if found:
        return found
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


@dataclass
class MediaInfo:
    """What ffmpeg says a recording holds."""

    duration: float | None
    audio_codec: str | None
    video_codec: str | None


@dataclass
class Playable:
    """How the web-playable copy is made from a given input."""

    extension: str
    media_type: str
    copy: bool


def _last_error_line(stderr: bytes) -> str:
    """The most telling line of ffmpeg's complaint."""
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    return lines[-1] if lines else "ffmpeg failed"


def probe(path: Path) -> MediaInfo:
    """Read duration and codecs from `ffmpeg -i` (ffprobe is not always available).

    Refuses a file that is not a recording, has no audio, or is an Ogg file cut short.
    """
    try:
        _, err = ffmpeg.input(str(path)).output("-", f="null", t=0).run(
            cmd=ffmpeg_binary(), capture_stdout=True, capture_stderr=True
        )
    except ffmpeg.Error as e:
        err = e.stderr
        if b"Stream #" not in err:
            reason = _last_error_line(err)
            raise InputError(f"{path.name}: not a readable recording ({reason})") from None
    info = _parse_probe(err)
    if not info.audio_codec:
        raise InputError(f"{path.name}: the recording has no audio track")
    if _ogg_cut_off(path):
        raise InputError(f"{path.name}: recording looks truncated: the Ogg file stops before "
                         "the end of its stream")
    stated = _wav_stated_duration(path)
    if stated and (info.duration is None or stated > info.duration):
        info.duration = stated
    return info


def _wav_stated_duration(path: Path) -> float | None:
    """The length a RIFF/WAVE header claims, if it gives one.

    ffmpeg caps a WAV's length at what the file holds, which would hide a cut-off recording
    from check_complete; the header's data size still tells how long the recording was.
    """
    try:
        with open(path, "rb") as f:
            head = f.read(12)
            if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
                return None
            byte_rate = 0
            while len(chunk := f.read(8)) == 8:
                name, size = chunk[:4], int.from_bytes(chunk[4:], "little")
                if name == b"data":
                    # 0 and ~4 GiB are placeholders written when the length was not known.
                    if not byte_rate or size == 0 or size >= 0x7FFFF000:
                        return None
                    return size / byte_rate
                if name == b"fmt ":
                    body = f.read(size + (size & 1))
                    byte_rate = int.from_bytes(body[8:12], "little") if len(body) >= 12 else 0
                else:
                    f.seek(size + (size & 1), 1)
    except OSError:
        return None
    return None


def _ogg_cut_off(path: Path) -> bool:
    """Whether an Ogg file (Opus, Vorbis, FLAC…) stops before its end-of-stream page.

    ffmpeg states an Ogg's length from the last page there is, so a file cut in half looks like
    a shorter whole recording to check_complete; only the missing end of the stream tells.
    """
    try:
        with open(path, "rb") as f:
            if f.read(4) != b"OggS":
                return False
            f.seek(max(0, path.stat().st_size - OGG_TAIL))
            tail = f.read()
    except OSError:
        return False
    return not _ends_stream(tail)


def _ends_stream(tail: bytes) -> bool:
    """Whether the last Ogg page in `tail` (the end of a file) is whole and ends its stream."""
    at = tail.rfind(b"OggS\0")  # a page starts with its capture pattern and version 0
    header = tail[at:at + 27] if at >= 0 else b""
    if len(header) < 27:
        return False
    lacing = tail[at + 27:at + 27 + header[26]]
    end = at + 27 + len(lacing) + sum(lacing)
    whole = len(lacing) == header[26] and end <= len(tail)
    return whole and bool(header[5] & OGG_END_OF_STREAM)


def _parse_probe(stderr: bytes) -> MediaInfo:
    """Parse the stream summary that ffmpeg prints for its input."""
    text = stderr.decode("utf-8", "replace").split("Output #0")[0]
    duration = None
    m = re.search(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)", text)
    if m:
        duration = int(m[1]) * 3600 + int(m[2]) * 60 + float(m[3])
    audio = re.search(r"Stream #0:\d+.*?: Audio: (\w+)", text)
    # Cover art in an mp3 or m4a shows up as a one-frame "video" stream: it is not a video.
    videos = [
        v for v in re.finditer(r"Stream #0:\d+.*?: Video: (\w+)(.*)", text)
        if "attached pic" not in v[2]
    ]
    return MediaInfo(duration, audio[1] if audio else None, videos[0][1] if videos else None)


def keyframe_at(path: Path, seconds: float) -> bool:
    """Whether the first video stream has a keyframe at `seconds` (within KEYFRAME_TOLERANCE).

    A copy of the video cut there starts with a whole picture; elsewhere it would open on
    frames that cannot be decoded, so the cut must be re-encoded. Times are from the
    container's start, as ffmpeg's -ss counts them.
    """
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        offset = (container.start_time or 0) / av.time_base
        base = float(stream.time_base or 0)
        container.seek(int((seconds + offset) / base), stream=stream, backward=True)
        for packet in container.demux(stream):
            if packet.pts is None:
                continue
            at = packet.pts * base - offset
            if at > seconds + KEYFRAME_TOLERANCE:
                return False
            if packet.is_keyframe and abs(at - seconds) <= KEYFRAME_TOLERANCE:
                return True
    return False


TRANSCODED_VIDEO = Playable("mp4", "video/mp4", copy=False)
TRANSCODED_AUDIO = Playable("m4a", "audio/mp4", copy=False)


def playable_for(info: MediaInfo) -> Playable:
    """Choose the container for the browser, copying streams where browsers already play them."""
    v, a = info.video_codec, info.audio_codec
    if v:
        if v == "h264" and a in ("aac", "mp3", None):
            return Playable("mp4", "video/mp4", copy=True)
        if v in ("vp8", "vp9", "av1") and a in ("opus", "vorbis", None):
            return Playable("webm", "video/webm", copy=True)
        return TRANSCODED_VIDEO
    if a == "aac":
        return Playable("m4a", "audio/mp4", copy=True)
    if a == "mp3":
        return Playable("mp3", "audio/mpeg", copy=True)
    if a in ("opus", "vorbis"):
        return Playable("ogg", "audio/ogg", copy=True)
    return TRANSCODED_AUDIO


def start(command: ffmpeg.nodes.OutputStream, pipe_stdin: bool = False) -> subprocess.Popen:
    """Start an ffmpeg command quietly: its `-progress` on stdout, its complaints on stderr."""
    return command.global_args("-nostats", "-progress", "pipe:1", "-v", "error").run_async(
        cmd=ffmpeg_binary(), pipe_stdin=pipe_stdin, pipe_stdout=True, pipe_stderr=True
    )


def positions(stdout: Iterable[bytes]) -> Iterator[float]:
    """The positions in seconds that a started command reports on stdout, as it reports them."""
    for line in stdout:
        if line.startswith(b"out_time_us=") and line[12:].strip().isdigit():
            yield int(line[12:]) / 1e6


def run(command: ffmpeg.nodes.OutputStream, duration: float | None, stage: str,
         progress: Progress) -> None:
    """Run an ffmpeg command, reporting its position as it goes; raise on failure."""
    process = start(command)
    assert process.stdout is not None and process.stderr is not None  # both piped by start()
    progress.start(stage, duration or 0.0)
    try:
        for seconds in positions(process.stdout):
            progress.advance(seconds)
    except BaseException:
        # Interrupted (Ctrl-C, or the caller gave up): don't leave ffmpeg writing on its own.
        process.kill()
        process.wait()
        raise
    stderr = process.stderr.read()
    if process.wait() != 0:
        raise InputError(f"ffmpeg could not convert the recording ({_last_error_line(stderr)})")
    progress.finish()


def make_playable(source: Path, info: MediaInfo, folder: Path, progress: Progress) -> Playable:
    """Write `media.<ext>` into `folder`: streams copied where possible, else transcoded."""
    choice = playable_for(info)
    if choice.copy:
        target = folder / f"media.{choice.extension}"
        try:
            run(output(source, target, c="copy"), info.duration, "converting", progress)
            return choice
        except InputError:
            # Some streams will not remux cleanly; a transcode always gives a playable copy.
            target.unlink(missing_ok=True)
        choice = TRANSCODED_VIDEO if info.video_codec else TRANSCODED_AUDIO
    target = folder / f"media.{choice.extension}"
    if info.video_codec:
        out = output(source, target, vcodec="libx264", preset="veryfast", crf=26,
                      pix_fmt="yuv420p", acodec="aac", audio_bitrate="128k")
    else:
        out = output(source, target, vn=None, acodec="aac", audio_bitrate="128k")
    run(out, info.duration, "converting", progress)
    return choice


def output(source: Path | str, target: Path, source_options: dict | None = None,
           **options) -> ffmpeg.nodes.OutputStream:
    """An ffmpeg command from `source` to `target` without metadata, subtitles or data streams.

    `source_options` are those for reading the source, `options` those for writing `target`.
    """
    if target.suffix in (".mp4", ".m4a"):
        # The index at the front lets the browser play and seek before it has the whole file.
        options["movflags"] = "+faststart"
    return ffmpeg.input(str(source), **(source_options or {})).output(
        str(target), map_metadata=-1, sn=None, dn=None, **options
    ).overwrite_output()


def extract_audio(media: Path, wav: Path, duration: float | None, progress: Progress) -> float:
    """Write 16 kHz mono PCM for the recognizer and return its length in seconds.

    `aresample=async=1:first_pts=0` pads any late-starting audio with silence, so that second N of
    the WAV is second N of the player.
    """
    out = ffmpeg.input(str(media)).output(
        str(wav), vn=None, ac=1, ar=SAMPLE_RATE, acodec="pcm_s16le", f="wav",
        af="aresample=async=1:first_pts=0",
    )
    run(out.overwrite_output(), duration, "extracting", progress)
    with wave.open(str(wav)) as w:
        return w.getnframes() / w.getframerate()


def read_wav(wav: Path) -> np.ndarray:
    """The samples of a WAV written by extract_audio, as float32 in [-1, 1]."""
    with wave.open(str(wav)) as w:
        data = w.readframes(w.getnframes())
    return np.frombuffer(data, "<i2").astype(np.float32) / 32768.0


def check_input(path: Path) -> None:
    """Refuse what cannot be a recording before any work is done."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if not path.is_file():
        raise InputError(f"{path}: not a file")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: empty file")


def check_complete(path: Path, info: MediaInfo, decoded: float) -> None:
    """Refuse a recording whose audio ends well before its stated length, or has none."""
    if decoded <= 0.1:
        raise InputError(f"{path.name}: no audio could be decoded")
    if info.duration and decoded < info.duration - max(TRUNCATION_TOLERANCE, info.duration * 0.02):
        raise InputError(
            f"{path.name}: recording looks truncated: audio ends at {decoded:.1f} s "
            f"of a stated {info.duration:.1f} s"
        )
