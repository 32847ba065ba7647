from __future__ import annotations

import numpy as np
import pytest
from figures import ramp

from formcheck.reps import RepRules, segment

FPS = 30.0
STAND, BOTTOM = 1.5, 0.8  # shoulder heights, standing and at the bottom


def reps_of(height: np.ndarray, pattern: str, cuts: tuple[int, ...] = ()):
    t = np.arange(len(height)) / FPS
    return segment(height, t, np.array(cuts, np.intp), pattern)  # type: ignore[arg-type]


def deadlift(n: int, pause: float = 0.8) -> list[tuple[float, float, float]]:
    """Walk in, set up at the bar, n reps from the floor with a pause at the bottom."""
    pieces = [(STAND, STAND, 2.0), (STAND, BOTTOM, 1.5), (BOTTOM, BOTTOM, 1.0)]
    for _ in range(n):
        pieces += [(BOTTOM, STAND, 1.0), (STAND, STAND, 0.6), (STAND, BOTTOM, 1.2)]
        pieces += [(BOTTOM, BOTTOM, pause)]
    return pieces


@pytest.mark.parametrize("pause", [0.8, 0.0])  # dead stop, touch and go
def test_floor_reps_ignore_the_set_up_and_resting_at_the_bottom(pause: float) -> None:
    height = ramp(*deadlift(4, pause), (BOTTOM, BOTTOM, 3.0))
    reps = reps_of(height, "floor")
    assert [r.index for r in reps if r.full] == [1, 2, 3, 4]
    assert not [r for r in reps if not r.full]
    first = reps[0]
    assert first.start / FPS == pytest.approx(4.5, abs=0.2)  # leaves the floor, not the walk-in
    assert first.top / FPS == pytest.approx(5.5, abs=0.2)


def test_a_pull_that_stops_short_is_partial() -> None:
    pieces = [*deadlift(2), (BOTTOM, 1.15, 0.8), (1.15, BOTTOM, 0.8), (BOTTOM, BOTTOM, 1)]
    reps = reps_of(ramp(*pieces), "floor")
    assert sum(r.full for r in reps) == 2


def test_lowering_only_is_a_partial_floor_rep() -> None:
    reps = reps_of(ramp((STAND, STAND, 1), (STAND, BOTTOM, 1), (BOTTOM, BOTTOM, 1)), "floor")
    assert len(reps) == 1 and not reps[0].full


@pytest.mark.parametrize("seconds", [0.5, 4.0])  # fast and slow tempo
def test_standing_reps_any_tempo(seconds: float) -> None:
    pieces = [(STAND, STAND, 1.0)]
    for _ in range(5):
        pieces += [(STAND, BOTTOM, seconds), (BOTTOM, STAND, seconds), (STAND, STAND, 0.3)]
    reps = reps_of(ramp(*pieces), "standing")
    assert [r.index for r in reps] == [1, 2, 3, 4, 5]
    assert all(r.start < r.bottom < r.top <= r.end for r in reps)


def test_a_half_rep_and_one_cut_off_by_the_end_are_partial() -> None:
    pieces = [(STAND, STAND, 1)]
    for _ in range(3):
        pieces += [(STAND, BOTTOM, 1), (BOTTOM, STAND, 1)]
    pieces += [(STAND, 1.15, 0.6), (1.15, STAND, 0.6), (STAND, BOTTOM, 1)]  # half, then cut off
    reps = reps_of(ramp(*pieces), "standing")
    assert sum(r.full for r in reps) == 3
    assert sum(not r.full for r in reps) == 2


def test_no_rep_crosses_a_scene_cut() -> None:
    one = ramp((STAND, STAND, 1), (STAND, BOTTOM, 1), (BOTTOM, STAND, 1), (STAND, STAND, 0.5))
    half = ramp((STAND, BOTTOM, 1))
    height = np.concatenate([one, half, ramp((BOTTOM, STAND, 1), (STAND, STAND, 1))])
    joined = reps_of(height, "standing")
    cut = reps_of(height, "standing", cuts=(len(one) + len(half),))
    assert sum(r.full for r in joined) == 2 and sum(r.full for r in cut) == 1


def test_missing_frames_bridge_short_gaps_only() -> None:
    height = ramp((STAND, STAND, 1), (STAND, BOTTOM, 1), (BOTTOM, STAND, 1), (STAND, STAND, 1))
    short = height.copy()
    short[40:45] = np.nan
    assert sum(r.full for r in reps_of(short, "standing")) == 1
    long = height.copy()
    long[35:70] = np.nan
    assert sum(r.full for r in reps_of(long, "standing")) == 0


