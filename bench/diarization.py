"""Diarization error rate, speaker-count accuracy and speed on real clips and mixed conversations.

    .venv/bin/python bench/diarization.py [--set ami-dev three-speakers conv-dev conv-test]
        [--modes auto oracle] [--json out.json] [--markdown] [--threshold 0.55 ...]

Sets: ami-dev (12 AMI meeting clips of 30 s), three-speakers (the falcon clip), and the
conversations mixed from LibriSpeech voices by bench/conversations.py (built on first use into
bench/data/conversations): conv-dev (11, 2–12 speakers, one of 24 minutes) for tuning, and
conv-test, HELD OUT: its readers are in no other set; score it to report, never to tune (the
bench warns when it is scored with options other than the defaults).

Modes: `auto` lets the diarizer count the speakers; `oracle` gives it the true count, to score
the rest alone. Both by default, in one run.

DER is scored as pyannote.metrics does with no collar and overlapped speech scored (a voice
we miss in overlap counts as missed speech); missed speech, false alarm and confusion are its
parts, as shares of reference speech. Speaker counts: right in k of n files, and the mean
|found − true|. RTF: diarization time / audio length (models loaded beforehand).
`--markdown` prints the tables for BENCHMARKS.md.

Voice matching: the same people speak in several ami-dev clips, so each found speaker's
voiceprint (labelled with the reference speaker it mostly covers) is compared with every
found speaker of the other clips (auto mode). bench/voice_matching.py calibrates the registry's
threshold (ontherecord.voices.THRESHOLD) on many more pairs, from the LibriSpeech readers.
Results: AMI Meeting Corpus (CC BY 4.0); falcon test audio (Apache-2.0); LibriSpeech (CC BY 4.0).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from pyannote.core import Annotation, Segment, Timeline
from pyannote.metrics.diarization import DiarizationErrorRate

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import conversations  # noqa: E402
from ingest.diarize import DiarizeOptions, diarize  # noqa: E402
from ingest.media import read_wav  # noqa: E402
from ontherecord.progress import Silent  # noqa: E402
from ontherecord.voices import THRESHOLD  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SETS = ["ami-dev", "three-speakers", "conv-dev", "conv-test"]
HELD_OUT = "conv-test"
MODES = ["auto", "oracle"]
RATE = 16000


def read_rttm(path: Path) -> Annotation:
    """An RTTM file's speaker turns."""
    ann = Annotation(uri=path.stem)
    for i, line in enumerate(path.read_text("utf-8").splitlines()):
        f = line.split()
        if f and f[0] == "SPEAKER":
            start, dur = float(f[3]), float(f[4])
            ann[Segment(start, start + dur), i] = f[7]
    return ann


def reference_label(ref: Annotation, turns: list, speaker: str) -> str | None:
    """The reference speaker who talks most during a found speaker's turns."""
    talk: dict[str, float] = {}
    for t in turns:
        if t.speaker == speaker:
            for seg, _, label in ref.crop(Segment(t.start, t.end)).itertracks(yield_label=True):
                talk[label] = talk.get(label, 0.0) + seg.duration
    return max(talk, key=talk.__getitem__) if talk else None


def voice_matching(prints: list[tuple[str, str, np.ndarray]]) -> dict:
    """Similarity of found speakers across clips: same person vs different people."""
    same, different = [], []
    for i, (clip_a, who_a, a) in enumerate(prints):
        for clip_b, who_b, b in prints[i + 1:]:
            if clip_a != clip_b:
                (same if who_a == who_b else different).append(float(a @ b))
    same_a, diff_a = np.array(same), np.array(different)
    print(f"voice matching: {len(same)} same-person pairs, {len(different)} different-person "
          "pairs across ami-dev clips")
    table = {}
    for th in (0.8, 0.85, 0.9, 0.95):
        table[th] = {"same_matched": float((same_a >= th).mean()) if same else 0.0,
                     "different_matched": float((diff_a >= th).mean()) if different else 0.0}
        mark = "  <- ontherecord.voices.THRESHOLD" if th == THRESHOLD else ""
        print(f"  threshold {th:.2f}: same person matched {table[th]['same_matched']:6.1%}, "
              f"different people matched {table[th]['different_matched']:6.1%}{mark}")
    return {"same_pairs": len(same), "different_pairs": len(different), "table": table}


def folder(name: str) -> Path:
    """Where a set's wav + rttm files are (mixing the conversation sets if need be)."""
    if name in conversations.SETS:
        return conversations.build(name)
    return DATA / name


