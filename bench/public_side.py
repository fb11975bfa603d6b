"""Bench: the public side at real size, beside what a user would do instead.

- Clips of a 3-hour audio recording and a 1-hour video (H.264, a keyframe every 2 s, as a
  stream's recording has): our cut (cold, then cached) beside bare ffmpeg by hand, the quick
  way (`-ss … -c copy`) and the exact way (re-encoding), with each result's real duration.
- On the 100-hour scale corpus (bench/scale.py): a search's Atom feed beside its results page,
  and the email alerts owed when one 3-hour session is published to 1,000 followed searches.
- The bulk data file's rewrite at 100 hours.

    python -m bench.public_side --corpus /work/bench-scale/corpus-100h-seed7-v1 --markdown

Run it on an idle machine (OMP_WAIT_POLICY=passive changes nothing here: no model runs).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from bench.scale_corpus import read_word_lists
from index.query import Filters
from ingest.media import ffmpeg_binary
from ontherecord import bulk
from ontherecord.archive import Archive
from ontherecord.clip_ranges import ClipRange
from ontherecord.model import Session
from ontherecord.subscriptions import Followed, Subscriptions
from search_app import create_app
from search_app.clips import clip_file

T = TypeVar("T")
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "bargaining-session.ogg"
# A 10-minute clip (the longest allowed by default) from the middle, off any keyframe.
SPAN = ClipRange(5400.37, 6000.37)
VIDEO_SPAN = ClipRange(1800.37, 2400.37)


def timed(work: Callable[..., T], *args: Any, repeat: int = 1, **kwargs: Any) -> tuple[float, T]:
    """The median wall time of `work(*args, **kwargs)` in seconds, and its last result."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = work(*args, **kwargs)
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def duration(path: Path) -> float:
    """A media file's duration as ffprobe's container reports it."""
    probe = Path(ffmpeg_binary()).with_name("ffprobe")
    command = [str(probe) if probe.exists() else "ffprobe", "-v", "error", "-show_entries",
               "format=duration", "-of", "csv=p=0", str(path)]
    return float(subprocess.run(command, capture_output=True, text=True, check=True).stdout)


def ffmpeg(*args: str) -> None:
    """Run ffmpeg quietly."""
    subprocess.run([ffmpeg_binary(), "-v", "error", "-y", *args], check=True)


def recordings(folder: Path) -> tuple[Path, Path]:
    """A 3-hour Opus recording and a 1-hour H.264 + AAC video, made once and kept."""
    folder.mkdir(parents=True, exist_ok=True)
    audio, video = folder / "three-hours.ogg", folder / "one-hour.mp4"
    if not audio.exists():
        ffmpeg("-stream_loop", "-1", "-i", str(EXAMPLE), "-t", "10800", "-c:a", "libopus",
               "-b:a", "32k", str(audio))
    if not video.exists():
        ffmpeg("-f", "lavfi", "-i", "testsrc=size=640x360:rate=25", "-stream_loop", "-1",
               "-i", str(EXAMPLE), "-t", "3600", "-map", "0:v", "-map", "1:a", "-c:v",
               "libx264", "-preset", "ultrafast", "-g", "50", "-pix_fmt", "yuv420p", "-c:a",
               "aac", "-b:a", "96k", str(video))
    return audio, video


def clip_archive(root: Path, corpus: Archive, audio: Path, video: Path) -> list[Session]:
    """An archive of two sessions with a corpus session's 3-hour transcript: audio and video."""
    source = corpus.public_sessions()[0]
    made = []
    for name, media, media_type, length in (("audio", audio, "audio/ogg", 10800.0),
                                            ("video", video, "video/mp4", 3600.0)):
        folder = root / "sessions" / f"bench-{name}"
        folder.mkdir(parents=True)
        shutil.copy(corpus.session_dir(source.id) / "transcript.json", folder)
        session = json.loads((corpus.session_dir(source.id) / "session.json").read_text())
        session.update(id=f"bench-{name}", media=media.name, media_type=media_type,
                       duration=length)
        (folder / "session.json").write_text(json.dumps(session))
        (folder / media.name).symlink_to(media)
        made.append(Archive(root).session(f"bench-{name}"))
    return made


