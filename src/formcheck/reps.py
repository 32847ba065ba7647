"""Rep segmentation: count what a coach counts.

The signal is the lifter's *depth*: how far the shoulders have dropped below
their standing height, as a fraction of it. It needs no joint angle, so it works
from any camera view. Standing still, walking in, a lockout hold or resting all
keep the depth near 0; bending over takes it towards 0.5. An *excursion* is a
stretch away from standing; scene cuts and long stretches without the person
split the set into shots, and no excursion crosses them.

"Standing" and "deep" are fractions of the set's own typical depth (the median
of its clear dips), so tall and short lifters, near and far cameras, long- and
short-range hinges and lockouts that stop a little short all count the same way.

Two patterns:

* ``standing`` lifts (RDL, good morning) start at the top: every excursion that
  goes deep and comes back up is a rep, one already under way when the clip
  starts too (as coaches and the shared labels count it: the clip may open at
  the bottom). One cut off by the end of the clip, one still rising when it
  ends, one seen only from the bottom up after a scene cut or a long gap, or
  one too shallow, is partial.
* ``floor`` lifts (deadlift) start on the floor: a rep is a *rise* from the
  bottom to lockout, and its lowering is part of it. Walking in and setting up,
  re-gripping and resting at the bottom or at the top are no reps. A pull that
  stops short, a clip that opens mid-pull (not still at the bottom, or already
  rising fast), a clip that ends short of lockout and a lowering that is never
  lifted again are partial reps.

A lifter lost from view while going from the bottom to the top (or back) is
bridged across the gap, up to ``max_crossing_s``, and the rep's note says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy.signal import find_peaks

from formcheck.conditioning import runs, segments

FloatArray = NDArray[np.float64]
Pattern = Literal["floor", "standing"]

#: The top of a rep is judged over at most this long: a rest or a walk after the
#: last rep is not its lockout.
LOCKOUT_S = 1.5


@dataclass(frozen=True)
class RepRules:
    """Tolerances of the segmentation.

    Depths are fractions of the standing shoulder height; ``*_frac`` are fractions
    of the set's typical depth.

    Attributes:
        top_frac: Depth up to which the lifter counts as standing (at the top).
        deep_frac: A full rep reaches this deep.
        min_depth: A dip shallower than this is not a rep at all (a shrug, a
            re-grip, a step); it is also the least depth "standing" may allow.
        bottom_tol: Depth within this of the deepest point counts as the bottom.
        max_gap_s: Missing stretches up to this long are bridged; longer ones split shots...
        max_crossing_s: ...unless the lifter went from the top to the bottom or back
            across one (a depth change of ``min_depth`` or more) no longer than
            this: such a stretch is bridged too, a rise hidden from its start to
            its lockout included. It is the main person's track's horizon
            (``SelectionRules.reacquire_after_s``): the same person on both sides.
    """

    top_frac: float = 0.35
    deep_frac: float = 0.6
    min_depth: float = 0.15
    bottom_tol: float = 0.04
    max_gap_s: float = 0.5
    max_crossing_s: float = 2.0

    def __post_init__(self) -> None:
        if not 0 < self.top_frac < self.deep_frac <= 1:
            raise ValueError(
                f"need 0 < top_frac < deep_frac <= 1, got {self.top_frac} and {self.deep_frac}"
            )
        if not 0 < self.min_depth < 1:
            raise ValueError(f"min_depth must be in (0, 1), got {self.min_depth}")
        if self.bottom_tol <= 0 or not 0 <= self.max_gap_s <= self.max_crossing_s:
            raise ValueError("need bottom_tol > 0 and 0 <= max_gap_s <= max_crossing_s")


@dataclass(frozen=True)
class Rep:
    """One rep (or partial rep), as frame indices into the set.

    Attributes:
        index: 1-based number among full reps; 0 for a partial rep.
        start: First frame of the rep (floor lifts: the lift-off).
        bottom: Deepest frame.
        top: First frame standing again (lockout); for a partial rep, its highest
            frame after the bottom.
        end: Last frame of the rep (floor lifts: the bar back at the bottom).
        lockout_end: Last frame of the standing phase that follows ``top``, at most
            :data:`LOCKOUT_S` after it.
        full: False for a partial rep.
        note: For a partial rep, why it is partial.
        final: The set's last full rep: what follows it is the end of the set.
    """

    index: int
    start: int
    bottom: int
    top: int
    end: int
    lockout_end: int
    full: bool
    note: str = ""
    final: bool = False

    @property
    def concentric(self) -> slice:
        """Frames from the bottom up to lockout."""
        return slice(self.bottom, self.top + 1)

    @property
    def lockout(self) -> slice:
        """Frames standing at the top of this rep."""
        return slice(self.top, self.lockout_end + 1)


@dataclass(frozen=True)
class _Excursion:
    """Frames ``start:stop`` away from standing, within one shot ``lo:hi``."""

    start: int
    stop: int
    deepest: int
    depth: float
    hi: int
    open_start: bool
    open_end: bool


def depth_signal(height: FloatArray) -> FloatArray:
    """Depth (0 standing, + lower) from the shoulder height over the set."""
    finite = height[np.isfinite(height)]
    if len(finite) == 0:
        return np.full_like(height, np.nan)
    standing = float(np.percentile(finite, 95))
    return (standing - height) / standing


def _bridge(depth: FloatArray, t: FloatArray, rules: RepRules) -> FloatArray:
    """Interpolate the depth over short missing stretches, and longer ones it crosses."""
    out = depth.copy()
    for start, stop in runs(~np.isfinite(depth)):
        if start == 0 or stop == len(depth):
            continue
        gap = t[stop] - t[start - 1]
        if gap <= rules.max_gap_s or (
            gap <= rules.max_crossing_s and _crossed(depth, t, start - 1, stop, rules)
        ):
            out[start:stop] = np.interp(
                t[start:stop], t[[start - 1, stop]], depth[[start - 1, stop]]
            )
    return out


def _crossed(depth: FloatArray, t: FloatArray, before: int, after: int, rules: RepRules) -> bool:
    """Whether the lifter went once between the top and the bottom from ``before`` to ``after``.

    The depth changes by ``min_depth`` or more, and neither side moves the other
    way (more than ``bottom_tol`` over a quarter second): going down before a
    stretch and coming up after it, the bottom and perhaps a whole rep were unseen.
    """
    change = depth[after] - depth[before]
    if abs(change) < rules.min_depth:
        return False
    earlier = int(np.searchsorted(t, t[before] - 0.25))
    later = min(int(np.searchsorted(t, t[after] + 0.25)), len(t) - 1)
    moves = (depth[before] - depth[earlier], depth[later] - depth[after])
    return not any(np.sign(change) * m < -rules.bottom_tol for m in moves)


def _shots(depth: FloatArray, cuts: NDArray[np.intp]) -> list[tuple[int, int]]:
    """Frame ranges between cuts and long missing stretches."""
    out = []
    for a, b in segments(len(depth), cuts):
        out += [(a + s, a + e) for s, e in runs(np.isfinite(depth[a:b]))]
    return out


def _typical_depth(depth: FloatArray, min_depth: float) -> float:
    """Median depth of the clear dips (prominence >= ``min_depth``); 0 without any."""
    peaks, _ = find_peaks(np.nan_to_num(depth, nan=0.0), prominence=min_depth)
    return float(np.median(depth[peaks])) if len(peaks) else 0.0


def _excursions(
    depth: FloatArray, lo: int, hi: int, top: float, min_depth: float
) -> list[_Excursion]:
    """Stretches of shot ``lo:hi`` deeper than ``top`` that reach ``min_depth``."""
    found = []
    for a, b in runs(depth[lo:hi] > top):
        deepest = lo + a + int(np.argmax(depth[lo + a : lo + b]))
        if depth[deepest] >= min_depth:
            found.append(
                _Excursion(lo + a, lo + b, deepest, float(depth[deepest]), hi, a == 0, lo + b == hi)
            )
    return found


def segment(
    height: FloatArray,
    t: FloatArray,
    cuts: NDArray[np.intp],
    pattern: Pattern,
    rules: RepRules | None = None,
) -> list[Rep]:
    """Find the reps of a set.

    Args:
        height: (T,) shoulder height above the floor (any unit), NaN where missing.
        t: (T,) seconds.
        cuts: Frames that start a new shot.
        pattern: ``floor`` (deadlift) or ``standing`` (RDL, good morning).
        rules: Tolerances.

    Returns:
        Full and partial reps in time order; full reps numbered from 1.
    """
    rules = rules or RepRules()
    # Each shot has its own standing height: a cut may zoom in or move the camera.
    depth = np.concatenate(
        [depth_signal(height[a:b]) for a, b in segments(len(height), cuts)] or [height[:0]]
    )
    hidden = [(a, b) for a, b in runs(~np.isfinite(depth)) if t[b - 1] - t[a] > rules.max_gap_s]
    depth = _bridge(depth, t, rules)
    typical = _typical_depth(depth, rules.min_depth)
    top = max(rules.top_frac * typical, rules.min_depth / 2)
    deep = max(rules.deep_frac * typical, rules.min_depth)
    shots = _shots(depth, cuts)
    fps = 1.0 / float(np.median(np.diff(t))) if len(t) > 1 else 30.0
    per_shot = [_excursions(depth, a, b, top, rules.min_depth) for a, b in shots]
    reps = [
        rep
        for excursions in per_shot
        for rep in _PATTERNS[pattern](depth, excursions, _Depths(deep, top, typical, rules, fps))
    ]
    capped = [
        replace(r, lockout_end=min(r.lockout_end, int(np.searchsorted(t, t[r.top] + LOCKOUT_S))))
        for r in reps
    ]
    return numbered([_unseen(r, hidden, t) for r in capped])


def _unseen(rep: Rep, hidden: list[tuple[int, int]], t: FloatArray) -> Rep:
    """``rep`` with a note of the stretches of its rise the person was not seen in."""
    within = [(a, b) for a, b in hidden if a <= rep.top and b > rep.start]
    if not rep.full or not within:
        return rep
    spans = ", ".join(f"{t[a]:.1f}-{t[b - 1]:.1f} s" for a, b in within)
    return replace(rep, note=f"counted across {spans} without the person in view")


def numbered(reps: list[Rep]) -> list[Rep]:
    """``reps`` with full reps numbered from 1 and the last one marked final."""
    last = max((i for i, r in enumerate(reps) if r.full), default=-1)
    out, count = [], 0
    for i, rep in enumerate(reps):
        count += rep.full
        out.append(replace(rep, index=count if rep.full else 0, final=i == last))
    return out


@dataclass(frozen=True)
class _Depths:
    """What counts as deep in this set."""

    deep: float
    top: float
    typical: float
    rules: RepRules
    fps: float


def _standing_reps(depth: FloatArray, excursions: list[_Excursion], d: _Depths) -> list[Rep]:
    """Every excursion that returns to the top is a rep; deep enough ones are full."""
    reps = []
    for k, e in enumerate(excursions):
        lockout_end = (excursions[k + 1].start if k + 1 < len(excursions) else e.hi) - 1
        if e.open_end:
            top = e.deepest + int(np.argmin(depth[e.deepest : e.stop]))
            reps.append(Rep(0, e.start, e.deepest, top, e.stop - 1, top, False, "cut off"))
            continue
        top = _lockout(depth, e.stop, lockout_end)
        note = "shallow" if e.depth < d.deep else _rising_at_the_end(depth, e, lockout_end, d)
        after_a_cut = e.open_start and not _opens_clip(depth, e)  # after a cut or a gap
        if after_a_cut and depth[e.start] >= e.depth - d.rules.bottom_tol:
            note = "seen only from the bottom up"
        reps.append(Rep(0, e.start, e.deepest, top, top, lockout_end, not note, note))
    return reps


def _lockout(depth: FloatArray, first_up: int, lockout_end: int, tol: float = 0.02) -> int:
    """First frame from ``first_up`` on within ``tol`` of the standing phase's full height."""
    standing = depth[first_up : lockout_end + 1]
    near = np.flatnonzero(standing <= np.nanmin(standing) + tol) if len(standing) else [0]
    return first_up + int(near[0])


