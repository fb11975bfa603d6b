"""Word error rate and real-time factor of `ontherecord ingest`, next to bare faster-whisper.

For each file (the bundled example, and ../shared/data/wer-dev when present) in one run:
- ingest: the whole pipeline (media copy, audio extraction, transcription, archive, index)
  into a scratch archive, timed end to end;
- bare: faster-whisper's WhisperModel(model).transcribe(file) with its default settings,
  on the same model files, timed over decoding the whole generator.
Models are loaded before timing starts, for both. RTF = processing seconds / audio seconds.

    python bench/asr.py [--model base] [--out bench/results-asr-base.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import jiwer
from faster_whisper import WhisperModel

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.textnorm import normalize  # noqa: E402
from ingest import asr, media, models  # noqa: E402
from ontherecord import service  # noqa: E402
from ontherecord.archive import Archive  # noqa: E402
from ontherecord.details import Details  # noqa: E402

WER_DEV = ROOT.parent / "shared" / "data" / "wer-dev"


def corpus() -> list[tuple[str, Path, str]]:
    """(set name, recording, reference text) for every file to measure."""
    example = json.loads((ROOT / "examples" / "bargaining-session.json").read_text())
    items = [("example", ROOT / "examples" / "bargaining-session.ogg",
              " ".join(u["text"] for u in example["utterances"]))]
    if WER_DEV.is_dir():
        for ref in sorted(WER_DEV.glob("*.txt")):
            audio = next(p for p in WER_DEV.glob(ref.stem + ".*") if p.suffix != ".txt")
            items.append(("wer-dev", audio, ref.read_text()))
    return items


def duration_of(path: Path) -> float:
    """Audio length in seconds, as ffmpeg reports it."""
    return media.probe(path).duration or 0.0


def run_ingest(path: Path, model: str, scratch: Path) -> tuple[str, float]:
    """Ingest into a fresh archive; the transcript text and the seconds it took."""
    archive = Archive(scratch / path.stem)
    began = time.perf_counter()
    result = service.ingest(archive, path, Details(path.stem, "2026-01-01", "bench"),
                            asr_options=asr.AsrOptions(model=model))
    took = time.perf_counter() - began
    text = " ".join(s.text for s in archive.transcript(result.session.id).segments)
    return text, took


def run_bare(path: Path, model: WhisperModel) -> tuple[str, float]:
    """faster-whisper with its defaults; the text and the seconds it took."""
    began = time.perf_counter()
    segments, _ = model.transcribe(str(path))
    text = " ".join(s.text for s in segments)
    return text, time.perf_counter() - began


def wer(reference: str, hypothesis: str) -> tuple[float, int]:
    """Word error rate after normalizing both sides, and the reference word count."""
    ref, hyp = normalize(reference), normalize(hypothesis)
    return jiwer.wer(ref, hyp), len(ref.split())


def main() -> None:
    """Measure every file and print a Markdown table; write raw figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=models.DEFAULT_MODEL)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    asr.load_model(args.model, asr.AsrOptions().compute_type, 0)
    bare_model = WhisperModel(models.resolve(args.model))
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for group, path, reference in corpus():
            seconds = duration_of(path)
            row = {"set": group, "file": path.name, "audio_s": round(seconds, 2)}
            for name, (text, took) in (("ingest", run_ingest(path, args.model, Path(scratch))),
                                       ("bare", run_bare(path, bare_model))):
                error, words = wer(reference, text)
                row |= {f"{name}_wer": error, f"{name}_s": round(took, 2), "words": words}
            rows.append(row)
            print(json.dumps(row), file=sys.stderr)
    if args.out:
        args.out.write_text(json.dumps(rows, indent=1) + "\n")
    print(table(rows, args.model))


def table(rows: list[dict], model: str) -> str:
    """Per-set totals: word-weighted WER and RTF over all audio, ingest next to bare."""
    lines = [f"Model `{model}`, CPU, 2 cores.", "",
             "| set | files | audio s | ingest WER | bare WER | ingest RTF | bare RTF |",
             "|---|---|---|---|---|---|---|"]
    for group in dict.fromkeys(r["set"] for r in rows):
        rs = [r for r in rows if r["set"] == group]
        audio = sum(r["audio_s"] for r in rs)
        words = sum(r["words"] for r in rs)

        def pooled(key: str, rs=rs, words=words) -> float:
            return sum(r[key] * r["words"] for r in rs) / words

        lines.append(
            f"| {group} | {len(rs)} | {audio:.1f} | {pooled('ingest_wer'):.1%} | "
            f"{pooled('bare_wer'):.1%} | {sum(r['ingest_s'] for r in rs) / audio:.3f} | "
            f"{sum(r['bare_s'] for r in rs) / audio:.3f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
