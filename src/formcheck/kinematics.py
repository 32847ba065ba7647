"""Kinematics of one set: which side to measure, the camera view, angles and speeds."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import median_filter

from formcheck import angles
from formcheck.conditioning import Conditioning, condition
from formcheck.series import PoseSeries
from formcheck.skeleton import INDEX

FloatArray = NDArray[np.float64]
ViewLabel = Literal["side", "oblique", "front"]

#: Apparent shoulder width over trunk length: about 0.75 sin(azimuth) for adults,
#: so the bounds sit near 25 and 55 degrees away from a true side view.
SIDE_MAX_WIDTH = 0.32
OBLIQUE_MAX_WIDTH = 0.62

_SIDE_POINTS = ("shoulder", "hip", "knee", "ankle")
_ANKLES = [INDEX["left_ankle"], INDEX["right_ankle"]]
_HIPS = [INDEX["left_hip"], INDEX["right_hip"]]
_KNEES = [INDEX["left_knee"], INDEX["right_knee"]]
_FEET = [INDEX[f"{s}_{p}"] for s in ("left", "right") for p in ("heel", "foot_index")]
#: Window of the running median that gives the floor level under the feet.
FLOOR_WINDOW_S = 2.0
#: A foot this much higher than the other one (metres) is off the floor.
STANCE_LIFT_M = 0.08
#: A hip closer to its knee than this share of the usual thigh length is misplaced.
HIP_COLLAPSE = 0.6
#: Standing tall, a hip or knee reading under this many degrees is a wrong guess...
STRAIGHT_DEG = 150.0
#: ...judged over at least this many standing frames (see ``legs_seen``).
MIN_STANDING_FRAMES = 10
#: Angles that need the knee.
_LEG_ANGLES = ("hip", "knee", "shin", "thigh")
#: Shoulders this share below their standing height: bent over.
BENT_DROP = 0.25


@dataclass(frozen=True)
class View:
    """How the camera sees the person.

    Attributes:
        label: ``side``, ``oblique`` or ``front`` (front includes rear views).
        width: Median apparent shoulder width over trunk length (0 = pure side view).
    """

    label: ViewLabel
    width: float


@dataclass(frozen=True, eq=False)
class Kinematics:
    """Per-frame measurements of a set, on the side of the body facing the camera.

    Attributes:
        t: (T,) seconds.
        xy: (T, 33, 2) conditioned landmarks in pixels, NaN where missing.
        cuts: Frame indices that start a new shot.
        side: The body side measured (the one nearer the camera).
        facing: +1 if the person faces image-right, -1 if image-left.
        view: The camera view.
        leg: Leg length (hip-knee-ankle) in pixels, the unit of lengths below.
        angles: Angle name (see :data:`formcheck.angles.ANGLES`) -> (T,) degrees.
        height: (T,) shoulder height above the ankles, in leg lengths.
        hand_offset: (T,) hands ahead of mid-foot (+ towards facing), in leg lengths.
        hip_vy: (T,) hip vertical speed, leg lengths per second, + up.
        shoulder_vy: (T,) shoulder vertical speed, leg lengths per second, + up.
        free_foot: (T,) height of the higher ankle above the lower one, metres (from
            the model's 3-D world landmarks; NaN without them).
        free_bend: (T,) bend between the trunk line and the leg of the higher ankle,
            degrees: 0 when the raised leg continues the trunk in one straight line.
        legs_seen: False when the model guessed the knees (see :func:`legs_seen`);
            the hip, knee, shin and thigh angles are then all missing.
    """

    t: FloatArray
    xy: FloatArray
    cuts: NDArray[np.intp]
    side: Literal["left", "right"]
    facing: int
    view: View
    leg: float
    angles: dict[str, FloatArray] = field(repr=False)
    height: FloatArray = field(repr=False)
    hand_offset: FloatArray = field(repr=False)
    hip_vy: FloatArray = field(repr=False)
    shoulder_vy: FloatArray = field(repr=False)
    free_foot: FloatArray = field(repr=False)
    free_bend: FloatArray = field(repr=False)
    legs_seen: bool = True

    @property
    def hinge_ratio(self) -> FloatArray:
        """(T,) hip flexion over knee flexion (both from straight): high = hips dominate."""
        with np.errstate(divide="ignore", invalid="ignore"):
            knee = np.maximum(180.0 - self.angles["knee"], 5.0)
            return (180.0 - self.angles["hip"]) / knee


def _nanmedian(values: NDArray[np.floating]) -> float:
    finite = values[np.isfinite(values)]
    return float(np.median(finite)) if len(finite) else float("nan")


def near_side(visibility: NDArray[np.floating]) -> Literal["left", "right"]:
    """The side whose shoulder, hip, knee and ankle the model sees better on average."""
    score = {
        side: float(np.mean(visibility[:, [INDEX[f"{side}_{p}"] for p in _SIDE_POINTS]]))
        for side in ("left", "right")
    }
    return "left" if score["left"] >= score["right"] else "right"


def facing_direction(xy: NDArray[np.floating]) -> int:
    """+1 if the person faces image-right, -1 if image-left, from the feet and the head.

    Toes point where a person faces; the nose is ahead of the ears. Both are
    voted over the whole set, so a few confused frames do not matter.
    """
    toes = np.r_[xy[:, INDEX["left_foot_index"], 0] - xy[:, INDEX["left_heel"], 0]]
    toes = np.r_[toes, xy[:, INDEX["right_foot_index"], 0] - xy[:, INDEX["right_heel"], 0]]
    ears = (xy[:, INDEX["left_ear"], 0] + xy[:, INDEX["right_ear"], 0]) / 2
    nose = xy[:, INDEX["nose"], 0] - ears
    vote = np.nansum(np.sign(toes)) + np.nansum(np.sign(nose))
    return 1 if vote >= 0 else -1


def camera_view(xy: NDArray[np.floating]) -> View:
    """Label the view from the apparent shoulder width relative to the trunk length."""
    left, right = xy[:, INDEX["left_shoulder"]], xy[:, INDEX["right_shoulder"]]
    hips = (xy[:, INDEX["left_hip"]] + xy[:, INDEX["right_hip"]]) / 2
    trunk = np.linalg.norm((left + right) / 2 - hips, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        width = _nanmedian(np.abs(left[:, 0] - right[:, 0]) / trunk)
    if not np.isfinite(width):
        return View("front", width)
    if width <= SIDE_MAX_WIDTH:
        return View("side", width)
    return View("oblique" if width <= OBLIQUE_MAX_WIDTH else "front", width)


def leg_length(xy: NDArray[np.floating], side: angles.Side) -> float:
    """A robust leg length in pixels: the 90th percentile of thigh + shin over the set.

    A high percentile, because thighs and shins only ever look shorter than they
    are (foreshortened), never longer.
    """
    hip, knee, ankle = (angles.point(xy, p, side) for p in ("hip", "knee", "ankle"))
    lengths = np.linalg.norm(hip - knee, axis=-1) + np.linalg.norm(knee - ankle, axis=-1)
    lengths = lengths[np.isfinite(lengths)]
    return float(np.percentile(lengths, 90)) if len(lengths) else float("nan")


def without_collapsed_hips(
    xy: FloatArray, bent: NDArray[np.bool_], least: float = HIP_COLLAPSE
) -> FloatArray:
    """``xy`` with both hips set missing in bent-over frames where they sit on the thigh.

    Hunched over a bar, a lifter's hips are sometimes placed near the knees
    (seen on heavy synthetic bodies at the bottom of a pull): the trunk angle
    then reads upright where it is bent 70 degrees. Foreshortening only ever
    shortens a thigh a little in the views the checks use, so a hip closer to
    its knee than ``least`` times the thigh's usual length (its 90th percentile
    over the set) is no measurement of the hip. Only bent-over frames are
    judged: standing behind the plates it is the knee that the model misplaces.

    Args:
        xy: (T, 33, 2) conditioned landmarks, NaN where missing.
        bent: (T,) frames where the lifter is bent over.
        least: Shortest plausible thigh, as a fraction of its usual length.
    """
    hips, knees = xy[:, _HIPS], xy[:, _KNEES]
    thighs = np.linalg.norm(hips - knees, axis=-1)  # (T, 2), NaN where either is missing
    if not np.isfinite(thighs).any():
        return xy
    usual = float(np.nanpercentile(thighs, 90))
    with np.errstate(invalid="ignore"):
        collapsed = (thighs < least * usual).any(axis=1) & bent
    out = xy.copy()
    out[np.ix_(collapsed, _HIPS)] = np.nan
    return out


def _floor_level(lower_ankle: FloatArray, t: FloatArray) -> FloatArray:
    """Image row of the floor under the feet: a running median of the lower ankle.

    Feet stay put through a hinge while plates hide the ankles now and then, so
    the median over a couple of seconds is steadier than any single frame.
    """
    if len(t) < 2:
        return lower_ankle.copy()
    half = max(1, round(FLOOR_WINDOW_S / 2 / float(np.median(np.diff(t)))))
    padded = np.pad(lower_ankle, half, constant_values=np.nan)
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN windows stay NaN
        return np.asarray(np.nanmedian(windows, axis=1), np.float64)


def legs_seen(found: dict[str, FloatArray], height: FloatArray) -> bool:
    """Whether the hip and knee angles can be believed over this set.

    Behind barbell plates the model places the knees (and ankles) where it
    guesses them, and reports knee angles of 60 degrees in a lifter standing
    tall. Standing tall (shoulders within 5 % of their standing height) the hip
    and knee must read near straight; where they read under 150 degrees in a
    quarter of those frames or more, the legs are not seen. Sets with under
    ten standing frames are taken as seen.
    """
    finite = height[np.isfinite(height)]
    if not len(finite):
        return True
    with np.errstate(invalid="ignore"):
        standing = height >= 0.95 * float(np.percentile(finite, 95))
    for name in ("knee", "hip"):
        values = found[name][standing]
        values = values[np.isfinite(values)]
        if len(values) >= MIN_STANDING_FRAMES and np.mean(values < STRAIGHT_DEG) >= 0.25:
            return False
    return True


def _bent(height: FloatArray, drop: float = BENT_DROP) -> NDArray[np.bool_]:
    """(T,) frames where the shoulders are ``drop`` or more below their standing height."""
    finite = height[np.isfinite(height)]
    if not len(finite):
        return np.zeros(len(height), bool)
    with np.errstate(invalid="ignore"):
        return np.asarray(height < (1 - drop) * float(np.percentile(finite, 95)))


def _speed(y: FloatArray, t: FloatArray) -> FloatArray:
    if len(t) < 3:
        return np.full_like(y, np.nan)
    return np.gradient(y, t)


def _ankle_heights(series: PoseSeries) -> FloatArray:
    """(T, 2) height of the left and right ankle in metres, up, from the world landmarks.

    The world landmarks are centred on the hips and y points down, so the heights
    are only comparable with each other; a median over 5 frames removes the jitter.
    """
    if series.world is None:
        return np.full((len(series), 2), np.nan)
    heights = -np.asarray(series.world[:, _ANKLES, 1], np.float64)
    return np.asarray(median_filter(heights, size=(5, 1), mode="nearest"), np.float64)


def stance_side(
    ankles: FloatArray, lifted_m: float = STANCE_LIFT_M
) -> Literal["left", "right"] | None:
    """The side of the standing leg: the lower ankle while the other one is lifted.

    Args:
        ankles: (T, 2) left and right ankle heights in metres.
        lifted_m: A foot this much higher than the other is off the floor.

    Returns:
        The side standing in most frames with a foot lifted, or None when no foot is.
    """
    diff = ankles[:, 1] - ankles[:, 0]
    votes = np.sign(diff[np.abs(diff) >= lifted_m])
    if not len(votes):
        return None
    return "left" if votes.sum() >= 0 else "right"


def _free_bend(xy: FloatArray, ankles: FloatArray) -> FloatArray:
    """(T,) bend between the trunk line and the leg of the higher ankle, degrees."""
    shoulder, hip = angles.point(xy, "shoulder", "mid"), angles.point(xy, "hip", "mid")
    higher = np.where((ankles[:, 1] > ankles[:, 0])[:, None], xy[:, _ANKLES[1]], xy[:, _ANKLES[0]])
    return 180.0 - angles.joint_angle(shoulder, hip, higher)


def measure(
    series: PoseSeries, conditioning: Conditioning | None = None, *, single_leg: bool = False
) -> Kinematics:
    """Condition a pose series and measure everything the checks need.

    Args:
        series: The main person's landmarks.
        conditioning: Landmark conditioning settings.
        single_leg: Measure the standing leg (found from the lower ankle) instead
            of the side nearer the camera.
    """
    xy, cuts = condition(series.xy, series.visibility, series.t, conditioning)
    ankles = _ankle_heights(series)
    side = (single_leg and stance_side(ankles)) or near_side(series.visibility)
    facing = facing_direction(xy)
    leg = leg_length(xy, side)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # frames without a person
        feet = np.nanmean(xy[:, _FEET], axis=1)
        floor = _floor_level(np.nanmax(xy[:, _ANKLES, 1], axis=1), series.t)
    shoulder = angles.point(xy, "shoulder", "mid")
    height = (floor - shoulder[:, 1]) / leg
    xy = without_collapsed_hips(xy, _bent(height))
    hip = angles.point(xy, "hip", "mid")
    # The trunk line from both sides: one hip is often hidden by the plates, and
    # the midpoints halve that bias (measured: 3-5 deg at lockout instead of 5-10).
    trunk = angles.incline(hip, shoulder, facing)
    hands = angles.point(xy, "wrist", "mid")
    found = {**angles.compute(xy, side, facing), "trunk": trunk}
    seen = legs_seen(found, height)
    if not seen:
        found = {k: np.full_like(v, np.nan) if k in _LEG_ANGLES else v for k, v in found.items()}
    return Kinematics(
        t=series.t,
        xy=xy,
        cuts=cuts,
        side=side,
        facing=facing,
        view=camera_view(xy),
        leg=leg,
        angles=found,
        legs_seen=seen,
        height=height,
        hand_offset=facing * (hands[:, 0] - feet[:, 0]) / leg,
        hip_vy=-_speed(hip[:, 1], series.t) / leg,
        shoulder_vy=-_speed(shoulder[:, 1], series.t) / leg,
        free_foot=np.abs(ankles[:, 1] - ankles[:, 0]),
        free_bend=_free_bend(xy, ankles),
    )
