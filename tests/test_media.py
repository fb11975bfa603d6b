"""ingest/media.py with the real ffmpeg: what a recording holds, how it is made playable, and
which recordings are refused (missing, empty, not media, cut off, silent)."""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from ingest import media
from ingest.media import MediaInfo, Playable
from ontherecord.errors import InputError
from ontherecord.progress import Silent
from tests.helpers.example import EXAMPLE
from tests.helpers.media import (
    CLIP_SECONDS,
    EXCERPT_SECONDS,
    EXPECTED,
    LATE_BY,
    ffmpeg,
    make_late_audio_mp4,
    make_truncated_mp4,
    make_truncated_ogg,
    make_truncated_wav,
    make_video_only,
)

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


# --- keyframes, where a copied cut can start --------------------------------------------------


def test_keyframes_are_found_where_a_whole_picture_starts(tmp_path):
    video = tmp_path / "keyframes.mp4"
    # A keyframe every second (10 frames at 10 fps), and only there.
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=8", "-c:v", "libx264",
           "-preset", "veryfast", "-g", "10", "-sc_threshold", "0", str(video))
    assert [media.keyframe_at(video, t) for t in (0.0, 1.0, 5.0, 7.0)] == [True] * 4
    assert [media.keyframe_at(video, t) for t in (0.5, 2.35, 5.1, 6.9)] == [False] * 4
    # Past the end there is no picture to start from.
    assert not media.keyframe_at(video, 9.0)
