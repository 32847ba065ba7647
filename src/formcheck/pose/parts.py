"""Fast mode's other half: one video's poses estimated in parts, one thread per core.

The pose model keeps one core busy (measured: 1.01 s of CPU a second of wall
time), so on a machine with two cores, half of it waits during the pose stage.
With ``--fast`` the video is cut into as many parts as there are cores, and
each part is estimated in its own thread, with its own landmarkers.

Each part after the first also estimates :data:`OVERLAP_S` seconds before its
own start. By then its tracker has found the person, and the overlap shows
whether both parts follow the same one: joined, the series change trackers
mid-video, never people. When two parts disagree (several people in view, and
the fresh choice went another way), :func:`join` says so and the caller
estimates the video in one piece.

This module plans and joins; the threads are the pipeline's.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

import numpy as np

from formcheck.pose.stride import JOINTS, SEEN
from formcheck.series import PoseSeries

#: Seconds each part after the first estimates before its own start.
OVERLAP_S = 1.0
#: The shortest part worth a thread of its own (it also does the overlap).
MIN_PART_S = 3.0
#: Seconds of video the first part does beyond the others: they all start
#: together, and the others also cover the overlap.
HEAD_START_S = OVERLAP_S
#: Two parts follow the same person when, in the overlap, their joints lie this
#: close (median, in lengths of the body); a second person stands further off.
SAME_PERSON = 0.15


def plan(duration_s: float, parts: int) -> list[tuple[float, float | None]]:
    """``(start, end)`` of each part's own frames; one part when they would be too short.

    The last part ends with the video (None). The first part is longer by
    :data:`HEAD_START_S`, so that all of them finish at about the same time.
    """
    length = (duration_s - HEAD_START_S) / max(parts, 1)
    if parts < 2 or length < MIN_PART_S:
        return [(0.0, None)]
    cuts = [HEAD_START_S + length * k for k in range(1, parts)]
    return list(zip([0.0, *cuts], [*cuts, None], strict=True))


def join(pieces: list[PoseSeries], starts: list[float]) -> PoseSeries | None:
    """The pieces as one series, each from its own start on; None if two disagree.

    ``pieces[k]`` covers ``starts[k] - OVERLAP_S`` on (``starts[0]`` on for the
    first) up to the next piece's start, that frame perhaps included.
    """
    for before, piece, start in zip(pieces, pieces[1:], starts[1:], strict=False):
        if not _same_person(before, piece, start):
            return None
    ends = [*starts[1 : len(pieces)], np.inf]
    return _concatenate([_within(p, a, b) for p, a, b in zip(pieces, starts, ends, strict=False)])


def _same_person(before: PoseSeries, after: PoseSeries, start: float) -> bool:
    """Whether ``after``'s frames up to ``start`` show the person ``before`` follows."""
    ours = before.t >= start - OVERLAP_S - 1e-6
    theirs = after.t < start - 1e-6
    t, a, b = np.intersect1d(before.t[ours], after.t[theirs], return_indices=True)
    if not len(t):
        return True
    xy_a = before.xy[ours][a][:, list(JOINTS)]
    xy_b = after.xy[theirs][b][:, list(JOINTS)]
    seen = (before.visibility[ours][a][:, list(JOINTS)] >= SEEN) & (
        after.visibility[theirs][b][:, list(JOINTS)] >= SEEN
    )
    gaps = []
    for frame in range(len(t)):
        both = seen[frame]
        if both.sum() < 2:
            continue
        size = float(np.ptp(xy_a[frame][both], axis=0).max())
        apart = np.linalg.norm(xy_a[frame][both] - xy_b[frame][both], axis=1)
        gaps.append(float(np.median(apart)) / max(size, 1.0))
    return not gaps or float(np.median(gaps)) <= SAME_PERSON


def _within(series: PoseSeries, start: float, end: float) -> PoseSeries:
    """The frames of ``series`` from ``start`` on, before ``end``."""
    keep = (series.t >= start - 1e-6) & (series.t < end - 1e-6)
    kept: dict[str, Any] = {name: array[keep] for name, array in _arrays(series).items()}
    return replace(series, **kept)


def _concatenate(pieces: list[PoseSeries]) -> PoseSeries:
    """One series of ``pieces`` estimated alike (the same arrays present), in order."""
    arrays = [_arrays(p) for p in pieces]
    joined: dict[str, Any] = {name: np.concatenate([a[name] for a in arrays]) for name in arrays[0]}
    return replace(pieces[0], **joined)


def _arrays(series: PoseSeries) -> dict[str, Any]:
    """The per-frame arrays ``series`` has."""
    values = {f.name: getattr(series, f.name) for f in fields(series)}
    return {name: v for name, v in values.items() if isinstance(v, np.ndarray)}
