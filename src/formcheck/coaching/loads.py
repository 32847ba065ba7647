"""Training loads: what a user types, and the loads a gym really has."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import numpy as np

from formcheck.errors import FormcheckError

Unit = Literal["kg", "lb"]
Equipment = Literal["barbell", "kettlebell", "dumbbell"]


class LoadError(FormcheckError):
    """A load the user typed cannot be read."""


@dataclass(frozen=True)
class Load:
    """A load as the lifter would pick it: barbell total, one kettlebell, dumbbell per hand."""

    value: float
    unit: Unit

    def __post_init__(self) -> None:
        if not (np.isfinite(self.value) and self.value > 0):
            raise ValueError(f"a load must be a positive number, not {self.value}")
        if self.unit not in ("kg", "lb"):
            raise ValueError(f"a load's unit is kg or lb, not {self.unit!r}")

    def __str__(self) -> str:
        return f"{self.value:g} {self.unit}"


_LOAD = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(kg|kgs|lb|lbs)\s*", re.IGNORECASE)


def parse_load(text: str) -> Load:
    """``"100kg"``, ``"102.5 kg"``, ``"225lb"`` or ``"225 lbs"`` as a :class:`Load`.

    Raises:
        LoadError: Not a positive number followed by kg or lb.
    """
    found = _LOAD.fullmatch(text)
    if found is None or float(found[1]) <= 0:
        raise LoadError(f"--load {text!r}: give a positive number and kg or lb, e.g. 100kg, 225lb")
    unit: Unit = "kg" if found[2].lower().startswith("kg") else "lb"
    return Load(float(found[1]), unit)


def _steps(first: float, last: float, step: float) -> tuple[float, ...]:
    return tuple(float(v) for v in np.arange(first, last + step / 2, step))


#: The loads each kind of equipment comes in. A barbell is the bar (20 kg, 45 lb)
#: plus pairs of the smallest common plate (1.25 kg, 2.5 lb); kettlebells in the
#: usual 2 kg (5 lb) steps, wider for the heavy bells; dumbbells as racks hold them.
LOADS: dict[Equipment, dict[Unit, tuple[float, ...]]] = {
    "barbell": {"kg": _steps(20, 500, 2.5), "lb": _steps(45, 1100, 5)},
    "kettlebell": {
        "kg": (*_steps(4, 28, 2), 32, 36, 40, 44, 48),
        "lb": (*_steps(10, 60, 5), 70, 80, 90, 100),
    },
    "dumbbell": {"kg": (*_steps(1, 10, 1), *_steps(12.5, 60, 2.5)), "lb": _steps(5, 150, 5)},
}


def step(load: Load, change_pct: float, equipment: Equipment) -> Load:
    """The real load nearest ``change_pct`` % away, at least one step in that direction.

    At the end of the range (the empty bar, the heaviest bell) the load stays as it is.
    """
    if change_pct == 0:
        return load
    options = np.asarray(LOADS[equipment][load.unit])
    target = load.value * (1 + change_pct / 100)
    beyond = options[options > load.value] if change_pct > 0 else options[options < load.value]
    if not len(beyond):
        return load
    return Load(float(beyond[np.argmin(np.abs(beyond - target))]), load.unit)


def change_pct(before: Load, after: Load) -> float:
    """The change from ``before`` to ``after`` in per cent, to 0.1."""
    return round(100 * (after.value / before.value - 1), 1)
