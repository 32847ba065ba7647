"""The ``formcheck`` command line. The only module that prints."""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from rich import box
from rich.console import Console
from rich.logging import RichHandler
from rich.markdown import Markdown
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
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

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from formcheck.batch.jobs import Job as BatchJob
    from formcheck.batch.work import Row as BatchRow
    from formcheck.batch.work import Task as BatchTask
    from formcheck.coaching.facts import Inputs
    from formcheck.evaluation.labels import Clip
    from formcheck.evaluation.scoring import Score
    from formcheck.history import History, SessionRow
    from formcheck.live import LiveSession
    from formcheck.pipeline import Settings
    from formcheck.thresholds import Thresholds

#: The cores this process may run on.
_CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
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

ProfileOption = Annotated[str, typer.Option(help="Thresholds: beginner, standard or strict.")]
ConfigOption = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option(help="TOML file overriding thresholds.", dir_okay=False),
]
NoVideoOption = Annotated[
    bool, typer.Option("--no-video", help="Skip annotated.mp4 (the slowest output).")
]
FastOption = Annotated[
    bool,
    typer.Option(
        "--fast",
        help="Skip the pose model on frames where the body is still (holds, pauses), "
        "interpolating them, and estimate a long video in parts, one per core.",
    ),
]
BlurFacesOption = Annotated[
    bool,
    typer.Option(
        "--blur-faces", help="Blur the face in annotated.mp4 and in report.html's pictures."
    ),
]


_COACHING = "Coaching"
DbOption = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option(
        "--db",
        help="The history file (default: history.sqlite3 in the user's data folder).",
        dir_okay=False,
        rich_help_panel=_COACHING,
    ),
]


