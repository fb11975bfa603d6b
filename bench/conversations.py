"""Multi-party conversations mixed from LibriSpeech voices, with exact speaker turns (RTTM).

    .venv/bin/python bench/conversations.py [--set conv-dev conv-test] [--force]
    .venv/bin/python bench/conversations.py --fixtures   # tests/fixtures/voices (committed)

Each set is written to bench/data/conversations/<set>/ (gitignored): per conversation a 16 kHz
mono `<name>.wav`, its `<name>.rttm` and `<name>.json` (who said what: every placed piece with
its source file and offset), and the set's `manifest.json`. Everything is drawn from fixed
seeds, so a set is the same on every machine; a set already built with the same specs, sources
and VERSION is not built again.

What makes them look like a bargaining table:
- 2–12 speakers: the frequent talkers (a chair who speaks between many turns, the leads) are
  LibriSpeech test-other readers (10 utterances each); people who speak once to three times
  are train-clean readers (one utterance each);
- utterances are trimmed to their speech (10 ms frame energy) and cut at low-energy points
  into turn-sized pieces (chair 1–6 s, others 1.5–15 s); when a long conversation has used
  all of a reader's pieces, that reader's utterances are cut again differently and reused
  (the voice is what a diarizer must follow; `reuse` in the manifest says how much);
- pauses of 0.2–2 s, quick exchanges (under 0.2 s), interruptions (the next voice starts up to
  1.5 s before the last one ends) and backchannels (0.3–1.2 s from a listener inside a long
  turn): a few % of speech overlapped;
- speakers at different levels (-8 to +3 dB), some on the phone (resampled to 8 kHz,
  300–3400 Hz, 8-bit mu-law, back to 16 kHz), or a whole call in the phone band;
- low pink background noise (25–40 dB under speech).

The RTTM holds exactly the speech placed: each piece's speech as it sounds in the mix (after
its level, phone band and mu-law; before the other voices and the noise), found on 10 ms frames
within 30 dB of the piece's loud frames and 6 dB over its recording's hiss, with rumble and
microphone thumps under 90 Hz left out (some readers have them at speech level just before they
speak) and a lone breath or click at either end too; each piece split where it pauses 0.5 s or
more; overlaps are overlapping lines.

conv-test is HELD OUT: its readers (half the test-other readers, half the train-clean ones)
are not in conv-dev or in the test fixtures; score it to report, never to tune.

Voices: LibriSpeech (CC BY 4.0), ../shared/data/speakers.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import signal

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.media import ffmpeg_binary  # noqa: E402

# Bump when what is generated changes, so sets built by an older version are built again.
VERSION = 2  # 2: turns trimmed to the speech as it sounds in the mix
RATE = 16000
FRAME = 160  # 10 ms: the energy frames speech is found on
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SPEAKERS = DATA / "speakers"
CACHE = Path(__file__).resolve().parent / "data" / "conversations"
FIXTURES = ROOT / "tests" / "fixtures" / "voices"
MIN_PAUSE = 0.5  # s: a pause inside a piece at least this long splits its RTTM line
TURN_DB = 30.0  # a turn's speech: 10 ms frames within this many dB of the piece's loud frames
EDGE_DB = 20.0  # ...but not a sound at its start or end that never comes this near (a breath)
RUMBLE_HZ = 90  # what is under this is not speech (rumble, microphone thumps)
SPEECH_DB = -23.0  # dBFS of active speech at a speaker's 0 dB level
# Readers per split: test-other by sex (3 M + 2 F in dev, 2 M + 3 F in test).
DEV_OTHER = ["1688", "2033", "2609", "1998", "3331"]
TEST_OTHER = ["2414", "3005", "3080", "367", "533"]


@dataclass(frozen=True)
class Spec:
    """One conversation to mix."""

    name: str
    seed: int
    minutes: float
    regulars: int  # test-other readers who talk often (the chair among them, if any)
    others: int = 0  # train-clean readers who speak one to three times
    chair: float = 0.0  # chance the chair speaks after someone else (0: no chair)
    phone: str = "none"  # "none", "some" (one or two speakers call in) or "all" (a phone call)
    overlap: float = 1.0  # scales how often voices overlap
    quick: float = 0.2  # share of quick exchanges (next voice within 0.2 s)


SETS = {
    "conv-dev": [
        Spec("dev01-two", 101, 3.0, 2),
        Spec("dev02-three", 102, 4.0, 3, chair=0.4),
        Spec("dev03-four", 103, 5.0, 3, 1, chair=0.4, phone="some"),
        Spec("dev04-five", 104, 6.0, 4, 1, chair=0.4),
        Spec("dev05-six", 105, 4.0, 4, 2, chair=0.35, phone="some", overlap=1.5),
        Spec("dev06-seven", 106, 7.0, 5, 2, chair=0.7),
        Spec("dev07-eight", 107, 8.0, 5, 3, chair=0.4, quick=0.35),
        Spec("dev08-ten", 108, 5.0, 4, 6, chair=0.45, phone="some"),
        Spec("dev09-twelve", 109, 8.0, 5, 7, chair=0.4, overlap=1.5),
        Spec("dev10-call", 110, 2.5, 2, phone="all"),
        Spec("dev11-long", 111, 24.0, 5, 6, chair=0.45, phone="some"),
    ],
    "conv-test": [
        Spec("test01-call", 201, 3.0, 2, phone="all"),
        Spec("test02-chair", 202, 6.0, 4, 2, chair=0.75),
        Spec("test03-four", 203, 4.0, 3, 1, overlap=1.5),
        Spec("test04-nine", 204, 7.0, 4, 5, chair=0.4, phone="some"),
        Spec("test05-long", 205, 22.0, 5, 7, chair=0.45, phone="some"),
    ],
}
# The committed test fixtures (tests/fixtures/voices): conv-dev's readers, other seeds.
FIXTURE_SPECS = [
    Spec("phone-two", 301, 1.25, 2, phone="all"),
    Spec("six-voices", 308, 2.3, 5, 1, chair=0.45),
]
FIXTURE_CODEC = {"phone-two": "10k", "six-voices": "14k"}  # Opus bit rates


# --- sources: utterances, their speech, pieces of them -------------------------------------


@dataclass
class Source:
    """One LibriSpeech utterance with its 10 ms frame energies and speech frames."""

    reader: str
    path: Path
    audio: np.ndarray
    db: np.ndarray
    active: np.ndarray
    floors: dict[bool, float] = field(default_factory=dict)  # see hiss()


@dataclass
class Piece:
    """Trimmed speech cut from a source."""

    source: Source
    offset: float
    audio: np.ndarray

    @property
    def seconds(self) -> float:
        return len(self.audio) / RATE


def frame_db(audio: np.ndarray) -> np.ndarray:
    """Energy of each 10 ms frame, in dBFS."""
    n = len(audio) // FRAME
    frames = audio[: n * FRAME].reshape(n, FRAME).astype(np.float64)
    return 10 * np.log10(np.mean(frames**2, axis=1) + 1e-10)


def bool_runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of each run of True."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(np.int8), [0]))))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def speech_frames(db: np.ndarray) -> np.ndarray:
    """Frames of speech: above 40 dB under the loud frames and 6 dB over the floor.

    Gaps under 50 ms are filled (stops inside words) and blips under 30 ms dropped.
    """
    threshold = max(np.percentile(db, 95) - 40, np.percentile(db, 10) + 6)
    return tidied(db > threshold)


def tidied(active: np.ndarray) -> np.ndarray:
    """Speech frames with gaps under 50 ms filled (stops inside words), blips under 30 ms gone."""
    for a, b in bool_runs(~active):
        if b - a < 5 and a > 0 and b < len(active):
            active[a:b] = True
    for a, b in bool_runs(active):
        if b - a < 3:
            active[a:b] = False
    return active


def load(path: Path, reader: str) -> Source:
    """A LibriSpeech utterance, decoded to 16 kHz."""
    from faster_whisper.audio import decode_audio

    audio = decode_audio(str(path), sampling_rate=RATE)
    db = frame_db(audio)
    return Source(reader, path, audio, db, speech_frames(db))


def piece(source: Source, a: int, b: int) -> Piece | None:
    """The speech of frames [a, b) of a source, trimmed; None if under 0.4 s of it."""
    found = np.flatnonzero(source.active[a:b])
    if len(found) == 0 or found[-1] + 1 - found[0] < 40:
        return None
    a, b = a + int(found[0]), a + int(found[-1]) + 1
    audio = source.audio[a * FRAME: b * FRAME].copy()
    fade = np.sin(np.linspace(0, np.pi / 2, 80)) ** 2  # 5 ms in and out
    audio[:80] *= fade
    audio[-80:] *= fade[::-1]
    return Piece(source, a / 100, audio)


def cut(source: Source, low: float, high: float, rng: np.random.Generator) -> list[Piece]:
    """A source cut into pieces of about low–high seconds, at pauses or quiet frames."""
    speech = np.flatnonzero(source.active)
    if len(speech) == 0:
        return []
    s, e = int(speech[0]), int(speech[-1]) + 1
    low_f, high_f = int(low * 100), int(high * 100)
    pauses = [(a, b) for a, b in bool_runs(~source.active[s:e])]
    long_cuts = [s + (a + b) // 2 for a, b in pauses if b - a >= 10]
    short_cuts = [s + (a + b) // 2 for a, b in pauses if 3 <= b - a < 10]
    bounds, pos = [], s
    while e - pos > high_f:
        target = pos + low_f + (high_f - low_f) * rng.random() ** 1.5
        fits = [c for c in long_cuts if pos + low_f <= c <= pos + high_f and e - c >= low_f]
        fits = fits or [c for c in short_cuts
                        if pos + low_f <= c <= pos + high_f and e - c >= low_f]
        if fits:
            c = min(fits, key=lambda c: abs(c - target))
        else:
            window = source.db[pos + low_f: max(pos + low_f + 1, min(pos + high_f, e - low_f))]
            c = pos + low_f + int(np.argmin(window))
        bounds.append((pos, c))
        pos = c
    bounds.append((pos, e))
    return [p for a, b in bounds if (p := piece(source, a, b))]


def short_pieces(sources: list[Source]) -> list[Piece]:
    """Stretches of 0.3–1.2 s between pauses: a listener's 'yes', 'right', 'mm'."""
    found = []
    for source in sources:
        for a, b in bool_runs(source.active):
            if 30 <= b - a <= 120 and (p := piece(source, a, b)):
                found.append(p)
    return found


