"""The annotated video: the source's frames with the overlay, as H.264 yuv420p through PyAV.

H.264 in yuv420p plays in browsers and on phones (OpenCV's ``mp4v`` does not).
Frames keep the source's timestamps and rate; audio is dropped. The file is
written to a temporary name beside the target, then renamed.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
from numpy.typing import NDArray

from formcheck.files import replacing
from formcheck.outputs.draw import draw
from formcheck.outputs.faces import blur, face_boxes
from formcheck.outputs.overlay import Overlays
from formcheck.report import SetReport
from formcheck.video import Frame, VideoFileSource, prefetch

#: x264 settings: the preset trades size for speed; the output must stay cheap next
#: to pose estimation (see benchmarks/annotate_cost.py: at 720p, veryfast took 38 %
#: of the analysis's time, superfast with OpenCV's colour conversion 2x faster).
PRESET, CRF = "superfast", 23


def write_annotated(
    source: Path,
    report: SetReport,
    out: Path,
    blur_faces: bool = False,
    on_frame: Callable[[], None] | None = None,
) -> int:
    """Write ``source`` with ``report``'s overlay to ``out``; returns the frames written.

    Raises:
        VideoError: The source cannot be read.
    """
    overlays = Overlays(report)
    boxes = face_boxes(overlays.track.xy, overlays.track.t) if blur_faces else None
    written = 0
    with replacing(out, ".mp4") as tmp, VideoFileSource(source) as frames:
        paint = _painter(overlays, boxes, 0.5 / frames.meta.fps)
        with av.open(str(tmp), "w", format="mp4", options={"movflags": "+faststart"}) as mp4:
            stream = _h264(mp4, frames)
            # Decoding, drawing and converting overlap the encoding, on the other core.
            for t, yuv in prefetch(frames, work=paint):
                picture = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
                picture.pts = round(t / frames.time_base)
                picture.time_base = frames.time_base
                mp4.mux(stream.encode(picture))
                written += 1
                if on_frame is not None:
                    on_frame()
            mp4.mux(stream.encode())
    return written


def _h264(mp4: av.container.OutputContainer, frames: VideoFileSource) -> av.VideoStream:
    """The H.264 stream of ``frames``' size (made even), rate and time base in ``mp4``."""
    meta = frames.meta
    stream = mp4.add_stream("libx264", rate=Fraction(meta.fps).limit_denominator(1001))
    stream.width, stream.height = meta.width + meta.width % 2, meta.height + meta.height % 2
    stream.pix_fmt = "yuv420p"
    stream.options = {"preset": PRESET, "crf": str(CRF)}
    stream.codec_context.time_base = frames.time_base
    return stream


def _painter(
    overlays: Overlays, boxes: NDArray[np.float64] | None, tolerance: float
) -> Callable[[Frame], tuple[float, NDArray[np.uint8]]]:
    """What turns a source frame into its time and its picture with the overlay, in yuv420p.

    ``boxes``: the faces to blur per track frame; ``tolerance``: how far (s) a
    frame's time may be from the track's to get its overlay.
    """
    track = overlays.track

    def paint(frame: Frame) -> tuple[float, NDArray[np.uint8]]:
        image = frame.image
        i = nearest(track.t, frame.t, tolerance)
        if i is not None:
            if boxes is not None:
                blur(image, boxes[i])
            draw(image, overlays.at(i))
        # OpenCV converts to yuv420p several times faster than libswscale.
        return frame.t, np.asarray(cv2.cvtColor(_even(image), cv2.COLOR_RGB2YUV_I420))

    return paint


def nearest(t: NDArray[np.float64], at: float, tolerance: float) -> int | None:
    """The index of the track frame at time ``at``, if one is that close."""
    if not len(t):
        return None
    i = int(np.clip(np.searchsorted(t, at), 1, len(t) - 1)) if len(t) > 1 else 0
    best = min((i - 1, i) if len(t) > 1 else (0,), key=lambda k: abs(t[k] - at))
    return best if abs(t[best] - at) <= tolerance else None


def _even(image: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """Pad an odd width or height by one edge pixel: yuv420p needs even sizes."""
    h, w = image.shape[:2]
    if h % 2 == 0 and w % 2 == 0:
        return image
    return np.pad(image, ((0, h % 2), (0, w % 2), (0, 0)), mode="edge")
