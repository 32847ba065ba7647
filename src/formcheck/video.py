"""Frame sources: video files through PyAV, webcams and stream URLs through OpenCV.

Every source is an iterable of :class:`Frame` and a context manager that
releases the file or device when it closes. Sources stream: memory stays
constant whatever the length of the video.
"""

from __future__ import annotations

import logging
import math
import queue
import re
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, TypeVar, overload

import av
import cv2
import numpy as np
from numpy.typing import NDArray

from formcheck.closing import Closing
from formcheck.errors import VideoError
from formcheck.series import VideoMeta

log = logging.getLogger(__name__)

T = TypeVar("T")
U = TypeVar("U")

_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


@dataclass(frozen=True)
class Frame:
    """One decoded frame.

    Attributes:
        index: 0-based position among the frames this source delivered.
        t: Presentation time in seconds from the start of the stream.
        image: (H, W, 3) uint8 RGB, C-contiguous, upright.
    """

    index: int
    t: float
    image: NDArray[np.uint8]


class FrameSource(Protocol):
    """What the pipeline needs from any source of frames."""

    meta: VideoMeta
    #: Why decoding stopped early (a truncated file), or None when it did not.
    broken: str | None

    def __iter__(self) -> Iterator[Frame]:
        """Yield frames in time order."""
        ...

    def close(self) -> None:
        """Release the file or device."""
        ...

    def __enter__(self) -> FrameSource: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


def _check_trim(start: float, end: float | None) -> None:
    if start < 0:
        raise ValueError(f"start must be >= 0 seconds, got {start}")
    if end is not None and end <= start:
        raise ValueError(f"end ({end} s) must be after start ({start} s)")


