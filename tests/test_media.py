"""ingest/media.py with the real ffmpeg: what a recording holds, how it is made playable, and
which recordings are refused (missing, empty, not media, cut off, silent)."""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest
from conftest import CLIP_SECONDS, EXAMPLE, ffmpeg

from ingest import media
from ingest.media import MediaInfo, Playable
from ontherecord.errors import InputError
from ontherecord.progress import Silent

# What each clip in the `clips` fixture holds, and the web-playable copy ingest must choose:
# streams browsers already play are copied, anything else is transcoded to H.264/AAC.
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


# --- recordings that tests in several files build (plain functions, not fixtures) -------------

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


# --- probe and the choice of a playable copy -------------------------------------------------

@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_probe_reads_codecs_and_length(clips, kind):
    video, audio, _ = EXPECTED[kind]
    info = media.probe(clips[kind])
    assert info.audio_codec == audio
    assert info.video_codec == video
    assert info.duration == pytest.approx(CLIP_SECONDS, abs=0.5)


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_playable_choice_for_each_container(clips, kind):
    assert media.playable_for(media.probe(clips[kind])) == EXPECTED[kind][2]


@pytest.mark.parametrize(
    ("video", "audio", "expected"),
    [
        ("h264", None, Playable("mp4", "video/mp4", copy=True)),
        ("h264", "mp3", Playable("mp4", "video/mp4", copy=True)),
        # Opus in an mp4 or PCM in anything is not reliably played: transcode.
        ("h264", "opus", Playable("mp4", "video/mp4", copy=False)),
        ("hevc", "aac", Playable("mp4", "video/mp4", copy=False)),
        ("vp8", "vorbis", Playable("webm", "video/webm", copy=True)),
        ("av1", "opus", Playable("webm", "video/webm", copy=True)),
        ("vp9", "aac", Playable("mp4", "video/mp4", copy=False)),
        (None, "vorbis", Playable("ogg", "audio/ogg", copy=True)),
        (None, "alac", Playable("m4a", "audio/mp4", copy=False)),
        (None, "pcm_s24le", Playable("m4a", "audio/mp4", copy=False)),
    ],
)
def test_playable_choice_table(video, audio, expected):
    assert media.playable_for(MediaInfo(60.0, audio, video)) == expected


def test_cover_art_is_not_a_video(clips, tmp_path):
    """An mp3 with an embedded album picture is audio: it must not be turned into a video."""
    path = tmp_path / "with-cover.mp3"
    ffmpeg("-i", str(clips["mp3"]), "-f", "lavfi", "-i", "color=c=red:size=64x64:duration=1",
           "-map", "0:a", "-map", "1:v", "-frames:v", "1", "-c:a", "copy", "-c:v", "png",
           "-disposition:v", "attached_pic", "-id3v2_version", "3", str(path))
    info = media.probe(path)
    assert (info.audio_codec, info.video_codec) == ("mp3", None)
    assert media.playable_for(info) == Playable("mp3", "audio/mpeg", copy=True)


# --- refusals ---------------------------------------------------------------------------------

