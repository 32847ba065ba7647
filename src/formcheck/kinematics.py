"""Kinematics of one set: which side to measure, the camera view, angles and speeds."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from formcheck import angles, spine
from formcheck.conditioning import Conditioning, condition
from formcheck.series import PoseSeries
from formcheck.skeleton import INDEX

FloatArray = NDArray[np.float64]
ViewLabel = Literal["side", "oblique", "front"]

#: Apparent shoulder width over trunk length, standing: about SQUARE_WIDTH times
#: the sine of the camera's angle off the side (its yaw) for adults, so the bounds
#: sit near 25 and 55 degrees away from a true side view.
SQUARE_WIDTH = 0.75
SIDE_MAX_WIDTH = 0.32
OBLIQUE_MAX_WIDTH = 0.62
#: A trunk within this many degrees of vertical is upright: bent further, its own
#: foreshortening in an oblique view makes the shoulders look wider than they are.
UPRIGHT_DEG = 20.0
#: The least visibility the model gives a wrist for it to place the bar: behind the
#: plates it guesses the hands, and its guesses wander by up to 15 % of the leg,
#: more than a drifting bar. On the tune renders, with wrists seen at 0.5 or more
#: clean pulls read up to 15 % of the leg ahead; at 0.8 up to 18; at 0.9 up to 8,
#: against 22-31 for drifting bars (18 of 237 reps judged).
HANDS_VISIBLE = 0.9
#: The largest yaw a sagittal angle is corrected for: past it, a lean's forward
#: part is squeezed to half or less of its length, and the view is a front one.
MAX_YAW_DEG = 60.0

_SIDE_POINTS = ("shoulder", "hip", "knee", "ankle")
_LR = ("left", "right")
_ANKLES = [INDEX["left_ankle"], INDEX["right_ankle"]]
_HIPS = [INDEX["left_hip"], INDEX["right_hip"]]
_KNEES = [INDEX["left_knee"], INDEX["right_knee"]]
#: Window of the running median that gives the floor level under the feet.
FLOOR_WINDOW_S = 2.0
#: Seconds over which the facing votes are summed and the view width smoothed.
FACING_WINDOW_S = 3.0
VIEW_WINDOW_S = 1.0
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
        facing: (T,) +1 where the person faces image-right, -1 image-left (a lifter
            may turn between reps).
        view: The camera view over the whole set.
        width: (T,) apparent shoulder width over trunk length (see :func:`shoulder_width`),
            read while upright and smoothed over a second (see :func:`view_width`).
        yaw: (T,) the camera's angle off the lifter's side, degrees (0 = side view),
            from ``width``; NaN where unknown.
        leg: Leg length (hip-knee-ankle) in pixels, the unit of lengths below.
        angles: Angle name (see :data:`formcheck.angles.ANGLES`) -> (T,) degrees.
        trunk: (T,) the trunk's lean from vertical in the lifter's own side plane:
            the image's trunk angle with its forward part unforeshortened for
            ``yaw`` (see :func:`formcheck.angles.unforeshortened`), degrees.
        height: (T,) shoulder height above the ankles, in leg lengths.
        hip_vy: (T,) hip vertical speed, leg lengths per second, + up.
        shoulder_vy: (T,) shoulder vertical speed, leg lengths per second, + up.
        free_foot: (T,) height of the higher ankle above the lower one, metres (from
            the model's 3-D world landmarks; NaN without them).
        free_bend: (T,) bend between the trunk line and the leg of the higher ankle,
            degrees: 0 when the raised leg continues the trunk in one straight line.
        hands: (T, 2) the middle of the wrists the model sees clearly (at least
            HANDS_VISIBLE), pixels: where the bar is; NaN where neither is.
        visibility: (T, 33) how sure the model is that it sees each landmark, 0-1.
        legs_seen: False when the model guessed the knees (see :func:`legs_seen`);
            the hip, knee, shin and thigh angles are then all missing.
        back_bow: (T,) bow of the back's outline, degrees (see :func:`formcheck.spine.bow`);
            None when the series has no outline.
        hip_line: (T,) for exercises done lying on the back, the bend at the hip of the
            line from the shoulders to the knees, degrees (+ hips above it, see
            :func:`formcheck.holds.body_line`); None otherwise.
    """

    t: FloatArray
    xy: FloatArray
    cuts: NDArray[np.intp]
    side: Literal["left", "right"]
    facing: NDArray[np.int8] = field(repr=False)
    view: View
    width: FloatArray = field(repr=False)
    yaw: FloatArray = field(repr=False)
    leg: float
    angles: dict[str, FloatArray] = field(repr=False)
    trunk: FloatArray = field(repr=False)
    height: FloatArray = field(repr=False)
    hip_vy: FloatArray = field(repr=False)
    shoulder_vy: FloatArray = field(repr=False)
    free_foot: FloatArray = field(repr=False)
    free_bend: FloatArray = field(repr=False)
    hands: FloatArray = field(repr=False)
    visibility: FloatArray = field(repr=False)
    legs_seen: bool = True
    hip_line: FloatArray | None = field(default=None, repr=False)
    back_bow: FloatArray | None = field(default=None, repr=False)

    def bar_ahead(self, span: slice) -> tuple[FloatArray, FloatArray]:
        """Over ``span`` (one rep): the hands ahead of where they were lowest, and their rise.

        Where the hands are lowest the bar is on the floor (or at the bottom of the
        rep), over the mid-foot if the set-up is right; how far they then travel
        towards where the lifter faces is the bar leaving the legs. Both in per
        cent of the leg, the forward distance unforeshortened for the camera's
        yaw (see :func:`formcheck.angles.unforeshortened`). The forward distance
        only where the hands are seen clearly (see ``hands``); the rise wherever
        the model places them, since its guesses wander forward and back far
        more than up and down. NaN where the hands are not seen.
        """
        return self._ahead(self.hands[span], span), self._rise(
            angles.either(self.xy[span], "wrist")
        )

    def _ahead(self, hands: FloatArray, span: slice) -> FloatArray:
        if not np.isfinite(hands[:, 1]).any():
            return np.full(len(hands), np.nan)
        low = int(np.nanargmax(hands[:, 1]))  # y points down
        ahead = self.facing[span] * (hands[:, 0] - hands[low, 0]) / squeeze_of(self.yaw[span])
        return np.asarray(100 * ahead / self.leg, np.float64)

    def _rise(self, hands: FloatArray) -> FloatArray:
        if not np.isfinite(hands[:, 1]).any():
            return np.full(len(hands), np.nan)
        return np.asarray(100 * (np.nanmax(hands[:, 1]) - hands[:, 1]) / self.leg, np.float64)

    def sagittal(self, name: str) -> FloatArray:
        """(T,) the incline ``name`` (``thigh``, ``shin``) in the side plane, like ``trunk``."""
        return angles.unforeshortened(self.angles[name], np.minimum(self.yaw, MAX_YAW_DEG))

    def hip_share(self) -> FloatArray:
        """(T,) the hips' share of the bend, per cent, in the side plane.

        The hips' flexion (trunk against thigh) over the hips' and the knees'
        (shin against thigh) together: 50 when the knees bend as much as the
        hips. NaN where the hips are straight or bent back, or a leg is not seen.
        """
        thigh = self.sagittal("thigh")
        hips, knees = self.trunk - thigh, self.sagittal("shin") - thigh
        with np.errstate(invalid="ignore", divide="ignore"):
            share = 100 * hips / (hips + np.maximum(knees, 0.0))
            return np.asarray(np.where(hips > 0, share, np.nan), np.float64)

    def seen(self, points: Sequence[str], span: slice) -> float:
        """How clearly the model sees the landmarks ``points`` (``hip``, ``wrist``) over ``span``.

        Per frame the least visibility among ``points``, each the better of its
        left and right (the measures read whichever side is seen); the median
        over the frames, 0-1.
        """
        pairs = [[INDEX[f"{lr}_{p}"] for lr in _LR] for p in points]
        frames = self.visibility[span]
        least = np.min([frames[:, pair].max(axis=1) for pair in pairs], axis=0)
        return float(np.median(least)) if len(least) else 0.0

    def view_of(self, span: slice) -> View:
        """The camera view over the frames ``span`` (e.g. one rep)."""
        return view_from_width(_nanmedian(self.width[span]))

    @property
    def hinge_ratio(self) -> FloatArray:
        """(T,) hip flexion over knee flexion (both from straight): high = hips dominate."""
        with np.errstate(divide="ignore", invalid="ignore"):
            knee = np.maximum(180.0 - self.angles["knee"], 5.0)
            return (180.0 - self.angles["hip"]) / knee


