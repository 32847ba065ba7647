#!/usr/bin/env python3
"""Accuracy of the rounded-back check (``formcheck.spine``) on labelled clips.

Synthetic clips (``synthetic/INDEX.tsv`` of ../shared/data, and folders of clips
rendered by ``python -m formcheck.synth`` given with ``--rendered``): the reps
the analysis counts are matched to the true reps by time overlap. Per rep the
truth gives the spine flexion of the posed body (``max_spine_flex_deg``); a
rep is rounded at 20 degrees or more, and reps in the grey zone (12-20) are
skipped when scoring, as the corpus marks them. Printed:

* precision, recall and F1 of ``rounded_back``, the share of clean reps flagged,
  and how many reps the check abstained on (not judged: neither right nor wrong);
* measured against true: the check's value (bow beyond the lifter's reference)
  by band of true flexion, and the smallest flexion detected reliably (recall of
  at least 90 % in its band and every band above it), over the sets that have a
  clean rep; sets rounded throughout are tallied apart.

Kettlebell swings are scored on their true reps, the check called on them
directly, as when this benchmark was first run (before swings were counted).

Real clips (``real/GROUND_TRUTH.tsv``, usable for evaluation, deadlift, RDL, good
morning and swing reps labelled ``rounded_back`` or clean) give the same tallies
and the list of reps we get wrong.

Run::

    python benchmarks/spine_accuracy.py --cache DIR [--rendered DIR ...]
        [--data ../shared/data] [--skip-shared] [--skip-real]
"""

from __future__ import annotations

import argparse
import csv
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from hinge_accuracy import match, poses, reader  # this script's folder is on sys.path

from formcheck.analyze import analyze
from formcheck.checks import CHECKS, Measurement
from formcheck.kinematics import measure
from formcheck.reps import Rep
from formcheck.series import PoseSeries
from formcheck.thresholds import TABLE

ROOT = Path(__file__).resolve().parents[1]
CODE = "rounded_back"
#: The synthetic corpus's lines: rounded from 20 deg of spine flexion, grey zone from 12.
ROUNDED_DEG, GREY_DEG = 20.0, 12.0
BANDS = ((0, 6), (6, 12), (12, 16), (16, 20), (20, 24), (24, 28), (28, 32), (32, 45))
EXERCISES = ("deadlift", "rdl", "good_morning", "kb_swing")


@dataclass
class Verdict:
    """What the check said about one true rep."""

    clip: str
    exercise: str
    rep: int
    truth: str  # "rounded", "clean", "grey"
    flagged: bool | None  # None: abstained or not matched to a counted rep
    value: float = float("nan")
    flexion: float = float("nan")
    why: str = ""


def synthetic_verdicts(folder: Path, cache: Path, data_root: Path) -> list[Verdict]:
    """One verdict per true rep of every hinge or swing clip in ``folder``."""
    out = []
    for truth_file in sorted(folder.glob("*.json")):
        truth = json.loads(truth_file.read_text())
        if truth.get("exercise") not in EXERCISES or not truth.get("reps"):
            continue
        clip = truth_file.with_suffix(".mp4")
        series = poses(clip, cache, data_root)
        found = _judge_clip(series, truth["exercise"], clip, truth)
        for r, (flagged, value, why) in zip(truth["reps"], found, strict=True):
            flex = r["measured_3d"]["max_spine_flex_deg"]
            label = "rounded" if flex >= ROUNDED_DEG else "grey" if flex >= GREY_DEG else "clean"
            out.append(
                Verdict(
                    truth_file.stem, truth["exercise"], r["index"], label, flagged, value, flex, why
                )
            )
    return out


Found = tuple[bool | None, float, str]


def _judge_clip(
    series: PoseSeries, exercise: str, clip: Path, truth: dict[str, object]
) -> list[Found]:
    fps = float(truth["fps"])  # type: ignore[arg-type]
    reps = truth["reps"]
    assert isinstance(reps, list)
    spans = [(r["start_frame"] / fps, r["end_frame"] / fps) for r in reps]
    if exercise == "kb_swing":
        return _on_true_reps(series, exercise, reps)
    return _on_counted_reps(series, exercise, clip, spans)


