"""Turn a :class:`Key` into a body placed in the room, feet (or hands) on the floor.

Standing exercises keep the feet planted and solve the shin angle so that a
chosen point (the grip on the bar, or the body's centre) stays over mid-foot.
Lying exercises tip the whole body until its front and rear supports (elbows
and toes, feet and upper back) touch the floor together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from formcheck.synth.body import ROUNDING, Body, Pose, Posed, Side
from formcheck.synth.geometry import rot_x
from formcheck.synth.timeline import Key

MIDFOOT_AHEAD_M = 0.04  # mid-foot lies this far ahead of the ankle joint
# Rough segment mass shares (whole-body fractions) at the joints that carry them,
# after Dempster's table: trunk heavy, limbs light.
MASS = {
    "root": 0.2, "spine03": 0.2, "spine01": 0.15, "head": 0.08,
    "upperleg02.L": 0.1, "upperleg02.R": 0.1, "lowerleg02.L": 0.05, "lowerleg02.R": 0.05,
    "upperarm02.L": 0.03, "upperarm02.R": 0.03, "lowerarm02.L": 0.02, "lowerarm02.R": 0.02,
}  # fmt: skip


@dataclass(frozen=True)
class Placed:
    """A posed body in world coordinates."""

    vertices: np.ndarray
    keypoints: np.ndarray  # (23, 3) COCO keypoints
    joints: np.ndarray  # (B, 3) bone heads
    grip: np.ndarray  # (3,) the middle of the left and right grips


def grip_point(body: Body, joints: np.ndarray) -> np.ndarray:
    """Where a bar or handle sits in the hands: between the palms' centres."""
    palms = [
        (joints[body.bone(f"wrist.{s}")] + joints[body.bone(f"finger3-1.{s}")]) / 2 for s in "LR"
    ]
    return np.mean(palms, axis=0)


class Posture:
    """Places one body for one kind of exercise."""

    def __init__(
        self, body: Body, support: str, stance: float = 4.0, rounding: str = "spread"
    ) -> None:
        """``support``: "stand", "prone_forearm", "prone_straight" or "supine".

        ``stance`` is the sideways splay of each leg standing, degrees (a sumo
        stance is about 20); ``rounding`` where the spine flexes (see
        :data:`formcheck.synth.body.ROUNDING`).
        """
        self.body = body
        self.support = support
        self.stance = stance
        self.shares = ROUNDING[rounding]
        labels = np.array([body.labels[b] for b in body.bone_of_vertex])
        self._groups = {
            name: np.flatnonzero(np.isin(labels, [f"{b}.{s}" for b in bones for s in "LR"] + bones))
            for name, bones in _SUPPORT_BONES.items()
        }
        self._mass = (np.array([body.bone(b) for b in MASS]), np.array(list(MASS.values())))
        ankle = body.heads[body.bone("foot.L")]
        self.ankle = ankle
        self.midfoot_y = ankle[1] - MIDFOOT_AHEAD_M

    def place(self, key: Key, over_midfoot: str = "centre") -> Placed:
        """The body in ``key``; ``over_midfoot`` ("grip" or "centre") steers a standing body."""
        if self.support == "stand":
            return self._stand(key, over_midfoot)
        if self.support == "supine":
            return self._supine(key)
        return self._prone(key)

    def shin(self, key: Key, over_midfoot: str) -> float:
        """The shins' world angle (degrees, + = ankles ahead of the knees) balancing ``key``."""

        def offset(shin: float) -> float:
            joints = self.body.joints(_standing_pose(key, shin, self.stance, self.shares))
            joints += self.ankle - joints[self.body.bone("foot.L")]
            if over_midfoot == "grip":
                point = grip_point(self.body, joints)
            else:
                bones, mass = self._mass
                point = mass @ joints[bones] / mass.sum()
            return float(point[1] - self.midfoot_y + key.reach)

        return bisect(offset, -45.0, 45.0)

    def _stand(self, key: Key, over_midfoot: str) -> Placed:
        shin = self.shin(key, over_midfoot)
        posed = self.body.pose(_standing_pose(key, shin, self.stance, self.shares))
        return self._moved(posed, np.eye(3), self.ankle - _joint(self.body, posed, "foot.L"))

    def _prone(self, key: Key) -> Placed:
        straight = self.support == "prone_straight"
        pose = Pose(
            trunk=90 - key.sag / 2,
            spine=key.spine,
            neck=key.neck,
            left=_prone_side(key, straight),
            right=_prone_side(key, straight),
            stance=3.0,
            arm_gap=4.0,
            shares=self.shares,
        )
        front = "hands" if straight else "forearms"
        return self._level(self.body.pose(pose), front, "legs", anchor=front)[0]

    def _supine(self, key: Key) -> Placed:
        foot = 0.0
        for _ in range(3):
            thigh = 180 - key.hip - (-90.0)
            shin = thigh - (180 - key.knee)
            side = Side(thigh=thigh, shin=shin, foot=foot, arm=key.arm, forearm=key.arm)
            pose = Pose(-90.0, key.spine, key.neck, side, side, shares=self.shares)
            placed, tilt = self._level(self.body.pose(pose), "feet", "back", anchor="back")
            foot -= tilt
        return placed

    def _level(self, posed: Posed, front: str, rear: str, anchor: str) -> tuple[Placed, float]:
        """Tip the body about x until its two supports are equally low."""
        v = posed.vertices

        def gap(tilt: float) -> float:
            r = rot_x(tilt)
            return float(
                (v[self._groups[front]] @ r.T)[:, 2].min()
                - (v[self._groups[rear]] @ r.T)[:, 2].min()
            )

        tilt = bisect(gap, -40.0, 40.0)
        r = rot_x(tilt)
        turned = v @ r.T
        shift = np.array([0.0, 0.0, -turned[:, 2].min()])
        contact = turned[self._groups[anchor]]
        shift[1] = -contact[:, 1].mean()
        return self._moved(posed, r, shift), tilt

    def _moved(self, posed: Posed, rotation: np.ndarray, shift: np.ndarray) -> Placed:
        joints = np.einsum("bij,bj->bi", posed.bones[:, :3, :3], self.body.heads)
        joints = (joints + posed.bones[:, :3, 3]) @ rotation.T + shift
        return Placed(
            posed.vertices @ rotation.T + shift,
            posed.keypoints @ rotation.T + shift,
            joints,
            grip_point(self.body, joints),
        )


