"""The ``formcheck`` command line. The only module that prints."""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from formcheck import __version__
from formcheck.errors import FormcheckError
from formcheck.model import resolve_model
from formcheck.report import RepResult, SetReport
from formcheck.series import PoseSeries, VideoMeta

if TYPE_CHECKING:
    from formcheck.analyze import FrameReader

#: Exit code when the output was written from part of the input (a truncated video).
EXIT_PARTIAL = 3

app = typer.Typer(
    help="Form checker for posterior-chain training: deadlifts, swings, planks.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
err = Console(stderr=True)
out = Console()

ModelOption = Annotated[
    Optional[Path],  # noqa: UP045 - typer needs Optional on Python 3.10
    typer.Option(
        "--model",
        help="A pose_landmarker_{lite,full,heavy}.task to use instead of the bundled one.",
        dir_okay=False,
    ),
]


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]formcheck: error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        out.print(f"formcheck {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show debug logs, MediaPipe's included.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Form checker for posterior-chain training."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=err, show_path=False)],
        force=True,
    )


class _FpsColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        return Text(f"{task.speed:5.1f} fps" if task.speed else "  ... fps", style="cyan")


def _expected_frames(meta: VideoMeta, start: float, end: float | None) -> int | None:
    if meta.duration_s is None:
        return meta.n_frames
    stop = meta.duration_s if end is None else min(end, meta.duration_s)
    return max(round((stop - start) * meta.fps), 1)


@app.command()
def pose(
    video: Annotated[str, typer.Argument(help="Video file (or camera index / stream URL).")],
    output: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--output", "-o", help="Where to write the .npz [default: VIDEO.poses.npz]."),
    ] = None,
    start: Annotated[float, typer.Option(help="Start at this time (s).", min=0)] = 0.0,
    end: Annotated[
        Optional[float],  # noqa: UP045
        typer.Option(help="Stop at this time (s).", min=0),
    ] = None,
    model: ModelOption = None,
    max_people: Annotated[
        int, typer.Option(help="People told apart per frame; 1 is fastest.", min=1, max=10)
    ] = 3,
    outline: Annotated[
        bool,
        typer.Option(
            help="Keep the outline of the back, which analyze needs to judge a rounded back "
            "(the model's segmentation costs about a fifth of the speed)."
        ),
    ] = True,
    masks: Annotated[
        bool,
        typer.Option(help="Also keep the main person's segmentation masks (16-37 kB a frame)."),
    ] = False,
) -> None:
    """Estimate the main person's pose in every frame and save it as .npz."""
    if end is not None and end <= start:
        raise _fail(f"--end ({end} s) must be after --start ({start} s)", 2)
    output = output or Path(Path(video).stem + ".poses.npz")
    _check_folder(output.parent, output.name)
    try:
        series, broken = _run_pose(video, start, end, model, max_people, outline or masks, masks)
        output.parent.mkdir(parents=True, exist_ok=True)
        series.save(output)
    except FormcheckError as e:
        raise _fail(str(e)) from None
    found = int(series.detected.sum())
    err.print(f"{len(series)} frames, person found in {found}; wrote {output}", soft_wrap=True)
    if broken:
        warning = f"{video}: stopped at {series.t[-1]:.2f} s, {broken}; saved what decoded"
        err.print(f"[bold yellow]formcheck: warning:[/] {escape(warning)}", soft_wrap=True)
        raise typer.Exit(EXIT_PARTIAL)


def _check_folder(folder: Path, name: str) -> None:
    """Refuse, before any work, a folder that a file in its path keeps from existing."""
    existing = next(p for p in (folder, *folder.parents) if p.exists())
    if not existing.is_dir():
        raise _fail(f"{existing}: not a directory, cannot hold {name}")


def _run_pose(
    video: str,
    start: float,
    end: float | None,
    model: Path | None,
    max_people: int,
    segment: bool,
    keep_masks: bool,
) -> tuple[PoseSeries, str | None]:
    from formcheck.pose import estimate_poses
    from formcheck.pose.mediapipe import PoseEstimator
    from formcheck.video import open_source

    # Frames are decoded in a second thread; handing the GIL over sooner than the
    # default 5 ms lets decoding overlap the model (measured: 49 -> 52 fps at 720p).
    sys.setswitchinterval(0.0005)
    with open_source(video, start, end) as source:
        meta = source.meta
        size = (meta.width, meta.height)
        with (
            PoseEstimator(size, model, max_people=max_people, masks=segment) as estimator,
            Progress(
                TextColumn("[bold]pose"),
                BarColumn(),
                MofNCompleteColumn(),
                _FpsColumn(),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=err,
                auto_refresh=False,  # no refresh thread: native stderr is captured at times
                transient=True,
            ) as progress,
        ):
            task = progress.add_task("pose", total=_expected_frames(meta, start, end))

            shown = [0.0]

            def advance(*_: object) -> None:
                progress.advance(task)
                if time.monotonic() - shown[0] > 0.1:
                    progress.refresh()
                    shown[0] = time.monotonic()

            series = estimate_poses(
                source, meta, estimator, on_frame=advance, keep_masks=keep_masks
            )
        return series, source.broken


