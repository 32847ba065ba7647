"""Checking one video of a batch, or a client's videos in turn: what every worker runs.

A video is done when its folder holds ``batch.json``, written (atomically) after
every other output, naming the video's sha256 and a digest of everything that
decides its outputs. A re-run skips a done video whose file and settings are the
same, and checks every other one again from scratch, so a batch killed at any
moment and run again loses nothing and duplicates nothing (the history replaces
a video's set rather than adding another).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Literal

from formcheck import __version__
from formcheck.batch.jobs import Job
from formcheck.errors import FormcheckError
from formcheck.files import write_text
from formcheck.history import History
from formcheck.pipeline import Settings, check, digest

#: The file that marks a video's folder as done.
MARKER = "batch.json"
#: Seconds between two progress messages from one worker.
PROGRESS_EVERY_S = 0.25

Status = Literal["ok", "partial", "error"]
#: Sends a progress message to the batch's driver: ``(kind, video name, *details)``.
Send = Callable[[tuple[Any, ...]], None]


@dataclass(frozen=True)
class Task:
    """What every worker needs besides its videos.

    Attributes:
        out: The batch's output folder (workers on other machines must see it too).
        settings: The thresholds, model and outputs (each video has its own exercise).
        key: A digest of the settings, the model's sha256 and formcheck's version.
        db: The history file, for the videos that have a client.
    """

    out: Path
    settings: Settings
    key: str
    db: Path | None


@dataclass(frozen=True)
class Row:
    """One video's line of the summary."""

    name: str
    client: str | None
    exercise: str | None
    day: str
    status: Status
    view: str | None = None
    reps: int | None = None
    flagged: int | None = None
    hold_s: float | None = None
    good_form_s: float | None = None
    cue: str | None = None
    action: str | None = None
    next_load: float | None = None
    unit: str | None = None
    report: str | None = None
    message: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The row as the summary's columns."""
        return asdict(self)


def task_key(settings: Settings, model_sha256: str, config_text: str | None) -> str:
    """A digest of everything besides the video and its manifest row that decides outputs."""
    fields = {
        "formcheck": __version__,
        "model": model_sha256,
        "profile": settings.profile,
        "config": config_text,
        "annotate": settings.annotate,
        "blur_faces": settings.blur_faces,
        **({"fast": True} if settings.fast else {}),  # earlier batches' keys stand
    }
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()


def run_chain(chain: Sequence[Job], task: Task, send: Send) -> list[Row]:
    """Check ``chain``'s videos one after the other (a client's, in the order of their days)."""
    history = History(task.db) if task.db is not None and chain[0].client else None
    with history or nullcontext():
        return [run_job(job, task, history, send) for job in chain]


def run_job(job: Job, task: Task, history: History | None, send: Send) -> Row:
    """Check one video unless it is done; its summary row, whatever happens.

    The driver is sent ``("done", name, row, skipped)`` at the end.
    """
    folder = task.out / job.folder
    base = Row(job.name, job.client, job.exercise, job.day.isoformat(), "error")
    try:
        sha = digest(job.video)
        key = _job_key(task.key, job)
        row = _done(job, folder, sha, key)
        skipped = row is not None
        if row is None:
            row = _check(job, task, folder, sha, key, history, _Reporter(job.name, send))
    except FormcheckError as e:
        row, skipped = replace(base, message=str(e)), False
    except Exception as e:  # one video's bug must not stop the others
        row, skipped = replace(base, message=f"internal error: {type(e).__name__}: {e}"), False
    send(("done", job.name, row, skipped))
    return row


def _check(
    job: Job,
    task: Task,
    folder: Path,
    sha: str,
    key: str,
    history: History | None,
    reporter: _Reporter,
) -> Row:
    """Check the video from scratch, then mark its folder done."""
    assert job.exercise is not None
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).unlink(missing_ok=True)
    for stale in folder.glob(".*.tmp"):  # left by a worker killed mid-write
        stale.unlink()
    settings = replace(task.settings, exercise=job.exercise)
    checked = check(
        str(job.video), settings, job.inputs, folder, job.day, history, job.client, reporter
    )
    report = checked.report.to_dict()
    warnings = [*report["camera_view"]["warnings"], *report["warnings"]]
    warnings += checked.written.warnings
    if checked.broken:
        warnings.insert(0, checked.broken)
    status: Status = "partial" if checked.broken else "ok"
    message = "; ".join(warnings) or None
    write_text(
        folder / MARKER,
        json.dumps(
            {"video": job.name, "sha256": sha, "key": key, "status": status, "message": message},
            indent=2,
        )
        + "\n",
    )
    return row_of(job, report, _link(job), status, message)


def row_of(job: Job, report: dict[str, Any], link: str, status: Status, message: str | None) -> Row:
    """The summary row of a video from its ``report.json``."""
    summary, suggestion = report["summary"], report["load_suggestion"] or {}
    holds = bool(report["holds"])
    return Row(
        job.name,
        job.client,
        job.exercise,
        job.day.isoformat(),
        status,
        view=report["camera_view"]["label"],
        reps=None if holds else summary["rep_count"],
        flagged=None if holds else summary["flagged_reps"],
        hold_s=summary["hold_s"] if holds else None,
        good_form_s=summary["good_form_s"] if holds else None,
        cue=summary["cues"][0] if summary["cues"] else None,
        action=suggestion.get("action"),
        next_load=suggestion.get("next_load"),
        unit=suggestion.get("unit"),
        report=link,
        message=message,
    )


def _job_key(task_key: str, job: Job) -> str:
    mine = repr((task_key, job.exercise, job.client, job.day.isoformat(), job.inputs))
    return hashlib.sha256(mine.encode()).hexdigest()


def _done(job: Job, folder: Path, sha: str, key: str) -> Row | None:
    """The row of a video checked before from the same file and settings, if it was."""
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        if marker["sha256"] != sha or marker["key"] != key:
            return None
        report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
        return row_of(job, report, _link(job), marker["status"], marker["message"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _link(job: Job) -> str:
    return f"{job.folder}/report.html"


class _Reporter:
    """Tells the driver how far a video is, a few times a second."""

    def __init__(self, name: str, send: Send) -> None:
        self._name, self._send = name, send
        self._done, self._sent = 0, 0.0

    def start(self, stage: str, total: int | None) -> None:
        self._done = 0
        self._send(("stage", self._name, stage, total))

    def advance(self) -> None:
        self._done += 1
        now = time.monotonic()
        if now - self._sent >= PROGRESS_EVERY_S:
            self._sent = now
            self._send(("frames", self._name, self._done))