_SUPPORT_BONES: dict[str, list[str]] = {
    "hands": ["wrist", "metacarpal1", "metacarpal2", "metacarpal3", "metacarpal4"],
    "forearms": ["lowerarm01", "lowerarm02"],
    "legs": ["toe1-1", "toe1-2", "toe2-1", "toe2-2", "toe3-1", "lowerleg01", "root", "pelvis"],
    "feet": ["foot"],
    "back": ["spine01", "spine02", "clavicle", "shoulder01", "neck01"],
}


def _standing_pose(key: Key, shin: float, stance: float, shares: tuple[float, ...]) -> Pose:
    """Both feet down, or (``key.free``) standing on the left leg with the right one raised."""
    thigh = shin + (180 - key.knee)
    side = Side(thigh=thigh, shin=shin, foot=0.0, arm=key.arm, forearm=key.arm + key.elbow)
    free = side
    if key.free or key.free_bend:
        free_thigh = thigh - key.free
        free_shin = free_thigh - (180 - key.knee) - key.free_bend
        # The ankle of a raised foot stays near neutral: the toes follow the shin down.
        free = Side(free_thigh, free_shin, max(0.0, -free_shin) * 0.8, side.arm, side.forearm)
    trunk = 180 - key.hip - thigh
    return Pose(trunk, key.spine, key.neck, side, free, stance=stance, shares=shares)


def _prone_side(key: Key, straight: bool) -> Side:
    thigh = -90 - key.sag / 2
    shin = thigh - (180 - key.knee)
    return Side(thigh=thigh, shin=shin, foot=70.0, arm=0.0, forearm=0.0 if straight else 90.0)


def _joint(body: Body, posed: Posed, label: str) -> np.ndarray:
    j = body.bone(label)
    return posed.bones[j, :3, :3] @ body.heads[j] + posed.bones[j, :3, 3]


def bisect(f: Callable[[float], float], lo: float, hi: float, xtol: float = 1e-3) -> float:
    """Root of an increasing or decreasing ``f`` on [lo, hi], or the nearer end.

    Brent's method: the posed body's balance is smooth, so a handful of
    evaluations (each one forward kinematics) reach ``xtol`` degrees.
    """
    f_lo, f_hi = f(lo), f(hi)
    if f_lo * f_hi > 0:
        return lo if abs(f_lo) < abs(f_hi) else hi
    if f_lo == 0 or f_hi == 0:
        return lo if f_lo == 0 else hi
    return float(brentq(f, lo, hi, xtol=xtol))