def _on_counted_reps(
    series: PoseSeries, exercise: str, clip: Path | None, spans: list[tuple[float, float]]
) -> list[Found]:
    """The full analysis; each true span gets the verdict of the counted rep matched to it."""
    report = analyze(series, exercise, frames=reader(clip) if clip else None)
    matched = match([(r.start_s, r.end_s) for r in report.reps], spans)
    out: list[Found] = []
    for i in range(len(spans)):
        if i not in matched:
            out.append((None, float("nan"), "not counted"))
            continue
        rep = report.reps[matched[i]]
        if CODE in rep.abstained:
            out.append((None, float("nan"), rep.abstained[CODE]))
        elif CODE not in rep.metrics:
            out.append((None, float("nan"), f"{rep.view} view"))
        else:
            flagged = any(f.code == CODE for f in rep.faults)
            out.append((flagged, rep.metrics[CODE], ""))
    return out


def _on_true_reps(series: PoseSeries, exercise: str, reps: list[dict[str, int]]) -> list[Found]:
    """The check alone, on the true reps (for exercises without a rep counter yet)."""
    kin = measure(series)
    ours = [
        Rep(
            r["index"],
            r["start_frame"],
            r["bottom_frame"],
            r["top_frame"],
            r["end_frame"],
            r["end_frame"],
            True,
        )
        for r in reps
    ]
    del exercise  # every hinge has the same line; the swing will share it (issue 7)
    line = TABLE["deadlift"][CODE].standard
    out: list[Found] = []
    for rep in ours:
        view = kin.view_of(slice(rep.start, rep.end + 1)).label
        if view not in CHECKS[CODE].views:
            out.append((None, float("nan"), f"{view} view"))
            continue
        found = CHECKS[CODE].measure(kin, rep, ours)
        if isinstance(found, Measurement):
            out.append((found.value >= line, found.value, ""))
        else:
            out.append((None, float("nan"), getattr(found, "reason", "no trunk")))
    return out


def real_verdicts(data: Path, cache: Path) -> list[Verdict]:
    """One verdict per labelled rep of the usable real clips."""
    with (data / "real" / "GROUND_TRUTH.tsv").open() as f:
        rows = [
            r
            for r in csv.DictReader(f, delimiter="\t")
            if r["exercise"] in EXERCISES and r["usable_for_eval"].startswith("yes")
        ]
    out = []
    for row in rows:
        labels = row["faults_per_rep"].split(";") if row["faults_per_rep"] else []
        spans = [tuple(float(x) for x in s.split("-")) for s in row["rep_spans"].split(";") if s]
        if not labels or all(label == "?" for label in labels):
            continue
        clip = data / "real" / row["path"]
        series = poses(clip, cache, data)
        if row["exercise"] == "kb_swing":
            found = _on_real_swing(series, spans)
        else:
            found = _on_counted_reps(series, row["exercise"], clip, spans)  # type: ignore[arg-type]
        for i, (label, (flagged, value, why)) in enumerate(zip(labels, found, strict=False)):
            if label == "?":
                continue
            truth = "rounded" if CODE in label.split("+") else "clean"
            name = Path(row["path"]).stem
            out.append(Verdict(name, row["exercise"], i + 1, truth, flagged, value, why=why))
    return out


def _on_real_swing(series: PoseSeries, spans: list[tuple[float, ...]]) -> list[Found]:
    t = series.t
    reps = []
    for i, (a, b) in enumerate(spans):
        start, end = int(np.searchsorted(t, a)), min(int(np.searchsorted(t, b)), len(t) - 1)
        reps.append(
            {
                "index": i + 1,
                "start_frame": start,
                "bottom_frame": (start + end) // 2,
                "top_frame": end,
                "end_frame": end,
            }
        )
    return _on_true_reps(series, "kb_swing", reps)


def tally(verdicts: list[Verdict], title: str) -> None:
    scored = [v for v in verdicts if v.truth != "grey" and v.flagged is not None]
    tp = sum(v.flagged and v.truth == "rounded" for v in scored)
    fp = sum(v.flagged and v.truth == "clean" for v in scored)
    fn = sum(not v.flagged and v.truth == "rounded" for v in scored)
    clean = sum(v.truth == "clean" for v in scored)
    p = tp / (tp + fp) if tp + fp else float("nan")
    r = tp / (tp + fn) if tp + fn else float("nan")
    f1 = 2 * p * r / (p + r) if p + r else float("nan")
    abstained = [v for v in verdicts if v.flagged is None and v.truth != "grey"]
    print(
        f"| {title} | {tp + fn} | {clean} | {tp} | {fp} | {fn} | {p:.2f} | {r:.2f} | {f1:.2f} "
        f"| {fp / clean if clean else float('nan'):.1%} | {len(abstained)} |"
    )


