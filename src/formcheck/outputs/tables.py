"""``reps.csv`` (one row per rep, every metric and fault) and ``holds.csv``."""

from __future__ import annotations

import csv
import io
import math

from formcheck.exercises import EXERCISES
from formcheck.outputs.overlay import tone
from formcheck.report import RepResult, SetReport


def reps_csv(report: SetReport) -> str:
    """A row per rep, full then partial: times, verdict, each check against its line, metrics."""
    reps = (*report.reps, *report.partials)
    codes = list(report.thresholds)
    metrics = sorted({k for r in reps for k in r.metrics} - set(codes))
    head = ["rep", "full", "start_s", "end_s", "view", "verdict", "note"]
    for code in codes:
        head += [code, f"{code}_threshold", f"{code}_fault", f"{code}_not_judged"]
    rows: list[list[object]] = [[*head, *metrics]]
    for rep in reps:
        rows.append(_rep_row(rep, report, codes, metrics))
    return _text(rows)


def _rep_row(
    rep: RepResult, report: SetReport, codes: list[str], metrics: list[str]
) -> list[object]:
    full = rep.index > 0
    faults = {f.code: f for f in rep.faults}
    row: list[object] = [rep.index, int(full), f"{rep.start_s:.3f}", f"{rep.end_s:.3f}", rep.view]
    row += [tone(rep) if full else "", rep.note]
    for code in codes:
        fault = faults.get(code)
        row += [
            _number(rep.metrics.get(code)),
            report.thresholds[code],
            "" if fault is None else fault.severity,
            rep.abstained.get(code, "skipped" if code in rep.skipped else ""),
        ]
    return row + [_number(rep.metrics.get(k)) for k in metrics]


def holds_csv(report: SetReport) -> str:
    """A row per hold: its times, fatigue onset, faults and metrics."""
    metrics = sorted({k for h in report.holds for k in h.metrics})
    head = ["hold", "start_s", "end_s", "duration_s", "good_form_s", "fatigue_onset_s", "view"]
    rows: list[list[object]] = [[*head, "faults", *metrics]]
    for n, h in enumerate(report.holds, 1):
        faults = "; ".join(
            f"{i.code} {i.severity} {i.value_deg:+.1f} deg (line {i.threshold_deg:+.0f}) "
            f"{i.start_s:.2f}-{i.end_s:.2f} s"
            for i in h.faults
        )
        onset = "" if h.fatigue_onset_s is None else f"{h.fatigue_onset_s:.3f}"
        rows.append(
            [
                n,
                f"{h.start_s:.3f}",
                f"{h.end_s:.3f}",
                f"{h.duration_s:.2f}",
                f"{h.good_form_s:.2f}",
                onset,
                h.view,
                faults,
            ]
            + [_number(h.metrics.get(k)) for k in metrics]
        )
    return _text(rows)


def _number(value: float | None) -> str:
    return "" if value is None or not math.isfinite(value) else str(round(value, 3))


def _text(rows: list[list[object]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def name(report: SetReport) -> str:
    """The table's file name: ``reps.csv``, or ``holds.csv`` for a timed hold."""
    return "holds.csv" if EXERCISES[report.exercise].pattern is None else "reps.csv"
