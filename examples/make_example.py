#!/usr/bin/env python3
"""Synthesize the bundled example bargaining-session recording.

Writes, next to this script:

* ``bargaining-session.ogg``  -- Opus-in-Ogg, mono, 24 kHz, ~28 kbit/s
* ``bargaining-session.json`` -- reference speakers and utterance timings
* ``followup-session.ogg`` / ``.json`` -- a short later session: two of the same voices and
  one new one, to show (and test) that voices named once are recognized again

Requirements: Python 3 (stdlib only), ``espeak-ng`` and ``ffmpeg`` on PATH.

The session is fully scripted and deterministic: every turn is rendered
with espeak-ng, its leading/trailing silence is measured from the samples
and trimmed, and the turns are joined with fixed pauses.  Timings in the
JSON are computed from sample counts of the joined WAV, so ``start`` is the
first audible sample of a turn and ``end`` the last one.  Running the
script again produces an identical JSON file (and, with the same ffmpeg and
libopus build, a byte-identical .ogg).

Everything spoken is fictional; the names are made up.
"""

from __future__ import annotations

import array
import json
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

HERE = Path(__file__).resolve().parent

RATE = 22050  # espeak-ng native output rate
SPEED_WPM = 155
# Extra gap between words, in units of 10 ms (espeak-ng -g).  A small gap
# makes the synthetic speech much easier for Whisper to segment.
WORD_GAP = 2
LEAD_IN_S = 0.50  # silence before the first turn
TAIL_S = 0.80  # silence after the last turn
# Pauses between turns, cycled deterministically (seconds).
PAUSES_S = (0.80, 0.65, 0.95, 0.70, 0.85, 0.75, 1.00, 0.60, 0.90)
# A sample counts as audible when |x| exceeds this (int16 full scale 32767).
THRESHOLD = 400
# Audio kept on either side of the audible region when trimming a clip.
PAD_S = 0.03

SPEAKERS = [
    {
        "id": "mediator",
        "name": "Dana Whitfield",
        "role": "Mediator, state Bureau of Mediation Services",
        "voice": "en-us+klatt4 -p 25",
    },
    {
        "id": "district",
        "name": "Mark Ellison",
        "role": "Chief negotiator, Minneapolis Public Schools",
        "voice": "en+quincy -p 50",
    },
    {
        "id": "union",
        "name": "Grace Holloway",
        "role": "Lead negotiator, teachers' union",
        "voice": "en-us+f3 -p 70",
    },
    {
        "id": "esp",
        "name": "Rosa Delgado",
        "role": "Education support professionals (ESP) representative, teachers' union",
        "voice": "en-us+f5 -p 45",
    },
]

# (speaker id, text).  Numbers are spelled out the way people say them.
DIALOGUE = [
    ("mediator", "Good afternoon, everyone. This is the fourth bargaining session "
                 "between the district and the teachers. We will start with class "
                 "size."),
    ("district", "Thank you. We have looked at the union proposal. We are willing to "
                 "accept limits in kindergarten through third grade, but not in high "
                 "school."),
    ("union", "Class size caps are needed in high school too. Many high school "
              "teachers have thirty eight students in one room."),
    ("district", "We understand. The problem is the budget. Every new limit means "
                 "hiring more teachers, and we do not have that money."),
    ("union", "We can do it slowly. We propose twenty six students in elementary "
              "and thirty two in high school over two years."),
    ("mediator", "Can the district respond to a two year plan?"),
    ("district", "We will take that back to our team and answer on Friday."),
    ("mediator", "Good. Let us move on to support for students."),
    ("esp", "Mental health staffing is the issue our members hear about every day. "
            "Students are waiting for weeks to see a counselor or a social worker."),
    ("union", "We are asking for one social worker and one counselor in every school "
              "building."),
    ("district", "We want more help for students too. We can offer twelve new "
                 "positions, paid with one time state money."),
    ("esp", "Twelve positions will not cover sixty schools. And that money ends in two "
            "years, so these jobs are not secure."),
    ("mediator", "Let me suggest that both sides put in writing what a full plan would "
                 "cost."),
    ("mediator", "Now let us turn to salary."),
    ("district", "The district is offering two point five percent in the first year and "
                 "two percent in the second year, plus the regular step increase."),
    ("union", "Two point five percent does not keep up with inflation. Our proposal is "
              "five percent each year."),
    ("district", "Five percent each year would cost more than forty million dollars."),
    ("union", "The step increase was already earned by teachers. It should not be "
              "counted as a raise."),
    ("mediator", "So we are still two and a half percent apart. Let us turn to pay "
                 "for support staff."),
    ("esp", "Education support professionals are the lowest paid workers in the "
            "district. Our members often work a second job to pay the rent."),
    ("esp", "We are asking that every support professional earn at least twenty five "
            "dollars per hour."),
    ("district", "The district can raise the base wage to twenty two dollars per hour "
                 "this year."),
    ("esp", "That is a step, but it is not a living wage."),
    ("district", "The memorandum of understanding from last spring will expire in "
                 "June. We propose to extend it for one more year."),
    ("union", "We are willing to extend it, as long as teachers keep their planning "
              "time."),
    ("mediator", "Under state labor relations law, both sides must keep bargaining "
                 "in good faith."),
    ("union", "We want to be clear. Our members have voted to authorize a strike if "
              "we cannot reach a fair contract."),
    ("district", "The district wants a settlement without a strike. We will bring a "
                 "new offer on salary next week."),
    ("mediator", "Negotiations will continue next Wednesday at four o'clock. Thank you "
                 "all. This session is adjourned."),
]

