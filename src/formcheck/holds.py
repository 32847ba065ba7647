"""Timed holds (planks and their relatives), frame by frame.

Everything here runs on one frame at a time over a short rolling window, so the
offline analysis (:func:`find_holds`) and a live webcam loop share the same
code: feed each frame's landmarks to :meth:`HoldTracker.update`, read
:attr:`HoldTracker.now` for live cues, and :meth:`HoldTracker.finish` for the
holds.

Geometry (pixels, y down):

* the *body line* runs from the shoulder to the ankle (to the knee for a bridge);
* the *hip deviation* is the bend of that line at the hip, in degrees, signed:
  negative where the hip is below the line (towards the floor: a sag), positive
  where it is above (a pike); also as the hip's distance from the line in % of
  the line's length;
* the *head drop* is how far the ear hangs below the hip-to-shoulder line
  carried on past the shoulder, in degrees (negative: the head is raised).

A frame is *in position* when the body line lies as the exercise expects, the
legs are as straight (or bent) as it needs, what should carry the body does, the
camera sees the line from a usable angle, and the hips are still. A hold is a
spell of such frames: brief lapses are bridged, frames that cannot show the
line (the person out of sight, or seen from the front) do not end it, and spells
too short to be a hold are dropped, so getting down and getting up are not part
of it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from formcheck import angles
from formcheck.conditioning import Conditioning, condition
from formcheck.kinematics import View, ViewLabel, near_side, view_from_width
from formcheck.series import PoseSeries
from formcheck.skeleton import INDEX

FloatArray = NDArray[np.float64]

#: Lapses out of position shorter than this (s) do not end a hold...
BRIDGE_S = 0.7
#: ...and a hold lasts at least this long (s)...
MIN_HOLD_S = 3.0
#: ...unless it fills the whole clip, in position from its first frames to its
#: last: no getting down or up is in it to mistake for a hold.
MIN_WHOLE_CLIP_S = 1.0
#: The hip deviation is the median over this many seconds (the live cue lags by half).
SMOOTH_S = 0.5
#: A fault is past its line for at least this long (s); shorter dips are bridged.
#: Under 2 s it is a wobble, or the high hips of getting into and out of position.
MIN_FAULT_S = 2.0
#: A live cue is called once the smoothed deviation has been past its line this long:
#: a coach calls it as soon as it shows; the interval reported needs MIN_FAULT_S.
CUE_S = 0.1
FAULT_BRIDGE_S = 0.5
#: Fatigue onset: the first spell of at least FATIGUE_S seconds in which the hips sit
#: FATIGUE_DROP_DEG lower than over the hold's first BASELINE_S (after SETTLE_S).
FATIGUE_DROP_DEG = 3.0
FATIGUE_S = 2.0
SETTLE_S = 0.5
BASELINE_S = 2.0
#: Hips that moved faster than this over the last SMOOTH_S (body-line lengths per
#: second) are not holding still.
STILL_SPEED = 0.08
#: An arm carries the body when the lower of its elbow and wrist sits within this
#: angle (deg) of straight below the shoulder.
ARM_SUPPORT_DEG = 40.0


@dataclass(frozen=True)
class Position:
    """How one kind of hold looks.

    Attributes:
        end: Where the body line ends: ``ankle`` (legs straight) or ``knee`` (bridge).
        points: ``near`` uses the side nearer the camera (the line seen from the
            side); ``mid`` the midpoint of both sides (a side plank seen from the front).
        rise_deg: Range of the body line's rise from the shoulders towards its end,
            degrees from horizontal (+ the end higher than the shoulders).
        knee_deg: Range of the knee angle (180 = straight).
        deviation_deg: Range of hip deviation that is still the hold (beyond it the
            hips rest on the floor, or the body folds into another shape).
        arm_support: An arm under the shoulder carries the upper body.
        knee_lift: Least height of the knee above the floor line, in body-line
            lengths (None: not checked). Lying prone, or on the knees, it is near 0.
        views: Camera views from which the body line can be seen.
    """

    end: Literal["ankle", "knee"]
    points: Literal["near", "mid"]
    rise_deg: tuple[float, float]
    knee_deg: tuple[float, float]
    deviation_deg: tuple[float, float]
    arm_support: bool
    knee_lift: float | None
    views: tuple[ViewLabel, ...]

    def __post_init__(self) -> None:
        for name in ("rise_deg", "knee_deg", "deviation_deg"):
            lo, hi = getattr(self, name)
            if not lo < hi:
                raise ValueError(f"{name} must be (low, high) with low < high, got {(lo, hi)}")


@dataclass(frozen=True)
class BodyLine:
    """Per-frame geometry of the body line; every array is (T,), NaN where unknown.

    Attributes:
        deviation_deg: Signed bend at the hip (- sag, + pike).
        deviation_pct: Signed distance of the hip from the line, % of its length.
        rise_deg: The line's rise from the shoulders to its end (+ end higher).
        knee_deg: Knee angle.
        arm_deg: Angle of the supporting arm from straight down (NaN: no arm below).
        head_drop_deg: Ear below the hip-to-shoulder line (+ dropped).
        knee_lift: Knee above the floor line (from the lowest elbow or wrist to the
            lowest point of the leg), in body-line lengths.
        length: The line's length in pixels.
        width: Apparent shoulder width over trunk length (see ``kinematics``).
        hip: (T, 2) hip position in pixels.
    """

    deviation_deg: FloatArray
    deviation_pct: FloatArray
    rise_deg: FloatArray
    knee_deg: FloatArray
    arm_deg: FloatArray
    head_drop_deg: FloatArray
    knee_lift: FloatArray
    length: FloatArray
    width: FloatArray
    hip: FloatArray


def _up_normal(d: FloatArray) -> FloatArray:
    """Unit normals of the (T, 2) directions ``d`` that point up the image."""
    n = np.stack([-d[:, 1], d[:, 0]], axis=-1) / np.linalg.norm(d, axis=-1, keepdims=True)
    return np.asarray(np.where(n[:, 1:] > 0, -n, n), np.float64)


def body_line(xy: NDArray[np.floating], side: angles.Side, end: str) -> BodyLine:
    """Measure the body line in (T, 33, 2) landmarks on ``side``."""
    shoulder, hip, tip = (angles.point(xy, p, side) for p in ("shoulder", "hip", end))
    with np.errstate(invalid="ignore", divide="ignore"):
        d = tip - shoulder
        length = np.linalg.norm(d, axis=-1)
        rel = hip - shoulder
        off = (rel * _up_normal(d)).sum(axis=-1)
        along = (rel * d).sum(axis=-1) / length
        deviation = np.degrees(np.arctan2(off, along) + np.arctan2(off, length - along))
        rise = np.degrees(np.arctan2(shoulder[:, 1] - tip[:, 1], np.abs(d[:, 0])))
        trunk = shoulder - hip
        head = angles.point(xy, "ear", side) - shoulder
        head_off = (head * _up_normal(trunk)).sum(axis=-1)
        head_along = (head * trunk).sum(axis=-1) / np.linalg.norm(trunk, axis=-1)
        knee = angles.joint_angle(
            hip, angles.point(xy, "knee", side), angles.point(xy, "ankle", side)
        )
        return BodyLine(
            deviation_deg=deviation,
            deviation_pct=100 * off / length,
            rise_deg=rise,
            knee_deg=knee,
            arm_deg=_arm_angle(xy, shoulder, length),
            head_drop_deg=-np.degrees(np.arctan2(head_off, head_along)),
            knee_lift=_knee_lift(xy, side) / length,
            length=length,
            width=_shoulder_width(xy),
            hip=hip,
        )


def _arm_angle(xy: NDArray[np.floating], shoulder: FloatArray, length: FloatArray) -> FloatArray:
    """Angle from straight down of the arm whose elbow or wrist is lowest; NaN if none is."""
    best = np.full(len(shoulder), np.nan)
    for name in ("left_elbow", "right_elbow", "left_wrist", "right_wrist"):
        v = np.asarray(xy[:, INDEX[name]], np.float64) - shoulder
        below = v[:, 1] > 0.1 * length
        angle = np.degrees(np.arctan2(np.abs(v[:, 0]), v[:, 1]))
        best = np.where(below & ~(angle >= best), angle, best)
    return best


def _lowest(xy: NDArray[np.floating], names: list[str]) -> FloatArray:
    """(T, 2) the lowest in the image (largest y) of the named landmarks."""
    points = np.stack([np.asarray(xy[:, INDEX[n]], np.float64) for n in names])
    y = np.where(np.isfinite(points[..., 1]), points[..., 1], -np.inf)
    lowest = points[np.argmax(y, axis=0), np.arange(points.shape[1])]
    seen = np.any(np.isfinite(y), axis=0)
    return np.asarray(np.where(seen[:, None], lowest, np.nan), np.float64)


def _knee_lift(xy: NDArray[np.floating], side: angles.Side) -> FloatArray:
    """(T,) pixels from the floor line up to the knee.

    The floor line runs from the lowest elbow or wrist to the lowest point of the leg.
    """
    sides = ("left", "right") if side == "mid" else (side,)
    arm = _lowest(xy, [f"{s}_{p}" for s in ("left", "right") for p in ("elbow", "wrist")])
    leg = _lowest(xy, [f"{s}_{p}" for s in sides for p in ("knee", "ankle", "heel", "foot_index")])
    knee = angles.point(xy, "knee", side)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(((knee - arm) * _up_normal(leg - arm)).sum(axis=-1), np.float64)


def _shoulder_width(xy: NDArray[np.floating]) -> FloatArray:
    """(T,) distance between the shoulders over trunk length.

    The whole distance, not only its horizontal part as for a standing lifter
    (``kinematics.shoulder_width``): a side plank seen from the front stacks its
    shoulders one above the other.
    """
    left, right = xy[:, INDEX["left_shoulder"]], xy[:, INDEX["right_shoulder"]]
    hips = (xy[:, INDEX["left_hip"]] + xy[:, INDEX["right_hip"]]) / 2
    trunk = np.linalg.norm((left + right) / 2 - hips, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        width = np.linalg.norm(left - right, axis=-1) / trunk
    return np.asarray(width, np.float64)


def view_of(xy: NDArray[np.floating]) -> View:
    """The camera view of (T, 33, 2) landmarks, from their median shoulder width."""
    widths = _shoulder_width(xy)
    width = float(np.median(widths[np.isfinite(widths)])) if np.isfinite(widths).any() else np.nan
    return view_from_width(width)


def unseen_spans(
    xy: NDArray[np.floating], t: NDArray[np.floating], views: tuple[ViewLabel, ...]
) -> list[tuple[float, float]]:
    """Spells of at least ``MIN_HOLD_S`` when a person is in sight but not from ``views``."""
    spells = Spells(BRIDGE_S, MIN_HOLD_S)
    widths = _shoulder_width(xy)
    for when, width in zip(t, widths, strict=True):
        spells.update(
            float(when), bool(np.isfinite(width)) and view_from_width(width).label not in views
        )
    spells.close()
    return spells.spells


def in_position(line: BodyLine, position: Position) -> NDArray[np.bool_]:
    """(T,) frames whose shape is the hold's (stillness and view are judged over time)."""

    def within(values: FloatArray, bounds: tuple[float, float]) -> NDArray[np.bool_]:
        with np.errstate(invalid="ignore"):
            return np.asarray((values >= bounds[0]) & (values <= bounds[1]))

    ok = within(line.rise_deg, position.rise_deg) & within(line.knee_deg, position.knee_deg)
    ok &= within(line.deviation_deg, position.deviation_deg)
    if position.arm_support:
        ok &= within(line.arm_deg, (0.0, ARM_SUPPORT_DEG))
    if position.knee_lift is not None:
        ok &= within(line.knee_lift, (position.knee_lift, np.inf))
    return ok