def option_flags(parser: argparse.ArgumentParser) -> list[str]:
    """A flag for each plain DiarizeOptions field but the count (what tuning changes)."""
    names = []
    for f in dataclasses.fields(DiarizeOptions):
        kind = type(f.default)
        if f.name == "speakers" or kind not in (int, float, str, bool):
            continue
        convert = (lambda s: s.lower() in ("1", "true", "yes")) if kind is bool else kind
        parser.add_argument("--" + f.name.replace("_", "-"), type=convert, default=f.default)
        names.append(f.name)
    return names


def warn_held_out(sets: list[str], base: dict) -> None:
    """Say that conv-test is held out; warn loudly if it is scored with changed options."""
    if HELD_OUT not in sets:
        return
    defaults = DiarizeOptions()
    changed = {k: v for k, v in base.items() if getattr(defaults, k) != v}
    print(f"note: {HELD_OUT} is held out: report it, never tune on it", file=sys.stderr)
    if changed:
        print(f"WARNING: scoring held-out {HELD_OUT} with non-default options {changed}: "
              f"tune on conv-dev / ami-dev only, and report {HELD_OUT} with the defaults",
              file=sys.stderr)


def as_annotation(turns, uri: str) -> Annotation:
    """Found turns as a pyannote Annotation."""
    hyp = Annotation(uri=uri)
    for i, t in enumerate(turns):
        hyp[Segment(t.start, t.end), i] = t.speaker
    return hyp


def score(metric: DiarizationErrorRate, ref: Annotation, hyp: Annotation,
          seconds: float) -> dict:
    """DER and its parts for one file, accumulated into `metric` (the whole file scored)."""
    detail = metric(ref, hyp, uem=Timeline([Segment(0, seconds)]), detailed=True)
    total = detail["total"] or 1.0
    return {"der": detail["diarization error rate"], "miss": detail["missed detection"] / total,
            "fa": detail["false alarm"] / total, "conf": detail["confusion"] / total}


def run_set(name: str, base: dict, modes: list[str],
            prints: list[tuple[str, str, np.ndarray]]) -> list[dict]:
    """Per-file rows and per-mode totals of one set."""
    rows: list[dict] = []
    totals = {mode: DiarizationErrorRate(collar=0.0, skip_overlap=False) for mode in modes}
    for wav_path in sorted(folder(name).glob("*.wav")):
        ref = read_rttm(wav_path.with_suffix(".rttm"))
        n_ref = len(ref.labels())
        wav = read_wav(wav_path)
        seconds = len(wav) / RATE
        for mode in modes:
            options = DiarizeOptions(**base, speakers=n_ref if mode == "oracle" else None)
            t0 = time.perf_counter()
            result = diarize(wav, options, Silent())
            took = time.perf_counter() - t0
            hyp = as_annotation(result.turns, wav_path.stem)
            if name == "ami-dev" and mode == "auto":
                for speaker, vector in result.voiceprints.items():
                    who = reference_label(ref, result.turns, speaker)
                    if who:
                        prints.append((wav_path.stem, who, np.array(vector)))
            n_hyp = len(hyp.labels())
            rows.append({"set": name, "file": wav_path.stem, "mode": mode,
                         "seconds": round(seconds, 2),
                         **score(totals[mode], ref, hyp, seconds),
                         "ref_speakers": n_ref, "hyp_speakers": n_hyp, "rtf": took / seconds})
            r = rows[-1]
            print(f"{name:14} {r['file']:13} {mode:6} DER {r['der']:6.1%}  miss {r['miss']:5.1%} "
                  f"fa {r['fa']:5.1%} conf {r['conf']:5.1%}  speakers {n_hyp}/{n_ref}  "
                  f"RTF {r['rtf']:.3f}", flush=True)
    for mode in modes:
        rows.append(total_row(name, mode, totals[mode], [r for r in rows if r["mode"] == mode]))
        t = rows[-1]
        print(f"{name:14} {'TOTAL':13} {mode:6} DER {t['der']:6.1%}  miss {t['miss']:5.1%} "
              f"fa {t['fa']:5.1%} conf {t['conf']:5.1%}  count right in "
              f"{t['count_right']}/{t['files']}, mean |found-true| {t['count_error']:.2f}  "
              f"RTF {t['rtf']:.3f}", flush=True)
    return rows