# The topic (an id of ingest/taxonomy.toml) of each DIALOGUE line: the true chapters.
DIALOGUE_TOPICS = (["class-size"] * 7 + ["mental-health"] * 6 + ["compensation"] * 10
                   + ["procedure"] * 6)

# A week later: the district and union negotiators again, and a school board member whose
# voice the archive has never heard.
FOLLOWUP_SPEAKERS = [s for s in SPEAKERS if s["id"] in ("district", "union")] + [
    {
        "id": "board",
        "name": "Victor Lindqvist",
        "role": "School board member",
        "voice": "en+norbert",
    },
]

FOLLOWUP = [
    ("board", "Good evening. The school board asked me to sit in on tonight's session "
              "and report back on the salary proposals."),
    ("district", "Welcome. The district has a new salary offer. We can now offer three "
                 "percent in the first year."),
    ("union", "Three percent is progress, but it still does not match inflation. We will "
              "need to discuss it with our members."),
    ("board", "Can either side tell me what the gap costs in dollars?"),
    ("district", "The difference between the two offers is about twenty million dollars "
                 "over two years."),
    ("union", "Our members want an agreement before the strike vote. We will answer "
              "next week."),
]

FOLLOWUP_TOPICS = ["compensation"] * len(FOLLOWUP)


def synth(text: str, voice: str, path: Path) -> array.array:
    """Render ``text`` with espeak-ng and return the int16 samples."""
    cmd = ["espeak-ng", "-s", str(SPEED_WPM), "-g", str(WORD_GAP),
           "-v", *voice.split(), "-w", str(path), text]
    subprocess.run(cmd, check=True)
    with wave.open(str(path), "rb") as w:
        if (w.getnchannels(), w.getsampwidth(), w.getframerate()) != (1, 2, RATE):
            raise RuntimeError(f"unexpected espeak-ng output format in {path}")
        data = w.readframes(w.getnframes())
    samples = array.array("h")
    samples.frombytes(data)
    if sys.byteorder != "little":
        samples.byteswap()
    return samples


def audible_bounds(samples: array.array) -> tuple[int, int]:
    """Index of the first and one past the last sample with |x| > THRESHOLD."""
    n = len(samples)
    first = next((i for i in range(n) if abs(samples[i]) > THRESHOLD), None)
    if first is None:
        raise RuntimeError("clip is silent")
    last = next(i for i in range(n - 1, -1, -1) if abs(samples[i]) > THRESHOLD)
    return first, last + 1


def render(name: str, meta: dict, speakers: list[dict],
           dialogue: list[tuple[str, str]], topics: list[str]) -> None:
    """Synthesize one session's dialogue into ``<name>.ogg`` and its reference ``<name>.json``."""
    out_ogg, out_json = HERE / f"{name}.ogg", HERE / f"{name}.json"
    voices = {s["id"]: s["voice"] for s in speakers}
    pad = round(PAD_S * RATE)
    out = array.array("h", bytes(2 * round(LEAD_IN_S * RATE)))
    utterances = []

    with tempfile.TemporaryDirectory(prefix="bargaining-") as tmp:
        tmpdir = Path(tmp)
        for idx, (speaker, text) in enumerate(dialogue):
            if idx:
                gap = PAUSES_S[(idx - 1) % len(PAUSES_S)]
                out.extend(array.array("h", bytes(2 * round(gap * RATE))))
            clip = synth(text, voices[speaker], tmpdir / f"turn{idx:02d}.wav")
            first, end = audible_bounds(clip)
            lo = max(0, first - pad)
            hi = min(len(clip), end + pad)
            start_sample = len(out) + (first - lo)
            end_sample = len(out) + (end - lo)
            out.extend(clip[lo:hi])
            utterances.append({
                "start": round(start_sample / RATE, 3),
                "end": round(end_sample / RATE, 3),
                "speaker": speaker,
                "topic": topics[idx],
                "text": text,
            })
        out.extend(array.array("h", bytes(2 * round(TAIL_S * RATE))))

        wav_path = tmpdir / "session.wav"
        data = array.array("h", out)
        if sys.byteorder != "little":
            data.byteswap()
        with wave.open(str(wav_path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(RATE)
            w.writeframes(data.tobytes())

        subprocess.run(
            [
                "ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
                "-i", str(wav_path),
                "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact",
                "-ac", "1", "-ar", "24000",
                "-c:a", "libopus", "-b:a", "28k", "-application", "voip",
                "-metadata", f"title={meta['title']}",
                str(out_ogg),
            ],
            check=True,
        )

    reference = {
        **meta,
        "source": "synthesized with espeak-ng by examples/make_example.py",
        "duration": round(len(out) / RATE, 3),
        "speakers": speakers,
        "utterances": utterances,
    }
    out_json.write_text(json.dumps(reference, indent=2, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    print(f"wrote {out_ogg.name} ({out_ogg.stat().st_size} bytes, "
          f"{len(out) / RATE:.1f} s) and {out_json.name} ({len(utterances)} turns)")


def main() -> int:
    for tool in ("espeak-ng", "ffmpeg"):
        if shutil.which(tool) is None:
            print(f"error: {tool} not found on PATH", file=sys.stderr)
            return 1
    render("bargaining-session", {"title": "Teachers bargaining session (example)",
                                  "date": "2026-10-14", "unit": "Teachers"},
           SPEAKERS, DIALOGUE, DIALOGUE_TOPICS)
    render("followup-session", {"title": "Teachers bargaining session, follow-up (example)",
                                "date": "2026-10-21", "unit": "Teachers"},
           FOLLOWUP_SPEAKERS, FOLLOWUP, FOLLOWUP_TOPICS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
