"""The exercises as timelines of key poses, with faults injected per rep.

Each builder returns a :class:`Script`: the timeline, how the body is supported,
which prop it uses and where that prop starts. Fault magnitudes are the knobs
of the scene; the labels are measured afterwards from the posed keypoints
(:mod:`formcheck.synth.truth`), so a knob that fails to produce the fault it
names produces no label.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field

import numpy as np

from formcheck.synth import truth
from formcheck.synth.body import ROUNDING
from formcheck.synth.posture import Placed, Posture, bisect
from formcheck.synth.scene import KETTLEBELL_RADIUS, PLATE_RADIUS
from formcheck.synth.timeline import Key, Timeline

EXERCISES = (
    "deadlift",
    "rdl",
    "single_leg_rdl",
    "kb_swing",
    "plank_forearm",
    "plank_straight",
    "glute_bridge",
)
REP_FAULTS = (
    "rounded_back",
    "squat_pattern",
    "incomplete_lockout",
    "lean_back",
    "hips_rise_first",
    "bar_drift",
    "over_arch",
    "free_leg_line",
    "lost_balance",
)
KETTLEBELL_GRIP_HEIGHT = 0.15 + KETTLEBELL_RADIUS  # handle above the floor when parked
NEUTRAL_SPINE = 2.0


@dataclass(frozen=True)
class Style:
    """How one lifter moves when the technique is clean: the scene's variety.

    Attributes:
        trunk: Deadlift: the trunk's forward tilt from vertical at lift-off, degrees
            (real clean lifters read about 35-65 by their proportions). With the bar
            over mid-foot, the body's proportions then set the knees and the hips.
        arm: Deadlift: the arms' tilt at lift-off (- = shoulders ahead of the bar).
        stance: Sideways splay of each leg, degrees: wider for a sumo-like stance
            (the knees still bend straight forward, not out over the toes).
        rdl_bar: RDL: the bar's height at the bottom, metres (lower = deeper).
        rdl_knee: RDL: the knee angle at the bottom.
        swing_knee: Kettlebell swing: the knee angle at the back-swing.
        swing_hip: Kettlebell swing: the hip angle at the back-swing.
        free_up: Single-leg RDL: how far the free thigh hovers behind the standing
            one between reps, degrees (less: the free foot nearer the floor).
        free_bend: Single-leg RDL: the free knee's bend between reps, degrees.
    """

    trunk: float = 50.0
    arm: float = -4.0
    stance: float = 4.0
    rdl_bar: float = 0.3
    rdl_knee: float = 158.0
    swing_knee: float = 142.0
    swing_hip: float = 78.0
    free_up: float = 15.0
    free_bend: float = 35.0


@dataclass(frozen=True)
class Spec:
    """What to perform.

    Attributes:
        exercise: One of :data:`EXERCISES`.
        reps: Reps in the set (ignored for planks).
        faults: Rep number -> {fault code: magnitude}: ``rounded_back`` = extra
            spine flexion (deg), ``squat_pattern`` = how far the knees bend
            instead (deg of extra knee flexion), ``incomplete_lockout`` = hip
            extension missing at the top (deg), ``lean_back`` = hip extension
            past straight at the top (deg), ``hips_rise_first`` = knee extension
            (deg) before the bar leaves the floor's height, ``bar_drift`` = how
            far (cm) the bar swings ahead of mid-foot below the knees,
            ``over_arch`` = bridge: hip extension past straight at the top (deg);
            deadlift ``squat_pattern`` = the trunk that much more upright at
            lift-off, shoulders behind the bar; single-leg RDL: ``free_leg_line`` =
            how far the free leg hangs below the trunk line at the bottom (deg),
            ``lost_balance`` = seconds the free foot rests on the floor after the rep.
        tempo: Multiplies every rep duration (2 = twice as slow).
        fatigue_pct: How much slower the last rep rises than the first, per cent
            of speed: the concentric phase of rep k of n lasts
            ``1 / (1 - fatigue_pct / 100 * (k - 1) / (n - 1))`` times as long
            (see :meth:`rise`), along the same path; lowering is unchanged.
        hold_s: Plank hold length.
        sag_deg: Plank hip sag (+) or pike (-) reached by the end of the hold.
        sag_onset_s: Seconds into the hold when the sag starts to develop.
        holds: Plank holds in the clip, each with the same sag, on the knees between.
        setup_s: Standing (or lying) still before the set begins.
        rest_s: Resting after the set.
        style: The clean technique the faults are added to.
        rounding: Where the spine flexes (``rounded_back`` and the neutral spine):
            ``spread`` over the whole spine, ``lumbar`` or ``thoracic`` (see
            :data:`formcheck.synth.body.ROUNDING`).
    """

    exercise: str
    reps: int = 5
    faults: dict[int, dict[str, float]] = field(default_factory=dict)
    tempo: float = 1.0
    fatigue_pct: float = 0.0
    hold_s: float = 20.0
    sag_deg: float = 0.0
    sag_onset_s: float = 10.0
    holds: int = 1
    setup_s: float = 1.5
    rest_s: float = 2.0
    style: Style = field(default_factory=Style)
    rounding: str = "spread"

    def __post_init__(self) -> None:
        """Reject what cannot be performed."""
        if self.exercise not in EXERCISES:
            raise ValueError(
                f"unknown exercise {self.exercise!r}; choose from {', '.join(EXERCISES)}"
            )
        if not 1 <= self.reps <= 30 or self.tempo <= 0 or self.hold_s <= 0:
            raise ValueError("reps must be 1-30, tempo and hold_s positive")
        if not 1 <= self.holds <= 10:
            raise ValueError("holds must be 1-10")
        if self.rounding not in ROUNDING:
            raise ValueError(
                f"rounding must be one of {', '.join(ROUNDING)}, not {self.rounding!r}"
            )
        if not 0 <= self.fatigue_pct < 100:
            raise ValueError(f"fatigue_pct must be 0 to under 100, not {self.fatigue_pct}")
        for rep, faults in self.faults.items():
            unknown = set(faults) - set(REP_FAULTS)
            if unknown or not 1 <= rep <= self.reps:
                raise ValueError(f"bad fault for rep {rep}: {faults}")

    def rise(self, rep: int) -> float:
        """Duration multiplier of ``rep``'s concentric phase: the tempo, slowed by fatigue."""
        progress = (rep - 1) / (self.reps - 1) if self.reps > 1 else 0.0
        return self.tempo / (1 - self.fatigue_pct / 100 * progress)

    def fault(self, rep: int, code: str) -> float:
        """Magnitude of ``code`` on ``rep`` (0 when absent)."""
        return self.faults.get(rep, {}).get(code, 0.0)


