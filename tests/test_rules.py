"""The load rules, one table row per situation a lifter brings."""

from __future__ import annotations

from datetime import date

import pytest
from sets import hold, report

from formcheck.coaching import rules
from formcheck.coaching.facts import FollowUp, Inputs, Past, PastSet, facts
from formcheck.coaching.loads import Load
from formcheck.coaching.program import PROGRAMS
from formcheck.exercises import EXERCISES
from formcheck.report import LoadSuggestion


def suggest(marks: str = ".....", exercise: str = "deadlift", speeds=None, holds=(), **given):
    past = given.pop("past", Past())
    return rules.suggest(facts(report(marks, exercise, speeds, holds), Inputs(**given), past))


KG100 = Load(100, "kg")

CASES = [
    # (name, set, inputs, expected action, next reps, a phrase of the deciding reason)
    ("pain 7+ stops the exercise", ".....", dict(pain=7, rpe=6), "stop", None, "red zone"),
    ("pain 6 scales back", ".....", dict(pain=6, rpe=6), "regress", 5, "above the 5/10"),
    ("pain 4-5 holds", ".....", dict(pain=5, rpe=6), "hold", 5, "yellow zone"),
    ("form breaks from rep 1", "MMMMM", dict(rpe=8), "regress", 5, "from rep 1"),
    ("form breaks early", ".MMMM", dict(rpe=8), "regress", 5, "from rep 2"),
    ("form breaks on the last reps", "...mm", dict(rpe=8), "hold", 3, "end the set after rep 3"),
    ("the last rep only", "....m", dict(rpe=6), "hold", 4, "end the set after rep 4"),
    ("a slip form came back from", ".m...", dict(rpe=6), "hold", 5, "rep 2 only"),
    ("clean, easy, no pain", ".....", dict(rpe=7, pain=2), "progress", 5, "the load is light"),
    ("clean, easy, pain unknown", ".....", dict(rpe=6), "progress", 5, "the load is light"),
    ("clean at RPE 8-9", ".....", dict(rpe=8.5), "hold", 5, "the load is right"),
    (
        "RPE 10 and short of target",
        ".....",
        dict(rpe=10, reps_target=8),
        "regress",
        8,
        "5 of 8 reps",
    ),
    ("no RPE: nothing to go on", ".....", {}, "hold", 5, "give --rpe"),
    ("short of the target", ".....", dict(rpe=6, reps_target=8), "hold", 8, "5 of 8 reps"),
]


