#!/usr/bin/env python3
"""What landmark conditioning buys: angle error and jitter against the synthetic truth.

For every hinge clip of ``../shared/data/synthetic`` (side and 20-degree views;
the front view has no meaningful hip angle), the hip angle of the measured side
and the trunk angle are computed from the raw landmarks and from landmarks
conditioned with each low-pass cut-off, and compared with the true projected
angles of the clip's CSV over the frames of the set:

* MAE: mean absolute error in degrees;
* jitter: RMS of the frame-to-frame change of the error, in degrees per frame,
  i.e. how much the angle trembles around where it should be;
* rep extremes: mean error of each rep's smallest and largest hip angle, the
  values the checks compare with thresholds (a low cut-off blunts fast tops).

Kettlebell swings are included for their fast tops.

Pose estimation is the slow part: ``--cache DIR`` holds one ``.npz`` per clip
(``DIR/synthetic/<clip>.npz``, as written by ``formcheck pose``).

Run::

    python benchmarks/conditioning.py --cache DIR [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path
from typing import Any

import numpy as np
from hinge_accuracy import poses, synthetic_clips

from formcheck.conditioning import Conditioning
from formcheck.kinematics import measure

ROOT = Path(__file__).resolve().parents[1]
CUTOFFS = (0.0, 2.0, 3.0, 4.0, 6.0, 8.0)
SWINGS = ("kb_swing",)


def truth(folder: Path, name: str) -> tuple[dict[str, np.ndarray], slice, list[dict[str, Any]]]:
    """True hip and trunk angles (trunk + forward, like ours), the set's frames, the reps."""
    with (folder / f"{name}.csv").open() as f:
        rows = list(csv.DictReader(f))
    angles = {
        "hip": np.array([float(r["hip_2d"]) for r in rows]),
        "trunk": np.array([float(r["lean_2d"]) for r in rows]),
    }
    clip = json.loads((folder / f"{name}.json").read_text())
    span = next(p for p in clip["phases"] if p["name"] == "set")
    return angles, slice(span["start_frame"], span["end_frame"] + 1), clip["reps"]


def extreme_errors(hip: np.ndarray, true_hip: np.ndarray, reps: list[dict[str, Any]]) -> float:
    """Mean error of each rep's smallest and largest hip angle against the true ones."""
    out = []
    for rep in reps:
        span = slice(rep["start_frame"], rep["end_frame"] + 1)
        for pick in (np.nanmin, np.nanmax):
            if np.isfinite(hip[span]).any():
                out.append(abs(float(pick(hip[span]) - pick(true_hip[span]))))
    return float(np.mean(out)) if out else float("nan")


def errors(measured: np.ndarray, true: np.ndarray) -> tuple[float, float]:
    """MAE and jitter (RMS of the error's frame-to-frame change) over finite frames."""
    err = measured - true
    steps = np.diff(err)
    return float(np.nanmean(np.abs(err))), float(np.sqrt(np.nanmean(steps**2)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--cache", type=Path, help="Folder for pose series (.npz) per clip.")
    args = parser.parse_args()
    folder = args.data / "synthetic"
    clips = [r for r in synthetic_clips(folder, SWINGS) if float(r["view_deg"]) < 60]
    settings = {"raw": Conditioning(min_visibility=0, outlier_scale=1e9, max_gap_s=0, cutoff_hz=0)}
    settings |= {
        f"low-pass {c:g} Hz" if c else "no low-pass": Conditioning(cutoff_hz=c) for c in CUTOFFS
    }
    table: dict[str, list[tuple[float, ...]]] = {k: [] for k in settings}
    for clip in clips:
        series = poses(folder / f"{clip['name']}.mp4", args.cache, args.data)
        true, frames, reps = truth(folder, clip["name"])
        for label, conditioning in settings.items():
            kin = measure(series, conditioning)
            hip = errors(kin.angles["hip"][frames], true["hip"][frames])
            trunk = errors(kin.angles["trunk"][frames], true["trunk"][frames])
            tops = extreme_errors(kin.angles["hip"], true["hip"], reps)
            table[label].append((*hip, tops, *trunk))
    print(f"\n{len(clips)} clips (side and 20-degree views), frames of the set only\n")
    print("| landmarks | hip MAE | hip jitter | hip rep extremes | trunk MAE | trunk jitter |")
    print("|---|---|---|---|---|---|")
    for label, rows in table.items():
        values = " | ".join(f"{v:.2f}" for v in np.nanmean(rows, axis=0))
        print(f"| {label if label == 'raw' else f'conditioned, {label}'} | {values} |")


if __name__ == "__main__":
    main()
