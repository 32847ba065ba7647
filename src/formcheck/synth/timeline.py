"""Key poses on a timeline, eased between, sampled at the clip's frame rate."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Key:
    """The controllable angles of an exercise at one instant (degrees).

    Attributes:
        knee: Knee angle, hip-knee-ankle (180 = straight).
        hip: Hip angle, shoulder-hip-knee (180 = straight; more = extended past).
        spine: Spine flexion (+ rounds the back).
        arm: World angle of the upper arms from vertical-down (+ forward).
        elbow: Elbow flexion.
        neck: Neck flexion.
        sag: Plank hip sag (+) or pike (-).
        free: Single-leg stance: how far the free (right) thigh swings back behind
            the stance thigh; 0 keeps both legs together.
        free_bend: Knee flexion of the free leg beyond the stance knee's (- = straighter).
        reach: How far (m) the grip sits ahead of mid-foot, standing with a bar.
        held: Whether the prop moves with the hands.
    """

    knee: float = 178.0
    hip: float = 179.0
    spine: float = 2.0
    arm: float = 0.0
    elbow: float = 5.0
    neck: float = 0.0
    sag: float = 0.0
    free: float = 0.0
    free_bend: float = 0.0
    reach: float = 0.0
    held: bool = False


ANGLES = ("knee", "hip", "spine", "arm", "elbow", "neck", "sag", "free", "free_bend", "reach")


@dataclass(frozen=True)
class Moment:
    """What happens in one frame."""

    key: Key
    phase: str  # "prelude", "set" or "rest"
    rep: int  # 1-based rep index while a rep is under way, else 0


@dataclass
class Timeline:
    """Builds a clip as a sequence of eased moves and holds.

    ``lead`` in :meth:`move` makes an angle arrive early (exponent < 1) or late
    (> 1), e.g. knees that extend before the hips.
    """

    start: Key
    segments: list[tuple[float, Key, str, int, dict[str, float], str]] = field(default_factory=list)
    marks: dict[str, list[float]] = field(default_factory=dict)

    @property
    def now(self) -> float:
        """Seconds up to the end of the last segment."""
        return sum(s[0] for s in self.segments)

    @property
    def last(self) -> Key:
        """The key the timeline ends on."""
        return self.segments[-1][1] if self.segments else self.start

    def mark(self, name: str) -> None:
        """Remember the current time under ``name`` (e.g. "rep_start")."""
        self.marks.setdefault(name, []).append(self.now)

    def move(
        self,
        seconds: float,
        phase: str,
        rep: int = 0,
        lead: dict[str, float] | None = None,
        to: Key | None = None,
        ease: str = "both",
        **changes: float | bool,
    ) -> None:
        """Ease from the current key to ``to``'s angles (keeping the grip) with ``changes``.

        ``ease`` says where the move is slow: at ``both`` ends, only where it
        starts (``in``) or ends (``out``), or at ``none`` (a move through a key
        without stopping chains ``in``, ``none``..., ``out``).
        """
        if ease not in EASES:
            raise ValueError(f"unknown ease {ease!r}; choose from {', '.join(EASES)}")
        key = self.last
        if to is not None:
            key = dataclasses.replace(to, held=key.held)
        key = dataclasses.replace(key, **changes)  # type: ignore[arg-type]
        self.segments.append((seconds, key, phase, rep, lead or {}, ease))

    def hold(self, seconds: float, phase: str, rep: int = 0) -> None:
        """Stay still."""
        self.segments.append((seconds, self.last, phase, rep, {}, "both"))

    def sample(self, fps: float) -> list[Moment]:
        """One moment per frame, frame ``i`` at ``i / fps`` seconds."""
        out = []
        n = int(np.floor(self.now * fps + 1e-9))
        ends = np.cumsum([s[0] for s in self.segments])
        for i in range(n):
            t = i / fps
            k = min(int(np.searchsorted(ends, t, side="right")), len(self.segments) - 1)
            seconds, key, phase, rep, lead, ease = self.segments[k]
            begin = self.segments[k - 1][1] if k else self.start
            u = (t - (ends[k] - seconds)) / seconds if seconds > 0 else 1.0
            out.append(Moment(_ease(begin, key, u, lead, EASES[ease]), phase, rep))
        return out

    def frame_of(self, name: str, fps: float) -> list[int]:
        """Frame indices of the marks called ``name``."""
        return [round(t * fps) for t in self.marks.get(name, [])]


#: Easing curves over u in [0, 1]: where a move goes slowly.
EASES: dict[str, Callable[[float], float]] = {
    "both": lambda u: 0.5 - 0.5 * np.cos(np.pi * u),
    "in": lambda u: 1.0 - np.cos(np.pi * u / 2),
    "out": lambda u: np.sin(np.pi * u / 2),
    "none": lambda u: u,
}


def _ease(a: Key, b: Key, u: float, lead: dict[str, float], curve: Callable[[float], float]) -> Key:
    values = {}
    for name in ANGLES:
        w = curve(float(np.clip(u, 0.0, 1.0)) ** lead.get(name, 1.0))
        values[name] = getattr(a, name) + (getattr(b, name) - getattr(a, name)) * w
    return Key(**values, held=b.held if u > 0 else a.held)
