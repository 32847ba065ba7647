#!/usr/bin/env python3
"""Write a small demo clip of a real person moving, for ``formcheck pose`` to chew on.

The person is scikit-image's ``astronaut`` photo (Eileen Collins, NASA, public
domain), drifting and bobbing over a plain background, encoded as H.264 with
PyAV. It stands in until the rendered exercise samples arrive.

Usage::

    python samples/make_demo_clip.py [OUT.mp4] [--size 1280x720] [--seconds 4] [--fps 30]
"""

from __future__ import annotations

import argparse
import math
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
from skimage import data


def demo_frames(size: tuple[int, int], n: int, fps: float):
    """Yield ``n`` RGB frames of ``size`` (w, h): the astronaut moving slowly."""
    w, h = size
    background = np.linspace(70, 140, w, dtype=np.float32)[None, :, None]
    background = np.broadcast_to(background, (h, w, 3)).astype(np.uint8)
    photo = data.astronaut()
    for i in range(n):
        t = i / fps
        side = int(h * (0.75 + 0.05 * math.sin(2 * math.pi * t / 3)))
        person = cv2.resize(photo, (side, side), interpolation=cv2.INTER_AREA)
        x = int((w - side) / 2 + 0.2 * w * math.sin(2 * math.pi * t / 5))
        y = h - side
        frame = background.copy()
        x0, x1 = max(x, 0), min(x + side, w)
        frame[y : y + side, x0:x1] = person[:, x0 - x : x1 - x]
        yield frame


def write_demo_clip(path: Path, size: tuple[int, int], seconds: float, fps: float = 30) -> Path:
    """Encode the demo as H.264 yuv420p at ``path``; returns ``path``."""
    n = round(seconds * fps)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=Fraction(fps).limit_denominator(1001))
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        stream.options = {"crf": "26", "preset": "veryfast"}
        for image in demo_frames(size, n, fps):
            container.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")))
        container.mux(stream.encode())
    return path


def main() -> None:
    """Parse the command line and write the clip."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, nargs="?", default=Path(__file__).with_name("demo.mp4"))
    parser.add_argument("--size", default="1280x720", help="WIDTHxHEIGHT")
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--fps", type=float, default=30.0)
    args = parser.parse_args()
    w, h = (int(v) for v in args.size.lower().split("x"))
    print(write_demo_clip(args.out, (w, h), args.seconds, args.fps))


if __name__ == "__main__":
    main()
