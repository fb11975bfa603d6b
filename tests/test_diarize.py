"""Who spoke when: the diarization stage on the real example recordings and real shared data."""

from __future__ import annotations

import numpy as np
import pytest

from ingest import voiceprint
from ingest.diarize import (
    DiarizeOptions,
    cluster,
    diarize,
    smooth,
    window_starts,
)
from ingest.runs import runs
from ontherecord.errors import InputError
from ontherecord.progress import Silent
from tests.helpers import needs_shared
from tests.helpers.example import FOLLOWUP_REFERENCE, REFERENCE
from tests.helpers.media import decode
from tests.helpers.turns import speaker_map, utterance_speakers

RATE = 16000


def check_turns(turns, duration: float) -> None:
    """Turns in time order, none overlapping the next, each of positive length."""
    for turn in turns:
        assert 0 <= turn.start < turn.end, turn
    for before, after in zip(turns, turns[1:], strict=False):
        assert before.end <= after.start, (before, after)
    if turns:
        assert turns[-1].end <= duration + 1e-9, (turns[-1], duration)


def speakers_in(result) -> list[str]:
    """Speaker ids in order of first speech."""
    return list(dict.fromkeys(t.speaker for t in result.turns))


def clip(wav: np.ndarray, start: float, end: float) -> np.ndarray:
    return wav[round(start * RATE):round(end * RATE)]


@pytest.fixture(scope="module")
def example_found(example_wav):
    return diarize(example_wav, DiarizeOptions(), Silent())


@pytest.fixture(scope="module")
def followup_found(followup_wav):
    return diarize(followup_wav, DiarizeOptions(), Silent())


def test_example_has_four_voices_each_its_own_speaker(example_found, example_wav):
    assert speakers_in(example_found) == ["S1", "S2", "S3", "S4"]
    mapping = speaker_map(example_found.turns, REFERENCE)
    assert set(mapping) == {s["id"] for s in REFERENCE["speakers"]}
    # Ids go by first speech: the mediator opens, then the district, the union, the ESP rep.
    assert mapping == {"mediator": "S1", "district": "S2", "union": "S3", "esp": "S4"}
    check_turns(example_found.turns, len(example_wav) / RATE)


def test_followup_has_three_voices_each_its_own_speaker(followup_found, followup_wav):
    assert speakers_in(followup_found) == ["S1", "S2", "S3"]
    mapping = speaker_map(followup_found.turns, FOLLOWUP_REFERENCE)
    assert mapping == {"board": "S1", "district": "S2", "union": "S3"}
    check_turns(followup_found.turns, len(followup_wav) / RATE)


def test_every_speaker_gets_one_unit_voiceprint(example_found, followup_found):
    for found in (example_found, followup_found):
        assert set(found.voiceprints) == set(speakers_in(found))
        for vector in found.voiceprints.values():
            assert len(vector) == voiceprint.DIM
            assert np.linalg.norm(vector) == pytest.approx(1, abs=1e-3)


def test_voiceprints_of_one_voice_agree_across_sessions(example_found, followup_found):
    """The district and union voices are the same in both sessions: their prints say so."""
    a = {ref: np.array(example_found.voiceprints[hyp])
         for ref, hyp in speaker_map(example_found.turns, REFERENCE).items()}
    b = {ref: np.array(followup_found.voiceprints[hyp])
         for ref, hyp in speaker_map(followup_found.turns, FOLLOWUP_REFERENCE).items()}
    for voice in ("district", "union"):
        same = float(a[voice] @ b[voice])
        others = [float(a[other] @ b[voice]) for other in a if other != voice]
        assert same > max(others), (voice, same, others)


def test_silence_between_speech_is_no_ones_turn(followup_wav):
    """Three seconds of silence put between the board member and the district: no turn in it."""
    gap_at, gap = 8.4, 3.0
    audio = np.concatenate([clip(followup_wav, 0, gap_at), np.zeros(int(gap * RATE), np.float32),
                            clip(followup_wav, gap_at, 16.0)])
    found = diarize(audio, DiarizeOptions(), Silent())
    assert speakers_in(found) == ["S1", "S2"]
    check_turns(found.turns, len(audio) / RATE)
    # Only the VAD's padding (0.2 s) and the label grid's cell (0.05 s) may reach into it.
    inside = sum(max(0.0, min(t.end, gap_at + gap - 0.25) - max(t.start, gap_at + 0.25))
                 for t in found.turns)
    assert inside == 0, found.turns
    before = [t for t in found.turns if t.end <= gap_at + 0.25]
    after = [t for t in found.turns if t.start >= gap_at + gap - 0.25]
    assert {t.speaker for t in before} == {"S1"} and {t.speaker for t in after} == {"S2"}