def _rise_start(depth: FloatArray, e: _Excursion, tol: float) -> int:
    """Last frame at the bottom before the lifter rises out of excursion ``e``."""
    near = np.flatnonzero(depth[e.deepest : e.stop] >= e.depth - tol)
    return e.deepest + int(near[-1])


def _bottom_arrival(depth: FloatArray, e: _Excursion, tol: float) -> int:
    """First frame at the bottom of excursion ``e``."""
    near = np.flatnonzero(depth[e.start : e.deepest + 1] >= e.depth - tol)
    return e.start + int(near[0])


def _floor_reps(depth: FloatArray, excursions: list[_Excursion], d: _Depths) -> list[Rep]:
    """Each excursion's rise to lockout is a rep; its lowering is in the next excursion."""
    tol = d.rules.bottom_tol
    reps: list[Rep] = []
    for k, e in enumerate(excursions):
        following = excursions[k + 1] if k + 1 < len(excursions) else None
        lockout_end = (following.start if following else e.hi) - 1
        start = _rise_start(depth, e, tol)
        if e.open_end:
            if depth[e.stop - 1] < e.depth - max(tol, (e.depth - d.top) / 2):
                reps.append(
                    Rep(0, start, start, e.stop - 1, e.stop - 1, e.stop - 1, False, "cut off")
                )
            elif not reps:  # no lift before: the bar is lowered and never lifted again
                reps.append(
                    Rep(0, e.start, e.deepest, e.start, e.stop - 1, e.start, False, "lowering only")
                )
            continue
        top = _lockout(depth, e.stop, lockout_end)
        end = _bottom_arrival(depth, following, tol) if following else lockout_end
        note = _floor_partial(depth, e, d) or _rising_at_the_end(depth, e, lockout_end, d)
        reps.append(Rep(0, start, start, top, end, lockout_end, not note, note))
    return reps