# The options analyze takes about the set, for the load suggestion and the history.
LoadOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(help="The load used, e.g. 100kg, 225lb.", rich_help_panel=_COACHING),
]
RepsTargetOption = Annotated[
    Optional[int],  # noqa: UP045
    typer.Option(help="The reps the set was meant to have.", min=1, rich_help_panel=_COACHING),
]
RpeOption = Annotated[
    Optional[float],  # noqa: UP045
    typer.Option(
        help="How hard the set was, 1-10 in half steps (10: not one more rep).",
        min=1,
        max=10,
        rich_help_panel=_COACHING,
    ),
]
PainOption = Annotated[
    Optional[int],  # noqa: UP045
    typer.Option(help="Pain during the set, 0-10.", min=0, max=10, rich_help_panel=_COACHING),
]
ProgramOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        help="The program the set belongs to: single_leg_rdl_14w (the 14-week plan).",
        rich_help_panel=_COACHING,
    ),
]
WeekOption = Annotated[
    Optional[int],  # noqa: UP045
    typer.Option(
        help="The program's week (default: counted from the client's first session of it).",
        min=1,
        rich_help_panel=_COACHING,
    ),
]
DateOption = Annotated[
    Optional[datetime],  # noqa: UP045
    typer.Option(
        "--date",
        help="The day of the session (default: today).",
        formats=["%Y-%m-%d"],
        rich_help_panel=_COACHING,
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
        if not task.fields.get("frames", True):
            return Text("")
        return Text(f"{task.speed:5.1f} fps" if task.speed else "  ... fps", style="cyan")


class _Bars:
    """A progress bar on stderr for each stage of the pipeline, gone when it ends."""

    def __init__(self) -> None:
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            _FpsColumn(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=err,
            auto_refresh=False,  # no refresh thread: native stderr is captured at times
            transient=True,
        )
        self._task: TaskID | None = None
        self._shown = 0.0

    def __enter__(self) -> _Bars:
        self._progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.__exit__(None, None, None)

    def start(self, stage: str, total: int | None) -> None:
        if self._task is not None:
            self._progress.remove_task(self._task)
        self._task = self._progress.add_task(stage, total=total)
        self._progress.refresh()

    def advance(self) -> None:
        assert self._task is not None
        self._progress.advance(self._task)
        if time.monotonic() - self._shown > 0.1:
            self._progress.refresh()
            self._shown = time.monotonic()


@app.command()
def pose(
    video: Annotated[str, typer.Argument(help="Video file (or camera index / stream URL).")],
    output: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--output", "-o", help="Where to write the .npz (default: VIDEO.poses.npz)."),
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
    from formcheck.pipeline import estimate

    output = output or Path(Path(video).stem + ".poses.npz")
    _check_folder(output.parent, output.name)
    try:
        with _Bars() as bars:
            series, broken = estimate(
                video,
                model,
                start=start,
                end=end,
                max_people=max_people,
                segment=outline or masks,
                keep_masks=masks,
                progress=bars,
            )
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
        typer.Option("--out", "-o", help="Folder for report.json (default: VIDEO's name)."),
    ] = None,
    profile: ProfileOption = "standard",
    config: ConfigOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print report.json to stdout instead of a table.")
    ] = False,
    no_video: NoVideoOption = False,
    blur_faces: BlurFacesOption = False,
    fast: FastOption = False,
    model: ModelOption = None,
    load: LoadOption = None,
    reps_target: RepsTargetOption = None,
    rpe: RpeOption = None,
    pain: PainOption = None,
    client: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(help="Record the set in this client's history.", rich_help_panel=_COACHING),
    ] = None,
    db: DbOption = None,
    program: ProgramOption = None,
    week: WeekOption = None,
    day: DateOption = None,
) -> None:
    """Count and judge every rep of a set, or time and judge every hold.

    Writes DIR/report.json, report.html, reps.csv (holds.csv for a timed hold)
    and annotated.mp4.

    With --load, --rpe, --pain (and --client for the history) it also suggests the
    next set's load.
    """
    from formcheck.exercises import EXERCISES
    from formcheck.pipeline import Settings, check, usable_cores
    from formcheck.thresholds import PROFILES

    if exercise not in EXERCISES:
        raise _fail(f"unknown exercise {exercise!r}; choose from {', '.join(EXERCISES)}", 2)
    if profile not in PROFILES:
        raise _fail(f"unknown profile {profile!r}; choose from {', '.join(PROFILES)}", 2)
    parts = usable_cores() if fast else 1
    settings = Settings(exercise, profile, config, model, not no_video, blur_faces, fast, parts)
    out_dir = out_dir or Path(Path(video).stem)
    _check_folder(out_dir, "report.json")
    inputs = _inputs(exercise, load, reps_target, rpe, pain, program, week)
    session = (day or datetime.now()).date()
    try:
        # The history is opened first: a bad file fails before the work.
        with _history(client, db) as history, _Bars() as bars:
            checked = check(video, settings, inputs, out_dir, session, history, client, bars)
    except FormcheckError as e:
        raise _fail(str(e)) from None
    except KeyboardInterrupt:
        raise _fail("interrupted before the check was done", 130) from None
    report, written, broken = checked.report, checked.written, checked.broken
    if as_json:
        sys.stdout.write(json.dumps(report.to_dict(), indent=2) + "\n")
    else:
        _show_report(report)
        _show_suggestion(report)
        names = ", ".join(p.name for p in written.paths)
        err.print(f"wrote {out_dir / 'report.json'} and {names}", soft_wrap=True)
    for warning in (*report.camera_view.warnings, *report.warnings, *written.warnings):
        err.print(f"[bold yellow]formcheck: warning:[/] {escape(warning)}", soft_wrap=True)
    if broken:
        err.print(f"[bold yellow]formcheck: warning:[/] {escape(broken)}", soft_wrap=True)
        raise typer.Exit(EXIT_PARTIAL)


def _inputs(
    exercise: str,
    load: str | None,
    reps_target: int | None,
    rpe: float | None,
    pain: int | None,
    program: str | None,
    week: int | None,
) -> Inputs:
    """What the user said about the set, checked (exit 2 when it makes no sense)."""
    from formcheck.pipeline import inputs

    try:
        return inputs(exercise, load, reps_target, rpe, pain, program, week)
    except FormcheckError as e:
        raise _fail(str(e), 2) from None


def _history(client: str | None, db: Path | None) -> AbstractContextManager[History | None]:
    """The history to record in: the client's file, or none without a client."""
    from formcheck.history import History, default_path

    if client is None:
        if db is not None:
            raise _fail("--db needs --client: the history records a client's sets", 2)
        return nullcontext()
    if not client.strip():
        raise _fail("--client needs a name", 2)
    return History(db or default_path())