class VideoFileSource(Closing):
    """Frames of a video file, decoded by PyAV.

    Timestamps come from the container (variable frame rate stays right) and
    the display rotation of phone videos is applied, so portrait clips are
    upright. A file that breaks mid-way delivers what decodes, then stops and
    says where in :attr:`broken`.

    Args:
        path: The video file.
        start: Skip frames before this time (seconds).
        end: Stop at this time (seconds); None for the end of the video.

    Raises:
        VideoError: The file is missing, empty, or not a video PyAV can read.
    """

    def __init__(self, path: str | Path, start: float = 0.0, end: float | None = None) -> None:
        _check_trim(start, end)
        self.path = Path(path)
        self.start, self.end = start, end
        self.broken: str | None = None
        _check_file(self.path)
        try:
            self._container = av.open(str(self.path))
        except (av.error.FFmpegError, OSError) as e:
            raise VideoError(
                f"{self.path}: not a video PyAV can read (it may be truncated or another kind "
                f"of file): {_reason(e)}"
            ) from None
        try:
            self._stream = self._video_stream()
            self._first = self._peek()
            self.meta = self._make_meta()
        except BaseException:
            self._container.close()
            raise

    def _video_stream(self) -> Any:
        if not self._container.streams.video:
            raise VideoError(f"{self.path}: the file has no video stream")
        stream = self._container.streams.video[0]
        stream.thread_type = "AUTO"
        return stream

    def _peek(self) -> Any:
        """Decode the first frame (from ``start``): proves the file decodes, gives the rotation."""
        if self.start > 0:
            target = int(self.start / self._stream.time_base) + (self._stream.start_time or 0)
            self._container.seek(target, stream=self._stream, backward=True)
        self._frames = self._decode()
        first = next(self._frames, None)
        if first is None:
            detail = f": {self.broken}" if self.broken else ""
            where = f" after {self.start} s" if self.start > 0 else ""
            raise VideoError(f"{self.path}: no video frame could be decoded{where}{detail}")
        return first

    def _decode(self) -> Iterator[Any]:
        """Yield av frames from ``start`` on; record a decoding error in ``broken`` and stop."""
        count = 0
        try:
            for frame in self._container.decode(self._stream):
                if frame.pts is not None and self._seconds(frame.pts) < self.start - 1e-6:
                    continue
                count += 1
                yield frame
        except av.error.FFmpegError as e:
            self.broken = f"decoding failed after {count} frames: {_reason(e)}"

    @property
    def time_base(self) -> Fraction:
        """The video stream's time base: frame times are multiples of it."""
        return Fraction(self._stream.time_base)

    def _seconds(self, pts: int) -> float:
        return float((pts - (self._stream.start_time or 0)) * self._stream.time_base)

    def _make_meta(self) -> VideoMeta:
        stream = self._stream
        rotation = round(self._first.rotation or 0) % 360
        rotation = int(90 * round(rotation / 90)) % 360
        w, h = stream.codec_context.width, stream.codec_context.height
        if rotation in (90, 270):
            w, h = h, w
        # The stream's own duration; the container's may include a longer audio track.
        self._indexed_s = float(stream.duration * stream.time_base) if stream.duration else None
        duration = self._indexed_s or (
            self._container.duration / 1e6 if self._container.duration else None
        )
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        fps = float(rate) if rate else 0.0
        if not fps > 0:
            fps = (stream.frames / duration) if stream.frames and duration else 30.0
        return VideoMeta(
            source=str(self.path),
            fps=fps,
            width=int(w),
            height=int(h),
            rotation=rotation,
            n_frames=int(stream.frames) or None,
            duration_s=duration,
            codec=stream.codec_context.name,
        )

    def __iter__(self) -> Iterator[Frame]:
        for index, t, frame in self.timed():
            yield Frame(index=index, t=t, image=self.picture(frame))

    def timed(self) -> Iterator[tuple[int, float, Any]]:
        """``(index, t, av frame)`` of each frame: :meth:`__iter__` without the pictures.

        For a reader that wants few of the frames (:func:`frames_at`): making a
        picture costs more than decoding (3 against 1.7 ms a 720p frame here).
        """
        last_t = -math.inf
        frames = self._frames
        first, self._first = self._first, None
        if first is None:
            raise VideoError(f"{self.path}: a video file source can be iterated only once")
        index = 0
        for frame in _chain(first, frames):
            t = self._seconds(frame.pts) if frame.pts is not None else last_t + 1 / self.meta.fps
            if self.end is not None and t >= self.end:
                return
            if t <= last_t:  # duplicate or disordered timestamp: keep time moving forward
                log.debug("frame %d: timestamp %.6f s not after %.6f s", index, t, last_t)
                t = last_t + 1e-6
            yield index, t, frame
            last_t, index = t, index + 1
        self._check_complete(last_t)

    def picture(self, frame: Any) -> NDArray[np.uint8]:
        """The (H, W, 3) RGB picture of an av frame of :meth:`timed`, upright, C-contiguous."""
        # PyAV pads rows to an aligned width (e.g. 404 px wide gives 1248-byte rows);
        # MediaPipe reads such a strided array wrongly and finds nobody.
        image: NDArray[np.uint8] = np.ascontiguousarray(frame.to_ndarray(format="rgb24"))
        k = self.meta.rotation // 90
        return np.ascontiguousarray(np.rot90(image, k)) if k else image

    def _check_complete(self, last_t: float) -> None:
        """Flag a file whose frames stop well before the duration its index gives."""
        duration = self._indexed_s
        if self.broken is None and duration is not None and last_t < duration - 2 / self.meta.fps:
            self.broken = f"the frames end at {last_t:.2f} s but the index says {duration:.2f} s"

    def close(self) -> None:
        """Release the file."""
        self._container.close()


def _chain(first: Any, rest: Iterator[Any]) -> Iterator[Any]:
    yield first
    yield from rest


def _check_file(path: Path) -> None:
    if not path.exists():
        raise VideoError(f"{path}: no such file")
    if path.is_dir():
        raise VideoError(f"{path}: is a directory, expected a video file")
    try:
        size = path.stat().st_size
        with path.open("rb"):
            pass
    except PermissionError:
        raise VideoError(f"{path}: permission denied") from None
    if size == 0:
        raise VideoError(f"{path}: the file is empty (0 bytes)")


def _reason(e: BaseException) -> str:
    """The gist of a PyAV error without errno noise."""
    return getattr(e, "strerror", None) or str(e)