# --- voices and the turn-taking that places them ------------------------------------------


@dataclass
class Voice:
    """A speaker of a conversation: who, in what role, how loud, on the phone or not."""

    label: str
    reader: str
    kind: str  # "test-other" or "train-clean"
    role: str  # "chair", "lead" or "occasional"
    sources: list[Source]
    level: float  # dB
    weight: float  # how much a lead talks, relative to the others
    phone: bool = False
    pieces: list[Piece] = field(default_factory=list)
    passes: int = 0
    shorts: list[Piece] | None = None

    def range(self) -> tuple[float, float]:
        return (1.0, 6.0) if self.role == "chair" else (1.5, 15.0)

    def next_piece(self, rng: np.random.Generator) -> Piece:
        """The next piece this voice says, cutting its utterances (again) when all are used."""
        if not self.pieces:
            low, high = self.range()
            self.pieces = [p for s in self.sources for p in cut(s, low, high, rng)]
            rng.shuffle(self.pieces)
            self.passes += 1
        return self.pieces.pop()

    def short_piece(self, rng: np.random.Generator) -> Piece | None:
        """A short stretch of this voice, for a backchannel."""
        if self.shorts is None:
            self.shorts = short_pieces(self.sources)
        return self.shorts[rng.integers(len(self.shorts))] if self.shorts else None


