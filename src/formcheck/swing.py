"""The kettlebell swing: which rises swing the bell, how high it goes, and how fast.

Swings are counted as rises from the bottom, like pulls from the floor
(:mod:`formcheck.reps`): the first hike of the bell from the floor starts rep
1, and the last backswing, which parks the bell, ends the last rep. Standing
up after parking the bell is a rise too, but the hands stay down: a rise whose
wrists never come up past the hips swings no bell and is no rep.

The bell's height is the wrists' height above the shoulders at the top, in
trunk lengths: about level with the shoulders (chest to eye height) in a
Russian swing, well over the head in an American one. It is reported, not
judged.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from formcheck import angles
from formcheck.kinematics import Kinematics
from formcheck.reps import Rep, numbered

FloatArray = NDArray[np.float64]

#: Wrists at least this high above the shoulders (trunk lengths, - below) at some
#: point of a rise: the rise swings a bell. Hanging arms read -0.9 to -1.1 in
#: rendered sets; a bell floated only to the hips by a swing that never locks out,
#: -0.5.
SWUNG = -0.75
#: A first rise starting this much lower (leg lengths of shoulder height) than the
#: usual backswing starts from the bell on the floor.
HIKE_MARGIN = 0.1
#: A swing rises from the bottom to its float within this many seconds, and its top
#: (the float) is judged over at most FLOAT_S; TOP_TOL (leg lengths of shoulder
#: height) below the highest point counts as the top.
RISE_S = 1.0
FLOAT_S = 1.0
TOP_TOL = 0.01
#: Wrists this high above the shoulders at the top: an American (overhead) swing.
OVERHEAD = 0.8


def bell_height(kin: Kinematics) -> FloatArray:
    """(T,) wrists above the shoulders, in the set's median trunk length (+ higher)."""
    shoulder = angles.either(kin.xy, "shoulder")
    trunk = np.linalg.norm(shoulder - angles.either(kin.xy, "hip"), axis=-1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # frames without a person
        scale = float(np.nanmedian(trunk))
    return np.asarray((shoulder[:, 1] - angles.either(kin.xy, "wrist")[:, 1]) / scale)


def _peak(values: FloatArray, span: slice) -> float:
    piece = values[span]
    return float(np.nanmax(piece)) if np.isfinite(piece).any() else float("nan")


def swings_only(reps: Sequence[Rep], kin: Kinematics) -> list[Rep]:
    """The swings among the rises: renumbered, each from its bottom to the end of its top.

    Full reps that swing no bell (standing up after parking it) are dropped. A
    swing ends where the next backswing begins, so the last one does not take in
    the bell's parking.
    """
    bell = bell_height(kin)
    kept = [
        _at_the_float(r, kin) if r.full else r
        for r in reps
        if not r.full or not _peak(bell, slice(r.bottom, r.lockout_end + 1)) < SWUNG
    ]
    return numbered(_from_the_hike(kept, kin.height))


def _at_the_float(rep: Rep, kin: Kinematics) -> Rep:
    """End the swing at its float, at most ``FLOAT_S`` after the top.

    A top found more than ``RISE_S`` after the bottom is standing taller later
    (after the last swing, say), not this swing's float: the highest point
    within ``RISE_S`` is taken instead.
    """
    t, height, top = kin.t, kin.height, rep.top
    if t[top] - t[rep.bottom] > RISE_S:
        reach = int(np.searchsorted(t, t[rep.bottom] + RISE_S, side="right"))
        window = height[rep.bottom : reach]
        if np.isfinite(window).any():
            top = rep.bottom + int(np.flatnonzero(window >= np.nanmax(window) - TOP_TOL)[0])
    float_end = int(np.searchsorted(t, t[top] + FLOAT_S, side="right")) - 1
    end = max(top, min(rep.lockout_end, float_end))
    return replace(rep, top=top, lockout_end=end, end=end)


def _from_the_hike(reps: list[Rep], height: FloatArray) -> list[Rep]:
    """Start the first swing where the hike passes the set's usual backswing depth.

    The first rise starts bent over the bell on the floor, far deeper than any
    backswing; that reach is the set-up, not the swing, and its posture is not
    one the backswings can be compared with.
    """
    full = [i for i, r in enumerate(reps) if r.full]
    if len(full) < 2:
        return reps
    first = reps[full[0]]
    usual = float(np.nanmedian([height[reps[i].bottom] for i in full[1:]]))
    rising = np.flatnonzero(height[first.bottom : first.top + 1] >= usual)
    if not height[first.bottom] < usual - HIKE_MARGIN or not len(rising):
        return reps
    start = first.bottom + int(rising[0])
    return [replace(r, start=start, bottom=start) if r is first else r for r in reps]


def rep_metrics(kin: Kinematics, rep: Rep) -> dict[str, float]:
    """Per swing: the bell's height at the top and how fast the hips open.

    ``peak_trunk_extension_deg_per_s`` is the fastest rate at which the trunk
    rises towards vertical on the way up: the hips snapping open, a proxy of the
    swing's power that a later load rule can follow across the set.
    """
    trunk = kin.trunk
    rate = -np.gradient(trunk, kin.t) if len(kin.t) > 2 else np.full_like(trunk, np.nan)
    return {
        "bell_height_trunks": _peak(bell_height(kin), slice(rep.bottom, rep.lockout_end + 1)),
        "peak_trunk_extension_deg_per_s": _peak(rate, rep.concentric),
    }


def set_metrics(kin: Kinematics, reps: Sequence[Rep]) -> dict[str, float | str]:
    """Over the set: cadence, swing style and how the hip speed changes.

    ``speed_change_pct`` compares the mean peak trunk-extension rate of the last
    third of the swings with the first third (negative: slowing down).
    """
    full = [r for r in reps if r.full]
    if len(full) < 2:
        return {}
    tops = np.array([kin.t[r.top] for r in full])
    heights = [rep_metrics(kin, r) for r in full]
    bell = float(np.nanmedian([m["bell_height_trunks"] for m in heights]))
    speed = np.array([m["peak_trunk_extension_deg_per_s"] for m in heights])
    third = max(1, len(full) // 3)
    first, last = np.nanmean(speed[:third]), np.nanmean(speed[-third:])
    return {
        "cadence_per_min": float(60.0 / np.median(np.diff(tops))),
        "swing_style": "american" if bell >= OVERHEAD else "russian",
        "median_bell_height_trunks": bell,
        "speed_change_pct": float(100.0 * (last - first) / first),
    }