def _nanmedian(values: NDArray[np.floating]) -> float:
    finite = values[np.isfinite(values)]
    return float(np.median(finite)) if len(finite) else float("nan")


def _clear_hands(xy: FloatArray, visibility: NDArray[np.floating]) -> FloatArray:
    """(T, 2) the middle of the wrists seen at HANDS_VISIBLE or better (see ``Kinematics``)."""
    clear = xy.copy()
    for name in ("left_wrist", "right_wrist"):
        clear[np.asarray(visibility)[:, INDEX[name]] < HANDS_VISIBLE, INDEX[name]] = np.nan
    return angles.either(clear, "wrist")


def near_side(visibility: NDArray[np.floating]) -> Literal["left", "right"]:
    """The side whose shoulder, hip, knee and ankle the model sees better on average."""
    score = {
        side: float(np.mean(visibility[:, [INDEX[f"{side}_{p}"] for p in _SIDE_POINTS]]))
        for side in ("left", "right")
    }
    return "left" if score["left"] >= score["right"] else "right"


def _window(t: FloatArray, seconds: float) -> int:
    """Half-width in frames of a window of ``seconds`` at the set's frame rate."""
    return max(1, frames_in(t, seconds / 2))


def frames_in(t: FloatArray, seconds: float) -> int:
    """How many frames ``seconds`` last at the set's frame rate (30 fps if one frame)."""
    step = float(np.median(np.diff(t))) if len(t) > 1 else 1 / 30
    return round(seconds / step)