class CaptureSource(Closing):
    """Frames from a webcam or a stream URL, through OpenCV.

    Timestamps come from the stream when it has them, else from a monotonic
    clock started at the first frame.

    Args:
        spec: Camera index (``0``) or URL (``rtsp://...``, ``http://...``; a file
            path works too).
        start: Skip frames before this time (seconds).
        end: Stop at this time (seconds); None to run until the stream ends.

    Raises:
        VideoError: The camera or stream cannot be opened.
    """

    def __init__(self, spec: int | str, start: float = 0.0, end: float | None = None) -> None:
        _check_trim(start, end)
        self.start, self.end = start, end
        self.broken: str | None = None
        self._live = isinstance(spec, int)  # cameras give no usable stream timestamps
        self._cap = cv2.VideoCapture(spec)
        if not self._cap.isOpened():
            what = f"camera {spec}" if isinstance(spec, int) else str(spec)
            raise VideoError(f"{what}: cannot be opened (is it connected and not in use?)")
        fps = float(self._cap.get(cv2.CAP_PROP_FPS) or 0.0)
        count = int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        self.meta = VideoMeta(
            source=str(spec),
            fps=fps if 0 < fps < 1000 else 30.0,
            width=int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH)) or 1,
            height=int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT)) or 1,
            n_frames=count if count > 0 else None,
        )

    def __iter__(self) -> Iterator[Frame]:
        clock0: float | None = None
        last_t, index = -math.inf, 0
        while True:
            ok, bgr = self._cap.read()
            if not ok:
                return
            now = time.monotonic()
            clock0 = now if clock0 is None else clock0
            pos_ms = -1.0 if self._live else self._cap.get(cv2.CAP_PROP_POS_MSEC)
            t = max(pos_ms / 1000 if pos_ms >= 0 else now - clock0, last_t + 1e-6)
            if t < self.start:
                continue
            if self.end is not None and t >= self.end:
                return
            rgb: NDArray[np.uint8] = np.asarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), np.uint8)
            yield Frame(index=index, t=t, image=rgb)
            last_t, index = t, index + 1

    def close(self) -> None:
        """Release the camera or stream."""
        self._cap.release()


def open_source(
    spec: str | int | Path, start: float = 0.0, end: float | None = None
) -> VideoFileSource | CaptureSource:
    """Open the right source for ``spec``: a camera index, a URL, or a video file."""
    if isinstance(spec, int) or (isinstance(spec, str) and spec.isdigit()):
        return CaptureSource(int(spec), start, end)
    if isinstance(spec, str) and _URL.match(spec) and not spec.startswith("file://"):
        return CaptureSource(spec, start, end)
    return VideoFileSource(str(spec).removeprefix("file://"), start, end)


def frames_at(
    path: str | Path, times: Iterable[float]
) -> Iterator[tuple[float, NDArray[np.uint8]]]:
    """``(time, frame)`` of a video file at each of ``times`` (s), in time order, in one pass.

    Each time gets the first frame from half a frame before it on (the nearest
    one at a steady frame rate), so times taken from a pose series of the same
    file find their own frames; a time given twice comes once. Decoding starts
    shortly before the earliest time and stops after the latest; a time past
    the end gets no frame. One frame is held at a time: a long set's reps at
    1080p held together took gigabytes.

    Raises:
        VideoError: The file cannot be opened (on the first frame asked for).
    """
    wanted = sorted(set(times))
    if not wanted:
        return
    with VideoFileSource(path, start=max(wanted[0] - 0.5, 0.0)) as source:
        half_frame = 0.5 / source.meta.fps
        for _, t, frame in source.timed():
            while wanted and wanted[0] <= t + half_frame:
                yield wanted.pop(0), source.picture(frame)
            if not wanted:
                break


#: What the decoding thread hands over last.
_END = object()


@dataclass(frozen=True)
class _Raised:
    """An error raised in the decoding thread, for the consumer to raise."""

    error: BaseException


@overload
def prefetch(items: Iterable[T], depth: int = 2) -> Generator[T, None, None]: ...


@overload
def prefetch(
    items: Iterable[T], depth: int = 2, *, work: Callable[[T], U]
) -> Generator[U, None, None]: ...


def prefetch(
    items: Iterable[Any], depth: int = 2, *, work: Callable[[Any], Any] | None = None
) -> Generator[Any, None, None]:
    """Decode up to ``depth`` frames ahead in a background thread.

    Decoding then overlaps pose estimation, which leaves a core partly idle.
    ``work``, when given, is done to each item in that thread too, and its
    result is yielded instead (e.g. a frame's drawing, or its thumbnail beside
    it): PyAV and OpenCV let go of the GIL, so it runs on the other core.
    Memory stays bounded by ``depth`` items. Errors raised while decoding are
    re-raised here; closing this generator early stops the thread before the
    source can be closed.
    """
    slots: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                slots.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item if work is None else work(item)):
                    return
            put(_END)
        except BaseException as e:  # handed to the consumer, who re-raises it
            put(_Raised(e))

    worker = threading.Thread(target=produce, name="formcheck-decode", daemon=True)
    worker.start()
    try:
        while (item := slots.get()) is not _END:
            if isinstance(item, _Raised):
                raise item.error
            yield item
    finally:
        stop.set()
        worker.join()