@app.command()
def models(model: ModelOption = None) -> None:
    """Show which pose model is used, where it is, and its sha256."""
    try:
        info = resolve_model(model)
    except FormcheckError as e:
        raise _fail(str(e)) from None
    table = Table(show_header=False, box=None)
    table.add_row("model", info.name)
    table.add_row("source", "bundled with formcheck" if info.bundled else "user-supplied")
    table.add_row("path", str(info.path))
    table.add_row("sha256", info.sha256 + (" (verified)" if info.bundled else ""))
    out.print(table)


def _load_or_estimate(
    video: str, model: Path | None, outline: bool
) -> tuple[PoseSeries, str | None]:
    """A saved pose series (.npz) as it is, or a video through the pose model.

    ``outline``: also read the outline of the back off the segmentation mask.
    """
    if video.endswith(".npz"):
        try:
            return PoseSeries.load(video), None
        except (OSError, ValueError, KeyError) as e:
            raise FormcheckError(f"{video}: not a pose series: {e}") from None
    return _run_pose(video, 0.0, None, model, 3, segment=outline, keep_masks=False)


def _frame_reader(series: PoseSeries) -> FrameReader | None:
    """Reads frames of the analysed video file, when it is (still) there."""
    from formcheck.video import frames_at

    video = Path(series.meta.source)
    if not video.is_file():
        return None
    return lambda times: frames_at(video, times)


@app.command()
def analyze(
    video: Annotated[
        str, typer.Argument(help="Video file, or a .npz written by `formcheck pose`.")
    ],
    exercise: Annotated[
        str,
        typer.Option(
            "--exercise",
            "-e",
            help="deadlift, rdl, single_leg_rdl, good_morning, kb_swing, glute_bridge; "
            "timed holds: plank, side_plank, glute_bridge_hold, back_extension_hold.",
        ),
    ],
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Folder for report.json [default: VIDEO's name]."),
    ] = None,
    profile: Annotated[
        str, typer.Option(help="Thresholds: beginner, standard or strict.")
    ] = "standard",
    config: Annotated[
        Path | None,
        typer.Option(help="TOML file overriding thresholds.", dir_okay=False),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print report.json to stdout instead of a table.")
    ] = False,
    no_video: Annotated[
        bool, typer.Option("--no-video", help="Skip the annotated video (not written yet).")
    ] = False,
    model: ModelOption = None,
) -> None:
    """Count and judge every rep of a set, or time and judge every hold; write DIR/report.json."""
    from formcheck.analyze import analyze as run_analysis
    from formcheck.exercises import EXERCISES
    from formcheck.thresholds import PROFILES, thresholds

    del no_video  # accepted now; the annotated video comes with the outputs
    if exercise not in EXERCISES:
        raise _fail(f"unknown exercise {exercise!r}; choose from {', '.join(EXERCISES)}", 2)
    if profile not in PROFILES:
        raise _fail(f"unknown profile {profile!r}; choose from {', '.join(PROFILES)}", 2)
    out_dir = out_dir or Path(Path(video).stem)
    _check_folder(out_dir, "report.json")
    try:
        limits = thresholds(exercise, profile, config)  # type: ignore[arg-type]
        # Only the spine check needs the segmentation, which costs a fifth of the speed.
        outline = "rounded_back" in EXERCISES[exercise].checks
        series, broken = _load_or_estimate(video, model, outline)
        report = run_analysis(series, exercise, limits, frames=_frame_reader(series))
        out_dir.mkdir(parents=True, exist_ok=True)
        report.write(out_dir / "report.json")
    except FormcheckError as e:
        raise _fail(str(e)) from None
    if as_json:
        sys.stdout.write(json.dumps(report.to_dict(), indent=2) + "\n")
    else:
        _show_report(report)
        err.print(f"wrote {out_dir / 'report.json'}", soft_wrap=True)
    for warning in (*report.camera_view.warnings, *report.warnings):
        err.print(f"[bold yellow]formcheck: warning:[/] {escape(warning)}", soft_wrap=True)
    if broken:
        err.print(f"[bold yellow]formcheck: warning:[/] {escape(broken)}", soft_wrap=True)
        raise typer.Exit(EXIT_PARTIAL)


