from __future__ import annotations

import cv2
import numpy as np
import pytest

from formcheck import implement

LEG = 200.0


def scene(plate_at: tuple[int, int] | None, hands_at: tuple[int, int]) -> np.ndarray:
    """A grey floor scene with a dark plate (if any) and a skin-coloured hand blob."""
    image = np.full((480, 640, 3), 150, np.uint8)
    image[400:] = (120, 90, 60)  # floor
    cv2.line(image, (0, 300), (640, 300), (100, 100, 100), 3)  # some texture
    if plate_at is not None:
        cv2.circle(image, plate_at, 45, (20, 20, 20), -1)
        cv2.circle(image, plate_at, 8, (90, 90, 90), -1)
    cv2.circle(image, hands_at, 12, (210, 170, 140), -1)
    return image


BOTTOM, TOP = (300, 380), (310, 230)


def rise(plate_moves: bool) -> float | None:
    before = scene(BOTTOM, BOTTOM)
    after = scene(TOP if plate_moves else BOTTOM, TOP)
    r = implement.Rise(0, 10, np.array(BOTTOM, float), np.array(TOP, float))
    return implement.rise_score(before, after, r, LEG)


def test_a_plate_that_rises_with_the_hands_scores_high_and_one_left_behind_low() -> None:
    lifted, left = rise(True), rise(False)
    assert lifted is not None and left is not None
    assert lifted > 0.5 and left < -0.3


def front(bar_y: int | None) -> np.ndarray:
    """From the front: legs standing in the middle, a thin bar across with plates far out."""
    image = np.full((480, 640, 3), 150, np.uint8)
    image[400:] = (120, 90, 60)
    cv2.rectangle(image, (290, 200), (350, 400), (60, 40, 30), -1)  # legs, never moving
    if bar_y is not None:
        cv2.line(image, (130, bar_y), (510, bar_y), (200, 200, 200), 2)
        for x in (150, 490):
            cv2.rectangle(image, (x - 8, bar_y - 45), (x + 8, bar_y + 45), (20, 20, 20), -1)
    return image


def test_a_thin_bar_seen_from_the_front_tells_a_pull_from_standing_up() -> None:
    hands = implement.Rise(0, 10, np.array([320.0, 380.0]), np.array([320.0, 260.0]))
    lifted = implement.rise_score(front(380), front(260), hands, LEG)
    left = implement.rise_score(front(380), front(380), hands, LEG)
    assert lifted is not None and left is not None
    assert lifted > 0.3 and left < -0.3


@pytest.mark.parametrize("hands", [(-250.0, 380.0), (np.nan, np.nan)])
def test_hands_off_the_image_or_unknown_give_no_score(hands: tuple[float, float]) -> None:
    image = scene(BOTTOM, BOTTOM)
    r = implement.Rise(0, 10, np.array(hands), np.array(TOP, float))
    assert implement.rise_score(image, image, r, LEG) is None


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([0.8, 0.7, 0.9, -0.6], [False, False, False, True]),  # stood up without the bar
        ([0.8, 0.7, 0.9, 0.6], [False] * 4),
        ([-0.7, -0.8, -0.75, -1.25], [False, False, False, True]),  # front view: all low
        ([-0.9], [False]),  # one rise: nothing to compare with
        ([0.8, None, -0.6], [False, False, True]),
        ([-0.6, 0.5], [False, False]),  # the first pull is never taken for standing up
        ([-0.1, -0.35], [False, True]),  # a single pull, then standing up: the first is the mark
        ([-0.1, -0.25], [False, False]),
    ],
)
def test_unloaded_rises_stand_out_from_the_set(
    scores: list[float | None], expected: list[bool]
) -> None:
    assert implement.unloaded(scores) == expected
