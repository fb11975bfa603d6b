"""What the one change path costs at archive size, and what the public server takes to start.

Builds an archive of N three-hour sessions (hand-made transcripts at ~150 words a minute in
segments of ~10 s, every session published and indexed), then times, each `--repeat` times:

- heal: the reconcile every start-up and every change runs when nothing is stale (it reads
  every session.json and the index's stamps);
- correct: one correction in a three-hour session through the service (lock, load, save,
  version, reindex of that session's segments, reconcile);
- publish: withdrawing and publishing one session (its segments leave and return);
- the alternative a developer would write without the service: load, change, save and
  `replace_session` with no lock, no version and no reconcile.

Then `import search_app; create_app()` in a fresh interpreter, as the public server starts.

    python bench/service.py [--sessions 333] [--repeat 5] [--json bench/results-service.json]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index.store import SearchIndex  # noqa: E402
from ontherecord import corrections, service  # noqa: E402
from ontherecord.archive import Archive  # noqa: E402
from ontherecord.model import Segment, Session, Source, Speaker, Transcript, Word  # noqa: E402

WORDS = ("class size salary step increase counselor district union proposal mediator "
         "insurance premium workload prep time caseload bargaining strike settlement "
         "calendar retention evaluation").split()
SECONDS = 3 * 3600


def session_of(n: int, rng: random.Random) -> Transcript:
    """A published three-hour session with word timings, as ingest would commit it."""
    session = Session(f"2026-01-{n % 28 + 1:02d}-session-{n:04d}", f"Session {n}",
                      f"2026-01-{n % 28 + 1:02d}", "Teachers", SECONDS, "media.ogg",
                      "audio/ogg", Source("x.ogg", f"{n:064x}", 1), state="published")
    segments, t = [], 0.0
    while t < SECONDS:
        length = rng.uniform(3, 15)
        count = max(1, int(length * 2.5))  # ~150 words a minute
        step = length / count
        words = [Word(round(t + i * step, 2), round(t + (i + 1) * step, 2),
                      f" {rng.choice(WORDS)}", 0.9) for i in range(count)]
        segments.append(Segment(round(t, 2), round(t + length, 2),
                                "".join(w.word for w in words), f"S{rng.randint(1, 6)}",
                                words))
        t += length
    speakers = [Speaker(f"S{i}", f"Speaker {i}") for i in range(1, 7)]
    return Transcript(session, segments, speakers)


def build(root: Path, sessions: int) -> Archive:
    """An archive of `sessions` published sessions, indexed."""
    archive = Archive(root)
    rng = random.Random(7)
    for n in range(sessions):
        with archive.staging() as folder:
            archive.commit(folder, session_of(n, rng))
    SearchIndex(archive.index_dir).rebuild_from(archive)
    service.heal(archive)
    return archive


def timed(action, repeat: int) -> dict[str, float]:
    """Median and worst seconds of `repeat` runs."""
    runs = []
    for _ in range(repeat):
        began = time.perf_counter()
        action()
        runs.append(time.perf_counter() - began)
    return {"median_s": round(statistics.median(runs), 4), "max_s": round(max(runs), 4)}


def bare_correct(archive: Archive, session_id: str, n: list[int]) -> None:
    """A correction as code without the service would make it: no lock, version or reconcile."""
    transcript = archive.transcript(session_id)
    n[0] += 1
    corrections.correct(transcript, 5, f"bare fix number {n[0]}")
    archive.save_transcript(transcript)
    SearchIndex(archive.index_dir).replace_session(transcript)


def import_time(repeat: int) -> dict[str, float]:
    """Seconds for a fresh interpreter to import the web app and build it."""
    code = "import search_app; search_app.create_app({'ARCHIVE': '/nonexistent'})"
    return timed(lambda: subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT),
                 repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=333, help="3-hour sessions (333 ≈ 1,000 h)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        began = time.perf_counter()
        archive = build(Path(tmp) / "archive", args.sessions)
        built = time.perf_counter() - began
        first, other = archive.ids()[0], archive.ids()[1]
        fixes = [0]

        def correct() -> None:
            fixes[0] += 1
            service.correct(archive, first, f"fix number {fixes[0]}", index=3)

        def republish() -> None:
            service.change_state(archive, other, "withdraw")
            service.publish(archive, other)

        rows = {
            "heal (nothing stale)": timed(lambda: service.heal(archive), args.repeat),
            "service.correct": timed(correct, args.repeat),
            "bare correct (no lock/version/reconcile)": timed(
                lambda: bare_correct(archive, first, fixes), args.repeat),
            "service withdraw + publish": timed(republish, args.repeat),
        }
        segments = sum(len(archive.transcript(i).segments) for i in (first,))
    rows["import search_app + create_app()"] = import_time(args.repeat)
    result = {"sessions": args.sessions, "hours": round(args.sessions * SECONDS / 3600),
              "segments_per_session": segments, "build_s": round(built, 1), "rows": rows}
    print(json.dumps(result, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
