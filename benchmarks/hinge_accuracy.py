#!/usr/bin/env python3
"""Accuracy of the hinge analysis on the labelled clips in ../shared/data.

Hinges are deadlifts, RDLs, good mornings, single-leg RDLs, kettlebell swings
and glute bridges (real hip thrusts are analysed as bridges); ``--exercise``
scores only some of them.

Synthetic clips (``synthetic/INDEX.tsv``; rendered, exact truth per frame and
per rep) give:

* rep count per clip (exact or not);
* hip-angle MAE of the measured side against the projected true angle
  (``hip_2d`` in the clip's CSV) over the frames of the set, and the share of
  those frames with a hip angle (none where the knees are hidden, see
  ``formcheck.kinematics.legs_seen``);
* per-fault precision / recall / F1: our full reps are matched one-to-one to
  the true reps by time overlap; a code the truth marks borderline is skipped.

``--rendered DIR`` scores a folder of clips from ``python -m formcheck.synth``
the same way (every clip's JSON is read; no INDEX.tsv needed).

Real clips (``real/GROUND_TRUTH.tsv``, labelled by eye) give the rep count and
fault precision / recall over the reps labelled with a code (``?`` is skipped),
and the list of clips we get wrong.

Pose estimation is the slow part: ``--cache DIR`` keeps each clip's pose
series as ``DIR/<folder>/<clip>.npz`` so later runs analyse in seconds.

Run::

    python benchmarks/hinge_accuracy.py [--data ../shared/data] [--cache DIR]
        [--rendered DIR] [--exercise NAME ...] [--skip-synthetic] [--skip-real]
        [--only NAME ...]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from formcheck.analyze import FrameReader, analyze
from formcheck.errors import NoPersonError
from formcheck.evaluation.scoring import match
from formcheck.kinematics import measure
from formcheck.pose import estimate_poses
from formcheck.pose.mediapipe import PoseEstimator
from formcheck.report import SetReport
from formcheck.series import PoseSeries
from formcheck.video import VideoFileSource, frames_at

ROOT = Path(__file__).resolve().parents[1]
HINGES = ("deadlift", "rdl", "good_morning", "single_leg_rdl", "kb_swing", "glute_bridge")
#: Real clips labelled with an exercise the analysis treats as another.
ANALYSED_AS = {"hip_thrust": "glute_bridge"}
SCORED = (
    "squat_pattern",
    "incomplete_lockout",
    "lean_back",
    "hips_rise_first",
    "bar_drift",
    "free_leg_line",
    "lost_balance",
    "over_arch",
)


def poses(clip: Path, cache: Path | None, data: Path) -> PoseSeries:
    """The clip's pose series, from the cache when there."""
    stored = cache / clip.relative_to(data).with_suffix(".npz") if cache else None
    if stored is not None and stored.exists():
        return PoseSeries.load(stored)
    with (
        VideoFileSource(clip) as source,
        PoseEstimator((source.meta.width, source.meta.height), masks=True) as est,
    ):
        series = estimate_poses(source, source.meta, est)
    if stored is not None:
        stored.parent.mkdir(parents=True, exist_ok=True)
        series.save(stored)
    return series


def reader(video: Path) -> FrameReader:
    """Frames of ``video`` at given times, for the analysis's bar check."""
    return lambda times: frames_at(video, times)


@dataclass
class Tally:
    """Counts of one fault code."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    clips: set[str] = field(default_factory=set)

    def add(self, truth: bool, found: bool, clip: str) -> None:
        self.tp += truth and found
        self.fp += found and not truth
        self.fn += truth and not found
        if truth != found:
            self.clips.add(clip)

    def row(self, code: str) -> str:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else float("nan")
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else float("nan")
        f1 = 2 * p * r / (p + r) if p + r else float("nan")
        wrong = ", ".join(sorted(self.clips)) or "-"
        counts = f"{self.tp} | {self.fp} | {self.fn}"
        return f"| {code} | {counts} | {p:.2f} | {r:.2f} | {f1:.2f} | {wrong} |"


def score_faults(
    tallies: dict[str, Tally],
    report: SetReport,
    truth: list[tuple[float, float, set[str] | None, set[str]]],
    clip: str,
) -> None:
    """Add one clip's reps to the tallies. Truth: (start, end, faults or None=?, skip)."""
    spans = [(r.start_s, r.end_s) for r in report.reps]
    matched = match(spans, [(a, b) for a, b, _, _ in truth])
    checked = set(report.thresholds) - set(report.camera_view.skipped)
    for i, (_, _, faults, skip) in enumerate(truth):
        if faults is None:
            continue
        found = {f.code for f in report.reps[matched[i]].faults} if i in matched else set()
        for code in checked & set(SCORED) - skip:
            tallies[code].add(code in faults, code in found, clip)
    for j, rep in enumerate(report.reps):  # flags on reps the truth does not have
        if j not in matched.values():
            for f in rep.faults:
                if f.code in SCORED:
                    tallies[f.code].add(False, True, clip)