@pytest.fixture(scope="module")
def three_turns(followup_wav):
    """The follow-up's first three utterances (the board member, the district, the union),
    3.5 s of each with 0.8 s of silence after it."""
    pieces, utterances, at = [], [], 0.0
    for u in FOLLOWUP_REFERENCE["utterances"][:3]:
        pieces += [clip(followup_wav, u["start"], u["start"] + 3.5),
                   np.zeros(int(0.8 * RATE), np.float32)]
        utterances.append({"start": at, "end": at + 3.5, "speaker": u["speaker"]})
        at += 4.3
    return np.concatenate(pieces), {"utterances": utterances}


def test_fixed_count_of_speakers(three_turns):
    audio, reference = three_turns
    assert len(speakers_in(diarize(audio, DiarizeOptions(), Silent()))) == 3
    found = diarize(audio, DiarizeOptions(speakers=2), Silent())
    assert speakers_in(found) == ["S1", "S2"]
    check_turns(found.turns, len(audio) / RATE)
    # Still one speaker per utterance: two of the three voices share one.
    assert len({hyp for _, hyp in utterance_speakers(found.turns, reference)}) == 2


@pytest.mark.parametrize(("low", "high", "count"), [(4, 15, 4), (1, 2, 2)])
def test_bounds_on_the_count_are_kept(three_turns, low, high, count):
    audio, _ = three_turns
    found = diarize(audio, DiarizeOptions(min_speakers=low, max_speakers=high), Silent())
    assert len(speakers_in(found)) == count
    assert set(found.voiceprints) == set(speakers_in(found))
    check_turns(found.turns, len(audio) / RATE)


def test_silence_has_no_speakers():
    found = diarize(np.zeros(4 * RATE, np.float32), DiarizeOptions(), Silent())
    assert found.turns == []
    assert found.voiceprints == {}


def test_quiet_noise_has_no_speakers():
    noise = np.random.default_rng(7).normal(0, 1e-4, 5 * RATE).astype(np.float32)
    found = diarize(noise, DiarizeOptions(), Silent())
    assert found.turns == []


def test_recording_shorter_than_one_window(example_wav, example_found):
    """1.2 s of the district speaking: less than the encoder's 1.6 s window, still one voice."""
    (first,) = [u for u in REFERENCE["utterances"][:2] if u["speaker"] == "district"]
    short = clip(example_wav, first["start"] + 0.3, first["start"] + 1.5)
    found = diarize(short, DiarizeOptions(), Silent())
    assert speakers_in(found) == ["S1"]
    assert found.turns[0].start <= 0.2
    assert found.turns[-1].end >= 1.0
    assert np.linalg.norm(found.voiceprints["S1"]) == pytest.approx(1, abs=1e-3)
    # The short clip's voice is the district's voice in the whole session.
    district = speaker_map(example_found.turns, REFERENCE)["district"]
    scores = {sid: float(np.dot(found.voiceprints["S1"], v))
              for sid, v in example_found.voiceprints.items()}
    assert max(scores, key=scores.get) == district, scores


@pytest.mark.parametrize(("start", "end"), [(10.73, 11.93), (0.0, 5.03)])
def test_turns_end_within_a_recording_that_stops_mid_speech(example_wav, start, end):
    """Cut while someone is talking: the last turn ends with the recording, not after it."""
    piece = clip(example_wav, start, end)
    found = diarize(piece, DiarizeOptions(), Silent())
    assert found.turns
    check_turns(found.turns, len(piece) / RATE)


