"""Text normalization for word error rate: lower case, no punctuation, numbers in words."""

from __future__ import annotations

import re

ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
ABBREVIATIONS = {"mr": "mister", "mrs": "missus", "dr": "doctor", "st": "saint", "ok": "okay"}


def say_number(n: int) -> str:
    """An integer below a billion in words, as it would be read aloud."""
    if n < 20:
        return ONES[n]
    if n < 100:
        return TENS[n // 10] + ("" if n % 10 == 0 else " " + ONES[n % 10])
    for size, name in ((1_000_000, "million"), (1000, "thousand"), (100, "hundred")):
        if n >= size:
            head, rest = divmod(n, size)
            return f"{say_number(head)} {name}" + (f" {say_number(rest)}" if rest else "")
    raise ValueError(n)


def _number_words(match: re.Match) -> str:
    """Spell a matched number, with its currency, decimal part and percent sign."""
    dollar, whole, frac, percent = match.groups()
    words = say_number(int(whole.replace(",", "")))
    if frac:
        words += " point " + " ".join(ONES[int(d)] for d in frac)
    return words + (" percent" if percent else "") + (" dollars" if dollar else "")


def normalize(text: str) -> str:
    """Lower-case, numbers spelled out, punctuation dropped, whitespace folded."""
    text = text.lower().replace("-", " ")
    text = re.sub(r"(\$)?(\d[\d,]*)(?:\.(\d+))?(?:\s*(%))?", _number_words, text)
    text = re.sub(r"[^\w\s']", " ", text).replace("'", "")
    return " ".join(ABBREVIATIONS.get(w, w) for w in text.split())
