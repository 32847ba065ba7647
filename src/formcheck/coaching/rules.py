"""The load suggestion: small rules, each with its source, combined cautiously.

Each rule reads the :class:`~formcheck.coaching.facts.Facts` of one set and returns
a :class:`Verdict`, or None when it has nothing to say. The most cautious action
any rule asks for wins (``stop`` > ``regress`` > ``hold`` > ``progress``), so a set
progresses only when a rule asks for it and none holds it back. A verdict without
an action is a note: it changes nothing but is said.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from formcheck.coaching.cues import ranges
from formcheck.coaching.facts import Facts
from formcheck.coaching.loads import Equipment, change_pct, step
from formcheck.report import ACTIONS, Action, LoadSuggestion

#: An easier variant of each exercise, for a set to regress to or a day to stop on.
REGRESSIONS = {
    "deadlift": "block pulls (the bar raised on blocks) or kettlebell deadlifts",
    "rdl": "a dowel hip hinge (a stick along the back), or a lighter kettlebell RDL",
    "good_morning": "a dowel hip hinge (a stick along the back)",
    "single_leg_rdl": "a kickstand RDL (the back foot's toes down for balance)",
    "kb_swing": "kettlebell deadlifts, then hike passes, before swinging again",
    "glute_bridge": "a bodyweight glute bridge",
    "plank": "a plank on the knees, or with the hands raised on a bench",
    "side_plank": "a side plank on the knees",
    "glute_bridge_hold": "shorter bodyweight bridge holds",
    "back_extension_hold": "a bird dog, or a hold on a 45-degree bench",
}
#: What the load of each rep exercise is made of (for rounding to real loads).
EQUIPMENT: dict[str, Equipment] = {
    "deadlift": "barbell",
    "rdl": "barbell",
    "good_morning": "barbell",
    "single_leg_rdl": "dumbbell",
    "kb_swing": "kettlebell",
    "glute_bridge": "barbell",
}

#: RPE a working set should reach when no program says otherwise (1-2 reps in reserve).
DEFAULT_RPE = (8.0, 9.0)
#: Velocity loss past which a set has gone on too long (20-25 % is the common cap).
VELOCITY_CAP_PCT = 25.0
#: Load changes, per cent: NSCA's lower-body step is 5-10 %.
SMALL_STEP, LARGE_STEP = 5.0, 10.0
#: A timed hold steps by this share of its time, in whole 5 s.
HOLD_STEP = 0.10
#: A hold that faults within this time, or keeps good form less than this share of it,
#: faulted from the start: next time, an easier variant held this long.
EARLY_FAULT_S, EARLY_SHARE = 10.0, 1 / 3


@dataclass(frozen=True)
class Verdict:
    """What one rule says.

    Attributes:
        action: What to do; None for a note.
        reason: Why, with the rule's source in brackets.
        change_pct: How much to change the load (None: no opinion).
        next_reps: A cap on the next set's reps.
        next_hold_s: A cap on the next hold's time.
        alternative: An easier variant to do instead.
    """

    action: Action | None
    reason: str
    change_pct: float | None = None
    next_reps: int | None = None
    next_hold_s: float | None = None
    alternative: str | None = None


Rule = Callable[[Facts], Verdict | None]
RULES: list[Rule] = []


def rule(fn: Rule) -> Rule:
    """Decorator: add ``fn`` to :data:`RULES` (in order: the order reasons are given in)."""
    RULES.append(fn)
    return fn


@rule
def pain_red(f: Facts) -> Verdict | None:
    """Pain 7/10 or more during the set: stop the exercise for today.

    Source: the pain traffic light (0-3 green, 4-6 yellow, 7+ red: stop or scale
    back; recheck pain 8, 16 and 24 h later), DESIGN.md.
    """
    if f.inputs.pain is None or f.inputs.pain < 7:
        return None
    return Verdict(
        "stop",
        f"pain {f.inputs.pain}/10 during the set is in the red zone (7+): stop this "
        "exercise for today; score the pain again 8, 16 and 24 h from now "
        "[pain traffic light]",
        alternative=REGRESSIONS[f.exercise.name],
    )


@rule
def pain_yellow(f: Facts) -> Verdict | None:
    """Pain 4-6/10 during the set: no progression; above 5, scale back.

    Sources: the pain traffic light (4-6 yellow: go on with care), and
    Silbernagel's pain-monitoring model (Silbernagel et al. 2007, Am J Sports Med
    35:897), which accepts pain up to 5/10 during exercise if it has settled by
    the next morning.
    """
    pain = f.inputs.pain
    if pain is None or not 4 <= pain <= 6:
        return None
    if pain <= 5:
        return Verdict(
            "hold",
            f"pain {pain}/10 is in the yellow zone (4-6): acceptable up to 5 if it has "
            "settled by tomorrow morning; add no load until it stays at 3 or less "
            "[pain traffic light; Silbernagel's pain-monitoring model]",
        )
    return Verdict(
        "regress",
        f"pain {pain}/10 is above the 5/10 accepted during exercise: lighten the "
        "load until it stays at 5 or less [Silbernagel's pain-monitoring model]",
        change_pct=-LARGE_STEP,
    )


@rule
def pain_next_day(f: Facts) -> Verdict | None:
    """Pain after the previous session above the pain during it: scale back.

    Source: Silbernagel's pain-monitoring model (pain after exercise should settle
    by the next morning) and the pain traffic light's rechecks at 8, 16 and 24 h.
    """
    follow = f.past.follow_up
    if follow is None:
        return None
    before = follow.during if follow.during is not None else 3
    said = f"pain {follow.score}/10 {follow.hours_after:g} h after the last session"
    if follow.score >= 7:
        return Verdict(
            "stop",
            f"{said} was in the red zone (7+): rest this exercise today [pain traffic light]",
            alternative=REGRESSIONS[f.exercise.name],
        )
    if follow.score > before:
        during = "during it" if follow.during is not None else "of the green zone (0-3)"
        return Verdict(
            "regress",
            f"{said} was above the {before}/10 {during}: it did not settle, so "
            "scale back [Silbernagel's pain-monitoring model]",
            change_pct=-LARGE_STEP,
        )
    return Verdict(None, f"{said} had settled to {follow.score}/10 [pain traffic light]")


@rule
def form_breakdown(f: Facts) -> Verdict | None:
    """Form that breaks early: lighter; breaking on the last reps: same load, fewer reps.

    Source: stop the set before technique breaks down; 'if the spine can't stay
    neutral, raise the bar until it can' (the seeds, DESIGN.md). Early means from
    rep 1, or with fewer clean reps before it than half the set.
    """
    k = f.breakdown
    if k is None:
        return None
    broken = [r for r in f.reps if r.index >= k and r.faults]
    codes = sorted({x.code for r in broken for x in r.faults})
    seen = f"{', '.join(codes)} on reps {ranges([r.index for r in broken])}"
    planned = f.reps_target or len(f.reps)
    if k == 1 or k - 1 < math.ceil(planned / 2):
        major = any(x.severity == "major" for r in broken for x in r.faults)
        return Verdict(
            "regress",
            f"form broke down from rep {k} ({seen}): the load is more than the "
            "technique holds yet [stop before technique breaks]",
            change_pct=-(LARGE_STEP if major else SMALL_STEP),
            next_reps=planned,
        )
    return Verdict(
        "hold",
        f"form held for {k - 1} reps and broke down from rep {k} ({seen}): keep the load, "
        f"end the set after rep {k - 1} [stop before technique breaks]",
        next_reps=k - 1,
    )


@rule
def raise_the_bar(f: Facts) -> Verdict | None:
    """A deadlift whose back rounds from early on: pull from blocks.

    Source: the seeds (DESIGN.md): if the spine can't stay neutral, raise the bar
    (block pull) until it can.
    """
    k = f.breakdown
    if f.exercise.name != "deadlift" or k is None or k > 2:
        return None
    if not any(x.code == "rounded_back" for r in f.reps if r.index >= k for x in r.faults):
        return None
    return Verdict(
        "regress",
        "the back rounds from the first reps: raise the bar on blocks (about 5-10 cm) "
        "until it stays long, then lower it step by step [the seeds: raise the bar "
        "until the spine stays neutral]",
        alternative="block pulls: the same load with the bar raised until the back stays long",
    )


@rule
def isolated_faults(f: Facts) -> Verdict | None:
    """Faults on a rep or two that form came back from: repeat the load.

    Source: progress only on clean sets (our rule, a coach's usual one).
    """
    if not f.faulty or f.breakdown is not None:
        return None
    return Verdict(
        "hold",
        f"faults on rep{'s' if len(f.faulty) > 1 else ''} {ranges(f.faulty)} only, form "
        "came back: repeat this load and make every rep clean before adding "
        "[progress clean sets only]",
    )


@rule
def hold_form(f: Facts) -> Verdict | None:
    """A hold that faults: shorter, and easier when it faults from the start.

    Source: DESIGN.md: no published degree thresholds exist for plank sag; holding
    only as long as the line holds is our rule.
    """
    if not f.timed or not f.holds:
        return None
    hold = max(f.holds, key=lambda h: h.duration_s)
    if not hold.faults:
        return None
    clean_s = math.floor(hold.faults[0].start_s - hold.start_s)  # whole seconds in line
    fault = hold.faults[0].code
    if clean_s < EARLY_FAULT_S or hold.good_form_s < EARLY_SHARE * hold.duration_s:
        return Verdict(
            "regress",
            f"{fault} from {clean_s} s into the {hold.duration_s:.0f} s hold: the "
            "position is too hard to hold in line yet [hold only while the line holds]",
            next_hold_s=EARLY_FAULT_S,
            alternative=REGRESSIONS[f.exercise.name],
        )
    return Verdict(
        "hold",
        f"good form for {clean_s} s, then {fault}: end the hold at {clean_s} s, while "
        "the line holds, and build from there [hold only while the line holds]",
        next_hold_s=float(clean_s),
    )


@rule
def clean_hold(f: Facts) -> Verdict | None:
    """A hold in line from start to end: hold it longer next time (by a tenth, whole 5 s).

    Source: our rule (see :func:`hold_form`); pain and effort rules can veto it.
    """
    if not f.timed or not f.holds or any(h.faults for h in f.holds):
        return None
    longest = max(h.duration_s for h in f.holds)
    return Verdict(
        "progress",
        f"the {longest:.0f} s hold stayed in line throughout: hold it longer next time "
        "[hold only while the line holds]",
        change_pct=100 * HOLD_STEP,
    )


@rule
def velocity_cap(f: Facts) -> Verdict | None:
    """Speed fell past the velocity-loss cap: end the set before it does.

    Source: Pareja-Blanco et al. 2017 (Scand J Med Sci Sports 27:724): sets ended
    at 20 % velocity loss gained as much strength as sets taken to 40 %, with less
    fatigue; 20-25 % is a common cap. We use 25 %: the pose-based speed proxy is
    noisier than a linear position transducer.
    """
    v = f.velocity
    if v is None or v.pct < VELOCITY_CAP_PCT:
        return None
    before = v.reps_before(VELOCITY_CAP_PCT)
    return Verdict(
        "hold",
        f"speed fell {v.pct:.0f} % from the first reps to the last (cap "
        f"{VELOCITY_CAP_PCT:.0f} %): end the set after rep {max(before, 1)} "
        "[velocity loss, Pareja-Blanco et al. 2017]",
        next_reps=max(before, 1),
    )


@rule
def effort(f: Facts) -> Verdict | None:
    """RPE below the target range: more load; in it: the same; above it and short: less.

    Source: RPE based on reps in reserve (Zourdos et al. 2016, J Strength Cond Res
    30:267; Helms et al. 2016): RPE 10 leaves no rep in reserve, 8 leaves two.
    The target is the program's week, else RPE 8-9.
    """
    rpe = f.inputs.rpe
    if rpe is None:
        return None
    low, high = f.prescription.rpe if f.prescription else DEFAULT_RPE
    said = f"RPE {rpe:g} (about {10 - rpe:g} reps in reserve) against a target of {low:g}-{high:g}"
    if rpe < low:
        return Verdict(
            "progress", f"{said}: the load is light [RPE / reps in reserve]", change_pct=SMALL_STEP
        )
    if rpe <= high:
        return Verdict("hold", f"{said}: the load is right [RPE / reps in reserve]")
    target = f.reps_target
    if target is not None and len(f.reps) < target:
        return Verdict(
            "regress",
            f"{said}, and {len(f.reps)} of {target} reps: the load is heavy "
            "[RPE / reps in reserve]",
            change_pct=-SMALL_STEP,
        )
    return Verdict("hold", f"{said}: at the limit, do not add yet [RPE / reps in reserve]")


@rule
def two_for_two(f: Facts) -> Verdict | None:
    """Two reps over the target in two sessions running: add load.

    Source: NSCA's 2-for-2 rule (Baechle & Earle, Essentials of Strength Training
    and Conditioning): lower-body loads go up 5-10 %; the upper end here.
    """
    target, last = f.reps_target, f.past.last_set
    if f.timed or target is None or f.faulty or len(f.reps) < target + 2:
        return None
    if last is None or last.flagged or last.reps < (last.reps_target or target) + 2:
        return Verdict(
            None,
            f"{len(f.reps)} clean reps against a target of {target}: two over it again "
            "next session and the load goes up [NSCA 2-for-2]",
        )
    return Verdict(
        "progress",
        f"two or more reps over the target of {target} in two sessions running "
        f"({last.reps} on {last.day}, {len(f.reps)} today) [NSCA 2-for-2]",
        change_pct=LARGE_STEP,
    )


@rule
def reps_short(f: Facts) -> Verdict | None:
    """Fewer reps than the target: finish the target at this load before adding.

    Source: NSCA's 2-for-2 rule adds load only once the target is beaten.
    """
    target = f.reps_target
    if f.timed or target is None or len(f.reps) >= target:
        return None
    return Verdict(
        "hold",
        f"{len(f.reps)} of {target} reps: reach the target at this load before adding "
        "[NSCA 2-for-2]",
        next_reps=target,
    )


@rule
def deadlift_sets(f: Facts) -> Verdict | None:
    """Deadlifts go in sets of 6-10 and start light.

    Source: the seeds (DESIGN.md): deadlifts in 6-10 rep sets, start light.
    """
    if f.exercise.name != "deadlift":
        return None
    target = f.inputs.reps_target
    if target is not None and not 6 <= target <= 10:
        return Verdict(None, f"a target of {target} reps: deadlifts go in sets of 6-10 [the seeds]")
    if f.past.consulted and f.past.sessions == 0 and f.inputs.load is not None:
        return Verdict(None, "the first deadlift session on record: start light [the seeds]")
    return None


def suggest(f: Facts) -> LoadSuggestion:
    """Every rule's verdict on the set, combined into one suggestion."""
    verdicts = [v for check in RULES if (v := check(f)) is not None]
    acting = [v for v in verdicts if v.action is not None]
    if not acting:
        given = "--rpe" if f.timed else "--rpe (and --reps-target)"
        why = f"nothing calls for a change: give {given} so a clean set can progress [no rule]"
        verdicts.append(Verdict("hold", why))
        acting = verdicts[-1:]
    action = max((v.action for v in acting if v.action), key=ACTIONS.index)
    deciding = [v for v in acting if v.action == action]
    steps = [v.change_pct for v in deciding if v.change_pct is not None]
    pct = _change(action, steps)
    deciding.sort(key=lambda v: v.change_pct != pct)  # the verdict that set the step leads
    # A cap holds at the load it was seen at: only the deciding rules' caps count.
    reps_caps = [v.next_reps for v in deciding if v.next_reps]
    others = [v for v in verdicts if v not in deciding]
    alternative = next((v.alternative for v in deciding if v.alternative), None)
    load, unit, pct = _next_load(f, pct, [v.next_hold_s for v in deciding if v.next_hold_s])
    return LoadSuggestion(
        action=action,
        change_pct=pct,
        next_load=load,
        unit=unit,
        next_reps=None if f.timed or action == "stop" else _next_reps(f, reps_caps),
        reasons=tuple(v.reason for v in (*deciding, *others)),
        alternative=alternative,
        prescription=_prescription(f),
    )


