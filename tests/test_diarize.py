"""Who spoke when: the diarization stage on the real example recordings and real shared data,
and its parts (clustering voiceprints into people, chunks voting on who talks) on small cases."""

from __future__ import annotations

import numpy as np
import pytest

from ingest import clustering, reconstruction
from ingest import speaker_embedding as se
from ingest.diarize import DiarizeOptions, diarize
from ingest.runs import runs
from ontherecord.errors import InputError
from ontherecord.model import Turn
from ontherecord.progress import Silent
from tests.helpers import needs_shared
from tests.helpers.example import FOLLOWUP_REFERENCE, REFERENCE
from tests.helpers.media import decode
from tests.helpers.turns import speaker_map, utterance_speakers

RATE = 16000


def check_turns(turns, duration: float) -> None:
    """Turns in time order within the recording, each of positive length; one speaker's turns
    never overlap each other (two different speakers may talk at once)."""
    for turn in turns:
        assert 0 <= turn.start < turn.end <= duration + 1e-9, (turn, duration)
    assert turns == sorted(turns, key=lambda t: (t.start, t.end))
    for speaker in {t.speaker for t in turns}:
        own = [t for t in turns if t.speaker == speaker]
        for before, after in zip(own, own[1:], strict=False):
            assert before.end <= after.start, (before, after)


def speakers_in(result) -> list[str]:
    """Speaker ids in order of first speech."""
    return list(dict.fromkeys(t.speaker for t in result.turns))


def clip(wav: np.ndarray, start: float, end: float) -> np.ndarray:
    return wav[round(start * RATE):round(end * RATE)]


def unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


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
            assert len(vector) == se.DIM == 192  # CAM++
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
    # Only the edges may reach into it: a frame's width and the model's onset and offset.
    inside = sum(max(0.0, min(t.end, gap_at + gap - 0.25) - max(t.start, gap_at + 0.25))
                 for t in found.turns)
    assert inside == 0, found.turns
    before = [t for t in found.turns if t.end <= gap_at + 0.25]
    after = [t for t in found.turns if t.start >= gap_at + gap - 0.25]
    assert {t.speaker for t in before} == {"S1"} and {t.speaker for t in after} == {"S2"}


@pytest.fixture(scope="module")
def three_turns(followup_wav):
    """The follow-up's first three utterances (the board member, the district, the union),
    6 s of each with 0.8 s of silence after it: the segmentation model hears the change
    between two synthesized voices in a 10 s chunk only when both talk long enough."""
    pieces, utterances, at = [], [], 0.0
    for u in FOLLOWUP_REFERENCE["utterances"][:3]:
        pieces += [clip(followup_wav, u["start"], u["start"] + 6.0),
                   np.zeros(int(0.8 * RATE), np.float32)]
        utterances.append({"start": at, "end": at + 6.0, "speaker": u["speaker"]})
        at += 6.8
    return np.concatenate(pieces), {"utterances": utterances}


def test_fixed_count_of_speakers(three_turns):
    audio, reference = three_turns
    assert len(speakers_in(diarize(audio, DiarizeOptions(), Silent()))) == 3
    found = diarize(audio, DiarizeOptions(speakers=2), Silent())
    assert speakers_in(found) == ["S1", "S2"]
    check_turns(found.turns, len(audio) / RATE)
    # Still one speaker per utterance: two of the three voices share one.
    assert len({hyp for _, hyp in utterance_speakers(found.turns, reference)}) == 2


# Bounds shape the clustering (see tests of clustering.cut below); a group that never holds
# the floor gets no turns, so only an upper bound is checked here, on three real voices.
@pytest.mark.parametrize(("low", "high", "count"), [(1, 2, 2), (1, 15, 3)])
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
    assert found.voiceprints == {}


def test_recording_shorter_than_one_chunk(example_wav, example_found):
    """1.2 s of the district speaking: far less than the model's 10 s chunk, still one voice."""
    (first,) = [u for u in REFERENCE["utterances"][:2] if u["speaker"] == "district"]
    short = clip(example_wav, first["start"] + 0.3, first["start"] + 1.5)
    found = diarize(short, DiarizeOptions(), Silent())
    assert speakers_in(found) == ["S1"]
    check_turns(found.turns, len(short) / RATE)
    assert found.turns[0].start <= 0.2
    assert found.turns[-1].end >= 1.0
    assert np.linalg.norm(found.voiceprints["S1"]) == pytest.approx(1, abs=1e-3)
    # The short clip's voice is the district's voice in the whole session.
    district = speaker_map(example_found.turns, REFERENCE)["district"]
    scores = {sid: float(np.dot(found.voiceprints["S1"], v))
              for sid, v in example_found.voiceprints.items()}
    assert max(scores, key=scores.get) == district, scores


