#!/usr/bin/env python3
"""Throughput and memory of the ``formcheck pose`` command.

Runs the real command in a child process on clips made by
``samples/make_demo_clip.py`` (one person moving, H.264, 30 fps):

1. frames per second at 640x480, 1280x720 and 1920x1080: default settings (the
   outline of the back from the segmentation mask included), ``--no-outline``
   and ``--max-people 1``. Start-up (imports, model load) is taken out by also
   timing a 5-frame clip of the same size: fps = (N - 5) / (t_N - t_5);
2. peak RSS on a short and a long 720p clip: it should not grow with length.

Run::

    python benchmarks/pose_throughput.py [--seconds 20] [--long-seconds 300]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "samples"))

from child import formcheck, timed  # noqa: E402
from make_demo_clip import write_demo_clip  # noqa: E402

SIZES = ((640, 480), (1280, 720), (1920, 1080))
FPS = 30
SHORT = 5 / FPS


def run_pose(clip: Path, out: Path, *extra: str) -> tuple[float, float]:
    """Wall time (s) and peak RSS (MB) of ``formcheck pose`` in a child process."""
    return timed(formcheck(), "pose", str(clip), "-o", str(out), *extra)


def fps_table(work: Path, seconds: float) -> None:
    print("\n| size | frames | fps (default) | fps (--no-outline) | fps (--max-people 1) |")
    print("|---|---|---|---|---|")
    n = round(seconds * FPS)
    for w, h in SIZES:
        clip = write_demo_clip(work / f"{w}x{h}.mp4", (w, h), seconds, FPS)
        tiny = write_demo_clip(work / f"{w}x{h}-tiny.mp4", (w, h), SHORT, FPS)
        rates = []
        for extra in ((), ("--no-outline",), ("--max-people", "1")):
            full, _ = run_pose(clip, work / "p.npz", *extra)
            start, _ = run_pose(tiny, work / "p.npz", *extra)
            rates.append((n - 5) / (full - start))
        print(f"| {w}x{h} | {n} | {' | '.join(f'{r:.1f}' for r in rates)} |", flush=True)


def memory_table(work: Path, lengths: tuple[float, ...]) -> None:
    print("\n| 720p clip | frames | wall s | peak RSS MB |")
    print("|---|---|---|---|")
    for seconds in lengths:
        clip = write_demo_clip(work / f"long{seconds}.mp4", (1280, 720), seconds, FPS)
        wall, rss = run_pose(clip, work / "p.npz")
        print(f"| {seconds:.0f} s | {round(seconds * FPS)} | {wall:.1f} | {rss:.0f} |", flush=True)
        clip.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="clip length for fps")
    parser.add_argument("--long-seconds", type=float, default=300.0, help="long clip for RSS")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        fps_table(Path(tmp), args.seconds)
        memory_table(Path(tmp), (args.seconds, args.long_seconds))


if __name__ == "__main__":
    main()
