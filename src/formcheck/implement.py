"""Did the bar rise with the hands? Telling a pull from standing up without the bar.

A deadlift rep is the bar leaving the floor. To a pose model, standing up after
the bar has been put down looks exactly like a pull: same joints, same path.
The image tells them apart. Take the patch around the hands at lift-off (the
bar, the plates, the bell) and compare it, at the top, with

* the patch around the hands *there*: the implement if it came up ("moved"), and
* the patch still at the lift-off spot: the implement if it stayed ("stayed").

A rise whose patch stayed much more than the set's other rises is the lifter
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

#: Half the side of the patch, in leg lengths: about the radius of a 45 cm plate.
HALF_PATCH = 0.25
#: How far below the set's median (moved - stayed) a rise must fall to be unloaded.
MARGIN = 0.3


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


def _patch(gray: NDArray[np.float32], center: FloatArray, half: int) -> NDArray[np.float32] | None:
    """The square of side ``2 * half`` around ``center``, or None where it leaves the image."""
    if not np.isfinite(center).all():
        return None
    x, y = round(float(center[0])), round(float(center[1]))
    h, w = gray.shape
    if x - half < 0 or y - half < 0 or x + half > w or y + half > h:
        return None
    return gray[y - half : y + half, x - half : x + half]


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
        leg: Leg length in pixels (sets the patch size).

    Returns:
        ``moved - stayed`` correlations, or None when a patch leaves the image.
    """
    half = max(4, round(HALF_PATCH * leg))
    gray = [cv2.cvtColor(im, cv2.COLOR_RGB2GRAY).astype(np.float32) for im in (before, after)]
    start = _patch(gray[0], rise.hands_lift_off, half)
    moved = _patch(gray[1], rise.hands_top, half)
    stayed = _patch(gray[1], rise.hands_lift_off, half)
    if start is None or moved is None or stayed is None:
        return None
    return _correlation(start, moved) - _correlation(start, stayed)


def unloaded(scores: list[float | None], margin: float = MARGIN) -> list[bool]:
    """Which rises left the implement behind: well below the set's median, and negative.

    A rise without a score (a patch off the image) is taken as loaded.
    """
    known = [s for s in scores if s is not None]
    if len(known) < 2:
        return [False] * len(scores)
    line = min(0.0, float(np.median(known)) - margin)
    return [s is not None and s < line for s in scores]
