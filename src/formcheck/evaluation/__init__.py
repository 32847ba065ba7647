"""``formcheck eval``: the analysis run over labelled clips and scored against the labels.

:func:`evaluate` runs each clip through the pose model (or takes its pose series
from a cache) and the analysis, then scores it (:mod:`.scoring`); :mod:`.tables`
sums the scores per exercise and camera view and writes them as Markdown or JSON.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path

from formcheck.errors import FormcheckError
from formcheck.evaluation.labels import Clip, find_clips
from formcheck.evaluation.scoring import Score, score
from formcheck.files import write_text
from formcheck.pipeline import Progress, Settings, estimate, judge, needs_outline, usable_cores
from formcheck.series import PoseSeries

__all__ = ["Clip", "Score", "evaluate", "find_clips"]


def evaluate(
    clips: Iterable[Clip],
    profile: str = "standard",
    model: Path | None = None,
    fast: bool = False,
    cache: Path | None = None,
    on_clip: Callable[[Clip], None] | None = None,
    progress: Progress | None = None,
) -> list[Score]:
    """Analyse and score every clip; a clip that cannot be analysed is scored with its error.

    Args:
        clips: The labelled clips.
        profile: The thresholds (beginner, standard or strict).
        model: A pose model to use instead of the bundled one.
        fast: Run the pose model on fewer frames (``--fast``).
        cache: A folder keeping each clip's pose series, so that a second run only
            re-analyses (pose estimation is nearly all of the time).
        on_clip: Told of each clip before it is analysed.
        progress: Told of each frame through the pose model.
    """
    scores = []
    for clip in clips:
        if on_clip is not None:
            on_clip(clip)
        try:
            series = _poses(clip, model, fast, cache, progress)
            report = judge(series, Settings(clip.exercise, profile, model=model, fast=fast))
        except FormcheckError as e:
            scores.append(Score(clip, error=str(e)))
            continue
        scores.append(score(clip, report))
    return scores


def _poses(
    clip: Clip, model: Path | None, fast: bool, cache: Path | None, progress: Progress | None
) -> PoseSeries:
    stored = None
    parts = usable_cores() if fast else 1
    if cache is not None:
        # Parts join where the core count says: another count, other series.
        how = (model.stem if model else "bundled") + (f"-fast{parts}" if fast else "")
        stored = cache / how / clip.labels / f"{clip.name}.npz"
        if stored.is_file() and _same_video(stored, clip.video):
            return PoseSeries.load(stored)
    outline = needs_outline(clip.exercise)
    series, _ = estimate(
        str(clip.video), model, segment=outline, fast=fast, parts=parts, progress=progress
    )
    if stored is not None:
        stored.parent.mkdir(parents=True, exist_ok=True)
        series.save(stored)
        write_text(stored.with_suffix(".sha256"), _digest(clip.video))
    return series


def _same_video(stored: Path, video: Path) -> bool:
    """Whether a cached series is of this very video.

    A series cached without the video's digest (by an older formcheck) is taken as it is.
    """
    digest = stored.with_suffix(".sha256")
    return not digest.is_file() or digest.read_text(encoding="utf-8") == _digest(video)


def _digest(video: Path) -> str:
    with video.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()
