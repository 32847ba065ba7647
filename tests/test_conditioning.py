from __future__ import annotations

import numpy as np
import pytest

from formcheck.conditioning import (
    Conditioning,
    OneEuro,
    condition,
    find_cuts,
    runs,
    segments,
)


def track(n: int = 90, fps: float = 30.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(T, 33, 2) landmarks of a figure swaying 1 Hz, 200 px tall, plus timestamps."""
    t = np.arange(n) / fps
    rng = np.random.default_rng(seed)
    base = np.stack([np.full(33, 320.0), np.linspace(150, 350, 33)], axis=-1)
    sway = 20 * np.sin(2 * np.pi * t)[:, None, None] * np.array([1.0, 0.0])
    return base + sway + rng.normal(0, 2, (n, 33, 2)), t


def test_runs_and_segments() -> None:
    assert runs(np.array([0, 1, 1, 0, 1], bool)) == [(1, 3), (4, 5)]
    assert runs(np.zeros(3, bool)) == []
    assert segments(10, np.array([4, 7])) == [(0, 4), (4, 7), (7, 10)]


def test_short_gaps_are_filled_and_long_ones_stay_missing() -> None:
    xy, t = track()
    vis = np.ones((len(t), 33))
    vis[10:13, 5] = 0  # 0.1 s: filled
    vis[40:60, 6] = 0  # 0.67 s: kept missing
    out, _ = condition(xy, vis, t, Conditioning(max_gap_s=0.25))
    assert np.isfinite(out[10:13, 5]).all()
    assert np.isnan(out[40:60, 6]).all() and np.isfinite(out[39, 6]).all()
    assert np.abs(out[10:13, 5] - xy[10:13, 5]).max() < 8


def test_an_outlier_is_rejected_and_refilled() -> None:
    xy, t = track()
    xy[30, 7] += (120, -80)  # one frame on the other leg
    out, _ = condition(xy, np.ones((len(t), 33)), t)
    assert np.linalg.norm(out[30, 7] - xy[29, 7]) < 10


def test_filter_removes_jitter_but_keeps_the_movement() -> None:
    clean, t = track(seed=1)
    noisy = clean + np.random.default_rng(2).normal(0, 3, clean.shape)
    out, _ = condition(noisy, np.ones((len(t), 33)), t, Conditioning(cutoff_hz=4))
    truth = 320 + 20 * np.sin(2 * np.pi * t)
    assert (
        np.abs(out[5:-5, :, 0] - truth[5:-5, None]).mean()
        < np.abs(noisy[5:-5, :, 0] - truth[5:-5, None]).mean() / 1.5
    )


def test_a_scene_cut_splits_the_filtering() -> None:
    xy, t = track()
    xy[45:] += (250, 0)  # the camera cuts to another shot
    out, cuts = condition(xy, np.ones((len(t), 33)), t)
    assert list(cuts) == [45]
    assert out[44, 0, 0] < 400 < out[45, 0, 0]  # no smear across the cut
    assert list(find_cuts(xy, 200.0, 0.5)) == [45]


def test_missing_person_stays_nan_never_zero() -> None:
    xy, t = track()
    xy[20:50] = np.nan
    vis = np.where(np.isnan(xy[..., 0]), 0.0, 1.0)
    out, _ = condition(xy, vis, t)
    assert np.isnan(out[20:50]).all() and not (out == 0).any()


def test_settings_are_validated() -> None:
    with pytest.raises(ValueError, match="min_visibility"):
        Conditioning(min_visibility=2)
    with pytest.raises(ValueError, match="order"):
        Conditioning(order=7)


def test_one_euro_smooths_rest_and_follows_motion() -> None:
    rng = np.random.default_rng(3)
    f = OneEuro(min_cutoff_hz=1.0, beta=0.05)
    rest = [f(np.array([100 + rng.normal(0, 2)]), i / 30)[0] for i in range(60)]
    assert np.std(rest[30:]) < 1.0
    moving = [f(np.array([100 + 300 * i / 30]), 2 + i / 30)[0] for i in range(30)]
    assert abs(moving[-1] - (100 + 300 * 29 / 30)) < 30  # lags little when fast
    assert np.isnan(f(np.array([np.nan]), 3.1)[0])
    assert f(np.array([5.0]), 3.2)[0] == 5.0  # restarts after a gap
