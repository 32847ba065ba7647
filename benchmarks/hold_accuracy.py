#!/usr/bin/env python3
"""Accuracy of the timed-hold analysis (``formcheck.holds``) on labelled data.

Synthetic plank clips (``synthetic/plank_*`` of ../shared/data, and folders of
clips rendered by ``python -m formcheck.synth`` given with ``--rendered``): the
truth gives each hold's frames and, per frame, the posed body's sag (``sag_3d``
in the ``.csv``; its sign is flipped to ours, sag negative). Printed per clip and
in total:

* hold start and end error, matched to the true holds by overlap;
* the error of the measured hip deviation against the true one over the holds
  (median and 90th percentile of the absolute error);
* fault intervals: the true ones are spells of the true deviation past the
  profile's line, found with the same rule as ours (at least ``MIN_FAULT_S``,
  short gaps bridged); an interval of ours is right when it overlaps a true one
  of its code, a true one is found when one of ours overlaps it; precision and
  recall over intervals, and the start error of matched sag intervals;
* fatigue onset error against the truth's sag onset (first frame after which the
  sag stays 3 deg or more above the hold's first 2 s).

Keypoint rows (``keypoints/NgoQuocBao1010_Exercise-Correction_plank``): each row
is one labelled frame (C correct, H hips high, L hips low) of normalised
MediaPipe landmarks; the frame is classified by the profile's lines alone (no
model) after scaling x by the video's aspect, which the files do not give
(16:9 and 4:3 are shown). ``test.csv`` is held out; the history files, from
which the lines were chosen, are shown as the development set.

``--live`` scores the synthetic clips as the live mode will see them: raw
frames one at a time through a causal One Euro filter into the same
:class:`formcheck.holds.HoldTracker`, the side chosen from what it has seen.

Real clips (``real/GROUND_TRUTH.tsv``, exercise plank): the time in hold we
find against ``hold_s``, and our holds' spans.

Run::

    python benchmarks/hold_accuracy.py --cache DIR [--rendered DIR ...]
        [--data ../shared/data] [--profile standard] [--live]
"""

from __future__ import annotations

import argparse
import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from formcheck import holds
from formcheck.analyze import analyze, hold_limits
from formcheck.conditioning import Conditioning, OneEuro, condition
from formcheck.exercises import PLANK
from formcheck.kinematics import near_side
from formcheck.pose import estimate_poses
from formcheck.pose.mediapipe import PoseEstimator
from formcheck.series import PoseSeries
from formcheck.skeleton import INDEX, N_LANDMARKS
from formcheck.thresholds import thresholds
from formcheck.video import VideoFileSource

ROOT = Path(__file__).resolve().parents[1]
KEYPOINTS = "keypoints/NgoQuocBao1010_Exercise-Correction_plank"
DEV_FILES = (
    "dataset2_hist.csv",
    "dataset3_hist.csv",
    "bad_data_hist.csv",
    "bad_data_high_hip_hist.csv",
    "kaggle.csv",
)
ASPECTS = {"16:9": 16 / 9, "4:3": 4 / 3}


def poses(clip: Path, cache: Path) -> PoseSeries:
    """The clip's landmarks, from ``cache/<name>.npz`` when there."""
    stored = cache / f"{clip.stem}.npz"
    if stored.exists():
        return PoseSeries.load(stored)
    with (
        VideoFileSource(clip) as source,
        PoseEstimator((source.meta.width, source.meta.height)) as estimator,
    ):
        series = estimate_poses(source, source.meta, estimator)
    cache.mkdir(parents=True, exist_ok=True)
    series.save(stored)
    return series