@dataclass
class Placed:
    """A piece placed in the conversation at `start` seconds; `runs`: its speech (s, from its
    start) as it sounds in the mix, found when it is mixed."""

    voice: Voice
    piece: Piece
    start: float
    kind: str  # "turn", "interruption" or "backchannel"
    runs: list[tuple[float, float]] = field(default_factory=list)

    @property
    def end(self) -> float:
        return self.start + self.piece.seconds


def pause(spec: Spec, rng: np.random.Generator) -> float:
    """Silence before the next turn: mostly 0.2–2 s (shorter ones commoner), some quick."""
    if rng.random() < spec.quick:
        return float(rng.uniform(0.0, 0.2))
    return float(min(2.0, 0.2 + rng.exponential(0.5)))


def pick(voices: list[Voice], previous: Voice | None, spec: Spec,
         rng: np.random.Generator) -> Voice:
    """Who speaks next among chair and leads: the chair often, after someone else."""
    chair = next((v for v in voices if v.role == "chair"), None)
    if chair and previous is not chair and rng.random() < spec.chair:
        return chair
    leads = [v for v in voices if v.role == "lead" and v is not previous]
    if not leads:
        leads = [v for v in voices if v.role in ("lead", "chair") and v is not previous]
    weights = np.array([v.weight for v in leads])
    return leads[rng.choice(len(leads), p=weights / weights.sum())]


