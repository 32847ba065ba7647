"""Scores summed per labels, exercise and camera view, as Markdown tables or JSON.

The Markdown is what ``formcheck eval`` prints and what ``--readme`` writes
between the README's ``<!-- eval:begin -->`` and ``<!-- eval:end -->`` lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Any

from formcheck.errors import FormcheckError
from formcheck.evaluation import lines
from formcheck.evaluation.scoring import AngleError, Counts, Score, tally
from formcheck.files import write_text

BEGIN, END = "<!-- eval:begin -->", "<!-- eval:end -->"
_BLOCK = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.DOTALL)
NONE = "\N{EN DASH}"  # a cell with nothing to show
#: The per-frame angles compared, as the tables name them.
ANGLE_NAMES = {"hip": "hip angle", "knee": "knee angle", "deviation": "hip line"}


@dataclass(frozen=True)
class Group:
    """The clips of one labels folder, exercise and camera view, summed."""

    labels: str
    exercise: str
    view: str
    scores: tuple[Score, ...]

    @property
    def analysed(self) -> list[Score]:
        """The clips the analysis ran on (not those it could not read or find anyone in)."""
        return [s for s in self.scores if s.error is None]

    def clean(self) -> tuple[int, int]:
        """The true clean reps (or holds) we found, and how many of them we flagged."""
        return sum(s.clean for s in self.analysed), sum(s.clean_flagged for s in self.analysed)

    def sums(self) -> tuple[dict[str, Counts], dict[str, AngleError]]:
        """The fault counts and angle errors over the group's clips."""
        return tally(self.analysed)


def groups(scores: Sequence[Score]) -> list[Group]:
    """The scores grouped by labels folder, exercise and view, in that order."""

    def key(s: Score) -> tuple[str, str, str]:
        return s.clip.labels, s.clip.exercise, s.clip.view

    return [Group(*k, tuple(g)) for k, g in groupby(sorted(scores, key=key), key=key)]


def as_json(scores: Sequence[Score], left_out: Sequence[str]) -> dict[str, Any]:
    """Every clip's score and every group's sums, for machines."""
    return {
        "groups": [_group_json(g) for g in groups(scores)],
        "lines": {
            labels: [_line_json(ls) for ls in lines.line_scores(list(group))]
            for labels, group in groupby(sorted(scores, key=_labels), key=_labels)
        },
        "clips": [_clip_json(s) for s in scores],
        "left_out": list(left_out),
    }


def _line_json(ls: lines.LineScore) -> dict[str, Any]:
    return {
        "exercise": ls.exercise,
        "code": ls.code,
        "reps_judged": ls.judged,
        "abstained": ls.abstained,
        "abstention": ls.abstention,
        "today": _counts_json(ls.today),
        "clean_flagged": ls.clean_flagged,
        "held_out": _counts_json(ls.held_out),
        "lines_chosen": ls.chosen,
    }


def _group_json(g: Group) -> dict[str, Any]:
    faults, angles = g.sums()
    clean, flagged = g.clean()
    return {
        "labels": g.labels,
        "exercise": g.exercise,
        "view": g.view,
        "clips": len(g.scores),
        "not_analysed": len(g.scores) - len(g.analysed),
        "count_exact": sum(s.count_exact for s in g.analysed),
        "holds_on_time": sum(s.on_time for s in g.analysed if s.clip.is_hold),
        "clean_reps": clean,
        "clean_reps_flagged": flagged,
        "clean_false_alarm_rate": flagged / clean if clean else None,
        "faults": {code: _counts_json(c) for code, c in sorted(faults.items())},
        "angle_mae_deg": {name: _angle_json(e) for name, e in sorted(angles.items())},
    }


def _clip_json(s: Score) -> dict[str, Any]:
    return {
        "labels": s.clip.labels,
        "name": s.clip.name,
        "exercise": s.clip.exercise,
        "view": s.clip.view,
        "count_true": s.clip.count,
        "count": s.count,
        "error": s.error,
        "faults": {code: _counts_json(c) for code, c in sorted(s.faults.items())},
        "clean_reps": s.clean,
        "clean_reps_flagged": s.clean_flagged,
        "angle_mae_deg": {name: _angle_json(e) for name, e in sorted(s.angles.items())},
        **({"hold_edge_errors_s": s.edges} if s.clip.is_hold else {}),
    }


def _counts_json(c: Counts) -> dict[str, Any]:
    return {
        "tp": c.tp,
        "fp": c.fp,
        "fn": c.fn,
        "precision": c.precision,
        "recall": c.recall,
        "f1": c.f1,
    }


def _angle_json(e: AngleError) -> dict[str, Any]:
    return {"mae": e.mae, "frames_measured": e.measured, "frames": e.frames}


