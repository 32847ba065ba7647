"""Did the bar rise with the hands? Telling a pull from standing up without the bar.

A deadlift rep is the bar leaving the floor. To a pose model, standing up after
the bar has been put down looks exactly like a pull: same joints, same path.
The image tells them apart. Take the strip through the hands at lift-off (the
bar and its plates, a leg's length either side of the hands) and compare it, at
the top, with

* the strip through the hands *there*: the implement if it came up ("moved"), and
* the strip still at the lift-off spot: the implement if it stayed ("stayed").

A strip, not a square round the hands: from the front the bar is a thin line
whose plates are far out to the sides, and a square round the hands holds
mostly the lifter's own legs and whatever stands behind them. On the tune
renders a plate-sized square told 28 of 76 deadlift sets' counts right, the
strip 64, and it never dropped a loaded rise there.

A rise whose strip stayed much more than the set's other rises is the lifter
standing up without the bar. Rises are only compared with each other, so the
camera, the light and the view set no absolute level; a set with a single rise
keeps it.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
Image = NDArray[np.uint8]

#: Half the strip's width and height, in leg lengths: the bar and its plates.
HALF_WIDTH, HALF_HEIGHT = 1.0, 0.1
#: How far below the set's median (moved - stayed) a rise must fall to be unloaded;
#: chosen on the tune renders (0.2, 0.3, 0.4, 0.5 told 64, 60, 51, 50 of 76 right).
MARGIN = 0.2


@dataclass(frozen=True)
class Rise:
    """A rise out of the bottom: frames, and the hands' pixel position in each.

    Attributes:
        lift_off: Frame index of the last moment at the bottom.
        top: Frame index of the lockout.
        hands_lift_off: (2,) pixels.
        hands_top: (2,) pixels.
    """

    lift_off: int
    top: int
    hands_lift_off: FloatArray
    hands_top: FloatArray


def _strips(
    gray: list[NDArray[np.float32]], rise: Rise, half: tuple[int, int]
) -> tuple[NDArray[np.float32], NDArray[np.float32], NDArray[np.float32]] | None:
    """The strips at lift-off, moved (top, at the hands) and stayed (top, at lift-off).

    All three are cut to the part of the strip inside both frames; None where
    less than half of it is (the hands near an edge) or the hands are unknown.
    """
    if not (np.isfinite(rise.hands_lift_off).all() and np.isfinite(rise.hands_top).all()):
        return None
    (x0, y0), (x1, y1) = (
        (round(float(p[0])), round(float(p[1]))) for p in (rise.hands_lift_off, rise.hands_top)
    )
    height, width = gray[0].shape
    hx, hy = half
    left, right = max(-hx, -x0, -x1), min(hx, width - x0, width - x1)
    up, down = max(-hy, -y0, -y1), min(hy, height - y0, height - y1)
    if right - left < hx or down - up < hy:
        return None

    def cut(image: NDArray[np.float32], x: int, y: int) -> NDArray[np.float32]:
        return image[y + up : y + down, x + left : x + right]

    return cut(gray[0], x0, y0), cut(gray[1], x1, y1), cut(gray[1], x0, y0)


def _correlation(a: NDArray[np.float32], b: NDArray[np.float32]) -> float:
    """Normalised cross-correlation of two patches of equal shape (0 when one is flat)."""
    a, b = a - a.mean(), b - b.mean()
    norm = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return float((a * b).sum()) / norm if norm > 0 else 0.0


def rise_score(before: Image, after: Image, rise: Rise, leg: float) -> float | None:
    """How much more the implement moved with the hands than it stayed put, in [-2, 2].

    Args:
        before: (H, W, 3) RGB frame at lift-off.
        after: (H, W, 3) RGB frame at the top.
        rise: The rise, with the hands in both frames.
        leg: Leg length in pixels (sets the strip's size).

    Returns:
        ``moved - stayed`` correlations, or None when the strips leave the image.
    """
    half = (max(4, round(HALF_WIDTH * leg)), max(3, round(HALF_HEIGHT * leg)))
    gray = [cv2.cvtColor(im, cv2.COLOR_RGB2GRAY).astype(np.float32) for im in (before, after)]
    found = _strips(gray, rise, half)
    if found is None:
        return None
    start, moved, stayed = found
    return _correlation(start, moved) - _correlation(start, stayed)


def unloaded(scores: list[float | None], margin: float = MARGIN) -> list[bool]:
    """Which rises left the implement behind: well below the set's median, and negative.

    ``scores`` are in time order. The first rise is taken as loaded: standing up
    without the bar comes after it was put down (a caption or a shadow over the
    bar at the start of a clip must not drop the set's first pull); of two, the
    second is compared with it. A rise without a score (the strips off the
    image) is taken as loaded too.
    """
    known = [s for s in scores if s is not None]
    if len(known) < 2:
        return [False] * len(scores)
    # Of two, the median is their midpoint and no reference: the first lifted the bar.
    first = scores[0]
    reference = first if len(known) == 2 and first is not None else float(np.median(known))
    line = min(0.0, reference - margin)
    return [i > 0 and s is not None and s < line for i, s in enumerate(scores)]
