from __future__ import annotations

import numpy as np

from formcheck.pose.outline import STATIONS, trunk_outline
from formcheck.skeleton import INDEX

HIP, SHOULDER = (200.0, 300.0), (200.0, 100.0)  # an upright trunk 200 px long


def _landmarks(hip=HIP, shoulder=SHOULDER) -> np.ndarray:
    xy = np.zeros((33, 2), np.float32)
    xy[[INDEX["left_hip"], INDEX["right_hip"]]] = hip
    xy[[INDEX["left_shoulder"], INDEX["right_shoulder"]]] = shoulder
    return xy


def _trunk_mask(left: float, right: float, size=(400, 400)) -> np.ndarray:
    """A person spanning x = 200 - left .. 200 + right at every height, edges ramped."""
    x = np.arange(size[1], dtype=np.float32)[None, :]  # pixel i sits at x = i
    inside = np.minimum(x - (200 - left), (200 + right) - x)  # px inside the edges
    return np.broadcast_to(np.clip(0.5 + inside / 4, 0, 1), size).astype(np.float32)


def test_the_outline_is_found_to_a_fraction_of_a_pixel_on_both_sides() -> None:
    outline = trunk_outline(_trunk_mask(left=37.3, right=52.1), _landmarks())
    assert outline.shape == (2, len(STATIONS)) and outline.dtype == np.float32
    # Side 0 is the image-left of an upright trunk: the back of someone facing right.
    np.testing.assert_allclose(outline[0], 37.3 / 200, atol=0.2 / 200)
    np.testing.assert_allclose(outline[1], 52.1 / 200, atol=0.2 / 200)


def test_the_sides_turn_with_the_trunk() -> None:
    # Bent over to the right (facing right), the back is the top edge of the trunk.
    mask = _trunk_mask(left=30, right=30).T.copy()  # a horizontal trunk at y = 170..230
    outline = trunk_outline(mask, _landmarks(hip=(100, 200), shoulder=(300, 200)))
    np.testing.assert_allclose(outline, 30 / 200, atol=0.01)
    assert np.isfinite(outline).all()


def test_stations_off_the_person_or_beyond_reach_are_missing() -> None:
    mask = _trunk_mask(left=30, right=30)
    mask[:150, :201] = 0.0  # the upper left half is not the person (an arm's gap, say)
    mask[250:, 200:] = 1.0  # something merged into the right, below: edge out of reach
    outline = trunk_outline(mask, _landmarks())
    heights = 300 - STATIONS * 200
    upper_left = (heights < 150) & (heights >= 0)
    assert np.isnan(outline[0][upper_left]).all()
    assert np.isfinite(outline[0][(heights > 152) & (heights < 400)]).all()
    assert np.isnan(outline[1][heights >= 251]).all()  # no edge within REACH (160 px)


def test_an_outline_cut_by_the_edge_of_the_picture_is_missing() -> None:
    mask = np.ones((400, 230), np.float32)  # the person runs off the right edge
    mask[:, :150] = 0.0
    outline = trunk_outline(mask, _landmarks())
    assert np.isnan(outline[1]).all()
    assert np.isfinite(outline[0][(STATIONS >= 0) & (STATIONS <= 1)]).all()


def test_a_tiny_or_missing_trunk_gives_no_outline() -> None:
    mask = _trunk_mask(30, 30)
    assert np.isnan(trunk_outline(mask, _landmarks(shoulder=(200, 290)))).all()
    xy = _landmarks()
    xy[INDEX["left_hip"]] = np.nan
    assert np.isnan(trunk_outline(mask, xy)).all()


def test_stations_run_from_below_the_hip_to_above_the_shoulder() -> None:
    assert STATIONS[0] < 0 < 1 < STATIONS[-1] and np.all(np.diff(STATIONS) > 0)