class Spells:
    """Spells of a condition in a stream of frames.

    Runs of frames where the condition holds; gaps of at most ``bridge_s`` are
    bridged, and a spell is kept when it lasts at least ``min_s``.
    """

    def __init__(self, bridge_s: float, min_s: float) -> None:
        self.bridge_s, self.min_s = bridge_s, min_s
        self.spells: list[tuple[float, float]] = []
        self._open: list[float] | None = None  # [start, last frame on]
        self._unknown_s = 0.0  # of the time since the last frame on
        self._last_t = -np.inf

    def update(self, t: float, on: bool, unknown: bool = False) -> tuple[float, float] | None:
        """Feed one frame; returns a spell that this frame showed to be over.

        ``unknown``: the frame cannot tell whether the condition holds; its time
        does not count towards the gap that ends a spell.
        """
        ended = None
        if self._open and unknown:
            self._unknown_s += t - self._last_t
        if self._open and t - self._open[1] - self._unknown_s > self.bridge_s:
            ended = self._close()
        self._last_t = t
        if on:
            self._unknown_s = 0.0
            if self._open is None:
                self._open = [t, t]
            self._open[1] = t
        return ended

    def close(self, min_s: float | None = None) -> tuple[float, float] | None:
        """End of the stream (or of the shot): close the open spell (kept from ``min_s``)."""
        return self._close(min_s) if self._open else None

    def _close(self, min_s: float | None = None) -> tuple[float, float] | None:
        assert self._open is not None
        start, end = self._open
        self._open, self._unknown_s = None, 0.0
        if end - start < (self.min_s if min_s is None else min_s):
            return None
        self.spells.append((start, end))
        return start, end

    @property
    def open_since(self) -> float | None:
        """Start of the open spell, if any."""
        return self._open[0] if self._open else None

    def running(self, t: float) -> float:
        """Seconds the open spell has lasted at ``t`` (0 when none is open)."""
        if self._open and t - self._open[1] - self._unknown_s <= self.bridge_s:
            return t - self._open[0]
        return 0.0