@dataclass(frozen=True)
class Script:
    """A timeline plus how to stage it."""

    timeline: Timeline
    support: str
    prop: str | None  # "barbell", "kettlebell" or None
    prop_start: np.ndarray | None  # where the prop rests before the hands take it
    over_midfoot: str  # what a standing body keeps over mid-foot: "grip" or "centre"


def build(spec: Spec, posture_for: dict[str, Posture]) -> Script:
    """The script of ``spec``; ``posture_for`` maps a support kind to its posture."""
    if spec.exercise == "deadlift":
        return _deadlift(spec, posture_for["stand"])
    if spec.exercise == "rdl":
        return _rdl(spec, posture_for["stand"])
    if spec.exercise == "single_leg_rdl":
        return _single_leg_rdl(spec, posture_for["stand"])
    if spec.exercise == "kb_swing":
        return _swing(spec, posture_for["stand"])
    if spec.exercise == "glute_bridge":
        return _bridge(spec)
    return _plank(spec)


def solve_hip(posture: Posture, key: Key, grip_z: float, over_midfoot: str) -> Key:
    """``key`` with the hip angle that puts the grip at height ``grip_z``.

    Halving from a hip folded shut towards a straight one: the grip rises with
    the hip angle until the trunk is upright.
    """
    lo, hi = 20.0, 178.0
    for _ in range(18):
        mid = (lo + hi) / 2
        z = posture.place(dataclasses.replace(key, hip=mid), over_midfoot).grip[2]
        lo, hi = (mid, hi) if z < grip_z else (lo, mid)
    return dataclasses.replace(key, hip=(lo + hi) / 2)


