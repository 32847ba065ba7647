"""One video, or a saved pose series, through the whole pipeline with its outputs written.

What ``formcheck analyze`` runs, and what every ``formcheck batch`` worker runs for
each video. Nothing here prints: progress goes to a :class:`Progress`.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import sys
import threading
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from formcheck.errors import FormcheckError
from formcheck.report import SetReport
from formcheck.series import PoseSeries, VideoMeta

if TYPE_CHECKING:
    from formcheck.analyze import FrameReader
    from formcheck.coaching.facts import Inputs
    from formcheck.history import History
    from formcheck.outputs.write import Written
    from formcheck.pose.mediapipe import Scanner


log = logging.getLogger(__name__)


class Progress(Protocol):
    """Told what the pipeline is doing, a frame at a time."""

    def start(self, stage: str, total: int | None) -> None:
        """A stage (``pose``, ``annotated.mp4``) begins; ``total`` frames, if known."""

    def advance(self) -> None:
        """One more frame of the current stage is done."""


@dataclass(frozen=True)
class Settings:
    """Everything besides the video and the coaching inputs that decides the outputs."""

    exercise: str
    profile: str = "standard"
    config: Path | None = None
    model: Path | None = None
    annotate: bool = True
    blur_faces: bool = False
    fast: bool = False
    #: Threads one video's pose estimation may use with ``fast`` (see ``estimate``).
    parts: int = 1


@dataclass(frozen=True)
class Checked:
    """One video's analysis and the files written from it.

    Attributes:
        report: The analysed set, its load suggestion included.
        written: The files beside report.json, and what could not be written.
        broken: Why the video ended early, when it did (the report covers the rest).
    """

    report: SetReport
    written: Written
    broken: str | None


def check(
    video: str,
    settings: Settings,
    inputs: Inputs,
    folder: Path,
    day: date,
    history: History | None = None,
    client: str | None = None,
    progress: Progress | None = None,
) -> Checked:
    """Analyse ``video`` and write ``report.json`` and every other output into ``folder``.

    Args:
        video: A video file, or a ``.npz`` written by ``formcheck pose``.
        settings: The exercise, thresholds, model and outputs.
        inputs: What the user said about the set (load, RPE, pain...).
        folder: Where the outputs go (made if missing).
        day: The session's day, for the history and the load suggestion.
        history: Where the client's past sets are read and this one is recorded.
        client: The client's name (the history needs it).
        progress: Told of each frame estimated and each frame of the annotated video.

    Raises:
        FormcheckError: The video, the thresholds, the model or the history cannot be used.
    """
    from formcheck.outputs.write import write_outputs

    series, broken = load_or_estimate(
        video,
        settings.model,
        needs_outline(settings.exercise),
        settings.fast,
        settings.parts,
        progress,
    )
    report = judge(series, settings)
    report, inputs = coach(report, inputs, history, client, day)
    folder.mkdir(parents=True, exist_ok=True)
    report.write(folder / "report.json")
    if history is not None and client is not None:
        source = video_of(series)
        sha = None if source is None else digest(source)
        history.record(client, day, report, inputs, video=sha)
    if progress is not None and settings.annotate:
        progress.start("annotated.mp4", report.n_frames)
    written = write_outputs(
        report,
        folder,
        video_of(series),
        settings.annotate,
        settings.blur_faces,
        client,
        None if progress is None else progress.advance,
    )
    return Checked(report, written, broken)


def needs_outline(exercise: str) -> bool:
    """Whether ``exercise``'s checks read the back's outline off the segmentation mask.

    Only the spine check does, and the mask costs a fifth of the pose model's speed.
    """
    from formcheck.exercises import EXERCISES

    return "rounded_back" in EXERCISES[exercise].checks


def judge(series: PoseSeries, settings: Settings) -> SetReport:
    """Count and judge the reps, or the holds, of one pose series.

    Raises:
        FormcheckError: The thresholds cannot be used.
    """
    from formcheck.analyze import analyze
    from formcheck.thresholds import thresholds

    limits = thresholds(settings.exercise, settings.profile, settings.config)  # type: ignore[arg-type]
    return analyze(series, settings.exercise, limits, frames=frame_reader(series))


def inputs(
    exercise: str,
    load: str | None = None,
    reps_target: int | None = None,
    rpe: float | None = None,
    pain: int | None = None,
    program: str | None = None,
    week: int | None = None,
) -> Inputs:
    """What the user said about a set of ``exercise``, checked.

    Raises:
        FormcheckError: A value makes no sense (a load without a unit, RPE 11, a
            program for another exercise, a week without a program).
    """
    from formcheck.coaching.facts import Inputs
    from formcheck.coaching.loads import parse_load
    from formcheck.coaching.program import PROGRAMS

    if week is not None and program is None:
        raise FormcheckError("--week needs --program")
    plan = None
    if program is not None:
        if program not in PROGRAMS:
            raise FormcheckError(f"unknown program {program!r}; choose from {', '.join(PROGRAMS)}")
        plan = PROGRAMS[program]
        if plan.exercise != exercise:
            raise FormcheckError(f"--program {program} is for {plan.exercise}, not {exercise}")
    try:
        return Inputs(
            None if load is None else parse_load(load), reps_target, rpe, pain, plan, week
        )
    except ValueError as e:
        raise FormcheckError(str(e)) from None


def estimate(
    video: str,
    model: Path | None,
    *,
    start: float = 0.0,
    end: float | None = None,
    max_people: int = 3,
    segment: bool = False,
    keep_masks: bool = False,
    fast: bool = False,
    parts: int = 1,
    progress: Progress | None = None,
) -> tuple[PoseSeries, str | None]:
    """The main person's pose series from ``video`` between ``start`` and ``end`` (s).

    ``fast``: the model skips frames while the body is (nearly) still (see
    :mod:`formcheck.pose.stride`), and a whole video long enough is estimated
    in up to ``parts`` threads at once (see :mod:`formcheck.pose.parts`).
    Returns the series and, when the video ended early, why.

    Raises:
        NoPersonError: No frame had a person in it.
    """
    from formcheck.errors import NoPersonError

    joined = None
    if fast and parts > 1 and start == 0 and end is None and not keep_masks:
        joined = _in_parts(video, model, max_people, segment, parts, progress)
    series, broken = joined or _piece(
        video, model, start, end, max_people, segment, keep_masks, fast, progress
    )
    if not series.detected.any():
        raise NoPersonError(f"{video}: no person found in any of its {len(series)} frames")
    return series, broken


def _piece(
    video: str,
    model: Path | None,
    start: float,
    end: float | None,
    max_people: int,
    segment: bool,
    keep_masks: bool,
    fast: bool,
    progress: Progress | None,
    scanner: Scanner | None = None,
) -> tuple[PoseSeries, str | None]:
    """:func:`estimate` in this process, in one piece; the series may have nobody in it.

    ``scanner``: one shared with other pieces estimated meanwhile (see ``PoseEstimator``).
    """
    from formcheck.pose import Stride, estimate_poses
    from formcheck.pose.mediapipe import PoseEstimator
    from formcheck.video import open_source

    # Frames are decoded in a second thread; handing the GIL over sooner than the
    # default 5 ms lets decoding overlap the model (measured: 49 -> 52 fps at 720p).
    sys.setswitchinterval(0.0005)
    with open_source(video, start, end) as source:
        meta = source.meta
        size = (meta.width, meta.height)
        with PoseEstimator(
            size, model, max_people=max_people, masks=segment, scanner=scanner
        ) as estimator:
            if progress is not None:
                progress.start("pose", expected_frames(meta, start, end))
            series = estimate_poses(
                source,
                meta,
                estimator,
                on_frame=None if progress is None else lambda *_: progress.advance(),
                keep_masks=keep_masks,
                stride=Stride() if fast else None,
                need_person=False,
            )
        return series, source.broken


def _in_parts(
    video: str,
    model: Path | None,
    max_people: int,
    segment: bool,
    parts: int,
    progress: Progress | None,
) -> tuple[PoseSeries, str | None] | None:
    """:func:`estimate` with ``fast`` over a whole video, a part per thread.

    The model lets go of the GIL while it runs, so parts in threads of this
    process keep every core busy, without a process's start-up or its copy of
    the libraries (measured at 720p: as fast as a process per part, 210 MB less).
    The parts share one scanner, the landmarker that looks for everybody.
    None when the video is too short to split, or when two parts follow
    different people.
    """
    from concurrent.futures import ThreadPoolExecutor

    from formcheck.model import resolve_model
    from formcheck.pose.mediapipe import Scanner
    from formcheck.pose.parts import OVERLAP_S, plan
    from formcheck.video import open_source

    with open_source(video) as source:
        meta = source.meta
    ranges = plan(meta.duration_s or 0.0, parts)
    if len(ranges) < 2:
        return None
    shared = _Shared(progress)
    scanner = Scanner(resolve_model(model).path, max_people) if max_people > 1 else None
    if progress is not None:
        overlaps = round(OVERLAP_S * meta.fps) * (len(ranges) - 1)
        progress.start("pose", (expected_frames(meta, 0.0, None) or 0) + overlaps or None)

    def part(start: float, end: float | None) -> tuple[PoseSeries, str | None]:
        return _piece(video, model, start, end, max_people, segment, False, True, shared, scanner)

    with (
        contextlib.nullcontext() if scanner is None else scanner,
        ThreadPoolExecutor(len(ranges) - 1, thread_name_prefix="formcheck-part") as pool,
    ):
        later = [pool.submit(part, a - OVERLAP_S, b) for a, b in ranges[1:]]
        try:
            pieces = [part(0.0, ranges[0][1]), *(each.result() for each in later)]
        except BaseException:  # Ctrl-C too: the other parts stop at their next frame
            shared.stop.set()
            raise
    return _joined(video, pieces, [a for a, _ in ranges])


def _joined(
    video: str, pieces: list[tuple[PoseSeries, str | None]], starts: list[float]
) -> tuple[PoseSeries, str | None] | None:
    """The parts' series as one, up to the first part whose video ended early."""
    from formcheck.pose.parts import join

    broken = None
    kept = []
    for series, broken in pieces:
        kept.append(series)
        if broken is not None:
            break
    joined = join(kept, starts[: len(kept)])
    if joined is None:
        log.info("%s: the parts follow different people; estimating it in one piece", video)
        return None
    return joined, broken


