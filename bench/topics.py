"""Topic segmentation and labelling on scripted multi-topic sessions with known chapters.

    .venv/bin/python bench/topics.py [--set dev test] [--json out.json] [--switch-cost 0.6 ...]
    .venv/bin/python bench/topics.py --cost 3   # time one long session: every script, 3 times

Sessions are bench/topic_sessions/{dev,test}-*.json: utterances with speaker, text and the
true topic. dev is for tuning TopicOptions; test is held out and only reported. Utterances are
timed as if spoken at 155 words a minute with 0.8 s between turns, as in the example.

Scores, per session and pooled over a set:
- Pk and WindowDiff over utterances, with k = half the mean true chapter length (lower is
  better; 0 is perfect);
- label accuracy: the share of speaking time whose chapter has the true topic;
- chapters found vs true.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.topics import TopicOptions, chapters  # noqa: E402
from ontherecord.model import Segment  # noqa: E402
from ontherecord.taxonomy import load_taxonomy  # noqa: E402

SESSIONS = ROOT / "bench" / "topic_sessions"
WPM, GAP = 155, 0.8


def timed(utterances: list[dict]) -> list[Segment]:
    """Segments for scripted utterances, timed as if spoken."""
    segments, t = [], 0.0
    for u in utterances:
        seconds = len(u["text"].split()) / WPM * 60
        segments.append(Segment(round(t, 2), round(t + seconds, 2), u["text"]))
        t += seconds + GAP
    return segments


def chapter_ids(labels: list[str]) -> list[int]:
    """A chapter number per unit: it goes up wherever the label changes."""
    out, n = [], 0
    for i, label in enumerate(labels):
        n += i > 0 and label != labels[i - 1]
        out.append(n)
    return out


def pk(ref: list[int], hyp: list[int], k: int) -> float:
    """Beeferman's Pk: how often units k apart are wrongly judged same-chapter or not."""
    n = len(ref) - k
    wrong = sum((ref[i] == ref[i + k]) != (hyp[i] == hyp[i + k]) for i in range(n))
    return wrong / n if n > 0 else 0.0


def window_diff(ref: list[int], hyp: list[int], k: int) -> float:
    """Pevzner and Hearst's WindowDiff: windows whose boundary counts differ."""
    n = len(ref) - k
    wrong = sum((ref[i + k] - ref[i]) != (hyp[i + k] - hyp[i]) for i in range(n))
    return wrong / n if n > 0 else 0.0


def score(session: dict, options: TopicOptions, topics) -> dict:
    """Segment one session and compare with its script."""
    segments = timed(session["utterances"])
    truth = [u["topic"] for u in session["utterances"]]
    t0 = time.perf_counter()
    found = chapters(segments, topics, options)
    seconds = time.perf_counter() - t0
    guessed = [next(c.topic_id for c in found if c.start <= s.start <= c.end) for s in segments]
    ref, hyp = chapter_ids(truth), chapter_ids(guessed)
    k = max(1, round(len(truth) / (ref[-1] + 1) / 2))
    spoken = [s.end - s.start for s in segments]
    right = sum(d for d, a, b in zip(spoken, truth, guessed, strict=True) if a == b)
    return {"pk": pk(ref, hyp, k), "windowdiff": window_diff(ref, hyp, k),
            "accuracy": right / sum(spoken), "chapters": len(found),
            "true_chapters": ref[-1] + 1, "minutes": segments[-1].end / 60,
            "seconds": seconds}


def time_long(options: TopicOptions, topics, times: int) -> None:
    """Time chapters on one long session: every script joined, `times` over (model loaded)."""
    utterances = [u for _ in range(times) for path in sorted(SESSIONS.glob("*.json"))
                  for u in json.loads(path.read_text("utf-8"))["utterances"]]
    segments = timed(utterances)
    chapters(segments[:10], topics, options)  # load the embedding model first
    t0 = time.perf_counter()
    found = chapters(segments, topics, options)
    seconds = time.perf_counter() - t0
    hours = segments[-1].end / 3600
    print(f"{hours:.2f} h, {len(segments)} segments, {len(found)} chapters: {seconds:.1f} s "
          f"({seconds / hours:.1f} s per hour of session)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", nargs="+", default=["dev", "test"])
    parser.add_argument("--json", type=Path)
    parser.add_argument("--cost", type=int, metavar="N",
                        help="only time chapters on every session joined, N times over")
    for f in dataclasses.fields(TopicOptions):
        kind = (lambda v: v.lower() in ("1", "true", "yes")) if f.type == "bool" else float
        parser.add_argument("--" + f.name.replace("_", "-"), type=kind, default=f.default)
    args = parser.parse_args()
    options = TopicOptions(**{f.name: getattr(args, f.name)
                              for f in dataclasses.fields(TopicOptions)})
    topics = load_taxonomy()
    if args.cost:
        return time_long(options, topics, args.cost)
    rows = []
    for name in args.set:
        mine = []
        for path in sorted(SESSIONS.glob(f"{name}-*.json")):
            row = {"set": name, "file": path.stem,
                   **score(json.loads(path.read_text("utf-8")), options, topics)}
            mine.append(row)
            print(f"{path.stem:8} {row['minutes']:5.1f} min  Pk {row['pk']:.3f}  "
                  f"WindowDiff {row['windowdiff']:.3f}  label accuracy {row['accuracy']:6.1%}  "
                  f"chapters {row['chapters']}/{row['true_chapters']}")
        if mine:
            mean = {m: sum(r[m] for r in mine) / len(mine) for m in ("pk", "windowdiff",
                                                                     "accuracy")}
            print(f"{name:8} mean Pk {mean['pk']:.3f}  WindowDiff {mean['windowdiff']:.3f}  "
                  f"label accuracy {mean['accuracy']:.1%}  ({len(mine)} sessions)")
            rows += mine + [{"set": name, "file": "MEAN", **mean}]
    if args.json:
        args.json.write_text(json.dumps({"options": dataclasses.asdict(options), "rows": rows},
                                        indent=1) + "\n")


if __name__ == "__main__":
    main()