def _rising_at_the_end(depth: FloatArray, e: _Excursion, lockout_end: int, d: _Depths) -> str:
    """A note when the clip ends with the lifter still rising out of ``e``, short of lockout.

    Short of lockout: still rising (higher by ``bottom_tol`` over the last fifth
    of a second) and lower by ``bottom_tol`` than they stood before in the clip.
    A clip that ends as the lifter stands tallest ends at lockout.
    """
    if lockout_end != e.hi - 1 or np.isfinite(depth[e.hi :]).any():  # not the clip's end
        return ""
    tol = d.rules.bottom_tol
    earlier = max(e.stop - 1, lockout_end - max(1, round(0.2 * d.fps)))
    rising = depth[earlier] - depth[lockout_end] > tol
    short = depth[lockout_end] > np.nanmin(depth[: e.hi]) + tol
    return "cut off before lockout" if rising and short else ""


def _floor_partial(depth: FloatArray, e: _Excursion, d: _Depths) -> str:
    """Why the rise out of ``e`` is not a full rep ("" when it is one)."""
    if e.open_start and not _seen_set_up(depth, e, d):
        # Seen still at the bottom first, the pull counts; seen already on the way
        # up from above the set's usual bottom, or already rising at speed, it does not.
        soon = min(e.start + max(1, round(0.2 * d.fps)), e.stop - 1)
        rising_at_once = depth[e.start] - depth[soon] > d.rules.bottom_tol
        below_bottom = depth[e.start] < d.typical - 2 * d.rules.bottom_tol
        flying = _opens_clip(depth, e) and _in_flight(depth, e, d)
        if depth[e.start] < d.deep or (rising_at_once and below_bottom) or flying:
            return "clip opens mid-pull"
    return "shallow" if e.depth < d.deep else ""


