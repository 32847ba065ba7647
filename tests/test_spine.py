from __future__ import annotations

import numpy as np
import pytest
from figures import arched_outline, hinge, ramp

from formcheck import spine
from formcheck.analyze import analyze
from formcheck.pose.outline import STATIONS
from formcheck.reps import Rep
from formcheck.series import PoseSeries


@pytest.mark.parametrize("degrees", [-30.0, -5.0, 0.0, 12.0, 40.0])
def test_the_bow_is_the_turn_of_the_back_between_hip_and_shoulder(degrees: float) -> None:
    outline = arched_outline(np.array([degrees]))
    profile = spine.back_profile(outline, np.array([1]))
    assert spine.bow(profile)[0] == pytest.approx(degrees, abs=0.01)


def test_the_back_is_the_side_away_from_where_the_person_faces() -> None:
    bows = np.array([20.0, 20.0])
    outline = np.concatenate([arched_outline(bows[:1], facing=1), arched_outline(bows[1:], -1)])
    profile = spine.back_profile(outline, np.array([1, -1]))
    np.testing.assert_allclose(spine.bow(profile), bows, atol=0.01)
    front = spine.back_profile(outline, np.array([-1, 1]))  # the flat front side
    np.testing.assert_allclose(spine.bow(front), 0.0, atol=0.01)


