"""Ingest's whole-process wall time beside bare faster-whisper's, on the same recordings.

Each side runs as a fresh process, so imports and model loads count, as they do for a user:
- ingest: `ontherecord ingest FILE` into a scratch archive (media copy, audio, Whisper,
  diarization, chapters, archive, index);
- bare: faster-whisper alone with the same model (Whisper base), int8, VAD and word
  timestamps, every segment read.

Recordings: the bundled example (209 s), and the example four times over (14 minutes).

    python bench/whole_process.py [--json bench/results-whole-process.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "bargaining-session.ogg"
OTR = Path(sys.executable).with_name("ontherecord")

BARE = """
import sys
from faster_whisper import WhisperModel
from ingest import models
model = WhisperModel(models.resolve("base"), device="cpu", compute_type="int8")
segments, _ = model.transcribe(sys.argv[1], vad_filter=True, word_timestamps=True)
print(sum(1 for _ in segments))
"""


def timed(command: list[str]) -> float:
    """Wall seconds of a command run to the end."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t0 = time.perf_counter()
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def repeated(times: int, folder: Path) -> Path:
    """The example joined to itself `times` times."""
    out = folder / f"example-x{times}.ogg"
    inputs = sum((["-i", str(EXAMPLE)] for _ in range(times)), [])
    streams = "".join(f"[{i}:a]" for i in range(times))
    subprocess.run(["ffmpeg", "-v", "error", *inputs, "-filter_complex",
                    f"{streams}concat=n={times}:v=0:a=1", str(out)], check=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rows = []
    print("| recording | ingest s | bare faster-whisper s | ratio |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in (("example (209 s)", EXAMPLE),
                           ("example ×4 (14 min)", repeated(4, Path(tmp)))):
            archive = Path(tmp) / f"archive-{len(rows)}"
            ingest = timed([str(OTR), "ingest", str(path), "--archive", str(archive),
                            "--title", "Bench", "--date", "2026-11-30", "--unit", "Bench",
                            "--quiet"])
            bare = timed([sys.executable, "-c", BARE, str(path)])
            rows.append({"recording": name, "ingest": ingest, "bare": bare})
            print(f"| {name} | {ingest:.1f} | {bare:.1f} | {ingest / bare:.2f}× |", flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