@dataclass(frozen=True)
class HoldLimits:
    """The lines a hold is judged by, as signed hip deviations in degrees.

    Attributes:
        sag_deg: A deviation at or below this (negative) is a sag.
        pike_deg: A deviation at or above this (positive) is a pike.
        sag_major_deg: A sag this far past its line is major, a smaller one minor.
        pike_major_deg: The same for a pike.
    """

    sag_deg: float
    pike_deg: float
    sag_major_deg: float = 5.0
    pike_major_deg: float = 5.0

    def __post_init__(self) -> None:
        if not self.sag_deg < 0 < self.pike_deg:
            raise ValueError(f"need sag_deg < 0 < pike_deg, got {self.sag_deg}, {self.pike_deg}")


@dataclass(frozen=True)
class Interval:
    """A fault over part of a hold: the code, its span and its worst value.

    Attributes:
        code: ``hip_sag`` or ``hip_pike``.
        start_s: First second past the line.
        end_s: Last second past the line.
        value_deg: The worst signed hip deviation in the span.
        value_pct: The hip's distance from the line at that moment, % of its length.
        threshold_deg: The line it crossed (signed, like the value).
        severity: ``major`` when past the line by its major gap (see
            :class:`HoldLimits`), else ``minor``.
    """

    code: str
    start_s: float
    end_s: float
    value_deg: float
    value_pct: float
    threshold_deg: float
    severity: Literal["minor", "major"]


