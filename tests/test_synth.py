"""The synthetic renderer: posing, ground-truth geometry, labels, and real renders."""

from __future__ import annotations

import csv
import ctypes.util
import json
from pathlib import Path

import av
import numpy as np
import pytest

from formcheck.synth import truth
from formcheck.synth.__main__ import parse_faults
from formcheck.synth.body import ROUNDING, Body, Pose, Side
from formcheck.synth.exercises import Spec
from formcheck.synth.timeline import Key, Timeline


def _has_osmesa() -> bool:
    try:
        import OpenGL  # noqa: F401
    except ImportError:
        return False
    return ctypes.util.find_library("OSMesa") is not None


needs_gl = pytest.mark.skipif(
    not _has_osmesa(),
    reason="needs PyOpenGL (pip install -e '.[synth]') and OSMesa (apt-get install libosmesa6)",
)


@pytest.fixture(scope="module")
def body() -> Body:
    return Body("m_avg")


def _angles(body: Body, pose: Pose) -> tuple[truth.Angles, np.ndarray]:
    return truth.angles_3d(body.pose(pose).keypoints[None])


def test_rest_pose_stands_tall_with_left_on_plus_x(body: Body) -> None:
    kp = body.pose(Pose()).keypoints
    assert kp[truth.KP["left_shoulder"], 0] > 0 > kp[truth.KP["right_shoulder"], 0]
    a, _ = _angles(body, Pose())
    assert a.hip[0] > 170 and a.knee[0] > 170
    assert abs(a.lean[0]) < 5
    assert 1.6 < body.height < 1.95


def test_trunk_tilt_shows_as_forward_lean_and_hip_flexion(body: Body) -> None:
    a, signed = _angles(body, Pose(trunk=40.0))
    assert a.lean[0] == pytest.approx(-40, abs=6)
    assert a.hip[0] == pytest.approx(140, abs=8)
    assert signed[0] < 180


def test_leaning_back_extends_the_hip_past_straight(body: Body) -> None:
    a, signed = _angles(body, Pose(trunk=-15.0))
    assert a.lean[0] > 10
    assert signed[0] > 190


def test_knee_bend_follows_the_segment_angles(body: Body) -> None:
    side = Side(thigh=50.0, shin=-30.0)
    a, _ = _angles(body, Pose(left=side, right=side))
    assert a.knee[0] == pytest.approx(100, abs=8)


def test_spine_flexion_is_measured_from_the_posed_spine(body: Body) -> None:
    flat = body.joints(Pose())
    rounded = body.joints(Pose(spine=30.0))
    bend = truth.spine_flexion(np.stack([flat, rounded]), body.heads, body.index)
    assert abs(bend[0]) < 1
    assert 15 < bend[1] < 35


def test_a_spine_rounds_where_it_is_told(body: Body) -> None:
    flat = body.joints(Pose())
    bent = {r: body.joints(Pose(spine=30.0, shares=ROUNDING[r])) for r in ROUNDING}
    upper, lower = body.bone("spine01"), body.bone("spine03")
    # the thoracic spine rounds above spine03 alone; the lumbar moves spine03 itself
    assert np.allclose(bent["thoracic"][lower], flat[lower])
    assert not np.allclose(bent["lumbar"][lower], flat[lower], atol=0.005)
    assert not np.allclose(bent["thoracic"][upper], flat[upper], atol=0.005)
    flexion = truth.spine_flexion(np.stack(list(bent.values())), body.heads, body.index)
    # measured from the lowest segment up: all of a thoracic rounding, less of a lumbar one
    spread, lumbar, thoracic = flexion  # in ROUNDING's order
    assert 14 < lumbar < spread < thoracic < 35


def test_single_leg_stance_raises_the_free_leg_in_line_with_the_trunk(body: Body) -> None:
    from formcheck.synth.posture import Posture

    posture = Posture(body, "stand")
    hinge = Key(knee=160.0, hip=95.0, free=85.0, free_bend=-16.0)
    dropped = Key(knee=160.0, hip=95.0, free=55.0, free_bend=-16.0)
    kp = np.stack([posture.place(k, "centre").keypoints for k in (Key(), hinge, dropped)])
    assert truth.free_foot_cm(kp)[0] == pytest.approx(0, abs=0.5)  # both feet down
    assert truth.free_foot_cm(kp)[1] > 40  # the free foot is up behind
    bend = truth.free_leg_bend(kp)
    assert bend[1] < 10 and bend[2] > 25  # in line with the trunk, then hanging 30 deg low


