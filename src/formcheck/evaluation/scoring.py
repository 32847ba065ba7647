"""One clip's analysis against its labels, and the tallies over many clips.

Our reps (or holds) are matched one-to-one to the true ones by time overlap,
the largest overlaps first. A fault code is scored on a matched pair when the
analysis checks it for the exercise and the rep's view, and the labels do not
call it borderline; a fault on a rep the labels do not have is a false alarm.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from formcheck.checks import CHECKS, check_of
from formcheck.evaluation.labels import Clip, Unit
from formcheck.report import CONFIDENCE, SetReport

#: Our per-frame channel -> the rendered clip's true column, and its sign.
TRUE_ANGLES = {"hip": ("hip_2d", 1.0), "knee": ("knee_2d", 1.0), "deviation": ("sag_2d", -1.0)}


@dataclass
class Counts:
    """True positives, false positives and false negatives of one fault code."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        """Add ``other``'s counts to these."""
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn

    @property
    def precision(self) -> float | None:
        """Share of our flags that are right (None: no flags)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        """Share of the true faults flagged (None: no true faults)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        """The harmonic mean of precision and recall (None if either is)."""
        p, r = self.precision, self.recall
        return None if p is None or r is None or p + r == 0 else 2 * p * r / (p + r)


@dataclass
class AngleError:
    """Absolute errors of one per-frame angle over a set's frames."""

    total: float = 0.0
    measured: int = 0
    frames: int = 0

    def add(self, other: AngleError) -> None:
        """Add ``other``'s frames to these."""
        self.total += other.total
        self.measured += other.measured
        self.frames += other.frames

    @property
    def mae(self) -> float | None:
        """Mean absolute error in degrees over the frames measured (None: none)."""
        return self.total / self.measured if self.measured else None


@dataclass(frozen=True)
class Reading:
    """What one check made of one true rep the labels judge.

    Attributes:
        code: The fault code.
        value: The measured value; None where the check abstained or the view
            does not support it.
        fault: Whether the labels give the rep this fault.
        line: The threshold the analysis used.
        above: Whether values at or above the line are faults (else at or below).
        confidence: How sure the check was of its value (None: no value).
    """

    code: str
    value: float | None
    fault: bool
    line: float
    above: bool
    confidence: float | None = None


#: A hold is found on time when its start and end are within this many seconds of the labels'.
EDGE_S = 1.0


@dataclass
class Score:
    """One clip, scored.

    Attributes:
        clip: The labelled clip.
        count: The complete reps we counted (the holds, for a timed hold); None
            where the analysis failed.
        error: Why the analysis failed (no person in the video...).
        faults: Per fault code, our flags against the labels.
        clean: True reps (or holds) labelled without a fault that we also found.
        clean_flagged: Those of them we flagged with some fault.
        angles: Per channel (``hip``, ``knee``, ``deviation``), our angle against the truth.
        readings: Every check's value on every true rep we found and the labels judge.
        edges: For a timed hold, each true hold's worse edge error in seconds
            (its start or its end against ours; None where we found no hold over it).
    """

    clip: Clip
    count: int | None = None
    error: str | None = None
    faults: dict[str, Counts] = field(default_factory=dict)
    clean: int = 0
    clean_flagged: int = 0
    angles: dict[str, AngleError] = field(default_factory=dict)
    readings: list[Reading] = field(default_factory=list)
    edges: list[float | None] = field(default_factory=list)

    @property
    def on_time(self) -> bool:
        """For a timed hold: every true hold found, its start and end within :data:`EDGE_S`."""
        return all(e is not None and e <= EDGE_S for e in self.edges)

    @property
    def count_exact(self) -> bool:
        """Whether we counted the labelled number of complete reps (or holds)."""
        return self.count == self.clip.count


@dataclass(frozen=True)
class _Found:
    start_s: float
    end_s: float
    codes: frozenset[str]
    skipped: frozenset[str] = frozenset()
    values: dict[str, float] = field(default_factory=dict)


