"""Scene cuts: the frames where an edited video jumps to another shot.

After a cut the lifter is somewhere else in the picture; continuity of the
pose track means nothing across it. A cut changes most of the picture at once,
which ordinary movement, even fast, does not: the mean change of a small grey
thumbnail is compared with its running median over the last second or so.
"""

from __future__ import annotations

from collections import deque

import cv2
import numpy as np
from numpy.typing import NDArray

#: Side of the grey thumbnail compared between frames.
THUMB = 32


def thumbnail(image: NDArray[np.uint8]) -> NDArray[np.float32]:
    """The (THUMB, THUMB) grey thumbnail of an (H, W, 3) RGB ``image`` that cuts are found on.

    Apart from :class:`CutDetector`, so that it can be made in the thread that
    decodes (it costs 2.6 ms a 720p frame here, 6 ms at 1080p).
    """
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    return cv2.resize(grey, (THUMB, THUMB), interpolation=cv2.INTER_AREA).astype(np.float32)


class CutDetector:
    """Flags frames that start a new shot.

    Args:
        history: Frames of past changes the running median is taken over.
        ratio: A change this many times the running median is a cut...
        floor: ...if it is also at least this large (grey levels, 0-255), which
            alone decides while there is no history yet.
    """

    def __init__(self, history: int = 30, ratio: float = 8.0, floor: float = 6.0) -> None:
        if history < 1 or ratio <= 1 or floor <= 0:
            raise ValueError("need history >= 1, ratio > 1 and floor > 0")
        self.ratio, self.floor = ratio, floor
        self._changes: deque[float] = deque(maxlen=history)
        self._last: NDArray[np.float32] | None = None

    def __call__(self, thumb: NDArray[np.float32]) -> bool:
        """Whether the frame of ``thumb`` (its :func:`thumbnail`) starts a new shot."""
        last, self._last = self._last, thumb
        if last is None:
            return False
        change = float(np.abs(thumb - last).mean())
        usual = float(np.median(self._changes)) if self._changes else 0.0
        self._changes.append(change)  # a shaky or panning camera raises the bar for a cut
        return change >= self.floor and change >= self.ratio * usual