def _show_suggestion(report: SetReport) -> None:
    """The next set (or hold): what to do with the load, and every reason."""
    s = report.load_suggestion
    if s is None:
        return
    style = {"progress": "green", "hold": "yellow", "regress": "red", "stop": "bold red"}
    then = f" - {s.then}" if s.then else ""
    out.print(f"[bold]Suggestion:[/] [{style[s.action]}]{s.action}[/]{then}")
    for reason in s.reasons:
        out.print(f"  [dim]-[/] {escape(reason)}", soft_wrap=True)
    if s.alternative:
        out.print(f"  [bold]Instead:[/] {escape(s.alternative)}", soft_wrap=True)
    if s.prescription:
        out.print(f"  [bold]Program:[/] {escape(s.prescription)}", soft_wrap=True)


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
    for rep in report.reps:
        if rep.note:
            out.print(f"[dim]rep {rep.index}: {escape(rep.note)}[/]")
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
    from formcheck.checks import check_of

    title = f"{report.exercise}: {report.summary.rep_count} reps ({report.profile})"
    table = Table(title=title, title_justify="left")
    table.add_column("rep", justify="right")
    table.add_column("verdict")
    for code in checked:
        check = check_of(report.exercise, code)
        limit = _value(report.thresholds[code], check.unit)
        table.add_column(f"{check.label.replace(' ', chr(10))}\n[dim]{check.sign}{limit}[/]")
    table.add_column("at", justify="right")
    for rep in report.reps:
        faulty = {f.code for f in rep.faults}
        cells = [
            "[dim]?[/]"
            if c in rep.abstained
            else _cell(rep.metrics.get(c), check_of(report.exercise, c).unit, c in faulty)
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


@app.command()
def batch(
    folder: Annotated[Path, typer.Argument(help="Folder of videos (searched recursively).")],
    out_dir: Annotated[
        Path, typer.Option("--out", "-o", help="Folder for the reports and the summary.")
    ],
    exercise: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--exercise", "-e", help="The exercise of videos the manifest leaves out."),
    ] = None,
    manifest: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            help="CSV: path, exercise, client, date, load, reps_target, rpe, pain, program, week.",
            dir_okay=False,
        ),
    ] = None,
    workers: Annotated[
        int, typer.Option(help="Videos checked at once (default: one per core).", min=1)
    ] = _CORES,
    engine: Annotated[str, typer.Option(help="local (processes) or ray.")] = "local",
    address: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(help="With --engine ray: the cluster to join (default: start one here)."),
    ] = None,
    profile: ProfileOption = "standard",
    config: ConfigOption = None,
    no_video: NoVideoOption = False,
    blur_faces: BlurFacesOption = False,
    fast: FastOption = False,
    model: ModelOption = None,
    client: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            help="Record every video's set in this client's history (a manifest's client "
            "column wins).",
            rich_help_panel=_COACHING,
        ),
    ] = None,
    db: DbOption = None,
    day: Annotated[
        Optional[datetime],  # noqa: UP045
        typer.Option(
            "--date",
            formats=["%Y-%m-%d"],
            help="The sessions' day when the manifest has none (default: each file's date).",
            rich_help_panel=_COACHING,
        ),
    ] = None,
) -> None:
    """Check every video in a folder: a report each, summary.csv and index.html.

    A re-run skips the videos already done with the same file and settings. Exits
    with 3 when some video could not be checked, or only in part.
    """
    from formcheck.batch.engines import run
    from formcheck.batch.jobs import Defaults, chains, plan
    from formcheck.batch.summary import write_summary
    from formcheck.pipeline import Settings

    settings = Settings("", profile, config, model, not no_video, blur_faces, fast)
    task = _batch_task(folder, out_dir, exercise, engine, settings)
    _check_folder(out_dir, "summary.csv")
    try:
        jobs = plan(folder, out_dir, Defaults(exercise, client, day and day.date()), manifest)
        task = replace(task, db=_batch_history(jobs, db))
        rows = [_problem_row(job) for job in jobs if job.problem is not None]
        with _BatchProgress(len(jobs)) as progress:
            for row in rows:
                progress(("done", row.name, row, False))
            rows += run(chains(jobs), task, progress, workers, engine, address)  # type: ignore[arg-type]
        out_dir.mkdir(parents=True, exist_ok=True)
        write_summary(rows, out_dir)
    except FormcheckError as e:
        raise _fail(str(e)) from None
    except KeyboardInterrupt:
        raise _fail("interrupted: run the same command again to carry on", 130) from None
    bad = [r for r in rows if r.status != "ok"]
    err.print(
        f"{len(rows)} videos: {len(rows) - len(bad)} checked, "
        f"{sum(r.status == 'partial' for r in rows)} only in part, "
        f"{sum(r.status == 'error' for r in rows)} not checked; "
        f"wrote {out_dir / 'summary.csv'} and {out_dir / 'index.html'}",
        soft_wrap=True,
    )
    if bad:
        raise typer.Exit(EXIT_PARTIAL)


