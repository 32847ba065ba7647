"""Training programs as data: what each week prescribes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Prescription:
    """One block of weeks: sets of reps at an effort (RPE, 1-10).

    Attributes:
        weeks: First and last week of the block (from 1).
        sets: Fewest and most sets.
        reps: Fewest and most reps a set.
        rpe: Lowest and highest rating of perceived exertion a set should reach.
    """

    weeks: tuple[int, int]
    sets: tuple[int, int]
    reps: tuple[int, int]
    rpe: tuple[float, float]

    def __post_init__(self) -> None:
        for name in ("weeks", "sets", "reps", "rpe"):
            low, high = getattr(self, name)
            if not 0 < low <= high:
                raise ValueError(f"{name} must be a rising pair of positive numbers")
        if self.rpe[1] > 10:
            raise ValueError("an RPE is at most 10")

    def __str__(self) -> str:
        sets = _span(*self.sets, "x")
        return f"{sets}{_span(*self.reps, '')} at RPE {_span(*self.rpe, '')}"


def _span(low: float, high: float, suffix: str) -> str:
    text = f"{low:g}" if low == high else f"{low:g}-{high:g}"
    return text + suffix


@dataclass(frozen=True)
class Program:
    """A program of consecutive blocks for one exercise."""

    name: str
    exercise: str
    blocks: tuple[Prescription, ...]
    source: str

    def __post_init__(self) -> None:
        week = 1
        for block in self.blocks:
            if block.weeks[0] != week:
                raise ValueError(f"{self.name}: block {block} should start in week {week}")
            week = block.weeks[1] + 1

    @property
    def weeks(self) -> int:
        """How many weeks the program lasts."""
        return self.blocks[-1].weeks[1]

    def week(self, number: int) -> Prescription | None:
        """The prescription of week ``number`` (from 1); None past the program's end."""
        return next((b for b in self.blocks if b.weeks[0] <= number <= b.weeks[1]), None)


PROGRAMS: dict[str, Program] = {
    p.name: p
    for p in (
        Program(
            "single_leg_rdl_14w",
            "single_leg_rdl",
            (
                Prescription((1, 4), (5, 5), (15, 15), (4, 6)),
                Prescription((5, 8), (4, 4), (8, 10), (6, 8)),
                Prescription((9, 14), (3, 5), (3, 6), (8, 10)),
            ),
            "the seeds' 14-week single-leg RDL plan (DESIGN.md)",
        ),
    )
}
