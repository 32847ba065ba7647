"""``report.html``: one self-contained page (inline CSS, SVG plots, JPEG thumbnails).

Every string that comes from the user or the file system (file names, client
names) goes through :func:`html.escape`; so does every other text, for safety.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

import numpy as np

from formcheck.checks import Check, check_of
from formcheck.exercises import EXERCISES
from formcheck.outputs.overlay import UNITS, tone
from formcheck.report import CONFIDENCE, RepResult, SetReport
from formcheck.track import Channel, Track

#: Points a plotted line keeps at most.
MAX_POINTS = 1200
PLOT_W, PLOT_H, MARGIN = 880, 200, 40
TONE_COLOURS = {"good": "#2ea043", "check": "#e6a014", "fix": "#d22828"}

STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:24px auto;max-width:960px;color:#1b1f24}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px}
.muted{color:#57606a}.warn{background:#fff8c5;border-left:4px solid #d4a72c;padding:6px 10px}
table{border-collapse:collapse;width:100%}th,td{padding:4px 8px;border-bottom:1px solid #d0d7de}
th{text-align:left;background:#f6f8fa}td.num{text-align:right}
td.fault{color:#d22828;font-weight:600}.tone{color:#fff;border-radius:4px;padding:1px 8px}
.good{background:#2ea043}.check{background:#e6a014}.fix{background:#d22828}
.action{font-size:20px;font-weight:700}figure{display:inline-block;margin:0 12px 12px 0}
figcaption{font-size:13px;color:#57606a;max-width:320px}svg{background:#fafbfc}
"""


@dataclass(frozen=True)
class Thumbnail:
    """A JPEG of one moment, with what it shows."""

    caption: str
    jpeg: bytes


def render(
    report: SetReport, thumbnails: Sequence[Thumbnail] = (), client: str | None = None
) -> str:
    """The whole page as a string."""
    name = Path(report.source.source).name
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>formcheck: {escape(name)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(report.exercise.replace('_', ' '))}: {escape(name)}</h1>",
        f'<p class="muted">{_subtitle(report, client)}</p>',
        _view(report),
        _summary(report),
        _suggestion(report),
        _reps(report) if report.reps or report.partials else _holds(report),
        _plots(report),
        _thumbnails(thumbnails, "rep" if report.reps else "fault"),
        _warnings(report),
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"


def _subtitle(report: SetReport, client: str | None) -> str:
    s = report.source
    bits = [escape(s.source), f"{s.width}x{s.height}, {s.fps:.2f} fps, {report.n_frames} frames"]
    bits.append(f"thresholds: {escape(report.profile)}")
    if client:
        bits.insert(0, f"client: {escape(client)}")
    return " · ".join(bits)


def _view(report: SetReport) -> str:
    v = report.camera_view
    text = f"<p>Camera view: <b>{escape(v.label)}</b>" + (
        "" if v.suitable else " (not every check can be judged from it)"
    )
    warnings = "".join(f'<p class="warn">{escape(w)}</p>' for w in v.warnings)
    return text + "</p>" + warnings


def _summary(report: SetReport) -> str:
    s = report.summary
    if report.holds or EXERCISES[report.exercise].pattern is None:
        head = f"{s.hold_count} hold(s), {s.hold_s:.1f} s, {s.good_form_s:.1f} s in good form"
    else:
        head = f"{s.rep_count} reps, {s.flagged_reps} flagged, {s.partial_reps} partial"
    cues = "".join(f"<li>{escape(c)}</li>" for c in s.cues)
    listed = f"<ol>{cues}</ol>" if cues else "<p>No fault found by the checks.</p>"
    return f"<h2>Summary</h2><p>{head}</p>{listed}"


def _suggestion(report: SetReport) -> str:
    s = report.load_suggestion
    if s is None:
        return ""
    reasons = "".join(f"<li>{escape(r)}</li>" for r in s.reasons)
    extra = f"<p><b>Instead:</b> {escape(s.alternative)}</p>" if s.alternative else ""
    if s.prescription:
        extra += f"<p><b>Program:</b> {escape(s.prescription)}</p>"
    return (
        f'<h2>Next time</h2><p><span class="action">{escape(s.action)}</span> '
        f"{escape(s.then)}</p><ul>{reasons}</ul>{extra}"
    )


