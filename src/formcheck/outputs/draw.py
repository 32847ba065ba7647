"""Drawing an :class:`~formcheck.outputs.overlay.Overlay` onto a frame (OpenCV); no measuring."""

from __future__ import annotations

from itertools import pairwise

import cv2
import numpy as np
from numpy.typing import NDArray

from formcheck.outputs.overlay import Overlay, Tone

Image = NDArray[np.uint8]
#: RGB colours of the verdicts.
TONES: dict[Tone, tuple[int, int, int]] = {
    "good": (46, 160, 67),
    "check": (230, 160, 20),
    "fix": (210, 40, 40),
}
BONE, JOINT, GUIDE = (255, 255, 255), (255, 200, 0), (120, 200, 255)
FONT = cv2.FONT_HERSHEY_SIMPLEX


def draw(image: Image, overlay: Overlay) -> Image:
    """Draw ``overlay`` onto ``image`` (H, W, 3 RGB), in place; returns it."""
    h = image.shape[0]
    scale = h / 720
    thick = max(1, round(3 * scale))
    if overlay.guide is not None and np.isfinite(overlay.guide).all():
        a, b = (tuple(int(v) for v in p) for p in overlay.guide)
        cv2.line(image, a, b, GUIDE, max(1, thick - 1), cv2.LINE_AA)
    _chain(image, overlay.chain, thick)
    lines = (overlay.counter, *overlay.readouts)
    for k, text in enumerate(lines):
        _label(image, text, (round(12 * scale), round((40 + 34 * k) * scale)), scale, (20, 20, 20))
    if overlay.banner is not None:
        _banner(image, overlay.banner.text, TONES[overlay.banner.tone], scale)
    return image


def _chain(image: Image, chain: NDArray[np.float64], thick: int) -> None:
    points = [tuple(int(v) for v in p) if np.isfinite(p).all() else None for p in chain]
    for a, b in pairwise(points):
        if a is not None and b is not None:
            cv2.line(image, a, b, BONE, thick, cv2.LINE_AA)
    for p in points:
        if p is not None:
            cv2.circle(image, p, thick + 2, JOINT, -1, cv2.LINE_AA)


def _label(
    image: Image, text: str, origin: tuple[int, int], scale: float, back: tuple[int, int, int]
) -> None:
    """White text on a dark box."""
    size, thick = 0.8 * scale, max(1, round(2 * scale))
    (w, h), base = cv2.getTextSize(text, FONT, size, thick)
    x, y = origin
    pad = round(6 * scale)
    cv2.rectangle(image, (x - pad, y - h - pad), (x + w + pad, y + base + pad // 2), back, -1)
    cv2.putText(image, text, (x, y), FONT, size, (255, 255, 255), thick, cv2.LINE_AA)


def _banner(image: Image, text: str, colour: tuple[int, int, int], scale: float) -> None:
    """A coloured band along the bottom, the text shrunk to fit the width."""
    h, w = image.shape[:2]
    thick = max(1, round(2 * scale))
    size = 0.8 * scale
    width = cv2.getTextSize(text, FONT, size, thick)[0][0]
    if width > w - 24 * scale:
        size *= (w - 24 * scale) / width
    band = round(44 * scale)
    cv2.rectangle(image, (0, h - band), (w, h), colour, -1)
    baseline = h - band // 2 + round(cv2.getTextSize(text, FONT, size, thick)[0][1] / 2)
    cv2.putText(
        image, text, (round(12 * scale), baseline), FONT, size, (255, 255, 255), thick, cv2.LINE_AA
    )
