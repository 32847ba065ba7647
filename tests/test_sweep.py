"""The sweep: a seeded plan expanded and rendered, the same files on every run."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest
from test_synth import needs_gl
from typer.testing import CliRunner

from formcheck.cli import app
from formcheck.errors import FormcheckError
from formcheck.synth import truth
from formcheck.synth.sweep import (
    HOLD_FAULTS,
    Span,
    expand,
    hard_cases,
    liftoff_span,
    load_plan,
    planned_truths,
    rendered_truths,
    run,
)

PLANS = Path(__file__).parent.parent / "plans"
TINY = """
name = "tiny"
seed = 7
bodies = ["f_short", "m_long_femur"]
[camera]
views = [20]
heights = [1.0]
focal_mm = [26]
distances = [1.2]
sizes = ["128x96"]
fps = [10]
mirror = [true]
looks = [3, 3]
[[clips]]
exercise = "deadlift"
count = 1
reps = 1
fault = "bar_drift"
values = [12]
[[clips]]
exercise = "glute_bridge"
count = 1
reps = 1
"""
PLANK = """
[[clips]]
exercise = "plank_straight"
count = 1
reps = 2
hold_s = 2
fault = "hip_pike"
values = [12]
"""


def _plan(tmp_path: Path, text: str = TINY) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(text)
    return path


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_the_committed_plans_are_large_and_disjoint() -> None:
    tune, check = (load_plan(PLANS / f"{name}.toml") for name in ("tune", "check"))
    assert len(expand(tune)) + len(expand(check)) >= 300
    assert not set(tune.bodies) & set(check.bodies)
    for key in ("views", "heights", "distances", "looks"):
        assert not set(tune.camera[key]) & set(check.camera[key]), key
    assert [j.name for j in expand(check)] == [j.name for j in expand(check)]


def test_every_fault_code_the_labels_judge_has_a_recipe_in_both_plans() -> None:
    codes = {code for codes in truth.CHECKED.values() for code in codes} | set(HOLD_FAULTS)
    for name in ("tune", "check"):
        plan = load_plan(PLANS / f"{name}.toml")
        assert codes <= {r.fault for r in plan.recipes}, name


def test_a_bad_plan_is_refused_with_the_reason(tmp_path: Path) -> None:
    with pytest.raises(FormcheckError, match="unknown bodies"):
        load_plan(_plan(tmp_path, TINY.replace('"f_short"', '"nobody"')))
    with pytest.raises(FormcheckError, match="unknown fault"):
        load_plan(_plan(tmp_path, TINY.replace('"bar_drift"', '"wobble"')))
    with pytest.raises(FormcheckError, match="reps must be"):
        load_plan(_plan(tmp_path, TINY.replace("reps = 1\nfault", "reps = 0\nfault")))
    with pytest.raises(FormcheckError, match="rounding must be one of spread"):
        load_plan(_plan(tmp_path, TINY.replace("reps = 1\nfault", 'rounding = "up"\nfault')))
    result = CliRunner().invoke(app, ["sweep", str(tmp_path / "none.toml"), "--out", "x"])
    assert result.exit_code != 0
    assert "Traceback" not in result.output


@needs_gl
def test_a_sweep_renders_the_same_files_on_one_or_two_processes(tmp_path: Path) -> None:
    jobs = expand(load_plan(_plan(tmp_path)))
    run(jobs, tmp_path / "one", workers=1)
    run(jobs, tmp_path / "two", workers=2)
    one = _digests(tmp_path / "one")
    assert one == _digests(tmp_path / "two")
    assert len([n for n in one if n.endswith(".mp4")]) == 2
    with (tmp_path / "one" / "INDEX.tsv").open() as f:
        rows = {r["name"]: r for r in csv.DictReader(f, delimiter="\t")}
    drift = rows[jobs[0].name]
    assert drift["exercise"] == "deadlift"
    assert drift["faulty_reps"] == "1:bar_drift"
    assert rows[jobs[1].name]["exercise"] == "glute_bridge"


@needs_gl
def test_a_second_sweep_renders_only_what_is_missing(tmp_path: Path) -> None:
    plan = _plan(tmp_path)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["sweep", str(plan), "--out", str(out)])
    assert result.exit_code == 0, result.output
    first = {p.name: p.stat().st_mtime_ns for p in out.glob("*.mp4")}
    (out / next(iter(first))).unlink()
    result = CliRunner().invoke(app, ["sweep", str(plan), "--out", str(out)])
    assert result.exit_code == 0, result.output
    again = {p.name: p.stat().st_mtime_ns for p in out.glob("*.mp4")}
    assert set(again) == set(first)
    kept = [name for name in first if again[name] == first[name]]
    assert len(kept) == 1


@needs_gl
def test_a_clip_whose_recipe_changed_is_rendered_again(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(expand(load_plan(_plan(tmp_path))), out)
    before = {p.name: p.stat().st_mtime_ns for p in out.glob("*.mp4")}
    changed = expand(load_plan(_plan(tmp_path, TINY.replace("values = [12]", "values = [6]"))))
    run(changed, out)
    after = {p.name: p.stat().st_mtime_ns for p in out.glob("*.mp4")}
    drift = f"{changed[0].name}.mp4"
    assert after[drift] != before[drift]
    assert [after[n] == before[n] for n in sorted(before) if n != drift] == [True]


@needs_gl
def test_a_clip_rendered_before_a_spec_field_existed_is_kept_at_its_default(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    jobs = expand(load_plan(_plan(tmp_path)))
    run(jobs, out)
    truth_file = out / f"{jobs[0].name}.json"
    old = json.loads(truth_file.read_text())
    del old["spec"]["rounding"]  # as written before the spine could round in one place
    truth_file.write_text(json.dumps(old))
    before = {p.name: p.stat().st_mtime_ns for p in out.glob("*.mp4")}
    run(jobs, out)
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.mp4")} == before
    lumbar = expand(
        load_plan(
            _plan(tmp_path, TINY.replace("values = [12]", 'values = [12]\nrounding = "lumbar"'))
        )
    )
    run(lumbar, out)
    assert (out / f"{jobs[0].name}.mp4").stat().st_mtime_ns != before[f"{jobs[0].name}.mp4"]


@needs_gl
def test_the_truth_without_pixels_is_the_rendered_truth(tmp_path: Path) -> None:
    plan = _plan(tmp_path, TINY + PLANK)
    jobs = expand(load_plan(plan))
    run(jobs, tmp_path / "out")
    rendered = list(rendered_truths(tmp_path / "out"))
    assert list(planned_truths(jobs)) == rendered
    cases = hard_cases(rendered)
    assert cases["bar_drift"][0] == 1  # the drift of 12 cm is past the 8 % line, within 10
    assert sum(cases["hip_pike"]) == 2  # both holds of the plank
    result = CliRunner().invoke(app, ["sweep", str(plan), "--truth-only"])
    assert result.exit_code == 0, result.output
    assert "3 clips planned" in result.output
    assert not (tmp_path / "tiny").exists()


def test_the_lift_off_span_covers_clean_deadlift_reps_only() -> None:
    def rep(trunk: float, faults: list[str]) -> dict[str, object]:
        return {"faults": faults, "measured_3d": {"liftoff_trunk_deg": trunk}}

    truths = [
        {
            "exercise": "deadlift",
            "reps": [rep(38.0, []), rep(61.0, []), rep(22.0, ["squat_pattern"])],
        },
        {"exercise": "deadlift", "reps": [rep(50.0, [])]},
        {"exercise": "rdl", "reps": [rep(80.0, [])]},
    ]
    assert liftoff_span(truths) == Span(38.0, 50.0, 61.0, 3)
    assert liftoff_span(truths[2:]) is None


def test_rendering_needs_a_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["sweep", str(_plan(tmp_path))])
    assert result.exit_code == 1
    assert "--out is needed" in result.output