def _seen_set_up(depth: FloatArray, e: _Excursion, d: _Depths) -> bool:
    """Whether the clip shows the lifter bending down to the bar before the pull out of ``e``.

    Going down into the bottom and resting there before rising: the lift-off is seen.
    """
    tol = d.rules.bottom_tol
    arrival = _bottom_arrival(depth, e, tol)
    descent = depth[arrival] - depth[e.start] > 2 * tol
    return bool(descent and _rise_start(depth, e, tol) > arrival)


def _opens_clip(depth: FloatArray, e: _Excursion) -> bool:
    """Whether ``e`` starts with the first frame the person is seen in (no cut or gap before)."""
    return not np.isfinite(depth[: e.start]).any()


def _in_flight(depth: FloatArray, e: _Excursion, d: _Depths) -> bool:
    """Whether the first tenth of a second of ``e`` already rises at half its top speed or more.

    A bar pulled from the floor starts from rest: over its first tenth of a
    second it rises far slower than at its fastest, reached later in the pull.
    """
    step = max(1, round(0.1 * d.fps))
    rises = depth[e.start : e.stop - step] - depth[e.start + step : e.stop]
    return len(rises) > 1 and rises[0] >= 0.5 * float(np.max(rises)) > d.rules.bottom_tol


_PATTERNS: dict[Pattern, Callable[[FloatArray, list[_Excursion], _Depths], list[Rep]]] = {
    "floor": _floor_reps,
    "standing": _standing_reps,
}