def running(values: FloatArray, half: int, reduce: str = "median") -> FloatArray:
    """Running ``nansum`` or ``nanmedian`` over ``2 * half + 1`` frames (all-NaN: NaN)."""
    padded = np.pad(values, half, constant_values=np.nan)
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if reduce == "sum":
            return np.where(np.isfinite(windows).any(axis=1), np.nansum(windows, axis=1), np.nan)
        return np.asarray(np.nanmedian(windows, axis=1), np.float64)


def facing_track(xy: NDArray[np.floating], t: FloatArray) -> NDArray[np.int8]:
    """(T,) +1 where the person faces image-right, -1 where image-left.

    Toes point where a person faces. The votes of both feet are summed over a few
    seconds around each frame, so frames where the model muddles the feet do
    not matter but a lifter who turns round between reps is followed; the nose
    (ahead of the ears) only votes where no foot does, since a head hanging at
    the bottom of a hinge can point either way. Frames with no vote nearby take
    the whole set's.
    """
    toes = [xy[:, INDEX[f"{s}_foot_index"], 0] - xy[:, INDEX[f"{s}_heel"], 0] for s in _LR]
    ears = (xy[:, INDEX["left_ear"], 0] + xy[:, INDEX["right_ear"], 0]) / 2
    nose = np.sign(xy[:, INDEX["nose"], 0] - ears)
    feet = np.sign(np.stack(toes))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        per_frame = np.where(np.isfinite(feet).any(axis=0), np.nansum(feet, axis=0), nose)
    local = running(per_frame, _window(t, FACING_WINDOW_S), "sum")
    overall = 1 if np.nansum(per_frame) >= 0 else -1
    return np.where(np.isfinite(local) & (local != 0), np.sign(local), overall).astype(np.int8)


