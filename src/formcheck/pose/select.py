"""Choosing the main person among the poses of a frame, consistently over time.

The first choice favours the biggest and most central person. After that,
continuity wins: every person seen is followed from frame to frame (same place,
same size, give or take how much time has passed), and the main person is the
one who continues the main track. Someone seen in the same frame as the main
person (a spotter walking through, a coach) is proven to be somebody else and
can never take over the main track, even when they pass in front of the
lifter. A main person missing for longer than ``reacquire_after_s`` is chosen
afresh among everybody not proven to be somebody else, so that a bad first
detection (a misplaced skeleton) cannot lock the real lifter out of the video.
Sooner than that, one body no smaller than the main person, followed for
``takeover_s`` and for longer than the main track had been, while the main
person was missing throughout, and never seen beside them, takes the main
track over: a small phone clip's lifter, whose first skeletons were misplaced
on the plates for a few frames, is then lost for half a second, not for two.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from formcheck.skeleton import INDEX

#: A body within this many times the continuity tolerances of the main track is
#: the main person's skeleton jumping, not somebody else (see ``_narrow_miss``).
NARROW_MISS = 2.0

_SHOULDERS = [INDEX["left_shoulder"], INDEX["right_shoulder"]]
_HIPS = [INDEX["left_hip"], INDEX["right_hip"]]


@dataclass(frozen=True)
class Body:
    """Where a pose is and how big it looks.

    Attributes:
        center: (2,) pixels, the mean of shoulders and hips.
        scale: Torso length in pixels (shoulder to hip, both sides averaged),
            at least a fifth of the whole pose's extent.
        box: (4,) pixels, ``x0, y0, x1, y1`` around all landmarks.
    """

    center: NDArray[np.float64]
    scale: float
    box: NDArray[np.float64]

    @classmethod
    def of(cls, xy: NDArray[np.floating]) -> Body:
        """Measure a (33, 2) pose in pixels."""
        shoulders = xy[_SHOULDERS].astype(np.float64)
        hips = xy[_HIPS].astype(np.float64)
        torso = float(np.mean(np.linalg.norm(shoulders - hips, axis=1)))
        extent = float(np.linalg.norm(np.ptp(xy, axis=0)))
        center = np.concatenate([shoulders, hips]).mean(axis=0)
        box = np.concatenate([xy.min(axis=0), xy.max(axis=0)]).astype(np.float64)
        # A torso seen end-on is short; the whole-body extent keeps scale sane.
        return cls(center=center, scale=max(torso, 0.2 * extent, 1.0), box=box)

    def overlap(self, other: Body) -> float:
        """Share of the smaller of the two boxes that lies inside the other one."""
        lo = np.maximum(self.box[:2], other.box[:2])
        hi = np.minimum(self.box[2:], other.box[2:])
        inter = float(np.prod(np.clip(hi - lo, 0, None)))
        areas = [float(np.prod(b.box[2:] - b.box[:2])) for b in (self, other)]
        return inter / max(min(areas), 1.0)


@dataclass(frozen=True)
class SelectionRules:
    """Tolerances of the continuity test, in torso lengths and seconds.

    Attributes:
        max_jump: Centre movement allowed between consecutive frames.
        max_speed: Extra centre movement allowed per second of gap, for gaps up
            to ``max_gap_growth_s``.
        max_resize: Allowed change of torso length, as |log(ratio)|, between frames.
        max_resize_rate: Extra allowed |log(ratio)| per second of gap (same cap).
        max_gap_growth_s: The tolerances stop growing after this gap, so a track
            unseen for a while does not swallow whoever appears anywhere.
        reacquire_after_s: A track unseen this long is forgotten.
        takeover_s: A body never seen beside the main person and no smaller
            (``max_resize``), followed this long, and longer than the main track
            had been, while the main person was missing, becomes the main
            person. It is as long as the main track's tolerance grows: a body
            the track has not taken back by then is no jump of the main
            person's skeleton.
        size_weight: Weight of size against centrality in a fresh choice.
        noise_px: Landmark jitter in pixels, added to both sizes before comparing
            them, so that a small, distant person's jitter is not taken for a jump.
        duplicate_overlap: Two poses of one frame whose boxes overlap this much
            (share of the smaller box) and whose centres are within
            ``duplicate_distance`` torso lengths are one person found twice; only
            the one that best continues the main track (else the bigger) is kept.
        duplicate_distance: See ``duplicate_overlap``.
    """

    max_jump: float = 0.25
    max_speed: float = 1.5
    max_resize: float = 0.2
    max_resize_rate: float = 0.5
    max_gap_growth_s: float = 0.5
    reacquire_after_s: float = 2.0
    takeover_s: float = 0.5
    size_weight: float = 0.6
    noise_px: float = 10.0
    duplicate_overlap: float = 0.7
    duplicate_distance: float = 0.6

    def __post_init__(self) -> None:
        positive = ("max_jump", "max_speed", "max_resize", "max_resize_rate", "max_gap_growth_s")
        if self.noise_px < 0:
            raise ValueError(f"noise_px must be >= 0, got {self.noise_px}")
        for name in (*positive, "reacquire_after_s", "takeover_s"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)}")
        if not 0 <= self.size_weight <= 1:
            raise ValueError(f"size_weight must be in [0, 1], got {self.size_weight}")
        if not 0 < self.duplicate_overlap <= 1:
            raise ValueError(f"duplicate_overlap must be in (0, 1], got {self.duplicate_overlap}")
        if self.duplicate_distance < 0:
            raise ValueError(f"duplicate_distance must be >= 0, got {self.duplicate_distance}")

    def same_person(self, a: Body, b: Body) -> bool:
        """Whether two poses of one frame are one person found twice."""
        scale = max(a.scale, b.scale) + self.noise_px
        near = float(np.linalg.norm(a.center - b.center)) <= self.duplicate_distance * scale
        return near and a.overlap(b) >= self.duplicate_overlap

    def cost(self, track: _Track, body: Body, t: float, slack: float = 1.0) -> float | None:
        """How well ``body`` at time ``t`` continues ``track``; None when it cannot.

        ``slack`` multiplies the tolerances.
        """
        dt = min(max(t - track.t, 0.0), self.max_gap_growth_s)
        scale, old_scale = body.scale + self.noise_px, track.body.scale + self.noise_px
        jump = float(np.linalg.norm(body.center - track.body.center)) / old_scale
        resize = abs(math.log(scale / old_scale))
        if jump > slack * (self.max_jump + self.max_speed * dt):
            return None
        if resize > slack * (self.max_resize + self.max_resize_rate * dt):
            return None
        return jump + resize


@dataclass(frozen=True)
class _Track:
    body: Body
    t: float
    proven: bool = False  # seen in the same frame as the main person
    since: float = math.nan  # followed since


class MainPersonSelector:
    """Keeps track of the main person (and everybody else) across frames.

    Args:
        frame_size: ``(width, height)`` of the frames in pixels.
        rules: Continuity tolerances.
    """

    def __init__(self, frame_size: tuple[int, int], rules: SelectionRules | None = None) -> None:
        self.rules = rules or SelectionRules()
        self._frame_center = np.array(frame_size, dtype=np.float64) / 2
        self._half_diag = float(np.linalg.norm(self._frame_center))
        self._main: _Track | None = None
        self._others: list[_Track] = []

    def reset(self) -> None:
        """Forget everybody: after a scene cut the main person is chosen afresh."""
        self._main = None
        self._others = []

    def follows(self, xy: NDArray[np.floating], t: float) -> bool:
        """Whether a (33, 2) pose at time ``t`` continues the main person's track."""
        return self._main is not None and self.rules.cost(self._main, Body.of(xy), t) is not None

    def choose(self, poses: Sequence[NDArray[np.floating]], t: float) -> int | None:
        """Pick the main person among ``poses`` (each (33, 2) pixels) at time ``t``.

        Returns:
            The index of the main person, or None when nobody continues the main
            track (the frame then counts as missing).
        """
        self._forget(t)
        bodies = [Body.of(xy) for xy in poses]
        kept = self._without_duplicates(bodies, t)
        tracks = ([self._main] if self._main else []) + self._others
        owner = self._assign(tracks, bodies, kept, t)
        first_other = 1 if self._main is not None else 0
        if self._main is not None:
            pick = next((b for b, k in owner.items() if k == 0), None)
            if pick is None:
                pick = self._takeover(owner, bodies, t)
        else:
            proven = {b for b, k in owner.items() if self._others[k].proven}
            pick = self._fresh_choice(bodies, [b for b in kept if b not in proven])
        others = {k - first_other: b for b, k in owner.items() if k >= first_other}
        seen_with_main = pick is not None
        self._others = [
            replace(track, body=bodies[others[k]], t=t, proven=track.proven or seen_with_main)
            if k in others
            else track
            for k, track in enumerate(self._others)
            if k not in others or others[k] != pick  # the main person is no other
        ]
        self._others += [
            _Track(bodies[i], t, seen_with_main, since=t)
            for i in kept
            if i not in owner and i != pick and not self._narrow_miss(bodies[i], t)
        ]
        if pick is not None:
            # Followed since: the main track's start, the taken-over track's, or now.
            k = owner.get(pick)
            since = t if k is None else tracks[k].since
            self._main = _Track(bodies[pick], t, since=since)
        return pick

    def _takeover(self, owner: dict[int, int], bodies: list[Body], t: float) -> int | None:
        """The body of the longest-followed other who may take the missing main track over.

        Not a smaller one: the misplaced skeletons the model finds on plates and
        feet are small, the lifter is not. Nor one followed for less time than
        the main track was: somebody walking in front of a lifter followed for a
        while waits for ``reacquire_after_s``, like anybody.
        """
        main = self._main
        assert main is not None  # track 0; the others follow it
        least = (main.body.scale + self.rules.noise_px) * math.exp(-self.rules.max_resize)
        ready = [
            (t - track.since, b)
            for b, k in owner.items()
            if k >= 1
            and not (track := self._others[k - 1]).proven
            and track.since > main.t
            and t - track.since >= max(self.rules.takeover_s, main.t - main.since)
            and bodies[b].scale + self.rules.noise_px >= least
        ]
        return max(ready)[1] if ready else None

    def _forget(self, t: float) -> None:
        horizon = self.rules.reacquire_after_s
        if self._main is not None and t - self._main.t > horizon:
            self._main = None
        self._others = [o for o in self._others if t - o.t <= horizon]

    def _narrow_miss(self, body: Body, t: float) -> bool:
        """Whether ``body`` just misses the main track: the main person's skeleton jumped.

        Such a body is not followed as somebody else, so the main track, whose
        tolerance grows while it is unseen, can take it back a few frames later.
        """
        main = self._main
        return main is not None and self.rules.cost(main, body, t, slack=NARROW_MISS) is not None

    def _without_duplicates(self, bodies: list[Body], t: float) -> list[int]:
        """Indices of ``bodies`` left once each person found twice is kept once."""

        def rank(i: int) -> tuple[float, float]:
            cost = self.rules.cost(self._main, bodies[i], t) if self._main else None
            return (math.inf if cost is None else cost, -bodies[i].scale)

        kept: list[int] = []
        for i in sorted(range(len(bodies)), key=rank):
            if not any(self.rules.same_person(bodies[i], bodies[j]) for j in kept):
                kept.append(i)
        return sorted(kept)

    def _assign(
        self, tracks: list[_Track], bodies: list[Body], kept: list[int], t: float
    ) -> dict[int, int]:
        """Greedy matching of bodies to tracks, best continuation first: {body: track}."""
        pairs = []
        for k, track in enumerate(tracks):
            for b in kept:
                cost = self.rules.cost(track, bodies[b], t)
                if cost is not None:
                    pairs.append((cost, k, b))
        owner: dict[int, int] = {}
        for _, k, b in sorted(pairs):
            if b not in owner and k not in owner.values():
                owner[b] = k
        return owner

    def _fresh_choice(self, bodies: Sequence[Body], eligible: Sequence[int]) -> int | None:
        if not eligible:
            return None
        biggest = max(bodies[i].scale for i in eligible)
        w = self.rules.size_weight

        def score(i: int) -> float:
            b = bodies[i]
            off_center = float(np.linalg.norm(b.center - self._frame_center)) / self._half_diag
            return w * b.scale / biggest + (1 - w) * (1 - min(off_center, 1.0))

        return max(eligible, key=score)
