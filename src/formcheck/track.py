"""The per-frame values an output draws: the checked side's points and what the checks read.

The analysis fills a :class:`Track` so that annotated videos, plots and live
overlays draw measured values and never compute them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from formcheck import spine
from formcheck.checks import check_of
from formcheck.kinematics import Kinematics
from formcheck.report import RepResult
from formcheck.thresholds import Thresholds

FloatArray = NDArray[np.float64]
#: The straight line a drawing shows next to the body: vertical through the hips
#: (standing), or the line from the shoulders to the ankles or knees (lying, holds).
Guide = Literal["vertical", "ankle", "knee"]


@dataclass(frozen=True)
class Line:
    """Where a fault begins on a channel: ``code``'s threshold, in the channel's terms."""

    code: str
    value: float


@dataclass(frozen=True)
class Channel:
    """One per-frame value the checks read.

    Attributes:
        name: A short key (``trunk``, ``hip``, ``deviation``...).
        label: What it is, for people.
        unit: ``deg``, ``% leg`` or ``cm``.
        values: (T,) values, NaN where unknown.
        lines: The thresholds of the faults judged on it.
    """

    name: str
    label: str
    unit: str
    values: FloatArray = field(repr=False)
    lines: tuple[Line, ...] = ()


@dataclass(frozen=True)
class Track:
    """Per-frame drawing data of one analysed set.

    Attributes:
        t: (T,) seconds.
        xy: (T, 33, 2) conditioned landmarks in pixels, NaN where missing.
        side: The side checked: ``left``, ``right`` or ``mid`` (both averaged).
        channels: What the checks read, the most telling first.
        guide: The straight line to draw next to the body.
    """

    t: FloatArray = field(repr=False)
    xy: FloatArray = field(repr=False)
    side: str
    channels: tuple[Channel, ...]
    guide: Guide

    def __post_init__(self) -> None:
        n = len(self.t)
        if self.xy.shape != (n, 33, 2):
            raise ValueError(f"xy must be ({n}, 33, 2), got {self.xy.shape}")
        for c in self.channels:
            if c.values.shape != (n,):
                raise ValueError(f"channel {c.name} must be ({n},), got {c.values.shape}")


def of_reps(
    kin: Kinematics, checks: Sequence[str], limits: Thresholds, reps: Sequence[RepResult]
) -> Track:
    """The track of a set of reps: the trunk and joint angles, and each check's channel."""
    v = limits.values
    lying = kin.hip_line is not None
    channels: list[Channel] = []
    if lying:
        assert kin.hip_line is not None
        lines = [Line("incomplete_lockout", -v["incomplete_lockout"])]
        lines += [Line("over_arch", v["over_arch"])] if "over_arch" in checks else []
        channels.append(
            Channel(
                "hip_line", "hips against the shoulder-knee line", "deg", kin.hip_line, tuple(lines)
            )
        )
    else:
        # each line goes on the channel its check reads: a swing's squat_pattern reads
        # the hips' share of the bend (per cent), not the trunk
        read = {c: check_of(limits.exercise, c) for c in ("squat_pattern", "incomplete_lockout")}
        lines = [Line(c, v[c]) for c, check in read.items() if c in checks and check.unit == "deg"]
        lines += [Line("lean_back", -v["lean_back"])] if "lean_back" in checks else []
        channels.append(
            Channel("trunk", "trunk from vertical (+ forward)", "deg", kin.trunk, tuple(lines))
        )
        if "squat_pattern" in checks and read["squat_pattern"].unit == "%":
            share = Line("squat_pattern", v["squat_pattern"])
            channels.append(
                Channel("hip_share", "hips' share of the bend", "%", kin.hip_share(), (share,))
            )
    bow = _back_bow(kin, checks, limits, reps)
    channels += [bow] if bow is not None else []
    channels.append(Channel("hip", "hip angle", "deg", kin.angles["hip"]))
    channels.append(Channel("knee", "knee angle", "deg", kin.angles["knee"]))
    if "bar_drift" in checks:
        channels.append(
            Channel(
                "bar_ahead",
                "hands ahead of where they left the floor",
                "% leg",
                _bar_ahead(kin, reps),
                (Line("bar_drift", v["bar_drift"]),),
            )
        )
    if "free_leg_line" in checks:
        channels.append(
            Channel(
                "free_bend",
                "trunk to free leg",
                "deg",
                kin.free_bend,
                (Line("free_leg_line", v["free_leg_line"]),),
            )
        )
    return Track(kin.t, kin.xy, kin.side, tuple(channels), "knee" if lying else "vertical")


def _bar_ahead(kin: Kinematics, reps: Sequence[RepResult]) -> NDArray[np.float64]:
    """How far the hands travel ahead of their lowest point, rep by rep (NaN between reps)."""
    ahead = np.full(len(kin.t), np.nan)
    for rep in reps:
        start, end = np.searchsorted(kin.t, [rep.start_s, rep.end_s])
        span = slice(int(start), min(int(end), len(kin.t) - 1) + 1)
        ahead[span] = kin.bar_ahead(span)[0]
    return ahead


def _back_bow(
    kin: Kinematics, checks: Sequence[str], limits: Thresholds, reps: Sequence[RepResult]
) -> Channel | None:
    """The bow of the back, with the line at the lifter's own reference plus the threshold."""
    if kin.back_bow is None or "rounded_back" not in checks:
        return None
    refs = [r.metrics["back_reference_deg"] for r in reps if "back_reference_deg" in r.metrics]
    # The check reads the bow only where the lifter is bent over; elsewhere it means nothing.
    read = np.full(len(kin.t), np.nan)
    for rep in reps:
        start, end = np.searchsorted(kin.t, [rep.start_s, rep.end_s])
        bent = spine.bent_over(kin.angles["trunk"], int(start), min(int(end), len(kin.t) - 1))
        if bent is not None:
            read[bent] = kin.back_bow[bent]
    if not refs:
        return Channel("back_bow", "bow of the back's outline, bent over", "deg", read)
    # What the check judges: the bow beyond the lifter's own straightest reps.
    line = (Line("rounded_back", limits.values["rounded_back"]),)
    beyond = read - float(np.median(refs))
    return Channel("back_bow", "back bow beyond the lifter's straightest reps", "deg", beyond, line)


def of_hold(
    t: FloatArray,
    xy: FloatArray,
    side: str,
    deviation: FloatArray,
    sag: float,
    pike: float,
    end: str,
) -> Track:
    """The track of a timed hold: the hips' deviation from the body line."""
    lines = (Line("hip_sag", -sag), Line("hip_pike", pike))
    channel = Channel("deviation", "hips against the body line (- below)", "deg", deviation, lines)
    return Track(t, xy, side, (channel,), "knee" if end == "knee" else "ankle")
