#!/usr/bin/env python3
"""How noisy the pose-based velocity loss is (``formcheck.velocity``).

For each full rep the analysis reads a concentric speed proxy from the rep's
metrics (``formcheck.velocity.SPEED_METRICS``); the loss at rep k is
``100 * (1 - v_k / max(v_1, v_2))`` and the set's loss is the last rep's. The
coaching rule ``velocity_cap`` tells the lifter to end the set earlier once it
reaches ``VELOCITY_CAP_PCT`` (25 %).

* Shared synthetic clips (``synthetic/INDEX.tsv``): every clip keeps one tempo
  (its reps' rise times still vary by a frame or a few), so the true loss is
  about 0 and whatever we measure is mostly noise. Per clip: the per-rep speeds,
  our loss, and two true losses: the same proxy computed from the true keypoints
  in the clip's CSV (what the definition gives without pose noise; faults on
  some reps change their path, hence their speed) and that of the true rise
  times (JSON frame labels). Then the noise floor: median, p90 and max of |loss|
  and the clips that reach 20 % and 25 % (false alarms).
* Real clips (``real/GROUND_TRUTH.tsv``, usable for evaluation, 3 reps or more,
  an exercise with a speed proxy): the same numbers, only reported: real lifters
  do slow down, and nobody measured by how much.
* ``--rendered DIR`` (repeatable): clips from ``python -m formcheck.synth ...
  --fatigue PCT``, whose last rep rises PCT % slower than the first along the same
  path: the true loss is PCT. Measured against true, per clip and summed up.

Beside the proxy's loss the tables show the loss of the rise time's inverse
(``rise_s``, bottom to top), a mean-speed proxy over an unchanged path.

Pose estimation is the slow part: ``--cache DIR`` keeps each clip's pose series
as ``DIR/<folder>/<clip>.npz`` (the layout of ``hinge_accuracy.py``, whose
caches it shares), so later runs take seconds.

Run::

    python benchmarks/velocity_loss.py [--data ../shared/data] [--cache DIR]
        [--rendered DIR ...] [--skip-synthetic] [--skip-real]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from hinge_accuracy import ANALYSED_AS, ROOT, poses, reader, synthetic_clips

from formcheck.analyze import analyze
from formcheck.coaching.rules import VELOCITY_CAP_PCT
from formcheck.errors import NoPersonError
from formcheck.velocity import SPEED_METRICS, velocity_loss

ALARMS = (20.0, VELOCITY_CAP_PCT)


@dataclass(frozen=True)
class Measured:
    """What the analysis makes of one clip's set."""

    reps: int
    speeds: tuple[float, ...]
    loss: float  # last rep, per cent; NaN when not measured
    peak_loss: float  # the largest of any rep
    rise_loss: float  # last rep, from 1 / rise_s


def measure_clip(video: Path, exercise: str, cache: Path | None, data: Path) -> Measured:
    """Our reps, speeds and losses of a clip."""
    report = analyze(poses(video, cache, data), exercise, frames=reader(video))
    metric = SPEED_METRICS[exercise]
    speeds = tuple(r.metrics.get(metric, math.nan) for r in report.reps)
    loss = velocity_loss(speeds)
    rises = [r.metrics.get("rise_s", math.nan) for r in report.reps]
    rise = velocity_loss([1 / s if s > 0 else math.nan for s in rises])
    pct = report.set_metrics.get("velocity_loss_pct", math.nan)
    assert isinstance(pct, float)
    assert loss is None or loss.pct == pct, "the set's loss is the last rep's"
    return Measured(
        len(report.reps),
        speeds,
        pct,
        max(loss.by_rep) if loss else math.nan,
        rise.pct if rise else math.nan,
    )


def true_loss(truth: dict[str, object], truth_csv: Path, exercise: str) -> float:
    """The loss of the same proxy computed from the true keypoints in the clip's CSV.

    Vertical speed of the mid-shoulder or mid-hip in the image, or the rate at
    which the image trunk (mid-hip to mid-shoulder) comes up towards vertical
    (swing), at its peak between each true rep's bottom and top frames.
    """
    with truth_csv.open() as f:
        rows = list(csv.DictReader(f))
    t = np.array([float(r["time_s"]) for r in rows])

    def column(name: str) -> np.ndarray:
        return np.array([float(r[name]) if r[name] else np.nan for r in rows])

    def mid(joint: str, axis: str) -> np.ndarray:
        return (column(f"px_left_{joint}_{axis}") + column(f"px_right_{joint}_{axis}")) / 2

    metric = SPEED_METRICS[exercise]
    if metric == "peak_trunk_extension_deg_per_s":
        dx = mid("shoulder", "x") - mid("hip", "x")
        up = mid("hip", "y") - mid("shoulder", "y")  # image y runs down
        rate = -np.gradient(np.degrees(np.arctan2(np.abs(dx), up)), t)
    else:
        y = mid("shoulder" if "shoulder" in metric else "hip", "y")
        rate = -np.gradient(y, t)
    reps = truth["reps"]
    assert isinstance(reps, list)
    peaks = [float(np.nanmax(rate[r["bottom_frame"] : r["top_frame"] + 1])) for r in reps]
    loss = velocity_loss(peaks)
    return loss.pct if loss else math.nan


