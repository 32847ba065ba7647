"""Conditioning of raw landmark tracks: gate, reject outliers, fill short gaps, filter.

The stages: a visibility gate, outlier rejection against a running median,
linear interpolation of short gaps only, and a zero-phase low-pass applied per
contiguous valid run, never across a scene cut. Missing data stays NaN
throughout; nothing is ever set to 0.

For live use, :class:`OneEuro` is a causal filter of the same tracks.
"""

from __future__ import annotations

import itertools
import math
import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import median_filter
from scipy.signal import butter, sosfiltfilt

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class Conditioning:
    """Settings of :func:`condition`; the defaults were chosen from measurements.

    Attributes:
        min_visibility: Landmarks the model rates below this are treated as missing.
        max_gap_s: Gaps up to this long are interpolated; longer ones stay NaN.
        outlier_window_s: Width of the running median that outliers are judged against.
        outlier_scale: A point is an outlier when it is further than this many body
            scales (see ``body_scale``) from the running median.
        cutoff_hz: Cut-off of the zero-phase Butterworth low-pass; 0 turns it off.
        order: Order of that filter (applied forwards and backwards, so doubled).
        cut_jump: A frame where the median landmark moves more than this many body
            scales is treated as a scene cut: filtering never crosses it.
    """

    min_visibility: float = 0.5
    max_gap_s: float = 0.25
    outlier_window_s: float = 0.3
    outlier_scale: float = 0.25
    cutoff_hz: float = 6.0
    order: int = 2
    cut_jump: float = 0.5

    def __post_init__(self) -> None:
        if not 0 <= self.min_visibility <= 1:
            raise ValueError(f"min_visibility must be in [0, 1], got {self.min_visibility}")
        for name in ("max_gap_s", "outlier_window_s", "outlier_scale", "cutoff_hz", "cut_jump"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        if self.order not in (1, 2, 3, 4):
            raise ValueError(f"order must be 1-4, got {self.order}")


def runs(valid: BoolArray) -> list[tuple[int, int]]:
    """Half-open ``(start, stop)`` index ranges of the True runs in a 1-D mask."""
    padded = np.concatenate(([False], valid, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def segments(n: int, cuts: NDArray[np.intp]) -> list[tuple[int, int]]:
    """Half-open frame ranges between scene cuts (a cut index starts a new segment)."""
    bounds = [0, *(int(c) for c in cuts if 0 < c < n), n]
    return [(a, b) for a, b in itertools.pairwise(bounds) if b > a]


def body_scale(xy: NDArray[np.floating]) -> float:
    """A robust size of the person in pixels: the median shoulder-to-ankle distance.

    Args:
        xy: (T, 33, 2) landmarks, NaN where missing.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN frames: no person
        shoulders = np.nanmean(xy[:, 11:13], axis=1)
        ankles = np.nanmean(xy[:, 27:29], axis=1)
        sizes = np.linalg.norm(shoulders - ankles, axis=-1)
    sizes = sizes[np.isfinite(sizes)]
    return float(np.median(sizes)) if len(sizes) else float("nan")


def find_cuts(xy: NDArray[np.floating], scale: float, jump: float) -> NDArray[np.intp]:
    """Frames that start a new shot: the whole skeleton jumps between two frames.

    Args:
        xy: (T, 33, 2) landmarks, NaN where missing.
        scale: Body scale in pixels (see :func:`body_scale`).
        jump: Median landmark displacement, in body scales, that marks a cut.

    Returns:
        Sorted indices ``i`` such that frame ``i`` is the first of a new shot.
    """
    if len(xy) < 2 or not np.isfinite(scale):
        return np.zeros(0, np.intp)
    step = np.linalg.norm(np.diff(xy, axis=0), axis=-1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN frames: no person
        moved = np.nanmedian(step, axis=1)
    return np.flatnonzero(moved > jump * scale) + 1


def _reject_outliers(
    track: FloatArray, window: int, limit: float, cuts: NDArray[np.intp]
) -> FloatArray:
    """NaN where a (T, 2) track is further than ``limit`` px from its running median."""
    out = track.copy()
    for a, b in segments(len(track), cuts):
        for start, stop in runs(np.isfinite(track[a:b, 0])):
            piece = track[a + start : a + stop]
            if len(piece) < 3:
                continue
            size = min(window, len(piece) - (len(piece) + 1) % 2)
            med = median_filter(piece, size=(size, 1), mode="nearest")
            far = np.linalg.norm(piece - med, axis=-1) > limit
            out[a + start : a + stop][far] = np.nan
    return out


def _fill_gaps(track: FloatArray, t: FloatArray, max_gap_s: float) -> FloatArray:
    """Linearly interpolate interior NaN gaps of a (T, k) track no longer than max_gap_s."""
    out = track.copy()
    valid = np.isfinite(track[:, 0])
    good = np.flatnonzero(valid)
    for start, stop in runs(~valid):
        if start == 0 or stop == len(track):
            continue
        if t[stop] - t[start - 1] > max_gap_s + 1e-9:
            continue
        for k in range(track.shape[1]):
            out[start:stop, k] = np.interp(t[start:stop], t[good], track[good, k])
    return out


def _lowpass(track: FloatArray, fps: float, cutoff_hz: float, order: int) -> FloatArray:
    """Zero-phase Butterworth low-pass of each contiguous finite run of a (T, k) track."""
    if cutoff_hz <= 0 or cutoff_hz >= fps / 2:
        return track
    sos = butter(order, cutoff_hz, fs=fps, output="sos")
    out = track.copy()
    for start, stop in runs(np.isfinite(track[:, 0])):
        if stop - start < 4:
            continue
        padlen = min(3 * (2 * len(sos) + 1), stop - start - 1)
        out[start:stop] = sosfiltfilt(sos, track[start:stop], axis=0, padlen=padlen)
    return out


def condition(
    xy: NDArray[np.floating],
    visibility: NDArray[np.floating],
    t: NDArray[np.floating],
    settings: Conditioning | None = None,
) -> tuple[FloatArray, NDArray[np.intp]]:
    """Clean raw landmark tracks for analysis of a recorded video.

    Args:
        xy: (T, 33, 2) pixels, NaN where no person.
        visibility: (T, 33) the model's visibility scores.
        t: (T,) timestamps in seconds, increasing.
        settings: Conditioning settings (defaults when None).

    Returns:
        ``(xy, cuts)``: the conditioned (T, 33, 2) float64 landmarks, NaN where data
        is missing or unreliable, and the frame indices that start a new shot.
    """
    settings = settings or Conditioning()
    times = np.asarray(t, np.float64)
    gated = np.array(xy, np.float64)
    gated[np.asarray(visibility) < settings.min_visibility] = np.nan
    scale = body_scale(gated)
    cuts = find_cuts(gated, scale, settings.cut_jump)
    if not np.isfinite(scale):
        return gated, cuts
    fps = 1.0 / float(np.median(np.diff(times))) if len(times) > 1 else 30.0
    window = max(3, round(settings.outlier_window_s * fps) | 1)
    limit = settings.outlier_scale * scale
    out = np.empty_like(gated)
    for j in range(gated.shape[1]):
        track = _reject_outliers(gated[:, j], window, limit, cuts)
        pieces = []
        for a, b in segments(len(times), cuts):
            piece = _fill_gaps(track[a:b], times[a:b], settings.max_gap_s)
            pieces.append(_lowpass(piece, fps, settings.cutoff_hz, settings.order))
        out[:, j] = np.concatenate(pieces) if pieces else track
    return out, cuts


class OneEuro:
    """Causal One Euro filter (Casiez, Roussel and Vogel, CHI 2012) for live tracks.

    Low speed gets a low cut-off (little jitter); high speed raises it (little lag).
    NaN input resets the filter for the affected values and passes NaN through.

    Args:
        min_cutoff_hz: Cut-off at rest.
        beta: How fast the cut-off rises with speed (per unit of the signal per s).
        d_cutoff_hz: Cut-off of the speed estimate itself.
    """

    def __init__(self, min_cutoff_hz: float = 1.0, beta: float = 0.05, d_cutoff_hz: float = 1.0):
        if min_cutoff_hz <= 0 or d_cutoff_hz <= 0 or beta < 0:
            raise ValueError("cut-offs must be > 0 and beta >= 0")
        self.min_cutoff_hz = min_cutoff_hz
        self.beta = beta
        self.d_cutoff_hz = d_cutoff_hz
        self._x: FloatArray | None = None
        self._dx: FloatArray | None = None
        self._t = -math.inf

    @staticmethod
    def _alpha(cutoff: FloatArray | float, dt: float) -> FloatArray:
        tau = 1.0 / (2 * math.pi * np.asarray(cutoff, np.float64))
        return np.asarray(1.0 / (1.0 + tau / dt))

    def __call__(self, x: NDArray[np.floating], t: float) -> FloatArray:
        """Filter the sample ``x`` (any shape, fixed across calls) taken at time ``t`` (s)."""
        sample = np.asarray(x, np.float64)
        if self._x is None or self._dx is None or t <= self._t:
            self._x, self._dx, self._t = sample.copy(), np.zeros_like(sample), t
            return sample.copy()
        dt = t - self._t
        fresh = ~np.isfinite(self._x)
        dx = np.where(fresh, 0.0, (sample - self._x) / dt)
        a_d = self._alpha(self.d_cutoff_hz, dt)
        self._dx = np.where(fresh, 0.0, self._dx + a_d * (dx - self._dx))
        a = self._alpha(self.min_cutoff_hz + self.beta * np.abs(self._dx), dt)
        self._x = np.where(fresh, sample, self._x + a * (sample - self._x))
        self._t = t
        return self._x.copy()
