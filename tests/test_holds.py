"""Timed holds: the body line, when a hold starts and ends, and its faults over time."""

from __future__ import annotations

import json

import numpy as np
import pytest
from figures import bridge, lying

from formcheck import holds
from formcheck.analyze import analyze
from formcheck.exercises import BACK_EXTENSION, BRIDGE, PLANK, SIDE_PLANK
from formcheck.holds import HoldLimits, HoldTracker, Spells, body_line, find_holds
from formcheck.thresholds import thresholds

LIMITS = HoldLimits(sag_deg=-10.0, pike_deg=25.0)
#: Kneeling before and after, so getting down and up frames the hold.
DOWN, UP = ("kneel", 2.0, 0.0, 0.0), ("kneel", 2.0, 0.0, 0.0)


@pytest.mark.parametrize("facing", [-1, 1])
@pytest.mark.parametrize("bend", [-16.0, -5.0, 0.0, 12.0, 30.0])
def test_the_hip_deviation_is_signed_sag_negative_pike_positive(bend: float, facing: int) -> None:
    series = lying([("plank", 0.1, bend, bend)], facing=facing)
    line = body_line(series.xy.astype(np.float64), "left", "ankle")
    assert line.deviation_deg[0] == pytest.approx(bend, abs=0.01)
    assert line.deviation_pct[0] * bend >= 0 and abs(line.deviation_pct[0]) < abs(bend) / 2 + 0.01
    assert line.rise_deg[0] == pytest.approx(-8.0, abs=0.5)  # shoulders above the feet


def test_a_short_clip_all_in_position_is_a_hold_a_short_spell_is_not() -> None:
    (hold,) = find_holds(lying([("plank", 2.5, 0.0, 0.0)]), PLANK, LIMITS)
    assert hold.start_s <= holds.SMOOTH_S + 0.05 and hold.end_s == pytest.approx(2.5, abs=0.05)
    assert find_holds(lying([DOWN, ("plank", 2.5, 0.0, 0.0), UP]), PLANK, LIMITS) == []


def test_a_hold_goes_on_while_the_line_is_out_of_sight_and_ends_when_seen_to() -> None:
    unseen = lying([DOWN, ("plank", 6.0, 0, 0), ("plank", 3.0, 0, 0), ("plank", 6.0, 0, 0), UP])
    unseen.xy[8 * 30 : 11 * 30] = np.nan  # a cut-away, or the feet hidden
    (hold,) = find_holds(unseen, PLANK, LIMITS)
    assert hold.start_s < 3.0 and hold.end_s > 16.0
    kneeling = lying([DOWN, ("plank", 6.0, 0, 0), ("kneel", 3.0, 0, 0), ("plank", 6.0, 0, 0), UP])
    assert len(find_holds(kneeling, PLANK, LIMITS)) == 2


def test_kneeling_and_lying_flat_are_not_the_position() -> None:
    for pose in ("kneel", "prone"):
        line = body_line(lying([(pose, 0.1, 0.0, 0.0)]).xy.astype(np.float64), "left", "ankle")
        assert not holds.in_position(line, PLANK)[0], pose


def test_a_hold_starts_after_getting_down_and_ends_before_getting_up() -> None:
    found = find_holds(lying([DOWN, ("plank", 20.0, 0.0, 0.0), UP], noise=0.5), PLANK, LIMITS)
    (hold,) = found
    assert hold.start_s == pytest.approx(2.0, abs=0.3)
    assert hold.duration_s == pytest.approx(20.0, abs=0.5)
    assert hold.faults == () and hold.fatigue_onset_s is None
    assert hold.good_form_s == pytest.approx(hold.duration_s)
    assert hold.view == "side"


def test_several_holds_in_one_clip_and_a_short_one_is_not_a_hold() -> None:
    script = [DOWN, ("plank", 8.0, 0, 0), UP, ("plank", 2.0, 0, 0), UP, ("plank", 6.0, 0, 0), UP]
    found = find_holds(lying(script), PLANK, LIMITS)
    assert [round(h.start_s) for h in found] == [2, 16]
    assert [round(h.duration_s) for h in found] == [8, 6]


