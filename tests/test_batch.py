"""formcheck batch on real clips: bad files, resuming after SIGKILL, workers and Ray agree."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import av
import pytest
from conftest import ramp_frames, write_clip

from formcheck.batch.jobs import BatchError, Defaults, Job, chains, plan, read_manifest
from formcheck.coaching.facts import Inputs

SAMPLES = Path(__file__).parents[1] / "samples"
FORMCHECK = [str(Path(sys.executable).with_name("formcheck"))]


def cut(sample: Path, out: Path, frames: int) -> Path:
    """The first ``frames`` frames of a sample, encoded again."""
    with av.open(str(sample)) as container:
        images = []
        for frame in container.decode(video=0):
            images.append(frame.to_ndarray(format="rgb24"))
            if len(images) == frames:
                break
    return write_clip(out, images)


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Three short real sets: a deadlift rep, swings, a plank."""
    folder = tmp_path_factory.mktemp("clips")
    return {
        "deadlift": cut(SAMPLES / "deadlift_rounding.mp4", folder / "deadlift.mp4", 150),
        "kb_swing": cut(SAMPLES / "kb_swing_lean_back.mp4", folder / "swing.mp4", 120),
        "plank": cut(SAMPLES / "plank_sag.mp4", folder / "plank.mp4", 150),
    }


def batch(*args: str | Path, check: bool = False) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*FORMCHECK, "batch", *map(str, args)], capture_output=True, text=True, check=check
    )


