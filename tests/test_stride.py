"""Fast mode: the stride between frames the pose model sees, and the frames filled in."""

from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import pytest
from conftest import place, resized, write_clip

from formcheck.pipeline import Settings, estimate, judge
from formcheck.pose import Stride, estimate_poses
from formcheck.pose.mediapipe import PoseEstimator
from formcheck.pose.person import Person
from formcheck.pose.stride import JOINTS, fill_skipped
from formcheck.series import PoseSeries
from formcheck.video import VideoFileSource

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def person(shift: float, height: float = 300.0) -> Person:
    """A person whose joints span ``height`` px, moved ``shift`` px to the right."""
    xy = np.zeros((33, 2), np.float32)
    xy[list(JOINTS), 1] = np.linspace(0, height, len(JOINTS))
    xy[:, 0] += shift
    return Person(xy=xy, visibility=np.ones(33, np.float32), world=np.zeros((33, 3), np.float32))


def test_the_stride_shrinks_as_the_body_speeds_up() -> None:
    stride = Stride(most=4, reach=0.05)  # 15 px of a 300 px body between frames seen
    still, slow = person(0), person(3)
    assert stride.step(still, still, 1) == 4
    assert stride.step(still, slow, 1) == 4  # 3 px a frame: 5 frames would do, 4 at most
    assert stride.step(still, person(6 * 4), 4) == 2  # 6 px a frame
    assert stride.step(still, person(40), 2) == 1  # 20 px a frame: every frame
    assert stride.step(None, still, 1) == stride.step(still, None, 3) == 1
    hidden = Person(still.xy, np.zeros(33, np.float32), still.world)
    assert stride.step(hidden, still, 1) == 1
    with pytest.raises(ValueError, match="most >= 1"):
        Stride(most=0)


def test_frames_not_seen_are_interpolated_between_those_seen() -> None:
    t = np.arange(7) / 30
    seen = np.array([True, False, False, True, False, True, False])
    xy = np.zeros((7, 33, 2), np.float32)
    xy[seen] = np.array([0.0, 30.0, 50.0])[:, None, None]
    xy[5] = np.nan  # nobody in the last frame seen but one... and before it
    vis = np.where(seen[:, None], 0.9, 0.0).astype(np.float32)
    vis[3] = 0.6
    filled = fill_skipped(t, seen, {"xy": xy, "visibility": vis})
    assert filled["xy"][1, 0, 0] == pytest.approx(10.0) and filled["xy"][2, 0, 0] == pytest.approx(
        20.0
    )
    assert np.isnan(filled["xy"][4]).all()  # between a person and nobody: nobody
    assert np.isnan(filled["xy"][6]).all()  # after the last seen: as it was
    assert filled["visibility"][1, 0] == pytest.approx(0.6)  # the lower of the two
    assert xy[1, 0, 0] == 0  # the input is left alone


def test_fast_mode_sees_fewer_frames_and_says_which(tmp_path: Path) -> None:
    # Three seconds of the plank sample's hold, before the hips start to sag.
    with av.open(str(SAMPLES / "plank_sag.mp4")) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    clip = write_clip(tmp_path / "hold.mp4", frames[200:290])
    size = frames[0].shape[1::-1]
    with VideoFileSource(clip) as source, PoseEstimator(size) as est:
        series = estimate_poses(source, source.meta, est, stride=Stride(most=4))
    with VideoFileSource(clip) as source, PoseEstimator(size) as est:
        every = estimate_poses(source, source.meta, est)
    assert series.estimated is not None and series.estimated[0]
    assert series.estimated.mean() < 0.5 and series.detected.all()
    hips = [23, 24]
    assert np.abs(series.xy[:, hips] - every.xy[:, hips]).max() < 5  # px, filled frames too
    series.save(tmp_path / "fast.npz")
    back = PoseSeries.load(tmp_path / "fast.npz")
    assert back.estimated is not None and (back.estimated == series.estimated).all()
    with (
        PoseEstimator((480, 360), masks=True) as est,
        pytest.raises(ValueError, match="keep_masks needs every frame"),
    ):
        estimate_poses([], series.meta, est, keep_masks=True, stride=Stride())


def test_frames_before_a_cut_hold_the_old_shot() -> None:
    t = np.arange(5) / 30
    seen = np.array([True, False, False, True, True])
    xy = np.zeros((5, 33, 2), np.float32)
    xy[3:] = 90.0
    vis = np.array([0.9, 0, 0, 0.5, 0.5], np.float32)[:, None].repeat(33, axis=1)
    cuts = np.array([False, False, False, True, False])
    filled = fill_skipped(t, seen, {"xy": xy, "visibility": vis}, cuts)
    assert (filled["xy"][1:3] == 0).all()  # not a third and two thirds of the way there
    assert np.allclose(filled["visibility"][1:3], 0.9)
    assert fill_skipped(t, seen, {"xy": xy}, ~cuts)["xy"][1, 0, 0] == pytest.approx(30.0)


def test_a_scene_cut_is_always_seen(tmp_path: Path, astronaut: np.ndarray) -> None:
    wide = place((640, 480), (resized(astronaut, 260), 40, 200))
    close = place((640, 480), (resized(astronaut, 420), 210, 40))
    clip = write_clip(tmp_path / "cut.mp4", [wide] * 12 + [close] * 20)
    with VideoFileSource(clip) as source, PoseEstimator((640, 480)) as estimator:
        # A reach so wide that nothing in the still shots forces a frame (the model's
        # guesses at the hidden hips and knees of a bust jump by up to a body length
        # here, more on some CPUs than on others): only the cut can.
        stride = Stride(most=4, reach=5.0)
        series = estimate_poses(source, source.meta, estimator, stride=stride)
    assert series.estimated is not None and series.estimated[12]
    assert not series.estimated[11]  # so the frames before the cut are filled in...
    last = np.flatnonzero(series.estimated[:12])[-1]
    assert (series.xy[last + 1 : 12] == series.xy[last]).all()  # ...from the wide shot alone
    assert series.detected[13:].all()
    assert series.xy[14, 0, 0] > 300  # the close shot's person, not the wide one's


def test_fast_mode_times_and_judges_the_plank_sample_like_the_labels() -> None:
    video = str(SAMPLES / "plank_sag.mp4")
    (hold,) = json.loads((SAMPLES / "plank_sag.json").read_text())["holds"]
    series, _ = estimate(video, None, fast=True)
    report = judge(series, Settings("plank", fast=True))
    assert series.estimated is not None and series.estimated.mean() < 0.7
    (found,) = report.holds
    fps = series.meta.fps
    assert abs(found.start_s - hold["start_frame"] / fps) < 1.0
    assert abs(found.end_s - hold["end_frame"] / fps) < 1.0
    sag = [i for i in found.faults if i.code == "hip_sag"]
    assert sag and abs(sag[0].start_s - hold["sag_fault_frame"] / fps) < 3.0
    assert {i.code for i in found.faults} == set(hold["faults"])
    assert any("fast mode: the pose model saw" in w for w in report.warnings)
