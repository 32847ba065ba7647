"""A corpus of rendered clips from a seeded plan, rendered in parallel processes.

A plan (TOML, see ``plans/`` in the repository) names the bodies and the camera
set-ups to draw from, and recipes: an exercise, how many clips, their reps, a
fault code with the magnitudes its reps draw from, and ranges for the clean
technique (:class:`~formcheck.synth.exercises.Style`). :func:`expand` turns it
into one :class:`Job` per clip, the same every time for the same plan; a job's
name says what it is. :func:`run` renders the jobs not yet rendered (a second
run resumes) and writes ``INDEX.tsv``, the layout ``formcheck eval`` reads.
:func:`planned_truths` gives the same ground truth without drawing a frame, so
:func:`hard_cases` can tell whether a plan puts enough reps near each line
before it is rendered.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import multiprocessing
import tomllib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from formcheck.errors import FormcheckError
from formcheck.synth import truth
from formcheck.synth.body import body_names
from formcheck.synth.clip import Staging, ground_truth, pose_set, render_clip
from formcheck.synth.exercises import EXERCISES, REP_FAULTS, Spec, Style

PATTERNS = ("mixed", "all", "late")
HOLD_FAULTS = ("hip_sag", "hip_pike")
_RECIPE_KEYS = {
    "exercise", "count", "reps", "fault", "values", "pattern", "style", "hold_s", "rounding",
}  # fmt: skip
_CAMERA_KEYS = {"views", "heights", "focal_mm", "distances", "sizes", "fps", "mirror", "looks"}

T = TypeVar("T")


@dataclass(frozen=True)
class Recipe:
    """Clips of one exercise, and the fault their reps draw magnitudes for.

    A plank's reps are its holds; they share one magnitude, the sag (or pike).
    """

    exercise: str
    count: int
    reps: int = 3
    fault: str | None = None
    values: tuple[float, ...] = (0.0,)
    pattern: str = "mixed"
    style: dict[str, tuple[float, float]] = field(default_factory=dict)
    hold_s: float = 12.0
    rounding: str = "spread"


@dataclass(frozen=True)
class Plan:
    """A seeded plan: bodies, camera set-ups and recipes."""

    name: str
    seed: int
    bodies: tuple[str, ...]
    camera: dict[str, tuple[Any, ...]]
    recipes: tuple[Recipe, ...]


@dataclass(frozen=True)
class Job:
    """One clip to render."""

    name: str
    spec: Spec
    staging: Staging


def load_plan(path: Path) -> Plan:
    """Read and check a plan file.

    Raises:
        FormcheckError: The file is missing, not TOML, or names something unknown.
    """
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise FormcheckError(f"{path}: cannot read the plan: {e}") from None
    try:
        plan = _plan(raw)
        expand(plan)  # every clip can be performed
    except (KeyError, TypeError, ValueError) as e:
        raise FormcheckError(f"{path}: {e}") from None
    return plan


def _plan(raw: dict[str, Any]) -> Plan:
    unknown = set(raw) - {"name", "seed", "bodies", "camera", "clips"}
    if unknown:
        raise ValueError(f"unknown keys {sorted(unknown)}")
    bodies = tuple(raw["bodies"])
    missing = [b for b in bodies if b not in body_names()]
    if missing or not bodies:
        raise ValueError(f"unknown bodies {missing}; choose from {', '.join(body_names())}")
    camera = {k: tuple(v) for k, v in raw["camera"].items()}
    if set(camera) != _CAMERA_KEYS:
        raise ValueError(f"[camera] needs exactly {sorted(_CAMERA_KEYS)}")
    recipes = tuple(_recipe(r) for r in raw["clips"])
    return Plan(str(raw["name"]), int(raw["seed"]), bodies, camera, recipes)


def _recipe(raw: dict[str, Any]) -> Recipe:
    if set(raw) - _RECIPE_KEYS:
        raise ValueError(f"unknown recipe keys {sorted(set(raw) - _RECIPE_KEYS)}")
    style = {k: (float(v[0]), float(v[1])) for k, v in raw.get("style", {}).items()}
    recipe = Recipe(
        raw["exercise"],
        int(raw["count"]),
        int(raw.get("reps", 3)),
        raw.get("fault"),
        tuple(float(v) for v in raw.get("values", (0.0,))),
        raw.get("pattern", "mixed"),
        style,
        float(raw.get("hold_s", 12.0)),
        raw.get("rounding", "spread"),
    )
    if recipe.exercise not in EXERCISES:
        raise ValueError(f"unknown exercise {recipe.exercise!r}")
    if recipe.fault is not None and recipe.fault not in REP_FAULTS + HOLD_FAULTS:
        raise ValueError(f"unknown fault {recipe.fault!r}")
    if recipe.pattern not in PATTERNS or set(style) - {f.name for f in dataclasses.fields(Style)}:
        raise ValueError(f"bad pattern or style in the {recipe.exercise} recipe")
    return recipe


def expand(plan: Plan) -> list[Job]:
    """Every clip of ``plan``, drawn from its seed (the same list on every call).

    The recipes take turns, so a sweep stopped half-way has some of every recipe.
    """
    jobs = []
    rounds = max(recipe.count for recipe in plan.recipes)
    for i in range(rounds):
        for r, recipe in enumerate(plan.recipes):
            if i >= recipe.count:
                continue
            rng = np.random.default_rng([plan.seed, r, i])
            body = plan.bodies[(i + r) % len(plan.bodies)]
            spec = _spec(recipe, rng)
            staging = _staging(plan.camera, body, rng)
            what = recipe.fault or "clean"
            name = f"{plan.name}_{r:02d}{i:02d}_{recipe.exercise}_{what}_{body}"
            jobs.append(Job(name, spec, staging))
    return jobs


def _spec(recipe: Recipe, rng: np.random.Generator) -> Spec:
    style = Style(**{k: float(rng.uniform(*bounds)) for k, bounds in recipe.style.items()})
    values = rng.choice(recipe.values, recipe.reps)
    if recipe.pattern == "all":
        values[:] = values[0]
    elif recipe.pattern == "late":
        values[: recipe.reps // 2] = 0.0
    if recipe.exercise.startswith("plank"):  # reps are holds, each with the same sag
        sag = float(values[0]) * (-1 if recipe.fault == "hip_pike" else 1)
        onset = float(rng.uniform(0.2, 0.5)) * recipe.hold_s
        return Spec(recipe.exercise, hold_s=recipe.hold_s, sag_deg=sag, sag_onset_s=onset,
                    holds=recipe.reps, setup_s=1.0, rest_s=1.0, style=style)  # fmt: skip
    faults = {
        rep + 1: {recipe.fault: float(v)}
        for rep, v in enumerate(values)
        if recipe.fault is not None and v
    }
    tempo = float(rng.uniform(0.85, 1.3))
    return Spec(
        recipe.exercise, recipe.reps, faults, tempo, setup_s=1.0, rest_s=1.0, style=style,
        rounding=recipe.rounding,
    )  # fmt: skip


def _staging(camera: dict[str, tuple[Any, ...]], body: str, rng: np.random.Generator) -> Staging:
    def pick(key: str) -> Any:
        options = camera[key]
        return options[int(rng.integers(len(options)))]

    width, height = (int(v) for v in str(pick("sizes")).split("x"))
    low, high = camera["looks"][0], camera["looks"][-1]
    return Staging(
        body,
        view_deg=float(pick("views")),
        distance=float(pick("distances")),
        fps=float(pick("fps")),
        width=width,
        height=height,
        camera_height=float(pick("heights")),
        focal_mm=float(pick("focal_mm")),
        mirror=bool(pick("mirror")),
        look=int(rng.integers(low, high + 1)),
    )


def run(
    jobs: list[Job],
    out: Path,
    workers: int = 1,
    on_done: Callable[[str], None] | None = None,
) -> None:
    """Render the jobs not yet in ``out`` on ``workers`` processes, then write ``INDEX.tsv``."""
    out.mkdir(parents=True, exist_ok=True)
    todo = [job for job in jobs if not _done(job, out)]
    if workers > 1 and len(todo) > 1:
        with _processes(workers) as pool:
            futures = [pool.submit(_render, (job, out)) for job in todo]
            for future in as_completed(futures):
                name = _result(future)
                if on_done:
                    on_done(name)
    else:
        for job in todo:
            name = _render((job, out))
            if on_done:
                on_done(name)
    write_index(jobs, out)


def _processes(workers: int) -> ProcessPoolExecutor:
    """Fresh processes (not forks of this one, which may hold a GL context)."""
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))


def _result(future: Future[T]) -> T:
    """A job's result; a process that died (killed for memory, say) ends the sweep."""
    try:
        return future.result()
    except BrokenProcessPool as exc:
        raise FormcheckError(
            "a sweep process died before its clip was done (out of memory?); "
            "run again to resume: finished clips are kept"
        ) from exc


