"""Exercises the analyser knows, as data: how reps look and which checks run."""

from __future__ import annotations

from dataclasses import dataclass

from formcheck.checks import CHECKS
from formcheck.reps import Pattern
from formcheck.thresholds import TABLE


@dataclass(frozen=True)
class Exercise:
    """One exercise.

    Attributes:
        name: The name used on the command line and in reports.
        pattern: How a rep starts: ``floor`` (from the floor) or ``standing``.
        checks: Fault codes checked on every full rep, most important first (the
            order decides which cue leads when several faults appear equally often).
        single_leg: Done standing on one leg: the standing leg is measured.
    """

    name: str
    pattern: Pattern
    checks: tuple[str, ...]
    single_leg: bool = False

    def __post_init__(self) -> None:
        unknown = [c for c in self.checks if c not in CHECKS]
        if unknown:
            raise ValueError(f"{self.name}: no check registered for {unknown}")
        missing = [c for c in self.checks if c not in TABLE.get(self.name, {})]
        if missing:
            raise ValueError(f"{self.name}: no threshold for {missing}")


EXERCISES: dict[str, Exercise] = {
    e.name: e
    for e in (
        Exercise(
            "deadlift",
            "floor",
            (
                "rounded_back",
                "squat_pattern",
                "hips_rise_first",
                "bar_drift",
                "incomplete_lockout",
                "lean_back",
            ),
        ),
        # No bar_drift on RDLs: at their bottom the model's hands read 15-30 % of a leg
        # ahead of the mid-foot on synthetic RDLs whose bar stays right over it.
        Exercise("rdl", "standing", ("rounded_back", "squat_pattern", "incomplete_lockout")),
        Exercise(
            "good_morning", "standing", ("rounded_back", "squat_pattern", "incomplete_lockout")
        ),
        Exercise(
            "single_leg_rdl",
            "standing",
            ("lost_balance", "free_leg_line", "squat_pattern", "incomplete_lockout"),
            single_leg=True,
        ),
    )
}