@pytest.mark.parametrize("options", [
    DiarizeOptions(speakers=0),
    DiarizeOptions(speakers=-2),
    DiarizeOptions(min_speakers=0),
    DiarizeOptions(min_speakers=5, max_speakers=4),
])
def test_impossible_counts_are_refused(options):
    with pytest.raises(InputError):
        options.check()


@pytest.mark.parametrize("options", [
    DiarizeOptions(), DiarizeOptions(speakers=1), DiarizeOptions(min_speakers=3, max_speakers=3),
])
def test_possible_counts_pass(options):
    options.check()


def test_window_starts_cover_each_region():
    width, frame = voiceprint.WINDOW_FRAMES, voiceprint.HOP
    options = DiarizeOptions(hop=0.4)
    # A 5 s region: windows every 0.4 s (40 frames) and one that ends where the region does.
    starts = window_starts([(RATE, 6 * RATE)], 1000, options)
    assert starts[0] == RATE // frame
    assert all(b - a == 40 for a, b in zip(starts[:-2], starts[1:-1], strict=True))
    assert starts[-1] + width == 6 * RATE // frame
    # A 0.5 s interjection gets one window centred on it; one at the very start stays inside.
    (centred,) = window_starts([(10 * RATE, int(10.5 * RATE))], 2000, options)
    assert centred + width / 2 == pytest.approx((10 * RATE + 10.5 * RATE) / 2 / frame, abs=1)
    assert window_starts([(0, RATE // 4)], 1000, options) == [0]
    assert window_starts([(990 * frame, 1000 * frame)], 1000, options) == [1000 - width]


def test_cluster_groups_real_voiceprints_by_voice(example_wav):
    """Windows from two voices, clustered: two groups that follow the voices."""
    mels = voiceprint.mel_frames(voiceprint.normalize_volume(example_wav))
    wanted = ("mediator", "union")
    utterances = [u for u in REFERENCE["utterances"] if u["speaker"] in wanted][:4]
    starts, truth = [], []
    for u in utterances:
        first, last = round(u["start"] * 100), round(u["end"] * 100) - voiceprint.WINDOW_FRAMES
        for s in range(first, last, 80):
            starts.append(s)
            truth.append(u["speaker"])
    prints = voiceprint.embed_windows(mels, starts)
    labels = cluster(prints, DiarizeOptions())
    assert len(set(labels)) == 2
    by_voice = {v: {int(lab) for lab, t in zip(labels, truth, strict=True) if t == v}
                for v in wanted}
    assert all(len(group) == 1 for group in by_voice.values()), by_voice
    assert by_voice["mediator"] != by_voice["union"]
    assert len(set(cluster(prints, DiarizeOptions(speakers=3)))) == 3
    assert list(cluster(prints[:1], DiarizeOptions())) == [0]


def test_runs_and_smoothing():
    grid = np.array([-1, 0, 0, 0, 0, 1, 0, 0, 0, -1, -1, 2, -1, 1, 1, 1, 1])
    assert runs(grid)[:3] == [(0, 1, -1), (1, 5, 0), (5, 6, 1)]
    assert runs(list(grid)) == runs(grid) and runs([]) == []
    assert all(type(label) is int for _, _, label in runs(grid))
    smoothed = smooth(grid, 3)
    # The one-cell run of 1 between two runs of 0 goes to them; silence stays silence; an
    # isolated stretch of speech keeps its voice.
    assert list(smoothed) == [-1, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, 2, -1, 1, 1, 1, 1]


def test_three_speakers_in_real_recorded_speech(tmp_path):
    """A real recording (not synthesized): three people, each found as their own speaker."""
    wav_path = needs_shared("three-speakers", "falcon.wav")
    rttm = needs_shared("three-speakers", "falcon.rttm")
    truth = []
    for line in rttm.read_text().splitlines():
        fields = line.split()
        start, length = float(fields[3]), float(fields[4])
        truth.append({"start": start, "end": start + length, "speaker": fields[7]})
    wav = decode(wav_path, tmp_path / "falcon.wav")
    found = diarize(wav, DiarizeOptions(), Silent())
    assert speakers_in(found) == ["S1", "S2", "S3"]
    mapping = speaker_map(found.turns, {"utterances": truth})
    assert len(mapping) == 3
    check_turns(found.turns, len(wav) / RATE)