@app.command("eval")
def eval_command(
    folder: Annotated[
        Path,
        typer.Argument(
            help="Labelled clips: a folder with INDEX.tsv, GROUND_TRUTH.tsv or a <name>.json "
            "beside each video, or a folder of such folders (../shared/data)."
        ),
    ],
    cache: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(help="Keep each clip's pose series here; later runs only re-analyse."),
    ] = None,
    profile: ProfileOption = "standard",
    model: ModelOption = None,
    fast: FastOption = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the scores as JSON instead of tables.")
    ] = False,
    readme: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            help="Also write the tables into this file, between its <!-- eval:begin --> "
            "and <!-- eval:end --> lines.",
            dir_okay=False,
        ),
    ] = None,
    plots: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            help="Also write an HTML page of every check's values on clean and faulty "
            "reps against its line (needs matplotlib).",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Score the analysis against labelled clips: counts, faults, angles.

    Prints, per labels folder, exercise and camera view, how many clips' reps
    (or holds) are counted exactly, each fault's precision, recall and F1, how
    many clean reps get flagged, and the angles' mean error against the truth.
    """
    from formcheck.evaluation import evaluate, find_clips
    from formcheck.evaluation.tables import as_json as scores_json
    from formcheck.evaluation.tables import check_readme, markdown, rewrite_readme
    from formcheck.thresholds import PROFILES

    if profile not in PROFILES:
        raise _fail(f"unknown profile {profile!r}; choose from {', '.join(PROFILES)}", 2)
    try:
        if readme is not None:
            check_readme(readme)  # before the long part
        clips, left_out = find_clips(folder)
        done = iter(range(1, len(clips) + 1))

        def told(clip: Clip) -> None:
            err.print(
                f"[dim]{next(done)}/{len(clips)} {escape(clip.labels)}/{escape(clip.name)}[/]",
                highlight=False,
            )

        with _Bars() as bars:
            scores = evaluate(clips, profile, model, fast, cache, told, bars)
        tables = markdown(scores)
        if readme is not None:
            rewrite_readme(readme, tables)
        if plots is not None:
            _write_plots(plots, scores)
    except FormcheckError as e:
        raise _fail(str(e)) from None
    except KeyboardInterrupt:
        raise _fail(
            "interrupted: with --cache, a second run reuses the pose series done so far", 130
        ) from None
    if as_json:
        sys.stdout.write(json.dumps(scores_json(scores, left_out), indent=2) + "\n")
    else:
        out.print(Markdown(tables))
        for reason in left_out:
            err.print(f"[dim]left out: {escape(reason)}[/]", highlight=False, soft_wrap=True)


def _write_plots(path: Path, scores: list[Score]) -> None:
    from formcheck.evaluation.plots import page
    from formcheck.files import write_text

    try:
        write_text(path, page(scores))
    except OSError as e:
        raise FormcheckError(f"{path}: cannot write it: {e}") from None


def _batch_task(
    folder: Path, out_dir: Path, exercise: str | None, engine: str, settings: Settings
) -> BatchTask:
    """The settings every worker gets, checked before any work (exit 2 on a bad option)."""
    from formcheck.batch.work import Task, task_key
    from formcheck.exercises import EXERCISES
    from formcheck.thresholds import PROFILES, thresholds

    profile, config = settings.profile, settings.config

    if engine not in ("local", "ray"):
        raise _fail(f"unknown engine {engine!r}; choose from local, ray", 2)
    if exercise is not None and exercise not in EXERCISES:
        raise _fail(f"unknown exercise {exercise!r}; choose from {', '.join(EXERCISES)}", 2)
    if profile not in PROFILES:
        raise _fail(f"unknown profile {profile!r}; choose from {', '.join(PROFILES)}", 2)
    if out_dir.resolve() == folder.resolve():
        raise _fail("--out must be another folder than the videos' (it may be inside it)", 2)
    try:
        if exercise is not None:
            thresholds(exercise, profile, config)  # type: ignore[arg-type]
        config_text = None if config is None else config.read_text(encoding="utf-8")
        sha = resolve_model(settings.model).sha256
    except OSError as e:
        raise _fail(f"{config}: cannot read: {e.strerror or e}") from None
    except FormcheckError as e:
        raise _fail(str(e)) from None
    return Task(out_dir, settings, task_key(settings, sha, config_text), None)


def _batch_history(jobs: list[BatchJob], db: Path | None) -> Path | None:
    """The history file when some video has a client, opened once to migrate it first."""
    from formcheck.history import History, default_path

    if not any(job.client for job in jobs):
        if db is not None:
            raise _fail("--db needs a client (--client or a manifest's client column)", 2)
        return None
    path = db or default_path()
    History(path).close()
    return path


def _problem_row(job: BatchJob) -> BatchRow:
    from formcheck.batch.work import Row

    day = job.day.isoformat()
    return Row(job.name, job.client, job.exercise, day, "error", message=job.problem)


class _BatchProgress:
    """The batch's bar and a bar per video being checked; a line per video done."""

    def __init__(self, total: int) -> None:
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            _FpsColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        )
        self._all = self._progress.add_task("[bold]batch", total=total, frames=False)
        self._videos: dict[str, TaskID] = {}

    def __enter__(self) -> _BatchProgress:
        self._progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.__exit__(None, None, None)

    def __call__(self, event: tuple[Any, ...]) -> None:
        """Show one message from a worker (see :mod:`formcheck.batch.work`)."""
        kind, name = event[0], str(event[1])
        shown = escape(name if len(name) <= 40 else "..." + name[-37:])
        if kind == "stage":
            total = event[3]
            label = f"  {shown} [dim]{escape(str(event[2]))}"
            if name in self._videos:
                self._progress.reset(self._videos[name], total=total, description=label)
            else:
                self._videos[name] = self._progress.add_task(label, total=total)
        elif kind == "frames" and name in self._videos:
            self._progress.update(self._videos[name], completed=event[2])
        elif kind == "done":
            if name in self._videos:
                self._progress.remove_task(self._videos.pop(name))
            self._progress.advance(self._all)
            self._progress.console.print(_done_line(event[2], bool(event[3])), soft_wrap=True)