def test_a_frame_with_too_little_outline_has_no_bow() -> None:
    profile = spine.back_profile(arched_outline(np.array([20.0, 20.0])), np.array([1, 1]))
    fitted = np.flatnonzero((STATIONS >= spine.FIT_FROM) & (STATIONS <= spine.FIT_TO))
    profile[0, fitted[:2]] = np.nan  # a few stations lost: still read
    profile[1, fitted[: len(fitted) // 2]] = np.nan  # half of them: not
    bows = spine.bow(profile)
    assert bows[0] == pytest.approx(20, abs=0.5) and np.isnan(bows[1])


def test_an_outline_of_another_layout_is_refused() -> None:
    with pytest.raises(ValueError, match=r"outline must have shape \(T, 2, 29\), got \(3, 2, 5\)"):
        spine.back_profile(np.zeros((3, 2, 5)), np.ones(3, int))


def test_a_reading_covers_the_bent_over_frames_of_a_rep() -> None:
    trunk = np.concatenate([np.linspace(0, 80, 20), np.full(10, 80.0), np.linspace(80, 0, 20)])
    bows = np.where(trunk >= 70, 25.0, 0.0)
    bows[22:26] = np.nan  # the outline lost for four of the bent-over frames
    found = spine.reading(bows, trunk, Rep(1, 0, 25, 49, 49, 49, True))
    assert found is not None
    assert found.bow == pytest.approx(25) and found.spread == pytest.approx(0)
    assert trunk[found.start] >= 64 and trunk[found.end] >= 64
    assert found.coverage == pytest.approx(1 - 4 / (found.end - found.start + 1))
    assert found.judged and found.confidence == pytest.approx(found.coverage)


def test_frames_at_the_bottom_without_a_trunk_angle_are_still_bent_over() -> None:
    # The hips lost for the whole bottom of the rep: its bow is read there too.
    bottom = np.full(20, np.nan)
    trunk = np.concatenate([np.linspace(0, 80, 20), bottom, np.linspace(80, 0, 20)])
    bows = np.where(np.isnan(trunk), 25.0, 0.0)
    found = spine.reading(bows, trunk, Rep(1, 0, 30, 59, 59, 59, True))
    assert found is not None and found.bow == pytest.approx(25)
    assert found.start < 20 and found.end >= 40
    # Lost after standing up again: not bent over.
    lost = np.concatenate([np.linspace(0, 80, 20), np.linspace(80, 0, 20), np.full(5, np.nan)])
    bent = spine.bent_over(lost, 0, 44)
    assert bent is not None and np.all(lost[bent] >= 64)


def test_the_reference_is_the_straightest_reps_and_a_flat_back_at_most() -> None:
    assert spine.reference([-20.0, -18.0, 5.0, 10.0], side_view=True) == pytest.approx(-18.5)
    assert spine.reference([20.0, 30.0, 40.0], side_view=True) == spine.FLAT_BACK_DEG
    assert spine.reference([30.0], side_view=True) == spine.FLAT_BACK_DEG
    assert spine.reference([20.0, 30.0, 40.0], side_view=False) == pytest.approx(25)
    assert spine.reference([30.0], side_view=False) is None


def _rdl_set(n: int) -> np.ndarray:
    pieces = [(0.0, 0.0, 1.5)]
    for _ in range(n):
        pieces += [(0.0, 80.0, 1.2), (80.0, 80.0, 0.3), (80.0, 0.0, 1.0), (0.0, 0.0, 0.8)]
    return ramp(*pieces, (0.0, 0.0, 1.0))


def _with_back(series: PoseSeries, bows: np.ndarray) -> PoseSeries:
    fields = {k: getattr(series, k) for k in ("t", "xy", "visibility", "meta")}
    return PoseSeries(**fields, outline=arched_outline(bows))


def _bows_by_rep(trunk: np.ndarray, per_rep: list[float], neutral: float) -> np.ndarray:
    """A bow per frame: ``neutral`` standing, each rep's value as the trunk bends over."""
    bows = np.full(len(trunk), neutral)
    t = np.arange(len(trunk)) / 30.0
    for i, value in enumerate(per_rep):
        rep = (t >= 1.5 + 3.3 * i) & (t < 1.5 + 3.3 * (i + 1))
        bows[rep] = neutral + (value - neutral) * trunk[rep] / 80.0
    return bows


def test_a_rep_that_bows_beyond_the_lifters_own_reps_is_rounded() -> None:
    trunk = _rdl_set(4)
    # A lifter whose neutral back reads -20 deg (a deep lumbar curve); rep 3 bows 25 more.
    bows = _bows_by_rep(trunk, [-20.0, -21.0, 5.0, -19.0], neutral=-20.0)
    report = analyze(_with_back(hinge(trunk), bows), "rdl")
    assert report.summary.rep_count == 4
    faults = [{f.code: f for f in r.faults} for r in report.reps]
    assert [set(f) for f in faults] == [set(), set(), {"rounded_back"}, set()]
    rounded = faults[2]["rounded_back"]
    assert rounded.value == pytest.approx(25, abs=2) and rounded.unit == "deg"
    assert rounded.confidence == pytest.approx(1.0, abs=0.05)
    metrics = report.reps[2].metrics
    assert metrics["back_bow_deg"] == pytest.approx(5, abs=2)
    assert metrics["back_reference_deg"] == pytest.approx(-20, abs=2)
    assert "back flat" in report.summary.cues[0]


def test_a_single_rep_is_judged_against_a_flat_back_from_the_side() -> None:
    trunk = _rdl_set(1)
    straight = analyze(_with_back(hinge(trunk), _bows_by_rep(trunk, [8.0], 0.0)), "rdl")
    arched = analyze(_with_back(hinge(trunk), _bows_by_rep(trunk, [32.0], 0.0)), "rdl")
    assert not straight.reps[0].faults
    (fault,) = arched.reps[0].faults
    assert fault.code == "rounded_back"
    assert fault.value == pytest.approx(32 - spine.FLAT_BACK_DEG, abs=2)


def test_without_an_outline_or_a_reliable_one_the_check_abstains_and_says_why() -> None:
    trunk = _rdl_set(3)
    bare = analyze(hinge(trunk), "rdl")
    assert all("rounded_back" in r.abstained for r in bare.reps)
    assert any(
        "rounded_back not judged on reps 1-3: the pose series has no body outline" in w
        for w in bare.warnings
    )
    bows = _bows_by_rep(trunk, [0.0, 0.0, 30.0], 0.0)
    t = np.arange(len(trunk)) / 30.0
    bows[(t >= 1.5 + 6.6) & (trunk > 40)] = np.nan  # rep 3's back cut off by the frame
    report = analyze(_with_back(hinge(trunk), bows), "rdl")
    assert not report.reps[2].faults and "cut off" in report.reps[2].abstained["rounded_back"]
    assert report.reps[2].metrics["back_outline_found"] < 0.5
    assert "rounded_back" in report.reps[0].metrics  # the others are still judged


def test_an_oblique_single_rep_is_not_judged() -> None:
    trunk = _rdl_set(1)
    oblique = hinge(trunk, width=60)  # ~0.45 of the trunk: an oblique view
    report = analyze(_with_back(oblique, _bows_by_rep(trunk, [40.0], 0.0)), "rdl")
    assert report.reps[0].view == "oblique" and not report.reps[0].faults
    assert "film from the side" in report.reps[0].abstained["rounded_back"]


def test_a_lifter_who_turns_round_is_compared_with_reps_facing_the_same_way() -> None:
    trunk = _rdl_set(6)
    # Facing right the back reads 0 deg, facing left -18 (another side of the body,
    # other light); rep 5 bows 16 deg more than the reps facing its way.
    bows = _bows_by_rep(trunk, [0, 1, 0, -18, -2, -19], neutral=0.0)
    half = round((1.5 + 3 * 3.3) * 30)  # the turn, between reps 3 and 4
    right, left = hinge(trunk, facing=1), hinge(trunk, facing=-1)
    xy = np.concatenate([right.xy[:half], left.xy[half:]])
    outline = np.concatenate([arched_outline(bows[:half], 1), arched_outline(bows[half:], -1)])
    series = PoseSeries(
        t=right.t, xy=xy, visibility=right.visibility, meta=right.meta, outline=outline
    )
    report = analyze(series, "rdl")
    assert report.summary.rep_count == 6
    assert [bool(r.faults) for r in report.reps] == [False] * 4 + [True, False]
    assert report.reps[4].metrics["back_reference_deg"] == pytest.approx(-18.5, abs=1.5)


def test_nearly_from_the_front_the_back_is_not_judged() -> None:
    trunk = _rdl_set(3)
    turned = hinge(trunk, width=72)  # 0.55 of the trunk: past about 45 deg off the side
    report = analyze(_with_back(turned, _bows_by_rep(trunk, [0.0, 40.0, 0.0], 0.0)), "rdl")
    assert [r.view for r in report.reps] == ["oblique"] * 3
    assert not any(r.faults for r in report.reps)
    assert all("too far round" in r.abstained["rounded_back"] for r in report.reps)
