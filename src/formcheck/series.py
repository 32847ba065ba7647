"""Core data of the pipeline's first stage: video metadata and the pose time series."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from formcheck.files import replacing
from formcheck.skeleton import N_LANDMARKS

FORMAT_VERSION = 1

FloatArray = NDArray[np.float32]


@dataclass(frozen=True)
class VideoMeta:
    """What a frame source knows about itself.

    Attributes:
        source: File path, camera index or stream URL, as given.
        fps: Nominal frame rate (float: 29.97 stays 29.97). Timestamps, not this
            number, give the time of each frame.
        width: Width of the frames as delivered (after rotation), in pixels.
        height: Height of the frames as delivered (after rotation), in pixels.
        rotation: Counter-clockwise rotation in degrees applied to the stored
            frames to show them upright (0, 90, 180 or 270).
        n_frames: Frame count from the container index, or None when unknown.
        duration_s: Duration from the container, or None when unknown.
        codec: Name of the video codec, or "" when unknown.
    """

    source: str
    fps: float
    width: int
    height: int
    rotation: int = 0
    n_frames: int | None = None
    duration_s: float | None = None
    codec: str = ""

    def __post_init__(self) -> None:
        if not (np.isfinite(self.fps) and self.fps > 0):
            raise ValueError(f"fps must be a positive number, got {self.fps}")
        if self.width <= 0 or self.height <= 0:
            raise ValueError(f"frame size must be positive, got {self.width}x{self.height}")
        if self.rotation not in (0, 90, 180, 270):
            raise ValueError(f"rotation must be 0, 90, 180 or 270, got {self.rotation}")


def _check_shape(name: str, array: NDArray[Any], expected: tuple[int, ...]) -> None:
    if array.shape != expected:
        raise ValueError(f"{name} must have shape {expected}, got {array.shape}")


@dataclass(frozen=True, eq=False)
class PoseSeries:
    """Landmarks of the main person over time.

    Attributes:
        t: (T,) float64 seconds from the container's timestamps, strictly increasing.
        xy: (T, 33, 2) float32 image pixels (x right, y down); NaN where no person.
        visibility: (T, 33) float32 in [0, 1]; 0 where no person.
        meta: The source video's metadata.
        world: Optional (T, 33, 3) float32 metres, origin between the hips; NaN where
            no person.
        n_people: (T,) int16 people the model tracked in each frame, the main one
            included. Between scans for others (see ``PoseEstimator``) it is at most 1.
        masks: Optional (T, S, S) uint8 segmentation of the main person (0-255),
            cropped to a square around them; see ``mask_boxes``.
        mask_boxes: (T, 3) float32 ``x0, y0, side`` in pixels of each mask's
            square; NaN where there is no mask. Required with ``masks``.
        outline: Optional (T, 2, K) float32 distance of the body's outline from the
            hip-shoulder line on its two sides, at K stations along it, in lengths of
            that line (see :mod:`formcheck.pose.outline`); NaN where not found.
        estimated: Optional (T,) bool, True where the pose model ran; the other
            frames are interpolated (fast mode, see :mod:`formcheck.pose.stride`).
            None: the model ran on every frame.
    """

    t: NDArray[np.float64]
    xy: FloatArray
    visibility: FloatArray
    meta: VideoMeta
    world: FloatArray | None = None
    n_people: NDArray[np.int16] | None = None
    masks: NDArray[np.uint8] | None = None
    mask_boxes: FloatArray | None = None
    outline: FloatArray | None = None
    estimated: NDArray[np.bool_] | None = None

    def __post_init__(self) -> None:
        n = len(self.t)
        _check_shape("t", self.t, (n,))
        _check_shape("xy", self.xy, (n, N_LANDMARKS, 2))
        _check_shape("visibility", self.visibility, (n, N_LANDMARKS))
        if self.world is not None:
            _check_shape("world", self.world, (n, N_LANDMARKS, 3))
        if self.n_people is not None:
            _check_shape("n_people", self.n_people, (n,))
        if (self.masks is None) != (self.mask_boxes is None):
            raise ValueError("masks and mask_boxes must be given together")
        if self.masks is not None and self.mask_boxes is not None:
            side = self.masks.shape[1] if self.masks.ndim == 3 else 0
            _check_shape("masks", self.masks, (n, side, side))
            _check_shape("mask_boxes", self.mask_boxes, (n, 3))
        if self.estimated is not None:
            _check_shape("estimated", self.estimated, (n,))
        if self.outline is not None:
            stations = self.outline.shape[2] if self.outline.ndim == 3 else 0
            _check_shape("outline", self.outline, (n, 2, stations))
        for name in ("t", "xy", "visibility", "world", "outline"):
            array = getattr(self, name)
            if array is not None and not np.issubdtype(array.dtype, np.floating):
                raise ValueError(f"{name} must hold floats, got {array.dtype}")
        if not np.all(np.isfinite(self.t)):
            raise ValueError("t must be finite")
        if n > 1 and not np.all(np.diff(self.t) > 0):
            raise ValueError("t must be strictly increasing")

    def __len__(self) -> int:
        return len(self.t)

    @property
    def detected(self) -> NDArray[np.bool_]:
        """(T,) True where a main person was found."""
        return np.asarray(np.isfinite(self.xy).all(axis=(1, 2)))

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the series to ``path`` (.npz), atomically: a temp file, then a rename."""
        path = Path(path)
        arrays: dict[str, NDArray[Any]] = {
            "format_version": np.array(FORMAT_VERSION),
            "meta": np.array(json.dumps(asdict(self.meta))),
            "t": self.t,
            "xy": self.xy,
            "visibility": self.visibility,
        }
        optional = {
            "world": self.world,
            "n_people": self.n_people,
            "masks": self.masks,
            "mask_boxes": self.mask_boxes,
            "outline": self.outline,
            "estimated": self.estimated,
        }
        arrays.update({k: v for k, v in optional.items() if v is not None})
        with replacing(path) as tmp, tmp.open("wb") as f:
            np.savez_compressed(f, **arrays)  # type: ignore[arg-type]

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> PoseSeries:
        """Read a series written by :meth:`save`.

        Raises:
            ValueError: The file is not a pose series of a format this version reads.
        """
        with np.load(path, allow_pickle=False) as data:
            version = int(data["format_version"]) if "format_version" in data else None
            if version != FORMAT_VERSION:
                raise ValueError(
                    f"{path}: pose series format {version}, this formcheck reads {FORMAT_VERSION}"
                )
            meta = VideoMeta(**json.loads(str(data["meta"])))
            optional = {
                k: data[k]
                for k in ("world", "n_people", "masks", "mask_boxes", "outline", "estimated")
                if k in data
            }
            return cls(
                t=data["t"], xy=data["xy"], visibility=data["visibility"], meta=meta, **optional
            )
