"""Names heard in a transcript for its voices: self-introductions and roll-call answers.

Diarization finds voices (S1, S2…) but not who they are; people at the table usually say so
("I'm Mark Ellison, chief negotiator for the district", "Rosa Delgado, ESP chapter chair.") and
at roll call each answers to a name the chair reads. These are suggestions for staff, who name
the speakers: a wrong name offered costs them a moment, a wrong name accepted costs the public
record, so every rule here errs towards saying nothing. A name said by one voice about another
("Thank you, Mark") must not become that voice's name, hence the narrow cues.

Text is Whisper's: capitalization and punctuation are usually there but not always, and names
may be misspelled. A roster of who was at the table, when staff give one, puts names right and
lets lower-case names and one-word names through.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from rapidfuzz.distance import Levenshtein

from ontherecord.model import Segment

INTRODUCTION = "introduction"
ROLL_CALL = "roll call"
# How much a kind of evidence counts: a person saying their own name beats answering to one.
RANK = {INTRODUCTION: 2, ROLL_CALL: 1}

# A roll-call answer must follow the name within this many seconds of the call's end.
ANSWER_WITHIN = 10.0
# The next sentence of the same voice still speaks for the introduction if it follows this soon.
NEXT_WITHIN = 3.0
# Edits a heard full name may be from a roster name (Whisper's "Mark Elison").
NAME_EDITS = 2
# A name-first label ("Rosa Delgado, ESP chapter chair") is short; a longer tail is a sentence
# about the person, not one by them.
LABEL_WORDS = 10
HERE_WORDS = 6  # "Grace Holloway here for the teachers' chapter"
ROLE_WORDS_MAX = 5
MAX_NAME_TOKENS = 3


class Member(Protocol):
    """Someone staff listed as at the table (read-only, so any record with these fits)."""

    @property
    def name(self) -> str:
        """Their full name, as the archive shows it."""

    @property
    def side(self) -> str | None:
        """One of ontherecord.model.SIDES, if staff gave it."""

    @property
    def role(self) -> str | None:
        """Their role at the table, if staff gave it."""


@dataclass
class Introduction:
    """A name heard for a voice, with the sentence that says so."""

    speaker: str  # the speaker id of the line (S1…)
    name: str  # as it should be shown ("Mark Ellison")
    side: str | None  # one of ontherecord.model.SIDES, or None
    role: str | None  # e.g. "Chief negotiator", or None
    start: float  # seconds: where the evidence is said (a seek position)
    evidence: str  # the sentence(s) that say it, as said
    how: str  # INTRODUCTION or ROLL_CALL


# --- the words of a name --------------------------------------------------------------------

# A sentence ends at . ? ! before a space or the end; "Dr." and an initial ("J.") end none.
SENTENCE_END = re.compile(r"[.?!]+(?=\s|$)")
ABBREVIATION = re.compile(r"(?:^|\s)(?:Dr|Mr|Mrs|Ms|St|[A-Z])\.$")
# One word of a name candidate and the spaces before it (a comma or period ends the name).
TOKEN = re.compile(r"[ \t]*([A-Za-z][A-Za-z'’-]*)(\.?)")
# A word as a name: capitalized ("McKenna", "O'Neil", "Mary-Kate") or an initial ("J."), not
# an acronym ("ESP").
NAME_WORD = re.compile(r"[A-Z](?:[a-z][A-Za-z]*|['’][A-Z][a-z]+)(?:-[A-Z][a-z]+)?|[A-Z]\.")
POSSESSIVE = re.compile(r"['’]s$", re.I)
# Words Whisper capitalizes that are never a name: a sentence's first word, days, months,
# the bargaining's own proper nouns, titles and the words that follow "I'm" or "This is".
NOT_NAMES = frozenset("""
    a all also am an and are article as at back but by chapter chief contract day district
    does done education everybody everyone excited federation fine folks for from glad going
    good happy have he hello here hey hi honored how i if in is it item just local looking
    mediation minnesota my negotiator negotiators no not now of ok okay on our page please
    pleased present proposal public ready really right section services session she so sorry
    still sure thank thanks that the their then there they this to today tonight trying uh
    um union us very was we well what when where which who why will with yeah yes you your
    monday tuesday wednesday thursday friday saturday sunday january february march april may
    june july august september october november december spring summer fall winter
    superintendent director chair chairperson commissioner member board president vice
    mediator principal doctor mister teacher teachers school schools bureau association team
    afraid curious wondering concerned hoping thinking sorry speaker next
    elementary middle high academy center hall room building plan policy fund act
