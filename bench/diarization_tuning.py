"""Tune the clustering decision fast: the costly parts once per file, then a grid of choices.

Segmentation and voiceprints depend only on --step, --onset, --min-speech and --max-speech;
they are cached
in bench/data/cache. Each combination of the clustering options given as lists is then
scored on every set, automatic and with the true count, in seconds.

    python bench/diarization_tuning.py --set conv-dev ami-dev three-speakers \\
        --threshold 0.3 0.4 0.5 --min-cluster 1 3 --distinct 0.6 0.75

Never pass conv-test: it is held out of all tuning.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import pickle
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pyannote.metrics.diarization import DiarizationErrorRate  # noqa: E402

from bench.diarization import HELD_OUT, as_annotation, folder, read_rttm  # noqa: E402
from ingest import diarize  # noqa: E402
from ingest.media import read_wav  # noqa: E402

CACHE = Path(__file__).resolve().parent / "data" / "cache"
RATE = 16000


def heard(wav_path: Path, options: diarize.DiarizeOptions) -> tuple:
    """(local activity, binarized activity, local speakers, duration) of a file, cached."""
    key = f"{wav_path.parent.name}-{wav_path.stem}-{options.step}-{options.onset}-" \
          f"{options.min_speech}-{options.max_speech}.pkl"
    path = CACHE / key
    if path.is_file():
        return pickle.loads(path.read_bytes())
    wav = read_wav(wav_path)
    result = (*diarize.hear(wav, options), len(wav) / RATE)
    CACHE.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(result))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", nargs="+", default=["conv-dev", "ami-dev", "three-speakers"])
    for name in ("step", "onset", "min_speech", "max_speech"):
        parser.add_argument("--" + name.replace("_", "-"), type=float,
                            default=getattr(diarize.DiarizeOptions(), name))
    grid = ("threshold", "min_cluster", "distinct", "min_gap", "min_turn")
    for name in grid:
        kind = type(getattr(diarize.DiarizeOptions(), name))
        parser.add_argument("--" + name.replace("_", "-"), type=kind, nargs="+",
                            default=[getattr(diarize.DiarizeOptions(), name)])
    args = parser.parse_args()
    if HELD_OUT in args.set:
        parser.error(f"{HELD_OUT} is held out of tuning")
    warnings.filterwarnings("ignore")
    fixed = {"step": args.step, "onset": args.onset, "min_speech": args.min_speech,
             "max_speech": args.max_speech}
    files = {name: sorted(folder(name).glob("*.wav")) for name in args.set}
    cached = {p: heard(p, diarize.DiarizeOptions(**fixed)) for ps in files.values() for p in ps}
    refs = {p: read_rttm(p.with_suffix(".rttm")) for p in cached}
    for combo in itertools.product(*(getattr(args, n) for n in grid)):
        chosen = dict(zip(grid, combo, strict=True))
        line = []
        for name, paths in files.items():
            for mode in ("auto", "oracle"):
                metric = DiarizationErrorRate(collar=0.0, skip_overlap=False)
                right = 0
                for p in paths:
                    found, activity, local, duration = cached[p]
                    n_ref = len(refs[p].labels())
                    options = dataclasses.replace(diarize.DiarizeOptions(**fixed, **chosen),
                                                  speakers=n_ref if mode == "oracle" else None)
                    result = diarize.decide(found, activity, local, duration, options)
                    hyp = as_annotation(result.turns, p.stem)
                    metric(refs[p], hyp)
                    right += len(hyp.labels()) == n_ref
                acc = metric.accumulated_
                parts = "/".join(f"{acc[k] / acc['total']:.1%}" for k in
                                 ("missed detection", "false alarm", "confusion"))
                line.append(f"{name} {mode} {abs(metric):5.1%} [{parts}] ({right}/{len(paths)})")
        print(chosen, " | ".join(line), flush=True)


if __name__ == "__main__":
    main()