def total_row(name: str, mode: str, metric: DiarizationErrorRate, files: list[dict]) -> dict:
    """A set's totals in one mode: DER over all its speech, counts, speed."""
    acc = metric.accumulated_
    total = acc["total"] or 1.0
    audio = sum(r["seconds"] for r in files)
    return {"set": name, "file": "TOTAL", "mode": mode, "seconds": round(audio, 2),
            "der": abs(metric), "miss": acc["missed detection"] / total,
            "fa": acc["false alarm"] / total, "conf": acc["confusion"] / total,
            "files": len(files),
            "count_right": sum(r["ref_speakers"] == r["hyp_speakers"] for r in files),
            "count_error": float(np.mean([abs(r["hyp_speakers"] - r["ref_speakers"])
                                          for r in files])) if files else 0.0,
            "rtf": sum(r["rtf"] * r["seconds"] for r in files) / audio if audio else 0.0}


def minutes(seconds: float) -> str:
    """A length as m:ss."""
    return f"{int(seconds // 60)}:{int(round(seconds % 60)):02d}"


def markdown(rows: list[dict], sets: list[str], modes: list[str]) -> str:
    """The results as Markdown tables: a summary, then each set's files."""
    out = ["| set | files | audio | mode | DER | missed | false alarm | confusion | "
           "count right | mean \\|found − true\\| | RTF |",
           "|---|---|---|---|---|---|---|---|---|---|---|"]
    for name in sets:
        for t in (r for r in rows if r["set"] == name and r["file"] == "TOTAL"):
            label = f"{name} (held out)" if name == HELD_OUT else name
            out.append(f"| {label} | {t['files']} | {minutes(t['seconds'])} | {t['mode']} | "
                       f"**{t['der']:.1%}** | {t['miss']:.1%} | {t['fa']:.1%} | {t['conf']:.1%} | "
                       f"{t['count_right']} / {t['files']} | {t['count_error']:.2f} | "
                       f"{t['rtf']:.3f} |")
    for name in sets:
        head = "| file | audio | speakers | " + " | ".join(
            f"{m}: DER (missed / false alarm / confusion) | {m}: found" for m in modes) + " |"
        out += ["", f"**{name}**" + (" (held out)" if name == HELD_OUT else ""), "", head,
                "|---|---|---|" + "---|---|" * len(modes)]
        mine = [r for r in rows if r["set"] == name]
        for file in dict.fromkeys(r["file"] for r in mine):
            cells = {r["mode"]: r for r in mine if r["file"] == file}
            first = cells[modes[0]]
            if file == "TOTAL":
                line = f"| **all {first['files']}** | {minutes(first['seconds'])} | |"
            else:
                line = f"| {file} | {minutes(first['seconds'])} | {first['ref_speakers']} |"
            for m in modes:
                r = cells[m]
                found = (f"right in {r['count_right']} / {r['files']}" if file == "TOTAL"
                         else str(r["hyp_speakers"]))
                der = f"**{r['der']:.1%}**" if file == "TOTAL" else f"{r['der']:.1%}"
                line += (f" {der} ({r['miss']:.1%} / {r['fa']:.1%} / {r['conf']:.1%}) |"
                         f" {found} |")
            out.append(line)
    return "\n".join(out)


def warm_up() -> None:
    """Load the diarizer's models before anything is timed."""
    noise = np.random.default_rng(0).standard_normal(3 * RATE).astype(np.float32) * 1e-3
    diarize(noise, DiarizeOptions(), Silent())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", nargs="+", choices=SETS, default=SETS)
    parser.add_argument("--modes", nargs="+", choices=MODES, default=MODES)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--markdown", action="store_true",
                        help="print the tables for BENCHMARKS.md at the end")
    names = option_flags(parser)
    args = parser.parse_args()
    base = {name: getattr(args, name) for name in names}
    warn_held_out(args.set, base)
    warnings.filterwarnings("ignore", module="pyannote")
    warm_up()
    rows: list[dict] = []
    prints: list[tuple[str, str, np.ndarray]] = []
    for name in args.set:
        rows += run_set(name, base, args.modes, prints)
    matching = voice_matching(prints) if prints else {}
    if args.markdown:
        print()
        print(markdown(rows, args.set, args.modes))
    if args.json:
        args.json.write_text(json.dumps({"options": base, "modes": args.modes,
                                         "held_out": HELD_OUT, "rows": rows,
                                         "voice_matching": matching}, indent=1) + "\n")
    if HELD_OUT in args.set:
        print(f"({HELD_OUT} is held out: these numbers are for reporting, not for tuning)",
              file=sys.stderr)


if __name__ == "__main__":
    main()
