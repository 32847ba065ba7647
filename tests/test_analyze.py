from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from figures import hinge, ramp

from formcheck.analyze import analyze
from formcheck.skeleton import INDEX
from formcheck.thresholds import thresholds

BOTTOM = 80.0  # trunk from vertical at the bottom of an RDL


def rdl_set(tops: list[float], bottoms: list[float] | None = None) -> np.ndarray:
    """Trunk angle over an RDL set: stand, then one hinge per entry of ``tops``.

    ``tops`` is the trunk angle each rep comes back up to (0 = upright, - = leaning
    back); ``bottoms`` the trunk angle at each rep's bottom.
    """
    bottoms = bottoms or [BOTTOM] * len(tops)
    pieces = [(0.0, 0.0, 1.5)]
    last = 0.0
    for top, bottom in zip(tops, bottoms, strict=True):
        pieces += [(last, bottom, 1.2), (bottom, bottom, 0.3), (bottom, top, 1.0), (top, top, 0.8)]
        last = top
    pieces.append((last, 0.0, 0.5))
    pieces.append((0.0, 0.0, 1.0))
    return ramp(*pieces)


def squat_rep(trunk: np.ndarray, rep: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Thigh and shin angles that turn rep ``rep`` (1-based) of ``n`` into a squat."""
    one = [0.0] * n
    one[rep - 1] = 1.0
    factor = rdl_set([0.0] * n, one)  # 0 outside that rep, 1 at its bottom
    thigh = -trunk / 3 - factor * 60  # the hips sit down behind the knees
    return thigh, factor * 35  # ... and the knees travel forward


@pytest.mark.parametrize("facing", [1, -1])
def test_a_clean_set_is_counted_and_passes(facing: int) -> None:
    report = analyze(hinge(rdl_set([0, 0, 0, 0]), facing=facing), "rdl")
    assert report.summary.rep_count == 4
    assert report.summary.flagged_reps == 0 and not report.partials
    assert report.camera_view.label == "side" and report.camera_view.suitable
    assert all(r.metrics["bottom_trunk_deg"] == pytest.approx(BOTTOM, abs=2) for r in report.reps)


def test_each_fault_carries_its_value_threshold_unit_and_time() -> None:
    # rep 2 stops 25 deg short of upright, rep 3 bends the knees instead of the hips
    trunk = rdl_set([0, 25, 0, 0], bottoms=[BOTTOM, BOTTOM, 40, BOTTOM])
    thigh, shin = squat_rep(trunk, 3, 4)
    report = analyze(hinge(trunk, shin=shin, thigh=thigh), "rdl")
    faults = {r.index: {f.code: f for f in r.faults} for r in report.reps}
    assert set(faults[2]) == {"incomplete_lockout"} and set(faults[3]) == {"squat_pattern"}
    assert not faults[1] and not faults[4]
    lockout = faults[2]["incomplete_lockout"]
    assert lockout.value == pytest.approx(25, abs=1.5)
    assert lockout.threshold == thresholds("rdl").values["incomplete_lockout"]
    assert lockout.unit == "deg" and lockout.start_s <= lockout.end_s
    rep2 = report.reps[1]
    assert rep2.start_s <= lockout.start_s and lockout.end_s <= rep2.end_s + 1.6
    assert faults[3]["squat_pattern"].value == pytest.approx(40, abs=2)
    assert report.summary.flagged_reps == 2
    assert "(rep 2)" in report.summary.cues[0] or "(rep 3)" in report.summary.cues[0]


def test_a_top_whose_hands_are_hidden_is_not_read_off_guessed_hips() -> None:
    # behind the plates the model guesses the hips; hands hidden there say so
    trunk = rdl_set([0, 25, 0, 0])
    figure = hinge(trunk)
    hidden = replace(figure, visibility=figure.visibility.copy())
    hidden.visibility[:, [INDEX["left_wrist"], INDEX["right_wrist"]]] = 0.3
    seen, unseen = analyze(figure, "rdl").reps, analyze(hidden, "rdl").reps
    assert [f.code for f in seen[1].faults] == ["incomplete_lockout"]
    assert all("hips are hidden at the top" in r.abstained["incomplete_lockout"] for r in unseen)
    assert not any(r.faults for r in unseen)


def test_a_deadlift_lean_back_is_flagged() -> None:
    pieces = [(0.0, 0.0, 1.0), (0.0, 70.0, 1.2), (70.0, 70.0, 0.6)]
    for top in (0.0, -20.0, 0.0):
        pieces += [(70.0, top, 1.0), (top, top, 0.6), (top, 70.0, 1.1), (70.0, 70.0, 0.6)]
    figure = hinge(ramp(*pieces), shin=10)
    report = analyze(figure, "deadlift")
    assert report.summary.rep_count == 3
    codes = [{f.code for f in r.faults} for r in report.reps]
    assert codes == [set(), {"lean_back"}, set()]
    assert report.reps[1].faults[0].value == pytest.approx(20, abs=1.5)
    # hands hidden at the top: the hips there are the model's guess, not read
    hidden = replace(figure, visibility=figure.visibility.copy())
    hidden.visibility[:, [INDEX["left_wrist"], INDEX["right_wrist"]]] = 0.3
    unseen = analyze(hidden, "deadlift").reps
    assert all("the lean cannot be read" in r.abstained["lean_back"] for r in unseen)
    assert not any(f.code == "lean_back" for r in unseen for f in r.faults)


def test_the_profile_moves_the_line() -> None:
    trunk = rdl_set([0, 12, 0])  # a lockout 12 deg short: strict flags it, beginner does not
    strict = analyze(hinge(trunk), "rdl", thresholds("rdl", "strict"))
    beginner = analyze(hinge(trunk), "rdl", thresholds("rdl", "beginner"))
    assert strict.summary.flagged_reps == 1 and beginner.summary.flagged_reps == 0
    assert strict.profile == "strict"


def test_a_front_view_abstains_from_the_hinge_checks() -> None:
    report = analyze(hinge(rdl_set([0, 25, 0]), width=110), "rdl")
    assert report.camera_view.label == "front" and not report.camera_view.suitable
    assert "squat_pattern" in report.camera_view.skipped
    assert "not checked" in report.camera_view.warnings[0]
    assert report.summary.rep_count == 3  # reps still count from any view
    assert report.summary.flagged_reps == 0
    assert "min_hip_deg" not in report.reps[0].metrics  # no angles from the front


def test_the_report_json_keeps_the_contract(tmp_path) -> None:
    import json

    report = analyze(hinge(rdl_set([0, 25, 0])), "rdl")
    report.write(tmp_path / "report.json")
    data = json.loads((tmp_path / "report.json").read_text())
    for key in ("schema_version", "source", "exercise", "camera_view", "reps", "holds", "summary"):
        assert key in data
    assert set(data["camera_view"]) >= {"label", "suitable", "warnings"}
    fault = data["reps"][1]["faults"][0]
    assert set(fault) >= {"code", "severity", "value", "threshold", "unit", "start_s", "end_s"}
    assert data["summary"]["rep_count"] == 3 and data["summary"]["flagged_reps"] == 1


def test_reps_seen_from_the_front_skip_the_checks_the_front_cannot_judge() -> None:
    trunk = rdl_set([0, 25, 0, 25])
    series = hinge(trunk)
    turned = hinge(trunk, width=110)  # the lifter turns to face the camera mid-set
    half = len(trunk) // 2
    xy = np.concatenate([series.xy[:half], turned.xy[half:]])
    mixed = type(series)(t=series.t, xy=xy, visibility=series.visibility, meta=series.meta)
    report = analyze(mixed, "rdl")
    assert report.summary.rep_count == 4
    assert [r.view for r in report.reps] == ["side", "side", "front", "front"]
    assert report.reps[3].skipped and not report.reps[3].faults  # 25 deg short, not judged
    assert {f.code for f in report.reps[1].faults} == {"incomplete_lockout"}
    assert not report.camera_view.suitable
    assert any("reps 3-4 are seen from the front" in w for w in report.camera_view.warnings)


def test_single_leg_rdl_flags_a_hanging_free_leg_and_a_touch_down() -> None:
    from figures import single_leg

    trunk = rdl_set([0, 0, 0, 0])  # stand 1.5 s, then a rep every 3.3 s
    t = np.arange(len(trunk)) / 30.0
    drop = np.where((t >= 4.8) & (t < 8.1), 40.0, 0.0)  # rep 2: free leg 40 deg low
    touch = (t >= 10.7) & (t < 11.2)  # at the top of rep 3 the free foot comes down
    done = t >= t[-1] - 0.8  # and after the set it comes down for good
    report = analyze(single_leg(trunk, drop, touch | done), "single_leg_rdl")
    assert report.summary.rep_count == 4
    faults = [{f.code for f in r.faults} for r in report.reps]
    assert faults == [set(), {"free_leg_line"}, {"lost_balance"}, set()]
    bend = report.reps[1].faults[0]
    assert bend.value == pytest.approx(40, abs=3) and bend.unit == "deg"
    # from an angle the free leg reaching back goes into depth: no touch-down is judged
    turned = analyze(single_leg(trunk, drop, touch | done, yaw=40), "single_leg_rdl")
    assert [r.view for r in turned.reps] == ["oblique"] * 4
    assert all("lost_balance" in r.skipped for r in turned.reps)


def pulls(
    bottoms: list[float], tips: list[float] | None = None, fps: float = 30.0
) -> tuple[np.ndarray, np.ndarray, list[slice]]:
    """Trunk angle over a deadlift set from the floor, its depth, and each rise's frames.

    The lifter stands, bends to the bar, then each rep rises from the trunk angle
    of its entry in ``bottoms`` and goes back down to the next one; the depth
    goes from 0 standing to 1 at every bottom, to bend the legs with. A rep's
    entry in ``tips`` tips the trunk that much further forward in the first
    0.4 s of its rise, while the legs start to straighten (hips first).
    """
    tips = tips or [0.0] * len(bottoms)

    def timed(ends: list[float], tipped: list[float]) -> np.ndarray:
        pieces = [(0.0, 0.0, 1.0), (0.0, ends[0], 1.2), (ends[0], ends[0], 0.6)]
        for bottom, tip, after in zip(ends, tipped, [*ends[1:], ends[-1]], strict=True):
            rise = [(bottom, bottom + tip, 0.4), (bottom + tip, 0.0, 0.6)]
            pieces += rise if tip else [(bottom, 0.0, 1.0)]
            pieces += [(0.0, 0.0, 0.6), (0.0, after, 1.1), (after, after, 0.6)]
        return ramp(*pieces, fps=fps)

    rises = [slice(round((2.8 + 3.3 * i) * fps), round((3.8 + 3.3 * i) * fps)) for i in range(3)]
    depth = timed([1.0] * len(bottoms), [-0.4 if tip else 0.0 for tip in tips])
    return timed(bottoms, tips), depth, rises


@pytest.mark.parametrize("yaw", [0, 40])
def test_a_squatted_pull_is_told_by_its_upright_chest_from_the_side_and_at_an_angle(
    yaw: float,
) -> None:
    # Rep 2 leaves the floor with the chest 20 deg from vertical; the others at 45,
    # which seen from 40 deg reads 37 in the picture.
    trunk, depth, _ = pulls([45.0, 20.0, 45.0])
    report = analyze(hinge(trunk, 20 * depth, -75 * depth, yaw=yaw), "deadlift")
    assert report.summary.rep_count == 3
    assert [r.view for r in report.reps] == ["side" if yaw < 25 else "oblique"] * 3
    flagged = [{f.code for f in r.faults} for r in report.reps]
    assert flagged == [set(), {"squat_pattern"}, set()]
    assert report.reps[1].faults[0].value == pytest.approx(20, abs=2)
    assert report.reps[0].metrics["squat_pattern"] == pytest.approx(45, abs=2)
    assert report.reps[0].metrics["view_yaw_deg"] == pytest.approx(yaw, abs=3)


def test_a_bar_that_swings_away_from_the_legs_is_flagged_from_the_side_only() -> None:
    trunk, depth, rises = pulls([50.0, 50.0, 50.0])
    ahead = np.zeros(len(trunk))
    rise = rises[1]
    lower = np.arange(rise.start, rise.start + 9)  # the hands' lower half of the way up
    ahead[lower] = 40 * np.sin(np.pi * (lower - rise.start) / 9)  # 20 % of a 200 px leg
    side, oblique = (
        hinge(trunk, 20 * depth, -75 * depth, hand_ahead=ahead, yaw=yaw) for yaw in (0, 40)
    )
    report = analyze(side, "deadlift")
    flagged = [{f.code for f in r.faults} for r in report.reps]
    assert flagged == [set(), {"bar_drift"}, set()]
    # a running median over five frames keeps sin(7 pi / 18) = 87 % of this sharp peak
    assert report.reps[1].faults[0].value == pytest.approx(17, abs=1.5)
    assert report.reps[0].metrics["bar_drift"] == pytest.approx(0, abs=1)
    # at an angle the model's hands wander too far to tell a drift: not judged
    assert all("bar_drift" in r.skipped for r in analyze(oblique, "deadlift").reps)
    # hands the model only guesses (behind the plates) do not place the bar
    guessed = replace(side, visibility=side.visibility.copy())
    guessed.visibility[:, [INDEX["left_wrist"], INDEX["right_wrist"]]] = 0.7
    unsure = analyze(guessed, "deadlift").reps
    assert all("not seen clearly" in r.abstained["bar_drift"] for r in unsure)
    assert not any(f.code == "bar_drift" for r in unsure for f in r.faults)


def test_hips_that_rise_before_the_bar_are_flagged() -> None:
    # Rep 2: as the hips start up the chest sinks 20 deg further forward before
    # the shoulders rise with them.
    trunk, depth, _ = pulls([50.0, 50.0, 50.0], tips=[0.0, 20.0, 0.0])
    report = analyze(hinge(trunk, 20 * depth, -75 * depth), "deadlift")
    flagged = [{f.code for f in r.faults} for r in report.reps]
    assert flagged == [set(), {"hips_rise_first"}, set()]
    assert report.reps[1].faults[0].value > 16
    assert report.reps[0].metrics["hips_rise_first"] < 2


def test_each_reading_carries_how_clearly_the_model_saw_what_it_reads() -> None:
    figure = hinge(rdl_set([0, 0, 0]))
    faint = replace(figure, visibility=figure.visibility.copy())
    bottom = slice(round(6.05 * 30), round(6.25 * 30))  # rep 2 leaves the floor: a short gap
    faint.visibility[bottom, [INDEX["left_shoulder"], INDEX["right_shoulder"]]] = 0.3
    clear, unsure = analyze(figure, "rdl").reps, analyze(faint, "rdl").reps
    seen = figure.visibility[0, INDEX["left_hip"]]  # as the figure has it
    assert all(r.metrics["squat_pattern_confidence"] == pytest.approx(seen) for r in clear)
    assert "barely sees the shoulders where" in unsure[1].abstained["squat_pattern"]
    assert unsure[1].metrics["squat_pattern_confidence"] < 0.5
    assert "squat_pattern" not in unsure[0].abstained and "squat_pattern" in unsure[2].metrics