def test_a_pull_hidden_from_the_floor_to_lockout_is_counted_and_said() -> None:
    # A single-rep phone clip: set up at the bar, the person lost from just
    # before the lift-off until lockout (1 s), then standing and lowering.
    height = ramp(
        (STAND, BOTTOM, 1), (BOTTOM, BOTTOM, 1.5), (BOTTOM, STAND, 0.6), (STAND, STAND, 1)
    )
    height = np.concatenate([height, ramp((STAND, BOTTOM, 1.0))])
    hidden = height.copy()
    hidden[round(2.3 * FPS) : round(3.3 * FPS)] = np.nan
    reps = [r for r in reps_of(hidden, "floor") if r.full]
    assert len(reps) == 1
    assert reps[0].note == "counted across 2.3-3.3 s without the person in view"
    assert not [r.note for r in reps_of(height, "floor") if r.note and r.full]


@pytest.mark.parametrize(("pattern", "after"), [("floor", BOTTOM), ("standing", STAND)])
def test_a_clip_ending_just_short_of_lockout_is_partial(pattern: str, after: float) -> None:
    start = [(STAND, STAND, 1), (STAND, BOTTOM, 1.2), (BOTTOM, BOTTOM, 0.6)]
    one = [(BOTTOM, STAND, 1.0), (STAND, STAND, 0.5), (STAND, after, 1.0), (after, after, 0.5)]
    short = ramp(*start, *one, (BOTTOM, STAND, 1.0))[: -round(0.25 * FPS)]
    reps = reps_of(short, pattern)
    assert [(r.full, r.note) for r in reps][-1] == (False, "cut off before lockout")
    at_lockout = ramp(*start, *one, (BOTTOM, STAND, 1.0), (STAND, STAND, 0.3))
    assert all(r.full for r in reps_of(at_lockout, pattern))


def test_still_standing_has_no_reps() -> None:
    assert (
        reps_of(np.full(300, STAND) + np.random.default_rng(0).normal(0, 0.01, 300), "floor") == []
    )


def test_rules_are_validated() -> None:
    with pytest.raises(ValueError):
        RepRules(top_frac=0.7, deep_frac=0.6)
    with pytest.raises(ValueError, match="min_depth"):
        RepRules(min_depth=0)


def test_the_last_lowering_belongs_to_the_last_rep() -> None:
    reps = reps_of(ramp(*deadlift(3), (BOTTOM, BOTTOM, 2.0)), "floor")
    assert [r.full for r in reps] == [True, True, True]
    last = reps[-1]
    assert last.top < last.lockout_end < last.end  # lockout, then the lowering
    assert last.end / FPS == pytest.approx(len(ramp(*deadlift(3))) / FPS - 0.8, abs=0.2)


def test_a_clip_that_opens_mid_pull_counts_that_pull_as_partial() -> None:
    mid = (STAND + BOTTOM) / 2
    pieces = [(mid, STAND, 0.5), (STAND, STAND, 0.6), (STAND, BOTTOM, 1.2), (BOTTOM, BOTTOM, 0.8)]
    pieces += deadlift(3)[3:]
    reps = reps_of(ramp(*pieces), "floor")
    assert [(r.index, r.note) for r in reps][:2] == [(0, "clip opens mid-pull"), (1, "")]
    assert sum(r.full for r in reps) == 3


@pytest.mark.parametrize(
    ("first", "full"),
    [
        (((STAND + BOTTOM) / 2, BOTTOM, 0.5), True),
        ((BOTTOM, BOTTOM, 0.1), True),
        ((STAND - 0.3, STAND - 0.3, 0.1), False),
    ],
    ids=["opens mid-descent", "opens at the bottom", "opens on the way up"],
)
def test_a_standing_rep_under_way_at_the_start(first: tuple, full: bool) -> None:
    # A rep under way at the first frame counts (the shared labels' rule for
    # RDLs and good mornings), unless what is seen of it is shallow.
    pieces = [first, (first[1], STAND, 1), (STAND, STAND, 1)]
    pieces += [(STAND, BOTTOM, 1), (BOTTOM, STAND, 1), (STAND, STAND, 1)]
    reps = reps_of(ramp(*pieces), "standing")
    assert [r.full for r in reps] == [full, True]


def test_a_lockout_that_stops_short_still_ends_its_rep() -> None:
    short = STAND - 0.2  # the hips stay bent at the top: shoulders 13 % low
    pieces = [(STAND, STAND, 1.0), (STAND, BOTTOM, 1.2), (BOTTOM, BOTTOM, 0.8)]
    for top in (STAND, short, STAND):
        pieces += [(BOTTOM, top, 1.0), (top, top, 0.6), (top, BOTTOM, 1.2), (BOTTOM, BOTTOM, 0.8)]
    reps = reps_of(ramp(*pieces), "floor")
    assert [r.index for r in reps] == [1, 2, 3]


def test_each_shot_has_its_own_standing_height() -> None:
    # An edited clip: a close-up of the lifter standing, then a cut to a wider
    # shot where the pull from the floor happens (the lifter looks smaller).
    close_up = ramp((2.0, 2.0, 1.0))
    pull = ramp((BOTTOM, BOTTOM, 0.5), (BOTTOM, STAND, 1.0), (STAND, STAND, 1.0))
    reps = reps_of(np.concatenate([close_up, pull]), "floor", cuts=(len(close_up),))
    assert [r.full for r in reps] == [True]
