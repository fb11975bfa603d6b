"""Word error rate of ingest's recognizer under each decoding option it could change.

The recordings go through the real media stage once (the same 16 kHz audio ingest hands the
recognizer); each variant then changes one AsrOptions field from the default.

    python bench/asr_options.py [--model base]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.asr import corpus, wer  # noqa: E402
from ingest import asr, media, models  # noqa: E402
from ontherecord.progress import Silent  # noqa: E402

VARIANTS = {
    "default": {},
    "condition_on_previous_text=False": {"condition_on_previous_text": False},
    "vad=False": {"vad": False},
    "compute_type=float32": {"compute_type": "float32"},
}


def recognizer_audio(folder: Path) -> list[tuple[str, Path, str, float]]:
    """(set, 16 kHz WAV, reference, seconds) for every benchmark file, made as ingest makes it."""
    made = []
    for group, path, reference in corpus():
        info = media.probe(path)
        playable = media.make_playable(path, info, folder, Silent())
        wav = folder / f"{path.stem}.wav"
        seconds = media.extract_audio(folder / f"media.{playable.extension}", wav,
                                      info.duration, Silent())
        made.append((group, wav, reference, seconds))
    return made


def main() -> None:
    """Print a Markdown table: one row per variant, word-weighted WER per set."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=models.DEFAULT_MODEL)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        audio = recognizer_audio(Path(scratch))
        groups = list(dict.fromkeys(group for group, *_ in audio))
        print(f"Model `{args.model}`.\n\n| variant | " + " | ".join(groups) + " |")
        print("|---|" + "---|" * len(groups))
        for name, change in VARIANTS.items():
            options = dataclasses.replace(asr.AsrOptions(model=args.model), **change)
            errors = {g: [0.0, 0] for g in groups}
            for group, wav, reference, seconds in audio:
                text = " ".join(s.text for s in asr.transcribe(wav, options, seconds, Silent()))
                rate, words = wer(reference, text)
                errors[group][0] += rate * words
                errors[group][1] += words
            cells = " | ".join(f"{e / n:.1%}" for e, n in errors.values())
            print(f"| {name} | {cells} |", flush=True)


if __name__ == "__main__":
    main()