def test_sag_is_positive_below_the_line_and_negative_above() -> None:
    sh, ankle = np.array([[0.0, 1.0]]), np.array([[2.0, 1.0]])
    assert truth._sag(sh, np.array([[1.0, 0.9]]), ankle)[0] > 5
    assert truth._sag(sh, np.array([[1.0, 1.1]]), ankle)[0] < -5


@pytest.mark.parametrize(
    ("value", "two_d", "expected"),
    [
        (90.0, 91.0, "fault"),
        (90.0, 110.0, "borderline"),
        (97.0, 97.0, "borderline"),
        (120.0, 119.0, None),
    ],
)
def test_labels_need_both_views_to_agree(value: float, two_d: float, expected: str | None) -> None:
    assert truth.label(value, two_d, "squat_pattern") == expected


def test_an_rdl_squats_at_a_straighter_knee_than_a_swing() -> None:
    assert truth.label(125.0, 125.0, "squat_pattern", "rdl") == "fault"
    assert truth.label(125.0, 125.0, "squat_pattern", "kb_swing") is None


def test_a_squatted_deadlift_is_told_by_the_upright_trunk_at_lift_off() -> None:
    assert truth.line_of("deadlift", "squat_pattern")[0] == "liftoff_trunk_deg"
    assert truth.label(18.0, None, "squat_pattern", "deadlift") == "fault"
    assert truth.label(45.0, None, "squat_pattern", "deadlift") is None


def test_timeline_samples_every_frame_and_marks_reps() -> None:
    tl = Timeline(Key())
    tl.hold(1.0, "prelude")
    tl.mark("rep_start")
    tl.move(1.0, "set", 1, hip=90.0)
    moments = tl.sample(30.0)
    assert len(moments) == 60
    assert tl.frame_of("rep_start", 30.0) == [30]
    assert moments[29].key.hip == pytest.approx(179.0)
    assert moments[59].key.hip == pytest.approx(90.0, abs=1)
    assert moments[45].rep == 1 and moments[10].phase == "prelude"


def test_fault_options_parse_and_reject_nonsense() -> None:
    assert parse_faults(["4-5:rounded_back=30", "1:lean_back=12.5"], 5) == {
        4: {"rounded_back": 30.0},
        5: {"rounded_back": 30.0},
        1: {"lean_back": 12.5},
    }
    assert set(parse_faults(["all:squat_pattern=20"], 3)) == {1, 2, 3}
    assert parse_faults(["2:lost_balance=0.5"], 3) == {2: {"lost_balance": 0.5}}
    for bad in ("4:hip_sag=3", "x:lean_back=3", "2:lean_back"):
        with pytest.raises(ValueError):
            parse_faults([bad], 5)
    with pytest.raises(ValueError):
        Spec("deadlift", reps=3, faults={4: {"lean_back": 10.0}})


def test_fatigue_slows_each_rise_towards_the_last_and_nothing_else() -> None:
    from formcheck.synth.exercises import build

    def durations(spec: Spec) -> list[float]:
        return [s[0] for s in build(spec, {}).timeline.segments]  # a bridge needs no posture

    fresh, tired = Spec("glute_bridge", reps=5), Spec("glute_bridge", reps=5, fatigue_pct=40.0)
    assert [tired.rise(k) for k in (1, 3, 5)] == pytest.approx([1.0, 1 / 0.8, 1 / 0.6])
    ratios = [b / a for a, b in zip(durations(fresh), durations(tired), strict=True)]
    assert sorted({round(r, 6) for r in ratios}) == pytest.approx(
        [1.0, 1 / 0.9, 1 / 0.8, 1 / 0.7, 1 / 0.6]
    )
    assert sum(r != pytest.approx(1.0) for r in ratios) == 4  # the rises of reps 2-5 only
    assert Spec("deadlift", reps=1, fatigue_pct=30.0).rise(1) == 1.0
    with pytest.raises(ValueError):
        Spec("deadlift", fatigue_pct=100.0)


def _render(tmp_path: Path, spec: Spec, name: str) -> tuple[dict, list[dict], Path]:  # type: ignore[type-arg]
    from formcheck.synth.clip import Staging, render_clip

    out = tmp_path / f"{name}.mp4"
    gt = render_clip(spec, Staging(body="f_slim", width=320, height=240, fps=20.0), out)
    with out.with_suffix(".csv").open() as f:
        rows = list(csv.DictReader(f))
    return gt, rows, out