def _render(task: tuple[Job, Path]) -> str:
    job, out = task
    render_clip(job.spec, job.staging, out / f"{job.name}.mp4")
    return job.name


def _done(job: Job, out: Path) -> bool:
    """Whether the clip and its truth are there, rendered from this very job."""
    truth_file = out / f"{job.name}.json"
    if not (out / f"{job.name}.mp4").is_file() or not truth_file.is_file():
        return False
    try:
        gt = json.loads(truth_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    spec = {
        **dataclasses.asdict(job.spec),
        "faults": {str(k): v for k, v in job.spec.faults.items()},
    }
    wanted = json.loads(json.dumps({"spec": spec, "staging": dataclasses.asdict(job.staging)}))
    # a clip rendered before a field of Spec existed was rendered with its default
    stored = {**_defaults(Spec), **gt.get("spec", {})}
    return bool(stored == wanted["spec"] and gt.get("staging") == wanted["staging"])


def _defaults(cls: type) -> dict[str, Any]:
    """The fields of dataclass ``cls`` that have a plain default, with it."""
    return {
        f.name: f.default for f in dataclasses.fields(cls) if f.default is not dataclasses.MISSING
    }


INDEX_COLUMNS = (
    "name", "exercise", "variant", "view_deg", "body", "fps", "n_frames", "duration_s",
    "resolution", "rep_count", "faulty_reps", "borderline", "hold_faults", "mp4_kb",
)  # fmt: skip


def write_index(jobs: list[Job], out: Path) -> None:
    """``INDEX.tsv`` of the rendered jobs (those missing are left out), atomically."""
    tmp = out / ".INDEX.tsv.tmp"
    with tmp.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, delimiter="\t", lineterminator="\n")
        writer.writerow(INDEX_COLUMNS)
        writer.writerows(_index_rows(jobs, out))
    tmp.replace(out / "INDEX.tsv")


