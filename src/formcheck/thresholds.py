"""Fault thresholds: one table, three profiles, optional user overrides from TOML.

Profiles: ``beginner`` flags only clear faults, ``standard`` is the default,
``strict`` flags smaller deviations (for coaches who want everything). The
table says where each value comes from. No published degree thresholds exist
for most of these checks (see DESIGN.md), so the values sit between the
clean and faulty reps of labelled clips (synthetic, rendered with exact angles,
and real, labelled by eye), with the measurement error of the pose model in
mind; they are not fitted to any single clip.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from formcheck.errors import FormcheckError

PROFILES = ("beginner", "standard", "strict")
Profile = Literal["beginner", "standard", "strict"]


class ConfigError(FormcheckError):
    """A thresholds file is unreadable or names something that does not exist."""


@dataclass(frozen=True)
class Limit:
    """One threshold in its three profiles.

    Attributes:
        beginner: The most lenient value (fewest faults).
        standard: The default.
        strict: The least lenient value.
        source: Where the value comes from.
    """

    beginner: float
    standard: float
    strict: float
    source: str

    def value(self, profile: Profile) -> float:
        """The threshold under ``profile``."""
        return float(getattr(self, profile))


_SQUAT = (
    "Trunk angle from vertical at the bottom. Hinges tip the trunk well forward "
    "(deadlift lift-off ~50-75 deg, RDL and good morning ~70-90 deg); squat-pattern "
    "starts keep it near 25-45 deg (synthetic corpus: clean deadlift 69-74, squat "
    "pattern 39-43; knee-dominant RDL 54-58 vs clean 85-94; real bichraix good005 26-41)."
)
_LOCKOUT = (
    "Trunk angle still forward of vertical at the most upright moment of the top. "
    "The hip landmark is often hidden by the plates, which biases the hip angle "
    "10-18 deg low when standing; the trunk line is steadier. Synthetic incomplete "
    "lockouts stop 20 deg short; clean tops measure 0-6 deg."
)
_LEAN = (
    "Trunk angle behind vertical at the top. The synthetic corpus labels >= 12 deg "
    "and calls 6-12 deg borderline; the pose model's trunk error is 3-7 deg."
)
_HIPS = (
    "How far the trunk tips further forward early in the pull (first 40 % of the "
    "rise). In a good pull the back angle holds or rises as the bar leaves the floor; "
    "real bichraix good005 tips 26 -> 41 deg (15 deg) with the hips shooting up."
)
_DRIFT = (
    "Largest horizontal distance of the hands (the bar) from mid-foot during the "
    "rise, in % of leg length. A bar over mid-foot is the textbook path; 15 % is "
    "about 13 cm for an 85 cm leg."
)
_FREE_LEG = (
    "Single-leg RDL: bend between the trunk line and the free leg at the bottom; "
    "the seeds' cue is a straight line from head to the raised heel."
)
_BALANCE = (
    "Single-leg RDL: lowest height of the free foot above the standing foot from the "
    "rep's start to the next rep, in cm from the model's 3-D landmarks; both feet on "
    "the floor measure 0-3 cm, a foot held up 12 cm or more (synthetic set-ups and "
    "touch-downs)."
)

#: exercise -> fault code -> limit. The one source of truth for thresholds.
TABLE: dict[str, dict[str, Limit]] = {
    "deadlift": {
        "squat_pattern": Limit(40, 45, 50, _SQUAT),
        "incomplete_lockout": Limit(20, 15, 10, _LOCKOUT),
        "lean_back": Limit(15, 10, 7, _LEAN),
        "hips_rise_first": Limit(15, 10, 7, _HIPS),
        "bar_drift": Limit(20, 15, 10, _DRIFT),
    },
    "rdl": {
        "squat_pattern": Limit(55, 60, 65, _SQUAT),
        "incomplete_lockout": Limit(20, 15, 10, _LOCKOUT),
        "bar_drift": Limit(20, 15, 10, _DRIFT),
    },
    "good_morning": {
        "squat_pattern": Limit(55, 60, 65, _SQUAT),
        "incomplete_lockout": Limit(20, 15, 10, _LOCKOUT),
    },
    "single_leg_rdl": {
        "squat_pattern": Limit(55, 60, 65, _SQUAT),
        "incomplete_lockout": Limit(20, 15, 10, _LOCKOUT),
        "free_leg_line": Limit(35, 25, 15, _FREE_LEG),
        "lost_balance": Limit(3, 5, 8, _BALANCE),
    },
}


@dataclass(frozen=True)
class Thresholds:
    """The thresholds one analysis uses.

    Attributes:
        exercise: The exercise they are for.
        profile: The profile the values come from.
        values: Fault code -> threshold.
        custom: Codes whose value a user's file set.
    """

    exercise: str
    profile: Profile
    values: Mapping[str, float]
    custom: frozenset[str] = field(default_factory=frozenset)


def thresholds(
    exercise: str, profile: Profile = "standard", config: Path | None = None
) -> Thresholds:
    """The thresholds for ``exercise`` under ``profile``, with a TOML file's overrides.

    The file may set ``profile = "strict"`` (which the ``profile`` argument
    overrides unless it is ``standard``) and tables per exercise, e.g.::

        [deadlift]
        lean_back = 8

    Raises:
        ConfigError: The file is unreadable, or names an unknown profile, exercise
            or fault code, or gives a value that is not a number.
    """
    if exercise not in TABLE:
        raise ConfigError(f"no thresholds for exercise {exercise!r}; known: {', '.join(TABLE)}")
    chosen, overrides = _read(config) if config else (None, {})
    if profile == "standard" and chosen is not None:
        profile = chosen
    values = {code: limit.value(profile) for code, limit in TABLE[exercise].items()}
    custom = overrides.get(exercise, {})
    return Thresholds(exercise, profile, {**values, **custom}, frozenset(custom))


def _profile(name: object, config: Path) -> Profile:
    if name not in PROFILES:
        raise ConfigError(f"{config}: profile must be one of {', '.join(PROFILES)}, got {name!r}")
    return name  # type: ignore[return-value]


def _read(config: Path) -> tuple[Profile | None, dict[str, dict[str, float]]]:
    """Parse and validate a thresholds TOML file: unknown keys are errors."""
    try:
        data = tomllib.loads(config.read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigError(f"{config}: cannot read it: {e.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"{config}: not valid TOML: {e}") from None
    profile: Profile | None = None
    out: dict[str, dict[str, float]] = {}
    for key, value in data.items():
        if key == "profile":
            profile = _profile(value, config)
            continue
        if key not in TABLE:
            known = ", ".join(("profile", *TABLE))
            raise ConfigError(f"{config}: unknown key {key!r}; known: {known}")
        if not isinstance(value, dict):
            raise ConfigError(f"{config}: [{key}] must be a table of thresholds")
        out[key] = {code: _number(config, key, code, v) for code, v in value.items()}
    return profile, out


def _number(config: Path, exercise: str, code: str, value: object) -> float:
    if code not in TABLE[exercise]:
        known = ", ".join(TABLE[exercise])
        raise ConfigError(f"{config}: [{exercise}] has no threshold {code!r}; known: {known}")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{config}: [{exercise}] {code} must be a number, got {value!r}")
    return float(value)
