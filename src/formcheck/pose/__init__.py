"""Pose estimation: frames in, the main person's :class:`~formcheck.series.PoseSeries` out."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from formcheck.errors import NoPersonError
from formcheck.pose.outline import STATIONS, trunk_outline
from formcheck.pose.person import Person, crop_mask
from formcheck.series import PoseSeries, VideoMeta
from formcheck.skeleton import N_LANDMARKS
from formcheck.video import Frame, prefetch

__all__ = ["Person", "estimate_poses", "outline_of"]

#: Side in pixels of the square mask crop kept per frame (16-37 kB a frame).
MASK_SIDE = 192


class Estimator(Protocol):
    """Anything that finds the main person in a frame (see ``PoseEstimator``).

    ``masks`` says whether the people it returns carry a segmentation mask.
    """

    masks: bool

    def process(self, image: NDArray[np.uint8], t: float) -> tuple[Person | None, int]: ...


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
        ahead: Frames decoded ahead in a second thread; 0 takes each frame only
            when the last is done (live sources, which must not queue frames).

    Raises:
        NoPersonError: No frame had a person in it.
    """
    if keep_masks and not estimator.masks:
        raise ValueError("keep_masks needs an estimator that returns masks")
    nan_xy = np.full((N_LANDMARKS, 2), np.nan, np.float32)
    nan_world = np.full((N_LANDMARKS, 3), np.nan, np.float32)
    zero_vis = np.zeros(N_LANDMARKS, np.float32)
    t, xy, vis, world, counts, masks, boxes, outlines = [], [], [], [], [], [], [], []
    source = (
        contextlib.closing(prefetch(frames, ahead)) if ahead else contextlib.nullcontext(frames)
    )
    with source as stream:
        for frame in stream:
            person, n_people = estimator.process(frame.image, frame.t)
            t.append(frame.t)
            counts.append(n_people)
            xy.append(nan_xy if person is None else person.xy)
            vis.append(zero_vis if person is None else person.visibility)
            world.append(nan_world if person is None else person.world)
            if estimator.masks:
                outlines.append(outline_of(person))
            if keep_masks:
                crop, box = _crop(person)
                masks.append(crop)
                boxes.append(box)
            if on_frame is not None:
                on_frame(frame, person)
    series = PoseSeries(
        t=np.array(t, dtype=np.float64).reshape(-1),
        xy=np.array(xy, np.float32).reshape(-1, N_LANDMARKS, 2),
        visibility=np.array(vis, np.float32).reshape(-1, N_LANDMARKS),
        meta=meta,
        world=np.array(world, np.float32).reshape(-1, N_LANDMARKS, 3),
        n_people=np.array(counts, np.int16).reshape(-1),
        masks=np.array(masks, np.uint8).reshape(-1, MASK_SIDE, MASK_SIDE) if masks else None,
        mask_boxes=np.array(boxes, np.float32).reshape(-1, 3) if masks else None,
        outline=np.array(outlines, np.float32).reshape(-1, 2, len(STATIONS)) if outlines else None,
    )
    if not series.detected.any():
        raise NoPersonError(f"{meta.source}: no person found in any of its {len(t)} frames")
    return series