def _reps(report: SetReport) -> str:
    codes = [c for c in report.thresholds if c not in report.camera_view.skipped]
    checks = [check_of(report.exercise, c) for c in codes]
    head = "".join(
        f"<th>{escape(c.label)}<br><span class='muted'>{c.sign}"
        f"{_value(report.thresholds[c.code], c.unit)}</span></th>"
        for c in checks
    )
    rows = [_rep_row(r, checks) for r in report.reps]
    rows += [
        f"<tr><td>-</td><td colspan='{len(codes) + 2}' class='muted'>partial rep at "
        f"{p.start_s:.1f}-{p.end_s:.1f} s ({escape(p.note)}), not counted</td></tr>"
        for p in report.partials
    ]
    return (
        "<h2>Reps</h2><table><tr><th>rep</th><th>verdict</th>"
        f"{head}<th>at</th></tr>{''.join(rows)}</table>"
    )


def _rep_row(rep: RepResult, checks: Sequence[Check]) -> str:
    faulty = {f.code for f in rep.faults}
    cells = []
    for check in checks:
        c = check.code
        if c in rep.abstained:
            cells.append(f"<td class='num muted' title='{escape(rep.abstained[c])}'>?</td>")
            continue
        value, sure = rep.metrics.get(c), rep.metrics.get(c + CONFIDENCE)
        text = "-" if value is None or not math.isfinite(value) else _value(value, check.unit)
        title = "" if sure is None else f" title='confidence {sure:.2f}'"
        cells.append(f"<td class='num{' fault' if c in faulty else ''}'{title}>{text}</td>")
    verdict = tone(rep)
    note = f"<br><span class='muted'>{escape(rep.note)}</span>" if rep.note else ""
    return (
        f"<tr><td>{rep.index}</td><td><span class='tone {verdict}'>{verdict}</span></td>"
        f"{''.join(cells)}<td class='num'>{rep.start_s:.1f} s{note}</td></tr>"
    )


def _holds(report: SetReport) -> str:
    if not report.holds:
        return "<h2>Holds</h2><p>No hold found.</p>"
    rows = []
    for n, h in enumerate(report.holds, 1):
        faults = "; ".join(
            f"{escape(i.code)} {i.value_deg:+.0f}° (line {i.threshold_deg:+.0f}°) "
            f"{i.start_s:.1f}-{i.end_s:.1f} s"
            for i in h.faults
        )
        onset = "-" if h.fatigue_onset_s is None else f"{h.fatigue_onset_s:.1f} s"
        rows.append(
            f"<tr><td>{n}</td><td class='num'>{h.start_s:.1f} s</td>"
            f"<td class='num'>{h.duration_s:.1f} s</td><td class='num'>{h.good_form_s:.1f} s</td>"
            f"<td class='num'>{onset}</td><td>{faults or 'none'}</td></tr>"
        )
    return (
        "<h2>Holds</h2><table><tr><th>hold</th><th>from</th><th>held</th><th>good form</th>"
        f"<th>fatigue from</th><th>faults</th></tr>{''.join(rows)}</table>"
    )


def _plots(report: SetReport) -> str:
    track = report.track
    if track is None:
        return ""
    shown = [c for c in track.channels if c.lines or c.name in ("hip", "knee")][:4]
    spans = _spans(report)
    return "<h2>Over time</h2>" + "".join(_plot(track, c, spans) for c in shown)


def _spans(report: SetReport) -> list[tuple[float, float, str]]:
    """Time spans to shade: reps by verdict, or each hold's fault intervals."""
    if report.reps:
        return [(r.start_s, r.end_s, TONE_COLOURS[tone(r)]) for r in report.reps]
    out = [(h.start_s, h.end_s, "#8fbf8f") for h in report.holds]
    for h in report.holds:
        out += [(i.start_s, i.end_s, TONE_COLOURS["fix"]) for i in h.faults]
    return out


@dataclass(frozen=True)
class _Frame:
    """The plot's scales: seconds and values to pixels."""

    t0: float
    t1: float
    low: float
    high: float

    def x(self, s: float) -> float:
        return MARGIN + (s - self.t0) / (self.t1 - self.t0) * (PLOT_W - MARGIN - 8)

    def y(self, value: float) -> float:
        return 8 + (self.high - value) / (self.high - self.low) * (PLOT_H - 30)


