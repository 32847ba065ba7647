"""Stick figures with known angles, for tests of the analysis stages."""

from __future__ import annotations

import numpy as np

from formcheck.series import PoseSeries, VideoMeta
from formcheck.skeleton import INDEX, N_LANDMARKS

THIGH, SHIN, TRUNK, ARM = 100.0, 100.0, 130.0, 120.0
#: Shoulder breadth over trunk length (kinematics.SQUARE_WIDTH).
SHOULDERS = 0.75


def _dir(angle_from_vertical: np.ndarray, facing: int) -> np.ndarray:
    """(T, 2) unit vectors pointing up, tipped ``angle`` deg towards ``facing`` (y down)."""
    a = np.radians(angle_from_vertical)
    return np.stack([facing * np.sin(a), -np.cos(a)], axis=-1)


def hinge(
    trunk: np.ndarray,
    shin: np.ndarray | float = 0.0,
    thigh: np.ndarray | None = None,
    facing: int = 1,
    width: float = 0.0,
    fps: float = 30.0,
    hand_ahead: np.ndarray | float = 0.0,
    hands_up: np.ndarray | None = None,
    yaw: float = 0.0,
) -> PoseSeries:
    """A side-view figure over time from segment angles (deg from vertical, + forward).

    Args:
        trunk: (T,) trunk angle (hip -> shoulder) from vertical.
        shin: Shin angle (ankle -> knee), knees ahead of the ankles when positive.
        thigh: Thigh angle (knee -> hip); default: the hips sit back (-trunk / 3).
        facing: +1 faces image-right, -1 image-left.
        width: Apparent shoulder and hip width in px (0 = pure side view).
        fps: Frame rate of the timestamps.
        hand_ahead: Hands ahead of mid-foot in px.
        hands_up: (T,) height of the hands above the shoulders in px (a swung bell);
            default: hanging an arm's length below them.
        yaw: The camera turned this many degrees from the side (a level camera,
            no perspective): forward distances shrink by cos(yaw), and the two
            sides part by their breadth times sin(yaw), the shoulders' breadth
            being SHOULDERS times the trunk.
    """
    trunk = np.asarray(trunk, np.float64)
    n = len(trunk)
    shin = np.broadcast_to(np.asarray(shin, np.float64), (n,))
    thigh = -trunk / 3 if thigh is None else np.broadcast_to(np.asarray(thigh, np.float64), (n,))
    ankle = np.tile([300.0, 450.0], (n, 1))
    knee = ankle + SHIN * _dir(shin, facing)
    hip = knee + THIGH * _dir(thigh, facing)
    shoulder = hip + TRUNK * _dir(trunk, facing)
    xy = np.full((n, N_LANDMARKS, 2), np.nan, np.float32)
    foot = np.array([facing * 25.0, 0.0])
    hand_y = shoulder[:, 1] + ARM if hands_up is None else shoulder[:, 1] - np.asarray(hands_up)
    hand = np.stack([ankle[:, 0] + facing * np.asarray(hand_ahead), hand_y], -1)
    head = shoulder + 35 * _dir(trunk, facing)
    turn = np.radians(yaw)
    for name, track in {
        "shoulder": shoulder,
        "hip": hip,
        "knee": knee,
        "ankle": ankle,
        "heel": ankle - foot / 2,
        "foot_index": ankle + foot,
        "wrist": hand,
        "elbow": (shoulder + hand) / 2,
        "ear": head,
        "eye": head + foot / 3,
    }.items():
        seen = track.copy()
        seen[:, 0] = ankle[:, 0] + (track[:, 0] - ankle[:, 0]) * np.cos(turn)
        breadth = SHOULDERS * TRUNK if name == "shoulder" else 0.4 * TRUNK
        part = width / 2 + breadth / 2 * np.sin(turn)
        for side, dx in (("left", part), ("right", -part)):
            xy[:, INDEX[f"{side}_{name}"]] = seen + np.array([dx, 0.0])
    xy[:, INDEX["nose"]] = head + foot / 2
    xy[:, INDEX["nose"], 0] = ankle[:, 0] + (head[:, 0] + foot[0] / 2 - ankle[:, 0]) * np.cos(turn)
    xy[:, INDEX["nose"], 1] += 5
    visibility = np.where(np.isfinite(xy[..., 0]), 0.95, 0.0).astype(np.float32)
    visibility[:, [INDEX[f"right_{p}"] for p in ("shoulder", "hip", "knee", "ankle")]] = 0.8
    meta = VideoMeta(source="figure", fps=fps, width=640, height=480, n_frames=n)
    return PoseSeries(
        t=np.arange(n) / fps, xy=np.nan_to_num(xy, nan=300.0), visibility=visibility, meta=meta
    )


