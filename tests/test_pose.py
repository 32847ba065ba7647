"""The real pose model on real pictures of a person."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import place, resized, write_clip

from formcheck.errors import ModelError, NoPersonError
from formcheck.pose import MASK_SIDE, estimate_poses
from formcheck.pose.mediapipe import PoseEstimator
from formcheck.pose.outline import STATIONS
from formcheck.skeleton import INDEX
from formcheck.video import VideoFileSource

# Marked by hand on skimage's astronaut picture (512x512), not taken from the model.
ASTRONAUT_TRUTH = {
    "nose": (222, 128, 15),
    "right_eye": (205, 103, 15),
    "left_eye": (248, 110, 15),
    "right_shoulder": (115, 240, 30),
    "left_shoulder": (310, 255, 30),
}


def test_landmarks_land_on_the_person(astronaut: np.ndarray) -> None:
    with PoseEstimator((512, 512), masks=True) as estimator:
        person, n_people = estimator.process(astronaut, 0.0)
    assert person is not None and n_people == 1
    for name, (x, y, tolerance) in ASTRONAUT_TRUTH.items():
        got = person.xy[INDEX[name]]
        assert np.hypot(*(got - (x, y))) < tolerance, f"{name} at {got}, expected ({x}, {y})"
        assert person.visibility[INDEX[name]] > 0.9
    assert person.mask is not None and person.mask.shape == (512, 512)
    assert person.mask[100:150, 190:250].mean() > 0.9  # the face
    assert person.mask[:60, :40].mean() < 0.1  # the flag behind her


def test_the_big_central_person_is_main(astronaut: np.ndarray) -> None:
    side, main = (resized(astronaut, 300), 10, 200), (resized(astronaut, 420), 420, 100)
    frame = place((960, 540), side, main)
    with PoseEstimator((960, 540)) as estimator:
        person, n_people = estimator.process(frame, 0.0)
    assert n_people == 2
    assert person is not None and 420 < person.xy[INDEX["nose"], 0] < 840


def test_a_spotter_walking_in_front_never_takes_the_track(
    tmp_path: Path, astronaut: np.ndarray
) -> None:
    lifter, spotter = resized(astronaut, 400), resized(astronaut, 330)
    frames = [
        place((960, 540), (lifter, 280, 140), (spotter, -330 + int(i * 1290 / 149), 210))
        for i in range(150)
    ]
    clip = write_clip(tmp_path / "spotter.mp4", frames)
    with VideoFileSource(clip) as source, PoseEstimator((960, 540)) as estimator:
        series = estimate_poses(source, source.meta, estimator)
    lifter_nose = np.array([280 + 400 * 222 / 512, 140 + 400 * 128 / 512])
    distance = np.linalg.norm(series.xy[:, INDEX["nose"]] - lifter_nose, axis=1)
    found = series.detected
    assert np.all(distance[found] < 30), "the spotter's pose was reported as the lifter's"
    assert found[:40].all() and found[-30:].all()  # before and after the walk-through
    assert series.n_people.max() == 2


def test_masks_are_cropped_around_the_person(person_clip: Path) -> None:
    with VideoFileSource(person_clip) as source, PoseEstimator((480, 360), masks=True) as est:
        series = estimate_poses(source, source.meta, est, keep_masks=True)
    assert series.masks is not None and series.mask_boxes is not None
    assert series.masks.shape == (len(series), MASK_SIDE, MASK_SIDE)
    assert series.masks[series.detected].mean() > 40  # the person fills a good part of the crop
    x0, y0, side = series.mask_boxes[0]
    nose = series.xy[0, INDEX["nose"]]
    assert x0 < nose[0] < x0 + side and y0 < nose[1] < y0 + side
    # ...and, masks kept or not, the outline beside the trunk in every frame
    assert series.outline is not None
    assert series.outline.shape == (len(series), 2, len(STATIONS))
    assert np.isfinite(series.outline[series.detected]).mean() > 0.5


def test_without_masks_there_is_no_outline(person_clip: Path) -> None:
    with VideoFileSource(person_clip) as source, PoseEstimator((480, 360)) as est:
        series = estimate_poses(source, source.meta, est)
        with pytest.raises(ValueError, match="keep_masks needs an estimator"):
            estimate_poses(source, source.meta, est, keep_masks=True)
    assert series.outline is None and series.masks is None


def test_no_person_anywhere_is_an_error(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "empty.mp4", [np.full((120, 160, 3), 90, np.uint8)] * 10)
    with (
        VideoFileSource(clip) as source,
        PoseEstimator((160, 120)) as estimator,
        pytest.raises(NoPersonError, match="no person found in any of its 10 frames"),
    ):
        estimate_poses(source, source.meta, estimator)


def test_native_chatter_stays_off_the_terminal(capfd, astronaut: np.ndarray) -> None:
    with PoseEstimator((512, 512)) as estimator:
        for i in range(3):
            estimator.process(astronaut, i / 30)
    assert capfd.readouterr().err == ""


def test_a_broken_model_file_is_a_model_error(tmp_path: Path) -> None:
    import zipfile

    fake = tmp_path / "pose_landmarker_heavy.task"
    with zipfile.ZipFile(fake, "w") as z:
        z.writestr("pose_detector.tflite", b"not a network")
        z.writestr("pose_landmarks_detector.tflite", b"not a network")
    with pytest.raises(ModelError, match="MediaPipe cannot load it"):
        PoseEstimator((100, 100), fake)


def test_a_person_is_found_in_a_video_of_odd_row_length(tmp_path: Path, astronaut) -> None:
    # A phone clip 404 px wide: its decoded rows are padded, which once hid everybody.
    frame = place((404, 720), (resized(astronaut, 380), 12, 150))
    clip = write_clip(tmp_path / "portrait.mp4", [frame] * 5)
    with VideoFileSource(clip) as source, PoseEstimator((404, 720)) as estimator:
        series = estimate_poses(source, source.meta, estimator)
    assert series.detected.all()


def test_after_a_scene_cut_the_lifter_is_found_at_once(tmp_path: Path, astronaut) -> None:
    # An edited clip: a wide shot, then a cut to a closer one from elsewhere.
    wide = place((640, 480), (resized(astronaut, 260), 40, 200))
    close = place((640, 480), (resized(astronaut, 420), 210, 40))
    clip = write_clip(tmp_path / "cut.mp4", [wide] * 10 + [close] * 20)
    with VideoFileSource(clip) as source, PoseEstimator((640, 480)) as estimator:
        series = estimate_poses(source, source.meta, estimator)
    assert series.detected[:10].all() and series.detected[11:].all()
