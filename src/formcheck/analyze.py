"""The offline analysis of one set: pose series in, :class:`SetReport` out."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from formcheck import angles, implement, swing, track, velocity
from formcheck.checks import Abstention, Check, Measurement, check_of, outcome
from formcheck.coaching.cues import hold_cues, ranges, set_cues
from formcheck.conditioning import Conditioning, condition
from formcheck.exercises import EXERCISES, Exercise
from formcheck.holds import (
    MIN_HOLD_S,
    Hold,
    HoldLimits,
    body_line,
    find_holds,
    hold_side,
    unseen_spans,
    view_of,
)
from formcheck.kinematics import Kinematics, measure
from formcheck.report import CONFIDENCE, CameraView, Fault, RepResult, SetReport, Severity, Summary
from formcheck.reps import Rep, RepRules, numbered, rises, segment
from formcheck.series import PoseSeries
from formcheck.thresholds import TABLE, Thresholds, thresholds

#: Lying on the back, a rep is a rise of the hips' bend from the shoulder-knee line
#: (about 0 at the top, -40 to -60 with the hips down) of at least RISE_RANGE of the
#: set's range (5th to 95th percentile) and MIN_RISE_DEG, and RISE_SHARE of its usual
#: rise. A set whose every top stops short moves little: the model sees the hips of
#: the shared corpus's incomplete bridges rise 11-12 deg.
RISE_RANGE = 0.25
MIN_RISE_DEG = 5.0
RISE_SHARE = 0.3
#: The hips are held at the top of a bridge while within this of their highest (deg).
TOP_HOLD_DEG = 10.0
#: The largest hip bend lying down: a hip thrust's bottom reads about 90. Past it
#: the shoulders and knees sit on one side of the hips, and no body lies like that:
#: the model has lost the body. Tune renders seen from 45-90 deg read up to 180 then.
MAX_LYING_BEND_DEG = 100.0

#: Reads the frames of the analysed video shown at the given times (seconds):
#: ``(time, frame)`` in time order, as :func:`formcheck.video.frames_at` does.
FrameReader = Callable[[list[float]], Iterable[tuple[float, NDArray[np.uint8]]]]


def analyze(
    series: PoseSeries,
    exercise: str,
    limits: Thresholds | None = None,
    conditioning: Conditioning | None = None,
    rep_rules: RepRules | None = None,
    frames: FrameReader | None = None,
) -> SetReport:
    """Count and judge the reps of one set, or find and judge the holds of a timed hold.

    Args:
        series: The main person's landmarks.
        exercise: A key of :data:`formcheck.exercises.EXERCISES`.
        limits: The thresholds (default: the standard profile's).
        conditioning: Landmark conditioning settings.
        rep_rules: Rep segmentation tolerances (exercises done standing).
        frames: Reads frames of the video; floor lifts use it to tell a pull from
            standing up without the bar (see :mod:`formcheck.implement`).
    """
    spec = EXERCISES[exercise]
    limits = limits or thresholds(exercise)
    if spec.pattern is None:
        return _analyze_holds(series, spec, limits, conditioning)
    kin = measure(series, conditioning, single_leg=spec.single_leg, lying=spec.lying)
    kin, reps = _reps(series, kin, spec, rep_rules, frames)
    checks = [check_of(exercise, c) for c in spec.checks]
    full_reps = [rep for rep in reps if rep.full]
    judged = [_judge(kin, rep, checks, limits, full_reps, spec.swing) for rep in reps]
    full = tuple(r for r, rep in zip(judged, reps, strict=True) if rep.full)
    partial = tuple(r for r, rep in zip(judged, reps, strict=True) if not rep.full)
    view = _camera_view(kin, spec, full)
    return SetReport(
        source=series.meta,
        n_frames=len(series),
        exercise=exercise,
        profile=limits.profile,
        thresholds=dict(limits.values),
        custom_thresholds=tuple(sorted(limits.custom)),
        camera_view=view,
        side=kin.side,
        reps=full,
        partials=partial,
        summary=_summary(full, partial, spec),
        warnings=(*_warnings(series, kin), *_abstentions(full)),
        set_metrics=_set_metrics(kin, spec, full_reps, full),
        track=track.of_reps(kin, spec.checks, limits, full),
    )


def _reps(
    series: PoseSeries,
    kin: Kinematics,
    spec: Exercise,
    rules: RepRules | None,
    frames: FrameReader | None,
) -> tuple[Kinematics, list[Rep]]:
    """The set's reps, counted the exercise's way; lying down, ``kin`` gains its hip line."""
    if spec.lying:
        bend = body_line(kin.xy, kin.side, "knee").deviation_deg
        with np.errstate(invalid="ignore"):
            hip_line = np.where(np.abs(bend) <= MAX_LYING_BEND_DEG, bend, np.nan)
        found = rises(hip_line, kin.t, kin.cuts, _least_rise(hip_line), RISE_SHARE)
        return replace(kin, hip_line=hip_line), found
    assert spec.pattern is not None
    reps = segment(kin.height, kin.t, kin.cuts, spec.pattern, rules)
    if spec.swing:
        return kin, swing.swings_only(reps, kin)
    if spec.pattern == "floor" and frames is not None:
        return kin, _without_unloaded_rises(reps, series, kin, frames)
    return kin, reps


def _set_metrics(
    kin: Kinematics, spec: Exercise, reps: list[Rep], judged: tuple[RepResult, ...]
) -> dict[str, float | str]:
    """Numbers over the whole set: the velocity loss, and a swing's cadence and style."""
    out = swing.set_metrics(kin, reps) if spec.swing else {}
    loss = velocity.of_reps(spec.name, judged)
    if loss is not None:
        out["velocity_loss_pct"] = loss.pct
    return out


def hold_limits(limits: Thresholds) -> HoldLimits:
    """The sag and pike lines of a hold exercise's thresholds (given as sizes; signed here)."""
    table = TABLE[limits.exercise]
    gaps = {c: abs(table[c].beginner - table[c].strict) for c in ("hip_sag", "hip_pike")}
    return HoldLimits(
        -limits.values["hip_sag"],
        limits.values["hip_pike"],
        gaps["hip_sag"],
        gaps["hip_pike"],
    )


def _analyze_holds(
    series: PoseSeries, spec: Exercise, limits: Thresholds, conditioning: Conditioning | None
) -> SetReport:
    """Find and judge the holds of a timed-hold exercise."""
    assert spec.hold is not None
    bounds = hold_limits(limits)
    conditioned = condition(series.xy, series.visibility, series.t, conditioning)
    holds = tuple(find_holds(series, spec.hold, bounds, conditioned=conditioned))
    side = hold_side(series, spec.hold)
    line = body_line(conditioned[0], side, spec.hold.end).deviation_deg
    drawn = track.of_hold(
        series.t, conditioned[0], side, line, -bounds.sag_deg, bounds.pike_deg, spec.hold.end
    )
    view = view_of(series.xy)
    label = view.label
    warnings: list[str] = []  # about the camera's angle
    if label not in spec.hold.views:
        warnings.append(
            f"{label} view: the line of the body cannot be judged from this angle; "
            f"film from the {' or '.join(spec.hold.views)}"
        )
    else:
        warnings += [
            f"{a:.1f}-{b:.1f} s: not seen from the {' or '.join(spec.hold.views)}; "
            "holds there are not timed or judged"
            for a, b in unseen_spans(series.xy, series.t, spec.hold.views)
        ]
    none = (
        f"no hold found: nobody held the {spec.name} position still, in view, "
        f"for {MIN_HOLD_S:.0f} s or more"
    )
    return SetReport(
        source=series.meta,
        n_frames=len(series),
        exercise=spec.name,
        profile=limits.profile,
        thresholds=dict(limits.values),
        custom_thresholds=tuple(sorted(limits.custom)),
        camera_view=CameraView(label, label in spec.hold.views, view.width, (), tuple(warnings)),
        side=side,
        reps=(),
        partials=(),
        summary=_hold_summary(holds, spec),
        warnings=(*_missing(series), *(() if holds else (none,))),
        holds=holds,
        track=drawn,
    )


def _hold_summary(holds: tuple[Hold, ...], spec: Exercise) -> Summary:
    """Times in hold and in good form, and the cues for the faults."""
    return Summary(
        0,
        0,
        0,
        hold_cues(holds, spec),
        hold_count=len(holds),
        hold_s=sum(h.duration_s for h in holds),
        good_form_s=sum(h.good_form_s for h in holds),
    )


def _without_unloaded_rises(
    reps: list[Rep], series: PoseSeries, kin: Kinematics, frames: FrameReader
) -> list[Rep]:
    """Drop full reps where the lifter stood up without the bar; renumber the rest."""
    full = [r for r in reps if r.full]
    # The model's own wrist estimate, even where it rates the hands as hidden by the plates.
    hands = angles.point(np.asarray(series.xy, np.float64), "wrist", "mid")
    rises = [implement.Rise(r.start, r.top, hands[r.start], hands[r.top]) for r in full]
    scores = _rise_scores(rises, kin, frames)
    # Rises are compared with those seen from much the same angle: a lifter who
    # turns to face the camera shows the bar end-on, from the side it spans the frame.
    views = [kin.view_of(slice(r.start, r.end + 1)).label == "front" for r in full]
    dropped: set[int] = set()
    for view in set(views):
        group = [i for i, v in enumerate(views) if v == view]
        gone = implement.unloaded([scores[i] for i in group])
        dropped |= {id(full[i]) for i, g in zip(group, gone, strict=True) if g}
    return numbered([rep for rep in reps if id(rep) not in dropped])


def _rise_scores(
    rises: list[implement.Rise], kin: Kinematics, frames: FrameReader
) -> list[float | None]:
    """Each rise's :func:`~formcheck.implement.rise_score`, the frames read in one pass.

    A frame is kept only until the rise it starts has its top frame too.
    """
    ends: dict[float, list[int]] = {}
    for k, rise in enumerate(rises):
        for i in (rise.lift_off, rise.top):
            ends.setdefault(float(kin.t[i]), []).append(k)
    before: dict[int, NDArray[np.uint8]] = {}
    scores: list[float | None] = [None] * len(rises)
    for t, image in frames(sorted(ends)):
        for k in ends[t]:
            rise = rises[k]
            if float(kin.t[rise.lift_off]) == t and k not in before:
                before[k] = image
            elif k in before:
                scores[k] = implement.rise_score(before.pop(k), image, rise, kin.leg)
    return scores


def _camera_view(kin: Kinematics, spec: Exercise, reps: tuple[RepResult, ...]) -> CameraView:
    """The set's view, what it cannot judge, and the reps seen from another angle."""
    skipped = tuple(c for c in spec.checks if kin.view.label not in check_of(spec.name, c).views)
    warnings = []
    if skipped:
        warnings.append(
            f"{kin.view.label} view: {', '.join(skipped)} cannot be judged from this angle "
            "and were not checked; film from the side (at most ~25 deg off) for a full check"
        )
    for label in ("oblique", "front"):
        turned = [r for r in reps if r.view == label != kin.view.label and r.skipped]
        if turned:
            codes = sorted({c for r in turned for c in r.skipped})
            warnings.append(
                f"reps {ranges([r.index for r in turned])} are seen from the {label}: "
                f"{', '.join(codes)} not checked on them"
            )
    suitable = not skipped and not any(r.skipped for r in reps)
    return CameraView(kin.view.label, suitable, kin.view.width, skipped, tuple(warnings))


def _missing(series: PoseSeries) -> tuple[str, ...]:
    """Warnings about the frames without a person, or without the pose model (--fast)."""
    out = []
    missing = 1 - float(series.detected.mean()) if len(series) else 1.0
    if missing > 0.2:
        out.append(f"the person was not found in {missing:.0%} of the frames")
    if series.estimated is not None:
        out.append(
            f"fast mode: the pose model saw {int(series.estimated.sum())} of {len(series)} "
            "frames; the others are interpolated"
        )
    return tuple(out)


def _warnings(series: PoseSeries, kin: Kinematics) -> tuple[str, ...]:
    out = list(_missing(series))
    if len(kin.cuts):
        out.append(f"{len(kin.cuts)} scene cut(s); reps are not followed across a cut")
    if not kin.legs_seen:
        out.append(
            "the knees are hidden (behind the plates?): hip and knee angles are not reported"
        )
    return tuple(out)


def _abstentions(reps: tuple[RepResult, ...]) -> tuple[str, ...]:
    """One line per check and reason: which reps a check could not judge, and why."""
    grouped: dict[tuple[str, str], list[int]] = {}
    for rep in reps:
        for code, reason in rep.abstained.items():
            grouped.setdefault((code, reason), []).append(rep.index)
    return tuple(
        f"{code} not judged on rep{'s' if len(ns) > 1 else ''} {ranges(ns)}: {reason}"
        for (code, reason), ns in grouped.items()
    )


def _severity(check: Check, value: float, threshold: float, exercise: str) -> Severity:
    """Major when past the threshold by more than the beginner-to-strict gap, else minor."""
    limit = TABLE[exercise][check.code]
    spread = abs(limit.beginner - limit.strict) or 1.0
    return "major" if abs(value - threshold) >= spread else "minor"


def _judge(
    kin: Kinematics,
    rep: Rep,
    checks: list[Check],
    limits: Thresholds,
    full: Sequence[Rep],
    swung: bool = False,
) -> RepResult:
    """Metrics of one rep and, for a full rep, the fault of every check its view supports.

    ``full`` is the set's full reps, for the checks that compare a rep with the set;
    ``swung``: a kettlebell swing, which adds the bell's height and the hip speed.
    """
    t = kin.t
    view = kin.view_of(slice(rep.start, rep.end + 1)).label
    faults, abstained = [], {}
    metrics = {"rise_s": float(t[rep.top] - t[rep.bottom])}
    if view != "front":
        metrics = _metrics(kin, rep)
    if swung:
        metrics.update(swing.rep_metrics(kin, rep))
    if kin.hip_line is not None:
        metrics["top_hold_s"] = _top_hold(kin.hip_line, kin.t, rep)
    seen = [c for c in checks if view in c.views] if rep.full else []
    skipped = tuple(c.code for c in checks if c not in seen) if rep.full else ()
    for check in seen:
        found = outcome(check, kin, rep, full)
        if isinstance(found, Abstention):
            abstained[check.code] = found.reason
            metrics.update(found.details)
            continue
        if found is None or not np.isfinite(found.value):
            continue
        metrics[check.code] = found.value
        metrics.update(found.details)
        if found.confidence is not None:
            metrics[check.code + CONFIDENCE] = found.confidence
        threshold = limits.values[check.code]
        if check.is_fault(found.value, threshold):
            faults.append(_fault(check, found, threshold, limits.exercise, t))
    start, end = float(t[rep.start]), float(t[rep.end])
    return RepResult(
        rep.index, start, end, tuple(faults), metrics, rep.note, view, skipped, abstained
    )


def _fault(
    check: Check, found: Measurement, threshold: float, exercise: str, t: NDArray[np.float64]
) -> Fault:
    return Fault(
        code=check.code,
        severity=_severity(check, found.value, threshold, exercise),
        value=found.value,
        threshold=threshold,
        unit=check.unit,
        start_s=float(t[found.start]),
        end_s=float(t[found.end]),
        metric=check.metric,
        confidence=found.confidence,
        at_s=float(t[found.worst]),
    )


def _least_rise(hip_line: NDArray[np.float64]) -> float:
    """The least rise of the hips that is a bridge rep in this set (see RISE_RANGE)."""
    seen = hip_line[np.isfinite(hip_line)]
    if not len(seen):
        return MIN_RISE_DEG
    spread = float(np.percentile(seen, 95) - np.percentile(seen, 5))
    return max(MIN_RISE_DEG, RISE_RANGE * spread)


def _top_hold(hip_line: NDArray[np.float64], t: NDArray[np.float64], rep: Rep) -> float:
    """Seconds the hips stay up at the top of a bridge: within TOP_HOLD_DEG of their peak."""
    span = hip_line[rep.top : rep.end + 1]
    if not np.isfinite(span).any():
        return float("nan")
    down = np.flatnonzero(~(span >= np.nanmax(span) - TOP_HOLD_DEG))
    last = rep.top + (int(down[0]) - 1 if len(down) else len(span) - 1)
    return float(t[max(last, rep.top)] - t[rep.top])


def _metrics(kin: Kinematics, rep: Rep) -> dict[str, float]:
    """Numbers a lifter or coach reads per rep, whatever the faults."""
    a = kin.angles
    whole = slice(rep.start, rep.end + 1)

    def pick(values: NDArray[np.float64], largest: bool, span: slice = whole) -> float:
        piece = values[span]
        if not np.isfinite(piece).any():
            return float("nan")
        return float(np.nanmax(piece) if largest else np.nanmin(piece))

    return {
        "min_hip_deg": pick(a["hip"], largest=False),
        "max_hip_deg": pick(a["hip"], largest=True, span=rep.lockout),
        "min_knee_deg": pick(a["knee"], largest=False),
        "bottom_trunk_deg": float(kin.trunk[rep.bottom]),
        "hinge_ratio": float(kin.hinge_ratio[rep.bottom]),
        "rise_s": float(kin.t[rep.top] - kin.t[rep.bottom]),
        "peak_hip_speed_leg_per_s": pick(kin.hip_vy, largest=True, span=rep.concentric),
        # The bar hangs from the shoulders: their speed is the bar-speed proxy.
        "peak_shoulder_speed_leg_per_s": pick(kin.shoulder_vy, largest=True, span=rep.concentric),
    }


def _summary(
    full: tuple[RepResult, ...], partial: tuple[RepResult, ...], spec: Exercise
) -> Summary:
    """Totals, and the cues for the faults, the one to work on first leading."""
    flagged = [r for r in full if r.faults]
    return Summary(len(full), len(partial), len(flagged), set_cues(full, spec))