def test_a_sag_ramp_gives_a_sag_interval_and_the_fatigue_onset() -> None:
    # Straight for 12 s, then the hips sink to 16 deg below the line over 4 s.
    script = [DOWN, ("plank", 12.0, 0, 0), ("plank", 4.0, 0, -16), ("plank", 6.0, -16, -16), UP]
    (hold,) = find_holds(lying(script, noise=0.5), PLANK, LIMITS)
    (sag,) = hold.faults
    assert sag.code == "hip_sag" and sag.threshold_deg == -10.0
    crossing = 2.0 + 12.0 + 4.0 * 10 / 16  # the true bend passes -10 deg
    assert sag.start_s == pytest.approx(crossing, abs=0.5)
    assert sag.end_s == pytest.approx(hold.end_s, abs=0.1)
    assert sag.value_deg == pytest.approx(-16.0, abs=0.5) and sag.value_pct < 0
    assert sag.severity == "major"  # 6 deg past the line
    assert hold.fatigue_onset_s == pytest.approx(2.0 + 12.0 + 4.0 * 3 / 16, abs=0.5)
    assert hold.good_form_s == pytest.approx(hold.duration_s - (sag.end_s - sag.start_s))


def test_a_pike_held_throughout_is_one_interval_and_no_fatigue() -> None:
    (hold,) = find_holds(lying([DOWN, ("plank", 10.0, 30, 30), UP]), PLANK, LIMITS)
    (pike,) = hold.faults
    assert pike.code == "hip_pike" and pike.value_deg == pytest.approx(30.0, abs=0.1)
    assert pike.end_s - pike.start_s == pytest.approx(10.0, abs=0.5)
    assert hold.fatigue_onset_s is None and hold.good_form_s < 0.5


def test_a_dip_shorter_than_two_seconds_is_not_a_fault() -> None:
    script = [DOWN, ("plank", 6.0, 0, 0), ("plank", 1.2, -14, -14), ("plank", 6.0, 0, 0), UP]
    (hold,) = find_holds(lying(script), PLANK, LIMITS)
    assert hold.faults == ()


def test_a_plank_whose_shoulders_the_camera_sees_apart_is_not_timed() -> None:
    series = lying([DOWN, ("plank", 10.0, 0, 0), UP], width=120.0)
    assert find_holds(series, PLANK, LIMITS) == []
    report = analyze(series, "plank")
    assert report.holds == () and report.camera_view.suitable is False
    assert any("cannot be judged from this angle" in w for w in report.camera_view.warnings)
    assert any("no hold found" in w for w in report.warnings)


def test_the_tracker_gives_live_state_frame_by_frame() -> None:
    script = [DOWN, ("plank", 6.0, 0, 0), ("plank", 0.1, -15, -15), ("plank", 5.0, -15, -15), UP]
    series = lying(script)
    tracker = HoldTracker(PLANK, LIMITS, "left")
    states = [
        tracker.update(float(t), xy, v)
        for t, xy, v in zip(series.t, series.xy, series.visibility, strict=True)
    ]
    at = {round(float(t), 2): s for t, s in zip(series.t, states, strict=True)}
    assert not at[1.0].holding
    assert at[5.0].holding and at[5.0].elapsed_s == pytest.approx(3.0, abs=0.2)
    assert at[5.0].fault is None and at[5.0].deviation_deg == pytest.approx(0.0, abs=0.1)
    assert at[12.0].fault == "hip_sag"  # past the line for 2 s or more
    # The live cue comes as soon as the smoothed line is past for CUE_S, the fault 2 s on.
    cue = next(float(t) for t, s in zip(series.t, states, strict=True) if s.cue == "hip_sag")
    fault = next(float(t) for t, s in zip(series.t, states, strict=True) if s.fault == "hip_sag")
    assert 8.0 < cue < 9.0 and fault - cue == pytest.approx(
        holds.MIN_FAULT_S - holds.CUE_S, abs=0.1
    )
    assert at[12.0].good_form_s == pytest.approx(6.0, abs=0.5)
    (hold,) = tracker.finish()
    assert hold.faults[0].code == "hip_sag"