def said(voice: Voice, rng: np.random.Generator) -> list[Piece]:
    """What an occasional speaker says: pieces of 1.5 s or more (else the longest one)."""
    pieces = cut(voice.sources[0], 1.5, 8.0, rng)
    return [p for p in pieces if p.seconds >= 1.5] or sorted(pieces, key=lambda p: p.seconds)[-1:]


def place(voices: list[Voice], spec: Spec, rng: np.random.Generator) -> tuple[list[Placed], float]:
    """The conversation's pieces in time, and its length in seconds."""
    target = spec.minutes * 60
    occasional = {id(v): said(v, rng) for v in voices if v.role == "occasional"}
    # Everyone is heard: each occasional speaker's turns and each lead's first are due.
    pending = [v for v in voices if v.role != "occasional"] + [
        v for v in voices if v.role == "occasional"
        for _ in range(min(len(occasional[id(v)]), int(rng.choice([1, 1, 2, 2, 3]))))]
    rng.shuffle(pending)
    heard: set[int] = set()
    placed: list[Placed] = []
    previous: Voice | None = None
    end = float(rng.uniform(0.5, 2.0))
    while end < target - 1.0 or pending:
        turns_left = max(1.0, (target - end) / 6.0)
        if pending and (rng.random() < len(pending) / turns_left or end >= target - 1.0):
            voice = pending.pop()
            if voice.role != "occasional" and id(voice) in heard:
                continue
            p = (occasional[id(voice)].pop(0) if voice.role == "occasional"
                 else voice.next_piece(rng))
        else:
            voice = pick(voices, previous, spec, rng)
            p = voice.next_piece(rng)
        heard.add(id(voice))
        last = placed[-1] if placed else None
        kind = "turn"
        room = min(1.5, p.seconds / 2, (last.piece.seconds / 2) if last else 0.0)
        if (last and last.kind != "backchannel" and room > 0.3 and voice is not previous
                and rng.random() < 0.15 * spec.overlap):
            start, kind = end - float(rng.uniform(0.3, room)), "interruption"
        else:
            start = end + (pause(spec, rng) if placed else 0.0)
        placed.append(Placed(voice, p, start, kind))
        end = max(end, start + p.seconds)
        if p.seconds > 5 and rng.random() < 0.15 * spec.overlap:
            listeners = [v for v in voices if v is not voice and v.role != "occasional"]
            if listeners:
                listener = listeners[rng.integers(len(listeners))]
                short = listener.short_piece(rng)
                if short:
                    # after any voice this turn interrupted, 2 s before its end
                    at = start + float(rng.uniform(1.6, p.seconds - 2.0 - short.seconds))
                    placed.append(Placed(listener, short, at, "backchannel"))
        previous = voice
    return placed, end + float(rng.uniform(0.5, 2.0))


# --- sound: levels, phone band, noise ------------------------------------------------------


def phone_band(audio: np.ndarray) -> np.ndarray:
    """Audio as a phone line carries it: 8 kHz, 300–3400 Hz, 8-bit mu-law, back to 16 kHz."""
    peak = float(np.max(np.abs(audio))) or 1.0
    narrow = signal.resample_poly(audio / peak * 0.7, 1, 2)
    sos = signal.butter(4, [300, 3400], btype="bandpass", fs=8000, output="sos")
    narrow = signal.sosfiltfilt(sos, narrow)
    mu = 255.0
    coded = np.sign(narrow) * np.log1p(mu * np.minimum(np.abs(narrow), 1.0)) / np.log1p(mu)
    coded = np.round(coded * 127) / 127
    narrow = np.sign(coded) * np.expm1(np.abs(coded) * np.log1p(mu)) / mu
    return (signal.resample_poly(narrow, 2, 1)[: len(audio)] * peak / 0.7).astype(np.float32)