def bands(verdicts: list[Verdict]) -> None:
    print("\n| true flexion | reps | judged | flagged | value median | value IQR |")
    print("|---|---|---|---|---|---|")
    reliable = None
    for lo, hi in reversed(BANDS):
        band = [v for v in verdicts if lo <= v.flexion < hi]
        judged = [v for v in band if v.flagged is not None]
        flagged = sum(bool(v.flagged) for v in judged)
        values = [v.value for v in judged]
        recall = flagged / len(judged) if judged else float("nan")
        if judged and lo >= ROUNDED_DEG - 8 and recall >= 0.9 and reliable in (None, hi):
            reliable = lo
        q = np.percentile(values, [25, 50, 75]) if values else [float("nan")] * 3
        print(
            f"| {lo}-{hi} deg | {len(band)} | {len(judged)} | {flagged} ({recall:.0%}) "
            f"| {q[1]:.1f} | {q[0]:.1f} to {q[2]:.1f} |"
        )
    pairs = [(v.flexion, v.value) for v in verdicts if v.flagged is not None]
    if len(pairs) > 2:
        x, y = np.array(pairs).T
        slope, offset = np.polyfit(x, y, 1)
        print(f"\nvalue = {slope:.2f} x flexion {offset:+.1f} deg (least squares, {len(x)} reps)")
    if reliable is not None:
        print(f"smallest flexion detected reliably (recall >= 90 % from there up): {reliable} deg")


def rounded_throughout(verdicts: list[Verdict]) -> set[str]:
    """Clips whose every rep is rounded: no neutral rep to compare with (formcheck.spine)."""
    clips = {v.clip for v in verdicts}
    return {c for c in clips if all(v.truth == "rounded" for v in verdicts if v.clip == c)}


def report(verdicts: list[Verdict], title: str) -> None:
    print(f"\n### {title}\n")
    print(
        "| clips | rounded | clean | TP | FP | FN | precision | recall | F1 | clean flagged "
        "| abstained |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    by_exercise: dict[str, list[Verdict]] = defaultdict(list)
    for v in verdicts:
        by_exercise[v.exercise].append(v)
    tally(verdicts, "all")
    for name, group in sorted(by_exercise.items()):
        if len(by_exercise) > 1:
            tally(group, name)
    throughout = rounded_throughout(verdicts)
    if throughout and len(throughout) < len({v.clip for v in verdicts}):
        tally([v for v in verdicts if v.clip not in throughout], "sets with clean reps")
        tally([v for v in verdicts if v.clip in throughout], "sets rounded throughout")
    wrong = [
        v
        for v in verdicts
        if v.truth != "grey" and v.flagged is not None and v.flagged != (v.truth == "rounded")
    ]
    for v in wrong:
        kind = "missed" if v.truth == "rounded" else "false alarm"
        print(f"- {kind}: {v.clip} rep {v.rep} (value {v.value:.1f}, flexion {v.flexion:.0f})")
    for v in verdicts:
        if v.flagged is None and v.truth != "grey":
            print(f"- not judged: {v.clip} rep {v.rep} ({v.truth}): {v.why}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--cache", type=Path, required=True, help="Folder for pose series.")
    parser.add_argument("--rendered", type=Path, nargs="*", default=[], help="Rendered clips.")
    parser.add_argument("--skip-shared", action="store_true")
    parser.add_argument("--skip-real", action="store_true")
    args = parser.parse_args()
    synthetic: list[Verdict] = []
    if not args.skip_shared:
        shared = synthetic_verdicts(args.data / "synthetic", args.cache, args.data)
        report(shared, "shared synthetic clips")
        synthetic += shared
    for folder in args.rendered:
        rendered = synthetic_verdicts(folder, args.cache, folder.parent)
        report(rendered, f"rendered: {folder.name}")
        synthetic += rendered
    if synthetic:
        report(synthetic, "all synthetic clips")
        throughout = rounded_throughout(synthetic)
        print("\nMeasured against true, in the sets with clean reps:")
        bands([v for v in synthetic if v.clip not in throughout])
    if not args.skip_real:
        report(real_verdicts(args.data, args.cache), "real clips")


if __name__ == "__main__":
    main()
