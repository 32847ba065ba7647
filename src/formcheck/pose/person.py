"""One person's pose in one frame, as the pose estimator reports it."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from formcheck.skeleton import N_LANDMARKS


@dataclass(frozen=True, eq=False)
class Person:
    """A detected pose.

    Attributes:
        xy: (33, 2) float32 pixels.
        visibility: (33,) float32 in [0, 1].
        world: (33, 3) float32 metres, origin between the hips.
        mask: Optional (H, W) float32 probability that a pixel belongs to this person.
    """

    xy: NDArray[np.float32]
    visibility: NDArray[np.float32]
    world: NDArray[np.float32]
    mask: NDArray[np.float32] | None = None

    def __post_init__(self) -> None:
        for name, shape in (
            ("xy", (N_LANDMARKS, 2)),
            ("visibility", (N_LANDMARKS,)),
            ("world", (N_LANDMARKS, 3)),
        ):
            actual = getattr(self, name).shape
            if actual != shape:
                raise ValueError(f"{name} must have shape {shape}, got {actual}")


def crop_mask(
    mask: NDArray[np.float32], xy: NDArray[np.floating], side: int, margin: float = 0.15
) -> tuple[NDArray[np.uint8], NDArray[np.float32]]:
    """Cut a square around a person out of a full-frame mask and resample it.

    The square is the landmarks' bounding box grown by ``margin`` on each side
    and made square, so the crop keeps the body's proportions.

    Args:
        mask: (H, W) probabilities in [0, 1].
        xy: (33, 2) landmarks in pixels.
        side: Output size in pixels.
        margin: Extra border as a fraction of the box's longer side.

    Returns:
        A (side, side) uint8 mask (0-255) and its box ``[x0, y0, box_side]`` in pixels.
    """
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    box_side = float(max(hi - lo)) * (1 + 2 * margin)
    box_side = max(box_side, 2.0)
    x0, y0 = (lo + hi) / 2 - box_side / 2
    scale = side / box_side
    # Affine map from frame pixels to crop pixels; outside the frame reads as 0.
    warp = np.array([[scale, 0, -x0 * scale], [0, scale, -y0 * scale]], dtype=np.float64)
    crop = cv2.warpAffine(
        mask, warp, (side, side), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT
    )
    out = np.clip(crop * 255 + 0.5, 0, 255).astype(np.uint8)
    return out, np.array([x0, y0, box_side], dtype=np.float32)