@dataclass
class Scores:
    """Tallies over clips."""

    start_err: list[float] = field(default_factory=list)
    end_err: list[float] = field(default_factory=list)
    dev_err: list[float] = field(default_factory=list)
    onset_err: list[float] = field(default_factory=list)
    sag_start_err: list[float] = field(default_factory=list)
    missed_onsets: int = 0
    false_onsets: int = 0
    holds_true: int = 0
    holds_found: int = 0
    intervals: dict[str, list[int]] = field(default_factory=dict)  # code -> [tp, fp, fn]

    def tally(self, code: str, tp: int = 0, fp: int = 0, fn: int = 0) -> None:
        counts = self.intervals.setdefault(code, [0, 0, 0])
        counts[0], counts[1], counts[2] = counts[0] + tp, counts[1] + fp, counts[2] + fn


def true_intervals(
    t: np.ndarray, deviation: np.ndarray, limits: holds.HoldLimits
) -> list[tuple[str, float, float]]:
    """Spells of the true deviation past the lines, by the analysis's own spell rule."""
    out = []
    for code, past in (
        ("hip_sag", deviation <= limits.sag_deg),
        ("hip_pike", deviation >= limits.pike_deg),
    ):
        spells = holds.Spells(holds.FAULT_BRIDGE_S, holds.MIN_FAULT_S)
        for when, on in zip(t, past, strict=True):
            spells.update(float(when), bool(on))
        spells.close()
        out += [(code, a, b) for a, b in spells.spells]
    return out


def overlaps(a: tuple[str, float, float], b: tuple[str, float, float]) -> bool:
    return a[0] == b[0] and min(a[2], b[2]) > max(a[1], b[1])


def measured_deviation(series: PoseSeries) -> np.ndarray:
    """Per-frame hip deviation from the conditioned landmarks (what the holds see)."""
    xy, _ = condition(series.xy, series.visibility, series.t)
    return holds.body_line(xy, near_side(series.visibility), "ankle").deviation_deg


def live_holds(series: PoseSeries, limits: holds.HoldLimits) -> list[holds.Hold]:
    """The holds as live mode finds them: frames one by one, a causal One Euro filter."""
    gate = Conditioning().min_visibility
    tracker = holds.HoldTracker(PLANK, limits)  # the side from what it has seen so far
    smooth = OneEuro()
    for t, xy, visibility in zip(series.t, series.xy, series.visibility, strict=True):
        seen = np.where((visibility >= gate)[:, None], xy, np.nan)
        tracker.update(float(t), smooth(seen, float(t)), visibility)
    return tracker.finish()


def score_clip(clip: Path, cache: Path, profile: str, scores: Scores, live: bool) -> str:
    """Score one synthetic clip; returns its line of the per-clip table."""
    truth = json.loads(clip.with_suffix(".json").read_text())
    with clip.with_suffix(".csv").open() as f:
        true_dev = -np.array([float(row["sag_3d"]) for row in csv.DictReader(f)])
    series = poses(clip, cache)
    limits = thresholds("plank", profile)  # type: ignore[arg-type]
    ours = (
        live_holds(series, hold_limits(limits)) if live else analyze(series, "plank", limits).holds
    )
    fps, t = truth["fps"], series.t
    scores.holds_true += len(truth["holds"])
    scores.holds_found += len(ours)
    measured = measured_deviation(series)
    line = f"{clip.stem:34s} holds {len(ours)}/{len(truth['holds'])}"
    for true in truth["holds"]:
        a, b = true["start_frame"], true["end_frame"]
        match = [h for h in ours if min(h.end_s, b / fps) > max(h.start_s, a / fps)]
        span = slice(a, b + 1)
        scores.dev_err += list(np.abs(measured[span] - true_dev[span]))
        if not match:
            continue
        hold = match[0]
        scores.start_err.append(hold.start_s - a / fps)
        scores.end_err.append(hold.end_s - b / fps)
        line += f"  [{hold.start_s - a / fps:+.1f} s, {hold.end_s - b / fps:+.1f} s]"
        line += _score_faults(hold, t[span], true_dev[span], hold_limits(limits), scores)
        line += _score_onset(hold, true, fps, scores)
    return line


