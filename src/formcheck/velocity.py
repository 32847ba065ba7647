"""Velocity loss over a set: how much the lifter's concentric speed fell, rep by rep.

Pareja-Blanco et al. (2017) measure it with a linear transducer on the bar as the
fall of the mean propulsive velocity from the fastest rep. Here the speed is a
proxy read off the pose, per rep, at its fastest in the concentric phase.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from formcheck.report import RepResult

#: Per-rep concentric speed proxy of each rep exercise: the bar hangs from the
#: shoulders, a swing is driven by the trunk snapping upright, a bridge by the hips.
SPEED_METRICS = {
    "deadlift": "peak_shoulder_speed_leg_per_s",
    "rdl": "peak_shoulder_speed_leg_per_s",
    "good_morning": "peak_shoulder_speed_leg_per_s",
    "single_leg_rdl": "peak_shoulder_speed_leg_per_s",
    "kb_swing": "peak_trunk_extension_deg_per_s",
    "glute_bridge": "peak_hip_speed_leg_per_s",
}
#: Velocity loss is measured on sets of at least this many reps.
MIN_REPS_FOR_SPEED = 3


@dataclass(frozen=True)
class VelocityLoss:
    """How much the concentric speed proxy fell over a set (Pareja-Blanco et al. 2017).

    Attributes:
        by_rep: Per full rep, per cent below the faster of the first two reps.
        pct: The last rep's loss.
    """

    by_rep: tuple[float, ...]

    @property
    def pct(self) -> float:
        """The loss at the last rep, per cent."""
        return self.by_rep[-1]

    def reps_before(self, cap_pct: float) -> int:
        """How many reps came before the loss first reached ``cap_pct``."""
        return next((i for i, v in enumerate(self.by_rep) if v >= cap_pct), len(self.by_rep))


def velocity_loss(speeds: Sequence[float]) -> VelocityLoss | None:
    """The loss of speed over a set's reps; None for short sets or unmeasured reps."""
    if len(speeds) < MIN_REPS_FOR_SPEED or not all(math.isfinite(v) and v > 0 for v in speeds):
        return None
    best = max(speeds[:2])
    return VelocityLoss(tuple(100 * (1 - v / best) for v in speeds))


def of_reps(exercise: str, reps: Sequence[RepResult]) -> VelocityLoss | None:
    """The velocity loss of a set's full reps (None: no speed proxy for the exercise)."""
    metric = SPEED_METRICS.get(exercise)
    if metric is None:
        return None
    return velocity_loss([r.metrics.get(metric, math.nan) for r in reps])