def _top(spec: Spec, rep: int) -> Key:
    """The lockout of ``rep``: short of straight, straight, or leaning back."""
    short = spec.fault(rep, "incomplete_lockout")
    return Key(
        hip=179.0 - short + spec.fault(rep, "lean_back"),
        knee=178.0 - short / 3,
        spine=NEUTRAL_SPINE,
    )


def _deadlift(spec: Spec, posture: Posture) -> Script:
    stand = Key(arm=0.0, elbow=3.0)
    bottoms = {rep: _liftoff(spec, posture, rep) for rep in range(1, spec.reps + 1)}
    tl = Timeline(stand)
    tl.hold(spec.setup_s, "prelude")
    tl.move(1.4, "prelude", to=bottoms[1])
    tl.move(0.5, "prelude", held=True)
    for rep in range(1, spec.reps + 1):
        early, knees = _pull(spec, posture, rep, bottoms[rep])
        rise = 1.2 * spec.rise(rep)
        tl.mark("rep_start")
        tl.move(0.3 * rise, "set", rep, to=early, ease="in")
        tl.move(0.3 * rise, "set", rep, to=knees, ease="none")
        tl.move(0.4 * rise, "set", rep, to=_top(spec, rep), arm=0.0, elbow=3.0, ease="out")
        tl.mark("rep_top")
        tl.hold(0.4 * spec.tempo, "set", rep)
        tl.move(1.1 * spec.tempo, "set", rep, {"knee": 1.3, "hip": 0.8}, to=bottoms[rep])
        tl.mark("rep_end")
        tl.move(0.6, "set", to=bottoms[min(rep + 1, spec.reps)])
    tl.move(0.4, "rest", held=False)
    tl.move(1.3, "rest", to=stand)
    tl.hold(spec.rest_s, "rest")
    start = np.array([0.0, posture.midfoot_y, PLATE_RADIUS])
    return Script(tl, "stand", "barbell", start, "grip")


def _liftoff(spec: Spec, posture: Posture, rep: int) -> Key:
    """The set-up of ``rep``: bar over mid-foot, the trunk at the style's tilt.

    A squatted pull sits back with the chest up, shoulders behind the bar.
    """
    squat = spec.fault(rep, "squat_pattern")
    spine = NEUTRAL_SPINE + spec.fault(rep, "rounded_back")
    trunk = max(spec.style.trunk - squat, 8.0)
    return _setup(posture, trunk, spec.style.arm + min(squat, 12.0), spine)


@functools.lru_cache(maxsize=128)
def _setup(
    posture: Posture, trunk: float, arm: float, spine: float, bar: float = PLATE_RADIUS
) -> Key:
    """Hands on the bar at height ``bar`` over mid-foot, the trunk ``trunk`` deg from vertical.

    The knees bend until the hips, placed to reach the bar, tip the trunk that far;
    the trunk rises steadily as the knees bend, down to the deepest knee bend at
    which the hands still reach the bar. Reps share their set-ups.
    """
    base = Key(spine=spine, neck=-10.0, arm=arm, elbow=3.0)

    def reaching(knee: float) -> Placed | None:
        key = solve_hip(posture, dataclasses.replace(base, knee=knee), bar, "grip")
        placed = posture.place(key, "grip")
        return placed if abs(placed.grip[2] - bar) < 0.02 else None

    deepest = next(k for k in np.arange(40.0, 175.0, 5.0) if reaching(float(k)) is not None)

    def tilt_past(knee: float) -> float:
        placed = reaching(knee)
        return (forward_lean(placed.keypoints) if placed else 180.0) - trunk

    knee = bisect(tilt_past, float(deepest), 175.0, xtol=0.05)
    return solve_hip(posture, dataclasses.replace(base, knee=knee), bar, "grip")


def forward_lean(keypoints: np.ndarray) -> float:
    """The trunk's forward tilt from vertical (degrees) of (23, 3) COCO keypoints."""
    return -float(truth.angles_3d(keypoints[None])[0].lean[0])


#: How high the bar has risen at the first key of a pull, metres.
EARLY_BAR_M = 0.06