@dataclass(frozen=True)
class Hold:
    """One hold, measured.

    Attributes:
        start_s: When the position was reached.
        end_s: When it was left.
        faults: The fault intervals, in time order.
        good_form_s: Time in the hold outside every fault interval.
        fatigue_onset_s: Start of the first sustained sag below the hold's own
            early level (None: none).
        view: The camera view over the hold.
        metrics: Numbers over the hold (median and extremes of the deviation, head drop).
    """

    start_s: float
    end_s: float
    faults: tuple[Interval, ...]
    good_form_s: float
    fatigue_onset_s: float | None
    view: ViewLabel
    metrics: dict[str, float] = field(default_factory=dict)

    @property
    def duration_s(self) -> float:
        """Time in the hold."""
        return self.end_s - self.start_s


@dataclass(frozen=True)
class Now:
    """The state of the tracker at the latest frame, for live cues and a hold timer.

    Attributes:
        holding: The person is in a hold.
        elapsed_s: Seconds in the current hold (0 when not holding).
        good_form_s: Seconds of it outside fault intervals so far.
        deviation_deg: The smoothed hip deviation (NaN when not holding).
        fault: The fault code past its line for at least ``MIN_FAULT_S`` now, or None.
        cue: The fault code past its line for at least ``CUE_S`` now (what a live
            cue calls), or None.
    """

    holding: bool = False
    elapsed_s: float = 0.0
    good_form_s: float = 0.0
    deviation_deg: float = float("nan")
    fault: str | None = None
    cue: str | None = None


