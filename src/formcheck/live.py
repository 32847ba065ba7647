"""Live cueing: the newest frame of a camera, a stream or a file, judged as it comes.

Frames that arrive while one is being processed are dropped, never queued, so
the lag cannot grow (:class:`Newest`). A timed hold is followed frame by frame
by the same :class:`~formcheck.holds.HoldTracker` the offline analysis uses,
fed through a causal One Euro filter; reps are found by the offline analysis
itself, run on a rolling window of the last :data:`WINDOW_S` seconds every
:data:`REANALYSE_S`. Cues are spoken at most once every :data:`REPEAT_S` per cue,
and only while form is off.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from formcheck import angles
from formcheck.analyze import analyze, hold_limits
from formcheck.checks import check_of
from formcheck.conditioning import Conditioning, OneEuro
from formcheck.exercises import EXERCISES
from formcheck.files import write_text
from formcheck.holds import HoldTracker, Now
from formcheck.outputs.draw import draw
from formcheck.outputs.overlay import CHAIN, Banner, Overlay, Tone, rep_banner, worst_fault
from formcheck.pose import Estimator, estimate_poses, outline_of
from formcheck.pose.person import Person
from formcheck.report import RepResult, SetReport
from formcheck.series import PoseSeries, VideoMeta
from formcheck.skeleton import LANDMARKS, N_LANDMARKS
from formcheck.thresholds import Thresholds
from formcheck.video import Frame, FrameSource

_LEFT = [i for i, name in enumerate(LANDMARKS) if name.startswith("left_")]
_RIGHT = [i for i, name in enumerate(LANDMARKS) if name.startswith("right_")]
#: The same cue is not said again within this many seconds.
REPEAT_S = 5.0
#: Reps are found in this much of the most recent video...
WINDOW_S = 30.0
#: ...every this many seconds...
REANALYSE_S = 1.0
#: ...taking the reps that ended at least this long before the latest frame.
SETTLE_S = 0.5


class Newest:
    """The frames of a source, the newest only.

    A frame that arrives before the last one was taken replaces it (and counts
    as dropped), so the consumer always gets the newest and the lag cannot grow.

    Args:
        source: Where the frames come from; read in a background thread.
        paced: Deliver each frame at its own time from the start (a video file
            played at its real rate), not as fast as it decodes.
    """

    def __init__(self, source: FrameSource, paced: bool = False) -> None:
        self.source, self.paced = source, paced
        self.dropped = 0
        self.arrived = math.nan  # monotonic time the frame last handed out arrived
        self._slot: tuple[Frame, float] | None = None
        self._done = False
        self._error: BaseException | None = None
        self._ready = threading.Condition()
        self._stop = threading.Event()

    @property
    def stopped(self) -> bool:
        """Whether :meth:`stop` was called."""
        return self._stop.is_set()

    def stop(self) -> None:
        """End the stream: the frame iterator returns after the current frame."""
        self._stop.set()
        with self._ready:
            self._ready.notify_all()

    def _read(self) -> None:
        start = None
        try:
            for frame in self.source:
                if self._stop.is_set():
                    break
                if self.paced:
                    start = time.monotonic() - frame.t if start is None else start
                    self._stop.wait(max(0.0, start + frame.t - time.monotonic()))
                with self._ready:
                    self.dropped += self._slot is not None
                    self._slot = (frame, time.monotonic())
                    self._ready.notify()
        except BaseException as e:  # handed to the consumer
            self._error = e
        finally:
            with self._ready:
                self._done = True
                self._ready.notify_all()

    def __iter__(self) -> Iterator[Frame]:
        reader = threading.Thread(target=self._read, name="formcheck-capture", daemon=True)
        reader.start()
        try:
            while True:
                with self._ready:
                    while self._slot is None and not self._done and not self._stop.is_set():
                        self._ready.wait()
                    if self._slot is None or self._stop.is_set():
                        break
                    frame, self.arrived = self._slot
                    self._slot = None
                yield frame
            if self._error is not None:
                raise self._error
        finally:
            self._stop.set()
            reader.join()


class Speaker:
    """Says cues through ``say``: a cue is not repeated within ``repeat_s``.

    ``said`` keeps every cue said, with the time (the frame's, in seconds).
    """

    def __init__(self, say: Callable[[str], None], repeat_s: float = REPEAT_S) -> None:
        self._say, self.repeat_s = say, repeat_s
        self._last: dict[str, float] = {}
        self.said: list[tuple[float, str]] = []

    def cue(self, t: float, text: str) -> bool:
        """Say ``text`` at time ``t`` unless it was said less than ``repeat_s`` ago."""
        if t - self._last.get(text, -math.inf) < self.repeat_s:
            return False
        self._last[text] = t
        self.said.append((t, text))
        self._say(text)
        return True


def speech() -> Callable[[str], None] | None:
    """A text-to-speech command (espeak-ng, espeak) run without waiting; None if none is here."""
    exe = shutil.which("espeak-ng") or shutil.which("espeak")
    if exe is None:
        return None
    running: list[subprocess.Popen[bytes]] = []

    def say(text: str) -> None:
        running[:] = [p for p in running if p.poll() is None]  # reap the finished
        running.append(
            subprocess.Popen([exe, text], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        )

    return say


class _Window:
    """The most recent frames' landmarks (and outlines), for the rolling rep analysis."""

    def __init__(self, outline: bool) -> None:
        self.outline = outline
        self.frames: deque[tuple[float, Person | None, NDArray[np.float32] | None]] = deque()

    def add(self, t: float, person: Person | None) -> None:
        self.frames.append((t, person, outline_of(person) if self.outline else None))
        while self.frames[0][0] < t - WINDOW_S:
            self.frames.popleft()

    def series(self, meta: VideoMeta) -> PoseSeries:
        nan = np.full((N_LANDMARKS, 3), np.nan, np.float32)
        people = [p for _, p, _ in self.frames]
        return PoseSeries(
            t=np.array([t for t, _, _ in self.frames], np.float64),
            xy=np.array([nan[:, :2] if p is None else p.xy for p in people], np.float32),
            visibility=np.array(
                [np.zeros(N_LANDMARKS, np.float32) if p is None else p.visibility for p in people]
            ),
            meta=meta,
            world=np.array([nan if p is None else p.world for p in people], np.float32),
            outline=np.array([o for _, _, o in self.frames]) if self.outline else None,
        )


def _short(cue: str) -> str:
    """The spoken part of a cue: before the colon (``Hips up``)."""
    return cue.split(":")[0]


class Coach:
    """The live state of one exercise, frame by frame, and the cues it gives.

    Args:
        exercise: A key of :data:`~formcheck.exercises.EXERCISES`.
        limits: The thresholds.
        meta: The source's metadata (for the rolling analysis).
        speaker: Where cues go.
    """

    def __init__(
        self, exercise: str, limits: Thresholds, meta: VideoMeta, speaker: Speaker
    ) -> None:
        self.spec, self.limits, self.meta, self.speaker = EXERCISES[exercise], limits, meta, speaker
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="formcheck-reps")
        self.reset()

    def reset(self) -> None:
        """Start afresh: no hold, no rep, nothing said recently."""
        self._smooth = OneEuro()
        self._gate = Conditioning().min_visibility
        self._tracker = (
            HoldTracker(self.spec.hold, hold_limits(self.limits)) if self.spec.hold else None
        )
        self._window = _Window("rounded_back" in self.spec.checks)
        self._analysis: tuple[float, Future[SetReport]] | None = None  # asked at, job
        self._analysed_at = -math.inf
        self.reps: list[RepResult] = []
        self._seen = np.zeros(2)  # visibility summed over the left and right landmarks

    def update(self, t: float, person: Person | None) -> Overlay:
        """Take one frame's person (None: nobody found) at time ``t``; what to show now."""
        xy = np.full((N_LANDMARKS, 2), np.nan)
        visibility = np.zeros(N_LANDMARKS, np.float32)
        if person is not None:
            visibility = person.visibility
            xy = np.where((visibility >= self._gate)[:, None], person.xy, np.nan)
        smooth = self._smooth(xy, t)
        self._seen += visibility[_LEFT].sum(), visibility[_RIGHT].sum()
        side: angles.Side = "left" if self._seen[0] >= self._seen[1] else "right"
        if self._tracker is not None:
            counter, banner = self._hold_state(t, self._tracker.update(t, smooth, visibility))
        else:
            self._window.add(t, person)
            counter, banner = self._rep_state(t)
        return _overlay(smooth, side, counter, banner)

    def _hold_state(self, t: float, now: Now) -> tuple[str, Banner | None]:
        if not now.holding:
            return "get into position", None
        counter = f"hold {now.elapsed_s:.1f} s"
        if now.cue is None:
            return counter, Banner(f"in line ({now.deviation_deg:+.0f}°)", "good")
        cue = _short(self.spec.cues[now.cue])
        self.speaker.cue(t, cue)
        tone: Tone = "fix" if now.fault is not None else "check"  # amber until it lasts
        return counter, Banner(
            f"{now.cue.replace('_', ' ')} {now.deviation_deg:+.0f}°: {cue}", tone
        )

    def _rep_state(self, t: float) -> tuple[str, Banner | None]:
        """Reps from the rolling analysis, run in a worker thread so frames keep flowing."""
        pending = self._analysis
        if pending is not None and pending[1].done():
            self._analysis = None
            self._take(pending[1].result(), pending[0], t)
        if self._analysis is None and t - self._analysed_at >= REANALYSE_S:
            self._analysed_at = t
            window = self._window.series(self.meta)
            job = self._pool.submit(analyze, window, self.spec.name, self.limits)
            self._analysis = (t, job)
        counter = f"{len(self.reps)} reps"
        if not self.reps:
            return counter, None
        return counter, rep_banner(self.reps[-1], self.spec.name, dict(self.limits.values))

    def _take(self, report: SetReport, upto: float, t: float) -> None:
        """Count the reps newly finished by ``upto``; say the cue of each faulty one."""
        last = self.reps[-1].end_s if self.reps else -math.inf
        for rep in report.reps:
            # A rep ending at the window's edge may be one still under way.
            if last + SETTLE_S < rep.end_s <= upto - SETTLE_S:
                number = len(self.reps) + 1
                self.reps.append(RepResult(number, rep.start_s, rep.end_s, rep.faults, rep.metrics))
                if rep.faults:
                    self.speaker.cue(t, _short(check_of(self.spec.name, worst_fault(rep).code).cue))

    def close(self) -> None:
        """Stop the worker thread of the rolling analysis."""
        self._pool.shutdown(wait=True, cancel_futures=True)


