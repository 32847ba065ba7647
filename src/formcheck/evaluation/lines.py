"""How each check's line does on people it was not chosen on, and how often it abstains.

Real clips are grouped by source (one person and place). Leaving one source out
at a time, a line is chosen on the other sources' reps, the line that maximises
F0.5 (a false flag costs more than a miss), and that line is scored on the
source left out; the folds are summed. Rendered clips are grouped by body. The
lines the analysis uses today are scored on the same reps beside it. Nothing
here changes a line the analysis uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import groupby

from formcheck.evaluation.scoring import Counts, Reading, Score

NONE = "\N{EN DASH}"  # a cell with nothing to show

#: F-beta's beta for choosing a line: precision weighs more than recall.
BETA = 0.5


@dataclass
class LineScore:
    """One exercise's fault code: today's line, and lines chosen without each source.

    Attributes:
        exercise: The exercise (lines differ between exercises).
        code: The fault code.
        judged: Reps the labels judge for this code.
        abstained: Of those, reps the check did not measure (it abstained, or the
            view does not support it).
        today: Counts with the line the analysis uses.
        held_out: Counts with each source's line chosen on the other sources.
        chosen: The lines chosen, one per source left out.
    """

    exercise: str
    code: str
    judged: int = 0
    abstained: int = 0
    today: Counts = field(default_factory=Counts)
    held_out: Counts = field(default_factory=Counts)
    chosen: list[float] = field(default_factory=list)

    @property
    def clean_flagged(self) -> int:
        """Reps clean of this fault that today's line flags (its false positives)."""
        return self.today.fp

    @property
    def abstention(self) -> float | None:
        """Share of the judged reps where the check abstained."""
        return self.abstained / self.judged if self.judged else None


def _flags(r: Reading, line: float) -> bool:
    assert r.value is not None
    return r.value >= line if r.above else r.value <= line


def tally_at(readings: Sequence[Reading], line: float | None = None) -> Counts:
    """TP/FP/FN of the measured readings at ``line`` (default: each reading's own)."""
    counts = Counts()
    for r in readings:
        if r.value is None:
            continue
        hit = _flags(r, r.line if line is None else line)
        counts.tp += hit and r.fault
        counts.fp += hit and not r.fault
        counts.fn += r.fault and not hit
    return counts


def choose_line(readings: Sequence[Reading]) -> float | None:
    """The line with the best F0.5 on ``readings`` (None: no faulty rep measured)."""
    measured = [r for r in readings if r.value is not None]
    if not any(r.fault for r in measured):
        return None
    best, best_line = -1.0, None
    for line in sorted({r.value for r in measured if r.value is not None}):
        c = tally_at(measured, line)
        p, rc = c.precision or 0.0, c.recall or 0.0
        f = (1 + BETA**2) * p * rc / (BETA**2 * p + rc) if p + rc else 0.0
        if f > best:
            best, best_line = f, line
    return best_line


def line_with_margin(readings: Sequence[Reading]) -> float | None:
    """:func:`choose_line`'s line, moved midway to the nearest clean reading beyond it.

    The best F0.5 line sits on a faulty reading; halfway to the next clean one
    leaves the same counts on ``readings`` and room on both sides for people
    not among them. None: no faulty rep measured.
    """
    line = choose_line(readings)
    if line is None:
        return None
    above = readings[0].above
    clean = [r.value for r in readings if r.value is not None and not r.fault]
    beyond = [v for v in clean if (v < line if above else v > line)]
    if not beyond:
        return line
    return (line + (max(beyond) if above else min(beyond))) / 2


def line_scores(scores: Sequence[Score]) -> list[LineScore]:
    """Per exercise and fault code: abstention, today's line, leave-one-source-out lines."""
    by_code: dict[tuple[str, str], list[tuple[str, Reading]]] = {}
    for s in scores:
        for r in s.readings:
            by_code.setdefault((s.clip.exercise, r.code), []).append((s.clip.source, r))
    return [_line_score(*key, pairs) for key, pairs in sorted(by_code.items())]


def _line_score(exercise: str, code: str, pairs: list[tuple[str, Reading]]) -> LineScore:
    result = LineScore(exercise, code)
    readings = [r for _, r in pairs]
    result.judged = len(readings)
    result.abstained = sum(r.value is None for r in readings)
    result.today = tally_at(readings)
    ordered = sorted(pairs, key=lambda p: p[0])
    for source, group in groupby(ordered, key=lambda p: p[0]):
        held = [r for _, r in group]
        rest = [r for s, r in pairs if s != source]
        line = choose_line(rest)
        if line is None:  # nothing faulty elsewhere to choose on: keep today's line
            result.held_out.add(tally_at(held))
            continue
        result.chosen.append(line)
        result.held_out.add(tally_at(held, line))
    return result


def chosen_on(tune: Sequence[Score], check: Sequence[Score]) -> list[tuple[str, float, Counts]]:
    """Per exercise and code: the line chosen on ``tune``'s reps, its counts on ``check``'s."""
    chosen = []
    for key in sorted({(s.clip.exercise, r.code) for s in check for r in s.readings}):
        line = choose_line(readings_of(tune, *key))
        if line is not None:
            chosen.append((" ".join(key), line, tally_at(readings_of(check, *key), line)))
    return chosen


def readings_of(scores: Sequence[Score], exercise: str, code: str) -> list[Reading]:
    """The readings of ``code`` on the clips of ``exercise``."""
    return [r for s in scores if s.clip.exercise == exercise for r in s.readings if r.code == code]


def tune_check_markdown(tune: Sequence[Score], check: Sequence[Score]) -> str:
    """A table of :func:`chosen_on`: the renders' honest number."""
    rows = [
        "**check: lines chosen on the tune renders**",
        "",
        "| exercise, fault | line chosen on tune | check: P / R / F1 |",
        "|---|---|---|",
    ]
    rows += [f"| {code} | {line:.1f} | {_prf(c)} |" for code, line, c in chosen_on(tune, check)]
    return "\n".join(rows)


def markdown(scores: Sequence[Score], title: str) -> str:
    """A table of :func:`line_scores` for ``scores``."""
    rows = [
        f"**{title}**",
        "",
        "| exercise | fault | reps judged | abstained | today: P / R / F1 | clean flagged | "
        "lines chosen without each source | held out: P / R / F1 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for ls in line_scores(scores):
        share = NONE if ls.abstention is None else f"{ls.abstention:.0%}"
        chosen = f"{min(ls.chosen):.1f} to {max(ls.chosen):.1f}" if ls.chosen else NONE
        rows.append(
            f"| {ls.exercise} | {ls.code} | {ls.judged} | {share} | {_prf(ls.today)} | "
            f"{ls.clean_flagged} | {chosen} | {_prf(ls.held_out)} |"
        )
    return "\n".join(rows)


def ratio(value: float | None) -> str:
    """A ratio to two places, or a dash for none."""
    return NONE if value is None else f"{value:.2f}"


def _prf(c: Counts) -> str:
    return f"{ratio(c.precision)} / {ratio(c.recall)} / {ratio(c.f1)} ({c.tp + c.fn} faulty)"
