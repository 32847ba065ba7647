"""The body's outline beside the trunk, read off the pose model's segmentation mask.

BlazePose has no spine landmarks, but its segmentation mask outlines the whole
body, and the outline of the back bows out when the spine flexes. For each
frame this keeps, on both sides of the line from the mid-hip to the
mid-shoulder landmark (the *chord*), how far the outline lies from the chord at
fixed *stations* along it. That is all the spine measure needs, in 232 bytes a
frame instead of a 37 kB mask, and it needs no decision yet about which way the
person faces: side 0 is the back of a person facing image-right, side 1 the back
of a person facing image-left.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from formcheck.skeleton import INDEX

#: Positions along the chord where the outline is found: 0 at the hip, 1 at the shoulder.
STATIONS = np.round(np.linspace(-0.2, 1.2, 29), 3)
#: How far from the chord the outline is looked for, in chord lengths.
REACH = 0.8
#: Sampling step along each search ray, in chord lengths.
STEP = 0.01
#: The mask's probability that separates the person from the background.
EDGE = 0.5
#: Chords shorter than this (pixels) are too small to read an outline from.
MIN_CHORD_PX = 20.0

_HIPS = [INDEX["left_hip"], INDEX["right_hip"]]
_SHOULDERS = [INDEX["left_shoulder"], INDEX["right_shoulder"]]
_RADII = np.arange(0.0, REACH + STEP / 2, STEP)


def trunk_outline(mask: NDArray[np.float32], xy: NDArray[np.floating]) -> NDArray[np.float32]:
    """Distance of the body's outline from the hip-shoulder chord, on both sides.

    Along a ray from each station, perpendicular to the chord, the outline is
    where the mask first drops below :data:`EDGE` (to a fraction of a pixel, by
    interpolating the probabilities). A station is NaN where it does not lie on
    the person, where the outline is further than :data:`REACH`, or where the
    search ran off the frame (the body is cut by the edge of the picture).

    Args:
        mask: (H, W) probability that a pixel belongs to the person.
        xy: (33, 2) the person's landmarks in pixels.

    Returns:
        (2, K) float32 distances in chord lengths, K = ``len(STATIONS)``; side 0
        is on the left of the chord when it points up the image, side 1 on its right.
    """
    out = np.full((2, len(STATIONS)), np.nan, np.float32)
    hip, shoulder = np.mean(xy[_HIPS], axis=0), np.mean(xy[_SHOULDERS], axis=0)
    length = float(np.hypot(*(shoulder - hip)))
    if not np.isfinite(length) or length < MIN_CHORD_PX:
        return out
    along = (shoulder - hip) / length
    normal = np.array([along[1], -along[0]])
    sides = np.array([normal, -normal])  # (2, 2)
    starts = hip + STATIONS[:, None] * length * along  # (K, 2)
    # (2, K, R, 2) sample points: side, station, radius, xy
    points = (
        starts[None, :, None, :] + (_RADII * length)[None, None, :, None] * sides[:, None, None, :]
    ).astype(np.float32)
    flat = points.reshape(-1, len(_RADII), 2)
    values = cv2.remap(
        np.ascontiguousarray(mask, np.float32),
        flat[..., 0],
        flat[..., 1],
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=0.0,
    ).reshape(points.shape[:3])
    inside = values >= EDGE
    first_out = np.argmax(~inside, axis=-1)  # (2, K)
    found = inside[..., 0] & ~inside.all(axis=-1)
    j = np.maximum(first_out, 1)
    before = np.take_along_axis(values, (j - 1)[..., None], -1)[..., 0]
    after = np.take_along_axis(values, j[..., None], -1)[..., 0]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # where none is found
        frac = (before - EDGE) / (before - after)
    radius = np.where(found, (j - 1 + frac) * STEP, 0.0)
    edge = starts[None] + (radius * length)[..., None] * sides[:, None, :]
    height, width = mask.shape
    on_frame = (
        (edge[..., 0] >= 1)
        & (edge[..., 0] <= width - 2)
        & (edge[..., 1] >= 1)
        & (edge[..., 1] <= height - 2)
    )
    keep = found & on_frame
    out[keep] = radius[keep]
    return out
