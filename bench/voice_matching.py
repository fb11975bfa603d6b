"""Calibrate the voice registry's threshold (ontherecord.voices.THRESHOLD) on LibriSpeech readers.

    .venv/bin/python bench/voice_matching.py [--json out.json] [--no-phone]

A voiceprint of an utterance is what the diarizer gives a single speaker:
`diarize(wav, DiarizeOptions(speakers=1), Silent()).voiceprints["S1"]`. Same-person pairs:
every two utterances of one test-other reader (10 readers × 45 pairs); different-person
pairs: every two utterances of different readers, test-other and train-clean (351
utterances, about 61,000 pairs). For thresholds 0.50–0.95 it prints the share of same-person
pairs that match (cosine similarity at or above the threshold) and of different-person pairs
that wrongly do, and the lowest threshold with at most 1% false matches.

Phone: the test-other utterances again through the phone band (bench/conversations.py's
8 kHz, 300–3400 Hz, mu-law chain): a person heard once in the room and once calling in.
Voices: LibriSpeech (CC BY 4.0), ../shared/data/speakers.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.conversations import RATE, SPEAKERS, phone_band  # noqa: E402
from ingest.diarize import DiarizeOptions, diarize  # noqa: E402
from ontherecord.progress import Silent  # noqa: E402
from ontherecord.voices import THRESHOLD  # noqa: E402

THRESHOLDS = [round(0.5 + 0.05 * i, 2) for i in range(10)]
FALSE_MATCHES = 0.01  # the most different-person pairs that may match


def voiceprint(audio: np.ndarray) -> np.ndarray:
    """The diarizer's voiceprint of one speaker's audio, unit length."""
    prints = diarize(audio, DiarizeOptions(speakers=1), Silent()).voiceprints
    vector = np.array(prints["S1"] if "S1" in prints else next(iter(prints.values())))
    return vector / np.linalg.norm(vector)


def utterances() -> list[tuple[str, str, Path]]:
    """(reader, corpus, file) of every utterance: test-other first, then train-clean."""
    found = [(p.parent.name, "test-other", p)
             for p in sorted((SPEAKERS / "test-other").glob("*/*.flac"))]
    found += [(p.name.split("-")[0], "train-clean", p)
              for p in sorted((SPEAKERS / "train-clean").glob("*.flac"))]
    return found


def pairs(a: np.ndarray, b: np.ndarray, who_a: list[str], who_b: list[str],
          keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Similarities of same-person and of different-person pairs (where `keep`) of two sets."""
    sims = a @ b.T
    same = np.equal.outer(np.array(who_a), np.array(who_b))
    return sims[same & keep], sims[~same & keep]


def table(same: np.ndarray, different: np.ndarray, title: str) -> dict:
    """Matched shares at each threshold, and the lowest threshold with ≤1% false matches."""
    print(f"{title}: {len(same)} same-person pairs, {len(different)} different-person pairs")
    rows = {}
    for th in THRESHOLDS:
        rows[th] = {"same_matched": float((same >= th).mean()),
                    "different_matched": float((different >= th).mean())}
        mark = "  <- ontherecord.voices.THRESHOLD" if abs(th - THRESHOLD) < 1e-9 else ""
        print(f"  threshold {th:.2f}: same person matched {rows[th]['same_matched']:6.1%}, "
              f"different people matched {rows[th]['different_matched']:6.2%}{mark}")
    grid = np.round(np.arange(0.3, 1.0, 0.005), 3)
    safe = next((float(t) for t in grid if (different >= t).mean() <= FALSE_MATCHES), 1.0)
    at_safe = float((same >= safe).mean())
    print(f"  lowest threshold with <= {FALSE_MATCHES:.0%} false matches: {safe:.3f} "
          f"(same person matched {at_safe:.1%})")
    return {"same_pairs": len(same), "different_pairs": len(different),
            "table": {f"{k:.2f}": v for k, v in rows.items()},
            "threshold_1pct": safe, "same_matched_at_1pct": at_safe,
            "same_quantiles": np.quantile(same, [0.05, 0.5, 0.95]).round(3).tolist(),
            "different_quantiles": np.quantile(different, [0.5, 0.99, 0.999]).round(3).tolist()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path)
    parser.add_argument("--no-phone", action="store_true", help="skip the phone-band pairs")
    args = parser.parse_args()
    from faster_whisper.audio import decode_audio

    found = utterances()
    who = [reader for reader, _, _ in found]
    audio = [decode_audio(str(path), sampling_rate=RATE) for _, _, path in found]
    prints = np.stack([voiceprint(a) for a in audio])
    print(f"{len(found)} utterances of {len(set(who))} readers, "
          f"{sum(len(a) for a in audio) / RATE / 60:.0f} minutes")
    n = len(found)
    every_two = np.triu(np.ones((n, n), dtype=bool), k=1)
    results = {"threshold": THRESHOLD,
               "room": table(*pairs(prints, prints, who, who, every_two), "same channel")}
    if not args.no_phone:
        other = [i for i, (_, corpus, _) in enumerate(found) if corpus == "test-other"]
        phone = np.stack([voiceprint(phone_band(audio[i])) for i in other])
        # two different utterances, one heard in the room, the other by phone
        keep = np.not_equal.outer(np.arange(n), np.array(other))
        results["phone"] = table(*pairs(prints, phone, who, [who[i] for i in other], keep),
                                 "room against phone band")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
