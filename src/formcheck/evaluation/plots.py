"""The value each check measured on clean and on faulty reps, with its line, as a page.

``formcheck eval --plots FILE.html`` writes one strip chart per labels folder and
fault code: every judged rep's value (clean reps on one row, faulty on the
other), the line the analysis uses today, and the span of the lines chosen
leaving one source out. Where the two rows overlap, no line can be right for
everyone. Needs matplotlib (``pip install 'formcheck[eval]'``).
"""

from __future__ import annotations

import html
import io
from collections.abc import Sequence
from itertools import groupby
from typing import Any

import numpy as np

from formcheck.errors import FormcheckError
from formcheck.evaluation import lines
from formcheck.evaluation.scoring import Reading, Score

CLEAN, FAULTY, LINE = "#3b7dd8", "#d8453b", "#222222"


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import pyplot
    except ImportError:
        raise FormcheckError("--plots needs matplotlib: pip install 'formcheck[eval]'") from None
    return pyplot


def page(scores: Sequence[Score], title: str = "formcheck eval: values and lines") -> str:
    """The whole HTML page (self-contained: the charts are inline SVG)."""
    pyplot = _pyplot()
    sections = []
    ordered = sorted((s for s in scores if s.error is None), key=lambda s: s.clip.labels)
    for labels, group in groupby(ordered, key=lambda s: s.clip.labels):
        kept = list(group)
        figures = [
            _figure(pyplot, labels, ls, lines.readings_of(kept, ls.exercise, ls.code))
            for ls in lines.line_scores(kept)
        ]
        sections.append(f"<h2>{html.escape(labels)}</h2>\n" + "\n".join(figures))
    body = "\n".join(sections) or "<p>No rep was judged.</p>"
    return (
        "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;margin:2em;max-width:60em}"
        "figure{margin:1em 0}figcaption{color:#444}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>\n{body}\n</body></html>\n"
    )


def _figure(pyplot: Any, labels: str, ls: lines.LineScore, readings: list[Reading]) -> str:
    measured = [r for r in readings if r.value is not None]
    fig, ax = pyplot.subplots(figsize=(7.5, 1.9))
    rng = np.random.default_rng(0)
    for row, (fault, color, name) in enumerate(((False, CLEAN, "clean"), (True, FAULTY, "faulty"))):
        values = [r.value for r in measured if r.fault is fault]
        jitter = row + rng.uniform(-0.18, 0.18, len(values))
        ax.scatter(values, jitter, s=12, color=color, alpha=0.7, label=f"{name} ({len(values)})")
    if readings:
        ax.axvline(readings[0].line, color=LINE, linewidth=1.5, label="line today")
    if ls.chosen:
        ax.axvspan(min(ls.chosen), max(ls.chosen), color=LINE, alpha=0.12, label="lines held out")
    ax.set_yticks([0, 1], ["clean", "faulty"])
    ax.set_ylim(-0.6, 1.6)
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8, frameon=False)
    fig.tight_layout()
    svg = io.StringIO()
    fig.savefig(svg, format="svg")
    pyplot.close(fig)
    share = lines.NONE if ls.abstention is None else f"{ls.abstention:.0%}"
    caption = (
        f"{ls.exercise}, {ls.code}: {len(measured)} reps measured, abstained on {share} of "
        f"{ls.judged}; today P/R {lines.ratio(ls.today.precision)}/"
        f"{lines.ratio(ls.today.recall)}, held out {lines.ratio(ls.held_out.precision)}/"
        f"{lines.ratio(ls.held_out.recall)}"
    )
    svg_text = svg.getvalue()
    svg_text = svg_text[svg_text.index("<svg") :]
    return (
        f"<figure id='{html.escape(f'{labels}-{ls.exercise}-{ls.code}')}'>{svg_text}"
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
    )
