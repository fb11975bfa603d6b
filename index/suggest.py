"""Did you mean: a misspelled word or name in a query, put right from the archive's own words."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein
from rapidfuzz.utils import default_process

from index.analysis import words
from index.query import OPERATORS

# A field:value, a "quoted phrase", or a bare word, in the order the query has them.
PART = re.compile(r'(?P<field>\w+):(?P<value>"[^"]*"|[^\s()"]+)|"(?P<phrase>[^"]*)"'
                  r'|(?P<word>[^\s()"]+)')
# How close a name must be to count as the one meant (rapidfuzz's 0–100 similarity).
NAME_SIMILARITY = 70
# Words shorter than this are left alone: too many real words lie one letter away.
MIN_LENGTH = 3


class Speller:
    """Puts query words right from a vocabulary (word → how many documents hold it) and names."""

    def __init__(self, vocabulary: dict[str, int], names: Iterable[str]) -> None:
        self.vocabulary = vocabulary
        self.choices = list(vocabulary)
        self.names = sorted(set(names))

    def word(self, word: str) -> str:
        """The word as the archive spells it: itself if known, else the likeliest near one."""
        if word in self.vocabulary or len(word) < MIN_LENGTH or not word.isalpha():
            return word
        limit = 1 if len(word) <= 4 else 2
        near = process.extract(word, self.choices, scorer=Levenshtein.distance,
                               score_cutoff=limit, limit=25)
        if not near:
            return word
        # The fewest edits first; among those, the word the archive uses most.
        best = min(near, key=lambda m: (m[1], -self.vocabulary[m[0]], m[0]))
        return best[0]

    def name(self, name: str) -> str:
        """A speaker's name as the archive has it: itself if a name holds it, else the nearest."""
        wanted = " ".join(words(name))
        if not wanted or any(f" {wanted} " in f" {' '.join(words(n))} " for n in self.names):
            return name
        best = process.extractOne(name, self.names, scorer=fuzz.WRatio,
                                  processor=default_process, score_cutoff=NAME_SIMILARITY)
        return best[0] if best else name

    def phrase(self, text: str) -> str:
        """Every word of a phrase or bare word put right, or the text itself if all are known."""
        said = words(text)
        fixed = [self.word(w) for w in said]
        return " ".join(fixed) if fixed != said else text

    def query(self, text: str) -> str | None:
        """The query with its misspellings put right, or None if nothing needed it."""
        out, changed, position = [], False, 0
        for m in PART.finditer(text):
            out.append(text[position:m.start()])
            position = m.end()
            part = m.group()
            if m.group("field") == "speaker":
                value = m.group("value").strip('"')
                name = self.name(value)
                part = f'speaker:"{name}"' if name != value else part
            elif m.group("phrase") is not None:
                part = f'"{self.phrase(m.group("phrase"))}"'
            elif m.group("word") and m.group("word") not in OPERATORS \
                    and not re.search(r"[*?]", part):
                part = self.phrase(part)
            changed = changed or part != m.group()
            out.append(part)
        out.append(text[position:])
        return "".join(out) if changed else None