def _overlay(
    xy: NDArray[np.float64], side: angles.Side, counter: str, banner: Banner | None
) -> Overlay:
    chain = np.stack([angles.point(xy[None], name, side)[0] for name in CHAIN])
    return Overlay(chain, None, (), counter, banner)


#: What a window reports back after showing a frame: a key pressed, or None.
Show = Callable[[NDArray[np.uint8]], str | None]


class LiveSession:
    """One live session: frames in, overlay drawn, cues said; the pose series kept.

    Args:
        source: The camera, stream or file.
        paced: A file played at its real rate.
        exercise: The exercise.
        limits: Its thresholds.
        speaker: Where cues go.
        show: Shows each drawn frame (RGB) and returns the key pressed: ``" "``
            pauses and resumes, ``"r"`` resets, ``"q"`` quits; None runs headless.
    """

    def __init__(
        self,
        source: FrameSource,
        paced: bool,
        exercise: str,
        limits: Thresholds,
        speaker: Speaker,
        show: Show | None = None,
    ) -> None:
        self.newest = Newest(source, paced)
        self.paced, self.meta, self.speaker, self.show = paced, source.meta, speaker, show
        self.coach = Coach(exercise, limits, source.meta, speaker)
        self.latency_s: list[float] = []
        self.series: PoseSeries | None = None
        self.paused = False
        self._elapsed_s = math.nan

    def stop(self) -> None:
        """End the session after the current frame."""
        self.newest.stop()

    def run(self, estimator: Estimator) -> PoseSeries:
        """Process frames until the source ends or :meth:`stop`; returns the pose series.

        Raises:
            NoPersonError: Nobody was seen in any frame.
        """
        start = time.monotonic()
        try:
            self.series = estimate_poses(self.newest, self.meta, estimator, self._frame, ahead=0)
        finally:
            self._elapsed_s = time.monotonic() - start
            self.coach.close()
        return self.series

    def _frame(self, frame: Frame, person: Person | None) -> None:
        overlay = self.coach.update(frame.t, person)
        image = draw(frame.image, overlay)
        self.latency_s.append(time.monotonic() - self.newest.arrived)
        if self.show is not None:
            self._keys(self.show(image), image)

    def _keys(self, key: str | None, image: NDArray[np.uint8]) -> None:
        """Act on a key; while paused, keep showing the frame (new ones are dropped)."""
        assert self.show is not None
        while True:
            if key == "q":
                self.stop()
                return
            if key == "r":
                self.coach.reset()
            if key == " ":
                self.paused = not self.paused
            if not self.paused or self.newest.stopped:
                return
            key = self.show(image)

    @property
    def stats(self) -> dict[str, float]:
        """Frames processed and dropped, processed fps, capture-to-overlay latency."""
        ms = 1000 * np.array(self.latency_s) if self.latency_s else np.array([math.nan])
        frames = len(self.latency_s)
        return {
            "frames": frames,
            "dropped": self.newest.dropped,
            "fps": frames / self._elapsed_s if self._elapsed_s > 0 else math.nan,
            "latency_p50_ms": float(np.percentile(ms, 50)),
            "latency_p95_ms": float(np.percentile(ms, 95)),
        }

    def write_log(self, path: Path) -> None:
        """``live.json``: the stats, the reps counted live and every cue said, with its time."""
        cues = [{"t_s": round(t, 3), "cue": text} for t, text in self.speaker.said]
        log: dict[str, object] = {k: round(v, 2) for k, v in self.stats.items()}
        log |= {"live_reps": len(self.coach.reps), "cues": cues}
        write_text(path, json.dumps(log, indent=2) + "\n")