def _change(action: Action, steps: list[float]) -> float | None:
    if action == "stop":
        return None
    if action == "hold":
        return 0.0
    if action == "regress":
        return min(steps, default=-LARGE_STEP)
    return max(steps, default=SMALL_STEP)


def _next_reps(f: Facts, caps: list[int]) -> int | None:
    """The lowest cap; else the target; else the reps done (kept in the week's range)."""
    if caps:
        return min(caps)
    if f.inputs.reps_target is not None:
        return f.inputs.reps_target
    done = len(f.reps)
    if f.prescription is not None:
        low, high = f.prescription.reps
        return min(max(done, low), high)
    return done or None


def _next_load(
    f: Facts, pct: float | None, hold_caps: list[float]
) -> tuple[float | None, str | None, float | None]:
    """The next load (for a timed hold, its seconds), its unit, and the real change."""
    if pct is None:
        return None, None, None
    if f.timed:
        if not f.holds:
            return None, "s", pct
        now = max(h.duration_s for h in f.holds)
        then = min(hold_caps) if hold_caps else _hold_time(now, pct)
        return then, "s", round(100 * (then / now - 1), 1)
    load = f.inputs.load
    if load is None:
        return None, None, pct
    after = step(load, pct, EQUIPMENT[f.exercise.name])
    return after.value, after.unit, change_pct(load, after)


