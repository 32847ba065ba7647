"""Labelled clips: the truth ``formcheck eval`` scores the analysis against.

Three layouts are read, each a folder (a folder of such folders works too):

* rendered clips with an ``INDEX.tsv`` (the shared synthetic set), or just a
  ``<name>.json`` beside each ``<name>.mp4`` (``python -m formcheck.synth``):
  the JSON gives the reps (frames, fault codes, borderline codes) or the holds,
  and ``<name>.csv`` the true angles frame by frame;
* real clips listed in a ``GROUND_TRUTH.tsv``, labelled by eye: rep spans in
  seconds and the faults of each rep (``?`` where the view cannot tell).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from formcheck.errors import FormcheckError
from formcheck.exercises import EXERCISES

#: Exercises labelled under another name that the analysis treats alike.
ANALYSED_AS = {"hip_thrust": "glute_bridge"}


@dataclass(frozen=True)
class Unit:
    """One true rep, or one true hold.

    Attributes:
        start_s: When it starts.
        end_s: When it ends.
        faults: Its fault codes; None where the labeller could not judge it.
        skip: Codes not to score on it (borderline: in the grey zone of the line).
    """

    start_s: float
    end_s: float
    faults: frozenset[str] | None
    skip: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Clip:
    """One labelled video.

    Attributes:
        labels: The name of the folder its labels are in (``synthetic``, ``real``...).
        name: The clip's name, unique within its folder.
        video: The video file.
        exercise: The exercise it is analysed as.
        view: The camera view the labels give (``side``, ``oblique``, ``front``...).
        rep_count: The complete reps (0 for a timed hold).
        units: The reps or the holds, in time order.
        angles: Per-frame true angles (a rendered clip's CSV), if any.
        frames: The frames of the set, ``(first, last)``, where angles are compared.
        source: Who and where it was filmed (one person and place; a rendered
            clip's body), so that lines can be chosen without a source and
            scored on it.
    """

    labels: str
    name: str
    video: Path
    exercise: str
    view: str
    rep_count: int
    units: tuple[Unit, ...]
    angles: Path | None = None
    frames: tuple[int, int] | None = None
    source: str = ""

    @property
    def count(self) -> int:
        """The complete reps, or for a timed hold the holds."""
        return len(self.units) if self.is_hold else self.rep_count

    @property
    def is_hold(self) -> bool:
        """Whether the exercise is a timed hold (its units are holds, not reps)."""
        return EXERCISES[self.exercise].pattern is None


def find_clips(folder: Path) -> tuple[list[Clip], list[str]]:
    """Every labelled clip in ``folder``, and why any labelled clip was left out.

    Raises:
        FormcheckError: There is no folder, or no labels in it or one level down.
    """
    if not folder.is_dir():
        raise FormcheckError(f"{folder}: no such folder")
    folder = folder.resolve()  # its name names the labels, even for "."
    clips, left_out = _read(folder)
    if not clips and not left_out:
        for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
            more, dropped = _read(sub)
            clips += more
            left_out += dropped
    if not clips and not left_out:
        raise FormcheckError(
            f"{folder}: no labelled clips (an INDEX.tsv, a GROUND_TRUTH.tsv, or a "
            "<name>.json beside each <name>.mp4)"
        )
    return clips, left_out


def _read(folder: Path) -> tuple[list[Clip], list[str]]:
    if (folder / "GROUND_TRUTH.tsv").is_file():
        return _real(folder)
    if (folder / "INDEX.tsv").is_file():
        names = [row["name"] for row in _tsv(folder / "INDEX.tsv")]
    else:
        names = [p.stem for p in sorted(folder.glob("*.json")) if p.with_suffix(".mp4").is_file()]
    clips, left_out = [], []
    for name in names:
        try:
            truth = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
            clips.append(_rendered(folder, name, truth))
        except (OSError, ValueError, KeyError, TypeError) as e:
            left_out.append(f"{folder.name}/{name}: unreadable labels ({type(e).__name__}: {e})")
    return clips, left_out


def _tsv(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f, delimiter="\t"))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise FormcheckError(f"{path}: cannot read it: {e}") from None


def _rendered(folder: Path, name: str, truth: dict[str, Any]) -> Clip:
    fps = float(truth["fps"])
    held = truth.get("holds") or []
    labelled = held if truth["rep_count"] == 0 and held else truth["reps"]
    units = tuple(
        Unit(
            u["start_frame"] / fps,
            u["end_frame"] / fps,
            frozenset(u.get("faults", ())),
            frozenset(u.get("borderline", ())),
        )
        for u in labelled
    )
    in_set = [p for p in truth.get("phases", ()) if p["name"] == "set"]
    angles = folder / f"{name}.csv"
    return Clip(
        folder.name,
        name,
        folder / f"{name}.mp4",
        truth["exercise"],
        truth.get("view") or _view_of(float(truth["view_deg"])),
        int(truth["rep_count"]),
        units,
        angles if angles.is_file() else None,
        (in_set[0]["start_frame"], in_set[0]["end_frame"]) if in_set else None,
        str(truth.get("body", "")),
    )


def _view_of(degrees: float) -> str:
    """The view name of a camera ``degrees`` off the side, as the shared labels name them."""
    return "side" if degrees < 10 else "oblique" if degrees < 60 else "front"


def _real(folder: Path) -> tuple[list[Clip], list[str]]:
    clips, left_out = [], []
    for row in _tsv(folder / "GROUND_TRUTH.tsv"):
        exercise = ANALYSED_AS.get(row["exercise"], row["exercise"])
        where = f"{folder.name}/{row['path']}"
        if exercise not in EXERCISES:
            left_out.append(f"{where}: {row['exercise']} is not an exercise formcheck checks")
        elif not row["usable_for_eval"].startswith("yes"):
            left_out.append(f"{where}: not usable ({row['usable_for_eval']})")
        else:
            try:
                clips.append(_real_clip(folder, row, exercise))
            except (ValueError, KeyError) as e:
                left_out.append(f"{where}: unreadable labels ({e})")
    return clips, left_out


def _real_clip(folder: Path, row: dict[str, str], exercise: str) -> Clip:
    spans = [s for s in row["rep_spans"].split(";") if s]
    labels = row["faults_per_rep"].split(";") if row["faults_per_rep"] else []
    units = []
    for span, label in zip(spans, labels, strict=False):
        start, end = (float(x) for x in span.split("-"))
        codes = None if label == "?" else frozenset(c for c in label.split("+") if c != "none")
        units.append(Unit(start, end, codes))
    return Clip(
        folder.name,
        Path(row["path"]).stem,
        folder / row["path"],
        exercise,
        row["camera_view"].split()[0],
        int(row["rep_count"]),
        tuple(units),
        source=row.get("source") or row.get("source_repo") or "",
    )
