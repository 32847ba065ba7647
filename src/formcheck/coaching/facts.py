"""What the load rules look at: the judged set, what the user says, and the history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from formcheck import velocity
from formcheck.coaching.loads import Load
from formcheck.coaching.program import Prescription, Program
from formcheck.exercises import EXERCISES, Exercise
from formcheck.holds import Hold
from formcheck.report import RepResult, SetReport
from formcheck.velocity import VelocityLoss


@dataclass(frozen=True)
class Inputs:
    """What the user says about the set (each optional).

    Attributes:
        load: The load used.
        reps_target: The reps the set was meant to have.
        rpe: Rating of perceived exertion, 1-10 in half steps (10: no rep left).
        pain: Pain during the set, 0-10.
        program: The program the set belongs to.
        week: The program's week (default: counted from the client's first
            session of the program, else 1).
    """

    load: Load | None = None
    reps_target: int | None = None
    rpe: float | None = None
    pain: int | None = None
    program: Program | None = None
    week: int | None = None

    def __post_init__(self) -> None:
        if self.reps_target is not None and self.reps_target < 1:
            raise ValueError(f"reps target must be 1 or more, not {self.reps_target}")
        if self.rpe is not None and not (1 <= self.rpe <= 10 and float(2 * self.rpe).is_integer()):
            raise ValueError(f"RPE is 1-10 in half steps, not {self.rpe}")
        if self.pain is not None and not 0 <= self.pain <= 10:
            raise ValueError(f"pain is scored 0-10, not {self.pain}")
        if self.week is not None and self.week < 1:
            raise ValueError(f"a program week counts from 1, not {self.week}")


@dataclass(frozen=True)
class PastSet:
    """The last set of the same exercise in an earlier session."""

    day: date
    reps: int
    reps_target: int | None
    flagged: int


@dataclass(frozen=True)
class FollowUp:
    """Pain reported hours after the client's previous session.

    ``during`` is the highest pain reported during that session (None: not given).
    """

    score: int
    hours_after: float
    during: int | None


@dataclass(frozen=True)
class Past:
    """What the history knows that bears on this set (nothing, without a client).

    Attributes:
        last_set: The last set of this exercise in an earlier session.
        follow_up: The latest follow-up pain after the client's previous session.
        sessions: Earlier sessions with this exercise.
        sets_today: Sets of this exercise recorded earlier in this session.
        program_week: The week of the program, counted from its first session.
        consulted: Whether a history was looked at (False: nothing is known).
    """

    last_set: PastSet | None = None
    follow_up: FollowUp | None = None
    sessions: int = 0
    sets_today: int = 0
    program_week: int | None = None
    consulted: bool = False


@dataclass(frozen=True)
class Facts:
    """One set as the load rules see it.

    Attributes:
        exercise: The exercise.
        inputs: What the user said.
        past: What the history knows.
        reps: The full reps, judged.
        holds: The holds of a timed hold.
        velocity: Velocity loss over the reps, when measurable.
    """

    exercise: Exercise
    inputs: Inputs = field(default_factory=Inputs)
    past: Past = field(default_factory=Past)
    reps: tuple[RepResult, ...] = ()
    holds: tuple[Hold, ...] = ()
    velocity: VelocityLoss | None = None

    @property
    def timed(self) -> bool:
        """A timed hold, whose 'load' is its time."""
        return self.exercise.pattern is None

    @property
    def week(self) -> int | None:
        """The program's week, if the set is part of one."""
        if self.inputs.program is None:
            return None
        return self.inputs.week or self.past.program_week or 1

    @property
    def prescription(self) -> Prescription | None:
        """What the program prescribes this week (None: no program, or past its end)."""
        program, week = self.inputs.program, self.week
        return None if program is None or week is None else program.week(week)

    @property
    def reps_target(self) -> int | None:
        """The reps the set was meant to have: as given, else the least the week asks."""
        if self.inputs.reps_target is not None:
            return self.inputs.reps_target
        return None if self.prescription is None else self.prescription.reps[0]

    @property
    def faulty(self) -> tuple[int, ...]:
        """Indices of the reps with a fault."""
        return tuple(r.index for r in self.reps if r.faults)

    @property
    def breakdown(self) -> int | None:
        """The rep from which form stays broken: faulty, as are most reps from it on."""
        flags = [bool(r.faults) for r in self.reps]
        return next(
            (
                self.reps[k].index
                for k in range(len(flags))
                if flags[k] and 2 * sum(flags[k:]) > len(flags) - k
            ),
            None,
        )


def facts(report: SetReport, inputs: Inputs, past: Past) -> Facts:
    """The facts of an analysed set."""
    spec = EXERCISES[report.exercise]
    loss = velocity.of_reps(report.exercise, report.reps)
    return Facts(spec, inputs, past, report.reps, report.holds, loss)
