"""The ``formcheck`` command line. The only module that prints."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import Annotated, Optional

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
from formcheck.series import PoseSeries, VideoMeta

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
    masks: Annotated[bool, typer.Option(help="Keep the main person's segmentation mask.")] = False,
) -> None:
    """Estimate the main person's pose in every frame and save it as .npz."""
    if end is not None and end <= start:
        raise _fail(f"--end ({end} s) must be after --start ({start} s)", 2)
    output = output or Path(Path(video).stem + ".poses.npz")
    # Frames are decoded in a second thread; handing the GIL over sooner than the
    # default 5 ms lets decoding overlap the model (measured: 49 -> 52 fps at 720p).
    sys.setswitchinterval(0.0005)
    existing = next(p for p in (output.parent, *output.parent.parents) if p.exists())
    if not existing.is_dir():
        raise _fail(f"{existing}: not a directory, cannot hold {output}")
    try:
        series, broken = _run_pose(video, start, end, model, max_people, masks)
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


def _run_pose(
    video: str,
    start: float,
    end: float | None,
    model: Path | None,
    max_people: int,
    masks: bool,
) -> tuple[PoseSeries, str | None]:
    from formcheck.pose import estimate_poses
    from formcheck.pose.mediapipe import PoseEstimator
    from formcheck.video import open_source

    with open_source(video, start, end) as source:
        meta = source.meta
        size = (meta.width, meta.height)
        with (
            PoseEstimator(size, model, max_people=max_people, masks=masks) as estimator,
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

            series = estimate_poses(source, meta, estimator, on_frame=advance)
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
