from __future__ import annotations

import numpy as np
import pytest

from formcheck.pose.select import Body, MainPersonSelector, SelectionRules
from formcheck.skeleton import INDEX

FRAME = (1280, 720)
DT = 1 / 30


def pose(cx: float, cy: float, torso: float) -> np.ndarray:
    """A standing stick pose: torso of ``torso`` px centred on (cx, cy)."""
    xy = np.zeros((33, 2), np.float32)
    xy[:] = (cx, cy - torso)  # head and arms bunched near the shoulders
    for side, dx in (("left", 0.15), ("right", -0.15)):
        xy[INDEX[f"{side}_shoulder"]] = (cx + dx * torso, cy - torso / 2)
        xy[INDEX[f"{side}_hip"]] = (cx + dx * torso, cy + torso / 2)
        xy[INDEX[f"{side}_knee"]] = (cx + dx * torso, cy + 1.4 * torso)
        xy[INDEX[f"{side}_ankle"]] = (cx + dx * torso, cy + 2.3 * torso)
    return xy


def test_body_measures_torso_centre_and_length() -> None:
    body = Body.of(pose(400, 300, 200))
    np.testing.assert_allclose(body.center, (400, 300), atol=1e-4)
    assert body.scale == pytest.approx(200, rel=1e-4)


def test_first_choice_prefers_big_and_central() -> None:
    selector = MainPersonSelector(FRAME)
    small_corner, big_centre = pose(150, 200, 80), pose(640, 360, 200)
    assert selector.choose([small_corner, big_centre], 0.0) == 1


def test_a_bigger_newcomer_does_not_steal_the_track() -> None:
    selector = MainPersonSelector(FRAME)
    assert selector.choose([pose(300, 360, 120)], 0.0) == 0
    assert selector.choose([pose(700, 360, 250), pose(302, 361, 120)], DT) == 1


def test_a_spotter_walking_through_never_becomes_main() -> None:
    selector = MainPersonSelector(FRAME)
    lifter = pose(640, 380, 150)
    picks = []
    for i in range(90):  # the spotter crosses the frame in 3 s, in front of the lifter
        t = i * DT
        spotter = pose(100 + 12 * i, 390, 160)
        occluded = abs(100 + 12 * i - 640) < 120  # the detector loses the lifter
        people = [spotter] if occluded else [spotter, lifter]
        if i == 0:
            people = [lifter, spotter]
        picks.append(selector.choose(people, t))
        chosen = None if picks[-1] is None else people[picks[-1]]
        assert chosen is None or chosen is lifter, f"frame {i}: the spotter took the track"
    assert sum(p is not None for p in picks) >= 60


def test_a_jump_is_rejected_and_someone_seen_beside_the_main_person_never_takes_over() -> None:
    selector = MainPersonSelector(FRAME, SelectionRules(reacquire_after_s=1.0))
    assert selector.choose([pose(600, 360, 150), pose(1100, 360, 150)], 0.0) == 0
    assert not selector.follows(pose(1100, 360, 150), DT)
    # The main person is gone; the other one stays in view for 3 s.
    assert all(selector.choose([pose(1100, 360, 150)], i * DT) is None for i in range(1, 90))


def test_a_bad_first_detection_does_not_lock_the_lifter_out() -> None:
    # The first frame's skeleton is a tiny misdetection at the feet; the lifter
    # is the only person in view from then on, and takes the track over once
    # followed for takeover_s, long before the misdetection is forgotten.
    rules = SelectionRules(takeover_s=0.5, reacquire_after_s=2.0)
    selector = MainPersonSelector(FRAME, rules)
    assert selector.choose([pose(640, 560, 15)], 0.0) == 0
    picks = [selector.choose([pose(640, 360, 150)], i * DT) for i in range(1, 90)]
    taken = next(i for i, p in enumerate(picks, start=1) if p == 0)
    assert (taken - 1) * DT == pytest.approx(rules.takeover_s, abs=DT)
    assert all(p == 0 for p in picks[taken - 1 :])


