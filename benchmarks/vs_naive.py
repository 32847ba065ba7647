#!/usr/bin/env python3
"""formcheck against the naive loop, on the same clips, in one run, alternately.

The naive loop (``../shared/peers/naive_mp_loop.py``: MediaPipe's legacy Pose
solution, one process, no segmentation, no video written) is what a user
tries beside formcheck. Absolute times drift by tens of percent within minutes
on these machines, so the two run in pairs, one after the other, and what is
reported is the ratio of the medians over the pairs: the loop's wall time over
formcheck's (above 1: formcheck is faster), with the peak memory of each
(summed over a command's processes, should it start any).

Clips: the bundled deadlift sample scaled to 360x640 at 60 fps, 1280x720 at 30
and 1920x1080 at 30 (H.264), and any real clips given with ``--clip``. For
each, formcheck runs as ``analyze`` (annotated.mp4 written), ``--no-video`` and
``--no-video --fast``. Run (after ``sh ../shared/peers/setup.sh``)::

    python benchmarks/vs_naive.py [--pairs 3] [--sizes 1280x720@30 ...]
        [--clip VIDEO:EXERCISE ...]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from child import formcheck, timed
from throughput import scaled

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "deadlift_rounding.mp4"
PEERS = ROOT.parent / "shared" / "peers"
#: (width, height, fps) of the sample's scaled copies.
SIZES = ((360, 640, 60), (1280, 720, 30), (1920, 1080, 30))
RUNS = {"analyze": (), "--no-video": ("--no-video",), "--no-video --fast": ("--no-video", "--fast")}


def pairs(
    clip: Path, exercise: str, python: Path, loop: Path, n: int, out: Path
) -> dict[str, tuple[float, float, float]]:
    """Per formcheck run: (loop median / its median, its peak MB, the loop's peak MB)."""
    walls: dict[str, list[float]] = {label: [] for label in RUNS}
    peaks: dict[str, float] = dict.fromkeys(RUNS, 0.0)
    loop_walls: list[float] = []
    loop_peak = 0.0
    for _ in range(n):
        for label, extra in RUNS.items():
            wall, rss = timed(python.as_posix(), loop.as_posix(), str(clip))
            loop_walls.append(wall)
            loop_peak = max(loop_peak, rss)
            args = ("analyze", str(clip), "-e", exercise, "-o", str(out), *extra)
            wall, rss = timed(formcheck(), *args)
            walls[label].append(wall)
            peaks[label] = max(peaks[label], rss)
    theirs = statistics.median(loop_walls)
    return {
        label: (theirs / statistics.median(walls[label]), peaks[label], loop_peak) for label in RUNS
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=3, help="pairs of runs per clip and run")
    parser.add_argument("--clip", nargs="*", default=[], help="VIDEO:EXERCISE, real clips")
    parser.add_argument(
        "--sizes", nargs="*", default=[f"{w}x{h}@{f}" for w, h, f in SIZES], help="WxH@FPS"
    )
    parser.add_argument("--python", type=Path, default=Path("/tmp/peervenv/bin/python"))
    parser.add_argument("--loop", type=Path, default=PEERS / "naive_mp_loop.py")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        sizes = [tuple(int(v) for v in s.replace("@", "x").split("x")) for s in args.sizes]
        clips = [
            (scaled(SAMPLE, (w, h), work / f"{w}x{h}_{f}.mp4", f), "deadlift") for w, h, f in sizes
        ]
        clips += [(Path(c.rsplit(":", 1)[0]), c.rsplit(":", 1)[1]) for c in args.clip]
        print("| clip | run | loop / formcheck (wall) | formcheck peak | loop peak |")
        print("|---|---|---|---|---|")
        for clip, exercise in clips:
            found = pairs(clip, exercise, args.python, args.loop, args.pairs, work / "out")
            for label, (ratio, peak, loop_peak) in found.items():
                print(
                    f"| {clip.name} | {label} | {ratio:.2f} | {peak:.0f} MB | {loop_peak:.0f} MB |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
