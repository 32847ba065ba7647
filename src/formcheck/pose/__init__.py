"""Pose estimation: frames in, the main person's :class:`~formcheck.series.PoseSeries` out."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from formcheck.errors import NoPersonError
from formcheck.pose.cuts import thumbnail
from formcheck.pose.outline import STATIONS, trunk_outline
from formcheck.pose.person import Person, crop_mask
from formcheck.pose.stride import Stride, fill_skipped
from formcheck.series import PoseSeries, VideoMeta
from formcheck.skeleton import N_LANDMARKS
from formcheck.video import Frame, prefetch

__all__ = ["Person", "Stride", "estimate_poses", "outline_of"]

#: Side in pixels of the square mask crop kept per frame (16-37 kB a frame).
MASK_SIDE = 192
_NAN_XY = np.full((N_LANDMARKS, 2), np.nan, np.float32)
_NAN_WORLD = np.full((N_LANDMARKS, 3), np.nan, np.float32)
_NO_VIS = np.zeros(N_LANDMARKS, np.float32)


class Estimator(Protocol):
    """Anything that finds the main person in a frame (see ``PoseEstimator``).

    ``masks`` says whether the people it returns carry a segmentation mask.
    """

    masks: bool

    def new_shot(self, thumb: NDArray[np.float32], t: float) -> bool: ...

    def look(self, image: NDArray[np.uint8], t: float) -> tuple[Person | None, int]: ...


def outline_of(person: Person | None) -> NDArray[np.float32]:
    """(2, stations) the trunk's outline from the person's mask; NaN without one."""
    if person is None or person.mask is None:
        return np.full((2, len(STATIONS)), np.nan, np.float32)
    return trunk_outline(person.mask, person.xy)


def _crop(person: Person | None) -> tuple[NDArray[np.uint8], NDArray[np.float32]]:
    if person is None or person.mask is None:
        return np.zeros((MASK_SIDE, MASK_SIDE), np.uint8), np.full(3, np.nan, np.float32)
    return crop_mask(person.mask, person.xy, MASK_SIDE)


def estimate_poses(
    frames: Iterable[Frame],
    meta: VideoMeta,
    estimator: Estimator,
    on_frame: Callable[[Frame, Person | None], None] | None = None,
    *,
    keep_masks: bool = False,
    ahead: int = 2,
    stride: Stride | None = None,
    need_person: bool = True,
) -> PoseSeries:
    """Run ``estimator`` over ``frames`` and collect the main person's pose series.

    When the estimator returns segmentation masks, the series carries the
    trunk's outline (see :mod:`formcheck.pose.outline`) in every frame.

    Args:
        frames: Frames in time order (a frame source); decoded ahead in a thread.
        meta: The source's metadata, stored with the series.
        estimator: The pose estimator.
        on_frame: Called after each frame, e.g. to advance a progress bar.
        keep_masks: Also keep each frame's mask, cropped around the person
            (16-37 kB a frame); needs an estimator that returns masks.
        ahead: Frames decoded ahead in a second thread, which also makes their
            thumbnails for the scene-cut detector; 0 takes each frame only when
            the last is done (live sources, which must not queue frames).
        stride: Fast mode: the model skips frames while the body is (nearly) still
            (see :mod:`formcheck.pose.stride`); None runs it on every frame.
        need_person: Raise when nobody was found; False returns the empty series
            (a part of a video, see :mod:`formcheck.pose.parts`).

    Raises:
        NoPersonError: No frame had a person in it, and ``need_person``.
    """
    if keep_masks and not estimator.masks:
        raise ValueError("keep_masks needs an estimator that returns masks")
    if keep_masks and stride is not None:
        raise ValueError("keep_masks needs every frame: no stride")
    kept = _Kept(estimator.masks, keep_masks)
    last: tuple[Person | None, int] = (None, 0)  # the frame seen last, and its index
    wait = 0  # frames to pass over before the model runs again
    source = (
        contextlib.closing(prefetch(frames, ahead, work=_with_thumbnail))
        if ahead
        else contextlib.nullcontext(map(_with_thumbnail, frames))
    )
    with source as stream:
        for i, (frame, thumb) in enumerate(stream):
            cut = estimator.new_shot(thumb, frame.t)
            if wait > 0 and not cut:
                wait -= 1
                kept.add(frame.t, None, kept.counts[-1], seen=False)
                person = None
            else:
                person, n_people = estimator.look(frame.image, frame.t)
                kept.add(frame.t, person, n_people, cut=cut)
                if stride is not None:
                    wait = stride.step(last[0], person, i - last[1]) - 1
                    last = (person, i)
            if on_frame is not None:
                on_frame(frame, person)
    series = kept.series(meta, interpolate=stride is not None)
    if need_person and not series.detected.any():
        raise NoPersonError(f"{meta.source}: no person found in any of its {len(series)} frames")
    return series


def _with_thumbnail(frame: Frame) -> tuple[Frame, NDArray[np.float32]]:
    """The frame and the thumbnail scene cuts are found on, made in the decoding thread."""
    return frame, thumbnail(frame.image)


class _Kept:
    """What :func:`estimate_poses` keeps of each frame, until it makes the series."""

    def __init__(self, outlines: bool, masks: bool) -> None:
        self.outlines, self.masks = outlines, masks
        self.counts: list[int] = []
        self._t: list[float] = []
        self._seen: list[bool] = []
        self._cuts: list[bool] = []
        self._rows: dict[str, list[NDArray[Any]]] = {
            k: [] for k in ("xy", "visibility", "world", "outline", "masks", "mask_boxes")
        }

    def add(
        self, t: float, person: Person | None, n_people: int, seen: bool = True, cut: bool = False
    ) -> None:
        """One frame's main person (None: nobody, or the model did not see the frame).

        ``cut``: the frame starts a new shot.
        """
        self._t.append(t)
        self._seen.append(seen)
        self._cuts.append(cut)
        self.counts.append(n_people)
        rows = self._rows
        rows["xy"].append(_NAN_XY if person is None else person.xy)
        rows["visibility"].append(_NO_VIS if person is None else person.visibility)
        rows["world"].append(_NAN_WORLD if person is None else person.world)
        if self.outlines:
            rows["outline"].append(outline_of(person))
        if self.masks:
            crop, box = _crop(person)
            rows["masks"].append(crop)
            rows["mask_boxes"].append(box)

    def series(self, meta: VideoMeta, interpolate: bool) -> PoseSeries:
        """The series; with ``interpolate``, the frames not seen filled from their neighbours."""
        t = np.array(self._t, dtype=np.float64).reshape(-1)
        shapes = {
            "xy": (N_LANDMARKS, 2),
            "visibility": (N_LANDMARKS,),
            "world": (N_LANDMARKS, 3),
            "outline": (2, len(STATIONS)),
        }
        arrays = {
            k: np.array(self._rows[k], np.float32).reshape(-1, *shape)
            for k, shape in shapes.items()
            if self._rows[k] or k != "outline"
        }
        if interpolate:
            arrays = fill_skipped(t, np.array(self._seen, bool), arrays, np.array(self._cuts, bool))
        masks = self._rows["masks"]
        return PoseSeries(
            t=t,
            meta=meta,
            n_people=np.array(self.counts, np.int16).reshape(-1),
            masks=np.array(masks, np.uint8).reshape(-1, MASK_SIDE, MASK_SIDE) if masks else None,
            mask_boxes=np.array(self._rows["mask_boxes"], np.float32).reshape(-1, 3)
            if masks
            else None,
            estimated=np.array(self._seen, bool) if interpolate else None,
            **arrays,
        )
