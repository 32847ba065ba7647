"""Glute bridges: reps from the hips rising, the top held, lockout and arch at the top."""

from __future__ import annotations

import numpy as np
import pytest
from figures import bridge, ramp

from formcheck.analyze import analyze
from formcheck.thresholds import thresholds


def bridge_set(tops: list[float], hold_s: float = 1.0) -> np.ndarray:
    """Hip bends (deg from the shoulder-knee line) of a set: each rep rises to its top."""
    pieces = [(-50.0, -50.0, 1.0)]
    for top in tops:
        pieces += [(-50.0, top, 0.8), (top, top, hold_s), (top, -50.0, 0.8), (-50.0, -50.0, 0.6)]
    return ramp(*pieces)


def test_each_rise_of_the_hips_is_a_rep_and_the_top_is_timed() -> None:
    report = analyze(bridge(bridge_set([0, 0, 0], hold_s=2.0)), "glute_bridge")
    assert report.summary.rep_count == 3 and not report.partials
    assert not any(r.faults for r in report.reps)
    for rep in report.reps:
        assert rep.metrics["top_hold_s"] == pytest.approx(2.0, abs=0.4)
    assert not any("knees are hidden" in w for w in report.warnings)


def test_hips_short_of_the_line_and_hips_pushed_past_it_are_faults() -> None:
    report = analyze(bridge(bridge_set([0, -25, 25, 0])), "glute_bridge")
    assert report.summary.rep_count == 4
    found = [[f.code for f in r.faults] for r in report.reps]
    assert found == [[], ["incomplete_lockout"], ["over_arch"], []]
    short = report.reps[1].faults[0]
    assert short.value == pytest.approx(25.0, abs=1.5)
    assert short.threshold == thresholds("glute_bridge").values["incomplete_lockout"]
    assert report.reps[2].faults[0].value == pytest.approx(25.0, abs=1.5)


def test_a_clip_opening_at_the_top_or_ending_mid_rise_gives_partial_reps() -> None:
    bends = ramp((0, 0, 1.0), (0, -50, 0.8), (-50, -50, 0.6), (-50, 0, 0.8), (0, 0, 1.0))
    bends = np.r_[bends, ramp((0, -50, 0.8), (-50, -50, 0.6), (-50, -20, 0.5))]
    report = analyze(bridge(bends), "glute_bridge")
    assert report.summary.rep_count == 1
    assert [p.note for p in report.partials] == ["clip opens at the top", "cut off while rising"]


def test_a_body_the_model_folds_in_two_is_not_judged_on_it() -> None:
    # after the set the model loses the body: the hips drawn beyond the shoulders
    # and knees, as no body lies
    bends = np.concatenate([bridge_set([0, 0, 0]), np.full(30, 175.0)])
    report = analyze(bridge(bends), "glute_bridge")
    assert report.summary.rep_count == 3
    assert not any(r.faults for r in report.reps)
    assert all(abs(r.metrics.get(c, 0.0)) <= 100 for r in report.reps for c in report.thresholds)
