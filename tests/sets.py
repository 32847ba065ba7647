"""Judged sets with chosen faults, for tests of coaching and history."""

from __future__ import annotations

from collections.abc import Sequence

from formcheck.holds import Hold, Interval
from formcheck.report import CameraView, Fault, RepResult, SetReport, Summary
from formcheck.series import VideoMeta

SPEED = "peak_shoulder_speed_leg_per_s"


def rep(index: int, mark: str, speed: float = 1.0, code: str = "rounded_back") -> RepResult:
    """A rep: ``.`` clean, ``m`` a minor fault, ``M`` a major one."""
    faults = ()
    if mark != ".":
        severity = "major" if mark == "M" else "minor"
        faults = (Fault(code, severity, 12.0, 8.0, "deg", index, index + 1, "bow"),)
    return RepResult(index, float(index), index + 1.0, faults, {SPEED: speed})


def hold(start: float, end: float, faults: Sequence[tuple[float, float]] = ()) -> Hold:
    """A hold with sag intervals at the given times."""
    intervals = tuple(Interval("hip_sag", a, b, -14.0, -6.0, -10.0, "minor") for a, b in faults)
    good = end - start - sum(b - a for a, b in faults)
    return Hold(start, end, intervals, good, None, "side")


def report(
    marks: str = "",
    exercise: str = "deadlift",
    speeds: Sequence[float] | None = None,
    holds: Sequence[Hold] = (),
    source: str = "clip.mp4",
) -> SetReport:
    """A judged set: one rep per mark (see :func:`rep`), or the given holds."""
    speeds = speeds or [1.0] * len(marks)
    reps = tuple(rep(i, m, s) for i, (m, s) in enumerate(zip(marks, speeds, strict=True), 1))
    hold_s = sum(h.duration_s for h in holds)
    return SetReport(
        VideoMeta(source, 30.0, 640, 480),
        300,
        exercise,
        "standard",
        {},
        (),
        CameraView("side", True, 0.1),
        "left",
        reps,
        (),
        Summary(
            len(reps),
            0,
            sum(bool(r.faults) for r in reps),
            (),
            hold_count=len(holds),
            hold_s=hold_s,
            good_form_s=sum(h.good_form_s for h in holds),
        ),
        holds=tuple(holds),
    )