def _done_line(row: object, skipped: bool) -> str:
    from formcheck.batch.work import Row

    assert isinstance(row, Row)
    name = escape(row.name)
    if row.status == "error":
        return f"[red]x[/] {name}: {escape(row.message or 'not checked')}"
    what = (
        f"{row.hold_s:g} s held, {row.good_form_s:g} s in good form"
        if row.hold_s is not None
        else f"{row.reps} reps, {row.flagged} flagged"
    )
    mark = "[yellow]~[/]" if row.status == "partial" else "[green]v[/]"
    return f"{mark} {name}: {what}" + (" (done before)" if skipped else "")


ClientOption = Annotated[str, typer.Option("--client", help="The client's name.")]


@app.command()
def sweep(
    plan: Annotated[
        Path,
        typer.Argument(help="A plan file (plans/tune.toml, plans/check.toml).", dir_okay=False),
    ],
    out_dir: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--out", help="Folder for the clips and INDEX.tsv."),
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="Processes rendering at once.")] = 1,
    list_only: Annotated[
        bool, typer.Option("--list", help="Print the clips the plan holds; render nothing.")
    ] = False,
    truth_only: Annotated[
        bool,
        typer.Option(
            "--truth-only",
            help="Pose and label every clip without drawing it; print the hard cases only.",
        ),
    ] = False,
) -> None:
    """Render a plan's clips with their ground truth, for formcheck eval.

    Clips already rendered from the same plan are kept, so a second run resumes.
    Needs the synth extra (pip install 'formcheck[synth]') and Debian's libosmesa6.
    """
    from formcheck.synth import sweep as sw

    try:
        jobs = sw.expand(sw.load_plan(plan))
        if list_only:
            for job in jobs:
                out.print(job.name, highlight=False)
            return
        if truth_only:
            truths = list(sw.planned_truths(jobs, workers))
        elif out_dir is None:
            raise _fail("--out is needed to render (or pass --list or --truth-only)")
        else:
            done = iter(range(1, len(jobs) + 1))
            sw.run(jobs, out_dir, workers, lambda name: err.print(f"[dim]{next(done)} {name}[/]"))
            truths = list(sw.rendered_truths(out_dir))
        cases = sw.hard_cases(truths)
    except FormcheckError as e:
        raise _fail(str(e)) from None
    except KeyboardInterrupt:
        raise _fail("interrupted: a second run renders only the clips still missing", 130) from None
    where = "planned" if truth_only else f"in {escape(str(out_dir))}"
    out.print(f"{len(jobs)} clips {where}. Reps within {sw.HARD_WITHIN:g} of a line:")
    for code, (faulty, clean) in cases.items():
        out.print(f"  {code:20} {faulty:4} faulty {clean:4} clean", highlight=False)
    span = sw.liftoff_span(truths)
    if span is not None:
        out.print(
            f"Clean deadlift reps lift off with the trunk {span.least:.0f}-{span.most:.0f} deg "
            f"from vertical ({span.count} reps, median {span.median:.0f})."
        )