def _prescription(f: Facts) -> str | None:
    """Where the set sits against the program's week, if it belongs to one."""
    program, week, plan = f.inputs.program, f.week, f.prescription
    if program is None or week is None:
        return None
    if plan is None:
        return f"week {week}: past the end of the {program.weeks}-week {program.name}"
    done = [f"{len(f.reps)} reps"]
    if f.inputs.rpe is not None:
        done.append(f"RPE {f.inputs.rpe:g}")
    sits = []
    low, high = plan.reps
    if not low <= len(f.reps) <= high:
        sits.append(f"reps {'below' if len(f.reps) < low else 'above'} {low}-{high}")
    rpe = f.inputs.rpe
    if rpe is not None and not plan.rpe[0] <= rpe <= plan.rpe[1]:
        sits.append(f"effort {'below' if rpe < plan.rpe[0] else 'above'} the week's")
    set_no = f.past.sets_today + 1
    return (
        f"week {week} of {program.weeks}: {plan}; this set: {', '.join(done)} "
        f"(set {set_no} of {plan.sets[1]} today) - "
        f"{'; '.join(sits) if sits else 'within the prescription'}"
    )


def _hold_time(now: float, pct: float) -> float:
    """A hold time ``pct`` % from ``now`` in whole 5 s: up to progress, down to regress."""
    target = now * (1 + pct / 100) / 5
    fives = math.ceil(target) if pct > 0 else math.floor(target) if pct < 0 else round(target)
    return float(5 * max(fives, 1))