@needs_gl
def test_a_rendered_set_has_its_video_truth_and_labels(tmp_path: Path) -> None:
    spec = Spec("rdl", reps=2, faults={2: {"squat_pattern": 75.0}}, setup_s=0.5, rest_s=0.5)
    gt, rows, out = _render(tmp_path, spec, "rdl")
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(stream))
        assert stream.codec_context.name == "h264"
        assert (stream.width, stream.height) == (320, 240)
    assert frames == gt["n_frames"] == len(rows)
    assert json.loads(out.with_suffix(".json").read_text()) == gt
    assert gt["rep_count"] == 2
    assert gt["reps"][0]["faults"] == []
    assert gt["reps"][1]["faults"] == ["squat_pattern"]
    knees = [float(r["knee_3d"]) for r in rows]
    assert min(knees) == pytest.approx(gt["reps"][1]["measured_3d"]["min_knee_deg"], abs=0.1)
    assert not list(tmp_path.glob(".*tmp*"))


@needs_gl
def test_a_plank_hold_reports_when_the_hips_sag(tmp_path: Path) -> None:
    spec = Spec("plank_straight", hold_s=6.0, sag_deg=15.0, sag_onset_s=2.0, setup_s=0.5)
    gt, _, _ = _render(tmp_path, spec, "plank")
    (hold,) = gt["holds"]
    assert hold["faults"] == ["hip_sag"]
    onset_s = hold["sag_onset_frame"] / gt["fps"]
    start_s = hold["start_frame"] / gt["fps"]
    assert 1.5 < onset_s - start_s < 5.0
    assert gt["rep_count"] == 0


@needs_gl
def test_the_pose_model_finds_the_rendered_person_where_the_truth_says(body: Body) -> None:
    from formcheck.pose.mediapipe import PoseEstimator
    from formcheck.skeleton import INDEX
    from formcheck.synth.posture import Posture
    from formcheck.synth.scene import Scene, View

    posture = Posture(body, "stand")
    keys = [Key(), Key(knee=150.0, hip=110.0, arm=0.0)]
    camera = View(20.0, 3.4, 0.9, (0.0, 0.0, 0.9)).camera(640, 480)
    errors = []
    with Scene(body, camera) as scene, PoseEstimator((640, 480)) as estimator:
        for i, key in enumerate(keys * 3):  # a few frames so video tracking settles
            placed = posture.place(key)
            person, _ = estimator.process(scene.render(placed.vertices, []), i / 30)
            assert person is not None
            true = camera.project(placed.keypoints)
            for joint in ("left_shoulder", "left_hip", "left_knee"):
                errors.append(np.linalg.norm(person.xy[INDEX[joint]] - true[truth.KP[joint]]))
    # The person is ~400 px tall here; the model and Anny's regressor place joints
    # a little differently, so "a few pixels" is a few percent of the body.
    assert np.median(errors) < 10
    assert max(errors) < 25


@needs_gl
def test_a_fatigued_set_rises_slower_rep_by_rep(tmp_path: Path) -> None:
    spec = Spec("glute_bridge", reps=3, fatigue_pct=40.0, setup_s=0.5, rest_s=0.5)
    gt, _, _ = _render(tmp_path, spec, "bridge")
    assert gt["spec"]["fatigue_pct"] == 40.0
    rises = [r["top_frame"] - r["bottom_frame"] for r in gt["reps"]]  # 0.9 s = 18 frames at 20 fps
    assert rises[-1] / rises[0] == pytest.approx(1 / 0.6, rel=0.06)
    assert rises[0] < rises[1] < rises[2]
    lowerings = [r["end_frame"] - r["top_frame"] for r in gt["reps"]]
    assert max(lowerings) - min(lowerings) <= 1


@needs_gl
def test_the_renderer_lets_go_of_the_meshes_it_drew(body: Body) -> None:
    # A clip draws a fresh body mesh every frame; holding on to them grew a
    # 500-frame render by half a gigabyte.
    import weakref

    from formcheck.synth.geometry import Mesh
    from formcheck.synth.posture import Posture
    from formcheck.synth.render import Renderer
    from formcheck.synth.scene import View, body_colors, vertex_normals

    vertices = Posture(body, "stand").place(Key()).vertices.astype(np.float32)
    colors = body_colors(body).astype(np.float32)
    faces = body.faces.astype(np.uint32)
    normals = vertex_normals(vertices, faces).astype(np.float32)
    drawn = [vertices, colors, faces, normals]
    gone = [weakref.ref(a) for a in drawn]
    camera = View(20.0, 3.4, 0.9, (0.0, 0.0, 0.9)).camera(160, 120)
    with Renderer(160, 120) as renderer:
        mesh = Mesh(vertices, normals, colors, faces)
        image = renderer.render(camera, [mesh], [mesh], (0.5, 0.5, 0.5))
        del mesh, vertices, colors, faces, normals, drawn
        assert (image != image[0, 0]).any(axis=2).sum() > 500  # the body is in the picture
        assert [ref() is None for ref in gone] == [True] * 4
