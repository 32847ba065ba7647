"""Exercises the analyser knows, as data: how reps look and which checks run."""

from __future__ import annotations

from dataclasses import dataclass, field

from formcheck.checks import CHECKS
from formcheck.holds import Position
from formcheck.reps import Pattern
from formcheck.thresholds import TABLE

#: Fault codes of a timed hold (see :mod:`formcheck.holds`).
HOLD_CODES = ("hip_sag", "hip_pike")


@dataclass(frozen=True)
class Exercise:
    """One exercise.

    Attributes:
        name: The name used on the command line and in reports.
        pattern: How a rep starts: ``floor`` (from the floor) or ``standing``; None
            for a timed hold.
        checks: Fault codes checked on every full rep, most important first (the
            order decides which cue leads when several faults appear equally often).
        single_leg: Done standing on one leg: the standing leg is measured.
        swing: A kettlebell swung with both hands: a rise that does not bring the
            hands up is standing up after parking the bell, no rep (see
            :mod:`formcheck.swing`).
        lying: Done lying on the back (glute bridge, hip thrust): reps come from the
            hips rising to the line from the shoulders to the knees, not from the
            shoulders dropping.
        hold: For a timed hold, what the position looks like.
        cues: For a timed hold, the cue of each fault code (what a sag or a pike
            means depends on the exercise).
    """

    name: str
    pattern: Pattern | None
    checks: tuple[str, ...] = ()
    single_leg: bool = False
    swing: bool = False
    lying: bool = False
    hold: Position | None = None
    cues: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if (self.pattern is None) == (self.hold is None):
            raise ValueError(f"{self.name}: give a rep pattern or a hold position, not both")
        if self.hold is not None and set(self.cues) != set(HOLD_CODES):
            raise ValueError(f"{self.name}: a hold needs a cue for each of {HOLD_CODES}")
        unknown = [c for c in self.checks if c not in CHECKS]
        if unknown:
            raise ValueError(f"{self.name}: no check registered for {unknown}")
        codes = self.checks if self.hold is None else HOLD_CODES
        missing = [c for c in codes if c not in TABLE.get(self.name, {})]
        if missing:
            raise ValueError(f"{self.name}: no threshold for {missing}")


#: A plank on the forearms or on straight arms, seen from the side.
PLANK = Position(
    end="ankle",
    points="near",
    rise_deg=(-35.0, 20.0),
    knee_deg=(145.0, 180.0),
    deviation_deg=(-40.0, 80.0),
    arm_support=True,
    knee_lift=0.06,
    views=("side", "oblique"),
)
#: A side plank seen from the front (or the back): the shoulders stacked.
SIDE_PLANK = Position(
    "ankle", "mid", (-40.0, 10.0), (145.0, 180.0), (-40.0, 60.0), True, 0.06, ("oblique", "front")
)
#: The top of a glute bridge: shoulders on the floor, feet planted, the line to the knees.
BRIDGE = Position(
    "knee", "near", (5.0, 50.0), (50.0, 140.0), (-30.0, 40.0), False, None, ("side", "oblique")
)
#: A back-extension (Sorensen or reverse) hold: the body held level off a bench.
BACK_EXTENSION = Position(
    "ankle", "near", (-25.0, 25.0), (145.0, 180.0), (-40.0, 40.0), False, None, ("side", "oblique")
)

_LINE = "shoulders, hips and ankles in one line"
_KNEE_LINE = "shoulders, hips and knees make one line"


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
        Exercise(
            "kb_swing",
            "floor",
            ("rounded_back", "lean_back", "incomplete_lockout", "squat_pattern"),
            swing=True,
        ),
        Exercise("glute_bridge", "floor", ("incomplete_lockout", "over_arch"), lying=True),
        Exercise(
            "plank",
            None,
            hold=PLANK,
            cues={
                "hip_sag": f"Hips up: squeeze your glutes and brace, {_LINE}",
                "hip_pike": f"Lower your hips until {_LINE}",
            },
        ),
        Exercise(
            "side_plank",
            None,
            hold=SIDE_PLANK,
            cues={
                "hip_sag": f"Lift your bottom hip: {_LINE}",
                "hip_pike": f"Bring your hips back under the line: {_LINE}",
            },
        ),
        Exercise(
            "glute_bridge_hold",
            None,
            hold=BRIDGE,
            cues={
                "hip_sag": f"Drive your hips up: squeeze your glutes until {_KNEE_LINE}",
                "hip_pike": f"Ribs down: stop where {_KNEE_LINE}, no higher",
            },
        ),
        Exercise(
            "back_extension_hold",
            None,
            hold=BACK_EXTENSION,
            cues={
                "hip_sag": f"Stop at level: hold {_LINE}, without arching past it",
                "hip_pike": f"Lift to level: hold {_LINE}",
            },
        ),
    )
}