def at_level(audio: np.ndarray, db: float) -> np.ndarray:
    """Audio scaled so its speech frames are at `db` dBFS."""
    energy = frame_db(audio)
    loud = energy[energy > np.percentile(energy, 95) - 40] if len(energy) else energy
    rms_db = 10 * np.log10(np.mean(10 ** (loud / 10))) if len(loud) else -60.0
    return (audio * 10 ** ((db - rms_db) / 20)).astype(np.float32)


def pink_noise(n: int, rng: np.random.Generator) -> np.ndarray:
    """Pink (1/f) noise of unit RMS: white noise through a three-pole approximation."""
    b = [0.049922035, -0.095993537, 0.050612699, -0.004408786]
    a = [1.0, -2.494956002, 2.017265875, -0.522189400]
    noise = signal.lfilter(b, a, rng.standard_normal(n + 4000))[4000:]
    return (noise / np.sqrt(np.mean(noise**2))).astype(np.float32)


def voice_db(audio: np.ndarray) -> np.ndarray:
    """Energy of each 10 ms frame above RUMBLE_HZ, in dBFS."""
    sos = signal.butter(4, RUMBLE_HZ, btype="highpass", fs=RATE, output="sos")
    return frame_db(signal.sosfiltfilt(sos, audio.astype(np.float64)))


def hiss(source: Source, phone: bool) -> float:
    """The recording's noise floor (10th percentile of voice_db) under its loud frames (95th),
    in dB (negative), through the phone band if `phone`: some readers' hiss is within TURN_DB."""
    if phone not in source.floors:
        db = voice_db(phone_band(source.audio) if phone else source.audio)
        source.floors[phone] = float(np.percentile(db, 10) - np.percentile(db, 95))
    return source.floors[phone]


def turn_runs(audio: np.ndarray, floor: float = -np.inf) -> list[tuple[float, float]]:
    """The speech of a placed piece as it sounds (s, from its start).

    10 ms frames above RUMBLE_HZ within TURN_DB of the piece's loud frames (95th percentile)
    and 6 dB over the recording's hiss (`floor`, dB under its loud frames), gaps under 50 ms
    filled and blips under 30 ms dropped; a sound at the start or the end that is 150 ms or
    more from the rest and never within EDGE_DB of the loud frames is dropped (a breath, a
    click); runs are joined across pauses under MIN_PAUSE.
    """
    db = voice_db(audio)
    if len(db) == 0:
        return []
    loud = float(np.percentile(db, 95))
    active = tidied(db > loud + max(-TURN_DB, floor + 6))
    sounds: list[list[int]] = []
    for x, y in bool_runs(active):
        if sounds and x - sounds[-1][1] < 15:
            sounds[-1][1] = y
        else:
            sounds.append([x, y])
    near = [db[x:y].max() > loud - EDGE_DB for x, y in sounds]
    if any(near):
        first, last = near.index(True), len(near) - 1 - near[::-1].index(True)
        active[: sounds[first][0]] = False
        active[sounds[last][1]:] = False
    spans: list[list[float]] = []
    for x, y in bool_runs(active):
        if spans and x / 100 - spans[-1][1] < MIN_PAUSE:
            spans[-1][1] = y / 100
        else:
            spans.append([x / 100, y / 100])
    return [(x, y) for x, y in spans]


def mix(placed: list[Placed], seconds: float, spec: Spec,
        rng: np.random.Generator) -> np.ndarray:
    """The conversation's samples: pieces at their levels, phone voices, room noise.

    Sets each placed piece's `runs`: its speech found on its own signal as mixed (through the
    phone band too in a phone call), before the other voices and the noise join it.
    """
    out = np.zeros(int(round(seconds * RATE)) + RATE, dtype=np.float32)
    for p in placed:
        audio = p.piece.audio
        if p.voice.phone and spec.phone == "some":
            audio = phone_band(at_level(audio, -20.0))
        jitter = float(np.clip(rng.normal(0, 1.0), -2, 2))
        audio = at_level(audio, SPEECH_DB + p.voice.level + jitter)
        if p.kind == "backchannel":
            audio = audio * 0.7
        p.runs = turn_runs(phone_band(audio) if spec.phone == "all" else audio,
                           hiss(p.piece.source, spec.phone == "all" or p.voice.phone))
        i = int(round(p.start * RATE))
        out[i: i + len(audio)] += audio
    out = out[: int(round(seconds * RATE))]
    snr = float(rng.uniform(25, 40))
    out += pink_noise(len(out), rng) * 10 ** ((SPEECH_DB - snr) / 20)
    if spec.phone == "all":
        out = phone_band(out)
    peak = float(np.max(np.abs(out)))
    return out * (0.9 / peak) if peak > 0.9 else out


