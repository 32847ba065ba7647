from __future__ import annotations

import cv2
import numpy as np
import pytest

from formcheck.pose.cuts import CutDetector, thumbnail


def scene(shift: int, seed: int) -> np.ndarray:
    """The thumbnail of a 160x120 picture of soft blobs, slid ``shift`` px to the right."""
    rng = np.random.default_rng(seed)
    blocks = np.kron(rng.integers(0, 255, (3, 6)), np.ones((40, 40))).astype(np.uint8)
    soft = cv2.GaussianBlur(blocks, (0, 0), 8)
    return thumbnail(np.repeat(np.roll(soft, shift, axis=1)[:, :160, None], 3, axis=2))


def test_a_shaking_camera_makes_no_cuts() -> None:
    detect = CutDetector()
    shakes = [detect(scene(6 * (i % 2), seed=1)) for i in range(60)]
    assert sum(shakes) <= 1  # at most the first big jump, before there is any history


def test_movement_is_no_cut_and_another_shot_is() -> None:
    detect = CutDetector()
    panning = [detect(scene(i, seed=1)) for i in range(40)]  # a slow pan of one shot
    assert not any(panning)
    assert detect(scene(0, seed=2))  # a different picture
    assert not detect(scene(1, seed=2))  # and the new shot goes on


def test_a_cut_in_the_second_frame_is_found() -> None:
    detect = CutDetector()
    assert not detect(scene(0, seed=1))
    assert detect(scene(0, seed=3))


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError):
        CutDetector(ratio=1.0)
