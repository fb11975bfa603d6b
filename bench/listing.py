"""Browse pages at a district's size: the session listing and the people pages at ~500 sessions.

Makes (once) an archive of N sessions from the scale corpus (bench/scale.py's three-hour
sessions, 3 MB of transcript.json each): its sessions hard-linked, duplicated under new ids
and dates to reach N, and its search index hard-linked (only read). Then times, in process and
through the app (Flask's test client), cold (no summaries yet) and warm:

- what a page needs besides the summaries: every session.json (Archive.public_sessions) and
  the filter and sort;
- one page of the listing from the summaries, against reading its transcripts;
- everyone named (ontherecord.people), from the summaries, against reading every transcript;
- GET /sessions/, /sessions/?unit=…&from=…, /people/, /people/<slug>, /units/<slug>.

    OMP_WAIT_POLICY=passive python bench/listing.py [--sessions 500]
        [--corpus /work/bench-scale/corpus-1000h-seed7-v1] [--work /work/bench-scale]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ontherecord.archive import Archive, write_json_atomic  # noqa: E402
from ontherecord.listing import listing  # noqa: E402
from ontherecord.people import people  # noqa: E402
from ontherecord.summaries import summary  # noqa: E402

PAGE = 25


def make_archive(corpus: Path, target: Path, count: int) -> Archive:
    """An archive of `count` sessions: the corpus's, hard-linked, then copies under new ids."""
    if (target / "sessions").is_dir() and len(os.listdir(target / "sessions")) == count:
        return Archive(target)
    shutil.rmtree(target, ignore_errors=True)
    source = Archive(corpus / "archive")
    shutil.copytree(source.index_dir, target / ".index", copy_function=os.link)
    ids = source.ids()
    for n in range(count):
        original = source.session(ids[n % len(ids)])
        copy = n // len(ids)
        folder = target / "sessions" / (original.id + (f"-copy{copy}" if copy else ""))
        folder.mkdir(parents=True)
        for name in ("transcript.json", original.media):
            os.link(source.session_dir(original.id) / name, folder / name)
        if copy:  # a later year, so the copies are sessions of their own
            original.id, original.date = folder.name, f"{int(original.date[:4]) + 5 * copy}" \
                                                      f"{original.date[4:]}"
        write_json_atomic(folder / "session.json", original.to_dict())
    return Archive(target)


def timed(run: Callable[[], object], repeat: int = 5) -> dict:
    """The median and best of `repeat` runs, in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return {"median_ms": round(statistics.median(times), 1), "best_ms": round(min(times), 1)}


def main() -> None:
    """Build the archive if needed, time every step, print and save the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=500)
    parser.add_argument("--corpus", type=Path,
                        default=Path("/work/bench-scale/corpus-1000h-seed7-v1"))
    parser.add_argument("--work", type=Path, default=Path("/work/bench-scale"))
    args = parser.parse_args()
    archive = make_archive(args.corpus, args.work / f"listing-{args.sessions}", args.sessions)
    shutil.rmtree(archive.summaries_dir, ignore_errors=True)
    public = archive.public_sessions()
    page = listing(public)[:PAGE]
    unit = public[0].unit
    result: dict = {"sessions": len(public), "page_size": PAGE}
    result["public_sessions"] = timed(archive.public_sessions)
    result["listing_filtered"] = timed(lambda: listing(public, unit, "2022-01-01"))
    result["page_from_transcripts"] = timed(lambda: [archive.transcript(s.id) for s in page], 3)
    result["page_summaries_cold"] = timed(lambda: [summary(archive, s) for s in page], 1)
    result["page_summaries_warm"] = timed(lambda: [summary(archive, s) for s in page])
    result["people_from_transcripts"] = timed(
        lambda: [archive.transcript(s.id).speakers for s in public], 1)
    result["people_cold"] = timed(lambda: people(archive), 1)
    result["people_warm"] = timed(lambda: people(archive))
    result["http"] = http_figures(archive, unit)
    print(json.dumps(result, indent=1))
    (ROOT / "bench" / "results-listing.json").write_text(json.dumps(result, indent=1) + "\n")


def http_figures(archive: Archive, unit: str) -> dict:
    """Each browse page through the app, warm (the summaries made), in milliseconds."""
    from ontherecord.people import slug
    from search_app import create_app

    # Pointed at the archive after start-up: start-up would index the copies, hours of work
    # these figures do not need (the index holds the corpus's sessions, hard-linked).
    app = create_app({"ARCHIVE": str(archive.root / "absent"), "TESTING": True})
    app.config["ARCHIVE"] = str(archive.root)
    client = app.test_client()
    someone = people(archive)[0].slug
    paths = ["/sessions/", f"/sessions/?unit={unit}&from=2022-01-01", "/sessions/?page=10",
             "/sessions/latest", "/people/", f"/people/{someone}", f"/units/{slug(unit)}",
             "/units/"]
    figures = {}
    for path in paths:
        assert client.get(path).status_code in (200, 302), path
        figures[path] = timed(lambda p=path: client.get(p))
    return figures


if __name__ == "__main__":
    main()