@app.command()
def history(
    client: ClientOption,
    exercise: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--exercise", "-e", help="Only this exercise."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Show a client's sessions, one row per exercise a day, and the trend."""
    from formcheck.history import History, default_path, trend

    try:
        with History(db or default_path()) as h:
            rows = h.sessions(client, exercise)
    except FormcheckError as e:
        raise _fail(str(e)) from None
    if not rows:
        out.print(f"No {exercise} sets of {escape(client)} on record.")
        return
    out.print(_history_table(client, rows))
    for name in dict.fromkeys(r.exercise for r in rows):
        for line in trend([r for r in rows if r.exercise == name]):
            out.print(f"[bold]{name}:[/] {escape(line)}", soft_wrap=True)


def _history_table(client: str, rows: list[SessionRow]) -> Table:
    title = f"{escape(client)}: {len(rows)} sessions"
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for name in ("date", "exercise", "reps", "load", "RPE", "pain", "after", "flagged", "next"):
        left = name in ("date", "exercise", "next")
        table.add_column(name, justify="left" if left else "right", no_wrap=name != "next")
    for r in rows:
        work = ", ".join(map(str, r.reps)) if r.hold_s is None else f"{r.hold_s:.0f} s"
        after = ", ".join(f"{p}@{h:g}h" for h, p in r.follow_ups)
        load = "-" if r.load is None else f"{r.load:g} {r.unit}"
        then = r.action or "-"
        if r.next_load is not None:
            then += f" {r.next_load:g} {'s' if r.hold_s is not None else r.unit}"
        table.add_row(
            r.day.isoformat(),
            r.exercise,
            work,
            load,
            "-" if r.rpe is None else f"{r.rpe:g}",
            "-" if r.pain is None else str(r.pain),
            after or "-",
            f"{r.flagged}/{sum(r.reps)}" if r.hold_s is None else "-",
            then,
        )
    return table


@app.command()
def pain(
    client: ClientOption,
    score: Annotated[int, typer.Option(help="Pain now, 0-10.", min=0, max=10)],
    hours_after: Annotated[
        float,
        typer.Option(help="Hours since the session (the traffic light asks at 8, 16 and 24)."),
    ],
    db: DbOption = None,
) -> None:
    """Record follow-up pain after the client's latest session; the next suggestion uses it."""
    from formcheck.history import History, default_path

    try:
        with History(db or default_path()) as h:
            day = h.record_pain(client, score, hours_after)
    except FormcheckError as e:
        raise _fail(str(e)) from None
    out.print(
        f"recorded pain {score}/10 {hours_after:g} h after {escape(client)}'s session of {day}",
        soft_wrap=True,
    )


@app.command()
def live(
    exercise: Annotated[
        str, typer.Option("--exercise", "-e", help="plank first; any exercise analyze knows.")
    ],
    camera: Annotated[
        str,
        typer.Option(help="Camera index, stream URL, or a video file played at its real rate."),
    ] = "0",
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Folder for the reports (default: live-DATE-TIME)."),
    ] = None,
    no_window: Annotated[
        bool, typer.Option("--no-window", help="No window (headless runs, tests, CI).")
    ] = False,
    silent: Annotated[bool, typer.Option("--silent", help="No spoken cues, no beeps.")] = False,
    profile: ProfileOption = "standard",
    model: ModelOption = None,
) -> None:
    """Cue form live from a camera; when it ends, write report.json and report.html.

    Keys in the window: space pauses, r resets, q quits.
    """
    from formcheck.exercises import EXERCISES
    from formcheck.thresholds import PROFILES, thresholds

    if exercise not in EXERCISES:
        raise _fail(f"unknown exercise {exercise!r}; choose from {', '.join(EXERCISES)}", 2)
    if profile not in PROFILES:
        raise _fail(f"unknown profile {profile!r}; choose from {', '.join(PROFILES)}", 2)
    if not no_window and sys.platform.startswith("linux"):
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            raise _fail("no display to open a window on: run with --no-window", 2)
    out_dir = out_dir or Path(datetime.now().strftime("live-%Y%m%d-%H%M%S"))
    _check_folder(out_dir, "report.json")
    try:
        limits = thresholds(exercise, profile)  # type: ignore[arg-type]
        session = _run_live(camera, exercise, limits, model, not no_window, silent)
        out_dir.mkdir(parents=True, exist_ok=True)
        report = _finish_live(session, exercise, limits, out_dir)
    except FormcheckError as e:
        raise _fail(str(e)) from None
    s = session.stats
    err.print(
        f"{s['frames']} frames processed ({s['dropped']} dropped), {s['fps']:.1f} fps, "
        f"latency p50 {s['latency_p50_ms']:.0f} ms, p95 {s['latency_p95_ms']:.0f} ms; "
        f"wrote {out_dir}",
        soft_wrap=True,
    )
    for cue in report.summary.cues:
        out.print(f"[bold]Cue:[/] {escape(cue)}")