def bench_clips(work: Path, corpus: Archive) -> list[dict]:
    """Our clips (cold and cached) beside bare ffmpeg, each with its real duration."""
    audio, video = recordings(work / "media")
    rows = []
    with tempfile.TemporaryDirectory(dir=work) as scratch:
        archive = Archive(Path(scratch) / "archive")
        sessions = clip_archive(archive.root, corpus, audio, video)
        for session, kinds, span in ((sessions[0], ("m4a", "mp3"), SPAN),
                                     (sessions[1], ("mp4", "m4a"), VIDEO_SPAN)):
            source = archive.media_path(session)
            for kind in kinds:
                cold, path = timed(clip_file, archive, session, span, kind, 2**34)
                warm, _ = timed(clip_file, archive, session, span, kind, 2**34, repeat=5)
                rows.append({"what": f"ours: {session.id} → {kind}", "seconds": cold,
                             "cached": warm, "duration": duration(path), "asked": span.duration})
                for how, options in (("copy", ["-c", "copy"]), ("re-encode", [])):
                    # Copied streams stay in the recording's own container (Opus in an m4a
                    # is refused), as a person cutting by hand would keep it.
                    ext = source.suffix[1:] if how == "copy" else kind
                    out = Path(scratch) / f"bare-{how}.{ext}"
                    streams = ["-map", "0:v", "-map", "0:a"] if kind == "mp4" else ["-vn"]
                    took, _ = timed(ffmpeg, "-ss", f"{span.start:.3f}", "-i", str(source),
                                    "-t", f"{span.duration:.3f}", *streams, *options, str(out))
                    rows.append({"what": f"bare ffmpeg ({how}): {session.id} → {ext}",
                                 "seconds": took, "duration": duration(out),
                                 "asked": span.duration})
    return rows


def bench_feeds(corpus: Archive, words: list[str]) -> list[dict]:
    """A search's Atom feed beside its results page, over the corpus, in-process."""
    client = create_app({"ARCHIVE": str(corpus.root), "TESTING": True}).test_client()
    rows = []
    for path in ("/search/feed.atom", "/search", "/api/search"):
        times = []
        for word in words:
            client.get(path, query_string={"q": word})  # warm
            took, reply = timed(client.get, path, query_string={"q": word}, repeat=3)
            assert reply.status_code == 200, (path, word, reply.status_code)
            times.append(took)
        rows.append({"what": f"GET {path}?q=…", "median": statistics.median(times),
                     "max": max(times), "queries": len(words)})
    return rows


def bench_alerts(corpus: Archive, words: list[str], count: int) -> dict:
    """The alerts owed when one session is published to `count` confirmed followed searches."""
    from ontherecord.alerts import owed

    public = corpus.public_sessions()
    newest, earlier = public[0], [s.id for s in public[1:]]
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as scratch:
        store = Subscriptions(Path(scratch) / "alerts.sqlite3")
        for i in range(count):
            query = " ".join(rng.sample(words, rng.choice((1, 1, 2))))
            if rng.random() < 0.3:
                query = f'"{query}"'
            followed = Followed(query, Filters(side=rng.choice(("", "", "district", "union"))))
            token = store.sign_up(f"reader{i}@example.org", followed, f"client{i}", 10**6,
                                  10**6)
            assert token is not None  # a new address, well under the limits
            store.confirm(token, earlier)
        took, (letters, nothing) = timed(owed, corpus, store)
        return {"subscriptions": count, "seconds": took, "letters": len(letters),
                "without_hits": len(nothing), "session_hours": newest.duration / 3600}


