from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from formcheck.series import PoseSeries, VideoMeta

META = VideoMeta(source="clip.mp4", fps=29.97, width=640, height=480, n_frames=3)


def make_series(n: int = 3, **overrides: object) -> PoseSeries:
    rng = np.random.default_rng(0)
    fields: dict[str, object] = {
        "t": np.arange(n) / 29.97,
        "xy": rng.uniform(0, 480, (n, 33, 2)).astype(np.float32),
        "visibility": rng.uniform(0, 1, (n, 33)).astype(np.float32),
        "meta": META,
        "world": rng.normal(0, 0.3, (n, 33, 3)).astype(np.float32),
        "n_people": np.ones(n, np.int16),
    }
    fields.update(overrides)
    return PoseSeries(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("xy", np.zeros((3, 17, 2)), r"xy must have shape \(3, 33, 2\), got \(3, 17, 2\)"),
        ("visibility", np.zeros((3, 33, 1)), r"visibility must have shape \(3, 33\)"),
        ("world", np.zeros((3, 33, 2)), r"world must have shape \(3, 33, 3\), got \(3, 33, 2\)"),
        ("n_people", np.zeros(4), r"n_people must have shape \(3,\), got \(4,\)"),
        (
            "outline",
            np.zeros((3, 3, 29)),
            r"outline must have shape \(3, 2, 29\), got \(3, 3, 29\)",
        ),
        ("t", np.array([0.0, 0.1, 0.1]), "strictly increasing"),
        ("t", np.array([0.0, np.nan, 0.2]), "finite"),
    ],
)
def test_wrong_data_is_refused_naming_expected_and_actual(field, value, expected) -> None:
    with pytest.raises(ValueError, match=expected):
        make_series(**{field: value})


def test_masks_need_boxes_and_square_crops() -> None:
    with pytest.raises(ValueError, match="together"):
        make_series(masks=np.zeros((3, 8, 8), np.uint8))
    with pytest.raises(ValueError, match=r"masks must have shape \(3, 8, 8\), got \(3, 8, 9\)"):
        make_series(masks=np.zeros((3, 8, 9), np.uint8), mask_boxes=np.zeros((3, 3), np.float32))


def test_meta_is_validated() -> None:
    with pytest.raises(ValueError, match="fps"):
        VideoMeta(source="x", fps=0, width=1, height=1)
    with pytest.raises(ValueError, match="rotation"):
        VideoMeta(source="x", fps=30, width=1, height=1, rotation=45)


def test_detected_marks_frames_with_a_person() -> None:
    xy = np.ones((3, 33, 2), np.float32)
    xy[1] = np.nan
    assert make_series(xy=xy).detected.tolist() == [True, False, True]


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    masks = np.arange(3 * 4 * 4, dtype=np.uint8).reshape(3, 4, 4)
    boxes = np.array([[0, 0, 10], [1, 1, 11], [np.nan] * 3], np.float32)
    outline = np.linspace(0, 1, 3 * 2 * 5, dtype=np.float32).reshape(3, 2, 5)
    series = make_series(masks=masks, mask_boxes=boxes, outline=outline)
    path = tmp_path / "poses.npz"
    series.save(path)
    loaded = PoseSeries.load(path)
    assert loaded.meta == META
    for name in ("t", "xy", "visibility", "world", "n_people", "masks", "mask_boxes", "outline"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(series, name))
    assert [p.name for p in tmp_path.iterdir()] == ["poses.npz"]  # no temp file left


def test_optional_fields_stay_absent(tmp_path: Path) -> None:
    path = tmp_path / "p.npz"
    make_series(world=None, n_people=None).save(path)
    loaded = PoseSeries.load(path)
    assert loaded.world is None and loaded.masks is None and loaded.n_people is None
    assert loaded.outline is None


def test_non_numeric_landmarks_are_refused() -> None:
    with pytest.raises(ValueError, match="xy must hold floats, got object"):
        make_series(xy=np.zeros((3, 33, 2), object))


def test_save_replaces_an_existing_file_whole(tmp_path: Path) -> None:
    path = tmp_path / "poses.npz"
    make_series(n=2, t=np.array([0.0, 1.0])).save(path)
    make_series().save(path)
    assert len(PoseSeries.load(path)) == 3
    assert [p.name for p in tmp_path.iterdir()] == ["poses.npz"]


def test_load_refuses_other_files(tmp_path: Path) -> None:
    path = tmp_path / "other.npz"
    np.savez(path, a=np.zeros(3))
    with pytest.raises(ValueError, match="pose series format"):
        PoseSeries.load(path)
