"""What each frame of an annotated video shows, laid out from a report; no measuring here.

Every number comes from the :class:`~formcheck.report.SetReport` and its
:class:`~formcheck.track.Track`; this module only picks which to show when.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from formcheck import angles
from formcheck.checks import check_of
from formcheck.exercises import EXERCISES
from formcheck.holds import Hold
from formcheck.report import Fault, RepResult, SetReport
from formcheck.track import Track

Tone = Literal["good", "check", "fix"]
#: The chain drawn for the checked side, joint to joint.
CHAIN = (
    "ear",
    "shoulder",
    "elbow",
    "wrist",
    "shoulder",
    "hip",
    "knee",
    "ankle",
    "heel",
    "foot_index",
)
#: Channels read out on screen at most.
READOUTS = 3
UNITS = {"deg": "°", "% leg": "% leg", "cm": " cm"}


@dataclass(frozen=True)
class Banner:
    """A verdict across the frame: its text and tone."""

    text: str
    tone: Tone


@dataclass(frozen=True)
class Overlay:
    """What one frame shows.

    Attributes:
        chain: (K, 2) pixel points of the checked side, joint to joint (NaN: unseen).
        guide: (2, 2) the straight line to show next to the body, or None.
        readouts: Lines like ``trunk 34°``.
        counter: The rep counter or the hold timer.
        banner: The last verdict, or None.
    """

    chain: NDArray[np.float64]
    guide: NDArray[np.float64] | None
    readouts: tuple[str, ...]
    counter: str
    banner: Banner | None


def tone(rep: RepResult) -> Tone:
    """``fix`` for a major fault, ``check`` for a minor one, else ``good``."""
    if any(f.severity == "major" for f in rep.faults):
        return "fix"
    return "check" if rep.faults else "good"


class Overlays:
    """The overlay of every frame of an analysed set."""

    def __init__(self, report: SetReport) -> None:
        if report.track is None:
            raise ValueError("the report has no track: analyze the set with this formcheck")
        self.report, self.track = report, report.track
        self._chain = np.stack([_point(self.track, name) for name in CHAIN], axis=1)
        self._guide = _guides(self.track)

    def __len__(self) -> int:
        return len(self.track.t)

    def at(self, i: int, verdict_of: RepResult | None = None) -> Overlay:
        """The overlay of frame ``i`` of the track.

        The banner shows the verdict of the last rep finished, or of ``verdict_of``
        (a still picture of a rep shows that rep's verdict).
        """
        t = float(self.track.t[i])
        if self.report.holds or EXERCISES[self.report.exercise].pattern is None:
            counter, banner = self._hold_state(t)
        else:
            counter, banner = self._rep_state(t)
            if verdict_of is not None:
                banner = rep_banner(verdict_of, self.report.exercise, self.report.thresholds)
        return Overlay(self._chain[i], self._guide[i], self._readouts(i), counter, banner)

    def _readouts(self, i: int) -> tuple[str, ...]:
        out = []
        for channel in self.track.channels[:READOUTS]:
            value = channel.values[i]
            if math.isfinite(value):
                name = channel.name.replace("_", " ")
                out.append(f"{name} {value:.0f}{UNITS.get(channel.unit, channel.unit)}")
        return tuple(out)

    def _rep_state(self, t: float) -> tuple[str, Banner | None]:
        reps = self.report.reps
        inside = next((r for r in reps if r.start_s <= t <= r.end_s), None)
        done = [r for r in reps if r.end_s <= t]
        counter = (
            f"rep {inside.index} of {len(reps)}" if inside else f"{len(done)} of {len(reps)} reps"
        )
        if not done:
            return counter, None
        return counter, rep_banner(done[-1], self.report.exercise, self.report.thresholds)

    def _hold_state(self, t: float) -> tuple[str, Banner | None]:
        holds = self.report.holds
        started = [(n, h) for n, h in enumerate(holds, 1) if h.start_s <= t]
        if not started:
            return "no hold yet", None
        number, hold = started[-1]
        if t > hold.end_s:
            held = f"hold {number}: {hold.duration_s:.1f} s, {hold.good_form_s:.1f} s in line"
            return held, None
        return f"hold {number}: {t - hold.start_s:.1f} s", _hold_banner(hold, t, self.report)


def rep_banner(rep: RepResult, exercise: str, thresholds: dict[str, float]) -> Banner:
    """The verdict of a rep, with its worst fault against its line and the cue."""
    if not rep.faults:
        return Banner(f"rep {rep.index}: good", "good")
    worst = worst_fault(rep)
    check = check_of(exercise, worst.code)
    unit = UNITS.get(worst.unit, worst.unit)
    told = check.cue.split(":")[0]
    text = (
        f"rep {rep.index}: {tone(rep)} - {check.label} {worst.value:.0f}{unit} "
        f"(line {check.sign}{thresholds.get(worst.code, worst.threshold):.0f}{unit}) - {told}"
    )
    return Banner(text, tone(rep))


def worst_fault(rep: RepResult) -> Fault:
    """The rep's fault to show: a major one first, then the one furthest past its line."""
    return max(rep.faults, key=lambda f: (f.severity == "major", abs(f.value - f.threshold)))


def _hold_banner(hold: Hold, t: float, report: SetReport) -> Banner:
    now = next((i for i in hold.faults if i.start_s <= t <= i.end_s), None)
    if now is None:
        return Banner("in line", "good")
    cue = EXERCISES[report.exercise].cues[now.code].split(":")[0]
    text = (
        f"{now.code.replace('_', ' ')}: {now.value_deg:+.0f}° at worst "
        f"(line {now.threshold_deg:+.0f}°) - {cue}"
    )
    return Banner(text, "fix" if now.severity == "major" else "check")


def _point(track: Track, name: str) -> NDArray[np.float64]:
    return angles.point(track.xy, name, track.side)  # type: ignore[arg-type]


def _guides(track: Track) -> NDArray[np.float64]:
    """(T, 2, 2) the guide line per frame: vertical through the hips, or the body line."""
    shoulder, hip = _point(track, "shoulder"), _point(track, "hip")
    if track.guide == "vertical":
        reach = np.linalg.norm(shoulder - hip, axis=-1, keepdims=True) * 1.1
        up = hip - reach * np.array([0.0, 1.0])
        return np.stack([up, hip + 0.4 * (hip - up)], axis=1)
    end = _point(track, track.guide)
    return np.stack([shoulder, end], axis=1)