def rewrite(archive: Archive) -> bool:
    """Rewrite the bulk file from nothing, as after a change to a public session."""
    archive.bulk_path.unlink(missing_ok=True)
    return bulk.regenerate(archive)


def bench_bulk(corpus: Archive) -> dict:
    """The bulk data file's rewrite over the corpus, and its size."""
    with tempfile.TemporaryDirectory() as scratch:
        copy = Archive(Path(scratch) / "archive")
        # Sessions are read, never written: link them; the rewrite writes only .data/.
        shutil.copytree(corpus.root / "sessions", copy.root / "sessions",
                        copy_function=lambda s, d: Path(d).hardlink_to(s))
        took, _ = timed(rewrite, copy, repeat=3)
        hours = sum(s.duration for s in copy.public_sessions()) / 3600
        return {"hours": round(hours, 1), "seconds": took,
                "bytes": copy.bulk_path.stat().st_size,
                "gzip_bytes": bulk.gzip_path(copy).stat().st_size}


def markdown(results: dict) -> str:
    """The results as the tables in BENCHMARKS.md."""
    lines = ["| clip (10 min) | cut (s) | cached (s) | duration (s) | off by (s) |",
             "|---|---:|---:|---:|---:|"]
    for r in results["clips"]:
        cached = f"{r['cached']:.3f}" if "cached" in r else "—"
        lines.append(f"| {r['what']} | {r['seconds']:.2f} | {cached} | {r['duration']:.2f} "
                     f"| {r['duration'] - r['asked']:+.2f} |")
    lines += ["", "| request (100 h) | median (ms) | max (ms) |", "|---|---:|---:|"]
    for r in results["feeds"]:
        lines.append(f"| {r['what']} | {1000 * r['median']:.0f} | {1000 * r['max']:.0f} |")
    a = results["alerts"]
    lines += ["", f"Alerts owed for one {a['session_hours']:.0f}-hour session and "
              f"{a['subscriptions']:,} followed searches: {a['seconds']:.1f} s "
              f"({1000 * a['seconds'] / a['subscriptions']:.1f} ms a search), "
              f"{a['letters']} emails.", ""]
    lines += [f"Bulk file at {b['hours']} h: rewritten in {b['seconds']:.1f} s, "
              f"{b['bytes'] / 1e6:.1f} MB ({b['gzip_bytes'] / 1e6:.1f} MB gzipped)."
              for b in results["bulk"]]
    return "\n".join(lines)


def main() -> None:
    args = parse_args()
    corpus = Archive(args.corpus / "archive")
    # Words of middling frequency (the list runs roughly commonest first), as people follow.
    words = read_word_lists()["words"][300:1000]
    results = {"clips": bench_clips(args.work, corpus),
               "feeds": bench_feeds(corpus, words[:: len(words) // args.queries]),
               "alerts": bench_alerts(corpus, words, args.subscriptions),
               "bulk": [bench_bulk(Archive(c / "archive")) for c in (args.corpus, *args.more)]}
    args.output.write_text(json.dumps(results, indent=1) + "\n")
    print(markdown(results) if args.markdown else json.dumps(results, indent=1))


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", type=Path, default=Path("/work/bench-scale/corpus-100h-seed7-v1"),
                   help="a scale corpus (bench/scale.py) with its archive")
    p.add_argument("--work", type=Path, default=Path("/work/bench-scale/public-side"),
                   help="where the long recordings are made once and kept")
    p.add_argument("--more", type=Path, nargs="*",
                   default=[Path("/work/bench-scale/corpus-1000h-seed7-v1")],
                   help="bigger corpora whose bulk file is rewritten too")
    p.add_argument("--subscriptions", type=int, default=1000)
    p.add_argument("--queries", type=int, default=12, help="words searched for the feeds")
    p.add_argument("--output", type=Path,
                   default=Path(__file__).resolve().parent / "results-public-side.json")
    p.add_argument("--markdown", action="store_true")
    return p.parse_args()


if __name__ == "__main__":
    main()
