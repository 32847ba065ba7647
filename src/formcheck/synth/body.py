"""A posable human body: forward kinematics and linear blend skinning in NumPy.

The bodies are Anny shapes exported by ``tools/export_bodies.py``. Axes are the
body's rest frame: x = the person's left, -y = forward, z = up, metres.

A :class:`Pose` gives the *world* angle of each body segment in the sagittal
plane, which is how coaches describe a hinge ("trunk 45 degrees forward, shins
near vertical") and keeps every exercise a few lines of angle curves. Angles
are degrees, positive when the far end of the segment moves forward (-y).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from importlib import resources

import numpy as np

from formcheck.synth.geometry import align, rot_x

BODIES_FILE = "bodies.npz"
SPINE = ("spine05", "spine04", "spine03", "spine02", "spine01")
# Share of the spine's flexion taken by each segment, lumbar first.
SPINE_SHARE = (0.26, 0.24, 0.2, 0.16, 0.14)
#: Where a spine rounds: its flexion spread over the whole spine, or taken by
#: the lumbar segments alone (spine05-04, with a little of spine03), or by the
#: thoracic ones (spine02-01, with a little of spine03). Real rounding is all
#: three: the lumbar spine flexes in lifting (McGill 2016, Low Back Disorders,
#: 3rd ed.), the upper back rounds over a load held far in front.
ROUNDING = {
    "spread": SPINE_SHARE,
    "lumbar": (0.45, 0.4, 0.15, 0.0, 0.0),
    "thoracic": (0.0, 0.0, 0.2, 0.4, 0.4),
}
NECK = ("neck01", "neck02", "neck03", "head")


@dataclass(frozen=True)
class Side:
    """World angles of one limb side, degrees from vertical-down."""

    thigh: float = 0.0
    shin: float = 0.0
    foot: float = 0.0  # pitch of the foot: 0 flat on the floor, + toes down
    arm: float = 0.0
    forearm: float = 0.0


@dataclass(frozen=True)
class Pose:
    """Sagittal-plane pose of the whole body.

    Attributes:
        trunk: Forward tilt of the pelvis from vertical (90 = lying prone).
        spine: Flexion of the lumbar and thoracic spine (+ rounds the back).
        neck: Flexion of the neck relative to the upper spine.
        left: Angles of the left limbs.
        right: Angles of the right limbs.
        stance: Lateral splay of each leg from vertical, degrees.
        arm_gap: Lateral splay of each arm from the body, degrees.
        shares: Share of ``spine`` taken by each spine segment, lumbar first
            (see :data:`ROUNDING`).
    """

    trunk: float = 0.0
    spine: float = 0.0
    neck: float = 0.0
    left: Side = field(default_factory=Side)
    right: Side = field(default_factory=Side)
    stance: float = 4.0
    arm_gap: float = 9.0
    shares: tuple[float, ...] = SPINE_SHARE


@dataclass(frozen=True)
class Posed:
    """A body in a pose: skinned vertices and the COCO keypoints, in metres."""

    vertices: np.ndarray  # (V, 3)
    keypoints: np.ndarray  # (23, 3)
    bones: np.ndarray  # (B, 4, 4) skinning transforms


class Body:
    """One exported body shape, ready to pose."""

    def __init__(self, name: str) -> None:
        """Load body ``name`` (see :func:`body_names`) from the packaged file."""
        data = _load()
        if name not in body_names():
            raise ValueError(f"unknown body {name!r}; choose from {', '.join(body_names())}")
        self.name = name
        self.rest = data[f"{name}/vertices"].astype(np.float64)
        self.heads = data[f"{name}/bone_heads"].astype(np.float64)
        self.faces = data["faces"]
        self.parents = data["bone_parents"].astype(int)
        self.labels: list[str] = [str(label) for label in data["bone_labels"]]
        self.index = {label: i for i, label in enumerate(self.labels)}
        self.skin_bones = data["skin_bones"].astype(int)
        self.skin_weights = data["skin_weights"].astype(np.float64)
        self.keypoint_labels: list[str] = [str(label) for label in data["keypoint_labels"]]
        self._kp = (data["keypoint_rows"], data["keypoint_cols"], data["keypoint_weights"])
        self.height = float(np.ptp(self.rest[:, 2]))
        self.bone_of_vertex = self.skin_bones[
            np.arange(len(self.rest)), self.skin_weights.argmax(1)
        ]
        self._rest_dirs = self._segment_directions()
        self._levels = _levels(self.parents)
        self._aligned: dict[tuple[str, float, float], np.ndarray] = {}

    def bone(self, label: str) -> int:
        """Index of a bone by its label."""
        return self.index[label]

    def pose(self, pose: Pose) -> Posed:
        """Skin the body into ``pose``, in the body's own frame (not yet placed)."""
        rotations = self._world_rotations(pose)
        bones = self._forward_kinematics(rotations)
        blended = np.einsum("vk,vkij->vij", self.skin_weights, bones[self.skin_bones])
        vertices = np.einsum("vij,vj->vi", blended[:, :3, :3], self.rest) + blended[:, :3, 3]
        return Posed(vertices, self.keypoints(vertices), bones)

    def joints(self, pose: Pose) -> np.ndarray:
        """Posed bone heads (B, 3): the cheap skeleton-only version of :meth:`pose`."""
        bones = self._forward_kinematics(self._world_rotations(pose))
        return np.einsum("bij,bj->bi", bones[:, :3, :3], self.heads) + bones[:, :3, 3]

    def keypoints(self, vertices: np.ndarray) -> np.ndarray:
        """COCO keypoints (Anny's regressor) of skinned vertices."""
        rows, cols, weights = self._kp
        out = np.zeros((len(self.keypoint_labels), 3))
        np.add.at(out, rows, weights[:, None] * vertices[cols])
        return out

    def _segment_directions(self) -> dict[str, np.ndarray]:
        """Rest-pose direction of each posed segment, head to child head."""
        pairs = {
            "thigh": ("upperleg01", "lowerleg01"),
            "shin": ("lowerleg01", "foot"),
            "foot": ("foot", "toe3-1"),
            "arm": ("upperarm01", "lowerarm01"),
            "forearm": ("lowerarm01", "wrist"),
        }
        dirs = {}
        for side in "LR":
            for segment, (a, b) in pairs.items():
                v = self.heads[self.bone(f"{b}.{side}")] - self.heads[self.bone(f"{a}.{side}")]
                dirs[f"{segment}.{side}"] = v / np.linalg.norm(v)
        return dirs

    def _world_rotations(self, pose: Pose) -> dict[int, np.ndarray]:
        """World rotation of every bone that the pose sets; the rest follow their parent."""
        rot: dict[int, np.ndarray] = {}
        pelvis = rot_x(pose.trunk)
        for label in ("root", "pelvis.L", "pelvis.R"):
            rot[self.bone(label)] = pelvis
        bend = pose.trunk
        for label, share in zip(SPINE, pose.shares, strict=True):
            bend += pose.spine * share
            rot[self.bone(label)] = rot_x(bend)
        for label in NECK:
            rot[self.bone(label)] = rot_x(bend + pose.neck)
        for side, angles in (("L", pose.left), ("R", pose.right)):
            self._limb_rotations(rot, side, angles, pose)
        return rot

    def _limb_rotations(
        self, rot: dict[int, np.ndarray], side: str, angles: Side, pose: Pose
    ) -> None:
        out = 1.0 if side == "L" else -1.0
        leg = np.array([out * np.tan(np.radians(pose.stance)), 0.0, -1.0])
        arm = np.array([out * np.tan(np.radians(pose.arm_gap)), 0.0, -1.0])
        foot = np.array([out * 0.12, -1.0, 0.0])
        targets = {
            "thigh": (leg, -angles.thigh, ("upperleg01", "upperleg02")),
            "shin": (leg, -angles.shin, ("lowerleg01", "lowerleg02")),
            "foot": (foot, angles.foot, ("foot",)),
            "arm": (arm, -angles.arm, ("upperarm01", "upperarm02")),
            "forearm": (arm, -angles.forearm, ("lowerarm01", "lowerarm02", "wrist")),
        }
        for segment, (neutral, angle, labels) in targets.items():
            key = (f"{segment}.{side}", pose.stance, pose.arm_gap)
            if key not in self._aligned:
                unit = neutral / np.linalg.norm(neutral)
                self._aligned[key] = align(self._rest_dirs[key[0]], unit)
            world = rot_x(angle) @ self._aligned[key]
            for label in labels:
                rot[self.bone(f"{label}.{side}")] = world

    def _forward_kinematics(self, rotations: dict[int, np.ndarray]) -> np.ndarray:
        """Skinning transforms: each bone turns about its own head, carried by its parent.

        Bones are solved a tree level at a time, every bone of a level at once.
        """
        n = len(self.parents)
        world = np.empty((n, 3, 3))
        shift = np.zeros((n, 3))
        given = np.zeros(n, bool)
        given[list(rotations)] = True
        world[list(rotations)] = list(rotations.values())
        root = self._levels[0]
        world[root[~given[root]]] = np.eye(3)
        for level in self._levels[1:]:
            parent = self.parents[level]
            inherit = level[~given[level]]
            world[inherit] = world[self.parents[inherit]]
            moved = np.einsum("bij,bj->bi", world[parent], self.heads[level]) + shift[parent]
            shift[level] = moved - np.einsum("bij,bj->bi", world[level], self.heads[level])
        bones = np.zeros((n, 4, 4))
        bones[:, :3, :3], bones[:, :3, 3], bones[:, 3, 3] = world, shift, 1.0
        return bones


def _levels(parents: np.ndarray) -> list[np.ndarray]:
    """Bone indices grouped by depth in the tree, roots first."""
    depth = np.zeros(len(parents), int)
    for j, parent in enumerate(parents):  # parents come before their children
        depth[j] = depth[parent] + 1 if parent >= 0 else 0
    return [np.flatnonzero(depth == d) for d in range(depth.max() + 1)]


@functools.cache
def _load() -> dict[str, np.ndarray]:
    with (
        resources.as_file(resources.files("formcheck.synth") / BODIES_FILE) as path,
        np.load(path) as data,
    ):
        return {key: data[key] for key in data.files}


def body_names() -> list[str]:
    """Names of the bodies in the packaged file."""
    return [str(name) for name in _load()["body_names"]]
