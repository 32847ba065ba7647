from __future__ import annotations

from pathlib import Path

import pytest

from formcheck.checks import CHECKS
from formcheck.exercises import EXERCISES
from formcheck.thresholds import PROFILES, TABLE, ConfigError, thresholds


def test_every_exercise_check_has_a_threshold_in_every_profile() -> None:
    for name, exercise in EXERCISES.items():
        for code in exercise.checks:
            limit = TABLE[name][code]
            assert limit.source, f"{name}.{code} says nowhere where its value comes from"
            values = [limit.value(p) for p in PROFILES]
            # strict flags more: the line moves towards good form
            if CHECKS[code].fault_if == "above":
                assert values == sorted(values, reverse=True), f"{name}.{code}: {values}"
            else:
                assert values == sorted(values), f"{name}.{code}: {values}"


def test_a_toml_file_overrides_values_and_says_which(tmp_path: Path) -> None:
    config = tmp_path / "t.toml"
    config.write_text('profile = "strict"\n[deadlift]\nlean_back = 8\n')
    limits = thresholds("deadlift", "standard", config)
    assert limits.profile == "strict"
    assert limits.values["lean_back"] == 8
    assert limits.values["bar_drift"] == TABLE["deadlift"]["bar_drift"].strict
    assert limits.custom == {"lean_back"}
    assert thresholds("deadlift", "beginner", config).profile == "beginner"  # the CLI wins


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[deadlift]\nlean_bak = 8\n", "no threshold 'lean_bak'"),
        ("[deadlfit]\nlean_back = 8\n", "unknown key 'deadlfit'"),
        ('profile = "hard"\n', "profile must be one of"),
        ('[deadlift]\nlean_back = "8"\n', "must be a positive number"),
        ("[plank]\nhip_sag = -8\n", "must be a positive number"),  # a size, not signed
        ("[deadlift\n", "not valid TOML"),
    ],
)
def test_mistakes_in_the_file_are_errors(tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / "t.toml"
    config.write_text(text)
    with pytest.raises(ConfigError, match=message):
        thresholds("deadlift", "standard", config)


def test_an_unreadable_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read it"):
        thresholds("deadlift", "standard", tmp_path / "missing.toml")


def test_a_hold_line_is_given_as_a_size_and_judged_signed(tmp_path: Path) -> None:
    from formcheck.analyze import hold_limits

    config = tmp_path / "t.toml"
    config.write_text("[plank]\nhip_sag = 8\nhip_pike = 30\n")
    lines = hold_limits(thresholds("plank", "standard", config))
    assert (lines.sag_deg, lines.pike_deg) == (-8.0, 30.0)