def _pull(spec: Spec, posture: Posture, rep: int, bottom: Key) -> tuple[Key, Key]:
    """Two keys of the rise: the bar just off the floor, and the bar at the knees.

    A clean pull keeps the trunk's angle while the bar leaves the floor (hips and
    shoulders rise together), whatever the body's proportions; ``hips_rise_first``
    straightens the knees that much further first, so the hips shoot up and the
    trunk tips forward; ``bar_drift`` swings the bar ahead of mid-foot on the way
    to the knees.
    """
    drift = spec.fault(rep, "bar_drift") / 100
    lean = forward_lean(posture.place(bottom, "grip").keypoints)
    bar = PLATE_RADIUS + EARLY_BAR_M
    steady = _setup(posture, round(lean, 2), bottom.arm, bottom.spine, bar)
    knee = min(steady.knee + spec.fault(rep, "hips_rise_first"), 176.0)
    early = solve_hip(posture, dataclasses.replace(bottom, knee=knee, reach=drift / 2), bar, "grip")
    at_knee = posture.body.heads[posture.body.bone("lowerleg01.L")][2]
    knees = dataclasses.replace(early, knee=max(knee, 165.0), reach=drift)
    return early, solve_hip(posture, knees, float(at_knee), "grip")


def _rdl(spec: Spec, posture: Posture) -> Script:
    stand = Key(arm=0.0, elbow=3.0, held=True)
    tl = Timeline(stand)
    tl.hold(spec.setup_s, "prelude")
    for rep in range(1, spec.reps + 1):
        squat = spec.fault(rep, "squat_pattern")
        bottom = Key(
            knee=spec.style.rdl_knee - squat,
            spine=NEUTRAL_SPINE + spec.fault(rep, "rounded_back"),
            neck=-8.0,
            arm=0.0,
            elbow=3.0,
            reach=spec.fault(rep, "bar_drift") / 100,
        )
        bottom = solve_hip(posture, bottom, spec.style.rdl_bar, "grip")
        tl.mark("rep_start")
        tl.move(1.5 * spec.tempo, "set", rep, {"knee": 0.8}, to=bottom)
        tl.mark("rep_bottom")
        tl.move(
            1.2 * spec.rise(rep), "set", rep, {"knee": 1.2}, to=_top(spec, rep), arm=0.0, elbow=3.0
        )
        tl.mark("rep_top")
        tl.mark("rep_end")
        tl.move(0.5, "set", to=stand)
    tl.hold(spec.rest_s, "rest")
    return Script(tl, "stand", "barbell", None, "grip")


def _single_leg_rdl(spec: Spec, posture: Posture) -> Script:
    """Bodyweight, standing on the left leg; the right leg reaches back in line with the trunk."""
    stand = Key(arm=0.0, elbow=3.0)
    tl = Timeline(stand)
    tl.hold(spec.setup_s, "prelude")
    up, bend = spec.style.free_up, spec.style.free_bend
    tl.move(0.8, "prelude", free=up, free_bend=bend)
    tl.hold(0.5, "prelude")
    for rep in range(1, spec.reps + 1):
        squat = spec.fault(rep, "squat_pattern")
        hip = 95.0 + squat * 0.6
        knee = 160.0 - squat
        bottom = Key(
            knee=knee,
            hip=hip,
            spine=NEUTRAL_SPINE + spec.fault(rep, "rounded_back"),
            neck=-8.0,
            arm=-5.0,
            elbow=3.0,
            free=180.0 - hip - spec.fault(rep, "free_leg_line"),
            free_bend=-(180.0 - knee) + 4.0,
        )
        tl.mark("rep_start")
        tl.move(1.6 * spec.tempo, "set", rep, {"free": 0.8}, to=bottom)
        tl.mark("rep_bottom")
        top = dataclasses.replace(_top(spec, rep), arm=0.0, elbow=3.0, free=up, free_bend=bend)
        tl.move(1.4 * spec.rise(rep), "set", rep, {"free": 1.2}, to=top)
        tl.mark("rep_top")
        tl.mark("rep_end")
        touch = spec.fault(rep, "lost_balance")
        if touch:  # the free foot comes down beside the other one, then lifts again
            tl.move(0.3, "set", free=0.0, free_bend=0.0)
            tl.hold(touch, "set")
            tl.move(0.4, "set", free=up, free_bend=bend)
        tl.hold(0.5, "set")
    tl.move(0.6, "rest", free=0.0, free_bend=0.0)
    tl.hold(spec.rest_s, "rest")
    return Script(tl, "stand", None, None, "centre")