def _index_rows(jobs: list[Job], out: Path) -> Iterator[list[object]]:
    for job in jobs:
        if not _done(job, out):
            continue
        gt = json.loads((out / f"{job.name}.json").read_text(encoding="utf-8"))
        holds = ";".join("+".join(h["faults"]) for h in gt["holds"] if h["faults"]) or "-"
        width, height = gt["resolution"]
        yield [
            job.name, gt["exercise"], gt["variant"], gt["view_deg"], gt["body"], gt["fps"],
            gt["n_frames"], gt["duration_s"], f"{width}x{height}", gt["rep_count"],
            _codes(gt, "faults"), _codes(gt, "borderline"), holds,
            (out / f"{job.name}.mp4").stat().st_size // 1024,
        ]  # fmt: skip


def _codes(gt: dict[str, Any], key: str) -> str:
    """``rep:code+code;...`` of the reps with any ``key`` codes, or ``-``."""
    cells = [f"{r['index']}:{'+'.join(r[key])}" for r in gt["reps"] if r[key]]
    return ";".join(cells) or "-"


#: How close to its line a true value must be for a rep to be a hard case.
HARD_WITHIN = 10.0


def rendered_truths(out: Path) -> Iterator[dict[str, Any]]:
    """The ground truth of every clip in ``out``'s ``INDEX.tsv``."""
    with (out / "INDEX.tsv").open(newline="", encoding="utf-8") as f:
        names = [row["name"] for row in csv.DictReader(f, delimiter="\t")]
    for name in names:
        yield json.loads((out / f"{name}.json").read_text(encoding="utf-8"))


def planned_truths(jobs: list[Job], workers: int = 1) -> Iterator[dict[str, Any]]:
    """The ground truth of every job, posed and labelled but not drawn (in job order)."""
    if workers > 1 and len(jobs) > 1:
        with _processes(workers) as pool:
            for future in [pool.submit(_truth, job) for job in jobs]:
                yield _result(future)
    else:
        yield from map(_truth, jobs)


def _truth(job: Job) -> dict[str, Any]:
    return ground_truth(job.spec, job.staging, pose_set(job.spec, job.staging), job.name)


def hard_cases(truths: Iterable[dict[str, Any]]) -> dict[str, tuple[int, int]]:
    """Per fault code: faulty and clean reps (or holds) within 10 of the label line.

    Borderline reps are not counted (scoring skips them).
    """
    counts: dict[str, list[int]] = {}
    for gt in truths:
        for code, value, fault in _judged(gt):
            line = truth.line_of(gt["exercise"], code)[1]
            if abs(value - line) <= HARD_WITHIN:
                counts.setdefault(code, [0, 0])[0 if fault else 1] += 1
    return {code: (faulty, clean) for code, (faulty, clean) in sorted(counts.items())}


@dataclass(frozen=True)
class Span:
    """The least, median and largest of some values, and how many there are."""

    least: float
    median: float
    most: float
    count: int


def liftoff_span(truths: Iterable[dict[str, Any]]) -> Span | None:
    """The trunk's lean from vertical at lift-off over the clean deadlift reps (None: none)."""
    values = [
        rep["measured_3d"]["liftoff_trunk_deg"]
        for gt in truths
        if gt["exercise"] == "deadlift"
        for rep in gt["reps"]
        if not rep["faults"]
    ]
    if not values:
        return None
    return Span(min(values), float(np.median(values)), max(values), len(values))


def _judged(gt: dict[str, Any]) -> Iterator[tuple[str, float, bool]]:
    """(code, true value, faulty) of every rep and hold the labels judge."""
    for rep in gt["reps"]:
        for code in truth.CHECKED.get(gt["exercise"], ()):
            if code not in rep["borderline"]:
                metric = truth.line_of(gt["exercise"], code)[0]
                yield code, rep["measured_3d"][metric], code in rep["faults"]
    for hold in gt["holds"]:
        for code, metric in (("hip_sag", "max_sag_deg"), ("hip_pike", "max_pike_deg")):
            value, line, grey = hold[metric], *truth.LABEL_LINES[code][1:3]
            if not grey <= value < line:  # the grey zone, as for reps
                yield code, value, code in hold["faults"]