def ramp(*pieces: tuple[float, float, float], fps: float = 30.0) -> np.ndarray:
    """Concatenate linear ramps ``(from, to, seconds)`` sampled at ``fps``."""
    return np.concatenate([np.linspace(a, b, max(2, round(s * fps))) for a, b, s in pieces])


def single_leg(
    trunk: np.ndarray,
    drop: np.ndarray | float = 0.0,
    down: np.ndarray | None = None,
    yaw: float = 0.0,
) -> PoseSeries:
    """A single-leg hinge: standing on the left leg, the right one raised.

    The right leg continues the trunk line backwards from the hip, ``drop``
    degrees lower; where ``down`` (T,) is True the right foot stands beside the
    left one. World landmarks give the feet's heights (metres, y down). ``yaw``
    turns the camera off the side as in :func:`hinge` (the raised leg is drawn
    unturned).
    """
    series = hinge(trunk, shin=5.0, yaw=yaw)
    n = len(trunk)
    drop = np.broadcast_to(np.asarray(drop, np.float64), (n,))
    down = np.zeros(n, bool) if down is None else down
    xy = series.xy.astype(np.float64)
    hip = xy[:, INDEX["left_hip"]]
    back = np.radians(np.asarray(trunk, np.float64) - drop)  # the trunk line, turned down
    direction = np.stack([-np.sin(back), np.cos(back)], axis=-1)  # from the hip, backwards
    leg = THIGH + SHIN
    reaches = {"knee": THIGH, "ankle": leg, "heel": leg + 10, "foot_index": leg + 25}
    for name, reach in reaches.items():
        point = hip + reach * direction
        xy[:, INDEX[f"right_{name}"]] = np.where(down[:, None], xy[:, INDEX[f"left_{name}"]], point)
    world = np.zeros((n, N_LANDMARKS, 3), np.float32)
    floor = 0.9  # metres below the hips, y down
    world[:, INDEX["left_ankle"], 1] = floor
    lifted = floor - 0.45 * (1 - np.cos(back)) - 0.15
    world[:, INDEX["right_ankle"], 1] = np.where(down, floor, lifted)
    return PoseSeries(
        t=series.t,
        xy=xy.astype(np.float32),
        visibility=series.visibility,
        meta=series.meta,
        world=world,
    )


def arched_outline(bows: np.ndarray, facing: int = 1, depth: float = 0.25) -> np.ndarray:
    """(T, 2, K) trunk outlines whose back arches by ``bows`` (T,) degrees, the front flat.

    The back is a parabola over the stations, symmetric about mid-trunk, whose
    tangents at the ends of the fitted span (``formcheck.spine``) differ by the bow.
    """
    from formcheck import spine
    from formcheck.pose.outline import STATIONS

    s = STATIONS[None, :]
    lo, hi = spine.FIT_FROM, spine.FIT_TO
    half_slope = np.tan(np.radians(np.asarray(bows, np.float64)) / 2)[:, None]
    # y = depth + k (s - lo)(hi - s): its slope at lo is k (hi - lo)
    back = depth + half_slope / (hi - lo) * (s - lo) * (hi - s)
    front = np.full_like(back, depth)
    sides = (back, front) if facing > 0 else (front, back)
    return np.stack(sides, axis=1).astype(np.float32)


#: Segment lengths of a lying figure (px) and how high a forearm plank holds the shoulders.
LEG, UPPER_ARM, FOREARM = THIGH + SHIN, 90.0, 80.0


def _lying_frame(bend: float, pose: str, facing: int, width: float) -> np.ndarray:
    """(33, 2) one frame of a figure lying along the floor (y = 400), head towards -facing.

    ``pose``: ``plank`` (on the forearms, hips bent ``bend`` deg: + above the line),
    ``kneel`` (on forearms and knees), ``prone`` (flat on the floor).
    """
    floor = 400.0
    tilt = np.radians(-8.0 if pose == "plank" else 0.0)  # shoulders above the feet
    if pose == "prone":
        shoulder = np.array([150.0, floor - 12])
        trunk_dir = leg_dir = np.array([1.0, 0.0])
    else:
        shoulder = np.array([150.0, floor - UPPER_ARM])
        up = np.radians(bend) * LEG / (TRUNK + LEG)
        trunk_dir = np.array([np.cos(tilt + up), -np.sin(tilt + up)])
        down = np.radians(bend) - up
        leg_dir = np.array([np.cos(tilt - down), -np.sin(tilt - down)])
    hip = shoulder + TRUNK * trunk_dir
    knee = hip + THIGH * leg_dir
    ankle = knee + SHIN * leg_dir
    if pose == "kneel":
        knee = np.array([hip[0] + 40.0, floor])
        ankle = knee + np.array([SHIN, -10.0])
    if pose == "prone":
        elbow = shoulder + np.array([-60.0, 8.0])
    else:
        elbow = shoulder + np.array([0.0, UPPER_ARM])
    points = {
        "shoulder": shoulder,
        "elbow": elbow,
        "wrist": elbow + np.array([-FOREARM, 0.0]),
        "hip": hip,
        "knee": knee,
        "ankle": ankle,
        "heel": ankle + np.array([-4.0, -10.0]),
        "foot_index": ankle + np.array([8.0, 12.0]),
        "ear": shoulder - 35 * trunk_dir + np.array([0.0, -4.0]),
        "eye": shoulder - 45 * trunk_dir + np.array([0.0, -6.0]),
    }
    xy = np.zeros((N_LANDMARKS, 2))
    for name, p in points.items():
        for side, dy in (("left", width / 2), ("right", -width / 2)):
            xy[INDEX[f"{side}_{name}"]] = p + np.array([0.0, dy])
    xy[INDEX["nose"]] = shoulder - 50 * trunk_dir
    if facing > 0:  # head towards +x: mirror about the shoulder's x
        xy[:, 0] = 2 * 150.0 - xy[:, 0] + 400
    return xy


