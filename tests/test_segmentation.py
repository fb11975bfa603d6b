"""Local speaker activity: pyannote's segmentation-3.0 rebuilt in torch, on real speech."""

from __future__ import annotations

import numpy as np
import pytest

from ingest import segmentation
from tests.helpers import needs_shared
from tests.helpers.example import REFERENCE
from tests.helpers.media import decode

RATE = segmentation.RATE


def test_frame_timing_follows_the_architecture():
    # 589 frames per 10 s window, one every 270 samples, each hearing 991 samples.
    assert segmentation.FRAMES == 589
    assert (segmentation.FRAME_STEP, segmentation.FRAME_DURATION) == (270 / RATE, 991 / RATE)
    assert 270 / RATE == 0.016875
    found = segmentation.LocalActivity(np.array([0.0, 2.5]), np.zeros((2, 589, 3), np.float32),
                                       np.zeros((2, 589, 3), np.float32))
    assert found.frame_time(0, 0) == pytest.approx(495 / RATE)
    assert found.frame_time(1, 588) == pytest.approx(2.5 + (495 + 588 * 270) / RATE)
    assert found.times().shape == (2, 589)
    assert found.times()[1, 10] == pytest.approx(found.frame_time(1, 10))
    # The frames cover the window: the last one's centre is within its final 50 ms.
    assert 9.95 < found.frame_time(0, 588) < 10.0


def test_windows_step_through_the_audio_and_the_last_ends_with_it():
    starts = segmentation.window_starts(25 * RATE + 8000, 2.0)
    assert list(starts[:3]) == [0, 2 * RATE, 4 * RATE]
    assert starts[-1] == 15 * RATE + 8000
    assert segmentation.window_starts(10 * RATE, 1.0).tolist() == [0]
    assert segmentation.window_starts(3 * RATE, 1.0).tolist() == [0]


def test_silence_has_no_activity():
    found = segmentation.local_activity(np.zeros(12 * RATE, np.float32), step=1.0)
    assert found.activity.shape == (3, 589, 3)
    assert found.activity.dtype == np.float32
    assert found.starts.tolist() == [0.0, 1.0, 2.0]
    assert found.activity.sum() == 0
    assert found.probability.max() < 0.5


@pytest.fixture(scope="module")
def first_minute(example_wav):
    """segmentation-3.0 over the example's first minute, with the progress it reported."""
    reached: list[float] = []
    found = segmentation.local_activity(example_wav[:60 * RATE], step=2.5, batch=8,
                                        done=reached.append)
    return found, reached


def test_activity_where_the_script_has_speech(first_minute):
    found, _ = first_minute
    assert found.activity.shape == (21, 589, 3)
    times, speech = found.times(), found.activity.max(axis=2)
    utterances = [(u["start"], u["end"]) for u in REFERENCE["utterances"] if u["end"] < 60]
    inside = np.zeros(times.shape, bool)
    near = np.zeros(times.shape, bool)
    for start, end in utterances:
        inside |= (times > start + 0.2) & (times < end - 0.2)
        near |= (times > start - 0.2) & (times < end + 0.2)
    pauses = ~near & (times < utterances[-1][1])
    assert speech[inside].mean() > 0.95
    assert speech[pauses].mean() < 0.25


def test_a_change_of_voice_is_a_change_of_local_speaker(first_minute):
    found, _ = first_minute
    # 5–15 s: the mediator until 9.6 s, then the district's negotiator from 10.4 s.
    window = list(found.starts).index(5.0)
    times = found.times()[window]
    mediator = found.activity[window, (times > 5.5) & (times < 9.3)].mean(axis=0)
    district = found.activity[window, (times > 10.7) & (times < 14.5)].mean(axis=0)
    assert mediator.max() > 0.9 and district.max() > 0.7  # the district pauses between clauses
    assert mediator.argmax() != district.argmax()


def test_soft_and_hard_activity_agree(first_minute):
    found, _ = first_minute
    assert found.probability.min() >= 0 and found.probability.max() <= 1.0 + 1e-6
    assert ((found.probability > 0.5) == (found.activity > 0)).mean() > 0.99
    # Never more than two local speakers at once.
    assert found.activity.sum(axis=2).max() <= 2


def test_progress_reaches_the_end(first_minute):
    _, reached = first_minute
    assert reached == sorted(reached)
    assert reached[-1] == 60.0
    assert len(reached) == 3  # 21 windows in batches of 8


def test_a_short_recording_is_padded_and_inactive_past_its_end(example_wav):
    found = segmentation.local_activity(example_wav[:int(4.5 * RATE)])
    assert found.activity.shape == (1, 589, 3)
    times, speech = found.times()[0], found.activity[0].max(axis=1)
    assert speech[times >= 4.5].sum() == 0
    assert found.probability[0, times >= 4.5].sum() == 0
    # The mediator speaks from 0.5 s to the end of this excerpt.
    assert speech[(times > 1.0) & (times < 4.0)].mean() > 0.9


def test_activity_matches_the_reference_turns_of_a_real_recording(tmp_path):
    wav = decode(needs_shared("three-speakers", "falcon.wav"), tmp_path / "falcon.wav")
    rttm = needs_shared("three-speakers", "falcon.rttm").read_text().splitlines()
    turns = [(float(f[3]), float(f[3]) + float(f[4])) for f in map(str.split, rttm) if f]
    found = segmentation.local_activity(wav, step=2.5)
    times, speech = found.times(), found.activity.max(axis=2)
    truth = np.zeros(times.shape, bool)
    for start, end in turns:
        truth |= (times >= start) & (times < end)
    assert (speech.astype(bool) == truth).mean() > 0.85
