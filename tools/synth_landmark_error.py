"""How far the pose model's landmarks land from a synthetic clip's true keypoints.

    formcheck pose CLIP.mp4 -o CLIP.poses.npz
    python tools/synth_landmark_error.py CLIP.poses.npz CLIP.csv

Prints, per joint, the median and 90th-percentile pixel distance between the
landmark and the true projected keypoint (camera-near side = the person's left),
over the frames where the person was found, and the share of frames found.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np

from formcheck.series import PoseSeries
from formcheck.skeleton import INDEX

JOINTS = ("shoulder", "hip", "knee", "ankle", "wrist")


def main(poses: Path, truth: Path) -> None:
    """Print the landmark errors of ``poses`` against the keypoints in ``truth``."""
    series = PoseSeries.load(poses)
    with truth.open() as f:
        rows = list(csv.DictReader(f))
    n = min(len(rows), len(series.t))
    print(f"{poses.name}: person found in {series.detected[:n].mean():.1%} of {n} frames")
    for side in ("left", "right"):
        for joint in JOINTS:
            true = np.array(
                [
                    [float(r[f"px_{side}_{joint}_x"]), float(r[f"px_{side}_{joint}_y"])]
                    for r in rows[:n]
                ]
            )
            seen = series.xy[:n, INDEX[f"{side}_{joint}"]]
            err = np.linalg.norm(seen - true, axis=1)
            err = err[np.isfinite(err)]
            p50, p90 = np.percentile(err, [50, 90])
            print(f"  {side:5} {joint:8} median {p50:5.1f} px   p90 {p90:5.1f} px")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