def _swing(spec: Spec, posture: Posture) -> Script:
    stand = Key(arm=0.0, elbow=3.0)
    grab = solve_hip(
        posture, Key(knee=140.0, arm=35.0, elbow=3.0, neck=-10.0), KETTLEBELL_GRIP_HEIGHT, "centre"
    )
    tl = Timeline(stand)
    tl.hold(spec.setup_s, "prelude")
    tl.move(1.3, "prelude", to=grab)
    tl.move(0.4, "prelude", held=True)
    beat = 0.5 * spec.tempo
    for rep in range(1, spec.reps + 1):
        squat = spec.fault(rep, "squat_pattern")
        back = Key(
            knee=spec.style.swing_knee - squat,
            hip=spec.style.swing_hip + squat * 0.6,
            spine=NEUTRAL_SPINE + spec.fault(rep, "rounded_back"),
            neck=-12.0,
            arm=-25.0,
            elbow=5.0,
        )
        tl.mark("rep_start")
        tl.move(beat if rep > 1 else 0.6, "set", rep, {"arm": 0.7}, to=back)
        tl.mark("rep_bottom")
        rise = 0.5 * spec.rise(rep)
        tl.move(rise, "set", rep, {"arm": 1.4}, to=_top(spec, rep), arm=88.0, elbow=5.0)
        tl.mark("rep_top")
        tl.hold(0.12 * spec.tempo, "set", rep)
        tl.mark("rep_end")
    tl.move(beat, "set", arm=-20.0, knee=142.0, hip=80.0, spine=NEUTRAL_SPINE)
    tl.move(0.8, "rest", to=grab)
    tl.move(0.3, "rest", held=False)
    tl.move(1.2, "rest", to=stand)
    tl.hold(spec.rest_s, "rest")
    start = posture.place(grab, "centre").grip
    return Script(tl, "stand", "kettlebell", start, "centre")


def _plank(spec: Spec) -> Script:
    kneeling = Key(knee=95.0, spine=0.0, neck=-5.0)
    tl = Timeline(kneeling)
    tl.hold(spec.setup_s, "prelude")
    for hold in range(spec.holds):
        if hold:  # back on the knees between holds
            tl.move(1.2, "set", knee=95.0, sag=0.0)
            tl.hold(spec.rest_s, "set")
        tl.move(1.2, "prelude" if hold == 0 else "set", knee=178.0)
        tl.mark("hold_start")
        step, t = 1.0, 0.0
        while t < spec.hold_s - 1e-9:
            seconds = min(step, spec.hold_s - t)
            t += seconds
            ramp = np.clip((t - spec.sag_onset_s) / 4.0, 0.0, 1.0)
            sway = 0.8 * np.sin(2 * np.pi * t / 3.7)
            tl.move(seconds, "set", sag=float(spec.sag_deg * ramp + sway))
        tl.mark("hold_end")
    tl.move(1.2, "rest", knee=95.0, sag=0.0)
    tl.hold(spec.rest_s, "rest")
    return Script(tl, spec.exercise.replace("plank", "prone"), None, None, "centre")


def _bridge(spec: Spec) -> Script:
    bottom = Key(hip=128.0, knee=80.0, arm=90.0, elbow=0.0, spine=0.0)
    tl = Timeline(bottom)
    tl.hold(spec.setup_s, "prelude")
    for rep in range(1, spec.reps + 1):
        tl.mark("rep_start")
        top = 180.0 - spec.fault(rep, "incomplete_lockout") + spec.fault(rep, "over_arch")
        tl.move(0.9 * spec.rise(rep), "set", rep, hip=top)
        tl.mark("rep_top")
        tl.hold(0.8 * spec.tempo, "set", rep)
        tl.move(0.9 * spec.tempo, "set", rep, hip=128.0)
        tl.mark("rep_end")
        tl.hold(0.5, "set")
    tl.hold(spec.rest_s, "rest")
    return Script(tl, "supine", None, None, "centre")
