"""Ground truth measured from the posed body, never copied from the scene's knobs.

Angles come from the COCO keypoints of the posed mesh, in 3-D (the body's true
sagittal angles) and projected into the image (what a perfect 2-D detector
would see). Spine flexion comes from the posed spine joints. Faults are the
codes of DESIGN.md, decided by :data:`LABEL_LINES`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formcheck.synth.geometry import Camera

KP = {
    name: i
    for i, name in enumerate(
        [
            "nose",
            "left_eye",
            "right_eye",
            "left_ear",
            "right_ear",
            "left_shoulder",
            "right_shoulder",
            "left_elbow",
            "right_elbow",
            "left_wrist",
            "right_wrist",
            "left_hip",
            "right_hip",
            "left_knee",
            "right_knee",
            "left_ankle",
            "right_ankle",
            "left_big_toe",
            "right_big_toe",
            "left_small_toe",
            "right_small_toe",
            "left_heel",
            "right_heel",
        ]
    )
}

# Labelling lines: (metric, fault when past `fault`, grey zone up to `grey`, direction).
# A direction of -1 means "fault when the value is at or below the line". The
# grey zones are narrow (3-4 deg or points) so that reps close to a line on
# either side are scored: those are the hard cases.
LABEL_LINES: dict[str, tuple[str, float, float, int]] = {
    "squat_pattern": ("min_knee_deg", 95.0, 99.0, -1),
    "rounded_back": ("max_spine_flex_deg", 20.0, 16.0, 1),
    "incomplete_lockout": ("max_hip_deg", 162.0, 166.0, -1),
    "lean_back": ("top_trunk_lean_deg", 12.0, 9.0, 1),
    "hips_rise_first": ("early_tip_deg", 8.0, 5.0, 1),
    "bar_drift": ("max_drift_pct", 8.0, 5.5, 1),
    "hip_sag": ("max_sag_deg", 10.0, 7.0, 1),
    "hip_pike": ("max_pike_deg", 10.0, 7.0, 1),
    "free_leg_line": ("max_free_leg_bend_deg", 25.0, 21.0, 1),
    "lost_balance": ("min_free_foot_cm", 3.0, 4.5, -1),
    # Hip extension past straight at the top of a bridge, measured in 3-D only: a
    # fully extended rendered bridge reads 180-186.
    "over_arch": ("max_hip_signed_deg", 195.0, 191.0, 1),
}
#: Lines that differ by exercise. An RDL or a swing bends the knees less than a
#: deadlift, so "knees dominate" starts higher. From the floor the knee angle
#: depends on the lifter's proportions (long femurs need more bend to reach the
#: bar), so a squatted deadlift is told by a chest held nearly upright at
#: lift-off: real clean lifters read 40-57 deg from vertical there, a real
#: squatted set 14-18 (the independent evaluation of issue 29).
EXERCISE_LINES: dict[tuple[str, str], tuple[str, float, float, int]] = {
    ("deadlift", "squat_pattern"): ("liftoff_trunk_deg", 30.0, 33.0, -1),
    ("rdl", "squat_pattern"): ("min_knee_deg", 130.0, 134.0, -1),
    ("single_leg_rdl", "squat_pattern"): ("min_knee_deg", 130.0, 134.0, -1),
    ("kb_swing", "squat_pattern"): ("min_knee_deg", 115.0, 119.0, -1),
}


def line_of(exercise: str, code: str) -> tuple[str, float, float, int]:
    """The labelling line of ``code`` for ``exercise``."""
    return EXERCISE_LINES.get((exercise, code), LABEL_LINES[code])


CHECKED = {
    "deadlift": (
        "squat_pattern",
        "rounded_back",
        "incomplete_lockout",
        "lean_back",
        "hips_rise_first",
        "bar_drift",
    ),
    "rdl": ("squat_pattern", "rounded_back", "incomplete_lockout", "bar_drift"),
    "single_leg_rdl": (
        "squat_pattern",
        "rounded_back",
        "incomplete_lockout",
        "free_leg_line",
        "lost_balance",
    ),
    "kb_swing": ("squat_pattern", "rounded_back", "incomplete_lockout", "lean_back"),
    "glute_bridge": ("incomplete_lockout", "over_arch"),
}
STANDING_START = ("rdl", "single_leg_rdl", "kb_swing")


@dataclass(frozen=True)
class Angles:
    """Per-frame angle channels (degrees), NaN where they do not apply."""

    hip: np.ndarray
    knee: np.ndarray
    lean: np.ndarray  # trunk behind vertical (+) or ahead of it (-)
    sag: np.ndarray  # hip below the shoulder-ankle line (+) or above it (-)


def angle(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Unsigned angle a-b-c at ``b`` in degrees, for 2-D or 3-D points (..., D)."""
    u, v = a - b, c - b
    cos = np.sum(u * v, -1) / (np.linalg.norm(u, axis=-1) * np.linalg.norm(v, axis=-1))
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def _signed(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Signed angle from 2-D vectors u to v, degrees, counter-clockwise positive."""
    cross = u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]
    return np.degrees(np.arctan2(cross, np.sum(u * v, -1)))


def _lean(trunk: np.ndarray, behind: np.ndarray) -> np.ndarray:
    """Trunk angle from vertical in a plane with y up; + when it tips towards ``behind``."""
    tilt = np.degrees(np.arctan2(np.abs(trunk[..., 0]), trunk[..., 1]))
    return np.where(trunk[..., 0] * behind[..., 0] > 0, tilt, -tilt)


def _sag(sh: np.ndarray, hip: np.ndarray, ankle: np.ndarray) -> np.ndarray:
    """Hip deviation from the shoulder-ankle line in a plane with y up; + when below it."""
    bend = np.abs(_signed(hip - sh, ankle - hip))
    along = (hip[..., 0] - sh[..., 0]) / (ankle[..., 0] - sh[..., 0])
    line_y = sh[..., 1] + along * (ankle[..., 1] - sh[..., 1])
    return np.where(hip[..., 1] < line_y, bend, -bend)


def _mid(points: np.ndarray, joint: str) -> np.ndarray:
    return (points[:, KP[f"left_{joint}"]] + points[:, KP[f"right_{joint}"]]) / 2


def _sagittal(points: np.ndarray) -> np.ndarray:
    """(forward, up) = (-y, z) coordinates of 3-D points."""
    return np.stack([-points[..., 1], points[..., 2]], -1)


def angles_3d(kp: np.ndarray) -> tuple[Angles, np.ndarray]:
    """True sagittal-plane angles from (T, 23, 3) keypoints.

    Also returns the signed hip angle (> 180 = extended past straight).
    """
    plane = _sagittal(kp)
    sh, hip, knee, ankle = (plane[:, KP[f"left_{j}"]] for j in ("shoulder", "hip", "knee", "ankle"))
    lean = _lean(_mid(plane, "shoulder") - _mid(plane, "hip"), np.array([-1.0, 0.0]))
    hip_signed = np.mod(_signed(knee - hip, sh - hip), 360.0)
    out = Angles(angle(sh, hip, knee), angle(hip, knee, ankle), lean, _sag(sh, hip, ankle))
    return out, hip_signed


def angles_2d(px: np.ndarray, camera: Camera, kp3: np.ndarray) -> Angles:
    """The same angles measured on the image points ``px`` (T, 23, 2)."""
    plane = np.stack([px[..., 0], -px[..., 1]], -1)  # image with y up
    sh, hip, knee, ankle = (plane[:, KP[f"left_{j}"]] for j in ("shoulder", "hip", "knee", "ankle"))
    mid_hip3 = _mid(kp3, "hip")
    behind = camera.project(mid_hip3 + np.array([0.0, 0.1, 0.0])) - camera.project(mid_hip3)
    behind[..., 1] *= -1
    lean = _lean(_mid(plane, "shoulder") - _mid(plane, "hip"), behind)
    return Angles(angle(sh, hip, knee), angle(hip, knee, ankle), lean, _sag(sh, hip, ankle))


def spine_flexion(joints: np.ndarray, rest: np.ndarray, index: dict[str, int]) -> np.ndarray:
    """Flexion of the posed spine (T,) relative to its rest curve, degrees (+ = rounded)."""

    def bend(j: np.ndarray) -> np.ndarray:
        lower = j[..., index["spine04"], :] - j[..., index["spine05"], :]
        upper = j[..., index["neck01"], :] - j[..., index["spine01"], :]
        return -_signed(_sagittal(lower), _sagittal(upper))

    return bend(joints) - bend(rest)


def label(value_3d: float, value_2d: float | None, code: str, exercise: str = "") -> str | None:
    """Verdict on one rep metric: "fault", "borderline" or None."""
    _, line, grey, direction = line_of(exercise, code)

    def past(v: float, at: float) -> bool:
        return v <= at if direction < 0 else v >= at

    hit3 = past(value_3d, line)
    hit2 = hit3 if value_2d is None else past(value_2d, line)
    if hit3 and hit2:
        return "fault"
    if hit3 != hit2 or past(value_3d, grey):
        return "borderline"
    return None


def rep_metrics(
    exercise: str, a: Angles, spine: np.ndarray, span: tuple[int, int, int]
) -> dict[str, float]:
    """Extremes of one rep: minima over the whole rep, the top over its own rising part."""
    start, bottom, end = span
    rep, top = (
        slice(start, end + 1),
        slice(bottom if exercise in STANDING_START else start, end + 1),
    )
    return {
        "min_hip_deg": float(np.nanmin(a.hip[rep])),
        "max_hip_deg": float(np.nanmax(a.hip[top])),
        "min_knee_deg": float(np.nanmin(a.knee[rep])),
        "top_trunk_lean_deg": float(np.nanmax(a.lean[top])),
        "max_spine_flex_deg": float(np.nanmax(spine[rep])),
    }


def rep_faults(
    exercise: str, m3: dict[str, float], m2: dict[str, float], front: bool
) -> tuple[list[str], list[str]]:
    """Fault codes and borderline codes of one rep."""
    faults, borderline = [], []
    for code in CHECKED.get(exercise, ()):
        metric = line_of(exercise, code)[0]
        two_d = None if front else m2.get(metric)  # some metrics exist in 3-D only
        verdict = label(m3[metric], two_d, code, exercise)
        if verdict == "fault":
            faults.append(code)
        elif verdict == "borderline":
            borderline.append(code)
    return faults, borderline


def pull_metrics(
    kp: np.ndarray, grip: np.ndarray, lean: np.ndarray, span: tuple[int, int, int, int]
) -> dict[str, float]:
    """A barbell pull's set-up, early rise and bar path, in 3-D.

    Args:
        kp: (T, 23, 3) keypoints.
        grip: (T, 3) the middle of the hands.
        lean: (T,) trunk lean behind vertical (degrees, - = forward).
        span: The rep's ``(start, bottom, top, end)`` frames; from the floor the
            bottom is the start, the lift-off.

    Returns:
        ``setup_shin_deg`` (the shins' forward tilt at the bottom),
        ``liftoff_trunk_deg`` (the trunk's forward tilt there), ``early_tip_deg``
        (how much further forward the trunk tips while the bar rises its first
        quarter) and ``max_drift_pct`` (the hands' largest distance ahead of
        where they started, over mid-foot, while the bar is in the lower half of
        its path, per cent of the leg's length).
    """
    start, bottom, top, end = span
    plane = _sagittal(kp)
    knee, ankle = _mid(plane, "knee"), _mid(plane, "ankle")
    shin = knee[bottom] - ankle[bottom]
    height = grip[:, 2] - grip[bottom, 2]
    rise = height[top] if top > bottom else 0.0
    early = np.arange(bottom, top + 1)[height[bottom : top + 1] <= 0.25 * rise]
    low = np.arange(start, end + 1)[height[start : end + 1] <= 0.5 * rise]
    leg = (
        np.linalg.norm(plane[:, KP["left_hip"]] - knee, axis=-1)[bottom]
        + np.linalg.norm(knee - ankle, axis=-1)[bottom]
    )
    ahead = 100 * (grip[start, 1] - grip[:, 1]) / leg  # forward is -y
    return {
        "setup_shin_deg": float(np.degrees(np.arctan2(shin[0], shin[1]))),
        "liftoff_trunk_deg": float(-lean[bottom]),
        "early_tip_deg": float(np.max(-lean[early]) + lean[bottom]) if early.size else 0.0,
        "max_drift_pct": float(np.max(ahead[low])) if low.size else 0.0,
    }


def free_leg_bend(points: np.ndarray) -> np.ndarray:
    """Bend (T,) between the trunk line and the free (right) leg, degrees; 0 = one line.

    Args:
        points: (T, 23, D) keypoints, 2-D image points or 3-D.
    """
    sh = _mid(points, "shoulder")
    return 180.0 - angle(sh, points[:, KP["right_hip"]], points[:, KP["right_ankle"]])


def free_foot_cm(kp: np.ndarray) -> np.ndarray:
    """Height (T,) of the free (right) ankle above the stance (left) ankle, in cm."""
    return 100.0 * (kp[:, KP["right_ankle"], 2] - kp[:, KP["left_ankle"], 2])


def hold_truth(sag: np.ndarray, start: int, end: int, fps: float) -> dict[str, object]:
    """Sag onset, extremes and faults of a plank hold over frames ``start..end``."""
    window = sag[start : end + 1]
    baseline = float(np.median(window[: max(1, int(2 * fps))]))

    def stays_from(threshold: float) -> int | None:
        above = window >= threshold
        if not above[-1]:
            return None
        below = np.flatnonzero(~above)
        return start + (int(below[-1]) + 1 if below.size else 0)

    max_sag, max_pike = float(window.max()), float(-window.min())
    faults = [
        c for c, v in (("hip_sag", max_sag), ("hip_pike", max_pike)) if label(v, None, c) == "fault"
    ]
    return {
        "start_frame": start,
        "end_frame": end,
        "sag_onset_frame": stays_from(baseline + 3.0),
        "sag_fault_frame": stays_from(LABEL_LINES["hip_sag"][1]),
        "max_sag_deg": round(max_sag, 1),
        "max_pike_deg": round(max_pike, 1),
        "mean_sag_deg": round(float(window.mean()), 1),
        "faults": faults,
    }
