"""Choose the hinge checks' lines on the tune renders and real clips; score real sources left out.

    python tools/choose_lines.py TUNE REAL [REAL ...] --cache .cache/eval

TUNE is a folder of tune-plan renders (``formcheck sweep plans/tune.toml``),
each REAL a folder of labelled real clips (``../shared/data/real``,
``../shared/data/real_more``). Per exercise and fault code it prints the line
:func:`formcheck.evaluation.lines.line_with_margin` picks on all of them,
rounded (the value ``formcheck/thresholds.py`` takes), the line in use, and,
leaving each real source out in turn, the counts on that source with the line
the same rule picks without it: the real clips' honest number. The check plan
is never read here.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from formcheck.evaluation import Clip, Score, evaluate, find_clips
from formcheck.evaluation.lines import line_with_margin, readings_of, tally_at
from formcheck.evaluation.scoring import Counts, Reading
from formcheck.thresholds import thresholds

HINGES = ("deadlift", "rdl", "good_morning", "single_leg_rdl", "kb_swing", "glute_bridge")


def main() -> None:
    """Print the table (see the module's docstring)."""
    args = _parser().parse_args()
    tune = _scores([args.tune], args.cache)
    real = _scores(args.real, args.cache)
    print("| exercise | fault | in use | chosen | real, each source left out: TP / FP / FN |")
    print("|---|---|---|---|---|")
    clean_flags = 0
    for exercise, code in sorted({(s.clip.exercise, r.code) for s in real for r in s.readings}):
        in_use = thresholds(exercise).values[code]
        chosen = line_with_margin(readings_of(tune + real, exercise, code))
        held = _left_out(tune, real, exercise, code, in_use)
        clean_flags += held.fp
        shown = "-" if chosen is None else f"{round(chosen)}"
        print(f"| {exercise} | {code} | {in_use:g} | {shown} | {held.tp} / {held.fp} / {held.fn} |")
    clean = sum(s.clean for s in real)
    print(f"\nreal sources left out: {clean_flags} clean flags (per check) on {clean} clean reps")


def _left_out(
    tune: list[Score], real: list[Score], exercise: str, code: str, in_use: float
) -> Counts:
    """Each real source scored with the line chosen on the tune clips and the other sources."""
    total = Counts()
    for source in sorted({s.clip.source for s in real}):
        rest = tune + [s for s in real if s.clip.source != source]
        line = line_with_margin(readings_of(rest, exercise, code))
        held: list[Reading] = readings_of(
            [s for s in real if s.clip.source == source], exercise, code
        )
        total.add(tally_at(held, in_use if line is None else round(line)))
    return total


def _scores(folders: list[Path], cache: Path | None) -> list[Score]:
    clips: list[Clip] = []
    for folder in folders:
        found, _ = find_clips(folder)
        clips += [c for c in found if c.exercise in HINGES]
    return evaluate(clips, cache=cache)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tune", type=Path, help="the tune plan's renders")
    parser.add_argument("real", type=Path, nargs="+", help="folders of labelled real clips")
    parser.add_argument("--cache", type=Path, help="eval's pose cache (formcheck eval --cache)")
    return parser


if __name__ == "__main__":
    main()