def true_rise_loss(truth: dict[str, object]) -> float:
    """The loss of 1 / rise time over the true reps' bottom and top frames."""
    reps = truth["reps"]
    assert isinstance(reps, list)
    loss = velocity_loss([1 / max(r["top_frame"] - r["bottom_frame"], 1) for r in reps])
    return loss.pct if loss else math.nan


def speeds_text(speeds: Sequence[float], exercise: str) -> str:
    digits = 0 if SPEED_METRICS[exercise].endswith("deg_per_s") else 2
    return " ".join(f"{v:.{digits}f}" for v in speeds) or "-"


def view_name(view_deg: float) -> str:
    return "front" if view_deg >= 60 else f"{view_deg:g}°"


def pct(value: float) -> str:
    return f"{value:.1f}" if math.isfinite(value) else "-"


def noise_floor(label: str, losses: Sequence[float], alarms: bool = True) -> None:
    """Median, p90 and max of |loss|, and how many clips reach each alarm line.

    An alarm is a loss (signed: a set that speeds up raises none) at the line or past it.
    """
    values = np.array([v for v in losses if math.isfinite(v)])
    if not len(values):
        print(f"{label}: no clip measured")
        return
    size = np.abs(values)
    line = f"{label} ({len(values)} clips): |loss| median {np.median(size):.1f} %, "
    line += f"p90 {np.percentile(size, 90):.1f} %, max {size.max():.1f} %"
    if alarms:
        line += "; loss " + ", ".join(f"≥ {a:g} %: {int((values >= a).sum())}" for a in ALARMS)
    print(line)


