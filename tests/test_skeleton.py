from formcheck.skeleton import BONES, INDEX, LANDMARKS, N_LANDMARKS, TORSO, mirror


def test_blazepose_has_33_unique_landmarks_in_mediapipe_order() -> None:
    assert N_LANDMARKS == 33 == len(set(LANDMARKS))
    assert (INDEX["nose"], INDEX["left_shoulder"], INDEX["right_hip"]) == (0, 11, 24)
    assert INDEX["right_foot_index"] == 32


def test_left_and_right_are_symmetric() -> None:
    for name in LANDMARKS:
        assert mirror(name) in INDEX
        assert mirror(mirror(name)) == name
        if name.startswith("left_"):
            # MediaPipe interleaves sides from the shoulders down: left odd, right even.
            assert INDEX[mirror(name)] - INDEX[name] in (1, 3)


def test_bones_join_known_landmarks_and_mirror_each_other() -> None:
    bones = set(BONES)
    for a, b in BONES:
        assert a in INDEX and b in INDEX and a != b
        assert (mirror(a), mirror(b)) in bones or (mirror(b), mirror(a)) in bones
    assert set(TORSO) <= set(INDEX)