class _Building:
    """A hold being measured, frame by frame, from its first frame in position."""

    def __init__(self, start: float, limits: HoldLimits) -> None:
        self.start, self.limits = start, limits
        self.t: list[float] = []
        self.deviation: list[float] = []
        self.pct: list[float] = []
        self.head: list[float] = []
        self.width: list[float] = []
        self._window: deque[tuple[float, float, float]] = deque()
        self.faults = {
            "hip_sag": Spells(FAULT_BRIDGE_S, MIN_FAULT_S),
            "hip_pike": Spells(FAULT_BRIDGE_S, MIN_FAULT_S),
        }
        self.fatigue = Spells(FAULT_BRIDGE_S, FATIGUE_S)
        self.baseline: float | None = None

    def add(self, t: float, line: BodyLine) -> None:
        self._window.append((t, float(line.deviation_deg[0]), float(line.deviation_pct[0])))
        while t - self._window[0][0] > SMOOTH_S:
            self._window.popleft()
        deviation = float(np.median([d for _, d, _ in self._window]))
        self.t.append(t)
        self.deviation.append(deviation)
        self.pct.append(float(np.median([p for _, _, p in self._window])))
        self.head.append(float(line.head_drop_deg[0]))
        self.width.append(float(line.width[0]))
        self.faults["hip_sag"].update(t, deviation <= self.limits.sag_deg)
        self.faults["hip_pike"].update(t, deviation >= self.limits.pike_deg)
        if self.baseline is None and t - self.start >= SETTLE_S + BASELINE_S:
            times = np.asarray(self.t)
            early = (times >= self.start + SETTLE_S) & (times <= self.start + SETTLE_S + BASELINE_S)
            self.baseline = float(np.median(np.asarray(self.deviation)[early]))
        if self.baseline is not None:
            self.fatigue.update(t, deviation <= self.baseline - FATIGUE_DROP_DEG)

    def fault_now(self, t: float, least_s: float = MIN_FAULT_S) -> str | None:
        """The fault whose line the deviation has been past for ``least_s`` by ``t``."""
        return next((c for c, s in self.faults.items() if s.running(t) >= least_s), None)

    def good_form(self, until: float) -> float:
        spells = [s for f in self.faults.values() for s in f.spells]
        running = sum(r for f in self.faults.values() if (r := f.running(until)) >= f.min_s)
        return until - self.start - sum(b - a for a, b in spells) - running

    def _interval(self, code: str, a: float, b: float, value: float, pct: float) -> Interval:
        lim = self.limits
        line, gap = (
            (lim.sag_deg, lim.sag_major_deg)
            if code == "hip_sag"
            else (lim.pike_deg, lim.pike_major_deg)
        )
        major = abs(value - line) >= gap
        return Interval(code, a, b, float(value), float(pct), line, "major" if major else "minor")

    def finish(self, end: float) -> Hold:
        for spells in (*self.faults.values(), self.fatigue):
            spells.close()
        times = np.asarray(self.t)
        deviation, pct = np.asarray(self.deviation), np.asarray(self.pct)
        intervals = []
        for code, spells in self.faults.items():
            for a, b in spells.spells:
                span = (times >= a) & (times <= b)
                worst = int(np.flatnonzero(span)[np.argmax(np.abs(deviation[span]))])
                intervals.append(self._interval(code, a, b, deviation[worst], pct[worst]))
        intervals.sort(key=lambda i: i.start_s)
        faulty = sum(i.end_s - i.start_s for i in intervals)
        return Hold(
            start_s=self.start,
            end_s=end,
            faults=tuple(intervals),
            good_form_s=max(0.0, end - self.start - faulty),
            fatigue_onset_s=self.fatigue.spells[0][0] if self.fatigue.spells else None,
            view=view_from_width(float(np.nanmedian(self.width))).label,
            metrics=_metrics(deviation, pct, np.asarray(self.head)),
        )


def _metrics(deviation: FloatArray, pct: FloatArray, head: FloatArray) -> dict[str, float]:
    def median(values: FloatArray) -> float:
        finite = values[np.isfinite(values)]
        return float(np.median(finite)) if len(finite) else float("nan")

    return {
        "median_deviation_deg": median(deviation),
        "min_deviation_deg": float(deviation.min()),
        "max_deviation_deg": float(deviation.max()),
        "median_deviation_pct": median(pct),
        "min_deviation_pct": float(pct.min()),
        "max_deviation_pct": float(pct.max()),
        "median_head_drop_deg": median(head),
    }


