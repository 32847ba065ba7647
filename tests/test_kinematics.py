from __future__ import annotations

import numpy as np
import pytest
from figures import hinge, ramp

from formcheck.analyze import analyze
from formcheck.kinematics import measure, stance_side, without_collapsed_hips
from formcheck.series import PoseSeries
from formcheck.skeleton import INDEX

HIPS = [INDEX["left_hip"], INDEX["right_hip"]]
KNEES = [INDEX["left_knee"], INDEX["right_knee"]]


def set_of_hinges(n: int = 3) -> np.ndarray:
    pieces = [(0.0, 0.0, 1.5)]
    for _ in range(n):
        pieces += [(0.0, 75.0, 1.2), (75.0, 75.0, 0.3), (75.0, 0.0, 1.0), (0.0, 0.0, 0.8)]
    return ramp(*pieces)


def with_xy(series: PoseSeries, xy: np.ndarray) -> PoseSeries:
    return PoseSeries(
        t=series.t, xy=xy.astype(np.float32), visibility=series.visibility, meta=series.meta
    )


def test_a_clean_figure_measures_its_own_angles() -> None:
    trunk = set_of_hinges()
    kin = measure(hinge(trunk, shin=10, facing=-1))
    assert (kin.facing == -1).all() and kin.view.label == "side" and kin.legs_seen
    np.testing.assert_allclose(kin.angles["trunk"][20:-20], trunk[20:-20], atol=1.5)
    assert np.nanmax(kin.angles["knee"]) == pytest.approx(170, abs=1.5)


def test_knees_guessed_straight_through_a_lockout_are_not_reported() -> None:
    series = hinge(set_of_hinges(), shin=10)
    xy = series.xy.copy()
    standing = series.xy[:, INDEX["left_shoulder"], 1] <= np.percentile(series.xy[:, 11, 1], 20)
    xy[np.ix_(standing, KNEES)] += np.array([70.0, -40.0], np.float32)  # knees "on the plate"
    kin = measure(with_xy(series, xy))
    assert not kin.legs_seen
    assert np.isnan(kin.angles["knee"]).all() and np.isnan(kin.angles["hip"]).all()
    assert np.isfinite(kin.angles["trunk"]).any()  # the trunk needs no knee
    report = analyze(with_xy(series, xy), "rdl")
    assert report.summary.rep_count == 3
    assert any("knees are hidden" in w for w in report.warnings)


def test_hips_placed_on_the_thigh_while_bent_over_are_dropped() -> None:
    series = hinge(set_of_hinges(), shin=10)
    xy = series.xy.astype(np.float64)
    bent = series.xy[:, INDEX["left_shoulder"], 1] > np.percentile(series.xy[:, 11, 1], 80)
    xy[np.ix_(bent, HIPS)] = xy[np.ix_(bent, KNEES)] + np.array([0.0, -15.0])
    out = without_collapsed_hips(xy, bent)
    assert np.isnan(out[bent][:, HIPS]).all()
    assert np.isfinite(out[~bent][:, HIPS]).all()
    # the same hips while standing are left alone: there it is the knee that is misplaced
    assert np.isfinite(without_collapsed_hips(xy, np.zeros_like(bent))[:, HIPS]).all()


def test_a_thigh_foreshortened_by_an_oblique_view_keeps_its_hip() -> None:
    series = hinge(set_of_hinges(), shin=10)
    xy = series.xy.astype(np.float64)
    bent = series.xy[:, INDEX["left_shoulder"], 1] > np.percentile(series.xy[:, 11, 1], 80)
    thigh = xy[:, HIPS] - xy[:, KNEES]
    usual = np.percentile(np.linalg.norm(thigh, axis=-1), 90)
    # bent over, the thighs point at the camera and look half their length
    short = thigh / np.linalg.norm(thigh, axis=-1, keepdims=True) * 0.5 * usual
    xy[np.ix_(bent, HIPS)] = xy[np.ix_(bent, KNEES)] + short[bent]
    side, oblique = np.zeros(len(xy)), np.full(len(xy), 45.0)
    assert np.isnan(without_collapsed_hips(xy, bent, side)[bent][:, HIPS]).all()
    assert np.isfinite(without_collapsed_hips(xy, bent, oblique)[bent][:, HIPS]).all()


@pytest.mark.parametrize(
    ("yaw", "label"), [(0, "side"), (15, "side"), (40, "oblique"), (75, "front")]
)
def test_the_view_follows_the_camera_round_the_lifter(yaw: float, label: str) -> None:
    kin = measure(hinge(set_of_hinges(3), yaw=yaw))
    assert kin.view.label == label
    if label == "front":  # the shoulders square-on: the yaw only says "60 or more"
        assert np.nanmin(kin.yaw) > 60
        return
    # read standing, where the trunk does not foreshorten: bent over, the shoulders
    # of an oblique view look wider against a trunk that looks shorter
    assert np.nanmax(np.abs(kin.yaw - yaw)) < 2


@pytest.mark.parametrize("yaw", [0, 20, 45])
def test_the_trunk_reads_its_own_lean_from_an_angle(yaw: float) -> None:
    trunk = set_of_hinges(3)
    kin = measure(hinge(trunk, yaw=yaw))
    assert np.nanmax(np.abs(kin.trunk - trunk)) < 1.5
    # the image's own angle is squeezed: 75 deg seen from 45 reads 69
    squeezed = np.degrees(np.arctan(np.tan(np.radians(75)) * np.cos(np.radians(yaw))))
    assert np.allclose(kin.angles["trunk"][np.isclose(trunk, 75.0)], squeezed, atol=1.5)


@pytest.mark.parametrize(("lifted", "expected"), [(1, "left"), (0, "right")])
def test_the_standing_leg_is_the_lower_ankle(lifted: int, expected: str) -> None:
    ankles = np.zeros((100, 2))
    ankles[20:80, lifted] = 0.25  # the other foot is up for most of the set
    assert stance_side(ankles) == expected
    assert stance_side(np.zeros((100, 2))) is None


def test_a_lifter_who_turns_round_keeps_a_forward_trunk() -> None:
    trunk = set_of_hinges(4)
    half = len(trunk) // 2
    first, second = hinge(trunk[:half], facing=1), hinge(trunk[half:], facing=-1)
    xy = np.concatenate([first.xy, second.xy])
    series = with_xy(hinge(trunk), xy)
    kin = measure(series)
    assert (kin.facing[: half - 60] == 1).all() and (kin.facing[half + 60 :] == -1).all()
    bottoms = kin.angles["trunk"][np.isclose(trunk, 75.0)]
    assert (bottoms > 60).all()  # never read as leaning back 75 degrees
