"""Render a scripted set to an H.264 mp4 with its ground truth (JSON + per-frame CSV)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from formcheck.synth import truth
from formcheck.synth.body import Body
from formcheck.synth.exercises import Script, Spec, build
from formcheck.synth.geometry import Camera, Mesh
from formcheck.synth.posture import Placed, Posture
from formcheck.synth.scene import PLATE_RADIUS, Look, Scene, View, barbell, kettlebell, place
from formcheck.synth.timeline import Moment

CAMERA_MIN_HEIGHT_M = 0.7  # a phone on a bench, not on the floor
# Every COCO keypoint but the eyes, ears and small toes.
CSV_KEYPOINTS = [k for k in truth.KP if not k.endswith(("_eye", "_ear", "_small_toe"))]


@dataclass(frozen=True)
class Staging:
    """How the set is filmed.

    Attributes:
        body: A body name from :func:`formcheck.synth.body.body_names`.
        view_deg: Camera azimuth: 0 = side view of the person's left, 90 = front.
        distance: Camera distance as a multiple of the distance that frames the set.
        fps: Frame rate.
        width: Frame width in pixels.
        height: Frame height in pixels.
        crf: x264 quality (lower = better, larger files).
        camera_height: Metres above the floor (None: level with the set's middle,
            at least 0.7 m).
        focal_mm: Lens as a 35 mm-equivalent focal length across the picture's long
            side (26 is a phone's wide main camera); None: 40 deg vertical view.
        mirror: Flip the picture left to right (the person faces the other way).
        look: Room, clothes and light (:meth:`formcheck.synth.scene.Look.of`; 0 plain).
    """

    body: str = "m_avg"
    view_deg: float = 20.0
    distance: float = 1.0
    fps: float = 30.0
    width: int = 640
    height: int = 480
    crf: int = 26
    camera_height: float | None = None
    focal_mm: float | None = None
    mirror: bool = False
    look: int = 0


@dataclass
class Rendered:
    """Per-frame state of a rendered clip, kept for the ground truth."""

    moments: list[Moment]
    keypoints: np.ndarray  # (T, 23, 3)
    joints: np.ndarray  # (T, B, 3)
    prop: np.ndarray  # (T, 3) NaN without a prop
    held: np.ndarray  # (T,) bool
    grip: np.ndarray  # (T, 3) the middle of the hands


@dataclass
class Posed:
    """A set posed frame by frame and framed by its camera, not yet drawn."""

    body: Body
    script: Script
    placed: list[Placed]
    camera: Camera
    rendered: Rendered


def pose_set(spec: Spec, staging: Staging) -> Posed:
    """Perform ``spec`` with ``staging``'s body and frame it: everything but the pixels."""
    body = Body(staging.body)
    supports = ("stand", "supine", "prone_forearm", "prone_straight")
    postures = {s: Posture(body, s, spec.style.stance, spec.rounding) for s in supports}
    script = build(spec, postures)
    posture = postures[script.support]
    moments = script.timeline.sample(staging.fps)
    placed = [posture.place(m.key, script.over_midfoot) for m in moments]
    camera = _frame(placed, staging)
    prop, held = _prop_path(script, moments, placed)
    rendered = Rendered(
        moments,
        np.stack([p.keypoints for p in placed]),
        np.stack([p.joints for p in placed]),
        prop,
        held,
        np.stack([p.grip for p in placed]),
    )
    return Posed(body, script, placed, camera, rendered)


def ground_truth(spec: Spec, staging: Staging, posed: Posed, name: str) -> dict[str, object]:
    """The ground truth of a posed set, as :func:`render_clip` writes it."""
    measured = _measure(posed.rendered, posed.camera, posed.body)
    return _ground_truth(
        spec, staging, posed.script, posed.body, posed.camera, posed.rendered, measured, name
    )


def render_clip(
    spec: Spec,
    staging: Staging,
    out: Path,
    on_frame: Callable[[int, int], None] | None = None,
) -> dict[str, object]:
    """Render ``spec`` as filmed by ``staging`` to ``out`` (.mp4) plus ``.json`` and ``.csv``.

    Returns:
        The ground truth written to the JSON file.
    """
    posed = pose_set(spec, staging)
    r, script = posed.rendered, posed.script
    tmp = out.with_name(f".{out.stem}.tmp.mp4")
    with (
        Scene(posed.body, posed.camera, Look.of(staging.look)) as scene,
        _Encoder(tmp, staging) as encoder,
    ):
        for i, (p, at) in enumerate(zip(posed.placed, r.prop, strict=True)):
            encoder.write(scene.render(p.vertices, _props(script, at, r.moments[i])))
            if on_frame:
                on_frame(i + 1, len(posed.placed))
    measured = _measure(r, posed.camera, posed.body)
    gt = _ground_truth(spec, staging, script, posed.body, posed.camera, r, measured, out.stem)
    _write_csv(out.with_suffix(".csv"), r, measured, posed.camera, staging.fps)
    _write_json(out.with_suffix(".json"), gt)
    tmp.replace(out)
    return gt


def _prop_path(
    script: Script, moments: list[Moment], placed: list[Placed]
) -> tuple[np.ndarray, np.ndarray]:
    """Where the prop is each frame (T, 3), and whether the hands hold it (T,).

    In the hands while held, else where it was left; NaN without a prop.
    """
    n = len(moments)
    prop = np.full((n, 3), np.nan)
    held = np.array([m.key.held for m in moments])
    if script.prop is None:
        return prop, np.zeros_like(held)
    at = script.prop_start if script.prop_start is not None else placed[0].grip
    for i, p in enumerate(placed):
        if held[i]:
            at = p.grip.copy()
            if script.prop == "barbell":
                at[2] = max(at[2], PLATE_RADIUS)
        prop[i] = at
    return prop, held


def _props(script: Script, at: np.ndarray, moment: Moment) -> list[Mesh]:
    if script.prop == "barbell":
        return [place(_BARBELL, at)]
    if script.prop == "kettlebell":
        pitch = -moment.key.arm if moment.key.held else 0.0
        return [place(_KETTLEBELL, at, pitch)]
    return []


_BARBELL = barbell()
_KETTLEBELL = kettlebell()


def _frame(placed: list[Placed], staging: Staging) -> Camera:
    """A fixed camera that keeps the whole set in view with a margin."""
    points = np.concatenate([p.keypoints for p in placed[:: max(1, len(placed) // 60)]])
    lo, hi = points.min(0), points.max(0)
    centre = (lo + hi) / 2
    extent = max(hi[2] - lo[2] + 0.45, (hi[1] - lo[1] + 0.5) * staging.height / staging.width)
    yfov = _yfov(staging)
    distance = extent / 2 / np.tan(np.radians(yfov / 2)) * 1.15 * staging.distance
    height = staging.camera_height
    if height is None:
        height = max(float(centre[2]), CAMERA_MIN_HEIGHT_M)
    view = View(
        staging.view_deg, float(distance), height, (0.0, float(centre[1]), float(centre[2]))
    )
    return view.camera(staging.width, staging.height, yfov, staging.mirror)


def _yfov(staging: Staging) -> float:
    """The vertical field of view, degrees: a 36 mm frame's long side over the focal length."""
    if staging.focal_mm is None:
        return 40.0
    long_side = np.degrees(2 * np.arctan(18.0 / staging.focal_mm))
    if staging.height >= staging.width:
        return float(long_side)
    ratio = staging.height / staging.width
    return float(np.degrees(2 * np.arctan(np.tan(np.radians(long_side) / 2) * ratio)))


class _Encoder:
    """H.264 yuv420p mp4 through PyAV."""

    def __init__(self, path: Path, staging: Staging) -> None:
        self.container = av.open(str(path), mode="w")
        rate = Fraction(staging.fps).limit_denominator(1001)
        self.stream = self.container.add_stream("libx264", rate=rate)
        self.stream.width, self.stream.height = staging.width, staging.height
        self.stream.pix_fmt = "yuv420p"
        # One thread: the same frames give the same bytes, whatever the machine.
        self.stream.options = {"crf": str(staging.crf), "preset": "medium", "threads": "1"}

    def write(self, image: np.ndarray) -> None:
        frame = av.VideoFrame.from_ndarray(image, format="rgb24")
        for packet in self.stream.encode(frame):
            self.container.mux(packet)

    def __enter__(self) -> _Encoder:
        return self

    def __exit__(self, *exc: object) -> None:
        for packet in self.stream.encode():
            self.container.mux(packet)
        self.container.close()


CONVENTIONS = {
    "frames": "0-based frame indices into the mp4; frame f is at time f / fps",
    "rep": "start_frame = first frame of the rep's motion, end_frame = its last frame; "
    "bottom_frame = deepest position (the start for floor starts: deadlift, glute bridge); "
    "top_frame = lockout / top of the swing / top of the bridge",
    "measured": "angles of the camera-near side (the person's left) from the COCO keypoints "
    "of the posed body projected into the image",
    "measured_3d": "the same angles in 3-D (trunk lean and plank sag in the sagittal plane) "
    "and the spine flexion of the posed spine joints; these decide the labels",
    "labels": "a fault when the 3-D value is past the line and (except in front views) the "
    "image value is too; borderline when the 3-D value is in the grey zone or the two "
    "disagree - skip borderline codes when scoring",
    "hold": "sag_onset_frame: first frame after which the sag stays >= the hold's first-2-s "
    "median + 3 deg (null if it never does); sag_fault_frame: the same for >= 10 deg",
}


@dataclass(frozen=True)
class Measured:
    """What the truth is made of: angles in 3-D and in the image, and the spine."""

    px: np.ndarray  # (T, 23, 2) keypoints projected into the image
    a3: truth.Angles
    a2: truth.Angles
    hip_signed: np.ndarray  # (T,) signed 3-D hip angle
    spine: np.ndarray  # (T,) spine flexion


def _measure(r: Rendered, camera: Camera, body: Body) -> Measured:
    px = camera.project(r.keypoints)
    a3, hip_signed = truth.angles_3d(r.keypoints)
    a2 = truth.angles_2d(px, camera, r.keypoints)
    spine = truth.spine_flexion(r.joints, body.heads, body.index)
    return Measured(px, a3, a2, hip_signed, spine)


def _ground_truth(
    spec: Spec,
    staging: Staging,
    script: Script,
    body: Body,
    camera: Camera,
    r: Rendered,
    m: Measured,
    name: str,
) -> dict[str, object]:
    exercise = "plank" if spec.exercise.startswith("plank") else spec.exercise
    fps, n = staging.fps, len(m.spine)
    front = staging.view_deg >= 60
    reps = _reps(exercise, script, fps, r, m, front)
    holds = _holds(script, fps, m)
    return {
        "name": name,
        "exercise": exercise,
        "variant": spec.exercise,
        "body": body.name,
        "body_height_m": round(body.height, 3),
        "view_deg": staging.view_deg,
        "view": "front" if front else "side" if staging.view_deg < 10 else "oblique",
        "fps": fps,
        "n_frames": n,
        "duration_s": round(n / fps, 2),
        "resolution": [staging.width, staging.height],
        "camera": {
            "eye": [round(float(v), 3) for v in camera.eye],
            "target": [round(float(v), 3) for v in camera.target],
            "yfov_deg": camera.yfov_deg,
        },
        "rep_count": len(reps),
        "reps": reps,
        "holds": holds,
        "faulty_reps": [rep["index"] for rep in reps if rep["faults"]],
        "phases": _phases(r.moments),
        "label_lines": {
            code: {
                "metric": m,
                "fault_at": line,
                "grey_from": grey,
                "fault_when": "<=" if d < 0 else ">=",
            }
            for code, (m, line, grey, d) in (
                (code, truth.line_of(exercise, code)) for code in truth.LABEL_LINES
            )
        },
        "conventions": CONVENTIONS,
        "spec": {**asdict(spec), "faults": {str(k): v for k, v in spec.faults.items()}},
        "look": json.loads(json.dumps(asdict(Look.of(staging.look)))),
        "staging": asdict(staging),
    }


def _reps(
    exercise: str,
    script: Script,
    fps: float,
    r: Rendered,
    m: Measured,
    front: bool,
) -> list[dict[str, object]]:
    tl = script.timeline
    starts, tops, ends = (tl.frame_of(f"rep_{k}", fps) for k in ("start", "top", "end"))
    bottoms = tl.frame_of("rep_bottom", fps) or starts
    reps = []
    set_end = max(i for i, moment in enumerate(r.moments) if moment.phase == "set")
    for i, (s, b, t, e) in enumerate(zip(starts, bottoms, tops, ends, strict=True)):
        m3 = truth.rep_metrics(exercise, m.a3, m.spine, (s, b, e))
        m2 = truth.rep_metrics(exercise, m.a2, m.spine, (s, b, e))
        del m2["max_spine_flex_deg"]
        if exercise == "single_leg_rdl":  # until the next rep: a touch-down follows its rep
            until = starts[i + 1] if i + 1 < len(starts) else set_end + 1
            m3["max_free_leg_bend_deg"] = float(truth.free_leg_bend(r.keypoints)[b])
            m2["max_free_leg_bend_deg"] = float(truth.free_leg_bend(m.px)[b])
            m3["min_free_foot_cm"] = float(truth.free_foot_cm(r.keypoints)[s:until].min())
        if script.prop == "barbell":
            m3.update(truth.pull_metrics(r.keypoints, r.grip, m.a3.lean, (s, b, t, e)))
        top = slice(b if exercise in truth.STANDING_START else s, e + 1)
        m3["max_hip_signed_deg"] = float(np.max(m.hip_signed[top]))
        faults, borderline = truth.rep_faults(exercise, m3, m2, front)
        reps.append(
            {
                "index": i + 1,
                "start_frame": s,
                "bottom_frame": b,
                "top_frame": t,
                "end_frame": e,
                "faults": faults,
                "borderline": borderline,
                "measured": {k: round(v, 1) for k, v in m2.items()},
                "measured_3d": {k: round(v, 1) for k, v in m3.items()},
            }
        )
    return reps


def _holds(script: Script, fps: float, m: Measured) -> list[dict[str, object]]:
    tl = script.timeline
    holds = []
    for s, e in zip(tl.frame_of("hold_start", fps), tl.frame_of("hold_end", fps), strict=True):
        e = min(e, len(m.spine) - 1)
        hold = truth.hold_truth(m.a3.sag, s, e, fps)
        seen = truth.hold_truth(m.a2.sag, s, e, fps)
        hold["measured_2d"] = {k: seen[k] for k in ("max_sag_deg", "max_pike_deg", "mean_sag_deg")}
        holds.append(hold)
    return holds


def _phases(moments: list[Moment]) -> list[dict[str, object]]:
    phases: list[dict[str, object]] = []
    for i, m in enumerate(moments):
        if phases and phases[-1]["name"] == m.phase:
            phases[-1]["end_frame"] = i
        else:
            phases.append({"name": m.phase, "start_frame": i, "end_frame": i})
    return phases


def _write_csv(path: Path, r: Rendered, m: Measured, camera: Camera, fps: float) -> None:
    a2, a3, px = m.a2, m.a3, m.px
    prop_px = camera.project(r.prop)
    columns = {
        "hip_2d": a2.hip, "knee_2d": a2.knee, "lean_2d": a2.lean, "sag_2d": a2.sag,
        "hip_3d": a3.hip, "knee_3d": a3.knee, "lean_3d": a3.lean, "sag_3d": a3.sag,
        "spine_3d": m.spine, "hip_signed_3d": m.hip_signed,
    }  # fmt: skip
    for name in CSV_KEYPOINTS:
        columns[f"px_{name}_x"] = px[:, truth.KP[name], 0]
        columns[f"px_{name}_y"] = px[:, truth.KP[name], 1]
    columns["prop_px_x"], columns["prop_px_y"] = prop_px[:, 0], prop_px[:, 1]
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["frame", "time_s", "phase", "rep", *columns, "prop_held"])
        for i, moment in enumerate(r.moments):
            values = [f"{v[i]:.2f}" if np.isfinite(v[i]) else "" for v in columns.values()]
            row = [i, f"{i / fps:.3f}", moment.phase, moment.rep, *values, int(r.held[i])]
            writer.writerow(row)
    tmp.replace(path)


def _write_json(path: Path, data: dict[str, object]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n")
    tmp.replace(path)