class _StoppedError(Exception):
    """A part stops: another one failed, or Ctrl-C was pressed."""


class _Shared:
    """The parts' progress, told to ``progress`` one frame at a time, and their stop."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.stop = threading.Event()
        self._lock = threading.Lock()

    def start(self, stage: str, total: int | None) -> None:
        """Started for all the parts by the caller."""

    def advance(self) -> None:
        if self.stop.is_set() and threading.current_thread() is not threading.main_thread():
            raise _StoppedError
        if self.progress is not None:
            with self._lock:
                self.progress.advance()


def expected_frames(meta: VideoMeta, start: float, end: float | None) -> int | None:
    """How many frames lie between ``start`` and ``end`` (s), if the container says."""
    if meta.duration_s is None:
        return meta.n_frames
    stop = meta.duration_s if end is None else min(end, meta.duration_s)
    return max(round((stop - start) * meta.fps), 1)


def load_or_estimate(
    video: str,
    model: Path | None,
    outline: bool,
    fast: bool = False,
    parts: int = 1,
    progress: Progress | None = None,
) -> tuple[PoseSeries, str | None]:
    """A saved pose series (.npz) as it is, or a video through the pose model.

    ``outline``: also read the outline of the back off the segmentation mask;
    ``fast`` and ``parts``: as :func:`estimate` takes them.
    """
    if video.endswith(".npz"):
        try:
            return PoseSeries.load(video), None
        except (OSError, ValueError, KeyError) as e:
            raise FormcheckError(f"{video}: not a pose series: {e}") from None
    return estimate(video, model, segment=outline, fast=fast, parts=parts, progress=progress)


def usable_cores() -> int:
    """How many cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def video_of(series: PoseSeries) -> Path | None:
    """The analysed video file, when it is (still) there."""
    video = Path(series.meta.source)
    return video if video.is_file() else None