def rises(
    signal: FloatArray, t: FloatArray, cuts: NDArray[np.intp], min_rise: float, share: float
) -> list[Rep]:
    """Reps as rises of ``signal`` (high at the top): a glute bridge's hips going up.

    A rep is a peak standing at least ``min_rise`` above the troughs around it
    (its prominence), and at least ``share`` of the set's median rise: a bridge
    that stops well short of the top is still a rep (its checks judge it), a
    shuffle at the bottom is none. It runs from the lowest frame since the
    previous peak (``start``, ``bottom``) over the top (``top``: the first frame
    within ``min_rise / 2`` of the peak; ``lockout_end``: the last) to the lowest
    frame before the next peak. A clip that opens at the top gives a partial rep
    (the lowering only), as does one that ends while the hips are still rising;
    one that ends with the hips held up is full.

    Args:
        signal: (T,) NaN where unknown.
        t: (T,) seconds.
        cuts: Frames that start a new shot.
        min_rise: Least rise of a rep, in the signal's unit.
        share: Least rise as a share of the set's median rise.
    """
    found: list[tuple[int, int, int, float, str]] = []  # start, peak, end, rise, note
    for a, b in segments(len(signal), cuts):
        for lo, hi in ((a + s, a + e) for s, e in runs(np.isfinite(signal[a:b]))):
            found += _shot_rises(signal[lo:hi], t[lo:hi], lo, min_rise)
    if not found:
        return []
    typical = float(np.median([f[3] for f in found]))
    reps = []
    for start, peak, end, rise, note in found:
        if rise < share * typical:
            continue
        up = signal[start : end + 1] >= signal[peak] - min_rise / 2
        top = start + int(np.argmax(up))
        after = np.flatnonzero(~up[peak - start :])
        lockout_end = peak + (int(after[0]) - 1 if len(after) else end - peak)
        reps.append(Rep(0, start, start, top, end, max(lockout_end, top), not note, note))
    return numbered(reps)


def _shot_rises(
    piece: FloatArray, t: FloatArray, offset: int, min_rise: float
) -> list[tuple[int, int, int, float, str]]:
    """(start, peak, end, rise, note) of every rise within one shot (frames of the set)."""
    low = float(np.min(piece))  # padding: a top at either end of the shot is a peak
    candidates, _ = find_peaks(np.r_[low, piece, low], prominence=min_rise)
    peaks: list[int] = []
    for peak in (int(c) - 1 for c in candidates):
        # Two maxima of one top (a held top wobbles) have no real trough between them.
        if (
            peaks
            and np.min(piece[peaks[-1] : peak + 1]) > min(piece[peaks[-1]], piece[peak]) - min_rise
        ):
            if piece[peak] > piece[peaks[-1]]:
                peaks[-1] = peak
            continue
        peaks.append(peak)
    out = []
    for k, peak in enumerate(peaks):
        before = peaks[k - 1] if k else 0
        after = peaks[k + 1] if k + 1 < len(peaks) else len(piece) - 1
        start = before + int(np.argmin(piece[before : peak + 1]))
        end = peak + int(np.argmin(piece[peak : after + 1]))
        up, down = float(piece[peak] - piece[start]), float(piece[peak] - piece[end])
        if k == 0 and up < min_rise:  # seen first already up: the lowering only
            note, rise = "clip opens at the top", down
        elif k + 1 == len(peaks) and down < min_rise:  # the shot ends with the hips up
            note, rise = _still_rising(piece, t, peak, min_rise), up
        else:
            note, rise = "", min(up, down)
        out.append((offset + start, offset + peak, offset + end, rise, note))
    return out


def _still_rising(piece: FloatArray, t: FloatArray, peak: int, min_rise: float) -> str:
    """A note when the shot ends at ``peak`` with the hips still on the way up."""
    if peak < len(piece) - 1:
        return ""
    earlier = int(np.searchsorted(t, t[peak] - 0.2))
    return "cut off while rising" if piece[peak] - piece[earlier] > min_rise / 4 else ""
