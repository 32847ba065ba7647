from __future__ import annotations

from pathlib import Path

import av
import pytest
from conftest import ramp_frames, write_clip
from typer.testing import CliRunner

from formcheck import __version__
from formcheck.cli import EXIT_PARTIAL, app
from formcheck.model import BUNDLED_SHA256
from formcheck.series import PoseSeries

runner = CliRunner()


def run(*args: str):
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0 and __version__ in result.stdout


def test_models_shows_the_bundled_model() -> None:
    result = run("models")
    assert result.exit_code == 0
    assert "pose_landmarker_full.task" in result.stdout and BUNDLED_SHA256 in result.stdout


def test_pose_writes_a_loadable_series(person_clip: Path, tmp_path: Path) -> None:
    out = tmp_path / "poses.npz"
    result = run("pose", str(person_clip), "-o", str(out), "--start", "0.5")
    assert result.exit_code == 0, result.output
    series = PoseSeries.load(out)
    assert series.meta.source == str(person_clip)
    assert len(series) == 30 and series.t[0] == pytest.approx(0.5, abs=1e-3)
    assert series.detected.mean() > 0.9
    assert series.outline is not None and series.masks is None  # the outline by default


def test_pose_keeps_the_outline_or_the_masks_on_request(person_clip: Path, tmp_path: Path) -> None:
    bare, masked = tmp_path / "bare.npz", tmp_path / "masked.npz"
    assert (
        run("pose", str(person_clip), "-o", str(bare), "--end", "0.3", "--no-outline").exit_code
        == 0
    )
    assert (
        run("pose", str(person_clip), "-o", str(masked), "--end", "0.3", "--masks").exit_code == 0
    )
    assert PoseSeries.load(bare).outline is None
    with_masks = PoseSeries.load(masked)
    assert with_masks.masks is not None and with_masks.outline is not None


def test_pose_default_output_lands_in_the_working_directory(
    person_clip: Path, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run("pose", str(person_clip), "--end", "0.3", "--max-people", "1").exit_code == 0
    assert (tmp_path / "person.poses.npz").is_file()


def one_line_error(result, code: int, text: str) -> None:
    assert result.exit_code == code, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and text in lines[0], result.stderr


@pytest.mark.parametrize(
    ("make", "text"),
    [
        (lambda p: None, "no such file"),
        (lambda p: p.mkdir(), "is a directory"),
        (lambda p: p.write_bytes(b""), "empty (0 bytes)"),
        (lambda p: p.write_text("<html>not a video</html>\n" * 40), "not a video"),
    ],
    ids=["missing", "directory", "zero-byte", "text"],
)
def test_bad_video_is_one_line_and_nonzero(tmp_path: Path, make, text: str) -> None:
    video = tmp_path / "clip.mp4"
    make(video)
    out = tmp_path / "poses.npz"
    one_line_error(run("pose", str(video), "-o", str(out)), 1, text)
    assert not out.exists()


def test_no_person_is_one_line_and_nonzero(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "empty.mp4", ramp_frames(8))
    one_line_error(run("pose", str(clip), "-o", str(tmp_path / "p.npz")), 1, "no person found")


def test_truncated_video_saves_what_decoded_and_says_where(person_frames, tmp_path: Path) -> None:
    whole = write_clip(tmp_path / "whole.mp4", person_frames, faststart=True)
    with av.open(str(whole)) as container:
        offsets = [p.pos for p in container.demux(video=0) if p.pos is not None]
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole.read_bytes()[: sorted(offsets)[25] + 10])  # inside the 26th frame
    out = tmp_path / "poses.npz"
    result = run("pose", str(cut), "-o", str(out))
    assert result.exit_code == EXIT_PARTIAL, result.output
    assert "stopped at" in result.stderr and "saved what decoded" in result.stderr
    assert 0 < len(PoseSeries.load(out)) < len(person_frames)


def test_end_before_start_is_a_usage_error(person_clip: Path) -> None:
    one_line_error(run("pose", str(person_clip), "--start", "2", "--end", "1"), 2, "--end")


def test_missing_output_directories_are_made(person_clip: Path, tmp_path: Path) -> None:
    out = tmp_path / "new" / "dir" / "p.npz"
    assert run("pose", str(person_clip), "-o", str(out)).exit_code == 0
    assert len(PoseSeries.load(out)) > 0


def test_a_file_in_the_output_path_is_refused(person_clip: Path, tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    result = run("pose", str(person_clip), "-o", str(tmp_path / "afile" / "p.npz"))
    one_line_error(result, 1, "not a directory")


def test_a_bad_model_is_one_line(person_clip: Path, tmp_path: Path) -> None:
    bogus = tmp_path / "pose_landmarker_lite.task"
    bogus.write_text("nope")
    one_line_error(run("pose", str(person_clip), "--model", str(bogus)), 1, "not a .task bundle")
    one_line_error(run("models", "--model", str(bogus)), 1, "not a .task bundle")
