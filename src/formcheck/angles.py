"""Angle definitions, declared as data, and their computation from 2-D landmarks.

Two kinds of angle:

* a *joint* angle is the inside angle at a vertex between two segments, 0-180
  degrees (180 = straight): the hip is shoulder-hip-knee, the knee hip-knee-ankle;
* an *incline* is the angle of a segment from the upward vertical in the image,
  signed by the direction the person faces: positive = tipped forward (towards
  where the person faces), negative = behind vertical.

Points name landmarks without their side (``"hip"``); a side prefix is added
when the angle is computed, or the midpoint of both sides is used with ``"mid"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from formcheck.skeleton import INDEX

FloatArray = NDArray[np.float64]
Side = Literal["left", "right", "mid"]


@dataclass(frozen=True)
class Joint:
    """Inside angle at ``vertex`` between the segments to ``a`` and ``b``, in degrees."""

    a: str
    vertex: str
    b: str
    doc: str


@dataclass(frozen=True)
class Incline:
    """Angle of the segment ``base`` -> ``tip`` from the upward vertical, signed forward."""

    base: str
    tip: str
    doc: str


#: Every angle the analysis uses. Tests check each against known geometry.
ANGLES: dict[str, Joint | Incline] = {
    "hip": Joint("shoulder", "hip", "knee", "hip flexion: 180 standing tall, ~45-90 hinged"),
    "knee": Joint("hip", "knee", "ankle", "knee flexion: 180 straight, 90 at a right angle"),
    "elbow": Joint("shoulder", "elbow", "wrist", "elbow: 180 with the arm straight"),
    "trunk": Incline("hip", "shoulder", "trunk from vertical: + leaning forward, - back"),
    "shin": Incline("ankle", "knee", "shin from vertical: + knee ahead of the ankle"),
    "thigh": Incline("knee", "hip", "thigh from vertical: + hip ahead of the knee"),
}


def point(xy: NDArray[np.floating], name: str, side: Side) -> FloatArray:
    """(T, 2) track of a landmark on ``side`` (``"mid"``: the midpoint of both sides).

    Args:
        xy: (T, 33, 2) landmarks in pixels.
        name: A landmark without side prefix (``"hip"``) or a full name (``"nose"``).
        side: Which side's landmark to take.
    """
    if name in INDEX:
        return np.asarray(xy[:, INDEX[name]], np.float64)
    if side == "mid":
        left, right = xy[:, INDEX[f"left_{name}"]], xy[:, INDEX[f"right_{name}"]]
        return np.asarray((left + right) / 2, np.float64)
    return np.asarray(xy[:, INDEX[f"{side}_{name}"]], np.float64)


def either(xy: NDArray[np.floating], name: str) -> FloatArray:
    """(T, 2) midpoint of the left and right ``name`` where both are seen, else the one seen.

    In the side views the checks use, the two sides nearly coincide, and one of
    them is often hidden (by the other, or by the plates).
    """
    pair = np.stack([xy[:, INDEX[f"left_{name}"]], xy[:, INDEX[f"right_{name}"]]])
    seen = np.isfinite(pair[..., 0])
    total = np.where(seen[..., None], pair, 0.0).sum(axis=0)
    count = seen.sum(axis=0)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.where(count > 0, total / count, np.nan), np.float64)


def joint_angle(a: FloatArray, vertex: FloatArray, b: FloatArray) -> FloatArray:
    """Inside angle in degrees at ``vertex`` between (T, 2) tracks ``a`` and ``b``."""
    u, v = a - vertex, b - vertex
    cross = u[:, 0] * v[:, 1] - u[:, 1] * v[:, 0]
    dot = (u * v).sum(axis=1)
    return np.asarray(np.degrees(np.abs(np.arctan2(cross, dot))), np.float64)


Facing = int | NDArray[np.integer]


def unforeshortened(incline_deg: FloatArray, yaw_deg: FloatArray | float) -> FloatArray:
    """A segment's incline in the body's own side plane, from its incline in the image.

    A camera turned ``yaw`` degrees from the lifter's side sees the forward part
    of a segment in the side plane shortened by cos(yaw) and its vertical part
    whole (a level camera; perspective ignored), so a 45-degree lean filmed from
    45 degrees reads 35. Where the yaw is unknown (NaN), the image's incline.
    """
    yaw = np.radians(np.nan_to_num(yaw_deg, nan=0.0))
    a = np.radians(incline_deg)
    return np.asarray(np.degrees(np.arctan2(np.sin(a) / np.cos(yaw), np.cos(a))), np.float64)


def incline(base: FloatArray, tip: FloatArray, facing: Facing) -> FloatArray:
    """Angle of base->tip from the upward vertical in degrees, + towards ``facing``.

    Args:
        base: (T, 2) pixels (y down).
        tip: (T, 2) pixels.
        facing: +1 if the person faces image-right (+x), -1 if image-left; one
            value for all frames or (T,).
    """
    d = tip - base
    return np.degrees(np.arctan2(facing * d[:, 0], -d[:, 1]))


def compute(
    xy: NDArray[np.floating], side: Side, facing: Facing, names: tuple[str, ...] | None = None
) -> dict[str, FloatArray]:
    """Compute the named angles (all of :data:`ANGLES` by default) over time.

    Args:
        xy: (T, 33, 2) conditioned landmarks, NaN where missing.
        side: The body side to measure (the one facing the camera), or ``"mid"``.
        facing: +1 if the person faces image-right, -1 if image-left; one value
            or (T,).
        names: Which angles; each must be a key of :data:`ANGLES`.

    Returns:
        Angle name -> (T,) degrees, NaN where a landmark is missing.
    """
    if not np.isin(facing, (1, -1)).all():
        raise ValueError(f"facing must be +1 or -1, got {np.unique(facing)}")
    out: dict[str, FloatArray] = {}
    for name in names or tuple(ANGLES):
        spec = ANGLES[name]
        if isinstance(spec, Joint):
            a, v, b = (point(xy, p, side) for p in (spec.a, spec.vertex, spec.b))
            out[name] = joint_angle(a, v, b)
        else:
            out[name] = incline(point(xy, spec.base, side), point(xy, spec.tip, side), facing)
    return out
