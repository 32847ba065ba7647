from __future__ import annotations

import numpy as np
import pytest
from figures import hinge, ramp

from formcheck import angles
from formcheck.skeleton import INDEX, mirror


def test_every_angle_names_real_landmarks_on_both_sides() -> None:
    for spec in angles.ANGLES.values():
        names = (
            (spec.a, spec.vertex, spec.b)
            if isinstance(spec, angles.Joint)
            else (spec.base, spec.tip)
        )
        for name in names:
            assert f"left_{name}" in INDEX and mirror(f"left_{name}") == f"right_{name}"


def test_joint_angle_geometry() -> None:
    v = np.zeros((3, 2))
    a = np.array([[0, -1], [0, -1], [0, -1]], float)
    b = np.array([[1, 0], [0, 1], [1, -1]], float)
    np.testing.assert_allclose(angles.joint_angle(a, v, b), [90, 180, 45], atol=1e-9)


@pytest.mark.parametrize("facing", [1, -1])
def test_incline_is_signed_by_facing(facing: int) -> None:
    base = np.zeros((3, 2))
    tip = np.array([[0, -1], [facing, -1], [-facing, -1]], float)  # up, forward, back
    np.testing.assert_allclose(angles.incline(base, tip, facing), [0, 45, -45], atol=1e-9)


@pytest.mark.parametrize("facing", [1, -1])
def test_figure_angles_match_their_construction(facing: int) -> None:
    trunk = ramp((0, 80, 1))
    series = hinge(trunk, shin=10, thigh=-20, facing=facing)
    got = angles.compute(series.xy, "left", facing)
    np.testing.assert_allclose(got["trunk"], trunk, atol=1e-3)
    np.testing.assert_allclose(got["shin"], 10, atol=1e-3)
    np.testing.assert_allclose(got["thigh"], -20, atol=1e-3)
    np.testing.assert_allclose(got["hip"], 180 - trunk - 20, atol=1e-3)
    np.testing.assert_allclose(got["knee"], 150, atol=1e-3)


def test_left_and_right_agree_on_a_symmetric_figure_and_stay_in_range() -> None:
    series = hinge(ramp((0, 90, 1)), shin=15, width=30)
    left = angles.compute(series.xy, "left", 1)
    right = angles.compute(series.xy, "right", 1)
    for name, spec in angles.ANGLES.items():
        np.testing.assert_allclose(left[name], right[name], atol=1e-3)
        lo, hi = (0, 180) if isinstance(spec, angles.Joint) else (-180, 180)
        assert ((left[name] >= lo) & (left[name] <= hi)).all()


def test_missing_landmarks_give_nan() -> None:
    xy = hinge(ramp((0, 10, 0.2))).xy.copy()
    xy[2, INDEX["left_knee"]] = np.nan
    got = angles.compute(xy, "left", 1, ("hip", "trunk"))
    assert np.isnan(got["hip"][2]) and np.isfinite(got["trunk"][2])