def frame_reader(series: PoseSeries) -> FrameReader | None:
    """Reads frames of the analysed video file, when it is (still) there."""
    from formcheck.video import frames_at

    video = video_of(series)
    return None if video is None else (lambda times: frames_at(video, times))


def coach(
    report: SetReport, inputs: Inputs, history: History | None, client: str | None, day: date
) -> tuple[SetReport, Inputs]:
    """The report with its load suggestion, and the inputs with the program week resolved.

    A set with no rep and no hold found gets no suggestion: there is nothing to go on.
    """
    from formcheck.coaching.facts import Past, facts
    from formcheck.coaching.rules import suggest

    name = None if inputs.program is None else inputs.program.name
    past = history.past(client, report.exercise, day, name) if history and client else Past()
    if inputs.program is not None and inputs.week is None:
        inputs = replace(inputs, week=past.program_week or 1)
    if not report.reps and not report.holds:
        return report, inputs
    return replace(report, load_suggestion=suggest(facts(report, inputs, past))), inputs


def digest(path: Path) -> str:
    """The sha256 of a file's bytes, in hex.

    Raises:
        FormcheckError: The file cannot be read.
    """
    sha = hashlib.sha256()
    try:
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                sha.update(chunk)
    except OSError as e:
        raise FormcheckError(f"{path}: cannot read: {e.strerror or e}") from None
    return sha.hexdigest()
