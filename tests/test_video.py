from __future__ import annotations

import itertools
import threading
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from conftest import ramp_frames, write_clip

from formcheck.errors import VideoError
from formcheck.video import (
    CaptureSource,
    Frame,
    VideoFileSource,
    frames_at,
    open_source,
    prefetch,
)


def brightness(image: np.ndarray) -> float:
    return float(image.mean())


def test_reads_every_frame_with_container_timestamps(tmp_path: Path) -> None:
    path = write_clip(tmp_path / "c.mp4", ramp_frames(20), fps=Fraction(30000, 1001))
    with VideoFileSource(path) as source:
        frames = list(source)
    assert source.meta.fps == pytest.approx(29.97, abs=0.01)
    assert isinstance(source.meta.fps, float)
    assert (source.meta.width, source.meta.height) == (160, 120)
    assert [f.index for f in frames] == list(range(20))
    np.testing.assert_allclose([f.t for f in frames], np.arange(20) * 1001 / 30000, atol=1e-3)
    np.testing.assert_allclose([brightness(f.image) for f in frames], np.arange(20) * 4, atol=3)
    assert source.broken is None


def test_variable_frame_rate_keeps_true_times(tmp_path: Path) -> None:
    times = [0.0, 0.04, 0.05, 0.2, 0.21, 0.5, 0.52, 0.9]
    path = write_clip(tmp_path / "vfr.mp4", ramp_frames(len(times)), times=times)
    with VideoFileSource(path) as source:
        got = [f.t for f in source]
    np.testing.assert_allclose(got, times, atol=2e-3)


@pytest.mark.parametrize("rotation", [90, -90, 180])
def test_phone_rotation_is_applied(tmp_path: Path, rotation: int) -> None:
    # An upright portrait picture: bright top half, dark bottom half, 120 wide x 160 tall.
    upright = np.zeros((160, 120, 3), np.uint8)
    upright[:80] = 220
    # Store it as the camera sensor would: the display rotation turns it upright again.
    stored = np.ascontiguousarray(np.rot90(upright, k=-rotation // 90))
    path = write_clip(tmp_path / "phone.mp4", [stored] * 3, rotation=rotation)
    with VideoFileSource(path) as source:
        image = next(iter(source)).image
    assert source.meta.rotation == rotation % 360
    assert (source.meta.width, source.meta.height) == (120, 160)
    assert image.shape == (160, 120, 3)
    assert image[:70].mean() > 200 and image[90:].mean() < 30


def test_start_and_end_trim_by_time(tmp_path: Path) -> None:
    path = write_clip(tmp_path / "c.mp4", ramp_frames(60), fps=30)
    with VideoFileSource(path, start=0.5, end=1.0) as source:
        times = [f.t for f in source]
    assert times[0] == pytest.approx(0.5, abs=1e-3)
    assert times[-1] < 1.0 and len(times) == 15


def test_truncated_file_yields_what_decodes_then_says_where(tmp_path: Path) -> None:
    whole = write_clip(tmp_path / "whole.mp4", ramp_frames(90), faststart=True)
    cut = tmp_path / "cut.mp4"
    data = whole.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    with VideoFileSource(cut) as source:
        frames = list(source)
    assert 0 < len(frames) < 90
    assert source.broken is not None
    assert (
        f"{frames[-1].t:.2f} s" in source.broken or f"after {len(frames)} frames" in source.broken
    )


def test_truncated_file_without_index_is_refused(tmp_path: Path) -> None:
    whole = write_clip(tmp_path / "whole.mp4", ramp_frames(30))
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole.read_bytes()[:-2000])
    with pytest.raises(VideoError, match="truncated"):
        VideoFileSource(cut)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: None, "no such file"),
        (lambda p: p.mkdir(), "is a directory"),
        (lambda p: p.write_bytes(b""), "empty"),
        (lambda p: p.write_text("not a video\n" * 50), "not a video"),
    ],
    ids=["missing", "directory", "zero-byte", "text"],
)
def test_bad_inputs_raise_video_error(tmp_path: Path, make, message: str) -> None:
    path = tmp_path / "clip.mp4"
    make(path)
    with pytest.raises(VideoError, match=message):
        VideoFileSource(path)


