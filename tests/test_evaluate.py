"""``formcheck eval``: labels read in each layout, and the analysis scored against them.

Most tests score a stick-figure RDL set kept in the pose cache, so no pose model
runs: labels copied from our own report must score perfectly, and each change
to them must move exactly the number it should. One test runs a sample clip
through the pose model end to end.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from figures import hinge, lying
from test_analyze import rdl_set
from test_cli import one_line_error, run

from formcheck.errors import FormcheckError
from formcheck.evaluation import evaluate, find_clips
from formcheck.evaluation.scoring import match
from formcheck.evaluation.tables import BEGIN, END, markdown
from formcheck.pipeline import Settings, judge
from formcheck.report import SetReport

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
FPS = 30.0


@pytest.fixture
def rdl(tmp_path: Path) -> tuple[Path, Path, SetReport]:
    """A labels folder with one RDL set (no labels yet), its pose cache, and our report."""
    series = hinge(rdl_set([0, 25, 0, 0]))
    cache = tmp_path / "cache"
    (cache / "bundled" / "labels").mkdir(parents=True)
    series.save(cache / "bundled" / "labels" / "set.npz")
    folder = tmp_path / "labels"
    folder.mkdir()
    (folder / "INDEX.tsv").write_text("name\texercise\nset\trdl\n")
    return folder, cache, judge(series, Settings("rdl"))


def label(folder: Path, report: SetReport, faults: list[set[str]], hip_offset: float) -> None:
    """Write labels: our own reps with these faults, and true hip angles ours minus an offset."""
    assert report.track is not None
    reps = [
        {
            "start_frame": round(r.start_s * FPS),
            "end_frame": round(r.end_s * FPS),
            "faults": sorted(codes),
            "borderline": [],
        }
        for r, codes in zip(report.reps, faults, strict=True)
    ]
    n = len(report.track.t)
    truth = {
        "exercise": "rdl",
        "view": "side",
        "fps": FPS,
        "rep_count": len(reps),
        "reps": reps,
        "phases": [{"name": "set", "start_frame": 0, "end_frame": n - 1}],
    }
    (folder / "set.json").write_text(json.dumps(truth))
    hip = next(c.values for c in report.track.channels if c.name == "hip")
    with (folder / "set.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["frame", "hip_2d"])
        w.writerows([i, f"{h - hip_offset:.6f}" if h == h else "nan"] for i, h in enumerate(hip))


def ours(report: SetReport) -> list[set[str]]:
    return [{f.code for f in r.faults} for r in report.reps]


def test_labels_that_match_our_report_score_perfectly(rdl: tuple[Path, Path, SetReport]) -> None:
    folder, cache, report = rdl
    found = ours(report)
    assert len(found) == 4 and found[1] and not found[0]  # rep 2 stops short
    label(folder, report, found, hip_offset=2.0)
    (score,) = evaluate(find_clips(folder)[0], cache=cache)
    assert score.error is None and score.count_exact
    assert score.faults and all(c.fp == c.fn == 0 for c in score.faults.values())
    assert score.faults["incomplete_lockout"].tp == 1
    assert score.clean == 3 and score.clean_flagged == 0
    hip = score.angles["hip"]
    assert hip.measured > 0.9 * hip.frames and hip.mae == pytest.approx(2.0, abs=1e-4)


def test_each_wrong_label_moves_its_own_count(rdl: tuple[Path, Path, SetReport]) -> None:
    folder, cache, report = rdl
    found = ours(report)
    code, other = next(iter(found[1])), "squat_pattern"
    assert other in report.thresholds and other not in found[0]
    # Rep 1 labelled with a fault we do not see; rep 2's fault left unlabelled.
    label(folder, report, [{other}, set(), found[2], found[3]], hip_offset=0.0)
    (score,) = evaluate(find_clips(folder)[0], cache=cache)
    assert score.faults[code].fp == 1 and score.faults[code].tp == 0
    assert score.faults[other].fn == 1 and score.faults[other].tp == 0
    assert score.clean == 3 and score.clean_flagged == 1  # rep 2, labelled clean
    assert score.angles["hip"].mae == pytest.approx(0.0, abs=1e-4)
    # Rep 2 left out of the labels: its fault is a false alarm on a rep that is not there.
    truth = json.loads((folder / "set.json").read_text())
    del truth["reps"][1]
    (folder / "set.json").write_text(json.dumps(truth))
    (score,) = evaluate(find_clips(folder)[0], cache=cache)
    assert score.faults[code].fp == 1 and score.count_exact  # rep_count still says 4
    assert score.clean == 2 and score.clean_flagged == 0


def test_borderline_codes_are_not_scored(rdl: tuple[Path, Path, SetReport]) -> None:
    folder, cache, report = rdl
    found = ours(report)
    code = next(iter(found[1]))
    label(folder, report, [set()] * 4, hip_offset=0.0)
    truth = json.loads((folder / "set.json").read_text())
    truth["reps"][1]["borderline"] = [code]
    (folder / "set.json").write_text(json.dumps(truth))
    (score,) = evaluate(find_clips(folder)[0], cache=cache)
    assert score.faults[code].fp == 0 and score.clean_flagged == 0


def test_spans_match_one_to_one_by_largest_overlap() -> None:
    truth = [(0.0, 2.0), (2.0, 4.0), (10.0, 11.0)]
    ours = [(0.5, 2.5), (1.9, 4.2), (5.0, 6.0)]
    assert match(ours, truth) == {0: 0, 1: 1}
    assert len(match([(0.0, 4.0)], truth)) == 1  # one of ours takes one true rep only
    assert match([], truth) == {} and match(ours, []) == {}


def test_real_labels_keep_what_can_be_scored(tmp_path: Path) -> None:
    columns = ["path", "exercise", "camera_view", "rep_count", "rep_spans", "faults_per_rep"]
    rows = [
        ["a/one.mp4", "deadlift", "side", "2", "0.5-2.0;2.5-4.0", "none;squat_pattern+lean_back"],
        ["b/two.mp4", "hip_thrust", "mixed (oblique + side)", "1", "1.0-3.0", "?"],
        ["c/row.mp4", "row", "side", "3", "", ""],
        ["d/bad.mp4", "deadlift", "rear", "1", "0.0-1.0", "none"],
    ]
    usable = ["yes", "yes (lit badly)", "yes", "no: the lifter is cut off"]
    with (tmp_path / "GROUND_TRUTH.tsv").open("w", newline="") as f:
        w = csv.writer(f, delimiter="\t")
        w.writerow([*columns, "usable_for_eval"])
        w.writerows([*r, u] for r, u in zip(rows, usable, strict=True))
    clips, left_out = find_clips(tmp_path)
    one, two = clips
    assert one.labels == tmp_path.name and one.video == tmp_path / "a" / "one.mp4"
    assert [u.faults for u in one.units] == [frozenset(), {"squat_pattern", "lean_back"}]
    assert two.exercise == "glute_bridge" and two.view == "mixed" and two.units[0].faults is None
    assert len(left_out) == 2 and "row is not an exercise" in left_out[0]
    assert "not usable" in left_out[1]


def test_a_folder_of_label_folders_is_read_one_level_down(tmp_path: Path) -> None:
    for name in ("first", "second"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "INDEX.tsv").write_text("name\nclip\n")
        truth = {"exercise": "plank", "view_deg": 0, "fps": 30, "rep_count": 0, "reps": []}
        truth["holds"] = [{"start_frame": 30, "end_frame": 300, "faults": ["hip_sag"]}]
        (tmp_path / name / "clip.json").write_text(json.dumps(truth))
    clips, _ = find_clips(tmp_path)
    assert [c.labels for c in clips] == ["first", "second"]
    assert clips[0].is_hold and clips[0].count == 1 and clips[0].view == "side"
    assert clips[0].units[0].start_s == pytest.approx(1.0)


@pytest.mark.parametrize("late_s", [0.0, 2.0])
def test_a_hold_counts_on_time_only_with_both_edges_near_the_labels(
    tmp_path: Path, late_s: float
) -> None:
    series = lying([("kneel", 2.0, 0, 0), ("plank", 20.0, 0, 0), ("kneel", 2.0, 0, 0)])
    cache = tmp_path / "cache"
    (cache / "bundled" / "labels").mkdir(parents=True)
    series.save(cache / "bundled" / "labels" / "plank.npz")
    (hold,) = judge(series, Settings("plank")).holds
    folder = tmp_path / "labels"
    folder.mkdir()
    (folder / "INDEX.tsv").write_text("name\nplank\n")
    start, end = (round((s + late_s) * FPS) for s in (hold.start_s, hold.end_s))
    truth = {"exercise": "plank", "view_deg": 0, "fps": FPS, "rep_count": 0, "reps": []}
    truth["holds"] = [{"start_frame": start, "end_frame": end, "faults": []}]
    (folder / "plank.json").write_text(json.dumps(truth))
    (score,) = evaluate(find_clips(folder)[0], cache=cache)
    assert score.count_exact and score.edges[0] == pytest.approx(late_s, abs=0.05)
    assert score.on_time == (late_s == 0.0)
    assert ("2.0 s off" in markdown([score])) == (late_s > 0)


def test_eval_scores_a_sample_through_the_pose_model(tmp_path: Path) -> None:
    folder = tmp_path / "samples"
    folder.mkdir()
    for suffix in (".mp4", ".json", ".csv"):
        name = f"kb_swing_lean_back{suffix}"
        (folder / name).write_bytes((SAMPLES / name).read_bytes())
    readme = tmp_path / "README.md"
    readme.write_text(f"# Accuracy\n\n{BEGIN}\nold table\n{END}\n\nMore text.\n")
    cache = tmp_path / "cache"
    args = ["eval", str(folder), "--cache", str(cache), "--json", "--readme", str(readme)]
    result = run(*args)
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    (clip,) = scores["clips"]
    truth = json.loads((SAMPLES / "kb_swing_lean_back.json").read_text())
    assert clip["count_true"] == truth["rep_count"] and clip["error"] is None
    assert (cache / "bundled" / "samples" / "kb_swing_lean_back.npz").is_file()
    (group,) = scores["groups"]
    assert group["exercise"] == "kb_swing" and group["view"] == truth["view"]
    lean = group["faults"]["lean_back"]
    labelled = sum("lean_back" in r["faults"] for r in truth["reps"])
    assert lean["tp"] + lean["fn"] == labelled > 0
    assert 0 < group["angle_mae_deg"]["hip"]["mae"] < 20
    text = readme.read_text()
    assert text.startswith("# Accuracy\n\n") and text.endswith(f"{END}\n\nMore text.\n")
    assert "old table" not in text and "| samples | kb_swing |" in text
    # Again, from the cache: the same scores, and a table printed.
    again = run("eval", str(folder), "--cache", str(cache))
    assert again.exit_code == 0 and "lean_back" in again.stdout


def test_bad_folders_and_readmes_get_one_line(rdl: tuple[Path, Path, SetReport]) -> None:
    folder, cache, report = rdl
    label(folder, report, ours(report), hip_offset=0.0)
    one_line_error(run("eval", str(folder.parent / "nowhere")), 1, "no such folder")
    empty = folder.parent / "empty"
    empty.mkdir()
    one_line_error(run("eval", str(empty)), 1, "no labelled clips")
    readme = folder.parent / "README.md"
    readme.write_text("no markers here\n")
    result = run("eval", str(folder), "--cache", str(cache), "--readme", str(readme))
    one_line_error(result, 1, "eval:begin")
    assert readme.read_text() == "no markers here\n"
    one_line_error(run("eval", str(folder), "--profile", "lenient"), 2, "unknown profile")
    with pytest.raises(FormcheckError, match="no such folder"):
        find_clips(folder / "set.json")


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is not here")
def test_the_shared_labels_are_all_read() -> None:
    clips, left_out = find_clips(SHARED)
    with (SHARED / "synthetic" / "INDEX.tsv").open() as f:
        rendered = sum(1 for _ in csv.DictReader(f, delimiter="\t"))
    with (SHARED / "real" / "GROUND_TRUTH.tsv").open() as f:
        real = sum(1 for _ in csv.DictReader(f, delimiter="\t"))
    assert sum(c.labels == "synthetic" for c in clips) == rendered
    dropped = [reason for reason in left_out if reason.startswith("real/")]
    assert sum(c.labels == "real" for c in clips) + len(dropped) == real
    assert all(c.video.is_file() for c in clips)
    assert all(len(c.units) == c.count or not c.is_hold for c in clips)


def test_a_cached_series_of_another_video_is_not_reused(tmp_path: Path) -> None:
    from formcheck.evaluation import _digest, _same_video

    video, stored = tmp_path / "clip.mp4", tmp_path / "cache" / "clip.npz"
    video.write_bytes(b"first render")
    stored.parent.mkdir()
    assert _same_video(stored, video)  # cached by an older formcheck: no digest to go by
    stored.with_suffix(".sha256").write_text(_digest(video))
    assert _same_video(stored, video)
    video.write_bytes(b"rendered again, other frames")
    assert not _same_video(stored, video)
