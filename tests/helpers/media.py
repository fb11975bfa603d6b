"""Recordings made with the real ffmpeg: the example in every container, and damaged ones."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from ingest.media import Playable, ffmpeg_binary
from tests.helpers.example import EXAMPLE

# (file name, ffmpeg output options, with a picture?) for each container we accept.
CONTAINERS = {
    "mp4": ("clip.mp4", ["-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac"], True),
    "mkv": ("clip.mkv", ["-c:v", "mpeg4", "-c:a", "libopus"], True),
    "webm": ("clip.webm", ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-c:a", "libopus"], True),
    "mov": ("clip.mov", ["-c:v", "mjpeg", "-c:a", "pcm_s16le"], True),
    "mp3": ("clip.mp3", ["-c:a", "libmp3lame"], False),
    "m4a": ("clip.m4a", ["-c:a", "aac"], False),
    "wav": ("clip.wav", ["-c:a", "pcm_s16le"], False),
    "flac": ("clip.flac", ["-c:a", "flac"], False),
    "ogg": ("clip.ogg", ["-c:a", "libopus"], False),
    "opus": ("clip.opus", ["-c:a", "libopus"], False),
}
CLIP_SECONDS = 12
# What each clip holds, and the web-playable copy ingest must choose: streams browsers already
# play are copied, anything else is transcoded to H.264/AAC.
EXPECTED = {
    "mp4": ("h264", "aac", Playable("mp4", "video/mp4", copy=True)),
    "webm": ("vp9", "opus", Playable("webm", "video/webm", copy=True)),
    "mkv": ("mpeg4", "opus", Playable("mp4", "video/mp4", copy=False)),
    "mov": ("mjpeg", "pcm_s16le", Playable("mp4", "video/mp4", copy=False)),
    "mp3": (None, "mp3", Playable("mp3", "audio/mpeg", copy=True)),
    "m4a": (None, "aac", Playable("m4a", "audio/mp4", copy=True)),
    "ogg": (None, "opus", Playable("ogg", "audio/ogg", copy=True)),
    "opus": (None, "opus", Playable("ogg", "audio/ogg", copy=True)),
    "wav": (None, "pcm_s16le", Playable("m4a", "audio/mp4", copy=False)),
    "flac": (None, "flac", Playable("m4a", "audio/mp4", copy=False)),
}
# Length of the example excerpt the damaged and late-starting recordings are cut from.
EXCERPT_SECONDS = 30
# How late the audio starts in the late-audio recordings.
LATE_BY = 5.0


def ffmpeg(*args: str) -> None:
    """Run ffmpeg quietly, failing the test setup if it fails."""
    subprocess.run([ffmpeg_binary(), "-v", "error", "-y", *args], check=True)


def make_clip(folder: Path, kind: str, seconds: float = CLIP_SECONDS) -> Path:
    """The example's first seconds in one accepted container (a video one with a test card)."""
    name, options, video = CONTAINERS[kind]
    picture = ["-f", "lavfi", "-i", f"testsrc=size=320x240:rate=10:duration={seconds:g}"]
    inputs = ["-t", f"{seconds:g}", "-i", str(EXAMPLE), *(picture if video else [])]
    maps = ["-map", "0:a", "-map", "1:v"] if video else []
    ffmpeg(*inputs, *maps, *options, "-shortest", str(folder / name))
    return folder / name


def make_clips(folder: Path) -> dict[str, Path]:
    """The example's first seconds in every accepted container (video ones with a test card)."""
    return {kind: make_clip(folder, kind) for kind in CONTAINERS}


def probe(path: Path) -> dict:
    """What ffprobe says of a file: its duration and its streams' types and codecs."""
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries",
                          "format=duration:stream=codec_type,codec_name", "-of", "json",
                          str(path)], check=True, capture_output=True, text=True).stdout
    found = json.loads(out)
    return {"duration": float(found["format"]["duration"]),
            "streams": {s["codec_type"]: s["codec_name"] for s in found["streams"]}}


def decode(source: Path, target: Path):
    """A recording as 16 kHz mono float32 samples, decoded by ffmpeg as ingest does."""
    from ingest.media import read_wav

    ffmpeg("-i", str(source), "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le", str(target))
    return read_wav(target)


def make_truncated_mp4(folder: Path) -> Path:
    """The first 40% of an mp4 whose index (moov) is at the front, as an interrupted copy is."""
    whole = folder / "whole-faststart.mp4"
    ffmpeg("-t", str(EXCERPT_SECONDS), "-i", str(EXAMPLE),
           "-f", "lavfi", "-i", f"testsrc=size=320x240:rate=10:duration={EXCERPT_SECONDS}",
           "-map", "0:a", "-map", "1:v", "-c:v", "libx264", "-preset", "ultrafast",
           "-c:a", "aac", "-shortest", "-movflags", "+faststart", str(whole))
    data = whole.read_bytes()
    cut = folder / "truncated.mp4"
    cut.write_bytes(data[: int(len(data) * 0.4)])
    return cut


def make_truncated_wav(folder: Path) -> Path:
    """The first half of a WAV file whose header still states the full length."""
    whole = folder / "whole.wav"
    ffmpeg("-t", str(EXCERPT_SECONDS), "-i", str(EXAMPLE), "-c:a", "pcm_s16le", str(whole))
    data = whole.read_bytes()
    cut = folder / "truncated.wav"
    cut.write_bytes(data[: len(data) // 2])
    return cut


def make_truncated_ogg(folder: Path) -> Path:
    """The first half (in bytes) of the example Ogg/Opus recording, as an interrupted copy is."""
    data = EXAMPLE.read_bytes()
    cut = folder / "truncated.ogg"
    cut.write_bytes(data[: len(data) // 2])
    return cut


def make_video_only(folder: Path) -> Path:
    """An mp4 with a picture and no audio track at all."""
    path = folder / "no-audio.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=320x240:rate=10:duration=5",
           "-c:v", "libx264", "-preset", "ultrafast", str(path))
    return path


def make_late_audio_mp4(folder: Path, how: str) -> Path:
    """An mp4 (H.264 + AAC) whose speech starts LATE_BY seconds after the picture does.

    how="silence": the audio track starts with the picture but opens with LATE_BY s of silence
    (ffmpeg's adelay); how="offset": the audio track itself starts LATE_BY s into the container
    (-itsoffset), the way a camera that starts recording sound late writes it.
    """
    total = EXCERPT_SECONDS + LATE_BY
    picture = ["-f", "lavfi", "-i", f"testsrc=size=320x240:rate=10:duration={total:g}"]
    codecs = ["-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac"]
    path = folder / f"late-{how}.mp4"
    if how == "silence":
        ffmpeg("-t", str(EXCERPT_SECONDS), "-i", str(EXAMPLE), *picture,
               "-filter_complex", f"[0:a]adelay={int(LATE_BY * 1000)}:all=1[a]",
               "-map", "[a]", "-map", "1:v", *codecs, "-shortest", str(path))
    elif how == "offset":
        ffmpeg(*picture, "-itsoffset", str(LATE_BY), "-t", str(EXCERPT_SECONDS),
               "-i", str(EXAMPLE), "-map", "0:v", "-map", "1:a", *codecs, str(path))
    else:
        raise ValueError(how)
    return path