def test_trim_must_be_ordered(tmp_path: Path) -> None:
    path = write_clip(tmp_path / "c.mp4", ramp_frames(5))
    with pytest.raises(ValueError, match="after start"):
        VideoFileSource(path, start=1.0, end=0.5)


def test_opencv_source_reads_a_stream(tmp_path: Path) -> None:
    path = write_clip(tmp_path / "c.mp4", ramp_frames(12), fps=30)
    with CaptureSource(str(path)) as source:
        frames = list(source)
    assert len(frames) == 12
    assert all(b.t > a.t for a, b in itertools.pairwise(frames))
    np.testing.assert_allclose([brightness(f.image) for f in frames], np.arange(12) * 4, atol=3)


def test_open_source_dispatches() -> None:
    with pytest.raises(VideoError, match="cannot be opened"):
        open_source("rtsp://127.0.0.1:9/none")
    with pytest.raises(VideoError, match="no such file"):
        open_source("missing.mp4")


def test_prefetch_keeps_order_and_bounds_the_read_ahead() -> None:
    made = []

    def frames():
        for i in range(50):
            made.append(i)
            yield Frame(index=i, t=i / 30, image=np.zeros((2, 2, 3), np.uint8))

    ahead = prefetch(frames(), depth=2)
    first = next(ahead)
    time.sleep(0.2)
    assert first.index == 0 and len(made) <= 4  # one handed over, two queued, one waiting
    assert [f.index for f in ahead] == list(range(1, 50))


def test_prefetch_does_its_work_in_the_decoding_thread_and_keeps_order() -> None:
    frames = (Frame(index=i, t=i / 30, image=np.zeros((2, 2, 3), np.uint8)) for i in range(20))

    def work(frame: Frame) -> tuple[int, str]:
        return frame.index, threading.current_thread().name

    done = list(prefetch(frames, work=work))
    assert [i for i, _ in done] == list(range(20))
    assert {name for _, name in done} == {"formcheck-decode"}


def test_prefetch_passes_errors_on_and_stops_when_closed() -> None:
    def broken():
        yield Frame(index=0, t=0.0, image=np.zeros((2, 2, 3), np.uint8))
        raise VideoError("disk gone")

    with pytest.raises(VideoError, match="disk gone"):
        list(prefetch(broken()))

    def endless():
        i = 0
        while True:
            yield Frame(index=i, t=i / 30, image=np.zeros((2, 2, 3), np.uint8))
            i += 1

    before = threading.active_count()
    ahead = prefetch(endless())
    next(ahead)
    ahead.close()
    assert threading.active_count() == before


def test_frames_at_finds_the_frames_shown_at_given_times(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "ramp.mp4", ramp_frames(30), fps=10)
    found = dict(frames_at(clip, [0.7, 0.3, 2.5]))
    assert sorted(found) == [0.3, 0.7, 2.5]
    assert [t for t, _ in frames_at(clip, [0.7, 0.3, 0.7])] == [0.3, 0.7]  # in order, once each
    for t, image in found.items():
        assert abs(float(image.mean()) - 4 * round(t * 10)) < 3  # brightness = 4 * frame index


def test_frames_are_contiguous_whatever_the_width(tmp_path: Path) -> None:
    # 404 px rows are padded to 1248 bytes by the decoder; the pose model needs packed rows.
    frames = [np.full((120, 404, 3), 4 * i, np.uint8) for i in range(3)]
    clip = write_clip(tmp_path / "narrow.mp4", frames)
    with VideoFileSource(clip) as source:
        images = [f.image for f in source]
    assert all(im.flags["C_CONTIGUOUS"] and im.shape == (120, 404, 3) for im in images)
