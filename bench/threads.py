"""What OpenMP's wait policy does to ingest when another process shares the two cores.

Transcription (Whisper base, int8, VAD, word timestamps) and diarization of the bundled
example (209 s) are
timed in a fresh process for each OMP_WAIT_POLICY, on an idle machine and with a
busy loop in a second process (as when the web server answers, or a second ingest runs). Models are
loaded before timing.

    python bench/threads.py [--json bench/results-threads.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "bargaining-session.ogg"

CHILD = """
import json, sys, time, tempfile
from pathlib import Path
from ingest import asr, diarize, media
from ontherecord.progress import Silent
with tempfile.TemporaryDirectory() as tmp:
    wav_path = Path(tmp) / "audio.wav"
    seconds = media.extract_audio(Path(sys.argv[1]), wav_path, None, Silent())
    wav = media.read_wav(wav_path)
    options = asr.AsrOptions(model="base")
    asr.load_model(options.model, options.compute_type, options.cpu_threads)
    diarize.diarize(wav[:16000 * 12], diarize.DiarizeOptions(), Silent())  # warm up
    t0 = time.perf_counter()
    asr.transcribe(wav_path, options, seconds, Silent())
    t1 = time.perf_counter()
    diarize.diarize(wav, diarize.DiarizeOptions(), Silent())
    t2 = time.perf_counter()
print(json.dumps({"transcription": t1 - t0, "diarization": t2 - t1}))
"""


def measure(policy: str, busy: bool) -> dict:
    """Seconds of each stage in a fresh process with this wait policy, with or without load."""
    env = {**os.environ, "OMP_WAIT_POLICY": policy, "PYTHONPATH": str(ROOT)}
    load = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if busy else None
    try:
        out = subprocess.run([sys.executable, "-c", CHILD, str(EXAMPLE)],
                             env=env, check=True, capture_output=True, text=True).stdout
    finally:
        if load:
            load.kill()
            load.wait()
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rows = []
    print("| wait policy | other process | transcription s | diarization s |")
    print("|---|---|---|---|")
    for busy in (False, True):
        for policy in ("ACTIVE", "PASSIVE"):
            t0 = time.perf_counter()
            took = measure(policy, busy)
            rows.append({"policy": policy, "busy": busy, **took,
                         "wall": time.perf_counter() - t0})
            print(f"| {policy.lower()} | {'a busy loop' if busy else 'none'} | "
                  f"{took['transcription']:.1f} | {took['diarization']:.1f} |", flush=True)
    if args.json:
        args.json.write_text(json.dumps({"rows": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