def score(clip: Clip, report: SetReport) -> Score:
    """How ``report`` measures up against ``clip``'s labels."""
    found = _found(report, clip.is_hold)
    checked = set(report.thresholds) - set(report.camera_view.skipped)
    result = Score(clip, len(report.holds) if clip.is_hold else report.summary.rep_count)
    pairs = match([(f.start_s, f.end_s) for f in found], [(u.start_s, u.end_s) for u in clip.units])
    for i, unit in enumerate(clip.units):
        ours = found[pairs[i]] if i in pairs else None
        _tally_unit(result, unit, ours, checked)
        if clip.is_hold:
            result.edges.append(_edge_error(unit, ours))
        if ours is not None and unit.faults is not None and not clip.is_hold:
            result.readings += _readings(report, unit, ours)
    for j, ours in enumerate(found):  # flags on reps the labels do not have
        if j not in pairs.values():
            for code in ours.codes & checked:
                result.faults.setdefault(code, Counts()).fp += 1
    if clip.angles is not None and clip.frames is not None and report.track is not None:
        channels = {c.name: c.values for c in report.track.channels}
        result.angles = _angle_errors(channels, clip.angles, clip.frames)
    return result


def _edge_error(unit: Unit, ours: _Found | None) -> float | None:
    if ours is None:
        return None
    return max(abs(ours.start_s - unit.start_s), abs(ours.end_s - unit.end_s))


def _found(report: SetReport, holds: bool) -> list[_Found]:
    if holds:
        return [
            _Found(h.start_s, h.end_s, frozenset(i.code for i in h.faults)) for h in report.holds
        ]
    return [
        _Found(
            r.start_s,
            r.end_s,
            frozenset(f.code for f in r.faults),
            frozenset(r.skipped),
            {c: v for c, v in r.metrics.items() if c.removesuffix(CONFIDENCE) in report.thresholds},
        )
        for r in report.reps
    ]


def _readings(report: SetReport, unit: Unit, ours: _Found) -> list[Reading]:
    """The value of each check the labels judge on ``unit`` (None: not measured)."""
    faults = unit.faults or frozenset()
    return [
        Reading(
            code,
            ours.values.get(code),
            code in faults,
            line,
            check_of(report.exercise, code).fault_if == "above",
            ours.values.get(code + CONFIDENCE),
        )
        for code, line in sorted(report.thresholds.items())
        if code in CHECKS and code not in unit.skip
    ]


def _tally_unit(result: Score, unit: Unit, ours: _Found | None, checked: set[str]) -> None:
    if unit.faults is None:
        return
    scored = checked - unit.skip - (ours.skipped if ours else frozenset())
    flagged = ours.codes & scored if ours else frozenset()
    for code in scored:
        counts = result.faults.setdefault(code, Counts())
        truth, hit = code in unit.faults, code in flagged
        counts.tp += truth and hit
        counts.fp += hit and not truth
        counts.fn += truth and not hit
    if not unit.faults and ours is not None:
        result.clean += 1
        result.clean_flagged += bool(flagged)


def match(
    ours: Sequence[tuple[float, float]], truth: Sequence[tuple[float, float]]
) -> dict[int, int]:
    """One-to-one matching of time spans, the largest overlaps first: truth index -> ours."""
    pairs = sorted(
        (
            (min(a1, b1) - max(a0, b0), i, j)
            for i, (a0, a1) in enumerate(truth)
            for j, (b0, b1) in enumerate(ours)
            if min(a1, b1) > max(a0, b0)
        ),
        reverse=True,
    )
    taken: dict[int, int] = {}
    for _, i, j in pairs:
        if i not in taken and j not in taken.values():
            taken[i] = j
    return taken


def _angle_errors(
    channels: dict[str, np.ndarray], truth_csv: Path, frames: tuple[int, int]
) -> dict[str, AngleError]:
    with truth_csv.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    errors = {}
    for name, (column, sign) in TRUE_ANGLES.items():
        if name not in channels or not rows or column not in rows[0]:
            continue
        true = sign * np.array([float(row[column]) for row in rows])
        ours = channels[name]
        span = slice(frames[0], min(frames[1] + 1, len(true), len(ours)))
        err = np.abs(ours[span] - true[span])
        seen = np.isfinite(err)
        errors[name] = AngleError(float(err[seen].sum()), int(seen.sum()), len(err))
    return errors


def tally(scores: Iterable[Score]) -> tuple[dict[str, Counts], dict[str, AngleError]]:
    """The fault counts and angle errors of several clips, summed."""
    faults: dict[str, Counts] = {}
    angles: dict[str, AngleError] = {}
    for s in scores:
        for code, counts in s.faults.items():
            faults.setdefault(code, Counts()).add(counts)
        for name, error in s.angles.items():
            angles.setdefault(name, AngleError()).add(error)
    return faults, angles