def test_spells_bridge_short_gaps_and_drop_short_spells() -> None:
    spells = Spells(bridge_s=0.5, min_s=1.0)
    flags = [True] * 10 + [False] * 3 + [True] * 10 + [False] * 10 + [True] * 5
    for i, on in enumerate(flags):
        spells.update(i * 0.1, on)
    spells.close()
    assert spells.spells == [(0.0, pytest.approx(2.2))]


def test_the_report_carries_each_hold_with_its_faults() -> None:
    script = [DOWN, ("plank", 8.0, 0, 0), ("plank", 1.0, 0, -15), ("plank", 6.0, -15, -15), UP]
    report = analyze(lying(script), "plank", thresholds("plank", "strict"))
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    (hold,) = data["holds"]
    assert set(hold) >= {"start_s", "end_s", "duration_s", "good_form_s", "faults"}
    (fault,) = hold["faults"]
    assert fault["code"] == "hip_sag" and fault["threshold"] == -7.0  # strict
    assert fault["value"] == pytest.approx(-15.0, abs=0.5) and fault["unit"] == "deg"
    assert data["summary"]["hold_count"] == 1 and data["reps"] == []
    assert data["summary"]["good_form_s"] == pytest.approx(hold["good_form_s"])
    assert "Hips up" in data["summary"]["cues"][0]


def test_limits_must_straddle_the_line() -> None:
    with pytest.raises(ValueError, match="sag_deg < 0 < pike_deg"):
        HoldLimits(sag_deg=10.0, pike_deg=25.0)


def test_a_side_plank_is_judged_from_the_front_on_the_midline() -> None:
    # Seen from the front, a side plank shows one shoulder above the other.
    script = [DOWN, ("plank", 6.0, 0, 0), ("plank", 0.1, -14, -14), ("plank", 5.0, -14, -14), UP]
    series = lying(script, width=120.0)
    (hold,) = find_holds(series, SIDE_PLANK, LIMITS)
    assert hold.view == "front" and hold.duration_s == pytest.approx(11.1, abs=0.5)
    assert [i.code for i in hold.faults] == ["hip_sag"]
    assert find_holds(lying(script), SIDE_PLANK, LIMITS) == []  # from the side: not judged


def test_a_glute_bridge_hold_is_timed_at_the_top_and_an_arch_is_a_pike() -> None:
    fps = 30
    bends = np.concatenate(
        [
            np.full(2 * fps, np.nan),
            np.zeros(6 * fps),
            np.full(5 * fps, 30.0),
            np.full(2 * fps, np.nan),
        ]
    )
    (hold,) = find_holds(bridge(bends), BRIDGE, LIMITS)
    # The hips jump up in one frame here: the hold starts once they have been still.
    assert 2.0 <= hold.start_s <= 2.0 + holds.SMOOTH_S + 0.1
    assert hold.end_s == pytest.approx(13.0, abs=0.1)
    (arch,) = hold.faults
    assert arch.code == "hip_pike" and arch.value_deg == pytest.approx(30.0, abs=0.5)
    assert 8.0 <= arch.start_s <= 8.0 + holds.SMOOTH_S + 0.1  # the same jump


def test_a_back_extension_hold_needs_no_arms_and_a_droop_is_a_pike() -> None:
    script = [DOWN, ("plank", 5.0, 0, 0), ("plank", 0.1, 28, 28), ("plank", 4.0, 28, 28), UP]
    (hold,) = find_holds(lying(script), BACK_EXTENSION, LIMITS)
    assert [i.code for i in hold.faults] == ["hip_pike"]
    report = analyze(lying(script), "back_extension_hold")
    assert "Lift to level" in report.summary.cues[0]
