"""The 33 BlazePose landmarks, declared as data.

Index order is the one MediaPipe's Pose Landmarker emits. Left and right are
the person's own sides, not the image's.
"""

from __future__ import annotations

LANDMARKS: tuple[str, ...] = (
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
)
N_LANDMARKS = len(LANDMARKS)
INDEX: dict[str, int] = {name: i for i, name in enumerate(LANDMARKS)}

_SIDE_BONES = (
    ("shoulder", "elbow"),
    ("elbow", "wrist"),
    ("shoulder", "hip"),
    ("hip", "knee"),
    ("knee", "ankle"),
    ("ankle", "heel"),
    ("heel", "foot_index"),
    ("ankle", "foot_index"),
)
# Bones drawn and measured between landmarks, by name.
BONES: tuple[tuple[str, str], ...] = (
    *((f"{side}_{a}", f"{side}_{b}") for side in ("left", "right") for a, b in _SIDE_BONES),
    ("left_shoulder", "right_shoulder"),
    ("left_hip", "right_hip"),
)

TORSO: tuple[str, ...] = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")


def mirror(name: str) -> str:
    """Return the landmark on the other side of the body (``nose`` maps to itself)."""
    if name.startswith("left_"):
        return "right_" + name[len("left_") :]
    if name.startswith("right_"):
        return "left_" + name[len("right_") :]
    return name
