"""What diarization adds to ingest time: the stage's seconds inside real `ingest` runs.

Each recording is ingested whole (media copy, audio, Whisper, diarization, archive, index)
into a scratch archive, with a progress recorder that notes when every stage starts and ends.
Extra cost = diarization seconds / (ingest seconds - diarization seconds): how much longer
ingest takes than it would without the stage. Models are loaded before timing starts.

Recordings: the bundled example and follow-up; ../shared/data/ami-dev joined into one 6-minute
meeting (real speech, so Whisper's time is realistic); the example repeated to 31 minutes
(so the cost of clustering long sessions shows).

    python bench/diarization_cost.py [--model base] [--json bench/results-diarization-cost.json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest import asr, media, segmentation, speaker_embedding  # noqa: E402
from ontherecord import service  # noqa: E402
from ontherecord.archive import Archive  # noqa: E402
from ontherecord.details import Details  # noqa: E402

AMI = ROOT.parent / "shared" / "data" / "ami-dev"
STAGE = "finding speakers"


class StageClock:
    """A Progress that records how long each stage took."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._stage, self._t0 = "", 0.0

    def start(self, stage: str, total: float) -> None:
        self._stage, self._t0 = stage, time.perf_counter()

    def advance(self, position: float) -> None:
        pass

    def finish(self) -> None:
        elapsed = time.perf_counter() - self._t0
        self.seconds[self._stage] = self.seconds.get(self._stage, 0.0) + elapsed


def joined(parts: list[Path], out: Path) -> Path:
    """The recordings played one after another, as one FLAC file."""
    listing = out.with_suffix(".txt")
    listing.write_text("".join(f"file '{p}'\n" for p in parts))
    subprocess.run([media.ffmpeg_binary(), "-loglevel", "error", "-y", "-f", "concat", "-safe",
                    "0", "-i", str(listing), "-ac", "1", "-ar", "16000", str(out)], check=True)
    return out


def recordings(scratch: Path) -> list[tuple[str, Path]]:
    """(name, path) of everything to measure."""
    example = ROOT / "examples" / "bargaining-session.ogg"
    items = [("example (3.5 min)", example),
             ("follow-up (41 s)", ROOT / "examples" / "followup-session.ogg")]
    if AMI.is_dir():
        items.append(("ami-dev joined (6 min)",
                      joined(sorted(AMI.glob("*.wav")), scratch / "ami.flac")))
    items.append(("example x9 (31 min)", joined([example] * 9, scratch / "long.flac")))
    return items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="base")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    options = asr.AsrOptions(model=args.model)
    asr.load_model(options.model, options.compute_type, options.cpu_threads)
    segmentation.load_model()
    speaker_embedding.load_model()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        for name, path in recordings(scratch):
            archive = Archive(scratch / f"archive-{len(rows)}")
            clock = StageClock()
            t0 = time.perf_counter()
            result = service.ingest(archive, path, Details(name, "2026-01-01", "Bench"),
                                    asr_options=options, progress=clock)
            total = time.perf_counter() - t0
            diar = clock.seconds.get(STAGE, 0.0)
            audio = result.session.duration
            row = {"recording": name, "audio_s": round(audio, 1), "ingest_s": round(total, 2),
                   "diarization_s": round(diar, 2),
                   "whisper_s": round(clock.seconds.get("transcribing", 0.0), 2),
                   "extra_cost": round(diar / (total - diar), 4),
                   "speakers": len(archive.transcript(result.session.id).speakers)}
            rows.append(row)
            print(f"{name:24} audio {audio:7.1f} s  ingest {total:7.1f} s  "
                  f"diarization {diar:6.1f} s  (+{row['extra_cost']:.1%})  "
                  f"speakers {row['speakers']}")
    if args.json:
        args.json.write_text(json.dumps({"model": args.model, "rows": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
