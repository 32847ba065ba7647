"""Per-rep checks, registered by fault code.

Each check measures one number per full rep over a span of frames (partial reps
are not judged) and compares it with a threshold from
:mod:`formcheck.thresholds`. A check that cannot measure a rep reliably abstains
and says why. Most checks look at one rep; a check that compares a rep with the
rest of the set (the spine's) is registered with ``compares_reps``. Exercises
list the checks they run by code; adding an exercise touches neither this engine
nor the others. Where one fault shows differently in one exercise (a squatted
swing is not a squatted pull), that exercise gets its own variant of the check,
registered ``only`` for it; :func:`check_of` finds it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from formcheck import angles, spine
from formcheck.kinematics import STANCE_LIFT_M, Kinematics, ViewLabel, frames_in, running
from formcheck.report import CONFIDENCE
from formcheck.reps import Rep

FloatArray = NDArray[np.float64]

#: Share of the hands' rise (from the bottom) in which the hips may not shoot up...
EARLY_RISE = 0.25
#: ...or, where the hands are not seen, share of the rise's time.
EARLY_PULL = 0.4
#: Share of a rep's frames with the hands seen that the bar's path needs.
HANDS_SEEN = 0.6
#: Seconds before a rep's bottom in which lift-off (the lowest shoulders) is looked for.
LIFT_OFF_S = 0.5
#: The farthest the hands hang from the hips at the top of a pull, in leg lengths.
#: Chosen on the tune renders: where the model sees the hips there, 0.03-0.13 (90 %
#: within 0.2); where it puts them on the plates, 0.25-0.29, the trunk 17-23 deg off.
HANDS_AT_HIPS = 0.19
#: The least confidence a check's reading needs, where the check does not rate its
#: own (see :func:`outcome`): the median visibility of the landmarks it reads. It is
#: the visibility under which conditioning drops a landmark, so under it the value
#: comes from the few frames the model saw. On the tune renders and the real clips
#: the model rates even the hips it guesses behind the plates about 1.0, so this
#: line catches landmarks out of the picture or in the dark; the guesses are caught
#: by each check's own rules.
LEAST_CONFIDENCE = 0.5


@dataclass(frozen=True)
class Measurement:
    """What a check measured on one rep: the value and the frames it comes from.

    Attributes:
        value: The measured value.
        start: First frame it was measured over.
        end: Last frame.
        confidence: 0-1 where the check rates its own reading; None where it does not.
        details: Further numbers behind the value, reported with the rep's metrics.
        at: The frame where the value is worst, when the check knows it.
    """

    value: float
    start: int
    end: int
    confidence: float | None = None
    details: Mapping[str, float] = field(default_factory=dict)
    at: int | None = None

    @property
    def worst(self) -> int:
        """The frame to show the fault at: ``at``, else the middle of the span."""
        return self.at if self.at is not None else (self.start + self.end) // 2


@dataclass(frozen=True)
class Abstention:
    """A check that could not judge a rep reliably.

    Attributes:
        reason: Why, in one line for people; the same words for the same cause.
        details: The numbers behind the reason, reported with the rep's metrics.
    """

    reason: str
    details: Mapping[str, float] = field(default_factory=dict)


#: What a check makes of one rep (None: nothing to measure, e.g. a landmark never seen).
Outcome = Measurement | Abstention | None
#: Measures one rep, given the set's full reps.
SetMeasure = Callable[[Kinematics, Rep, Sequence[Rep]], Outcome]


@dataclass(frozen=True)
class Check:
    """A registered check.

    Attributes:
        code: Fault code (DESIGN.md).
        label: A short name of the value, for table headers.
        metric: What the value is, for people.
        unit: Unit of the value.
        fault_if: ``above`` (value >= threshold is a fault) or ``below`` (<=).
        views: Camera views in which the measurement means something.
        cue: The coaching cue for this fault, about technique.
        measure: The measuring function, given the rep and the set's full reps.
        reads: The landmarks the value comes from (``hip``, ``wrist``): how clearly
            the model sees them over the measured frames is the check's confidence.
    """

    code: str
    label: str
    metric: str
    unit: str
    fault_if: Literal["above", "below"]
    views: frozenset[ViewLabel]
    cue: str
    measure: SetMeasure
    reads: tuple[str, ...]

    def is_fault(self, value: float, threshold: float) -> bool:
        """Whether ``value`` crosses ``threshold``."""
        return value >= threshold if self.fault_if == "above" else value <= threshold

    @property
    def sign(self) -> str:
        """``≥`` or ``≤``: how a value compares with the threshold to be a fault."""
        return "≥" if self.fault_if == "above" else "≤"


CHECKS: dict[str, Check] = {}
#: Checks that replace the common one for some exercises: (exercise, code) -> check.
_VARIANTS: dict[tuple[str, str], Check] = {}

_SAGITTAL: frozenset[ViewLabel] = frozenset({"side", "oblique"})
_SIDE: frozenset[ViewLabel] = frozenset({"side"})


def register(
    code: str,
    label: str,
    metric: str,
    unit: str,
    fault_if: Literal["above", "below"],
    views: frozenset[ViewLabel],
    cue: str,
    *,
    reads: tuple[str, ...] = ("shoulder", "hip"),
    compares_reps: bool = False,
    only: frozenset[str] = frozenset(),
) -> Callable[[Callable[..., Outcome]], Callable[..., Outcome]]:
    """Decorator: register ``measure`` as the check for fault ``code``.

    ``measure(kin, rep)`` looks at one rep; with ``compares_reps`` it is
    ``measure(kin, rep, reps)`` and also gets the set's full reps. With ``only``,
    it is the check of those exercises alone, in place of the common one.
    ``reads``: the landmarks its value comes from (the trunk's, unless told).
    """

    def wrap(measure: Callable[..., Outcome]) -> Callable[..., Outcome]:
        full = measure if compares_reps else (lambda kin, rep, _reps: measure(kin, rep))
        _add(Check(code, label, metric, unit, fault_if, views, cue, full, reads), only)
        return measure

    return wrap


def _add(check: Check, only: frozenset[str]) -> None:
    keys = [(exercise, check.code) for exercise in only]
    if any(k in _VARIANTS for k in keys) or (not only and check.code in CHECKS):
        raise ValueError(f"a check for {check.code!r} is already registered")
    _VARIANTS.update(dict.fromkeys(keys, check))
    if not only:
        CHECKS[check.code] = check


def check_of(exercise: str, code: str) -> Check:
    """The check ``exercise`` runs for fault ``code``: its own variant, else the common one."""
    return _VARIANTS.get((exercise, code)) or CHECKS[code]


def outcome(check: Check, kin: Kinematics, rep: Rep, reps: Sequence[Rep]) -> Outcome:
    """What ``check`` makes of ``rep``, its measurement rated by how clearly the model saw.

    A check that does not rate its own reading gets the confidence of the
    landmarks it reads over the frames it measured (``Kinematics.seen``); under
    LEAST_CONFIDENCE it abstains.
    """
    found = check.measure(kin, rep, reps)
    if not isinstance(found, Measurement) or found.confidence is not None:
        return found
    span = slice(found.start, found.end + 1)
    seen = kin.seen(check.reads, span)
    if seen < LEAST_CONFIDENCE:
        faint = [p for p in check.reads if kin.seen((p,), span) < LEAST_CONFIDENCE]
        return Abstention(
            f"the model barely sees the {_listed(faint or check.reads)} where this is measured "
            "(hidden, or out of the picture)",
            {check.code + CONFIDENCE: seen},
        )
    return replace(found, confidence=seen)


def _listed(points: Sequence[str]) -> str:
    names = [f"{p}s" for p in points]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _extreme(values: FloatArray, span: slice, largest: bool) -> Measurement | None:
    """The largest (or smallest) finite value in ``values[span]``, with the span."""
    piece, offset = values[span], int(span.start or 0)
    if len(piece) == 0 or not np.isfinite(piece).any():
        return None
    i = int(np.nanargmax(piece) if largest else np.nanargmin(piece))
    return Measurement(float(piece[i]), offset, offset + len(piece) - 1, at=offset + i)


def _median(values: FloatArray, span: slice) -> Measurement | None:
    """The median of the finite values in ``values[span]``, with the span."""
    piece, offset = values[span], int(span.start or 0)
    if not np.isfinite(piece).any():
        return None
    return Measurement(float(np.nanmedian(piece)), offset, offset + len(piece) - 1)


def _span(rep: Rep) -> slice:
    return slice(rep.start, rep.end + 1)


def _seen_as(kin: Kinematics, rep: Rep) -> tuple[ViewLabel, int]:
    """The camera view of a rep and the way the lifter faces in it (+1 image-right)."""
    facing = 1 if kin.facing[_span(rep)].sum() >= 0 else -1
    return kin.view_of(_span(rep)).label, facing


def _around(frame: int, n: int, half: int = 2) -> slice:
    return slice(max(frame - half, 0), min(frame + half + 1, n))


@register(
    "squat_pattern",
    "bottom trunk",
    "trunk angle from vertical at the bottom, in the lifter's side plane",
    "deg",
    "below",
    _SAGITTAL,
    "Push your hips back: let your chest come forward, shins stay near vertical",
)
def _squat_pattern(kin: Kinematics, rep: Rep) -> Measurement | None:
    """A hinge squatted: the chest held nearly upright at the bottom, the knees doing the work.

    A coach judges the back angle at the bottom, where a deadlift leaves the
    floor: a hinge sets the hips high and the chest over the bar. Conventional
    lifters leave the floor with the trunk well forward of vertical, sumo lifters
    5-10 degrees more upright (Escamilla et al. 2000, Med Sci Sports Exerc
    32(7):1265); a squatted pull starts with the chest nearly upright. RDLs
    and good mornings hinge further, so their line sits higher. The measure is
    the trunk's lean at lift-off (the lowest shoulders; from standing, the
    bottom) in the lifter's own side plane (``kin.trunk``: the image's lean
    corrected for a camera turned up to 60 degrees off the side), so oblique
    views count too.
    """
    found = _median(kin.trunk, _around(_lift_off(kin, rep), len(kin.t)))
    return None if found is None else replace(found, details=_yaw(kin, rep))


@register(
    "squat_pattern",
    "hip share",
    "the hips' share of the bend at the bottom of the swing (hip bend over hip plus "
    "knee bend), in the lifter's side plane",
    "%",
    "below",
    _SAGITTAL,
    "Push your hips back: let your chest come forward, shins stay near vertical",
    reads=("shoulder", "hip", "knee", "ankle"),
    only=frozenset({"kb_swing"}),
)
def _squatted_swing(kin: Kinematics, rep: Rep) -> Outcome:
    """A swing squatted: the knees bend as much as the hips at the bottom.

    A coach watches the backswing: in a swing the bell goes back between the
    legs as the hips fold, shins near vertical and knees soft; a squatted swing
    sinks, knees forward, chest up (the swing as a hip hinge: McGill and Marshall
    2012, J Strength Cond Res 26(1):16). The trunk's lean alone cannot tell it:
    a Russian swing keeps the chest as high as a squatted one, with straight
    knees. The measure is the hips' share of the bend at the bottom
    (``Kinematics.hip_share``: the hips' flexion over the hips' and knees'
    together, in the side plane), in per cent: 50 when the knees bend as much
    as the hips.
    """
    around = _around(rep.bottom, len(kin.t))
    if not np.isfinite(kin.angles["knee"][around]).any():
        return Abstention("the knees are not seen at the bottom of the swing")
    found = _median(kin.hip_share(), around)
    if found is None:
        return Abstention(
            "the hips read straight or bent back at the bottom of the swing: the landmarks are off"
        )
    return replace(found, at=rep.bottom, details=_yaw(kin, rep))


@register(
    "incomplete_lockout",
    "lockout",
    "hips short of full extension at the top: the trunk still forward of vertical "
    "(lying on the back: the hips below the line from the shoulders to the knees)",
    "deg",
    "above",
    _SAGITTAL,
    "Finish tall: squeeze your glutes until your hips are fully through",
)
def _incomplete_lockout(kin: Kinematics, rep: Rep) -> Measurement | None:
    """A rep that stops short of the top: the hips never fully extend.

    A coach looks at the top. Standing (a good morning, a swing): hips through,
    the trunk upright over them; the swing's top is a standing plank
    (Tsatsouline 2006, Enter the Kettlebell!). The measure is the trunk's lean
    (side plane) at the most upright moment of the top. Lying on the back (a
    glute bridge): the hips rise until they are level with the line from the
    shoulders to the knees, full hip extension (the hip thrust's top in Contreras
    et al. 2015, J Appl Biomech 31(6):452); the measure is how far the hips stay
    below that line at their highest (``kin.hip_line``).
    """
    if kin.hip_line is not None:
        found = _extreme(kin.hip_line, rep.lockout, largest=True)
        return None if found is None else replace(found, value=-found.value)
    return _extreme(kin.trunk, rep.lockout, largest=False)


@register(
    "incomplete_lockout",
    "lockout",
    "hips short of full extension at the top: the trunk still forward of vertical",
    "deg",
    "above",
    _SAGITTAL,
    "Finish tall: squeeze your glutes until your hips are fully through",
    only=frozenset({"deadlift", "rdl", "single_leg_rdl"}),
)
def _incomplete_pull(kin: Kinematics, rep: Rep) -> Outcome:
    """A pull that stops short of standing tall: the trunk still forward at the top.

    A coach looks at the top: hips through, chest up, shoulders over the hips.
    The measure is the trunk's lean (side plane) at the most upright moment of
    the top. At the top of a pull the bar hangs at the hips, so from the side
    its plates cover them and the model guesses where they are; a guessed hip
    tilts the trunk by 20 deg or more. Hands hidden at that moment, or further
    from the hips than hanging arms allow (HANDS_AT_HIPS), say the hips were
    guessed, and the check abstains.
    """
    found = _extreme(kin.trunk, rep.lockout, largest=False)
    if found is None:
        return None
    return _hips_guessed(kin, found.worst, "the lockout") or found


def _hips_guessed(kin: Kinematics, frame: int, what: str) -> Abstention | None:
    """An abstention where the hips at the top of a pull were guessed behind the plates.

    At the top the bar hangs at the hips: hands hidden there, or further from
    the hips than hanging arms allow (HANDS_AT_HIPS), say the model guessed them.
    """
    hands, hips = (angles.either(kin.xy[frame : frame + 1], p)[0] for p in ("wrist", "hip"))
    apart = float(np.hypot(*(hands - hips)) / kin.leg)
    if apart <= HANDS_AT_HIPS:
        return None
    return Abstention(
        f"the hips are hidden at the top (behind the plates?): {what} cannot be read",
        {} if np.isnan(apart) else {"hands_from_hips_legs": apart},
    )


@register(
    "over_arch",
    "arch",
    "hips pushed above the line from the shoulders to the knees at the top",
    "deg",
    "above",
    _SAGITTAL,
    "Ribs down: stop where your shoulders, hips and knees make one line",
    reads=("shoulder", "hip", "knee"),
)
def _over_arch(kin: Kinematics, rep: Rep) -> Measurement | None:
    """A bridge pushed past the top: the hips driven above the shoulder-knee line.

    A coach looks for the ribs flaring and the lower back arching to lift the
    hips further once the hips are fully extended. The measure is how far the
    hips rise above the line from the shoulders to the knees at their highest
    (``kin.hip_line``).
    """
    if kin.hip_line is None:
        return None
    return _extreme(kin.hip_line, rep.lockout, largest=True)


#: The lean-back check's registration, shared by its deadlift variant.
_LEAN_BACK: tuple[str, str, str, str, Literal["above"], frozenset[ViewLabel], str] = (
    "lean_back",
    "lean back",
    "trunk angle behind vertical at the top",
    "deg",
    "above",
    _SAGITTAL,
    "Stand tall: squeeze your glutes, don't lean back",
)


@register(*_LEAN_BACK)
def _lean_back(kin: Kinematics, rep: Rep) -> Measurement | None:
    """Leaning back at the top: the trunk past vertical instead of stacked over the hips.

    A coach looks at the top: a deadlift ends standing erect, not leaning back
    (Haff and Triplett 2016, Essentials of Strength Training and Conditioning,
    4th ed., ch. 15); a swing's top is a standing plank, the body in one vertical
    line (Tsatsouline 2006). Leaning back arches the lower back instead of
    finishing with the hips. No published line exists in degrees (DESIGN.md).
    The measure is how far the trunk leans behind vertical (side plane) at its
    furthest back in the top; 0 where it never passes vertical.
    """
    found = _extreme(-kin.trunk, rep.lockout, largest=True)
    return None if found is None else replace(found, value=max(found.value, 0.0))


@register(*_LEAN_BACK, only=frozenset({"deadlift"}))
def _leaned_pull(kin: Kinematics, rep: Rep) -> Outcome:
    """Leaning back at the top of a deadlift, read where the hips are seen.

    As ``_lean_back``; at the top of a pull the plates cover the hips, and a
    guessed hip tilts the trunk by more than the lean to be seen, so the check
    abstains where the hips were guessed (as ``_incomplete_pull``).
    """
    found = _lean_back(kin, rep)
    if not isinstance(found, Measurement):
        return found
    return _hips_guessed(kin, found.worst, "the lean") or found


@register(
    "hips_rise_first",
    "early tip",
    "trunk tipping further forward early in the pull",
    "deg",
    "above",
    _SAGITTAL,
    "Push the floor away: chest and hips rise together",
)
def _hips_rise_first(kin: Kinematics, rep: Rep) -> Measurement | None:
    """Hips shooting up before the bar moves: the trunk tips further forward early in the pull.

    A coach watches the back angle as the bar leaves the floor: in a good pull it
    holds (hips and shoulders rise together) until the bar passes the knees. The
    measure is how much further forward the trunk (``kin.trunk``, in the side
    plane) tips while the hands rise their first EARLY_RISE of the way up,
    against where the shoulders were lowest; where the hands are not seen, over
    the first EARLY_PULL of the rise's time.
    """
    early = _early_pull(kin, rep)
    trunk = kin.trunk[early]
    if len(trunk) < 2 or not np.isfinite(trunk[0]) or not np.isfinite(trunk).any():
        return None
    tip = float(np.nanmax(trunk) - trunk[0])
    at = early.start + int(np.nanargmax(trunk))
    return Measurement(max(tip, 0.0), early.start, early.stop - 1, at=at)


def _early_pull(kin: Kinematics, rep: Rep) -> slice:
    """The frames from lift-off while the hands (the bar) rise their first EARLY_RISE."""
    lift = _lift_off(kin, rep)
    _, rise = kin.bar_ahead(slice(lift, rep.top + 1))
    if np.isfinite(rise).mean() >= HANDS_SEEN and np.nanmax(rise) > 0:
        past = np.flatnonzero(rise > EARLY_RISE * np.nanmax(rise))
        if len(past):
            return slice(lift, lift + max(int(past[0]), 2))
    return slice(lift, lift + max(2, round(EARLY_PULL * (rep.top - lift))) + 1)


def _lift_off(kin: Kinematics, rep: Rep) -> int:
    """The frame the pull starts: the lowest the shoulders sink in LIFT_OFF_S before the bottom.

    A rep's bottom ends where the shoulders leave the bottom, but hips that shoot
    up first tip the trunk before the shoulders rise much.
    """
    before = slice(max(rep.bottom - frames_in(kin.t, LIFT_OFF_S), 0), rep.bottom + 1)
    height = kin.height[before]
    return before.start + int(np.nanargmin(height)) if np.isfinite(height).any() else rep.bottom


@register(
    "bar_drift",
    "bar ahead",
    "hands ahead of where they left the floor, in the lower half of their path",
    "% leg",
    "above",
    _SIDE,
    "Keep the bar close: drag it up your legs",
    reads=("wrist",),
)
def _bar_drift(kin: Kinematics, rep: Rep) -> Outcome:
    """The bar swinging away from the legs in the lower half of the pull.

    A coach watches the bar's path from the side: it should travel straight up
    over the mid-foot, dragged along the shins and thighs. The measure is how
    far the hands (the bar) travel towards where the lifter faces from where
    they were lowest, while in the lower half of their path, in per cent of the
    leg (``kin.bar_ahead``, unforeshortened for the camera's yaw). The model's
    hands jump for a frame or two behind the plates, so the largest value of a
    running median over five frames. Behind the plates the model guesses the
    hands, and its guesses wander by more than a drifting bar, so only hands it
    sees clearly count (``kinematics.HANDS_VISIBLE``); where they are not seen
    in most of the rep, the check abstains. Side views only: from an oblique
    view the model's hands wander far enough that clean rendered pulls read up
    to a third of a leg.
    """
    ahead, rise = kin.bar_ahead(_span(rep))
    seen = np.isfinite(ahead)
    if seen.mean() < HANDS_SEEN:
        return Abstention(
            "the hands are not seen clearly in most of the rep (behind the plates?): the "
            "bar's path cannot be followed",
            {"hands_seen": float(seen.mean())},
        )
    with np.errstate(invalid="ignore"):
        low = rise <= 0.5 * np.nanmax(rise)
    steady = running(ahead, 2)
    if not np.isfinite(steady[low]).any():
        return None
    i = int(np.nanargmax(np.where(low, steady, np.nan)))
    return Measurement(
        float(steady[i]), rep.start, rep.end, at=rep.start + i, details=_yaw(kin, rep)
    )


def _yaw(kin: Kinematics, rep: Rep) -> dict[str, float]:
    """The camera's angle off the side over a rep, for the rep's metrics."""
    yaw = kin.yaw[_span(rep)]
    return {"view_yaw_deg": float(np.nanmedian(yaw))} if np.isfinite(yaw).any() else {}


@register(
    "free_leg_line",
    "leg bend",
    "bend between the trunk and the free leg at the bottom",
    "deg",
    "above",
    _SAGITTAL,
    "Reach back with your heel: one straight line from head to heel",
    reads=("shoulder", "hip", "ankle"),
)
def _free_leg_line(kin: Kinematics, rep: Rep) -> Measurement | None:
    """The free leg not following the trunk on a single-leg RDL.

    A coach looks at the bottom: the trunk and the free leg tip as one piece,
    the free heel reaching back so that shoulder, hip and heel make one straight
    line (the usual cue of coaching guides, e.g. biologyinsights.com, "How to do
    a single leg Romanian deadlift"); a free leg left hanging, or a knee bent,
    breaks that line. The measure is the bend at the hip between the trunk line
    and the free leg (hip to its ankle), median around the bottom.
    """
    return _median(kin.free_bend, _around(rep.bottom, len(kin.t)))


@register(
    "lost_balance",
    "free foot",
    "lowest height of the free foot above the standing foot, until the next rep",
    "cm",
    "below",
    _SIDE,
    "Own your balance: slow down and keep the free foot off the floor",
    reads=("ankle",),
)
def _lost_balance(kin: Kinematics, rep: Rep) -> Measurement | None:
    """The free foot put down: balance lost on a single-leg RDL.

    A coach watches for the free foot touching the floor before the set is done.
    The measure is the lowest height of the free ankle above the standing one
    (the model's 3-D landmarks, metres) from the rep's start until the next rep.
    Side views only: seen from an angle the free leg reaching back goes into the
    picture's depth, where the model flattens it; on the tune renders clean reps
    seen obliquely read 0-1 cm, as if the foot were down, while from the side
    clean reps read from 3.6 cm and touch-downs up to 3.
    """
    # Until the next rep: a foot put down between reps is balance lost. After the
    # last rep the foot comes down for good to end the set; a touch-down before
    # the foot is last seen up still counts.
    stop = rep.lockout_end
    if rep.final:
        up = np.flatnonzero(kin.free_foot[rep.start :] >= STANCE_LIFT_M)
        stop = rep.start + int(up[-1]) if len(up) else rep.top
    return _extreme(kin.free_foot * 100, slice(rep.start, stop + 1), largest=False)


@register(
    "rounded_back",
    "back bow",
    "bow of the back's outline beyond the lifter's own straightest reps",
    "deg",
    "above",
    _SAGITTAL,
    "Chest proud, back long: brace and keep your back flat from hips to shoulders",
    compares_reps=True,
)
def _rounded_back(kin: Kinematics, rep: Rep, reps: Sequence[Rep]) -> Outcome:
    if kin.back_bow is None:
        return Abstention(
            "the pose series has no body outline (saved by an older formcheck?): "
            "run formcheck pose on the video again"
        )
    if kin.view_of(_span(rep)).width > spine.MAX_WIDTH:
        return Abstention(
            "seen too far round from the side (about 45 deg or more), the outline is not "
            "the back's: film from the side"
        )
    trunk = kin.angles["trunk"]
    this = spine.reading(kin.back_bow, trunk, rep)
    if this is None:
        return Abstention("the trunk is never seen leaning forward in this rep")
    if this.coverage < spine.MIN_COVERAGE:
        seen = {"back_outline_found": this.coverage}
        return Abstention(
            "the outline of the back was missing in most bent-over frames "
            "(cut off by the edge of the picture, or hidden)",
            seen,
        )
    if not this.judged:
        return Abstention(
            "the outline of the back is unsteady from frame to frame (hips misplaced "
            "on the plates, loose clothing, or something in front of the back?)",
            {"back_outline_spread_deg": this.spread},
        )
    # The view changes the reading: a lifter who turns is compared with the reps
    # seen from the same angle, facing the same way.
    view = _seen_as(kin, rep)
    alike = [r for r in reps if _seen_as(kin, r) == view]
    readings = [spine.reading(kin.back_bow, trunk, r) for r in alike]
    ref = spine.reference(
        [r.bow for r in readings if r is not None and r.judged], view[0] == "side"
    )
    if ref is None:
        return Abstention(
            "seen at an angle the back reads rounder than it is, and there is no other "
            "rep to compare it with: film from the side"
        )
    details = {"back_bow_deg": this.bow, "back_reference_deg": ref}
    return Measurement(this.bow - ref, this.start, this.end, this.confidence, details, this.at)
