"""Blurring the main person's face, found from the face landmarks (nose, eyes, ears, mouth)."""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from formcheck.skeleton import INDEX

#: The face landmarks: nose, eyes, ears and mouth.
FACE = tuple(range(INDEX["mouth_right"] + 1))
#: The box reaches this share of the trunk (shoulders to hips) past the face points.
MARGIN = 0.4
#: A face unseen for up to this long keeps its last box (no unblurred flashes).
CARRY_S = 1.0


def face_boxes(xy: NDArray[np.float64], t: NDArray[np.float64]) -> NDArray[np.float64]:
    """(T, 4) ``x0, y0, x1, y1`` around the face in each frame, NaN where none is known.

    Args:
        xy: (T, 33, 2) landmarks in pixels.
        t: (T,) seconds.
    """
    face = xy[:, FACE]
    seen: NDArray[np.bool_] = np.asarray(np.isfinite(face).all(axis=2))
    shoulders = np.nanmean(xy[:, [INDEX["left_shoulder"], INDEX["right_shoulder"]]], axis=1)
    hips = np.nanmean(xy[:, [INDEX["left_hip"], INDEX["right_hip"]]], axis=1)
    trunk = np.linalg.norm(shoulders - hips, axis=-1)
    boxes = np.full((len(t), 4), np.nan)
    for i in np.flatnonzero(seen.any(axis=1)):
        points = face[i][seen[i]]
        pad = MARGIN * trunk[i] if np.isfinite(trunk[i]) else 0.0
        low, high = points.min(axis=0), points.max(axis=0)
        pad = max(pad, 0.5 * float((high - low).max()), 8.0)
        boxes[i] = (*(low - pad), *(high + pad))
    return _carry(boxes, t)


def _carry(boxes: NDArray[np.float64], t: NDArray[np.float64]) -> NDArray[np.float64]:
    """Fill frames without a box from the nearest known one within CARRY_S."""
    known = np.flatnonzero(np.isfinite(boxes[:, 0]))
    if not len(known):
        return boxes
    out = boxes.copy()
    for i in np.flatnonzero(~np.isfinite(boxes[:, 0])):
        j = known[np.argmin(np.abs(t[known] - t[i]))]
        if abs(t[j] - t[i]) <= CARRY_S:
            out[i] = boxes[j]
    return out


def blur(image: NDArray[np.uint8], box: NDArray[np.float64]) -> NDArray[np.uint8]:
    """Pixelate and blur ``box`` of ``image`` in place, beyond recognition; returns it."""
    if not np.isfinite(box).all():
        return image
    h, w = image.shape[:2]
    x0, y0 = max(int(box[0]), 0), max(int(box[1]), 0)
    x1, y1 = min(int(np.ceil(box[2])), w), min(int(np.ceil(box[3])), h)
    if x1 <= x0 or y1 <= y0:
        return image
    region = image[y0:y1, x0:x1]
    small = cv2.resize(
        region, (max(1, (x1 - x0) // 12), max(1, (y1 - y0) // 12)), interpolation=cv2.INTER_AREA
    )
    coarse = cv2.resize(small, (x1 - x0, y1 - y0), interpolation=cv2.INTER_NEAREST)
    k = max(3, ((x1 - x0) // 6) | 1)
    image[y0:y1, x0:x1] = cv2.GaussianBlur(coarse, (k, k), 0)
    return image