@pytest.mark.parametrize(
    ("marks", "given", "action", "next_reps", "phrase"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_rules_table(marks, given, action, next_reps, phrase):
    got = suggest(marks, **given)
    assert got.action == action
    assert got.next_reps == next_reps
    assert phrase in got.reasons[0], got.reasons


def test_every_reason_names_its_source():
    for marks, given in [("MMMMM", dict(pain=6, rpe=10, reps_target=8)), (".....", {})]:
        assert all(r.endswith("]") for r in suggest(marks, **given).reasons)


def test_the_most_cautious_action_wins_and_other_reasons_follow():
    got = suggest("...mm", rpe=6, pain=7)
    assert got.action == "stop" and got.change_pct is None and got.next_load is None
    assert got.alternative and "block pulls" in got.alternative
    assert any("end the set after rep 3" in r for r in got.reasons[1:])


def test_regress_rounds_to_real_plates_at_least_one_step_down():
    minor = suggest(".mmmm", rpe=8, load=KG100)
    major = suggest("MMMMM", rpe=8, load=KG100)
    assert (minor.next_load, minor.unit, minor.change_pct) == (95.0, "kg", -5.0)
    assert (major.next_load, major.change_pct) == (90.0, -10.0)


def test_deadlift_back_rounding_from_the_start_means_raising_the_bar():
    got = suggest("MMMMM", rpe=8)
    assert "block pulls" in (got.alternative or "")
    assert any("raise the bar on blocks" in r for r in got.reasons)
    assert "block" not in (suggest("MMMMM", exercise="rdl", rpe=8).alternative or "")


def test_kettlebells_step_to_the_next_bell():
    got = suggest(".....", exercise="kb_swing", rpe=6, load=Load(24, "kg"))
    assert (got.next_load, got.change_pct) == (26.0, 8.3)  # +5 % is 25.2 kg: no such bell


def test_velocity_loss_past_the_cap_ends_the_set_earlier():
    speeds = [1.0, 0.98, 0.9, 0.8, 0.7, 0.6]  # 20 % down at rep 4, 40 % at the last
    got = suggest("......", speeds=speeds, rpe=6)
    assert got.action == "hold" and got.next_reps == 4
    assert "speed fell 40 %" in got.reasons[0]
    steady = suggest("......", speeds=[1.0, 0.97, 1.02, 0.95, 0.99, 0.92], rpe=6)
    assert steady.action == "progress"


def test_two_for_two_needs_two_sessions_running():
    last = PastSet(date(2026, 11, 28), reps=10, reps_target=8, flagged=0)
    once = suggest("." * 10, reps_target=8, rpe=8)
    twice = suggest("." * 10, reps_target=8, rpe=7, load=KG100, past=Past(last_set=last))
    assert once.action == "hold" and any("two over it again" in r for r in once.reasons)
    assert twice.action == "progress" and twice.next_load == 110.0
    assert "2-for-2" in twice.reasons[0]


@pytest.mark.parametrize(
    ("score", "during", "action"),
    [(5, 2, "regress"), (2, 2, "progress"), (4, None, "regress"), (7, 6, "stop")],
)
def test_pain_the_day_after_decides_the_next_set(score, during, action):
    past = Past(follow_up=FollowUp(score, 24, during))
    got = suggest(".....", rpe=6, past=past)
    assert got.action == action
    assert any(f"pain {score}/10 24 h after" in r for r in got.reasons)


def test_holds_are_timed_and_capped_where_form_broke():
    late = suggest("", exercise="plank", holds=(hold(0, 40, ((27.6, 40),)),))
    assert (late.action, late.next_load, late.unit) == ("hold", 27.0, "s")
    early = suggest("", exercise="plank", holds=(hold(0, 30, ((4, 30),)),))
    assert early.action == "regress" and early.next_load == 10.0 and early.alternative
    clean = suggest("", exercise="plank", holds=(hold(0, 32),))
    assert (clean.action, clean.next_load, clean.next_reps) == ("progress", 40.0, None)


def test_the_program_week_sets_the_effort_and_says_where_the_set_sits():
    program = PROGRAMS["single_leg_rdl_14w"]
    got = suggest("." * 15, exercise="single_leg_rdl", rpe=7, program=program, week=2)
    assert got.action == "hold"  # RPE 7 is above weeks 1-4's 4-6, with the target met
    assert got.prescription is not None
    assert got.prescription.startswith("week 2 of 14: 5x15 at RPE 4-6")
    assert "effort above the week's" in got.prescription
    late = suggest("." * 5, exercise="single_leg_rdl", rpe=7, program=program, week=10)
    assert late.action == "progress" and late.next_reps == 5
    assert "effort below the week's" in (late.prescription or "")
    inside = suggest("." * 5, exercise="single_leg_rdl", rpe=9, program=program, week=10)
    assert inside.action == "hold" and "within the prescription" in (inside.prescription or "")
    assert "past the end" in (
        suggest("...", exercise="single_leg_rdl", program=program, week=15).prescription or ""
    )


def test_a_suggestion_needs_a_reason_and_a_known_action():
    with pytest.raises(ValueError, match="reason"):
        LoadSuggestion("hold", 0.0, None, None, None, ())
    with pytest.raises(ValueError, match="action"):
        LoadSuggestion("deload", 0.0, None, None, None, ("x",))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "bad", [dict(rpe=11), dict(rpe=7.3), dict(pain=-1), dict(reps_target=0), dict(week=0)]
)
def test_inputs_out_of_range_are_refused(bad):
    with pytest.raises(ValueError):
        Inputs(**bad)


def test_every_exercise_has_a_regression_and_every_rep_exercise_its_equipment():
    assert set(rules.REGRESSIONS) == set(EXERCISES)
    assert set(rules.EQUIPMENT) == {n for n, e in EXERCISES.items() if e.pattern is not None}


def test_deadlifts_go_in_sets_of_6_to_10_and_start_light():
    assert any("sets of 6-10" in r for r in suggest("....", reps_target=4, rpe=8).reasons)
    first = suggest("......", rpe=8, load=KG100, past=Past(consulted=True)).reasons
    assert any("first deadlift session on record: start light" in r for r in first)
    assert not any("start light" in r for r in suggest("......", rpe=8, load=KG100).reasons)
    seen = Past(sessions=3, consulted=True)
    assert not any(
        "start light" in r for r in suggest("......", rpe=8, load=KG100, past=seen).reasons
    )
    assert not any("6-10" in r for r in suggest("....", exercise="rdl", reps_target=4).reasons)
