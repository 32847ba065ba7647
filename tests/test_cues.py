from __future__ import annotations

from formcheck.checks import CHECKS
from formcheck.coaching.cues import hold_cues, ranges, set_cues
from formcheck.exercises import EXERCISES
from formcheck.holds import Hold, Interval
from formcheck.report import Fault, RepResult

DEADLIFT = EXERCISES["deadlift"]


def rep(index: int, *faults: tuple[str, str]) -> RepResult:
    found = tuple(Fault(c, s, 1.0, 0.0, "deg", 0.0, 1.0, "") for c, s in faults)  # type: ignore[arg-type]
    return RepResult(index, 0.0, 1.0, found)


def test_a_recurring_fault_leads_in_the_exercise_order_of_importance():
    reps = [
        rep(1, ("lean_back", "minor")),
        rep(2, ("lean_back", "minor"), ("squat_pattern", "minor")),
        rep(3, ("lean_back", "minor"), ("squat_pattern", "minor")),
        rep(4, ("rounded_back", "minor")),
    ]
    cues = set_cues(reps, DEADLIFT)
    # squat_pattern (2 reps) outranks lean_back (3 reps): the pattern before the finish;
    # a single mild rounded back comes last.
    assert cues[0] == f"{CHECKS['squat_pattern'].cue} (reps 2-3)"
    assert cues[1] == f"{CHECKS['lean_back'].cue} (reps 1-3)"
    assert cues[2] == f"{CHECKS['rounded_back'].cue} (rep 4)"


def test_one_bad_rep_is_enough_to_lead():
    reps = [rep(1, ("lean_back", "minor")), rep(2, ("lean_back", "minor")), rep(3)]
    reps.append(rep(4, ("rounded_back", "major")))
    assert set_cues(reps, DEADLIFT)[0].startswith(CHECKS["rounded_back"].cue)


def test_a_clean_set_has_no_cue():
    assert set_cues([rep(1), rep(2)], DEADLIFT) == ()


def test_hold_cues_start_with_the_fault_that_lasted_longest():
    sag = Interval("hip_sag", 20.0, 30.0, -14.0, -6.0, -10.0, "minor")
    pike = Interval("hip_pike", 3.0, 5.0, 30.0, 9.0, 25.0, "minor")
    holds = [Hold(0, 10, (pike,), 8.0, None, "side"), Hold(15, 35, (sag,), 10.0, None, "side")]
    plank = EXERCISES["plank"]
    assert hold_cues(holds, plank) == (
        f"{plank.cues['hip_sag']} (hold 2, from 20 s)",
        f"{plank.cues['hip_pike']} (hold 1, from 3 s)",
    )


def test_ranges():
    assert ranges([1, 2, 3, 5, 7, 8]) == "1-3, 5, 7-8"
    assert ranges([]) == ""