# --- references ----------------------------------------------------------------------------


def reference(placed: list[Placed]) -> list[tuple[float, float, str]]:
    """(start, end, speaker) of all speech placed, in time order."""
    lines = [(round(p.start + a, 3), round(p.start + b, 3), p.voice.label)
             for p in placed for a, b in p.runs]
    return sorted(lines)


def write_rttm(path: Path, uri: str, lines: list[tuple[float, float, str]]) -> None:
    """Speaker turns as RTTM."""
    path.write_text("".join(f"SPEAKER {uri} 1 {a:.3f} {b - a:.3f} <NA> <NA> {who} <NA> <NA>\n"
                            for a, b, who in lines), "utf-8")


def write_wav(path: Path, audio: np.ndarray) -> None:
    """16 kHz mono 16-bit PCM."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes((np.clip(audio, -1, 1) * 32767).round().astype("<i2").tobytes())


def stats(lines: list[tuple[float, float, str]], placed: list[Placed], seconds: float) -> dict:
    """Speech, overlap and phone-band share of a conversation, on a 10 ms grid."""
    n = int(np.ceil(seconds * 100)) + 1
    count = np.zeros(n, dtype=np.int16)
    for a, b, _ in lines:
        count[int(round(a * 100)): int(round(b * 100))] += 1
    speech = int((count > 0).sum())
    on_phone = {p.voice.label for p in placed if p.voice.phone}
    phone = sum(b - a for a, b, who in lines if who in on_phone)
    total = sum(b - a for a, b, _ in lines)
    return {"speech": round(speech / 100, 2),
            "overlap": round(float((count > 1).sum()) / max(1, speech), 4),
            "phone": round(phone / total, 4) if total else 0.0}


# --- building sets -------------------------------------------------------------------------


def train_readers() -> dict[str, tuple[Path, str]]:
    """Train-clean reader id → (its utterance, sex)."""
    sexes = {}
    for line in (SPEAKERS / "train-clean" / "SPEAKERS.TXT").read_text("utf-8").splitlines():
        f = [x.strip() for x in line.split("|")]
        if len(f) >= 2 and not line.startswith(";"):
            sexes[f[0]] = f[1]
    return {p.name.split("-")[0]: (p, sexes.get(p.name.split("-")[0], "?"))
            for p in sorted((SPEAKERS / "train-clean").glob("*.flac"))}


def split_train(readers: dict[str, tuple[Path, str]]) -> dict[str, list[str]]:
    """Train-clean readers for dev (with the fixtures) and test: every other one of each sex."""
    split: dict[str, list[str]] = {"dev": [], "test": []}
    for sex in ("F", "M", "?"):
        same = sorted((r for r, (_, s) in readers.items() if s == sex), key=int)
        split["dev"] += same[0::2]
        split["test"] += same[1::2]
    return split


class Library:
    """Decoded utterances, loaded once each."""

    def __init__(self) -> None:
        self.loaded: dict[Path, Source] = {}
        self.train = train_readers()

    def source(self, path: Path, reader: str) -> Source:
        if path not in self.loaded:
            self.loaded[path] = load(path, reader)
        return self.loaded[path]

    def test_other(self, reader: str) -> list[Source]:
        files = sorted((SPEAKERS / "test-other" / reader).glob("*.flac"))
        return [self.source(p, reader) for p in files]


def cast(spec: Spec, other_readers: list[str], train_pool: list[str], library: Library,
         rng: np.random.Generator) -> list[Voice]:
    """The conversation's voices: chair and leads, occasional speakers, levels, phones."""
    chosen = [other_readers[i] for i in rng.permutation(len(other_readers))[: spec.regulars]]
    voices = []
    for i, reader in enumerate(chosen):
        role = "chair" if spec.chair and i == 0 else "lead"
        voices.append(Voice("", reader, "test-other", role, library.test_other(reader),
                            float(rng.uniform(-8, 3)), float(rng.uniform(0.5, 2.5))))
    for _ in range(spec.others):
        reader = train_pool.pop(0)
        path, _ = library.train[reader]
        voices.append(Voice("", reader, "train-clean", "occasional",
                            [library.source(path, reader)], float(rng.uniform(-8, 3)), 1.0))
    if spec.phone == "all":
        for v in voices:
            v.phone = True
    elif spec.phone == "some":
        callers = [v for v in voices if v.role != "chair"]
        for i in rng.permutation(len(callers))[: int(rng.integers(1, 3))]:
            callers[i].phone = True
    for v in voices:
        v.label = f"{'spk' if v.kind == 'test-other' else 'tc'}{v.reader}"
    return voices