def lying(
    script: list[tuple[str, float, float, float]],
    fps: float = 30.0,
    facing: int = -1,
    width: float = 0.0,
    noise: float = 0.0,
) -> PoseSeries:
    """A lying figure over time from ``(pose, seconds, bend_from, bend_to)`` pieces.

    Args:
        script: Poses (see ``_lying_frame``) with the hip bend ramping linearly.
        fps: Frame rate.
        facing: -1 with the head at image-left, +1 at image-right.
        width: Apparent shoulder and hip width in px (0: a pure side view); the two
            sides are drawn this far apart vertically, like shoulders seen from the front.
        noise: Standard deviation of the landmark jitter, px.
    """
    frames = []
    for pose, seconds, a, b in script:
        for bend in np.linspace(a, b, max(1, round(seconds * fps))):
            frames.append(_lying_frame(float(bend), pose, facing, width))
    xy = np.asarray(frames)
    xy += np.random.default_rng(0).normal(0.0, noise, xy.shape) if noise else 0.0
    n = len(xy)
    visibility = np.full((n, N_LANDMARKS), 0.95, np.float32)
    visibility[:, [INDEX[f"right_{p}"] for p in ("shoulder", "hip", "knee", "ankle")]] = 0.8
    meta = VideoMeta(source="figure", fps=fps, width=640, height=480, n_frames=n)
    return PoseSeries(
        t=np.arange(n) / fps, xy=xy.astype(np.float32), visibility=visibility, meta=meta
    )


def bridge(bends: np.ndarray, fps: float = 30.0) -> PoseSeries:
    """A side-view glute bridge: shoulders on the floor, feet planted, hips lifted.

    ``bends`` (T,) is the bend at the hip from the shoulder-knee line (+ above it);
    NaN lays the hips on the floor (the bottom of a rep).
    """
    floor = 400.0
    shoulder, ankle = np.array([150.0, floor - 10]), np.array([470.0, floor - 8])
    knee = ankle + np.array([-10.0, -SHIN])
    frames = []
    for bend in np.asarray(bends, np.float64):
        d = knee - shoulder
        along = shoulder + d * TRUNK / (TRUNK + THIGH)
        normal = np.array([d[1], -d[0]]) / np.linalg.norm(d)  # points up the image
        lift = np.tan(np.radians(bend) / 2) * np.linalg.norm(d) / 2 if np.isfinite(bend) else None
        hip = np.array([along[0], floor - 12]) if lift is None else along + lift * normal
        points = {
            "shoulder": shoulder,
            "elbow": shoulder + np.array([60.0, 8.0]),
            "wrist": shoulder + np.array([120.0, 8.0]),
            "hip": hip,
            "knee": knee,
            "ankle": ankle,
            "heel": ankle + np.array([-6.0, 2.0]),
            "foot_index": ankle + np.array([20.0, 6.0]),
            "ear": shoulder + np.array([-35.0, -6.0]),
            "eye": shoulder + np.array([-40.0, -10.0]),
        }
        xy = np.zeros((N_LANDMARKS, 2))
        for name, p in points.items():
            for side in ("left", "right"):
                xy[INDEX[f"{side}_{name}"]] = p
        xy[INDEX["nose"]] = shoulder + np.array([-45.0, -12.0])
        frames.append(xy)
    n = len(frames)
    meta = VideoMeta(source="figure", fps=fps, width=640, height=480, n_frames=n)
    return PoseSeries(
        t=np.arange(n) / fps,
        xy=np.asarray(frames, np.float32),
        visibility=np.full((n, N_LANDMARKS), 0.95, np.float32),
        meta=meta,
    )