def summary(out: Path) -> list[dict[str, str]]:
    with (out / "summary.csv").open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def manifest(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    lines = ["path,exercise,client,date"]
    lines += [
        f"{name},{exercise},{client},2026-11-{10 + i}"
        for i, (name, exercise, client) in enumerate(rows)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def outputs(out: Path) -> dict[str, bytes]:
    """Every report and table under ``out`` (the pages embed nothing run-dependent)."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.name in ("report.json", "reps.csv", "holds.csv", "summary.csv", "index.html")
    }


def test_bad_files_become_error_rows_and_the_rest_is_checked(tmp_path, clips):
    videos = tmp_path / "videos"
    (videos / "sub dir").mkdir(parents=True)
    good = videos / "sub dir" / "Zoë <b>&amp; 1.mp4"
    good.write_bytes(clips["deadlift"].read_bytes())
    (videos / "empty.mp4").write_bytes(b"")
    (videos / "text.mp4").write_text("not a video\n")
    whole = clips["plank"].read_bytes()
    (videos / "truncated.mp4").write_bytes(whole[: len(whole) // 2])
    write_clip(videos / "nobody.mp4", ramp_frames(30))
    out = videos / "out"  # inside the input folder: never taken for input

    first = batch(videos, "--out", out, "--exercise", "deadlift", "--no-video")
    assert first.returncode == 3, first.stderr
    rows = {r["name"]: r for r in summary(out)}
    assert set(rows) == {
        "empty.mp4",
        "text.mp4",
        "truncated.mp4",
        "nobody.mp4",
        good.relative_to(videos).as_posix(),
    }
    assert rows["sub dir/Zoë <b>&amp; 1.mp4"]["status"] == "ok"
    assert rows["empty.mp4"]["status"] == "error" and "empty" in rows["empty.mp4"]["message"]
    assert rows["text.mp4"]["status"] == "error"
    assert rows["nobody.mp4"]["status"] == "error"
    assert rows["truncated.mp4"]["status"] in ("error", "partial")
    assert "Traceback" not in first.stderr
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "<b>&amp;" not in page and "Zoë &lt;b&gt;&amp;amp; 1.mp4" in page
    report = out / "sub dir" / "Zoë <b>&amp; 1" / "report.html"
    assert (
        report.is_file() and 'href="sub%20dir/Zo%C3%AB%20%3Cb%3E%26amp%3B%201/report.html"' in page
    )

    before = outputs(out)
    again = batch(videos, "--out", out, "--exercise", "deadlift", "--no-video")
    assert again.returncode == 3
    assert "(done before)" in again.stderr
    assert outputs(out) == before  # nothing under out/ was taken for a video
    assert not list(out.rglob(".*.tmp"))


def test_a_folder_without_videos_and_a_bad_manifest_are_one_line_errors(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    empty = batch(tmp_path, "--out", tmp_path / "out", "-e", "deadlift")
    assert empty.returncode == 1
    assert "no video" in empty.stderr and "Traceback" not in empty.stderr
    assert not (tmp_path / "out").exists()
    bad = tmp_path / "m.csv"
    bad.write_text("path,exercize\na.mp4,deadlift\n")
    (tmp_path / "a.mp4").write_bytes(b"x")
    wrong = batch(tmp_path, "--out", tmp_path / "out", "--manifest", bad)
    assert wrong.returncode == 1 and "unknown column 'exercize'" in wrong.stderr
    same = batch(tmp_path, "--out", tmp_path, "-e", "deadlift")
    assert same.returncode == 2


def test_the_manifest_decides_each_video_and_a_clients_videos_run_in_date_order(tmp_path):
    for name in ("a.mp4", "b.mp4", "c.mov", "c.mp4", "d.mp4"):
        (tmp_path / name).write_bytes(b"x")
    m = tmp_path / "m.csv"
    m.write_text(
        "path,exercise,client,date,load,rpe\n"
        "b.mp4,kb_swing,Ana,2026-11-01,24kg,7\n"
        "a.mp4,deadlift,Ana,2026-11-03,,\n"
        "d.mp4,deadlift,,,,11\n"
        "missing.mp4,plank,,,,\n",
        encoding="utf-8",
    )
    jobs = {j.name: j for j in plan(tmp_path, tmp_path / "out", Defaults(), m)}
    assert jobs["b.mp4"].exercise == "kb_swing" and jobs["b.mp4"].inputs.rpe == 7
    assert jobs["b.mp4"].inputs.load is not None and jobs["b.mp4"].inputs.load.value == 24
    assert (jobs["c.mov"].folder, jobs["c.mp4"].folder) == ("c_mov", "c_mp4")
    assert "no exercise" in (jobs["c.mp4"].problem or "")
    assert "RPE" in (jobs["d.mp4"].problem or "")
    assert "not found" in (jobs["missing.mp4"].problem or "")
    (ana,) = [c for c in chains(list(jobs.values())) if c[0].client == "Ana"]
    assert [j.name for j in ana] == ["b.mp4", "a.mp4"]  # by day, not by name
    with pytest.raises(BatchError):
        m.write_text("path\na.mp4\na.mp4\n")
        read_manifest(m)


def test_videos_without_a_client_stand_alone():
    def job(name: str) -> Job:
        return Job(Path(name), name, name, "plank", None, date(2026, 1, 1), Inputs())

    assert len(chains([job("a.mp4"), job("b.mp4")])) == 2


def run_set(tmp_path: Path, clips: dict[str, Path]) -> tuple[Path, Path]:
    videos = tmp_path / "videos"
    videos.mkdir()
    for exercise, clip in clips.items():
        (videos / f"{exercise}.mp4").write_bytes(clip.read_bytes())
    rows = [
        ("deadlift.mp4", "deadlift", "Ana"),
        ("kb_swing.mp4", "kb_swing", "Ana"),
        ("plank.mp4", "plank", "Ben"),
    ]
    return videos, manifest(tmp_path / "manifest.csv", rows)


def sets_in(db: Path) -> list[tuple[str, str, int]]:
    with sqlite3.connect(db) as con:
        return con.execute(
            "SELECT c.name, t.exercise, t.reps FROM sets t JOIN sessions s ON s.id = t.session_id "
            "JOIN clients c ON c.id = s.client_id ORDER BY c.name, t.exercise"
        ).fetchall()


def test_one_worker_two_workers_and_ray_write_the_same(tmp_path, clips):
    videos, m = run_set(tmp_path, clips)
    results = {}
    for how in (["--workers", "1"], ["--workers", "2"], ["--engine", "ray", "--workers", "2"]):
        name = "-".join(how)
        out, db = tmp_path / name, tmp_path / f"{name}.db"
        done = batch(videos, "--out", out, "--manifest", m, "--db", db, "--no-video", *how)
        assert done.returncode == 0, done.stderr
        results[name] = (outputs(out), sets_in(db))
    one, *others = results.values()
    assert len(one[0]) == 3 * 2 + 2 and len(one[1]) == 3
    for other in others:
        assert other == one


def test_a_batch_killed_mid_way_and_run_again_loses_and_duplicates_nothing(tmp_path, clips):
    videos, m = run_set(tmp_path, clips)
    clean, db_clean = tmp_path / "clean", tmp_path / "clean.db"
    batch(
        videos,
        "--out",
        clean,
        "--manifest",
        m,
        "--db",
        db_clean,
        "--no-video",
        "--workers",
        "1",
        check=True,
    )

    out, db = tmp_path / "out", tmp_path / "out.db"
    args = [
        "batch",
        videos,
        "--out",
        out,
        "--manifest",
        m,
        "--db",
        db,
        "--no-video",
        "--workers",
        "1",
    ]
    killed = subprocess.Popen(
        [*FORMCHECK, *map(str, args)], start_new_session=True, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 300
    while not list(out.glob("*/batch.json")) and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(killed.pid, signal.SIGKILL)  # the driver and its worker, mid-batch
    killed.wait()
    assert len(list(out.glob("*/batch.json"))) < 3

    again = batch(videos, "--out", out, "--manifest", m, "--db", db, "--no-video", "--workers", "1")
    assert again.returncode == 0, again.stderr
    assert "(done before)" in again.stderr
    assert outputs(out) == outputs(clean)
    assert sets_in(db) == sets_in(db_clean)
    assert not list(out.rglob(".*.tmp"))


def as_user(uid: int | None) -> dict[str, object]:
    """subprocess.run's arguments to run as ``uid`` (None: as this process)."""
    return {} if uid is None else {"user": uid, "group": uid, "env": {"PATH": "/usr/bin:/bin"}}


def test_an_unreadable_video_is_an_error_row(tmp_path, clips):
    # root reads any file, so as root the batch runs as nobody (uid 65534).
    uid = 65534 if os.geteuid() == 0 else None
    if uid is not None:
        try:
            probe = subprocess.run([*FORMCHECK, "--version"], capture_output=True, **as_user(uid))
        except OSError:
            probe = None
        if probe is None or probe.returncode != 0:
            pytest.skip("as root every file is readable, and nobody cannot run this venv's Python")
    folder = Path(tempfile.mkdtemp(prefix="fc-batch-"))
    try:
        folder.chmod(0o777)
        (folder / "videos").mkdir(mode=0o777)
        (folder / "videos").chmod(0o777)
        locked = folder / "videos" / "locked.mp4"
        locked.write_bytes(clips["plank"].read_bytes())
        locked.chmod(0o000)
        out = folder / "out"
        cmd = [*FORMCHECK, "batch", str(folder / "videos"), "--out", str(out), "-e", "plank"]
        done = subprocess.run(cmd, capture_output=True, text=True, **as_user(uid))
        assert done.returncode == 3, done.stderr
        (row,) = summary(out)
        assert row["status"] == "error" and "Permission denied" in row["message"]
    finally:
        shutil.rmtree(folder)