def hip_errors(
    series: PoseSeries, truth_csv: Path, frames: slice, lying: bool = False
) -> tuple[float, float]:
    """MAE of the measured hip angle vs ``hip_2d``, and the share of frames measured."""
    with truth_csv.open() as f:
        true = np.array([float(row["hip_2d"]) for row in csv.DictReader(f)])
    err = np.abs(measure(series, lying=lying).angles["hip"][frames] - true[frames])
    measured = float(np.isfinite(err).mean())
    return (float(np.nanmean(err)) if measured else float("nan")), measured


def synthetic_clips(
    folder: Path, also: tuple[str, ...] = (), kinds: tuple[str, ...] = HINGES
) -> list[dict[str, str]]:
    """Hinge clips (and ``also`` these exercises) of a folder of rendered clips.

    The folder's INDEX.tsv lists them, or else every clip's JSON.
    """
    if (folder / "INDEX.tsv").exists():
        with (folder / "INDEX.tsv").open() as f:
            rows = list(csv.DictReader(f, delimiter="\t"))
    else:
        rows = []
        for path in sorted(folder.glob("*.json")):
            truth = json.loads(path.read_text())
            rows.append(
                {
                    "name": path.stem,
                    "exercise": truth["exercise"],
                    "view_deg": str(truth["view_deg"]),
                }
            )
    return [r for r in rows if r["exercise"] in kinds + also]


def synthetic(folder: Path, cache: Path | None, kinds: tuple[str, ...]) -> None:
    rows = synthetic_clips(folder, kinds=kinds)
    tallies: dict[str, Tally] = defaultdict(Tally)
    print("\n| clip | view | reps true | reps found | hip MAE | hip measured |")
    print("|---|---|---|---|---|---|")
    exact, maes = 0, defaultdict(list)
    for row in rows:
        name = row["name"]
        series = poses(folder / f"{name}.mp4", cache, folder.parent)
        truth = json.loads((folder / f"{name}.json").read_text())
        report = analyze(series, row["exercise"], frames=reader(folder / f"{name}.mp4"))
        fps = truth["fps"]
        reps = [
            (
                r["start_frame"] / fps,
                r["end_frame"] / fps,
                set(r["faults"]),
                set(r.get("borderline", [])),
            )
            for r in truth["reps"]
        ]
        score_faults(tallies, report, reps, name)
        set_phase = next(p for p in truth["phases"] if p["name"] == "set")
        mae, measured = hip_errors(
            series,
            folder / f"{name}.csv",
            slice(set_phase["start_frame"], set_phase["end_frame"] + 1),
            lying=row["exercise"] == "glute_bridge",
        )
        view_deg = float(row["view_deg"])
        view = "front" if view_deg >= 60 else f"{view_deg:g} deg"
        if view != "front":
            maes[view].append((mae, measured))
        ok = report.summary.rep_count == truth["rep_count"]
        exact += ok
        print(
            f"| {name} | {view} | {truth['rep_count']} | {report.summary.rep_count}"
            f"{'' if ok else ' ✗'} | {mae:.1f} | {measured:.0%} |"
        )
    print(f"\nRep count exact: {exact}/{len(rows)} clips")
    for view, pairs in sorted(maes.items(), key=lambda kv: float(kv[0].split()[0])):
        errors = [m for m, _ in pairs if np.isfinite(m)]
        share = np.mean([c for _, c in pairs])
        mae = f"{np.mean(errors):.2f} deg" if errors else "not measured"
        print(
            f"Hip MAE {view}: {mae} over the clips whose legs are seen "
            f"({len(errors)} of {len(pairs)}; {share:.0%} of set frames measured)"
        )
    fault_table(tallies)