def shoulder_width(xy: NDArray[np.floating]) -> FloatArray:
    """(T,) apparent shoulder width over trunk length: 0 from the side, ~0.75 from the front."""
    left, right = xy[:, INDEX["left_shoulder"]], xy[:, INDEX["right_shoulder"]]
    hips = (xy[:, INDEX["left_hip"]] + xy[:, INDEX["right_hip"]]) / 2
    trunk = np.linalg.norm((left + right) / 2 - hips, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.abs(left[:, 0] - right[:, 0]) / trunk, np.float64)


def view_width(width: FloatArray, trunk: FloatArray, t: FloatArray) -> FloatArray:
    """(T,) apparent shoulder width, read in upright frames and carried across bent ones.

    Bent over in an oblique view the trunk looks shorter than it is, and the
    shoulders wider: the camera would seem to move to the front at the bottom
    of every rep. So the width is the running median (over a second) of the
    upright frames (trunk within UPRIGHT_DEG of vertical), held across the
    bent-over frames between them. A set with too few upright frames (a plank,
    a bridge) takes the running median of every frame.
    """
    half = _window(t, VIEW_WINDOW_S)
    with np.errstate(invalid="ignore"):
        upright = np.abs(trunk) <= UPRIGHT_DEG
    if np.count_nonzero(upright & np.isfinite(width)) < MIN_STANDING_FRAMES:
        return running(width, half, "median")
    smooth = running(np.where(upright, width, np.nan), half, "median")
    known = np.flatnonzero(np.isfinite(smooth))
    return np.interp(np.arange(len(width)), known, smooth[known])


def squeeze_of(yaw: FloatArray) -> FloatArray:
    """How much a forward distance shrinks in the picture: cos(yaw), yaw at most MAX_YAW_DEG.

    Where the yaw is unknown (NaN), a side view: nothing shrinks.
    """
    return np.asarray(np.cos(np.radians(np.minimum(np.nan_to_num(yaw), MAX_YAW_DEG))), np.float64)


def yaw_of(width: FloatArray) -> FloatArray:
    """The camera's angle off the lifter's side (degrees) from the apparent shoulder width."""
    with np.errstate(invalid="ignore"):
        return np.degrees(np.arcsin(np.clip(width / SQUARE_WIDTH, 0.0, 1.0)))


def view_from_width(width: float) -> View:
    """The view label of an apparent shoulder width (NaN: unknown, taken as front)."""
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
    xy: FloatArray,
    bent: NDArray[np.bool_],
    yaw: FloatArray | None = None,
    least: float = HIP_COLLAPSE,
) -> FloatArray:
    """``xy`` with both hips set missing in bent-over frames where they sit on the thigh.

    Hunched over a bar, a lifter's hips are sometimes placed near the knees
    (seen on heavy synthetic bodies at the bottom of a pull): the trunk angle
    then reads upright where it is bent 70 degrees. A thigh pointing forward
    is foreshortened by the cosine of the camera's angle off the side (``yaw``,
    degrees per frame; None: a side view), so a hip closer to its knee than
    ``least`` times the thigh's usual length (its 90th percentile over the set,
    standing) times cos(yaw) is no measurement of the hip. Only bent-over
    frames are judged: standing behind the plates it is the knee that the
    model misplaces.

    Args:
        xy: (T, 33, 2) conditioned landmarks, NaN where missing.
        bent: (T,) frames where the lifter is bent over.
        yaw: (T,) the camera's angle off the lifter's side, NaN where unknown.
        least: Shortest plausible thigh seen from the side, as a fraction of its
            usual length.
    """
    hips, knees = xy[:, _HIPS], xy[:, _KNEES]
    thighs = np.linalg.norm(hips - knees, axis=-1)  # (T, 2), NaN where either is missing
    if not np.isfinite(thighs).any():
        return xy
    usual = float(np.nanpercentile(thighs, 90))
    shortest = least * usual * (np.ones(len(xy)) if yaw is None else squeeze_of(yaw))
    with np.errstate(invalid="ignore"):
        collapsed = (thighs < shortest[:, None]).any(axis=1) & bent
    out = xy.copy()
    out[np.ix_(collapsed, _HIPS)] = np.nan
    return out


