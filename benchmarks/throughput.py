#!/usr/bin/env python3
"""Analysis throughput at 720p and 1080p: times real time, where the time goes, peak RSS.

The bundled deadlift sample (640x480, 30 fps, 23.6 s; its checks need the
outline of the back) is scaled up and padded to 1280x720 and 1920x1080. For each:

1. ``formcheck analyze`` end to end in a child process (start-up included),
   with and without ``annotated.mp4`` and with ``--fast``: wall clock, times
   real time (the clip's length over the wall clock), peak RSS (of all its
   processes: ``--fast`` estimates parts of the video in others);
2. in this process, the share of each stage: decoding alone, the pose model
   alone on decoded frames (with and without the segmentation), the pose
   stage as analyze runs it (decoding in a second thread), the analysis, and
   the outputs (the table and report.html; annotated.mp4).

Run::

    python benchmarks/throughput.py [--sizes 1280x720 1920x1080]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
from child import formcheck, timed

from formcheck.outputs.write import write_outputs
from formcheck.pipeline import Settings, estimate, judge, usable_cores
from formcheck.pose.mediapipe import PoseEstimator
from formcheck.video import VideoFileSource

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "deadlift_rounding.mp4"
EXERCISE = "deadlift"


def scaled(video: Path, size: tuple[int, int], out: Path, fps: int | None = None) -> Path:
    """``video`` fitted into ``size``, padded (H.264); at ``fps``, frames repeated to reach it."""
    w, h = size
    with av.open(str(video)) as src, av.open(str(out), "w") as dst:
        stream_in = src.streams.video[0]
        rate = stream_in.average_rate or Fraction(30)
        repeat = max(1, round(fps / float(rate))) if fps else 1
        stream = dst.add_stream("libx264", rate=fps or rate, options={"crf": "18"})
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        for frame in src.decode(stream_in):
            image = frame.to_ndarray(format="rgb24")
            k = min(w / image.shape[1], h / image.shape[0])
            size_in = (round(image.shape[1] * k), round(image.shape[0] * k))
            inner = cv2.resize(image, size_in, interpolation=cv2.INTER_CUBIC)
            canvas = np.zeros((h, w, 3), np.uint8)
            y0, x0 = (h - inner.shape[0]) // 2, (w - inner.shape[1]) // 2
            canvas[y0 : y0 + inner.shape[0], x0 : x0 + inner.shape[1]] = inner
            for _ in range(repeat):
                dst.mux(stream.encode(av.VideoFrame.from_ndarray(canvas, format="rgb24")))
        dst.mux(stream.encode())
    return out


def end_to_end(clip: Path, out: Path, *extra: str) -> tuple[float, float]:
    """Wall clock (s) and peak RSS (MB) of ``formcheck analyze`` in a child process."""
    return timed(formcheck(), "analyze", str(clip), "-e", EXERCISE, "-o", str(out), *extra)


def stages(clip: Path, work: Path) -> dict[str, float]:
    """Seconds of each stage on ``clip``, in this process."""
    start = time.perf_counter()
    with VideoFileSource(clip) as source:
        size = (source.meta.width, source.meta.height)
        images = [(f.image, f.t) for f in source]
    seconds = {"frames": len(images), "decode": time.perf_counter() - start}
    for label, masks in (("model", False), ("model + mask", True)):
        with PoseEstimator(size, masks=masks) as estimator:
            estimator.process(*images[0])  # the first call sets up the graph
            start = time.perf_counter()
            for image, t in images[1:]:
                estimator.process(image, t)
        seconds[label] = (time.perf_counter() - start) * len(images) / (len(images) - 1)
    del images
    for label, fast in (("pose", False), ("pose --fast", True)):
        start = time.perf_counter()
        parts = usable_cores() if fast else 1  # as analyze --fast splits it
        series, _ = estimate(str(clip), None, segment=True, fast=fast, parts=parts)
        seconds[label] = time.perf_counter() - start
        start = time.perf_counter()
        report = judge(series, Settings(EXERCISE, fast=fast))
        seconds["analysis --fast" if fast else "analysis"] = time.perf_counter() - start
    work.mkdir(exist_ok=True)
    start = time.perf_counter()
    write_outputs(report, work, clip, annotate=False)
    seconds["table + html"] = time.perf_counter() - start
    start = time.perf_counter()
    write_outputs(report, work, clip)
    seconds["annotated.mp4"] = time.perf_counter() - start - seconds["table + html"]
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="*", default=["1280x720", "1920x1080"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        clips = []
        for text in args.sizes:
            w, h = (int(v) for v in text.split("x"))
            clips.append(scaled(SAMPLE, (w, h), work / f"{text}.mp4"))
        with av.open(str(clips[0])) as c:
            length = float(c.duration or 0) / av.time_base
        print(f"deadlift sample scaled up: {length:.1f} s at 30 fps\n")
        print("| size | run | wall clock | x real time | peak RSS |")
        print("|---|---|---|---|---|")
        for clip in clips:
            for label, extra in (
                ("analyze", ()),
                ("analyze --no-video", ("--no-video",)),
                ("analyze --no-video --fast", ("--no-video", "--fast")),
            ):
                wall, rss = end_to_end(clip, work / "out", *extra)
                times = length / wall
                print(f"| {clip.stem} | {label} | {wall:.1f} s | {times:.2f} | {rss:.0f} MB |")
        print("\n| size | stage | seconds | fps |")
        print("|---|---|---|---|")
        for clip in clips:
            s = stages(clip, work / "stages")
            n = s.pop("frames")
            for stage, seconds in s.items():
                print(f"| {clip.stem} | {stage} | {seconds:.2f} | {n / seconds:.1f} |", flush=True)


if __name__ == "__main__":
    main()