def _run_live(
    camera: str, exercise: str, limits: Thresholds, model: Path | None, window: bool, silent: bool
) -> LiveSession:
    """Capture, judge and show frames until the stream ends, q is pressed or Ctrl-C."""
    import signal

    from formcheck.live import LiveSession, Speaker, speech
    from formcheck.pipeline import needs_outline
    from formcheck.pose.mediapipe import PoseEstimator
    from formcheck.video import CaptureSource, VideoFileSource

    paced = Path(camera).is_file()
    source = (
        VideoFileSource(camera)
        if paced
        else CaptureSource(int(camera) if camera.isdigit() else camera)
    )
    say = None if silent else (speech() or _bell)
    speaker = Speaker(say or (lambda _text: None))
    outline = needs_outline(exercise)
    with (
        source,
        PoseEstimator(
            (source.meta.width, source.meta.height), model, max_people=1, masks=outline
        ) as estimator,
    ):
        session = LiveSession(source, paced, exercise, limits, speaker, _window if window else None)
        previous = signal.signal(signal.SIGINT, lambda *_: session.stop())
        try:
            session.run(estimator)
        finally:
            signal.signal(signal.SIGINT, previous)
            if window:
                import cv2

                cv2.destroyAllWindows()
    return session


def _window(image: NDArray[np.uint8]) -> str | None:
    """Show a frame in the live window; the key pressed, if any."""
    import cv2

    cv2.imshow(
        "formcheck live (space: pause, r: reset, q: quit)", cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
    )
    key = cv2.waitKey(1) & 0xFF
    return None if key == 0xFF else chr(key)


def _bell(_text: str) -> None:
    """The terminal bell, where no speech engine is installed."""
    sys.stderr.write("\a")
    sys.stderr.flush()


def _finish_live(
    session: LiveSession, exercise: str, limits: Thresholds, folder: Path
) -> SetReport:
    """The offline analysis of what the session saw, written like ``analyze`` writes it."""
    from formcheck.analyze import analyze as run_analysis
    from formcheck.coaching.facts import Inputs, Past, facts
    from formcheck.coaching.rules import suggest
    from formcheck.outputs.write import write_outputs
    from formcheck.pipeline import frame_reader

    series = session.series
    assert series is not None
    video = Path(series.meta.source) if session.paced else None
    reader = frame_reader(series) if session.paced else None
    report = run_analysis(series, exercise, limits, frames=reader)
    if report.reps or report.holds:
        report = replace(report, load_suggestion=suggest(facts(report, Inputs(), Past())))
    report.write(folder / "report.json")
    series.save(folder / "poses.npz")
    session.write_log(folder / "live.json")
    write_outputs(report, folder, video, annotate=False)
    return report