class HoldTracker:
    """Find and measure holds in a stream of frames.

    Args:
        position: What the hold looks like.
        limits: The sag and pike lines.
        side: The body side to measure for a ``near`` position; None: the side
            the model has seen better so far.
    """

    def __init__(
        self, position: Position, limits: HoldLimits, side: angles.Side | None = None
    ) -> None:
        self.position, self.limits, self.side = position, limits, side
        self.holds: list[Hold] = []
        self._spells = Spells(BRIDGE_S, MIN_HOLD_S)
        self._building: _Building | None = None
        self._seen = np.zeros(2)
        self._recent: deque[tuple[float, FloatArray, float]] = deque()  # t, hip, width
        self._t = self._first_t = -np.inf

    def update(self, t: float, xy: NDArray[np.floating], visibility: NDArray[np.floating]) -> Now:
        """Feed one frame: ``xy`` (33, 2) pixels (NaN where unseen), ``visibility`` (33,)."""
        line = body_line(
            np.asarray(xy, np.float64)[None], self._side(visibility), self.position.end
        )
        placed = bool(in_position(line, self.position)[0])
        ok = placed and self._steady(t, line)
        if self._first_t == -np.inf:
            self._first_t = t
        # Out of sight, or seen from an angle it cannot be read from (a plank
        # from the front), the line does not show the hold ended.
        ended = self._spells.update(t, ok, unknown=not placed and not self._readable(line))
        self._settle(ended)
        if ok:
            if self._building is None:
                self._building = _Building(t, self.limits)
            self._building.add(t, line)
        self._t = t
        return self.now

    def cut(self) -> None:
        """A new shot starts: close what is open and forget the motion."""
        self._settle(self._spells.close())
        self._recent.clear()

    def finish(self) -> list[Hold]:
        """End of the stream: close what is open and return every hold found.

        A spell open since the clip's first frames (as soon as the hips could be
        seen still) is a hold from :data:`MIN_WHOLE_CLIP_S`.
        """
        since = self._spells.open_since
        whole = since is not None and since - self._first_t <= SMOOTH_S + BRIDGE_S
        self._settle(self._spells.close(MIN_WHOLE_CLIP_S if whole else None))
        self._recent.clear()
        return list(self.holds)

    @property
    def now(self) -> Now:
        """The state at the latest frame."""
        b, t = self._building, self._t
        if b is None or not self._spells.running(t):
            return Now()
        return Now(
            True,
            t - b.start,
            b.good_form(t),
            b.deviation[-1],
            b.fault_now(t),
            b.fault_now(t, CUE_S),
        )

    def _settle(self, ended: tuple[float, float] | None) -> None:
        """Turn the spell that ended into a hold, or drop the frames of one too short."""
        b = self._building
        if b is not None and self._spells.open_since != b.start:
            if ended is not None and ended[0] == b.start:
                self.holds.append(b.finish(ended[1]))
            self._building = None

    def _side(self, visibility: NDArray[np.floating]) -> angles.Side:
        if self.position.points == "mid":
            return "mid"
        if self.side is not None:
            return self.side
        names = ("shoulder", "hip", "ankle")
        for i, s in enumerate(("left", "right")):
            self._seen[i] += float(
                np.sum(np.asarray(visibility)[[INDEX[f"{s}_{p}"] for p in names]])
            )
        return "left" if self._seen[0] >= self._seen[1] else "right"

    def _steady(self, t: float, line: BodyLine) -> bool:
        """Hips still and the camera at a usable angle, over the last ``SMOOTH_S``."""
        self._recent.append((t, line.hip[0], float(line.width[0])))
        while t - self._recent[0][0] > SMOOTH_S:
            self._recent.popleft()
        (start, hip0, _) = self._recent[0]
        elapsed = t - start
        widths = [w for _, _, w in self._recent if np.isfinite(w)]
        if not elapsed or not widths:
            return False
        speed = np.linalg.norm(line.hip[0] - hip0) / elapsed / line.length[0]
        view = view_from_width(float(np.median(widths))).label
        return bool(speed <= STILL_SPEED) and view in self.position.views

    def _readable(self, line: BodyLine) -> bool:
        """Whether this frame shows the whole line from an angle it can be read from."""
        width = float(line.width[0])
        if not (np.isfinite(width) and np.isfinite(line.rise_deg[0])):
            return False
        return view_from_width(width).label in self.position.views


def hold_side(series: PoseSeries, position: Position) -> angles.Side:
    """The side a hold is measured on: the one nearer the camera, or both averaged."""
    return near_side(series.visibility) if position.points == "near" else "mid"


def find_holds(
    series: PoseSeries,
    position: Position,
    limits: HoldLimits,
    conditioning: Conditioning | None = None,
    conditioned: tuple[NDArray[np.float64], NDArray[np.intp]] | None = None,
) -> list[Hold]:
    """Every hold in a recorded series: conditioned landmarks fed to a :class:`HoldTracker`.

    A scene cut ends any hold in progress; the next shot starts afresh.
    ``conditioned``: the series' landmarks and cuts already conditioned.
    """
    xy, cuts = conditioned or condition(series.xy, series.visibility, series.t, conditioning)
    side = hold_side(series, position)
    tracker = HoldTracker(position, limits, side)
    starts = set(cuts.tolist())
    for i, t in enumerate(series.t):
        if i in starts:
            tracker.cut()
        tracker.update(float(t), xy[i], series.visibility[i])
    return tracker.finish()