def _planted(values: FloatArray, t: FloatArray) -> FloatArray:
    """A running median over a couple of seconds of something the feet set.

    Feet stay put through a hinge while plates hide them now and then and the
    model's toe and heel flicker by 10 % of a leg, so the median is steadier
    than any single frame: the floor under the lower ankle.
    """
    return running(values, _window(t, FLOOR_WINDOW_S), "median")


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
    return np.stack([running(h, 2, "median") for h in heights.T], axis=1)


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
    shoulder, hip = angles.either(xy, "shoulder"), angles.either(xy, "hip")
    higher = np.where((ankles[:, 1] > ankles[:, 0])[:, None], xy[:, _ANKLES[1]], xy[:, _ANKLES[0]])
    return 180.0 - angles.joint_angle(shoulder, hip, higher)


def measure(
    series: PoseSeries,
    conditioning: Conditioning | None = None,
    *,
    single_leg: bool = False,
    lying: bool = False,
) -> Kinematics:
    """Condition a pose series and measure everything the checks need.

    Args:
        series: The main person's landmarks.
        conditioning: Landmark conditioning settings.
        single_leg: Measure the standing leg (found from the lower ankle) instead
            of the side nearer the camera.
        lying: Done lying on the back: the guesses judged from standing frames
            (hips placed on the thigh, knees hidden by plates) are not looked for.
    """
    xy, cuts = condition(series.xy, series.visibility, series.t, conditioning)
    ankles = _ankle_heights(series)
    side = (single_leg and stance_side(ankles)) or near_side(series.visibility)
    facing = facing_track(xy, series.t)
    leg = leg_length(xy, side)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # frames without a person
        floor = _planted(np.nanmax(xy[:, _ANKLES, 1], axis=1), series.t)
    shoulder = angles.either(xy, "shoulder")
    height = (floor - shoulder[:, 1]) / leg
    hip = angles.either(xy, "hip")
    # read while upright, where no hip is dropped below
    width = view_width(shoulder_width(xy), angles.incline(hip, shoulder, facing), series.t)
    yaw = yaw_of(width)
    if not lying:
        xy = without_collapsed_hips(xy, _bent(height), yaw)
        hip = angles.either(xy, "hip")
    trunk = angles.incline(hip, shoulder, facing)  # both sides: one is often hidden
    found = {**angles.compute(xy, side, facing), "trunk": trunk}
    seen = lying or legs_seen(found, height)
    if not seen:
        found = {k: np.full_like(v, np.nan) if k in _LEG_ANGLES else v for k, v in found.items()}
    return Kinematics(
        t=series.t,
        xy=xy,
        cuts=cuts,
        side=side,
        facing=facing,
        view=view_from_width(_nanmedian(width)),
        width=width,
        yaw=yaw,
        leg=leg,
        angles=found,
        trunk=angles.unforeshortened(trunk, np.minimum(yaw, MAX_YAW_DEG)),
        legs_seen=seen,
        height=height,
        hip_vy=-_speed(hip[:, 1], series.t) / leg,
        shoulder_vy=-_speed(shoulder[:, 1], series.t) / leg,
        free_foot=np.abs(ankles[:, 1] - ankles[:, 0]),
        free_bend=_free_bend(xy, ankles),
        hands=_clear_hands(xy, series.visibility),
        visibility=np.asarray(series.visibility, np.float64),
        back_bow=None
        if series.outline is None
        else spine.bow(spine.back_profile(series.outline, facing)),
    )