@pytest.mark.parametrize(("start", "end"), [(10.73, 11.93), (0.0, 5.03), (0.0, 15.03)])
def test_turns_end_within_a_recording_that_stops_mid_speech(example_wav, start, end):
    """Cut while someone is talking: the last turn ends with the recording, not after it."""
    piece = clip(example_wav, start, end)
    found = diarize(piece, DiarizeOptions(), Silent())
    assert found.turns
    check_turns(found.turns, len(piece) / RATE)
    assert max(t.end for t in found.turns) >= len(piece) / RATE - 0.3


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
    # Found, and given: 18 s are too few voiceprints for three groups of min_cluster, and
    # the given count must still be met.
    for options in (DiarizeOptions(), DiarizeOptions(speakers=3)):
        found = diarize(wav, options, Silent())
        assert speakers_in(found) == ["S1", "S2", "S3"]
        mapping = speaker_map(found.turns, {"utterances": truth})
        assert len(mapping) == 3
        check_turns(found.turns, len(wav) / RATE)


def test_runs_of_equal_labels():
    grid = np.array([-1, 0, 0, 0, 0, 1, 0, 0, 0, -1, -1, 2, -1, 1, 1, 1, 1])
    assert runs(grid)[:3] == [(0, 1, -1), (1, 5, 0), (5, 6, 1)]
    assert runs(list(grid)) == runs(grid) and runs([]) == []
    assert all(type(label) is int for _, _, label in runs(grid))


# --- clustering: real CAM++ voiceprints of the example's voices -------------------------------

OPTIONS = DiarizeOptions()


@pytest.fixture(scope="module")
def example_prints(example_wav):
    """A CAM++ voiceprint of every whole 2 s piece of every scripted utterance, and its voice."""
    feats, voices = [], []
    for u in REFERENCE["utterances"]:
        for start in np.arange(u["start"] + 0.2, u["end"] - 2.0, 2.0):
            feats.append(se.fbank(clip(example_wav, start, start + 2.0)))
            voices.append(u["speaker"])
    return se.embed(feats), np.array(voices)


def of_voices(example_prints, *voices: str, lone: str | None = None):
    """The prints of these voices (and the first of `lone`'s, last), with their voices."""
    prints, truth = example_prints
    rows = np.flatnonzero(np.isin(truth, voices))
    if lone:
        rows = np.append(rows, np.flatnonzero(truth == lone)[0])
    return prints[rows], truth[rows]


def groups_of(labels: np.ndarray, truth: np.ndarray) -> dict[str, set[int]]:
    """The labels each voice's prints were given."""
    return {str(v): {int(x) for x in labels[truth == v]} for v in np.unique(truth)}


def one_group_each(labels: np.ndarray, truth: np.ndarray) -> bool:
    """Every voice in one group of its own."""
    found = groups_of(labels, truth)
    return (all(len(g) == 1 for g in found.values())
            and len(set.union(*found.values())) == len(found))


def test_the_example_prints_are_unit_and_plenty(example_prints):
    prints, truth = example_prints
    assert prints.shape[1] == se.DIM
    assert np.allclose(np.linalg.norm(prints, axis=1), 1, atol=1e-4)
    voices, counts = np.unique(truth, return_counts=True)
    assert voices.tolist() == ["district", "esp", "mediator", "union"]
    assert counts.min() >= 10


@pytest.mark.parametrize("voices", [("mediator", "union"), ("mediator", "district", "union"),
                                    ("mediator", "district", "union", "esp")])
def test_cut_groups_real_voiceprints_by_voice(example_prints, voices):
    prints, truth = of_voices(example_prints, *voices)
    labels = clustering.cut(prints, OPTIONS.bounds, OPTIONS.cluster_options)
    assert sorted(set(labels.tolist())) == list(range(len(voices)))
    assert one_group_each(labels, truth), groups_of(labels, truth)


def test_cut_meets_a_given_count(example_prints):
    prints, truth = of_voices(example_prints, "mediator", "district", "union")
    options = OPTIONS.cluster_options
    # Fewer than there are: voices share groups, but no voice is split.
    two = clustering.cut(prints, clustering.Bounds(speakers=2), options)
    assert len(set(two.tolist())) == 2
    assert all(len(g) == 1 for g in groups_of(two, truth).values()), groups_of(two, truth)
    # Exactly as many: one each. More: a voice is split, but no group mixes two voices.
    three = clustering.cut(prints, clustering.Bounds(speakers=3), options)
    assert one_group_each(three, truth)
    four = clustering.cut(prints, clustering.Bounds(speakers=4), options)
    assert len(set(four.tolist())) == 4
    assert all(len(set(truth[four == g])) == 1 for g in range(4))
    # One voice is one group, however many are asked for.
    alone, _ = of_voices(example_prints, "mediator")
    assert set(clustering.cut(alone, clustering.Bounds(), options).tolist()) == {0}
    assert len(set(clustering.cut(alone, clustering.Bounds(speakers=2), options))) == 2
    # One print, or none: nothing to split.
    assert clustering.cut(prints[:1], clustering.Bounds(speakers=3), options).tolist() == [0]
    assert clustering.cut(prints[:0], clustering.Bounds(), options).tolist() == []


