"""``python -m formcheck.synth``: render one synthetic clip with its ground truth."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.progress import Progress

from formcheck.errors import FormcheckError
from formcheck.synth.body import body_names
from formcheck.synth.clip import Staging, render_clip
from formcheck.synth.exercises import EXERCISES, REP_FAULTS, Spec, Style

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
err = Console(stderr=True, soft_wrap=True)
FAULT = re.compile(r"^(?P<reps>all|\d+(?:-\d+)?):(?P<code>[a-z_]+)=(?P<value>-?\d+(?:\.\d+)?)$")


def parse_faults(items: list[str], reps: int) -> dict[int, dict[str, float]]:
    """``["4-5:rounded_back=30", "all:lean_back=15"]`` -> {rep: {code: magnitude}}."""
    faults: dict[int, dict[str, float]] = {}
    for item in items:
        match = FAULT.match(item)
        if not match or match["code"] not in REP_FAULTS:
            raise ValueError(
                f"bad --fault {item!r}: use REPS:CODE=DEG, REPS = 3, 2-4 or all, "
                f"CODE one of {', '.join(REP_FAULTS)}"
            )
        if match["reps"] == "all":
            first, last = 1, reps
        else:
            bounds = [int(b) for b in match["reps"].split("-")]
            first, last = bounds[0], bounds[-1]
        for rep in range(first, last + 1):
            faults.setdefault(rep, {})[match["code"]] = float(match["value"])
    return faults


@app.command()
def render(
    exercise: Annotated[str, typer.Argument(help=f"One of: {', '.join(EXERCISES)}.")],
    out: Annotated[
        Path, typer.Option("-o", "--out", help="Output .mp4 (.json and .csv beside it).")
    ],
    reps: Annotated[int, typer.Option(help="Reps in the set.")] = 5,
    fault: Annotated[
        list[str] | None,
        typer.Option(help="REPS:CODE=DEG, e.g. 4-5:rounded_back=30 (repeatable)."),
    ] = None,
    tempo: Annotated[float, typer.Option(help="Rep duration multiplier (2 = slower).")] = 1.0,
    fatigue: Annotated[
        float,
        typer.Option(
            metavar="PCT",
            help="Rising phase of the last rep PCT % slower than the first's, "
            "slowing rep by rep (same path; lowering unchanged).",
        ),
    ] = 0.0,
    hold: Annotated[float, typer.Option(help="Plank hold, seconds.")] = 20.0,
    sag: Annotated[float, typer.Option(help="Plank sag (+) or pike (-) reached, degrees.")] = 0.0,
    sag_onset: Annotated[float, typer.Option(help="Seconds into the hold the sag begins.")] = 10.0,
    holds: Annotated[int, typer.Option(help="Plank holds, on the knees between.")] = 1,
    setup: Annotated[float, typer.Option(help="Seconds still before the set.")] = 1.5,
    rest: Annotated[float, typer.Option(help="Seconds of rest after the set.")] = 2.0,
    body: Annotated[str, typer.Option(help="Body shape.")] = "m_avg",
    view: Annotated[float, typer.Option(help="Camera azimuth: 0 side, 90 front.")] = 20.0,
    distance: Annotated[float, typer.Option(help="Camera distance, x the framing distance.")] = 1.0,
    fps: Annotated[float, typer.Option(help="Frames per second.")] = 30.0,
    size: Annotated[str, typer.Option(help="WIDTHxHEIGHT.")] = "640x480",
    crf: Annotated[int, typer.Option(help="x264 quality: lower = better, larger.")] = 26,
    camera_height: Annotated[
        Optional[float],  # noqa: UP045
        typer.Option(help="Camera height above the floor, m (default: mid-set, >= 0.7)."),
    ] = None,
    lens: Annotated[
        Optional[float],  # noqa: UP045
        typer.Option(help="35 mm-equivalent focal length (26 = a phone's main camera)."),
    ] = None,
    mirror: Annotated[bool, typer.Option(help="Flip the picture left to right.")] = False,
    look: Annotated[
        int, typer.Option(min=0, help="Room, clothes and light: 0 plain, N seeded variety.")
    ] = 0,
    trunk: Annotated[
        float, typer.Option(help="Deadlift: trunk angle from vertical at lift-off, degrees.")
    ] = Style.trunk,
    rounding: Annotated[
        str, typer.Option(help="Where the spine rounds: spread, lumbar or thoracic.")
    ] = "spread",
) -> None:
    """Render EXERCISE to OUT with its ground truth."""
    try:
        width, height = (int(v) for v in size.lower().split("x"))
        if body not in body_names():
            raise ValueError(f"unknown body {body!r}; choose from {', '.join(body_names())}")
        if not 0 <= view <= 90 or distance <= 0 or fps <= 0 or width < 64 or height < 64:
            raise ValueError(
                "need 0 <= --view <= 90, positive --distance and --fps, --size >= 64x64"
            )
        spec = Spec(
            exercise,
            reps,
            parse_faults(fault or [], reps),
            tempo,
            fatigue,
            hold,
            sag,
            sag_onset,
            holds,
            setup,
            rest,
            Style(trunk=trunk),
            rounding,
        )
        staging = Staging(
            body, view, distance, fps, width, height, crf, camera_height, lens, mirror, look
        )
        out.parent.mkdir(parents=True, exist_ok=True)
        with Progress(console=err, transient=True) as progress:
            task = progress.add_task(f"rendering {out.name}", total=None)
            gt = render_clip(
                spec, staging, out, lambda i, n: progress.update(task, completed=i, total=n)
            )
    except (ValueError, FormcheckError) as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        raise typer.Exit(2) from None
    err.print(_summary(out, gt), markup=False, highlight=False)


def _summary(out: Path, gt: dict[str, Any]) -> str:
    """One line: frames, reps or holds, and the faults the truth holds."""
    parts = [f"{out}: {gt['n_frames']} frames"]
    if gt["reps"]:
        parts.append(f"{gt['rep_count']} reps")
        parts += [f"rep {r['index']}: {'+'.join(r['faults'])}" for r in gt["reps"] if r["faults"]]
    for hold in gt["holds"]:
        fps = gt["fps"]
        span = f"hold {hold['start_frame'] / fps:.1f}-{hold['end_frame'] / fps:.1f} s"
        parts.append(span + (f" ({'+'.join(hold['faults'])})" if hold["faults"] else ""))
    return ", ".join(parts)


if __name__ == "__main__":
    app()
