"""Factories for the clips and images the tests make for themselves."""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

Image = NDArray[np.uint8]


def write_clip(
    path: Path,
    frames: Iterable[Image],
    *,
    fps: float | Fraction = 30,
    times: Iterable[float] | None = None,
    rotation: int = 0,
    faststart: bool = False,
    pix_fmt: str = "yuv420p",
) -> Path:
    """Encode RGB frames as H.264 mp4 with PyAV.

    Args:
        times: Presentation times in seconds (variable frame rate); default 1/fps apart.
        rotation: Display rotation (counter-clockwise degrees) stored in the container.
        faststart: Put the index at the front, as phones and web uploads do.
        pix_fmt: The encoder's pixel format (``yuv444p`` allows odd sizes).
    """
    frames = list(frames)
    h, w = frames[0].shape[:2]
    time_base = Fraction(1, 90000)
    rate = Fraction(fps).limit_denominator(1001)
    stamps = list(times) if times is not None else [i / rate for i in range(len(frames))]
    options = {"movflags": "+faststart"} if faststart else {}
    with av.open(str(path), "w", options=options) as container:
        stream = container.add_stream("libx264", rate=rate)
        stream.width, stream.height, stream.pix_fmt = w, h, pix_fmt
        stream.codec_context.time_base = time_base
        if rotation:
            stream.set_display_rotation(rotation)
        for image, t in zip(frames, stamps, strict=True):
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts, frame.time_base = round(t / time_base), time_base
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return path


def ramp_frames(n: int, size: tuple[int, int] = (160, 120)) -> list[Image]:
    """Plain frames whose brightness encodes the frame number (frame i: 4*i)."""
    w, h = size
    return [np.full((h, w, 3), 4 * i % 256, np.uint8) for i in range(n)]


@pytest.fixture(scope="session")
def astronaut() -> Image:
    """A real photo of a person (Eileen Collins, NASA, public domain), 512x512 RGB."""
    data = pytest.importorskip("skimage.data")
    return np.ascontiguousarray(data.astronaut())


def place(canvas_size: tuple[int, int], *items: tuple[Image, int, int]) -> Image:
    """Paste images onto a grey canvas at (x, y), later items in front, clipped."""
    w, h = canvas_size
    canvas = np.full((h, w, 3), 90, np.uint8)
    for image, x, y in items:
        ih, iw = image.shape[:2]
        x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + iw, w), min(y + ih, h)
        if x1 > x0 and y1 > y0:
            canvas[y0:y1, x0:x1] = image[y0 - y : y1 - y, x0 - x : x1 - x]
    return canvas


def resized(image: Image, side: int) -> Image:
    return np.ascontiguousarray(cv2.resize(image, (side, side), interpolation=cv2.INTER_AREA))


@pytest.fixture(scope="session")
def person_frames(astronaut: Image) -> list[Image]:
    """One person drifting slowly right: 45 frames of 480x360."""
    person = resized(astronaut, 300)
    return [place((480, 360), (person, 60 + 2 * i, 40)) for i in range(45)]


@pytest.fixture(scope="session")
def person_clip(tmp_path_factory: pytest.TempPathFactory, person_frames: list[Image]) -> Path:
    """``person_frames`` at 30 fps."""
    return write_clip(tmp_path_factory.mktemp("clips") / "person.mp4", person_frames)