@pytest.mark.parametrize(("low", "high", "count"), [(4, 15, 4), (1, 2, 2), (3, 3, 3)])
def test_cut_keeps_the_bounds(example_prints, low, high, count):
    prints, truth = of_voices(example_prints, "mediator", "district", "union")
    bounds = clustering.Bounds(min_speakers=low, max_speakers=high)
    labels = clustering.cut(prints, bounds, OPTIONS.cluster_options)
    assert sorted(set(labels.tolist())) == list(range(count))
    if count == 3:
        assert one_group_each(labels, truth)


def test_a_small_group_of_a_distinct_voice_survives(example_prints):
    """The ESP rep heard once, among the mediator and the district: a person of their own."""
    prints, truth = of_voices(example_prints, "mediator", "district", lone="esp")
    assert OPTIONS.min_cluster > 1
    labels = clustering.cut(prints, OPTIONS.bounds, OPTIONS.cluster_options)
    assert one_group_each(labels, truth), groups_of(labels, truth)


def test_a_small_group_of_a_similar_voice_is_absorbed():
    """A stray print past the threshold from a large group, but not `distinct` from it: it
    joins that group; one unlike every large group stays alone."""
    rng = np.random.default_rng(3)
    axes = np.eye(8)

    def around(axis: np.ndarray, n: int) -> np.ndarray:
        return unit(axis + rng.normal(0, 0.03, (n, 8)))

    options = clustering.ClusterOptions(threshold=0.5, min_cluster=2, distinct=0.6)
    # Cosine 0.45 to the first group's direction (distance 0.55: past the threshold, within
    # `distinct`), and one at cosine 0.2 to it (distance 0.8: beyond both).
    similar = 0.45 * axes[0] + np.sqrt(1 - 0.45 ** 2) * axes[2]
    unlike = 0.2 * axes[0] + np.sqrt(1 - 0.2 ** 2) * axes[3]
    a, b = around(axes[0], 6), around(axes[1], 6)
    prints = np.vstack([a, b, similar[None]])
    # Without absorbing (every group distinct enough), the tree leaves it alone.
    separate = clustering.ClusterOptions(0.5, 2, distinct=0.0)
    alone = clustering.cut(prints, clustering.Bounds(), separate)
    assert len(set(alone.tolist())) == 3 and alone[-1] not in alone[:-1]
    labels = clustering.cut(prints, clustering.Bounds(), options)
    assert len(set(labels.tolist())) == 2 and labels[-1] == labels[0]
    kept = clustering.cut(np.vstack([a, b, unlike[None]]), clustering.Bounds(), options)
    assert len(set(kept.tolist())) == 3 and kept[-1] not in kept[:-1]


def test_centroids_are_unit_means():
    prints = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    centres = clustering.centroids(prints, np.array([0, 0, 1]), 2)
    assert np.allclose(centres, [[np.sqrt(0.5), np.sqrt(0.5)], [1.0, 0.0]])


def test_assign_never_gives_two_local_speakers_of_a_chunk_one_group():
    centres = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    # Chunk 0 hears two voices both nearer the first group (one nearer than the other);
    # chunk 1 hears one of them alone; chunk 2 hears three voices, one more than the groups.
    prints = unit(np.array([
        [0.9, 0.1, 0.0], [0.6, 0.4, 0.0],
        [0.6, 0.4, 0.0],
        [0.9, 0.1, 0.0], [0.8, 0.2, 0.0], [0.1, 0.9, 0.0],
    ]))
    chunk_of = np.array([0, 0, 1, 2, 2, 2])
    groups = clustering.assign(prints, chunk_of, centres)
    # The better match keeps the group; the other takes the next one.
    assert groups[:2].tolist() == [0, 1]
    assert groups[2] == 0
    # More voices than groups: each takes its nearest.
    assert groups[3:].tolist() == [0, 0, 1]
    for chunk in (0, 1):
        mine = groups[chunk_of == chunk]
        assert len(set(mine.tolist())) == len(mine)


# --- reconstruction: chunks vote on who talks when --------------------------------------------