def conversation(spec: Spec, other_readers: list[str], train_pool: list[str],
                 library: Library, folder: Path) -> dict:
    """Mix one conversation into `folder`; its summary for the manifest."""
    rng = np.random.default_rng(spec.seed)
    voices = cast(spec, other_readers, train_pool, library, rng)
    placed, seconds = place(voices, spec, rng)
    audio = mix(placed, seconds, spec, rng)
    lines = reference(placed)
    write_wav(folder / f"{spec.name}.wav", audio)
    write_rttm(folder / f"{spec.name}.rttm", spec.name, lines)
    said = {v.label: sum(b - a for a, b, who in lines if who == v.label) for v in voices}
    people = [{"label": v.label, "reader": v.reader, "corpus": v.kind, "role": v.role,
               "phone": v.phone, "level_db": round(v.level, 1),
               "pieces": sum(p.voice is v for p in placed), "speech": round(said[v.label], 1),
               "reuse": round(said[v.label] / max(1e-9, sum(
                   np.count_nonzero(s.active) / 100 for s in v.sources)), 2)}
              for v in voices]
    pieces = [{"start": round(p.start, 3), "end": round(p.end, 3), "speaker": p.voice.label,
               "kind": p.kind, "source": p.piece.source.path.name,
               "offset": round(p.piece.offset, 2)} for p in placed]
    summary = {"file": spec.name, "seconds": round(seconds, 2), "speakers": len(voices),
               **stats(lines, placed, seconds), "spec": dataclasses.asdict(spec),
               "people": people}
    (folder / f"{spec.name}.json").write_text(
        json.dumps({**summary, "pieces": pieces}, indent=1) + "\n", "utf-8")
    return summary


def key(specs: list[Spec]) -> str:
    """What a built set depends on: version, specs and sources."""
    sources = sorted(p.name for p in SPEAKERS.rglob("*.flac"))
    text = json.dumps([VERSION, [dataclasses.asdict(s) for s in specs], sources])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def build(name: str, force: bool = False, quiet: bool = False) -> Path:
    """The folder of a set of conversations, mixed now unless built already."""
    specs = SETS[name]
    folder = CACHE / name
    manifest = folder / "manifest.json"
    want = key(specs)
    if not force and manifest.exists():
        built = json.loads(manifest.read_text("utf-8"))
        if built.get("key") == want and all((folder / f"{s.name}.{x}").exists()
                                            for s in specs for x in ("wav", "rttm")):
            return folder
    if not SPEAKERS.exists():
        raise SystemExit(f"voices not found: {SPEAKERS}")
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*"):
        old.unlink()
    library = Library()
    split = split_train(library.train)
    held_out = name == "conv-test"
    readers = TEST_OTHER if held_out else DEV_OTHER
    pool = list(split["test" if held_out else "dev"])
    np.random.default_rng(sum(map(ord, name))).shuffle(pool)
    rows = []
    for spec in specs:
        rows.append(conversation(spec, readers, pool, library, folder))
        if not quiet:
            print_row(name, rows[-1])
    manifest.write_text(json.dumps({"set": name, "version": VERSION, "key": want,
                                    "held_out": held_out, "conversations": rows},
                                   indent=1) + "\n", "utf-8")
    return folder


def print_row(name: str, row: dict) -> None:
    """One line about a mixed conversation."""
    reuse = max(p["reuse"] for p in row["people"])
    print(f"{name:9} {row['file']:13} {row['seconds'] / 60:5.1f} min  "
          f"{row['speakers']:2} speakers  speech {row['speech'] / row['seconds']:4.0%}  "
          f"overlap {row['overlap']:4.1%}  phone {row['phone']:4.0%}  max reuse {reuse:.1f}x")


# --- the committed test fixtures -----------------------------------------------------------