def _score_faults(
    hold: holds.Hold, t: np.ndarray, true_dev: np.ndarray, limits: holds.HoldLimits, s: Scores
) -> str:
    truth = true_intervals(t, true_dev, limits)
    found = [(i.code, i.start_s, i.end_s) for i in hold.faults]
    for code in ("hip_sag", "hip_pike"):
        mine = [f for f in found if f[0] == code]
        real = [r for r in truth if r[0] == code]
        tp = sum(any(overlaps(f, r) for r in real) for f in mine)
        fn = sum(not any(overlaps(f, r) for f in mine) for r in real)
        s.tally(code, tp=tp, fp=len(mine) - tp, fn=fn)
    for r in truth:
        hit = [f for f in found if overlaps(f, r)]
        if hit and r[0] == "hip_sag":
            s.sag_start_err.append(hit[0][1] - r[1])
    text = ", ".join(f"{c} {a:.1f}-{b:.1f}" for c, a, b in found) or "-"
    return f" ours: {text}; true: " + (
        ", ".join(f"{c} {a:.1f}-{b:.1f}" for c, a, b in truth) or "-"
    )


def _score_onset(hold: holds.Hold, true: dict, fps: float, s: Scores) -> str:
    onset = true.get("sag_onset_frame")
    if onset is None:
        s.false_onsets += hold.fatigue_onset_s is not None
        return f"; onset none/{hold.fatigue_onset_s and round(hold.fatigue_onset_s, 1)}"
    if hold.fatigue_onset_s is None:
        s.missed_onsets += 1
        return f"; onset {onset / fps:.1f}/missed"
    s.onset_err.append(hold.fatigue_onset_s - onset / fps)
    return f"; onset {onset / fps:.1f}/{hold.fatigue_onset_s:.1f}"


def _stats(values: list[float]) -> str:
    if not values:
        return "n=0"
    v = np.asarray(values)
    mean, worst = np.mean(np.abs(v)), np.max(np.abs(v))
    return f"n={len(v)} median {np.median(v):+.2f} s, mean |err| {mean:.2f} s, max {worst:.2f} s"


def synthetic(folders: list[Path], cache: Path, profile: str, live: bool) -> None:
    scores = Scores()
    for folder in folders:
        for clip in sorted(folder.glob("*.mp4")):
            truth_file = clip.with_suffix(".json")
            if not truth_file.exists() or not json.loads(truth_file.read_text()).get("holds"):
                continue
            print(score_clip(clip, cache, profile, scores, live))
    print(f"\nholds found {scores.holds_found} / true {scores.holds_true}")
    print(f"hold start error: {_stats(scores.start_err)}")
    print(f"hold end error:   {_stats(scores.end_err)}")
    err = np.asarray(scores.dev_err)
    err = err[np.isfinite(err)]
    median, p90 = np.median(err), np.percentile(err, 90)
    print(f"hip deviation |error| over the holds: median {median:.1f} deg, p90 {p90:.1f} deg")
    for code, (tp, fp, fn) in scores.intervals.items():
        p = tp / (tp + fp) if tp + fp else float("nan")
        r = tp / (tp + fn) if tp + fn else float("nan")
        print(f"{code} intervals: tp {tp} fp {fp} fn {fn}  precision {p:.2f} recall {r:.2f}")
    print(f"sag interval start error: {_stats(scores.sag_start_err)}")
    print(f"fatigue onset error: {_stats(scores.onset_err)}")
    print(f"   missed {scores.missed_onsets}, found on holds without one {scores.false_onsets}")