def test_a_smaller_skeleton_does_not_take_the_track_over() -> None:
    # The lifter is lost; a small misplaced skeleton (on the plates) is found
    # in their stead for 1.5 s: it waits for reacquire_after_s like anybody.
    selector = MainPersonSelector(FRAME, SelectionRules(takeover_s=0.5, reacquire_after_s=2.0))
    assert selector.choose([pose(640, 300, 150)], 0.0) == 0
    assert all(selector.choose([pose(700, 420, 80)], i * DT) is None for i in range(1, 45))


def test_a_lifter_followed_long_is_not_taken_over_by_a_stranger_in_front() -> None:
    # The lifter, followed for 2 s, is hidden by somebody of their size whom the
    # tracker never saw beside them: the stranger waits for reacquire_after_s.
    selector = MainPersonSelector(FRAME, SelectionRules(takeover_s=0.5, reacquire_after_s=2.0))
    assert all(selector.choose([pose(640, 360, 150)], i * DT) == 0 for i in range(60))
    picks = [selector.choose([pose(300 + 8 * i, 370, 140)], (60 + i) * DT) for i in range(50)]
    assert all(p is None for p in picks)


def test_the_main_person_back_in_time_keeps_the_track() -> None:
    # A stranger alone in view while the lifter is unseen for less than
    # takeover_s; the lifter returns and keeps the track.
    selector = MainPersonSelector(FRAME, SelectionRules(takeover_s=0.5))
    assert selector.choose([pose(300, 360, 150)], 0.0) == 0
    assert all(selector.choose([pose(900, 360, 150)], i * DT) is None for i in range(1, 12))
    assert selector.choose([pose(900, 360, 150), pose(305, 360, 150)], 12 * DT) == 1
    assert all(selector.choose([pose(900, 360, 150)], i * DT) is None for i in range(13, 50))


def test_a_newcomer_is_chosen_once_the_main_person_is_gone() -> None:
    selector = MainPersonSelector(FRAME, SelectionRules(reacquire_after_s=1.0))
    selector.choose([pose(300, 360, 150)], 0.0)
    assert selector.choose([pose(900, 360, 150)], 0.5) is None  # too soon, too far
    assert selector.choose([pose(900, 360, 150)], 1.6) == 0  # nobody seen for over 1 s


def test_slow_movement_and_gaps_are_followed() -> None:
    selector = MainPersonSelector(FRAME)
    for i in range(60):
        assert selector.choose([pose(300 + 5 * i, 360, 150 + i / 2)], i * DT) == 0
    # half a second unseen, moved a bit: still the same person
    assert selector.follows(pose(640, 360, 185), 60 * DT + 0.5)


@pytest.mark.parametrize("field", ["max_jump", "max_speed", "reacquire_after_s", "takeover_s"])
def test_rules_must_be_positive(field: str) -> None:
    with pytest.raises(ValueError, match=field):
        SelectionRules(**{field: 0})


def test_a_small_distant_person_jittering_keeps_the_track() -> None:
    # Torso 12 px: the model's few pixels of jitter are a third of its size.
    selector = MainPersonSelector(FRAME)
    assert selector.choose([pose(640, 360, 12)], 0.0) == 0
    assert selector.choose([pose(643, 358, 16)], DT) == 0
    strict = MainPersonSelector(FRAME, SelectionRules(noise_px=0))
    strict.choose([pose(640, 360, 12)], 0.0)
    assert strict.choose([pose(643, 358, 16)], DT) is None


def test_one_person_found_twice_is_kept_once() -> None:
    # The multi-person model can return a second, partial skeleton of the same
    # person inside the first; it must not become "somebody else" who then owns
    # the lifter's track.
    selector = MainPersonSelector(FRAME)
    assert selector.choose([pose(640, 360, 150)], 0.0) == 0
    assert selector.choose([pose(650, 385, 130), pose(640, 360, 150)], DT) == 1
    assert all(selector.choose([pose(650, 385, 130)], i * DT) == 0 for i in range(2, 30))


def test_a_sudden_jump_of_the_landmarks_loses_a_few_frames_only() -> None:
    # The model's skeleton jumps 0.4 torso lengths in one frame and stays there:
    # once the tolerance has grown with the gap, the track follows it again.
    selector = MainPersonSelector(FRAME)
    assert selector.choose([pose(640, 360, 150)], 0.0) == 0
    picks = [selector.choose([pose(640, 300, 150)], i * DT) for i in range(1, 30)]
    assert picks[0] is None and all(p == 0 for p in picks[3:])