def fixtures() -> None:
    """tests/fixtures/voices: the fixture conversations as Opus, with RTTM and a README."""
    FIXTURES.mkdir(parents=True, exist_ok=True)
    library = Library()
    pool = list(split_train(library.train)["dev"])
    np.random.default_rng(7).shuffle(pool)
    credits = []
    with tempfile.TemporaryDirectory() as tmp:
        for spec in FIXTURE_SPECS:
            row = conversation(spec, DEV_OTHER, pool, library, Path(tmp))
            target = FIXTURES / f"{spec.name}.ogg"
            subprocess.run([ffmpeg_binary(), "-v", "error", "-y", "-i",
                            str(Path(tmp) / f"{spec.name}.wav"), "-map_metadata", "-1",
                            "-fflags", "+bitexact",  # the same bytes each time (Ogg serial)
                            "-c:a", "libopus", "-b:a", FIXTURE_CODEC[spec.name],
                            "-application", "voip", "-ac", "1", str(target)], check=True)
            (FIXTURES / f"{spec.name}.rttm").write_bytes(
                (Path(tmp) / f"{spec.name}.rttm").read_bytes())
            print_row("fixtures", row)
            credits.append((spec, row, target.stat().st_size))
    (FIXTURES / "README.md").write_text(readme(credits), "utf-8")


def readme(credits: list[tuple[Spec, dict, int]]) -> str:
    """The fixtures' README: what they are, whose voices, how they were made."""
    lines = [
        "# Conversations for the diarization tests",
        "",
        "Made by `bench/conversations.py` from LibriSpeech readers (fixed seeds, so the same",
        "files every time, give or take the Opus encoder build):",
        "",
        "    .venv/bin/python bench/conversations.py --fixtures",
        "",
        "Each `.ogg` (Opus, mono) has beside it an `.rttm` of who speaks when: the speech placed,",
        "as it sounds in the mix (each piece's own signal after its level and phone band; 10 ms",
        "frames within 30 dB of its loud frames and 6 dB over its recording's hiss, rumble under",
        "90 Hz and a lone breath or click at either end left out), split at pauses of 0.5 s or",
        "more; overlaps are overlapping lines.",
        "Speaker labels are `spk<id>` (LibriSpeech test-other reader) or `tc<id>` (train-clean-100",
        "reader). The readers are conv-dev's, none of the held-out conv-test set.",
        "`tests/test_diarize_voices.py` diarizes both.",
        "",
        "| file | length | speakers | overlap | phone band | Opus | size |",
        "|---|---|---|---|---|---|---|",
    ]
    for spec, row, size in credits:
        lines.append(f"| `{spec.name}.ogg` | {row['seconds']:.1f} s | {row['speakers']} | "
                     f"{row['overlap']:.1%} | {row['phone']:.0%} | "
                     f"{FIXTURE_CODEC[spec.name]}bit/s | {size / 1000:.0f} KB |")
    lines += ["", "Readers (LibriSpeech reader id, role):", ""]
    for spec, row, _ in credits:
        who = ", ".join(f"{p['reader']} ({p['corpus']}, {p['role']})" for p in row["people"])
        lines.append(f"- `{spec.name}`: {who}")
    lines += [
        "",
        "`phone-two` is a two-person call entirely in the phone band (8 kHz, 300–3400 Hz,",
        "mu-law); `six-voices` is a table with a chair who speaks between many turns, four",
        "leads and one person who speaks a few times, at different levels, with low room noise.",
        "",
        "Source: LibriSpeech ASR corpus (V. Panayotov, G. Chen, D. Povey, S. Khudanpur, 2015),",
        "http://www.openslr.org/12, CC BY 4.0; the utterances as kept in the Resemblyzer",
        "repository (resemble-ai/Resemblyzer, commit 15d828e, audio_data/). Cut, mixed, level-",
        "shifted, band-limited and noise-added here.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", nargs="+", choices=list(SETS), default=list(SETS))
    parser.add_argument("--force", action="store_true", help="build even if built already")
    parser.add_argument("--fixtures", action="store_true",
                        help="write the test fixtures into tests/fixtures/voices instead")
    args = parser.parse_args()
    if args.fixtures:
        fixtures()
        return
    for name in args.set:
        folder = build(name, force=args.force, quiet=True)
        for row in json.loads((folder / "manifest.json").read_text("utf-8"))["conversations"]:
            print_row(name, row)
        print(f"{name}: {folder}")


if __name__ == "__main__":
    main()