def keypoint_rows(path: Path, aspect: float) -> tuple[np.ndarray, np.ndarray]:
    """(labels, per-row hip deviation) of one keypoint file, x scaled by ``aspect``."""
    with path.open() as f:
        rows = list(csv.DictReader(f))
    xy = np.full((len(rows), N_LANDMARKS, 2), np.nan)
    vis = np.zeros((len(rows), N_LANDMARKS))
    names = [n for n in INDEX if f"{n}_x" in rows[0]]
    for n in names:
        xy[:, INDEX[n], 0] = [float(r[f"{n}_x"]) * aspect for r in rows]
        xy[:, INDEX[n], 1] = [float(r[f"{n}_y"]) for r in rows]
        vis[:, INDEX[n]] = [float(r[f"{n}_v"]) for r in rows]
    parts = ("shoulder", "hip", "ankle")
    score = {s: vis[:, [INDEX[f"{s}_{p}"] for p in parts]].sum(axis=1) for s in ("left", "right")}
    left = holds.body_line(xy, "left", "ankle").deviation_deg
    right = holds.body_line(xy, "right", "ankle").deviation_deg
    return np.array([r["label"] for r in rows]), np.where(
        score["left"] >= score["right"], left, right
    )


def keypoints(data: Path, profile: str) -> None:
    limits = hold_limits(thresholds("plank", profile))  # type: ignore[arg-type]
    folder = data / KEYPOINTS
    for aspect_name, aspect in ASPECTS.items():
        for title, files in (
            ("held out: test.csv", ("test.csv",)),
            ("development: history files", DEV_FILES),
        ):
            loaded = [keypoint_rows(folder / f, aspect) for f in files]
            labels = np.concatenate([lab for lab, _ in loaded])
            dev = np.concatenate([d for _, d in loaded])
            pred = np.where(dev <= limits.sag_deg, "L", np.where(dev >= limits.pike_deg, "H", "C"))
            print(
                f"{aspect_name} {title}: {len(labels)} rows, accuracy {np.mean(pred == labels):.3f}"
            )
            for c in "CHL":
                m = labels == c
                if m.any():
                    q = "/".join(f"{v:+.1f}" for v in np.percentile(dev[m], [10, 50, 90]))
                    got = {k: int(np.sum(pred[m] == k)) for k in "CHL"}
                    print(f"   {c}: n={m.sum():5d} deviation p10/50/90 {q}  classified {got}")


def real(data: Path, cache: Path, profile: str) -> None:
    with (data / "real" / "GROUND_TRUTH.tsv").open() as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if r["exercise"] == "plank"]
    for row in rows:
        series = poses(data / "real" / row["path"], cache)
        report = analyze(series, "plank", thresholds("plank", profile))  # type: ignore[arg-type]
        spans = ", ".join(f"{h.start_s:.1f}-{h.end_s:.1f}" for h in report.holds) or "none"
        faults = [f"{i.code} {i.start_s:.1f}-{i.end_s:.1f}" for h in report.holds for i in h.faults]
        print(
            f"{row['path']:28s} hold_s {row['hold_s']:>5s} (spans {row['rep_spans']}); ours "
            f"{report.summary.hold_s:5.1f} s ({spans}); faults: {', '.join(faults) or 'none'}"
        )
        for warning in (*report.camera_view.warnings, *report.warnings):
            print(f"    warning: {warning}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cache", type=Path, required=True, help="folder of pose .npz files")
    parser.add_argument(
        "--rendered", type=Path, nargs="*", default=[], help="folders of rendered clips"
    )
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--profile", default="standard", choices=("beginner", "standard", "strict"))
    parser.add_argument(
        "--live", action="store_true", help="synthetic clips as live mode sees them (causal)"
    )
    args = parser.parse_args()
    print(f"== synthetic plank clips ({args.profile}{', live' if args.live else ''})")
    synthetic([args.data / "synthetic", *args.rendered], args.cache, args.profile, args.live)
    print(f"\n== keypoint rows ({args.profile})")
    keypoints(args.data, args.profile)
    print(f"\n== real plank clips ({args.profile})")
    real(args.data, args.cache, args.profile)


if __name__ == "__main__":
    main()