def synthetic(folder: Path, cache: Path | None) -> None:
    """Clips of one tempo: the loss we measure is noise, up to the reps' own jitter."""
    print(f"\n## {folder}: one tempo per clip (true loss ~0)\n")
    print(
        "| clip | exercise | view | reps true | found | speed per rep | loss % | peak loss % "
        "| rise-time loss % | true: proxy on true keypoints % | true: rise time % |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    groups: dict[str, list[float]] = defaultdict(list)
    spread: list[float] = []  # per clip: the speeds' coefficient of variation, %
    for row in synthetic_clips(folder, kinds=tuple(SPEED_METRICS)):
        name, exercise = row["name"], row["exercise"]
        truth = json.loads((folder / f"{name}.json").read_text())
        got = measure_clip(folder / f"{name}.mp4", exercise, cache, folder.parent)
        ideal = true_loss(truth, folder / f"{name}.csv", exercise)
        view = view_name(float(row["view_deg"]))
        print(
            f"| {name} | {exercise} | {view} | {truth['rep_count']} | {got.reps} "
            f"| {speeds_text(got.speeds, exercise)} | {pct(got.loss)} | {pct(got.peak_loss)} "
            f"| {pct(got.rise_loss)} | {pct(ideal)} | {pct(true_rise_loss(truth))} |"
        )
        groups["loss, all"].append(got.loss)
        groups[f"loss, {exercise}"].append(got.loss)
        if len(truth["faulty_reps"]) in (0, truth["rep_count"]):
            groups["loss, clips whose reps all share one path"].append(got.loss)
            if math.isfinite(got.loss):
                spread.append(100 * float(np.std(got.speeds) / np.mean(got.speeds)))
        groups["peak loss over the reps, all"].append(got.peak_loss)
        groups["rise-time loss, all"].append(got.rise_loss)
        groups["true: proxy on true keypoints, all"].append(ideal)
        groups["true: rise time, all"].append(true_rise_loss(truth))
        groups["loss minus proxy on true keypoints, all"].append(got.loss - ideal)
    print()
    for label, losses in groups.items():
        noise_floor(label, losses, alarms="minus" not in label)
    if spread:
        print(
            f"Speeds of one clip's reps (clips whose reps share one path, {len(spread)}): "
            f"coefficient of variation median {np.median(spread):.1f} %, max {max(spread):.1f} %"
        )


def real(data: Path, cache: Path | None) -> None:
    """Real sets of three reps or more: reported, no truth."""
    with (data / "real" / "GROUND_TRUTH.tsv").open() as f:
        rows = [
            r
            for r in csv.DictReader(f, delimiter="\t")
            if ANALYSED_AS.get(r["exercise"], r["exercise"]) in SPEED_METRICS
            and r["usable_for_eval"].startswith("yes")
            and int(r["rep_count"] or 0) >= 3
        ]
    print("\n## real clips (3 reps or more; no truth for the loss)\n")
    print(
        "| clip | exercise | view | reps true | found | speed per rep | loss % "
        "| peak loss % | rise-time loss % |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        exercise = ANALYSED_AS.get(row["exercise"], row["exercise"])
        clip = Path(row["path"]).stem
        try:
            got = measure_clip(data / "real" / row["path"], exercise, cache, data)
        except NoPersonError:
            print(f"| {clip} | {exercise} | {row['camera_view']} | nobody found |")
            continue
        print(
            f"| {clip} | {exercise} | {row['camera_view']} | {row['rep_count']} | {got.reps} "
            f"| {speeds_text(got.speeds, exercise)} | {pct(got.loss)} | {pct(got.peak_loss)} "
            f"| {pct(got.rise_loss)} |"
        )


def rendered(folder: Path, cache: Path | None) -> None:
    """Clips rendered with a known slowdown: measured against true."""
    print(f"\n## {folder}: rendered with --fatigue (true loss = PCT)\n")
    print(
        "| clip | exercise | view | reps true | found | speed per rep | true % "
        "| proxy on true keypoints % | loss % | error | rise-time loss % | true rise time % |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    errors: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for row in synthetic_clips(folder, kinds=tuple(SPEED_METRICS)):
        name, exercise = row["name"], row["exercise"]
        truth = json.loads((folder / f"{name}.json").read_text())
        fatigue = float(truth["spec"].get("fatigue_pct", 0.0))
        got = measure_clip(folder / f"{name}.mp4", exercise, cache, folder.parent)
        ideal = true_loss(truth, folder / f"{name}.csv", exercise)
        view = view_name(float(row["view_deg"]))
        print(
            f"| {name} | {exercise} | {view} | {truth['rep_count']} | {got.reps} "
            f"| {speeds_text(got.speeds, exercise)} | {fatigue:g} | {pct(ideal)} "
            f"| {pct(got.loss)} | {got.loss - fatigue:+.1f} | {pct(got.rise_loss)} "
            f"| {pct(true_rise_loss(truth))} |"
        )
        errors[(exercise, view)].append((fatigue, got.loss))
        errors[(exercise, "all")].append((fatigue, got.loss))
    print("\n| exercise | view | clips | mean error | mean abs error | max abs error | slope |")
    print("|---|---|---|---|---|---|---|")
    for (exercise, view), pairs in sorted(errors.items()):
        true, got = (np.array(v) for v in zip(*pairs, strict=True))
        ok = np.isfinite(got)
        err = got[ok] - true[ok]
        slope = np.polyfit(true[ok], got[ok], 1)[0] if len(set(true[ok])) > 1 else math.nan
        print(
            f"| {exercise} | {view} | {ok.sum()} of {len(ok)} | {err.mean():+.1f} "
            f"| {np.abs(err).mean():.1f} | {np.abs(err).max():.1f} | {slope:.2f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--cache", type=Path, help="Folder for pose series (.npz) per clip.")
    parser.add_argument(
        "--rendered",
        type=Path,
        action="append",
        default=[],
        help="A folder of clips from python -m formcheck.synth --fatigue PCT (repeatable).",
    )
    parser.add_argument("--skip-synthetic", action="store_true")
    parser.add_argument("--skip-real", action="store_true")
    args = parser.parse_args()
    if args.data.is_dir():
        if not args.skip_synthetic:
            synthetic(args.data / "synthetic", args.cache)
        if not args.skip_real:
            real(args.data, args.cache)
    else:
        print(f"{args.data}: no such folder (the labelled clips live in ../shared/data); skipped")
    for folder in args.rendered:
        if folder.is_dir():
            rendered(folder, args.cache)
        else:
            print(f"{folder}: no such folder; skipped")


if __name__ == "__main__":
    main()
