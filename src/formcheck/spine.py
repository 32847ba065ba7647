"""The neutral spine, read off the outline of the back.

BlazePose has no spine landmarks, and the shoulder-hip-knee angle that is often
called a "back angle" is a hip angle. The body's outline does see the spine: the
segmentation mask's edge along the back (see :mod:`formcheck.pose.outline`)
shows a hollow at the lower back between the glutes and the shoulder blades
while the spine is neutral, and bows out in one arch when it flexes.

The **bow** of a frame is how far the outline of the back turns between the hip
and the shoulder: a parabola is fitted to the outline's distance from the
hip-shoulder line and the bow is the angle between its tangents at the two ends,
in degrees, positive when the back arches out. Against the lifter's reference
it grows 0.86 degrees per degree of spine flexion (synthetic renders, README).

Bodies differ more than that: a lifter with prominent glutes and a deep lumbar
curve reads 25 degrees lower than a flat-backed one with the same neutral spine,
and a camera turned from the side raises every reading. So a rep is judged
against the lifter's own reference: the set's straightest reps seen from the
same angle (their lower quartile of rep readings). One rep, or a set rounded
throughout, gives no neutral reference of its own, so from the side the
reference is never above :data:`FLAT_BACK_DEG`. Seen at an angle there is no
such bound, and a rep needs other reps to be compared with.

Standing frames would be the obvious reference, but they compare badly: the
plates hide the hips at every lockout, and the outline of an upright trunk
changes with the view differently from a bent one (measured in the README).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from formcheck.pose.outline import STATIONS
from formcheck.reps import Rep

FloatArray = NDArray[np.float64]

#: Stations of the outline the parabola is fitted over, as fractions of the
#: hip-shoulder line: from just below the hip to just above the shoulder.
FIT_FROM, FIT_TO = -0.05, 1.05
#: A frame's bow is read when at least this share of those stations has an outline.
MIN_STATIONS = 0.8
#: A rep's bent-over frames: the trunk at least this share of its deepest forward lean.
BENT_SHARE = 0.8
#: From the side, the reference is never above this (degrees), so a lone rep is
#: flagged from a bow of 25 at the standard line: real side-view deadlifts with a
#: neutral spine read 4-25, rounded ones 26-74 (README).
FLAT_BACK_DEG = 13.0
#: The lifter's reference is this quantile of the set's rep readings.
REFERENCE_QUANTILE = 0.25
#: A rep is judged when the bow was read in at least this share of its bent-over frames...
MIN_COVERAGE = 0.5
#: ...and its confidence (coverage, less the frame-to-frame spread) reaches this.
MIN_CONFIDENCE = 0.5
#: A spread (median absolute deviation) of this many degrees takes confidence to 0.
SPREAD_SCALE_DEG = 20.0
#: Apparent shoulder width (see :func:`formcheck.kinematics.shoulder_width`) past which
#: the outline is no longer the back's: about 45 degrees off the side. A rendered
#: front view reads 0.55-0.87 from rep to rep.
MAX_WIDTH = 0.52

_FIT = (STATIONS >= FIT_FROM - 1e-9) & (STATIONS <= FIT_TO + 1e-9)


def back_profile(outline: NDArray[np.floating], facing: NDArray[np.integer]) -> FloatArray:
    """(T, K) outline of the back: the side of the trunk away from where the person faces.

    Args:
        outline: (T, 2, K) outline distances (see :func:`formcheck.pose.outline.trunk_outline`).
        facing: (T,) +1 facing image-right, -1 image-left.
    """
    if outline.ndim != 3 or outline.shape[1:] != (2, len(STATIONS)):
        raise ValueError(f"outline must have shape (T, 2, {len(STATIONS)}), got {outline.shape}")
    side = np.where(np.asarray(facing) > 0, 0, 1)
    return np.asarray(outline[np.arange(len(side)), side], np.float64)


def bow(profile: NDArray[np.floating]) -> FloatArray:
    """(T,) bow of the back per frame, degrees; NaN where too little outline was found.

    A least-squares parabola over the stations from :data:`FIT_FROM` to
    :data:`FIT_TO` (only those with an outline); the bow is the angle between its
    tangents at the two ends, positive when the outline arches out.

    Args:
        profile: (T, K) outline of the back (see :func:`back_profile`).
    """
    s = STATIONS[_FIT]
    y = np.asarray(profile, np.float64)[:, _FIT]
    weight = np.isfinite(y).astype(np.float64)
    y = np.nan_to_num(y)
    basis = np.stack([np.ones_like(s), s, s**2], axis=-1)  # (K, 3)
    normal = np.einsum("tk,ki,kj->tij", weight, basis, basis)
    rhs = np.einsum("tk,ki,tk->ti", weight, basis, y)
    enough = weight.mean(axis=1) >= MIN_STATIONS
    coef = np.full((len(y), 3), np.nan)
    if enough.any():
        coef[enough] = np.linalg.solve(normal[enough], rhs[enough][..., None])[..., 0]
    slope_from = coef[:, 1] + 2 * coef[:, 2] * FIT_FROM
    slope_to = coef[:, 1] + 2 * coef[:, 2] * FIT_TO
    return np.asarray(np.degrees(np.arctan(slope_from) - np.arctan(slope_to)), np.float64)


@dataclass(frozen=True)
class Reading:
    """The bow of one rep, over its bent-over frames.

    Attributes:
        bow: Median bow over the frames where it was read, degrees (NaN: none).
        coverage: Share of the bent-over frames where it was read.
        spread: Median absolute deviation of those frames' bows, degrees.
        start: First bent-over frame.
        end: Last bent-over frame.
        at: The frame to show: the one whose bow is nearest the rep's 90th percentile
            (round, without being an outlier); None when none was read.
    """

    bow: float
    coverage: float
    spread: float
    start: int
    end: int
    at: int | None = None

    @property
    def confidence(self) -> float:
        """0-1: how much of the rep was read, and how steadily."""
        if not np.isfinite(self.spread):
            return 0.0
        return self.coverage * max(0.0, 1.0 - self.spread / SPREAD_SCALE_DEG)

    @property
    def judged(self) -> bool:
        """Whether the reading is reliable enough to judge the rep by."""
        return self.coverage >= MIN_COVERAGE and self.confidence >= MIN_CONFIDENCE


def bent_over(trunk: FloatArray, start: int, end: int) -> NDArray[np.intp] | None:
    """The frames of ``start..end`` where the trunk leans at least BENT_SHARE of its most.

    Frames between the first and last of those where the trunk angle is unknown
    count too: the lifter did not stand up in between. Left out, a rep whose
    hips are lost at the bottom (behind the plates, or set missing by
    :func:`formcheck.kinematics.without_collapsed_hips`) would have its bow read
    only on the way down and up. None when it never leans forward.
    """
    frames = np.arange(start, end + 1)
    lean = trunk[frames]
    if not np.isfinite(lean).any() or not np.nanmax(lean) > 0:
        return None
    deep = np.flatnonzero(lean >= BENT_SHARE * np.nanmax(lean))
    between = np.flatnonzero(np.isnan(lean[deep[0] : deep[-1] + 1])) + deep[0]
    return np.asarray(frames[np.union1d(deep, between)], np.intp)


def reading(bows: FloatArray, trunk: FloatArray, rep: Rep) -> Reading | None:
    """The bow of ``rep`` over its bent-over frames; None when it never leans forward.

    Args:
        bows: (T,) bow per frame (see :func:`bow`).
        trunk: (T,) trunk angle from vertical, degrees, + forward.
        rep: The rep.
    """
    bent = bent_over(trunk, rep.start, rep.end)
    if bent is None:
        return None
    values = bows[bent]
    seen = np.isfinite(values)
    read = values[seen]
    if not len(read):
        return Reading(float("nan"), 0.0, float("nan"), int(bent[0]), int(bent[-1]))
    middle = float(np.median(read))
    spread = float(np.median(np.abs(read - middle)))
    at = int(bent[seen][np.argmin(np.abs(read - np.percentile(read, 90)))])
    return Reading(middle, len(read) / len(bent), spread, int(bent[0]), int(bent[-1]), at)


def reference(bows: Sequence[float], side_view: bool) -> float | None:
    """The lifter's neutral reference, from the bows of the set's judged reps.

    The lower quartile of the reps' bows, and from the side at most
    :data:`FLAT_BACK_DEG`; seen at an angle, None with fewer than two reps.
    """
    found = [b for b in bows if np.isfinite(b)]
    own = float(np.quantile(found, REFERENCE_QUANTILE)) if len(found) >= 2 else None
    if side_view:
        return FLAT_BACK_DEG if own is None else min(own, FLAT_BACK_DEG)
    return own
