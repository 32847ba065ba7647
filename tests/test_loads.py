from __future__ import annotations

import pytest

from formcheck.coaching.loads import LOADS, Load, LoadError, change_pct, parse_load, step


@pytest.mark.parametrize(
    ("text", "load"),
    [
        ("100kg", Load(100, "kg")),
        ("102.5 kg", Load(102.5, "kg")),
        ("225lb", Load(225, "lb")),
        (" 24 KG ", Load(24, "kg")),
        ("135 lbs", Load(135, "lb")),
    ],
)
def test_loads_read_as_typed(text, load):
    assert parse_load(text) == load


@pytest.mark.parametrize("text", ["100", "kg", "-5kg", "0kg", "100 stone", "1e3kg", ""])
def test_unreadable_loads_say_how_to_write_one(text):
    with pytest.raises(LoadError, match=r"e\.g\. 100kg"):
        parse_load(text)


@pytest.mark.parametrize(
    ("load", "pct", "equipment", "after"),
    [
        (Load(100, "kg"), 5, "barbell", 105.0),
        (Load(100, "kg"), 1, "barbell", 102.5),  # at least one pair of the smallest plates
        (Load(101, "kg"), -5, "barbell", 95.0),  # an odd load lands on the plates
        (Load(225, "lb"), 10, "barbell", 250.0),  # 247.5 is no real barbell load
        (Load(20, "kg"), -10, "barbell", 20.0),  # the empty bar is the floor
        (Load(16, "kg"), -10, "kettlebell", 14.0),
        (Load(32, "kg"), 5, "kettlebell", 36.0),
        (Load(48, "kg"), 10, "kettlebell", 48.0),  # no heavier bell
        (Load(35, "lb"), 5, "dumbbell", 40.0),
        (Load(10, "kg"), 10, "dumbbell", 12.5),
    ],
)
def test_steps_land_on_loads_a_gym_has(load, pct, equipment, after):
    got = step(load, pct, equipment)
    assert got.value == after and got.unit == load.unit
    assert got.value in LOADS[equipment][load.unit] or got == load


def test_change_is_the_real_one_after_rounding():
    assert change_pct(Load(24, "kg"), Load(26, "kg")) == 8.3


def test_every_list_of_loads_rises():
    for units in LOADS.values():
        for options in units.values():
            assert list(options) == sorted(set(options))