def _plot(track: Track, channel: Channel, spans: list[tuple[float, float, str]]) -> str:
    """One channel over time, spans shaded, thresholds dashed."""
    t, v = track.t, channel.values
    finite = v[np.isfinite(v)]
    if not len(finite) or not len(t):
        return ""
    marks = [float(finite.min()), float(finite.max()), *(line.value for line in channel.lines)]
    pad = max(max(marks) - min(marks), 1.0) * 0.08
    end = float(t[-1]) if t[-1] > t[0] else float(t[0]) + 1
    f = _Frame(float(t[0]), end, min(marks) - pad, max(marks) + pad)
    shade = "".join(
        f'<rect x="{f.x(a):.1f}" y="8" width="{max(f.x(b) - f.x(a), 1):.1f}" '
        f'height="{PLOT_H - 30}" fill="{colour}" opacity="0.15"/>'
        for a, b, colour in spans
    )
    unit = escape(UNITS.get(channel.unit, channel.unit))
    lines = "".join(
        f'<line x1="{MARGIN}" x2="{PLOT_W - 8}" y1="{f.y(line.value):.1f}" '
        f'y2="{f.y(line.value):.1f}" stroke="#d22828" stroke-dasharray="5 4"/>'
        f'<text x="{PLOT_W - 10}" y="{f.y(line.value) - 3:.1f}" text-anchor="end" '
        f'font-size="11" fill="#d22828">{escape(line.code)} {line.value:.0f}{unit}</text>'
        for line in channel.lines
    )
    step = max(1, len(t) // MAX_POINTS)
    path = _path(
        [(f.x(float(a)), f.y(float(b))) for a, b in zip(t[::step], v[::step], strict=True)]
    )
    return (
        f"<h3>{escape(channel.label)} ({escape(channel.unit)})</h3>"
        f'<svg class="plot" width="{PLOT_W}" height="{PLOT_H}" viewBox="0 0 {PLOT_W} {PLOT_H}">'
        f'{shade}{lines}<path d="{path}" fill="none" stroke="#0969da" stroke-width="1.5"/>'
        f"{_axes(f, pad)}</svg>"
    )


def _axes(f: _Frame, pad: float) -> str:
    top, bottom, base = f.high - pad, f.low + pad, PLOT_H - 6
    return (
        f'<text x="4" y="{f.y(top) + 4:.1f}" font-size="11">{top:.0f}</text>'
        f'<text x="4" y="{f.y(bottom) + 4:.1f}" font-size="11">{bottom:.0f}</text>'
        f'<text x="{MARGIN}" y="{base}" font-size="11">{f.t0:.0f} s</text>'
        f'<text x="{PLOT_W - 8}" y="{base}" font-size="11" text-anchor="end">{f.t1:.0f} s</text>'
    )


def _path(points: list[tuple[float, float]]) -> str:
    """An SVG path through the finite points, broken where a value is missing."""
    out, pen = [], "M"
    for px, py in points:
        if math.isfinite(py):
            out.append(f"{pen}{px:.1f} {py:.1f}")
            pen = "L"
        else:
            pen = "M"
    return " ".join(out)


def _thumbnails(thumbnails: Sequence[Thumbnail], of: str) -> str:
    if not thumbnails:
        return ""
    figures = "".join(
        f'<figure><img alt="{escape(th.caption)}" width="320" '
        f'src="data:image/jpeg;base64,{base64.b64encode(th.jpeg).decode()}">'
        f"<figcaption>{escape(th.caption)}</figcaption></figure>"
        for th in thumbnails
    )
    title = "flagged rep" if of == "rep" else "fault"
    return f"<h2>The worst moment of each {title}</h2>{figures}"


def _warnings(report: SetReport) -> str:
    if not report.warnings:
        return ""
    return "<h2>Warnings</h2>" + "".join(
        f'<p class="warn">{escape(w)}</p>' for w in report.warnings
    )


def _value(value: float, unit: str) -> str:
    return f"{value:.0f}{escape(UNITS.get(unit, ' ' + unit))}"
