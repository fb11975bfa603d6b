"""Clips of a session's recording over HTTP: cut with the real ffmpeg, read back with ffprobe
and PyAV, cached, shared by concurrent requests, bounded in size, and healed after a kill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import av
import pytest

from ontherecord.archive import Archive
from ontherecord.model import Speaker, Transcript
from search_app import clips
from tests.helpers import ROOT
from tests.helpers.captions import vtt_cues
from tests.helpers.html import parse_html
from tests.helpers.http import Client, client_over, serving
from tests.helpers.media import CLIP_SECONDS, ffmpeg, make_clip, probe
from tests.helpers.transcripts import commit, make_transcript

LINES = [
    (0.0, 3.0, "S1", "We open with the salary schedule."),
    (3.0, 7.5, "S2", "The district cannot raise salaries this year."),
    (7.5, 12.0, "S1", "We will not accept a salary freeze."),
]
SPEAKERS = [Speaker("S1", "SPEAKER_1", "Jane Doe"), Speaker("S2", "SPEAKER_2", "Mark Ellison")]
AUDIO, VIDEO = "2026-04-01-audio", "2026-04-02-video"
HIDDEN = {"2026-04-03-draft": ("draft", False), "2026-04-04-withdrawn": ("withdrawn", False),
          "2026-04-05-closed": ("published", True)}
# Each recording's kind (as tests.helpers.media makes it) and the media it is stored as.
MEDIA = {"ogg": ("media.ogg", "audio/ogg"), "mp4": ("media.mp4", "video/mp4")}
# Within this of the length asked for, as the issue requires.
SLACK = 0.5


def clip_session(session_id: str, kind: str, state: str = "published",
                 closed: bool = False) -> Transcript:
    """A session of LINES over the example's first seconds, stored as `kind` of recording."""
    transcript = make_transcript(session_id, f"Session {session_id}", session_id[:10],
                                 "Teachers", LINES, SPEAKERS)
    session = transcript.session
    session.duration = float(CLIP_SECONDS)
    session.media, session.media_type = MEDIA[kind]
    session.state, session.closed = state, closed
    return transcript


@pytest.fixture(scope="module")
def recordings(tmp_path_factory) -> dict[str, Path]:
    """The example's first seconds as Ogg/Opus audio and as an H.264/AAC video."""
    folder = tmp_path_factory.mktemp("recordings")
    return {kind: make_clip(folder, kind) for kind in MEDIA}


@pytest.fixture
def archive(tmp_path, recordings) -> Archive:
    """An archive of an audio session, a video one, and hidden ones, over real recordings."""
    made = Archive(tmp_path / "archive")
    sessions = [clip_session(AUDIO, "ogg"), clip_session(VIDEO, "mp4")]
    sessions += [clip_session(i, "ogg", *how) for i, how in HIDDEN.items()]
    for transcript in sessions:
        kind = "mp4" if transcript.session.has_video else "ogg"
        commit(made, transcript, recordings[kind].read_bytes())
    return made


@pytest.fixture
def cuts(monkeypatch) -> list[Path]:
    """Every clip cut (by the real ffmpeg) while the test runs, in any thread."""
    made: list[Path] = []
    real = clips.cut
    lock = threading.Lock()

    def counted(source, transcript, span, target):
        with lock:
            made.append(target)
        real(source, transcript, span, target)

    monkeypatch.setattr(clips, "cut", counted)
    return made


def saved(body: bytes, folder: Path, name: str) -> Path:
    """An answer's body as a file, to probe."""
    path = folder / name
    path.write_bytes(body)
    return path


