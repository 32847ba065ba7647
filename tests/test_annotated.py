"""The annotated video, decoded back with PyAV."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from conftest import write_clip
from figures import hinge
from test_analyze import rdl_set

from formcheck.analyze import analyze
from formcheck.outputs.faces import face_boxes
from formcheck.outputs.overlay import Overlays
from formcheck.outputs.video import write_annotated
from formcheck.report import SetReport


def textured(n: int, size: tuple[int, int]) -> list[np.ndarray]:
    """Frames of fine noise: any blur or drawing shows."""
    w, h = size
    rng = np.random.default_rng(7)
    base = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    return [base.copy() for _ in range(n)]


@pytest.fixture(scope="module")
def rdl() -> SetReport:
    """Three RDLs, the second stopping 25 deg short of upright (a fault)."""
    return analyze(hinge(rdl_set([0, 25, 0])), "rdl")


def decode(path: Path) -> tuple[av.video.stream.VideoStream, list[np.ndarray], list[float]]:
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        frames = list(c.decode(stream))
        images = [f.to_ndarray(format="rgb24") for f in frames]
        times = [float(f.pts * f.time_base) for f in frames]
        return stream, images, times


def test_the_video_is_h264_yuv420p_with_the_source_frames_and_times(rdl, tmp_path):
    n = len(rdl.track.t)
    source = write_clip(tmp_path / "in.mp4", textured(n, (640, 480)), fps=30)
    out = tmp_path / "annotated.mp4"
    assert write_annotated(source, rdl, out) == n
    stream, images, times = decode(out)
    assert stream.codec_context.name == "h264" and stream.codec_context.pix_fmt == "yuv420p"
    assert (stream.width, stream.height, len(images)) == (640, 480, n)
    assert np.allclose(times, rdl.track.t, atol=1e-3)
    _, plain, _ = decode(source)
    # The verdict banner of rep 2 (a fault) shows after it: amber or red along the bottom.
    after = next(i for i, t in enumerate(times) if t > rdl.reps[1].end_s + 0.1)
    band = images[after][-10:, :, :].reshape(-1, 3).mean(axis=0)
    assert band[0] > 150 and band[2] < 100, band
    before = next(i for i, t in enumerate(times) if t > rdl.reps[0].end_s + 0.1)
    assert images[before][-10:, :, 1].mean() > images[before][-10:, :, 0].mean()  # green
    assert np.abs(images[0].astype(int) - plain[0]).mean() > 1  # the skeleton is drawn


def test_odd_sizes_are_padded_to_even(rdl, tmp_path):
    n = len(rdl.track.t)
    odd = [f[:241, :321] for f in textured(n, (322, 242))]
    source = write_clip(tmp_path / "odd.mp4", odd, fps=30, pix_fmt="yuv444p")
    out = tmp_path / "annotated.mp4"
    write_annotated(source, rdl, out)
    stream, images, _ = decode(out)
    assert (stream.width, stream.height) == (322, 242) and len(images) == n


def test_faces_are_blurred(rdl, tmp_path):
    n = len(rdl.track.t)
    source = write_clip(tmp_path / "in.mp4", textured(n, (640, 480)), fps=30)
    plain, blurred = tmp_path / "plain.mp4", tmp_path / "blurred.mp4"
    write_annotated(source, rdl, plain)
    write_annotated(source, rdl, blurred, blur_faces=True)
    box = face_boxes(rdl.track.xy, rdl.track.t)[0].astype(int)
    (_, a, _), (_, b, _) = decode(plain), decode(blurred)
    face_a = a[0][box[1] : box[3], box[0] : box[2]].astype(float)
    face_b = b[0][box[1] : box[3], box[0] : box[2]].astype(float)
    assert face_b.std() < 0.5 * face_a.std()  # the noise under the face is smoothed away
    assert np.abs(a[0][400:, 400:].astype(int) - b[0][400:, 400:]).mean() < 3  # elsewhere the same


def test_a_failed_write_leaves_the_old_video_and_no_temp_file(rdl, tmp_path):
    source = write_clip(tmp_path / "in.mp4", textured(len(rdl.track.t), (320, 240)), fps=30)
    out = tmp_path / "annotated.mp4"
    out.write_bytes(b"the old one")

    def stop() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_annotated(source, rdl, out, on_frame=stop)
    assert out.read_bytes() == b"the old one"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["annotated.mp4", "in.mp4"]


def test_overlays_count_reps_and_show_the_verdict_after_each(rdl):
    overlays = Overlays(rdl)
    t = rdl.track.t
    first = rdl.reps[0]
    inside = int(np.searchsorted(t, (first.start_s + first.end_s) / 2))
    assert overlays.at(inside).counter == "rep 1 of 3" and overlays.at(inside).banner is None
    after = int(np.searchsorted(t, rdl.reps[1].end_s + 0.1))
    banner = overlays.at(after).banner
    assert banner is not None and banner.tone != "good"
    assert (
        banner.text.startswith("rep 2:")
        and "lockout" in banner.text
        and "Finish tall" in banner.text
    )
    assert overlays.at(after).readouts[0].startswith("trunk ")
