"""What a batch has to do: the videos under a folder, each with its exercise, client and day.

A video's exercise, client, day and coaching inputs come from its manifest row,
else from the command line; its day, failing both, is the day the file was last
modified. Its outputs go to the folder of the same relative path under the batch's
output folder, the suffix dropped.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

from formcheck.coaching.facts import Inputs
from formcheck.errors import FormcheckError
from formcheck.exercises import EXERCISES
from formcheck.pipeline import inputs

#: Files with these suffixes (any case) are videos.
VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm"})
#: The columns a manifest may have; ``path`` (relative to the batch's folder) is required.
MANIFEST_COLUMNS = (
    "path",
    "exercise",
    "client",
    "date",
    "load",
    "reps_target",
    "rpe",
    "pain",
    "program",
    "week",
)


N = TypeVar("N", int, float)


class BatchError(FormcheckError):
    """The batch cannot start: no such folder, no video in it, a manifest that makes no sense."""


@dataclass(frozen=True)
class Job:
    """One video to check.

    Attributes:
        video: The file.
        name: Its path under the batch's folder (``/``-separated), which names it everywhere.
        folder: Its outputs' folder, relative to the batch's output folder.
        exercise: The exercise done (None: nobody said).
        client: Whose set it is (None: no history).
        day: The session's day.
        inputs: What the manifest says about the set.
        problem: Why the video cannot be checked, found before any work (None: it can).
    """

    video: Path
    name: str
    folder: str
    exercise: str | None
    client: str | None
    day: date
    inputs: Inputs
    problem: str | None = None


@dataclass(frozen=True)
class Defaults:
    """What the command line says for the videos their manifest rows do not cover."""

    exercise: str | None = None
    client: str | None = None
    day: date | None = None


def plan(root: Path, out: Path, defaults: Defaults, manifest: Path | None = None) -> list[Job]:
    """Every video under ``root`` (and every manifest row), in the order of their names.

    Raises:
        BatchError: ``root`` is not a folder, holds no video, or the manifest is unusable.
    """
    if not root.is_dir():
        raise BatchError(f"{root}: not a folder")
    rows = {} if manifest is None else read_manifest(manifest)
    found = {video.relative_to(root).as_posix(): video for video in find_videos(root, out)}
    names = sorted(found.keys() | rows.keys())
    if not names:
        suffixes = ", ".join(sorted(VIDEO_SUFFIXES))
        raise BatchError(f"{root}: no video ({suffixes}) in it or in its folders")
    folders = output_folders(names)
    return [
        _job(root / name, name, folders[name], rows.get(name, {}), defaults, name in found)
        for name in names
    ]


def find_videos(root: Path, out: Path) -> list[Path]:
    """The video files under ``root``, hidden ones and those under ``out`` left out."""
    skip = out.resolve()
    videos = []
    for path in root.rglob("*"):
        parts = path.relative_to(root).parts
        if path.suffix.lower() not in VIDEO_SUFFIXES or any(p.startswith(".") for p in parts):
            continue
        if path.resolve().is_relative_to(skip) or not (path.is_file() or path.is_symlink()):
            continue
        videos.append(path)
    return videos


def output_folders(names: list[str]) -> dict[str, str]:
    """Each video's outputs' folder: its name without the suffix, unless two would share it."""
    by_stem: defaultdict[str, list[str]] = defaultdict(list)
    for name in names:
        by_stem[name.rsplit(".", 1)[0]].append(name)
    folders = {}
    for stem, same in by_stem.items():
        for name in same:
            suffix = name.rsplit(".", 1)[1]
            folders[name] = stem if len(same) == 1 else f"{stem}_{suffix}"
    return folders


def read_manifest(path: Path) -> dict[str, dict[str, str]]:
    """The manifest's rows by video name, blank cells left out.

    Raises:
        BatchError: The file cannot be read, lacks ``path``, has an unknown column or
            lists a video twice.
    """
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            columns = reader.fieldnames or []
            rows = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise BatchError(f"{path}: cannot read the manifest: {e}") from None
    unknown = [c for c in columns if c not in MANIFEST_COLUMNS]
    if "path" not in columns or unknown:
        what = f"unknown column {unknown[0]!r}" if unknown else "no 'path' column"
        raise BatchError(f"{path}: {what}; a manifest has {', '.join(MANIFEST_COLUMNS)}")
    out: dict[str, dict[str, str]] = {}
    for line, row in enumerate(rows, start=2):
        cells = {k: v.strip() for k, v in row.items() if k and v and v.strip()}
        name = Path(cells.pop("path", "")).as_posix()
        if name == ".":
            raise BatchError(f"{path}:{line}: no path")
        if name in out:
            raise BatchError(f"{path}:{line}: {name} is listed twice")
        out[name] = cells
    return out


def _job(
    video: Path, name: str, folder: str, row: dict[str, str], defaults: Defaults, found: bool
) -> Job:
    exercise = row.get("exercise", defaults.exercise)
    client = row.get("client", defaults.client)
    try:
        day = _day(video, row.get("date"), defaults.day)
        if not found:
            raise FormcheckError("not found (listed in the manifest)")
        if exercise is None:
            raise FormcheckError("no exercise: give --exercise or a manifest's exercise column")
        if exercise not in EXERCISES:
            raise FormcheckError(f"unknown exercise {exercise!r}")
        said = inputs(
            exercise,
            row.get("load"),
            _number(row, "reps_target", int),
            _number(row, "rpe", float),
            _number(row, "pain", int),
            row.get("program"),
            _number(row, "week", int),
        )
    except FormcheckError as e:
        day = defaults.day or date.today()
        return Job(video, name, folder, exercise, client, day, Inputs(), str(e))
    return Job(video, name, folder, exercise, client, day, said)


def _day(video: Path, cell: str | None, default: date | None) -> date:
    if cell is not None:
        try:
            return date.fromisoformat(cell)
        except ValueError:
            raise FormcheckError(f"date {cell!r} is not YYYY-MM-DD") from None
    if default is not None:
        return default
    try:
        return datetime.fromtimestamp(video.stat().st_mtime).date()
    except OSError:
        return date.today()


def _number(row: dict[str, str], column: str, kind: Callable[[str], N]) -> N | None:
    cell = row.get(column)
    if cell is None:
        return None
    try:
        return kind(cell)
    except ValueError:
        raise FormcheckError(f"{column} {cell!r} is not a number") from None


def chains(jobs: list[Job]) -> list[tuple[Job, ...]]:
    """The jobs in runs that must go one after the other, biggest first.

    A client's videos run in the order of their days (then names), so that each
    load suggestion sees the sets before it whatever the number of workers; videos
    without a client stand alone.
    """
    runs: defaultdict[str | None, list[Job]] = defaultdict(list)
    alone: list[Job] = []
    for job in jobs:
        if job.problem is None:
            (runs[job.client] if job.client is not None else alone).append(job)
    out = [tuple(sorted(run, key=lambda j: (j.day, j.name))) for run in runs.values()]
    out += [(job,) for job in alone]
    return sorted(out, key=lambda run: (-sum(_size(j.video) for j in run), run[0].name))


def _size(video: Path) -> int:
    try:
        return video.stat().st_size
    except OSError:
        return 0
