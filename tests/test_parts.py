"""Fast mode in parts: a video's poses estimated a part per thread, then joined."""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

import numpy as np
import pytest

from formcheck.pipeline import Settings, estimate, judge
from formcheck.pose.parts import HEAD_START_S, MIN_PART_S, OVERLAP_S, join, plan
from formcheck.pose.stride import JOINTS
from formcheck.series import PoseSeries, VideoMeta

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
FPS = 30


def walking(t: np.ndarray, shift: float = 0.0) -> PoseSeries:
    """A 300 px tall person walking right at 20 px/s, ``shift`` px further on."""
    xy = np.zeros((len(t), 33, 2), np.float32)
    xy[:, list(JOINTS), 1] = np.linspace(0, 300, len(JOINTS))
    xy[..., 0] += (20 * t + shift)[:, None]
    n = len(t)
    return PoseSeries(
        t=t,
        xy=xy,
        visibility=np.ones((n, 33), np.float32),
        meta=VideoMeta("walk.mp4", FPS, 640, 480),
        world=np.zeros((n, 33, 3), np.float32),
        n_people=np.ones(n, np.int16),
        estimated=np.ones(n, bool),
    )


def test_a_long_video_is_planned_in_parts_a_short_one_in_one() -> None:
    assert plan(60.0, 1) == [(0.0, None)]
    assert plan(2 * MIN_PART_S, 2) == [(0.0, None)]  # each part too short to pay
    parts = plan(60.0, 3)
    assert len(parts) == 3 and parts[0][0] == 0.0 and parts[-1][1] is None
    for (_, end), (start, _) in itertools.pairwise(parts):
        assert end == start  # no frame left out, none twice
    lengths = [b - a for a, b in parts[:-1]] + [60.0 - parts[-1][0]]
    assert lengths[0] == pytest.approx(lengths[1] + HEAD_START_S)
    assert lengths[1] == pytest.approx(lengths[2])


def test_parts_that_follow_one_person_join_into_the_whole() -> None:
    t = np.arange(20 * FPS) / FPS
    whole = walking(t)
    cut = 10.0
    first = walking(t[t <= cut])  # a source stopping at a time gives that frame too
    second = walking(t[t >= cut - OVERLAP_S], shift=3.0)  # two trackers differ a little
    joined = join([first, second], [0.0, cut])
    assert joined is not None
    assert np.array_equal(joined.t, whole.t)
    assert joined.estimated is not None and len(joined.estimated) == len(t)
    assert joined.xy[t < cut, 0, 0] == pytest.approx(whole.xy[t < cut, 0, 0])
    assert joined.xy[t >= cut, 0, 0] == pytest.approx(whole.xy[t >= cut, 0, 0] + 3.0)


def test_parts_that_follow_different_people_do_not_join() -> None:
    t = np.arange(20 * FPS) / FPS
    first = walking(t[t < 10.0])
    someone_else = walking(t[t >= 10.0 - OVERLAP_S], shift=200.0)
    assert join([first, someone_else], [0.0, 10.0]) is None
    nobody_yet = walking(t[t >= 10.0 - OVERLAP_S], shift=200.0)
    nobody_yet.xy[nobody_yet.t < 10.0] = np.nan
    nobody_yet.visibility[nobody_yet.t < 10.0] = 0.0
    assert join([first, nobody_yet], [0.0, 10.0]) is not None  # nothing to compare


def test_the_deadlift_sample_in_two_parts_counts_and_judges_as_in_one() -> None:
    video = str(SAMPLES / "deadlift_rounding.mp4")
    labels = json.loads((SAMPLES / "deadlift_rounding.json").read_text())
    whole, _ = estimate(video, None, segment=True, fast=True, parts=1)
    stderr = os.fstat(2)
    halves, _ = estimate(video, None, segment=True, fast=True, parts=2)
    after = os.fstat(2)  # each thread's landmarkers hid native chatter and gave fd 2 back
    assert (after.st_dev, after.st_ino) == (stderr.st_dev, stderr.st_ino)
    assert halves.meta.duration_s is not None and len(plan(halves.meta.duration_s, 2)) == 2
    assert np.array_equal(halves.t, whole.t)
    assert halves.outline is not None and halves.outline.shape == whole.outline.shape
    hips = halves.xy[:, [23, 24]] - whole.xy[:, [23, 24]]
    assert np.nanmedian(np.abs(hips)) < 3  # px: the same person throughout
    reports = [judge(s, Settings("deadlift", fast=True)) for s in (whole, halves)]
    verdicts = [[(r.index, {f.code for f in r.faults}) for r in report.reps] for report in reports]
    assert len(verdicts[1]) == len(labels["reps"])
    assert verdicts[0] == verdicts[1]