""".split())
# Titles before a name: hints of the role (and sometimes the side), never part of the name.
# Longest first, so "Board Member" is not read as a name after "Board".
TITLES: dict[tuple[str, ...], tuple[str | None, str | None]] = {
    ("board", "member"): ("Board member", "board"),
    ("board", "chair"): ("Board chair", "board"),
    ("vice", "chair"): ("Vice chair", None),
    ("vice", "president"): ("Vice president", None),
    ("superintendent",): ("Superintendent", "district"),
    ("director",): ("Director", None),
    ("chair",): ("Chair", None),
    ("chairperson",): ("Chair", None),
    ("commissioner",): ("Commissioner", None),
    ("president",): ("President", None),
    ("mediator",): ("Mediator", "mediator"),
    ("dr",): (None, None),
    ("doctor",): (None, None),
    ("mr",): (None, None),
    ("mrs",): (None, None),
    ("ms",): (None, None),
    ("miss",): (None, None),
}
TITLE_LENGTHS = sorted({len(t) for t in TITLES}, reverse=True)


@dataclass
class _Heard:
    """A name read at a place in a sentence, with what its title hints."""

    name: str
    end: int  # where the name (and its title) ends in the sentence
    tokens: int  # how many words the name has
    title_role: str | None
    title_side: str | None
    member: Member | None  # the roster's person, if the name is theirs
    titled: bool


def _tokens(text: str, pos: int, limit: int = 8) -> list[tuple[str, int]]:
    """(word, end) for the words from `pos` joined only by spaces, at most `limit` of them."""
    found: list[tuple[str, int]] = []
    while len(found) < limit:
        m = TOKEN.match(text, pos)
        if not m:
            break
        word, dot = m.group(1), m.group(2)
        if dot and not (word.casefold() in ("dr", "mr", "mrs", "ms") or len(word) == 1):
            found.append((word, m.end(1)))  # a period after a name ends the sentence
            break
        found.append((word + dot, m.end()))  # "Dr." and "J." keep theirs
        pos = m.end()
    return found


def _is_name_word(word: str) -> bool:
    """Whether a word can be part of a shown name (a capitalized word that is not a stop word)."""
    return bool(NAME_WORD.fullmatch(word)) and word.casefold() not in NOT_NAMES


def _title(words: list[tuple[str, int]]) -> tuple[int, str | None, str | None]:
    """How many leading words are a title, and the role and side it hints."""
    for length in TITLE_LENGTHS:
        key = tuple(w.casefold().rstrip(".") for w, _ in words[:length])
        if len(key) == length and key in TITLES:
            return length, *TITLES[key]
    return 0, None, None


def _heard(text: str, pos: int, roster: Sequence[Member]) -> _Heard | None:
    """The name said at `pos` (after an optional title), or None if what follows is no name."""
    words = _tokens(text, pos)
    skip, role, side = _title(words)
    rest = words[skip:]
    count = 0
    while count < len(rest) and _is_name_word(rest[count][0]):
        count += 1
    if count > MAX_NAME_TOKENS:
        return None  # a run of capitals is the title of something, not a name
    if count < len(rest) and _is_name_word(POSSESSIVE.sub("", rest[count][0])):
        return None  # "This is Mark Ellison's proposal" is about Mark, not by him
    if count < len(rest) and NAME_WORD.fullmatch(rest[count][0]):
        return None  # capitals running on into a word no name has: "Lyndale Elementary"
    if count:
        name = " ".join(w for w, _ in rest[:count])
        return _Heard(name, rest[count - 1][1], count, role, side, _member(name, roster),
                      bool(skip))
    # Whisper may write a name in lower case; only the roster can tell it from other words.
    for length in range(min(MAX_NAME_TOKENS, len(rest)), 0, -1):
        span = rest[:length]
        if any(w.casefold() in NOT_NAMES or POSSESSIVE.search(w) for w, _ in span):
            continue
        name = " ".join(w for w, _ in span)
        member = _member(name, roster)
        if member:
            return _Heard(name, span[-1][1], length, role, side, member, bool(skip))
    return None


def _member(name: str, roster: Sequence[Member]) -> Member | None:
    """The roster's person a heard name means: a near full name, or a unique first/last name."""
    parts = [p for p in name.casefold().split() if not p.endswith(".")]  # initials aside
    heard = " ".join(parts)
    if not parts:
        return None
    if len(parts) == 1:
        matches = [m for m in roster if any(_near_word(parts[0], p)
                                            for p in _first_last(m.name))]
        return matches[0] if len(matches) == 1 else None
    scored = sorted((Levenshtein.distance(heard, m.name.casefold()), i)
                    for i, m in enumerate(roster))
    if not scored or scored[0][0] > min(NAME_EDITS, len(heard) // 4):
        return None  # two edits turn "Ed Li" into "Al Li": short names must be nearer
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None  # two people equally near: not ours to pick
    return roster[scored[0][1]]


def _first_last(name: str) -> set[str]:
    """A full name's first and last words, case-folded."""
    parts = name.casefold().split()
    return {parts[0], parts[-1]} if parts else set()


def _near_word(heard: str, word: str) -> bool:
    """Whether one heard word is a roster word: the same, or one edit off a long one."""
    return heard == word or (len(word) >= 5 and Levenshtein.distance(heard, word) <= 1)


# --- side and role ----------------------------------------------------------------------------

# What each side is called at the table. A board comes before district ("school board"), and
# "public schools" is the district's name, not the public.
SIDE_WORDS = {
    "mediator": r"mediators?|mediation|bms",
    "board": r"school\s+board|board\s+(?:members?|chair\w*|directors?|of\s+education)"
             r"|(?:on|for|with)\s+the\s+board",
    "union": r"unions?|federation|association|mft|education\s+minnesota|local\s+\d+|esp"
             r"|teachers['’]?\s+chapter|chapter|stewards?",
    "district": r"district|administration|superintendent|hr|human\s+resources"
                r"|public\s+schools",
    "public": r"public\s+comment|parents?|residents?|community\s+members?|taxpayers?",
}
SIDE = re.compile("|".join(rf"\b(?P<{side}>{words})\b" for side, words in SIDE_WORDS.items()),
                  re.I)
# A side named as one's own ("for the district", "with the federation", "of Local 59") outranks
# one merely mentioned ("I teach in the district").
AFFILIATION = re.compile(r"(?:\b(?:with|for|from|representing|represent|of|on)\s+"
                         r"(?:the\s+|our\s+)?|\bI(?:['’]?m|\s+am)\s+(?:an?|the)\s+)"
                         r"(?:[\w'’]+\s+){0,2}$", re.I)
OWN_TEAM = re.compile(r"['’]s\s+(?:\w+\s+)?(?:team|side)\b", re.I)
# A sentence that speaks for its speaker: only such a next sentence adds a side or role.
FIRST_PERSON = re.compile(r"^\W*(?:and\s+|so\s+)?(?:I\b|I['’]m\b|my\b|we\b|we['’]re\b|our\b)",
                          re.I)
ROLE_NOUNS = frozenset("""
    administrator analyst assistant attorney chair chairperson chairman chairwoman coordinator
    commissioner consultant counsel counselor director lawyer liaison librarian manager mediator
    member negotiator nurse officer organizer paraprofessional president principal rep
    representative secretary specialist staff steward superintendent teacher treasurer trustee
""".split())
# What may come between a name and its role: ", and I'm the", "I serve as a"…
ROLE_LEAD = re.compile(r"[\s,;:–—-]*(?:and\s+)?(?:(?:I['’]?m|I\s+am|I\s+serve\s+as|I\s+work\s+as"
                       r"|serving\s+as|as)\s+)?(?:(?:one\s+of\s+(?:the|your|our)|the|a|an|your"
                       r"|our)\s+)?", re.I)
ROLE_WORD = re.compile(r"[ \t]*([A-Za-z0-9][A-Za-z0-9'’-]*)")
# Words that end a role phrase: what follows says where or whom ("for the district").
ROLE_BREAK = frozenset("""
    for with from at in on representing and here to who that i i'm we but so since
""".split())
# "of" ends a role before whose it is ("of the federation"), not before what ("of human
# resources").
OF_WHOM = re.compile(r"\s+(?:the|our|this)\b", re.I)
TEACH = re.compile(r"\bI\s+teach\b", re.I)
# Words of a clause, not a label: a tail with one is a sentence about the person.
CLAUSE_WORDS = frozenset("""
    is was were are be been said says say will would could can should has have had did does
    do asked asks presented proposed mentioned noted thank thanks made make wants want think
    thinks know told went going he she they you i'll we'll just
""".split())


def _side_of(text: str, owned_only: bool = False) -> str | None:
    """The side a sentence names as the speaker's, or None if none or two.

    A side merely mentioned counts only when `owned_only` is false and nothing is owned.
    """
    owned: set[str] = set()
    mentioned: set[str] = set()
    for m in SIDE.finditer(text):
        side = m.lastgroup or ""
        if text.startswith(("'s", "’s"), m.end()):
            if OWN_TEAM.match(text, m.end()):
                owned.add(side)  # "the district's team"; "the union's proposal" says nothing
        elif AFFILIATION.search(text[:m.start()]):
            owned.add(side)
        else:
            mentioned.add(side)
    for sides in (owned, set() if owned_only else mentioned):
        if sides:
            return sides.pop() if len(sides) == 1 else None
    return None


def _role_of(text: str) -> str | None:
    """The role a name's tail gives: the short noun phrase after it, capitalized."""
    if TEACH.search(text):
        return "Teacher"
    pos = _skip(ROLE_LEAD, text)
    words: list[str] = []
    while len(words) <= ROLE_WORDS_MAX:
        m = ROLE_WORD.match(text, pos)
        if not m:
            break
        word = m.group(1)
        low = word.casefold()
        if low in ROLE_BREAK or (low == "of" and OF_WHOM.match(text, m.end())):
            break  # "vice president of the federation": the federation is the side
        if low in CLAUSE_WORDS:
            return None
        words.append(word)
        pos = m.end()
    if not words or len(words) > ROLE_WORDS_MAX \
            or not any(w.casefold().rstrip("s") in ROLE_NOUNS for w in words):
        return None
    role = " ".join(words)
    return role[0].upper() + role[1:]


# --- where names are said ---------------------------------------------------------------------

# "I'm …", "I am …", "My name is …": the speaker's own name follows.
SELF_CUE = re.compile(r"\b(?:I['’]?m|I\s+am|my\s+name(?:['’]s|\s+is))\s+", re.I)
# "This is …": often a self-introduction, but also an introduction of a neighbour.
THIS_CUE = re.compile(r"\bthis\s+is\s+", re.I)
# Greetings and fillers before a name-first label ("Good evening, Superintendent Ed Graff here").
PREFIX = re.compile(r"(?:(?:good\s+(?:morning|afternoon|evening)|all\s+right|alright|hi|hello"
                    r"|hey|um+|uh+|so|okay|ok|yes|yeah|well|and|again|next|everyone|everybody|all"
                    r"|folks)\b[\s,.!:;-]*)*", re.I)
# What follows a name in a name-first label.
HERE_TAIL = re.compile(r"[\s,]*here\b(?P<rest>.*)", re.I | re.S)
COMMA_TAIL = re.compile(r"\s*,\s*(?P<rest>.+)", re.S)
WITH_TAIL = re.compile(r"\s+(?P<rest>(?:with|from|representing|for)\b.+)", re.I | re.S)
# A roll-call answer, the whole of its sentence: "Here.", "Present.", "Yes, here.", "Aye."
ANSWER = re.compile(r"\W*(?:(?:here|present|yes|yeah|yep|aye|i['’]?m\s+here|i\s+am\s+here"
                    r"|um+|uh+)\b[\s,.!]*)+", re.I)
ANSWER_WORD = re.compile(r"\b(?:here|present|yes|yeah|yep|aye)\b", re.I)
CALL_END = re.compile(r"[\s,.?!:;]*")
WORDS = re.compile(r"[\w'’]+")


@dataclass
class _Sentence:
    """One sentence of a line, where it is said and by whom."""

    text: str
    start: float
    speaker: str | None
    line: int  # index of its segment
    line_end: float


def _skip(pattern: re.Pattern[str], text: str) -> int:
    """Where a pattern that may match nothing (greetings, lead-in words) ends at text's start."""
    m = pattern.match(text)
    return m.end() if m else 0


def _split(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) for each sentence of a line; a line without punctuation is one."""
    found: list[tuple[int, str]] = []
    begin = 0
    for m in SENTENCE_END.finditer(text):
        if ABBREVIATION.search(text[begin:m.end()]):
            continue
        _add(found, text, begin, m.end())
        begin = m.end()
    _add(found, text, begin, len(text))
    return found


def _add(found: list[tuple[int, str]], text: str, begin: int, end: int) -> None:
    """Add text[begin:end] to the sentences, without its surrounding spaces, unless empty."""
    piece = text[begin:end]
    if piece.strip():
        found.append((begin + len(piece) - len(piece.lstrip()), piece.strip()))


def _sentences(segments: list[Segment]) -> list[_Sentence]:
    """Every sentence of the transcript in order, each with the time it is said."""
    out = []
    for i, segment in enumerate(segments):
        for offset, text in _split(segment.text):
            out.append(_Sentence(text, _time_at(segment, offset), segment.speaker, i,
                                 segment.end))
    return out


def _time_at(segment: Segment, offset: int) -> float:
    """When the word at a character offset of a line is said, when word times allow."""
    said = segment.text.split()
    if offset and segment.words and len(segment.words) == len(said):
        return segment.words[len(segment.text[:offset].split())].start
    return segment.start


def _label(sentence: str, roster: Sequence[Member]) -> tuple[_Heard, str] | None:
    """A name-first label ("Rosa Delgado, ESP chapter chair."): the name and the tail after it."""
    heard = _heard(sentence, _skip(PREFIX, sentence), roster)
    if not heard or not (heard.tokens >= 2 or heard.titled or heard.member):
        return None  # "Mark, go ahead": one bare word is someone being spoken to
    tail = sentence[heard.end:]
    here = HERE_TAIL.match(tail)
    if here and _short(here.group("rest"), HERE_WORDS):
        return heard, tail
    m = COMMA_TAIL.match(tail) or WITH_TAIL.match(tail)
    if not m or not _short(m.group("rest"), LABEL_WORDS):
        return None
    rest = m.group("rest")
    if m.re is WITH_TAIL and not SIDE.search(rest):
        return None
    if not (SIDE.search(rest) or _role_of(rest)):
        return None  # "Grace Holloway, thank you": nothing says who she is
    return heard, tail


def _short(text: str, limit: int) -> bool:
    """Whether a tail is a short label: few words and no clause in it."""
    words = WORDS.findall(text.casefold())
    return len(words) <= limit and not CLAUSE_WORDS.intersection(words)


def _cued(sentence: str, fresh: bool,
          roster: Sequence[Member]) -> tuple[_Heard, str] | None:
    """A name the sentence's speaker gives as their own, and the words after it."""
    for m in SELF_CUE.finditer(sentence):
        heard = _heard(sentence, m.end(), roster)
        if heard:
            return heard, sentence[heard.end:]
    if not fresh:  # an earlier sentence of the line gave its name
        return None  # "I'm Mark. This is Rosa, our HR director": Rosa is someone else
    for m in THIS_CUE.finditer(sentence):
        heard = _heard(sentence, m.end(), roster)
        if heard and (heard.tokens >= 2 or heard.titled or heard.member):
            return heard, sentence[heard.end:]
    return _label(sentence, roster)


def _introductions(sentences: list[_Sentence], roster: Sequence[Member]) -> list[Introduction]:
    """Every self-introduction in the transcript."""
    found = []
    named_lines: set[int] = set()
    for i, sentence in enumerate(sentences):
        if sentence.speaker is None:
            continue
        cued = _cued(sentence.text, sentence.line not in named_lines, roster)
        if not cued:
            continue
        named_lines.add(sentence.line)
        heard, tail = cued
        after = sentences[i + 1] if i + 1 < len(sentences) else None
        if after and not (after.speaker == sentence.speaker and FIRST_PERSON.match(after.text)
                          and (after.line == sentence.line
                               or after.start - sentence.line_end <= NEXT_WITHIN)):
            after = None
        found.append(_introduction(sentence, heard, tail, after))
    return found


def _introduction(sentence: _Sentence, heard: _Heard, tail: str,
                  after: _Sentence | None) -> Introduction:
    """The suggestion a self-introduction makes, its side and role from it or the next sentence."""
    # A side only mentioned counts in a label, not in a clause ("and I want to ask the union").
    side = heard.title_side or _side_of(tail, owned_only=not _short(tail, LABEL_WORDS))
    role = _role_of(tail) or heard.title_role
    evidence = sentence.text
    if after and (side is None or role is None):
        more_side = side or _side_of(after.text, owned_only=True)
        more_role = role or _role_of(after.text)
        if (more_side, more_role) != (side, role):
            side, role, evidence = more_side, more_role, f"{evidence} {after.text}"
    return _suggestion(sentence.speaker or "", heard, side, role, sentence.start, evidence,
                       INTRODUCTION)


def _suggestion(speaker: str, heard: _Heard, side: str | None, role: str | None, start: float,
                evidence: str, how: str) -> Introduction:
    """A suggestion, the roster's name, side and role winning over what was guessed."""
    member = heard.member
    if member:
        return Introduction(speaker, member.name, member.side or side, member.role or role,
                            start, evidence, how)
    return Introduction(speaker, heard.name, side, role, start, evidence, how)


def _roll_call(sentences: list[_Sentence], roster: Sequence[Member]) -> list[Introduction]:
    """Every answer to a name the previous voice called: "Mark Ellison?" — "Here."."""
    found = []
    for call, answer in zip(sentences, sentences[1:], strict=False):
        if answer.speaker is None or answer.line == call.line or answer.speaker == call.speaker:
            continue
        if answer.start - call.line_end > ANSWER_WITHIN:
            continue
        if not (ANSWER.fullmatch(answer.text) and ANSWER_WORD.search(answer.text)):
            continue
        heard = _heard(call.text, _skip(PREFIX, call.text), roster)
        if not heard or not CALL_END.fullmatch(call.text[heard.end:]):
            continue  # the call is only a name: a sentence about someone is no roll call
        if not (heard.tokens >= 2 or heard.titled or heard.member):
            continue  # "Mark?" — "Yes.": a question to Mark, not a roll call
        found.append(_suggestion(answer.speaker, heard, heard.title_side, heard.title_role,
                                 call.start, f"{call.text} — {answer.text}", ROLL_CALL))
    return found


# --- one suggestion per name --------------------------------------------------------------------


def _same_person(a: str, b: str) -> bool:
    """Whether two names heard for one voice are one person: equal, near, or one a part."""
    x, y = a.casefold().split(), b.casefold().split()
    if x == y:
        return True
    if len(x) == 1 or len(y) == 1:
        short, full = (x, y) if len(x) == 1 else (y, x)
        return short[0] in (full[0], full[-1])
    return Levenshtein.distance(" ".join(x), " ".join(y)) <= NAME_EDITS


def _strongest(found: list[Introduction]) -> list[Introduction]:
    """One suggestion per voice and person, strongest first within each voice."""
    first: dict[str, float] = {}  # when each voice is first named, to list voices in order
    for intro in found:
        first[intro.speaker] = min(intro.start, first.get(intro.speaker, intro.start))
    kept: dict[str, list[list[Introduction]]] = {}
    for intro in sorted(found, key=lambda f: (-RANK[f.how], f.start)):
        people = kept.setdefault(intro.speaker, [])
        same = next((p for p in people if _same_person(p[0].name, intro.name)), None)
        if same:
            same.append(intro)
        else:
            people.append([intro])
    out: list[Introduction] = []
    for speaker in sorted(kept, key=first.__getitem__):
        people = sorted(kept[speaker], key=lambda p: (-RANK[p[0].how], -len(p), p[0].start))
        out.extend(p[0] for p in people)
    return out


def find(segments: list[Segment], roster: Sequence[Member] = ()) -> list[Introduction]:
    """Names heard for the transcript's voices, one per voice and person.

    Voices come in the order they are first named; a voice's names, strongest first (an
    introduction before a roll-call answer, then the name heard most). A roster (who was at
    the table) puts heard names right and gives their side and role.
    """
    sentences = _sentences(segments)
    return _strongest(_introductions(sentences, roster) + _roll_call(sentences, roster))