def fault_table(tallies: dict[str, Tally]) -> None:
    print("\n| fault | TP | FP | FN | precision | recall | F1 | clips wrong |")
    print("|---|---|---|---|---|---|---|---|")
    for code in SCORED:
        if code in tallies:
            print(tallies[code].row(code))


def real_truth(row: dict[str, str]) -> list[tuple[float, float, set[str] | None, set[str]]]:
    spans = [s for s in row["rep_spans"].split(";") if s]
    faults = row["faults_per_rep"].split(";") if row["faults_per_rep"] else []
    out = []
    for span, label in zip(spans, faults, strict=False):
        a, b = (float(x) for x in span.split("-"))
        codes = None if label == "?" else {c for c in label.split("+") if c != "none"}
        out.append((a, b, codes, set()))
    return out


def real(data: Path, cache: Path | None, only: Iterable[str], kinds: tuple[str, ...]) -> None:
    with (data / "real" / "GROUND_TRUTH.tsv").open() as f:
        rows = [
            r
            for r in csv.DictReader(f, delimiter="\t")
            if ANALYSED_AS.get(r["exercise"], r["exercise"]) in kinds
            and r["usable_for_eval"].startswith("yes")
        ]
    rows = [r for r in rows if not only or any(o in r["path"] for o in only)]
    tallies: dict[str, Tally] = defaultdict(Tally)
    print(
        "\n| clip | view (ours) | reps true | found | partial true | found | faults true | found |"
    )
    print("|---|---|---|---|---|---|---|---|")
    exact, views = 0, Counter()
    for row in rows:
        try:
            series = poses(data / "real" / row["path"], cache, data)
        except NoPersonError:
            print(f"| {Path(row['path']).stem} | {row['camera_view']} (nobody found) | ... |")
            continue
        exercise = ANALYSED_AS.get(row["exercise"], row["exercise"])
        report = analyze(series, exercise, frames=reader(data / "real" / row["path"]))
        truth = real_truth(row)
        score_faults(tallies, report, truth, Path(row["path"]).stem)
        found = ";".join("+".join(f.code for f in r.faults) or "none" for r in report.reps)
        ok = report.summary.rep_count == int(row["rep_count"])
        exact += ok
        views[(row["camera_view"], report.camera_view.label)] += 1
        print(
            f"| {Path(row['path']).stem} | {row['camera_view']} ({report.camera_view.label}) "
            f"| {row['rep_count']} | {report.summary.rep_count}{'' if ok else ' ✗'} "
            f"| {row['partial_reps']} | {report.summary.partial_reps} "
            f"| {row['faults_per_rep'] or '-'} | {found or '-'} |"
        )
    print(f"\nRep count exact: {exact}/{len(rows)} clips")
    print("Camera view (labelled, ours):", dict(views))
    fault_table(tallies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--cache", type=Path, help="Folder for pose series (.npz) per clip.")
    parser.add_argument("--only", nargs="*", default=(), help="Real clips whose path has this.")
    parser.add_argument(
        "--rendered", type=Path, help="Also score a folder of clips from python -m formcheck.synth."
    )
    parser.add_argument(
        "--exercise", nargs="*", default=HINGES, choices=HINGES, help="Score only these."
    )
    parser.add_argument("--skip-synthetic", action="store_true")
    parser.add_argument("--skip-real", action="store_true")
    args = parser.parse_args()
    if not args.data.is_dir():
        sys.exit(f"{args.data}: no such folder (the labelled clips live in ../shared/data)")
    if not args.skip_synthetic:
        synthetic(args.data / "synthetic", args.cache, tuple(args.exercise))
    if args.rendered:
        synthetic(args.rendered, args.cache, tuple(args.exercise))
    if not args.skip_real:
        real(args.data, args.cache, args.only, tuple(args.exercise))


if __name__ == "__main__":
    main()