def markdown(scores: Sequence[Score]) -> str:
    """The counts-and-angles table, the fault table and the clips we got wrong.

    Then, per labels folder, each check's abstention and its lines chosen without
    each source (:mod:`formcheck.evaluation.lines`).
    """
    parts = [_count_table(scores), _fault_table(scores), _misses(scores)]
    for labels, group in groupby(sorted(scores, key=_labels), key=_labels):
        kept = [s for s in group if s.error is None]
        if any(s.readings for s in kept):
            by = "body" if kept[0].clip.angles is not None else "source"
            title = f"{labels}: each check by rep, lines chosen leaving one {by} out"
            parts.append(lines.markdown(kept, title))
    real = [s for s in scores if s.error is None and s.clip.angles is None and s.readings]
    if len({s.clip.labels for s in real}) > 1:
        parts.append(lines.markdown(real, "every real clip: lines chosen leaving one source out"))
    plan = {name: [s for s in scores if s.clip.labels == name] for name in ("tune", "check")}
    if plan["tune"] and plan["check"]:
        parts.append(lines.tune_check_markdown(plan["tune"], plan["check"]))
    return "\n\n".join(parts)


def _labels(s: Score) -> str:
    return s.clip.labels


def _count_table(scores: Sequence[Score]) -> str:
    lines = [
        "| labels | exercise | view | clips | count exact | clean reps or holds flagged | "
        + " | ".join(f"{n} MAE" for n in ANGLE_NAMES.values())
        + " |",
        "|---|---|---|---|---|---|" + "---|" * len(ANGLE_NAMES),
    ]
    for g in groups(scores):
        _, angles = g.sums()
        clean, flagged = g.clean()
        exact = f"{sum(s.count_exact for s in g.analysed)} / {len(g.scores)}"
        cells = [g.labels, g.exercise, g.view, str(len(g.scores)), exact]
        cells.append(f"{flagged} / {clean}" if clean else NONE)
        cells += [_angle_cell(angles.get(name)) for name in ANGLE_NAMES]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _angle_cell(error: AngleError | None) -> str:
    if error is None or error.mae is None:
        return NONE
    return f"{error.mae:.1f}° ({error.measured / error.frames:.0%})"


def _fault_table(scores: Sequence[Score]) -> str:
    lines = [
        "| labels | exercise | view | fault | TP | FP | FN | precision | recall | F1 |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for g in groups(scores):
        faults, _ = g.sums()
        for code, c in sorted(faults.items()):
            if c.tp + c.fp + c.fn:
                ratios = (_ratio(c.precision), _ratio(c.recall), _ratio(c.f1))
                cells = (g.labels, g.exercise, g.view, code, str(c.tp), str(c.fp), str(c.fn))
                lines.append("| " + " | ".join((*cells, *ratios)) + " |")
    return "\n".join(lines)


def _ratio(value: float | None) -> str:
    return NONE if value is None else f"{value:.2f}"


def _misses(scores: Sequence[Score]) -> str:
    wrong = []
    for s in scores:
        if s.error is not None:
            wrong.append(f"{s.clip.labels}/{s.clip.name}: not analysed ({s.error})")
        elif not s.count_exact:
            unit = "holds" if s.clip.is_hold else "reps"
            wrong.append(f"{s.clip.labels}/{s.clip.name}: {s.count} {unit}, {s.clip.count} true")
        elif s.clip.is_hold and not s.on_time:
            wrong.append(f"{s.clip.labels}/{s.clip.name}: {_late(s.edges)}")
    if not wrong:
        return "Every clip's rep count is right, and every hold on time."
    return "Counted wrong, a hold found late or early, or not analysed:\n\n" + "\n".join(
        f"- {w}" for w in wrong
    )


def _late(edges: list[float | None]) -> str:
    if None in edges:
        return "a labelled hold has none of ours over it"
    return f"a hold's start or end {max(e for e in edges if e is not None):.1f} s off"


def check_readme(readme: Path) -> str:
    """The README's text, once it is known to have one block of eval markers.

    Raises:
        FormcheckError: The README cannot be read, or lacks the markers.
    """
    try:
        text = readme.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise FormcheckError(f"{readme}: cannot read it: {e}") from None
    if len(_BLOCK.findall(text)) != 1:
        raise FormcheckError(f"{readme}: needs one {BEGIN} ... {END} block to rewrite")
    return text


def rewrite_readme(readme: Path, tables: str) -> None:
    """Put ``tables`` between the README's eval markers, in place (atomically).

    Raises:
        FormcheckError: The README cannot be read or written, or lacks the markers.
    """
    new = _BLOCK.sub(lambda _: f"{BEGIN}\n{tables}\n{END}", check_readme(readme))
    try:
        write_text(readme, new)
    except OSError as e:
        raise FormcheckError(f"{readme}: cannot write it: {e}") from None