def _show_report(report: SetReport) -> None:
    """The per-rep table a lifter reads, then the one cue that matters most."""
    from formcheck.exercises import EXERCISES

    if EXERCISES[report.exercise].pattern is None:
        _show_holds(report)
        return
    checked = [c for c in report.thresholds if c not in report.camera_view.skipped]
    if not report.reps and not report.partials:
        out.print(
            f"No {report.exercise} reps found: the lifter never went down and came back up in view."
        )
        return
    out.print(_rep_table(report, checked))
    for partial in report.partials:
        span = f"{partial.start_s:.1f}-{partial.end_s:.1f} s"
        out.print(f"[dim]partial rep at {span} ({escape(partial.note)}), not counted[/]")
    clean = ("No fault found by the checks above.",) if report.reps and checked else ()
    for cue in report.summary.cues or clean:
        out.print(f"[bold]Cue:[/] {escape(cue)}")


def _show_holds(report: SetReport) -> None:
    """One row per hold: its time, time in good form, fatigue onset and faults."""
    summary = report.summary
    if not report.holds:
        out.print(f"No {report.exercise} hold found.")
        return
    sag, pike = report.thresholds["hip_sag"], report.thresholds["hip_pike"]
    title = (
        f"{report.exercise}: {summary.hold_count} hold{'s' if summary.hold_count > 1 else ''}, "
        f"{summary.hold_s:.0f} s, {summary.good_form_s:.0f} s in good form\n"
        f"[dim]{report.profile}: sag at -{sag:.0f}° or lower, pike at +{pike:.0f}° or higher[/]"
    )
    table = Table(title=title, title_justify="left")
    for name in ("hold", "from", "held", "good form", "fatigue from", "hips (median)"):
        table.add_column(name, justify="right")
    table.add_column("faults")
    for n, hold in enumerate(report.holds, 1):
        onset = hold.fatigue_onset_s
        faults = ", ".join(
            f"[red]{i.code} {i.value_deg:+.0f}°[/] {i.start_s:.1f}-{i.end_s:.1f} s"
            for i in hold.faults
        )
        table.add_row(
            str(n),
            f"{hold.start_s:.1f}s",
            f"{hold.duration_s:.1f}s",
            f"{hold.good_form_s:.1f}s",
            "-" if onset is None else f"{onset:.1f}s",
            f"{hold.metrics['median_deviation_deg']:+.0f}°",
            faults or "[green]none[/]",
        )
    out.print(table)
    for cue in summary.cues or ("No fault found.",):
        out.print(f"[bold]Cue:[/] {escape(cue)}")


def _rep_table(report: SetReport, checked: list[str]) -> Table:
    """One row per rep: verdict, then each check's measured value (red when a fault)."""
    from formcheck.checks import CHECKS

    title = f"{report.exercise}: {report.summary.rep_count} reps ({report.profile})"
    table = Table(title=title, title_justify="left")
    table.add_column("rep", justify="right")
    table.add_column("verdict")
    for code in checked:
        check = CHECKS[code]
        limit = _value(report.thresholds[code], check.unit)
        table.add_column(f"{check.label.replace(' ', chr(10))}\n[dim]{check.sign}{limit}[/]")
    table.add_column("at", justify="right")
    for rep in report.reps:
        faulty = {f.code for f in rep.faults}
        cells = [
            "[dim]?[/]"
            if c in rep.abstained
            else _cell(rep.metrics.get(c), CHECKS[c].unit, c in faulty)
            for c in checked
        ]
        table.add_row(str(rep.index), _verdict(rep, bool(checked)), *cells, f"{rep.start_s:.1f}s")
    return table


def _verdict(rep: RepResult, judged: bool) -> str:
    if not judged:
        return "[dim]not judged[/]"
    if any(f.severity == "major" for f in rep.faults):
        return "[red]fix[/]"
    return "[yellow]check[/]" if rep.faults else "[green]good[/]"


def _value(value: float, unit: str) -> str:
    return f"{value:.0f}{dict(deg='°', cm=' cm').get(unit, unit.split()[0])}"


def _cell(value: float | None, unit: str, faulty: bool) -> str:
    if value is None or value != value:
        return "[dim]-[/]"
    return f"[bold red]{_value(value, unit)}[/]" if faulty else _value(value, unit)
