"""Diarization error rate and speaker-count accuracy on the shared AMI and three-speaker clips.

    .venv/bin/python bench/diarization.py [--set ami-dev three-speakers] [--json out.json]
        [--threshold 0.55 ...]

DER is scored as pyannote.metrics does with no collar and overlapped speech scored (a voice
we miss in overlap counts as missed speech). Clustering options are tuned on ami-dev only.

Voice matching: the same people speak in several ami-dev clips, so each found speaker's
voiceprint (labelled with the reference speaker it mostly covers) is compared with every
found speaker of the other clips. That calibrates the registry's threshold
(ontherecord.voices.THRESHOLD): how many same-person pairs reach it, how many
different-person pairs wrongly do.
Results: AMI Meeting Corpus (CC BY 4.0); falcon test audio (Apache-2.0).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

import numpy as np
from pyannote.core import Annotation, Segment
from pyannote.metrics.diarization import DiarizationErrorRate

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from ingest.diarize import DiarizeOptions, diarize  # noqa: E402
from ingest.media import read_wav  # noqa: E402
from ontherecord.progress import Silent  # noqa: E402
from ontherecord.voices import THRESHOLD  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


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
        table[th] = {"same_matched": float((same_a >= th).mean()),
                     "different_matched": float((diff_a >= th).mean())}
        mark = "  <- ontherecord.voices.THRESHOLD" if th == THRESHOLD else ""
        print(f"  threshold {th:.2f}: same person matched {table[th]['same_matched']:6.1%}, "
              f"different people matched {table[th]['different_matched']:6.1%}{mark}")
    return {"same_pairs": len(same), "different_pairs": len(different), "table": table}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", nargs="+", default=["ami-dev", "three-speakers"])
    parser.add_argument("--json", type=Path)
    for f in dataclasses.fields(DiarizeOptions):
        if f.name not in ("speakers",):
            parser.add_argument("--" + f.name.replace("_", "-"), type=type(f.default),
                                default=f.default)
    parser.add_argument("--oracle-count", action="store_true",
                        help="give the reference speaker count (to score clustering alone)")
    args = parser.parse_args()
    base = {f.name: getattr(args, f.name) for f in dataclasses.fields(DiarizeOptions)
            if f.name != "speakers"}
    rows, prints = [], []
    for name in args.set:
        totals = DiarizationErrorRate(collar=0.0, skip_overlap=False)
        for wav_path in sorted((DATA / name).glob("*.wav")):
            ref = read_rttm(wav_path.with_suffix(".rttm"))
            n_ref = len(ref.labels())
            options = DiarizeOptions(**base, speakers=n_ref if args.oracle_count else None)
            wav = read_wav(wav_path)
            t0 = time.perf_counter()
            result = diarize(wav, options, Silent())
            seconds = time.perf_counter() - t0
            hyp = Annotation(uri=wav_path.stem)
            for i, t in enumerate(result.turns):
                hyp[Segment(t.start, t.end), i] = t.speaker
            detail = totals(ref, hyp, detailed=True)
            if name == "ami-dev":
                for speaker, vector in result.voiceprints.items():
                    who = reference_label(ref, result.turns, speaker)
                    if who:
                        prints.append((wav_path.stem, who, np.array(vector)))
            n_hyp = len(hyp.labels())
            rows.append({"set": name, "file": wav_path.stem,
                         "der": detail["diarization error rate"],
                         "miss": detail["missed detection"] / detail["total"],
                         "fa": detail["false alarm"] / detail["total"],
                         "conf": detail["confusion"] / detail["total"],
                         "ref_speakers": n_ref, "hyp_speakers": n_hyp,
                         "rtf": seconds / (len(wav) / 16000)})
            r = rows[-1]
            print(f"{name:15} {r['file']:8} DER {r['der']:6.1%}  miss {r['miss']:5.1%} "
                  f"fa {r['fa']:5.1%} conf {r['conf']:5.1%}  speakers {n_hyp}/{n_ref}  "
                  f"RTF {r['rtf']:.3f}")
        total = abs(totals)
        mine = [r for r in rows if r["set"] == name]
        right = sum(r["ref_speakers"] == r["hyp_speakers"] for r in mine)
        print(f"{name:15} overall DER {total:.1%}; speaker count right in {right}/{len(mine)}")
        rows.append({"set": name, "file": "TOTAL", "der": total, "count_right": right,
                     "files": len(mine)})
    matching = voice_matching(prints) if prints else {}
    if args.json:
        args.json.write_text(json.dumps({"options": base, "rows": rows,
                                         "voice_matching": matching}, indent=1) + "\n")


if __name__ == "__main__":
    main()