def test_check_input_refuses_missing_folder_and_empty(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        media.check_input(tmp_path / "nothing.mp4")
    with pytest.raises(InputError, match="not a file"):
        media.check_input(tmp_path)
    empty = tmp_path / "empty.mp4"
    empty.touch()
    with pytest.raises(InputError, match="empty file"):
        media.check_input(empty)


def test_probe_refuses_text_named_mp4(tmp_path):
    path = tmp_path / "notes.mp4"
    path.write_text("Minutes of the meeting, not a recording.\n" * 50)
    with pytest.raises(InputError, match="not a readable recording"):
        media.probe(path)


def test_probe_refuses_video_without_audio(tmp_path):
    with pytest.raises(InputError, match="no audio track"):
        media.probe(make_video_only(tmp_path))


def _decode(path: Path, folder: Path) -> tuple[MediaInfo, float]:
    """Probe, make the playable copy and extract the audio, as ingest does."""
    info = media.probe(path)
    playable = media.make_playable(path, info, folder, Silent())
    seconds = media.extract_audio(folder / f"media.{playable.extension}", folder / "audio.wav",
                                  info.duration, Silent())
    return info, seconds


def test_truncated_mp4_is_refused(tmp_path):
    path = make_truncated_mp4(tmp_path)
    info, decoded = _decode(path, tmp_path)
    assert info.duration == pytest.approx(EXCERPT_SECONDS, abs=0.5)  # the index states it all
    with pytest.raises(InputError, match="truncated"):
        media.check_complete(path, info, decoded)


def test_truncated_wav_is_refused(tmp_path):
    """ffmpeg caps a WAV's length at the bytes present; the header still tells the truth."""
    path = make_truncated_wav(tmp_path)
    info, decoded = _decode(path, tmp_path)
    assert info.duration == pytest.approx(EXCERPT_SECONDS, abs=0.1)
    assert decoded == pytest.approx(EXCERPT_SECONDS / 2, abs=0.5)
    with pytest.raises(InputError, match="truncated"):
        media.check_complete(path, info, decoded)


def test_truncated_ogg_is_refused(tmp_path):
    """ffmpeg states an Ogg's length from the pages there are, so only its missing end tells."""
    path = make_truncated_ogg(tmp_path)
    with pytest.raises(InputError) as e:
        media.probe(path)
    assert str(e.value) == ("truncated.ogg: recording looks truncated: the Ogg file stops "
                            "before the end of its stream")
    # Cut exactly between two pages: every page is whole, but the last one is not the end.
    data = EXAMPLE.read_bytes()
    between = tmp_path / "between-pages.opus"
    between.write_bytes(data[: data.rfind(b"OggS")])
    with pytest.raises(InputError, match="truncated"):
        media.probe(between)


def test_complete_ogg_is_accepted(clips, tmp_path):
    flac = tmp_path / "flac.oga"
    ffmpeg("-t", "5", "-i", str(EXAMPLE), "-c:a", "flac", "-f", "ogg", str(flac))
    for path in (EXAMPLE, clips["ogg"], clips["opus"], flac):
        assert media.probe(path).duration, path


@pytest.mark.parametrize("kind", ["wav", "mp4"])
def test_complete_recording_is_accepted(clips, tmp_path, kind):
    info, decoded = _decode(clips[kind], tmp_path)
    assert decoded == pytest.approx(CLIP_SECONDS, abs=0.5)
    media.check_complete(clips[kind], info, decoded)  # no error


def test_streamed_wav_of_unknown_length_is_accepted(tmp_path):
    """A WAV written to a pipe has placeholder sizes in its header: that is not truncation."""
    path = tmp_path / "streamed.wav"
    with open(path, "wb") as out:
        subprocess.run([media.ffmpeg_binary(), "-v", "error", "-t", "12", "-i", str(EXAMPLE),
                        "-c:a", "pcm_s16le", "-f", "wav", "-"], stdout=out, check=True)
    assert b"data\xff\xff\xff\xff" in path.read_bytes()[:200]  # the size is a placeholder
    info, decoded = _decode(path, tmp_path)
    media.check_complete(path, info, decoded)
    assert decoded == pytest.approx(12, abs=0.5)


def test_nothing_decoded_is_refused(tmp_path):
    with pytest.raises(InputError, match="no audio could be decoded"):
        media.check_complete(tmp_path / "x.wav", MediaInfo(None, "pcm_s16le", None), 0.0)


# --- the audio the recognizer hears -----------------------------------------------------------

def _rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))


@pytest.mark.parametrize("how", ["silence", "offset"])
def test_extracted_audio_keeps_a_late_start(tmp_path, how):
    """Second N of the recognizer's WAV is second N of the player, even when sound starts late."""
    path = make_late_audio_mp4(tmp_path, how)
    info, seconds = _decode(path, tmp_path)
    assert seconds == pytest.approx(EXCERPT_SECONDS + LATE_BY, abs=0.5)
    with wave.open(str(tmp_path / "audio.wav")) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (16000, 1, 2)
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    rate = 16000
    lead = _rms(pcm[: int((LATE_BY - 0.5) * rate)])
    # The first utterance is spoken from 0.515 s to 10.4 s of the example.
    speech = _rms(pcm[int((LATE_BY + 1) * rate): int((LATE_BY + 9) * rate)])
    assert speech > 500
    assert lead < speech / 50, (lead, speech)