def test_frame_grid_places_each_chunk():
    offsets, total = reconstruction.frame_grid(np.array([0.0, 0.5, 1.0]), 10, 0.1, 1.4)
    assert offsets.tolist() == [0, 5, 10]
    assert total == 20  # the last chunk reaches past the recording's 14 frames
    assert reconstruction.frame_grid(np.array([0.0]), 10, 0.1, 2.05)[1] == 21


def test_overlapping_chunks_vote():
    # Three chunks of 10 frames, 3 frames apart. Person 0 is local speaker 0 of the first
    # chunk, 2 of the second and 1 of the third; person 1 is local speaker 0 of the third.
    activity = np.zeros((3, 10, 3), np.float32)
    activity[0, :, 0] = 1  # person 0 throughout the first chunk (frames 0-9)
    activity[1, :7, 2] = 1  # ... heard by the second until frame 9 too
    activity[2, :2, 1] = 1  # ... but by the third only until frame 7
    activity[2, 7:, 0] = 1  # person 1 in the third's last frames (13-15)
    groups = np.array([[0, -1, -1], [-1, -1, 0], [1, 0, -1]])
    offsets = np.array([0, 3, 6])
    # Sure of every decision: the probabilities are the decisions.
    score, count = reconstruction.votes(activity, activity, offsets, groups, 2, 16, 0.7)
    assert score.shape == (16, 2) and count.shape == (16,)
    # A person's score is the share of the chunks covering a frame that hear them.
    assert score[:8, 0].tolist() == [1.0] * 8
    assert score[8:10, 0] == pytest.approx([2 / 3] * 2)  # two of the three chunks do
    assert score[10:, 0].tolist() == [0.0] * 6
    assert score[:13, 1].tolist() == [0.0] * 13 and score[13:, 1].tolist() == [1.0] * 3
    # The number of voices is the covering chunks' mean count, rounded.
    assert count.tolist() == [1] * 10 + [0] * 3 + [1] * 3
    on = reconstruction.pick(score, count)
    # The third chunk is outvoted: person 0 talks until frame 9, then nobody, then person 1.
    assert on[:, 0].tolist() == [True] * 10 + [False] * 6
    assert on[:, 1].tolist() == [False] * 13 + [True] * 3
    # Scores add probabilities: a chunk unsure who talks weighs less; the count still goes
    # by the decisions.
    unsure = activity.copy()
    unsure[1, :7, 2] = 0.5
    score, count = reconstruction.votes(activity, unsure, offsets, groups, 2, 16, 0.7)
    assert score[3:6, 0] == pytest.approx([1.5 / 2] * 3)
    assert score[6:8, 0] == pytest.approx([2.5 / 3] * 2)
    assert count.tolist() == [1] * 10 + [0] * 3 + [1] * 3


def test_count_two_gives_two_people_at_once():
    score = np.array([[0.9, 0.8, 0.1], [0.9, 0.8, 0.1], [0.2, 0.7, 0.6], [0.0, 0.0, 0.0],
                      [0.5, 0.0, 0.0]])
    count = np.array([2, 1, 2, 0, 2])
    on = reconstruction.pick(score, count)
    assert on.tolist() == [[True, True, False], [True, False, False], [False, True, True],
                           [False, False, False], [True, False, False]]  # nobody scored 0


def test_to_turns_bridges_short_gaps_and_drops_short_turns():
    on = np.zeros((40, 2), bool)
    on[0:10, 0] = on[12:20, 0] = True  # a 2-frame pause: bridged with min_gap 0.3 s
    on[25:30, 0] = True  # a 5-frame pause before it: kept
    on[30:32, 1] = True  # 0.2 s: shorter than min_turn 0.3 s
    on[35:40, 1] = True  # runs to the end of the recording (3.95 s)
    turns = reconstruction.to_turns(on, 0.1, 0.05, 3.95, min_gap=0.3, min_turn=0.3)
    assert turns == [Turn(0.05, 2.05, "0"), Turn(2.55, 3.05, "0"), Turn(3.55, 3.95, "1")]
    # Without bridging, the pause splits the first turn; with a lower min_turn, the short
    # one stays.
    split = reconstruction.to_turns(on, 0.1, 0.05, 3.95, min_gap=0.0, min_turn=0.1)
    assert split[:2] == [Turn(0.05, 1.05, "0"), Turn(1.25, 2.05, "0")]
    assert Turn(3.05, 3.25, "1") in split


def test_to_turns_lets_two_people_overlap():
    on = np.zeros((20, 2), bool)
    on[0:12, 0] = on[8:20, 1] = True
    turns = reconstruction.to_turns(on, 0.1, 0.0, 2.0, min_gap=0.1, min_turn=0.05)
    assert turns == [Turn(0.0, 1.2, "0"), Turn(0.8, 2.0, "1")]
    check_turns(turns, 2.0)
