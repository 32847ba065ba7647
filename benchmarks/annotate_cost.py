#!/usr/bin/env python3
"""What the outputs cost next to the analysis: annotated.mp4, report.html and the CSV.

For each clip, in one process and after a warm-up run of the pose model:

1. analysis alone: pose estimation of every frame (as ``formcheck analyze`` runs
   it) plus the analysis of the set;
2. the outputs: ``reps.csv`` / ``holds.csv``, ``report.html`` with its thumbnails,
   and ``annotated.mp4`` (decode again, draw, H.264 encode), with and without
   ``--blur-faces``.

The target (issue 9) is annotated.mp4 costing at most 30 % over the analysis alone.

Run::

    python benchmarks/annotate_cost.py [CLIP:EXERCISE ...]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from formcheck.analyze import analyze
from formcheck.exercises import EXERCISES
from formcheck.outputs.write import write_outputs
from formcheck.pose import estimate_poses
from formcheck.pose.mediapipe import PoseEstimator
from formcheck.video import VideoFileSource, frames_at

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = (
    f"{ROOT / 'samples/deadlift_rounding.mp4'}:deadlift",
    f"{ROOT / 'samples/plank_sag.mp4'}:plank",
    f"{ROOT / 'samples/kb_swing_lean_back.mp4'}:kb_swing",
)


def timed(clip: Path, exercise: str, work: Path) -> dict[str, float]:
    """Seconds of each stage on ``clip``."""
    outline = "rounded_back" in EXERCISES[exercise].checks
    start = time.perf_counter()
    with VideoFileSource(clip) as source:
        meta = source.meta
        with PoseEstimator((meta.width, meta.height), masks=outline) as estimator:
            series = estimate_poses(source, meta, estimator)
    posed = time.perf_counter()
    report = analyze(series, exercise, frames=lambda ts: frames_at(clip, ts))
    analysed = time.perf_counter()
    write_outputs(report, work, clip, annotate=False)
    paged = time.perf_counter()
    write_outputs(report, work, clip)
    video = time.perf_counter()
    write_outputs(report, work, clip, blur_faces=True)
    blurred = time.perf_counter()
    return {
        "frames": len(series),
        "size": f"{meta.width}x{meta.height}",
        "pose": posed - start,
        "analysis": analysed - posed,
        "page": paged - analysed,
        "video": (video - paged) - (paged - analysed),
        "blurred": (blurred - video) - (paged - analysed),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("clips", nargs="*", default=DEFAULT, help="CLIP:EXERCISE")
    args = parser.parse_args()
    print(
        "| clip | size | frames | pose + analysis | csv + html | annotated.mp4 | "
        "extra | with --blur-faces |"
    )
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        warm = Path(DEFAULT[0].split(":")[0])
        timed(warm, "deadlift", Path(tmp))  # the first model load and caches
        for spec in args.clips:
            path, exercise = spec.rsplit(":", 1)
            s = timed(Path(path), exercise, Path(tmp))
            base = s["pose"] + s["analysis"]
            print(
                f"| {Path(path).name} | {s['size']} | {s['frames']:.0f} | {base:.1f} s | "
                f"{s['page']:.2f} s | {s['video']:.1f} s | {100 * s['video'] / base:.0f} % | "
                f"{100 * s['blurred'] / base:.0f} % |",
                flush=True,
            )
    sys.exit(0)


if __name__ == "__main__":
    main()
