"""Fast mode (``--fast``): the pose model on fewer frames while the body is still.

After each frame the model sees, the next one it sees is chosen from how fast
the joints moved since the one before: slow enough and up to
:attr:`Stride.most` frames pass before the model runs again; at speed every
frame is seen. The frames passed over get landmarks interpolated in time
between the two seen around them. Every frame still goes through the scene-cut
detector, and a cut is always seen; the frames passed over just before it keep
the old shot's landmarks, so that the analysis finds the cut as a jump.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from formcheck.pose.person import Person

#: Shoulders, elbows, wrists, hips, knees, ankles: the joints whose speed sets the stride.
JOINTS = (11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28)
#: A joint this visible or more counts.
SEEN = 0.5


@dataclass(frozen=True)
class Stride:
    """How far apart the frames the pose model sees may be.

    Attributes:
        most: The most frames one model call stands for, while the body is still.
        reach: How far a joint may move between two frames the model sees, in
            lengths of the body (the larger side of its landmarks' box). Small on
            purpose: MediaPipe's tracker follows the person from frame to frame,
            and gaps during a movement can lose them in a hard pose (seen: a
            lifter bent over the bar, lost for 1.3 s at 5 %); at 1 % only still
            moments (holds, pauses, rests) are thinned out.
    """

    most: int = 4
    reach: float = 0.01

    def __post_init__(self) -> None:
        if self.most < 1 or self.reach <= 0:
            raise ValueError(f"need most >= 1 and reach > 0, got {self.most}, {self.reach}")

    def step(self, before: Person | None, now: Person | None, frames: int) -> int:
        """Frames from ``now`` to the next frame to see; ``before`` was seen ``frames`` earlier."""
        if before is None or now is None or frames < 1:
            return 1  # finding someone, or losing them: every frame
        seen = (before.visibility[list(JOINTS)] >= SEEN) & (now.visibility[list(JOINTS)] >= SEEN)
        if not seen.any():
            return 1
        moved = np.linalg.norm(now.xy[list(JOINTS)] - before.xy[list(JOINTS)], axis=1)[seen]
        size = float(np.ptp(now.xy[list(JOINTS)][seen], axis=0).max())
        speed = float(moved.max()) / frames / max(size, 1.0)
        if speed <= 0:
            return self.most
        return int(np.clip(self.reach // speed, 1, self.most))


def fill_skipped(
    t: NDArray[np.float64],
    seen: NDArray[np.bool_],
    arrays: dict[str, NDArray[np.floating]],
    cuts: NDArray[np.bool_] | None = None,
) -> dict[str, NDArray[np.floating]]:
    """The per-frame ``arrays`` with each frame not ``seen`` filled in from its neighbours.

    Positions (any array but ``visibility``) are interpolated linearly in time
    between the seen frames before and after, NaN where either has nobody;
    visibility is the lower of the two. Frames after the last one seen repeat it,
    and so do the frames before a seen frame that starts a new shot (``cuts``,
    True there): a cut stays a jump in one frame, as it is on screen.
    """
    where = np.flatnonzero(seen)
    gaps = np.flatnonzero(~seen)
    if not len(gaps) or not len(where):
        return arrays
    after = np.searchsorted(where, gaps)
    before = where[np.maximum(after - 1, 0)]
    after = where[np.minimum(after, len(where) - 1)]
    span = t[after] - t[before]
    if cuts is not None:
        span[cuts[after] & (after > gaps)] = 0  # the old shot holds until the cut
    w = np.divide(t[gaps] - t[before], span, out=np.zeros_like(span), where=span > 0)
    filled = {}
    for name, values in arrays.items():
        out = values.copy()
        a, b = values[before], values[after]
        if name == "visibility":
            out[gaps] = np.where((span > 0).reshape(-1, 1), np.minimum(a, b), a)
        else:
            weight = w.reshape((-1,) + (1,) * (values.ndim - 1))
            out[gaps] = a + weight * (b - a)
        filled[name] = out
    return filled
