"""``formcheck analyze``: the report on disk, the console, and bad input."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import av
import pytest
from figures import hinge
from test_analyze import rdl_set
from test_cli import one_line_error, run

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


@pytest.fixture
def rdl_npz(tmp_path: Path) -> Path:
    """Three RDLs, the second one stopping 25 deg short of upright, as a saved series."""
    path = tmp_path / "set.npz"
    hinge(rdl_set([0, 25, 0])).save(path)
    return path


def test_analyze_writes_the_report_and_shows_each_rep(rdl_npz: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("analyze", str(rdl_npz), "-e", "rdl", "-o", str(out))
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert report["exercise"] == "rdl" and report["summary"]["rep_count"] == 3
    assert "rdl: 3 reps (standard)" in result.stdout
    assert "Finish tall" in result.stdout and "(rep 2)" in result.stdout  # the cue
    rows = [line for line in result.stdout.splitlines() if "│" in line]
    assert len(rows) == 3 and ("check" in rows[1] or "fix" in rows[1])
    # A stick figure has no body outline: the back is not judged, and the user is told why.
    assert all("?" in row for row in rows)
    assert "rounded_back not judged on reps 1-3" in " ".join(result.stderr.split())
    # A saved series whose video is gone: the table and the page, no video.
    assert (out / "reps.csv").is_file() and (out / "report.html").is_file()
    assert not (out / "annotated.mp4").exists()
    assert "the video is not there" in " ".join(result.stderr.split())


def test_json_goes_to_stdout(rdl_npz: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("analyze", str(rdl_npz), "-e", "rdl", "-o", str(out), "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == json.loads((out / "report.json").read_text())


def test_a_config_file_and_profile_reach_the_report(rdl_npz: Path, tmp_path: Path) -> None:
    config = tmp_path / "mine.toml"
    config.write_text("[rdl]\nincomplete_lockout = 30\n")
    out = tmp_path / "out"
    result = run("analyze", str(rdl_npz), "-e", "rdl", "-o", str(out), "--config", str(config))
    assert result.exit_code == 0
    report = json.loads((out / "report.json").read_text())
    assert report["thresholds"]["incomplete_lockout"] == 30
    assert report["custom_thresholds"] == ["incomplete_lockout"]
    assert report["summary"]["flagged_reps"] == 0  # 25 deg short is under the new line


@pytest.mark.parametrize(
    ("args", "code", "text"),
    [
        (["-e", "squat"], 2, "unknown exercise 'squat'"),
        (["-e", "rdl", "--profile", "easy"], 2, "unknown profile 'easy'"),
    ],
)
def test_bad_options_are_usage_errors(rdl_npz: Path, args: list[str], code: int, text: str) -> None:
    one_line_error(run("analyze", str(rdl_npz), *args), code, text)


def test_bad_inputs_are_one_line(rdl_npz: Path, tmp_path: Path) -> None:
    bad_config = tmp_path / "bad.toml"
    bad_config.write_text("[rdl]\nlockout = 3\n")
    result = run("analyze", str(rdl_npz), "-e", "rdl", "--config", str(bad_config))
    one_line_error(result, 1, "has no threshold 'lockout'")
    fake = tmp_path / "fake.npz"
    fake.write_text("not numpy")
    one_line_error(run("analyze", str(fake), "-e", "rdl"), 1, "not a pose series")
    (tmp_path / "afile").write_text("x")
    result = run("analyze", str(rdl_npz), "-e", "rdl", "-o", str(tmp_path / "afile" / "out"))
    one_line_error(result, 1, "not a directory")
    one_line_error(run("analyze", str(tmp_path / "none.mp4"), "-e", "rdl"), 1, "no such file")


def test_the_bundled_deadlift_sample_counts_its_reps_and_finds_the_rounded_ones(
    tmp_path: Path,
) -> None:
    # The real pose model on the rendered sample, and the frames themselves to
    # tell the five pulls from standing up without the bar after the set; the
    # segmentation mask's outline of the back for the two rounded reps.
    truth = json.loads((SAMPLES / "deadlift_rounding.json").read_text())
    out = tmp_path / "out"
    video = str(SAMPLES / "deadlift_rounding.mp4")
    result = run(
        "analyze", video, "-e", "deadlift", "-o", str(out), "--load", "100kg", "--rpe", "8"
    )
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert report["summary"]["rep_count"] == truth["rep_count"] == 5
    fps = truth["fps"]
    for ours, true in zip(report["reps"], truth["reps"], strict=True):
        assert ours["start_s"] == pytest.approx(true["start_frame"] / fps, abs=0.5)
        assert ours["end_s"] == pytest.approx(true["end_frame"] / fps, abs=0.8)
        rounded = [f for f in ours["faults"] if f["code"] == "rounded_back"]
        assert bool(rounded) == ("rounded_back" in true["faults"]), ours
        assert 0.5 <= ours["metrics"]["rounded_back_confidence"] <= 1
    assert "Chest proud" in report["summary"]["cues"][0]
    # Form held until the first rounded rep: same load, the set ends before it.
    first = next(i for i, r in enumerate(truth["reps"], 1) if r["faults"])
    s = report["load_suggestion"]
    assert (s["action"], s["next_load"], s["next_reps"]) == ("hold", 100.0, first - 1)
    with av.open(str(out / "annotated.mp4")) as mp4:
        stream = mp4.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert sum(1 for _ in mp4.decode(stream)) == report["source"]["n_frames"]


def test_no_reps_is_said_plainly(tmp_path: Path) -> None:
    path = tmp_path / "still.npz"
    hinge(rdl_set([])).save(path)  # standing still
    result = run("analyze", str(path), "-e", "deadlift", "-o", str(tmp_path / "out"))
    assert result.exit_code == 0
    assert "No deadlift reps found" in result.stdout
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["summary"]["rep_count"] == 0 and report["load_suggestion"] is None


def test_the_bundled_plank_sample_times_the_hold_and_finds_the_sag(tmp_path: Path) -> None:
    # The real pose model on the rendered plank; the truth is the posed body's sag.
    truth = json.loads((SAMPLES / "plank_sag.json").read_text())
    (true,) = truth["holds"]
    fps = truth["fps"]
    out = tmp_path / "out"
    result = run("analyze", str(SAMPLES / "plank_sag.mp4"), "-e", "plank", "-o", str(out))
    assert result.exit_code == 0, result.output
    (hold,) = json.loads((out / "report.json").read_text())["holds"]
    assert hold["start_s"] == pytest.approx(true["start_frame"] / fps, abs=0.5)
    assert hold["end_s"] == pytest.approx(true["end_frame"] / fps, abs=0.5)
    (sag,) = hold["faults"]
    assert sag["code"] == "hip_sag"
    assert sag["start_s"] == pytest.approx(true["sag_fault_frame"] / fps, abs=1.0)
    assert -sag["value"] == pytest.approx(true["max_sag_deg"], abs=2.5)
    assert hold["fatigue_onset_s"] == pytest.approx(true["sag_onset_frame"] / fps, abs=1.0)
    assert "plank: 1 hold" in result.stdout and "Hips up" in result.stdout


def test_no_hold_is_said_plainly(tmp_path: Path) -> None:
    path = tmp_path / "standing.npz"
    hinge(rdl_set([])).save(path)
    result = run("analyze", str(path), "-e", "plank", "-o", str(tmp_path / "out"))
    assert result.exit_code == 0
    assert "No plank hold found" in result.stdout
    assert "no hold found" in " ".join(result.stderr.split())


def test_the_bundled_swing_sample_counts_the_swings_and_finds_the_lean(tmp_path: Path) -> None:
    # The real pose model on the rendered swings: the hike and the park are no reps.
    truth = json.loads((SAMPLES / "kb_swing_lean_back.json").read_text())
    out = tmp_path / "out"
    video = str(SAMPLES / "kb_swing_lean_back.mp4")
    result = run("analyze", video, "-e", "kb_swing", "-o", str(out), "--load", "24kg", "--rpe", "7")
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert report["summary"]["rep_count"] == truth["rep_count"] == 10
    for ours, true in zip(report["reps"], truth["reps"], strict=True):
        leaning = any(f["code"] == "lean_back" for f in ours["faults"])
        assert leaning == ("lean_back" in true["faults"]), ours
    assert report["set_metrics"]["swing_style"] == "russian"
    first = next(i for i, r in enumerate(truth["reps"], 1) if r["faults"])
    s = report["load_suggestion"]
    assert (s["action"], s["next_load"], s["next_reps"]) == ("hold", 24.0, first - 1)


def _threads(pid: int) -> int:
    """How many threads the process ``pid`` runs, as Linux's /proc says; 0 once it ended."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return next(
        (int(line.split()[1]) for line in status.splitlines() if line.startswith("Threads:")), 0
    )


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux's /proc")
def test_ctrl_c_mid_analysis_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    cmd = [str(Path(sys.executable).with_name("formcheck")), "analyze"]
    cmd += [str(SAMPLES / "deadlift_rounding.mp4"), "-e", "deadlift", "--fast", "-o", str(out)]
    run = subprocess.Popen(
        cmd,
        start_new_session=True,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 60
    while _threads(run.pid) < 20 and time.monotonic() < deadline:
        time.sleep(0.2)  # MediaPipe's graphs start threads of their own: the parts are running
    time.sleep(1.0)
    os.killpg(run.pid, signal.SIGINT)
    _, stderr = run.communicate(timeout=60)
    assert run.returncode == 130, stderr
    assert "Traceback" not in stderr
    # MediaPipe's native code, in the parts' threads as they wind down, may still
    # log lines of its own after ours: TensorFlow Lite's (INFO: Created ...,
    # INFO: [file.cc:N] ..., WARNING: ...) or glog's (W1203 12:00:00.000 123 file.cc:N] ...).
    native = re.compile(r"(INFO|WARNING): |[IWE]\d{4} ")
    lines = stderr.strip().splitlines()
    ours = [line for line in lines if line.strip() and not native.match(line)]
    assert ours[-1] == "formcheck: error: interrupted before the check was done", stderr
    assert not out.exists()