def cached(archive: Archive) -> list[str]:
    """The names of the clips in the cache."""
    folder = archive.clips_dir
    return sorted(p.name for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


def video_packets(path: Path) -> list[bytes]:
    """The bytes of each packet of a file's video stream, in order, as PyAV demuxes them."""
    with av.open(str(path)) as container:
        return [bytes(p) for p in container.demux(container.streams.video[0]) if p.size]


@pytest.mark.parametrize("session_id", [AUDIO, VIDEO])
@pytest.mark.parametrize(("ext", "mimetype", "codec"),
                         [("m4a", "audio/mp4", "aac"), ("mp3", "audio/mpeg", "mp3")])
def test_audio_clips_last_as_long_as_asked(archive, tmp_path, session_id, ext, mimetype, codec):
    reply = client_over(archive).get(f"/sessions/{session_id}/clip.{ext}?t=2.35&end=9.1")
    assert reply.status_code == 200, reply.text
    assert reply.mimetype == mimetype
    found = probe(saved(reply.data, tmp_path, f"clip.{ext}"))
    assert abs(found["duration"] - 6.75) <= SLACK, found
    assert found["streams"]["audio"] == codec
    assert "video" not in found["streams"]
    # An m4a carries the captions too; an mp3 has nowhere to.
    assert ("subtitle" in found["streams"]) == (ext == "m4a")


@pytest.mark.parametrize(("t", "copied"), [("0", True), ("2.35", False)])
def test_video_clip_has_picture_sound_and_captions(archive, recordings, tmp_path, t, copied):
    end = float(t) + 6.5
    client = client_over(archive)
    reply = client.get(f"/sessions/{VIDEO}/clip.mp4?t={t}&end={end}")
    assert reply.status_code == 200, reply.text
    assert reply.mimetype == "video/mp4"
    clip = saved(reply.data, tmp_path, "clip.mp4")
    found = probe(clip)
    assert abs(found["duration"] - 6.5) <= SLACK, found
    assert found["streams"] == {"video": "h264", "audio": "aac", "subtitle": "mov_text"}
    # At a keyframe the picture is copied packet for packet; elsewhere it is re-encoded.
    packets, source = video_packets(clip), set(video_packets(recordings["mp4"]))
    assert (set(packets) <= source) == copied
    assert (packets[0] in source) == copied
    # The subtitle track holds the side-car captions' cues.
    ffmpeg("-i", str(clip), "-map", "0:s", str(tmp_path / "track.vtt"))
    track = vtt_cues((tmp_path / "track.vtt").read_text("utf-8"))
    side_car = vtt_cues(client.get(f"/sessions/{VIDEO}/clip.vtt?t={t}&end={end}").text)
    assert [(s, e) for s, e, _ in track] == [(s, e) for s, e, _ in side_car]
    assert [text.split(">")[-1] for _, _, text in track] == [text for _, _, text in side_car]


def test_side_car_captions_are_shifted_and_clipped(archive):
    reply = client_over(archive).get(f"/sessions/{AUDIO}/clip.vtt?t=2&end=9")
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == "text/vtt; charset=utf-8"
    assert vtt_cues(reply.text) == [
        (0.0, 1.0, "We open with the salary schedule."),
        (1.0, 5.5, "The district cannot raise salaries this year."),
        (5.5, 7.0, "We will not accept a salary freeze."),
    ]
    assert "<v Mark Ellison>" in reply.text


def test_a_clip_is_cut_once_then_served_from_the_cache(archive, cuts):
    client = client_over(archive)
    path = f"/sessions/{AUDIO}/clip.mp3?t=1&end=4"
    first = client.get(path)
    assert first.status_code == 200 and len(cuts) == 1
    (name,) = cached(archive)
    inode = (archive.clips_dir / name).stat().st_ino
    again = client.get(path)
    assert again.data == first.data
    assert len(cuts) == 1
    assert (archive.clips_dir / name).stat().st_ino == inode
    assert again.headers["ETag"] == first.headers["ETag"]
    assert client.get(path, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert client.get(path, headers={"Range": "bytes=0-99"}).status_code == 206


def test_a_changed_session_gets_a_new_clip(archive, cuts):
    client = client_over(archive)
    path = f"/sessions/{AUDIO}/clip.m4a?t=1&end=4"
    client.get(path)
    session = archive.session(AUDIO)
    session.version += 1
    archive.save_session(session)
    assert client.get(path).status_code == 200
    assert len(cuts) == 2
    assert cached(archive) == [f"{AUDIO}-v0-1-4.m4a", f"{AUDIO}-v1-1-4.m4a"]


@pytest.mark.parametrize("ext", ["mp3", "vtt"])
def test_download_names_the_file_for_the_session_and_range(archive, ext):
    reply = client_over(archive).get(f"/sessions/{AUDIO}/clip.{ext}?t=2&end=9.5&download=1")
    assert reply.status_code == 200
    assert reply.headers["Content-Disposition"] == f'attachment; filename="{AUDIO}-2-9.5.{ext}"'


@pytest.mark.parametrize(("query", "says"), [
    ("t=1", "end= is missing"),
    ("end=3", "t= is missing"),
    ("t=soon&end=3", "t='soon' is not a time"),
    ("t=3&end=3", "must come after"),
    ("t=4&end=2", "must come after"),
    ("t=9&end=12.5", "past the end of the recording"),
    ("t=0&end=5.5", "a clip is at most 5 s long"),
])
@pytest.mark.parametrize("ext", ["m4a", "mp4", "vtt"])
def test_bad_ranges_are_400_with_what_is_wrong(archive, cuts, query, says, ext):
    reply = client_over(archive, CLIP_MAX_SECONDS=5).get(f"/sessions/{VIDEO}/clip.{ext}?{query}")
    assert reply.status_code == 400
    (message,) = parse_html(reply.text).select("p.error")
    assert says in message.get_text()
    assert cuts == [] and cached(archive) == []


@pytest.mark.parametrize("path", [
    f"/sessions/{AUDIO}/clip.wav?t=1&end=2",
    f"/sessions/{AUDIO}/clip.ogg?t=1&end=2",
    f"/sessions/{AUDIO}/clip.?t=1&end=2",
    "/sessions/2026-01-01-nowhere/clip.m4a?t=1&end=2",
    *(f"/sessions/{i}/clip.{ext}?t=1&end=2" for i in HIDDEN for ext in ("m4a", "vtt")),
])
def test_unknown_kinds_and_sessions_that_are_not_public_are_404(archive, cuts, path):
    assert client_over(archive).get(path).status_code == 404
    assert cuts == []


def test_a_video_clip_of_an_audio_recording_is_404_saying_why(archive):
    reply = client_over(archive).get(f"/sessions/{AUDIO}/clip.mp4?t=1&end=2")
    assert reply.status_code == 404
    assert "no video" in parse_html(reply.text).select_one("p.error").get_text()


def test_concurrent_requests_for_one_clip_share_one_cut(archive, cuts, tmp_path):
    path = f"/sessions/{VIDEO}/clip.mp4?t=2.35&end=8.35"
    with serving(archive) as url, ThreadPoolExecutor(6) as pool:
        replies = list(pool.map(lambda _: Client(url).get(path), range(6)))
    assert {r.status for r in replies} == {200}
    assert len({r.body for r in replies}) == 1
    assert len(cuts) == 1
    assert abs(probe(saved(replies[0].body, tmp_path, "clip.mp4"))["duration"] - 6.0) <= SLACK
    assert len(cached(archive)) == 1
    assert list(archive.clip_locks_dir.iterdir()) == []
    assert list(archive.staging_dir.iterdir()) == []


def test_concurrent_requests_for_different_clips_each_get_theirs(archive, cuts, tmp_path):
    asked = [(AUDIO, "mp3", 0.0, 4.0), (AUDIO, "m4a", 3.5, 11.0), (VIDEO, "mp4", 1.0, 6.0),
             (VIDEO, "m4a", 5.25, 12.0)]
    with serving(archive) as url, ThreadPoolExecutor(4) as pool:
        replies = list(pool.map(
            lambda a: Client(url).get(f"/sessions/{a[0]}/clip.{a[1]}?t={a[2]}&end={a[3]}"),
            asked))
    for n, ((_, ext, start, end), reply) in enumerate(zip(asked, replies, strict=True)):
        assert reply.status == 200
        found = probe(saved(reply.body, tmp_path, f"{n}.{ext}"))
        assert abs(found["duration"] - (end - start)) <= SLACK, (ext, start, end, found)
    assert len(cuts) == 4 and len(cached(archive)) == 4


def test_the_cache_drops_the_least_recently_used_clips(archive, cuts):
    client = client_over(archive)
    app = client.application

    def ask(start: int) -> None:
        reply = client.get(f"/sessions/{AUDIO}/clip.mp3?t={start}&end={start + 3}")
        assert reply.status_code == 200

    ask(0)
    (first,) = cached(archive)
    # Room for two clips of 3 s (a constant bit rate), not three.
    app.config["CLIP_CACHE_BYTES"] = int((archive.clips_dir / first).stat().st_size * 2.5)
    ask(3)
    ask(0)  # used again: now the 3-6 s clip is the least recently used
    ask(6)
    assert [n.split("-v0-")[1] for n in cached(archive)] == ["0-3.mp3", "6-9.mp3"]
    assert len(cuts) == 3
    ask(3)  # evicted, so cut again
    assert len(cuts) == 4
    assert len(cached(archive)) == 2


def test_a_cut_killed_midway_leaves_only_scratch_that_is_swept(archive, cuts):
    client = client_over(archive)  # started (and swept) before the kill, as a running server
    stuck = textwrap.dedent("""
        import sys, time
        from ontherecord.archive import Archive
        from ontherecord.clip_ranges import ClipRange
        from search_app import clips

        def stuck(source, transcript, span, target):
            target.write_bytes(b"half a clip")
            print("cutting", flush=True)
            time.sleep(600)

        clips.cut = stuck
        archive = Archive(sys.argv[1])
        clips.clip_file(archive, archive.session(sys.argv[2]), ClipRange(1.0, 4.0), "mp3", 2**30)
    """)
    process = subprocess.Popen([sys.executable, "-c", stuck, str(archive.root), AUDIO],
                               stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert process.stdout is not None
    try:
        assert process.stdout.readline() == "cutting\n"
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    (scratch,) = [p for p in archive.staging_dir.iterdir() if p.is_dir()]
    assert (scratch / f"{AUDIO}-v0-1-4.mp3").read_bytes() == b"half a clip"
    assert cached(archive) == []
    # The next request for that clip is not held up by the dead cut's lock.
    reply = client.get(f"/sessions/{AUDIO}/clip.mp3?t=1&end=4")
    assert reply.status_code == 200 and len(reply.data) > 1000
    assert cached(archive) == [f"{AUDIO}-v0-1-4.mp3"]
    # The kill's leftovers go at the next sweep (every start-up runs one).
    assert scratch.name in archive.sweep()
    assert not scratch.exists()
    assert list(archive.staging_dir.iterdir()) == []
    assert list(archive.clip_locks_dir.iterdir()) == []
