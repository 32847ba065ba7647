"""MediaPipe Pose Landmarker adapter: the one module that imports mediapipe.

Tracking several people costs the person detector on every frame (~13 ms on
two cores, next to ~17 ms for one landmark pass), so :class:`PoseEstimator`
tracks one person while nobody else is around and switches to tracking
several when a scan finds more people:

* single mode: a one-pose landmarker in VIDEO mode follows the main person;
* a scan (a fresh detection of up to ``max_people``) runs at the first frame,
  every ``rescan_s`` seconds, and whenever the tracked pose stops continuing
  the main person's track (someone stepped in front, the track jumped);
* crowd mode: once a scan sees several people, a ``max_people`` landmarker
  tracks them all every frame and the main person is chosen by continuity,
  until nobody else has been seen for ``settle_s`` seconds.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import mediapipe as mp
import numpy as np
from mediapipe.tasks.python import BaseOptions, vision
from numpy.typing import NDArray

from formcheck.closing import Closing
from formcheck.errors import ModelError
from formcheck.model import ModelInfo, resolve_model
from formcheck.pose.cuts import CutDetector, thumbnail
from formcheck.pose.person import Person
from formcheck.pose.select import MainPersonSelector, SelectionRules

log = logging.getLogger(__name__)

#: Calls per landmarker whose native stderr chatter is captured (it all comes early).
_NOISY_CALLS = 3
#: Shortest gap between two scans triggered by a broken track.
_MIN_SCAN_GAP_S = 0.25
#: Held while file descriptor 2 is swapped for a sink.
_STDERR_SWAP = threading.Lock()


@contextlib.contextmanager
def native_stderr_to_log() -> Iterator[None]:
    """Capture what native code writes to file descriptor 2 and log it at DEBUG.

    TFLite and glog write warnings straight to fd 2 when models load and on the
    first frames; they mean nothing to a user. Fd 2 is the whole process's:
    one thread at a time swaps it (``--fast`` runs landmarkers in several), or
    one would put back the other's sink for good.
    """
    with _STDERR_SWAP, tempfile.TemporaryFile() as sink:
        saved = os.dup(2)
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            for line in sink.read().decode(errors="replace").splitlines():
                log.debug("mediapipe: %s", line)


class _Landmarker:
    """One MediaPipe PoseLandmarker, returning :class:`Person` objects."""

    def __init__(self, model: Path, *, video: bool, num_poses: int, masks: bool) -> None:
        mode = vision.RunningMode.VIDEO if video else vision.RunningMode.IMAGE
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(model)),
            running_mode=mode,
            num_poses=num_poses,
            output_segmentation_masks=masks,
        )
        try:
            with native_stderr_to_log():
                self._task = vision.PoseLandmarker.create_from_options(options)
        except (RuntimeError, ValueError) as e:
            raise ModelError(f"{model}: MediaPipe cannot load it: {e}") from None
        self._video = video
        self._calls = 0
        self._last_ms = -1

    def detect(self, image: NDArray[np.uint8], t: float) -> list[Person]:
        """Poses in an (H, W, 3) RGB image at time ``t`` seconds."""
        mp_image = mp.Image(image_format=mp.ImageFormat.SRGB, data=image)
        quiet = native_stderr_to_log() if self._calls < _NOISY_CALLS else contextlib.nullcontext()
        self._calls += 1
        with quiet:
            if self._video:
                self._last_ms = max(round(t * 1000), self._last_ms + 1)
                result = self._task.detect_for_video(mp_image, self._last_ms)
            else:
                result = self._task.detect(mp_image)
        return _people(result, image.shape[1], image.shape[0])

    def close(self) -> None:
        with native_stderr_to_log():  # mediapipe >= 1.2.3 logs each accelerator it frees
            self._task.close()


class Scanner(Closing):
    """A landmarker that finds up to ``max_people`` people afresh in one image.

    Several :class:`PoseEstimator` in threads may share one (``--fast`` runs
    a part of the video per thread): it sees one image at a time. Its own
    copy of the model costs about 80 MB (a 720p ``formcheck pose`` peaked at
    474 MB, 393 MB with ``--max-people 1``).

    Raises:
        ModelError: The model cannot be loaded.
    """

    def __init__(self, model: Path, max_people: int) -> None:
        self._task: _Landmarker | None = _Landmarker(
            model, video=False, num_poses=max_people, masks=False
        )
        self._lock = threading.Lock()

    def detect(self, image: NDArray[np.uint8], t: float) -> list[Person]:
        """Everybody in an (H, W, 3) RGB image (at time ``t`` seconds)."""
        with self._lock:
            assert self._task is not None, "scanner used after close"
            return self._task.detect(image, t)

    def close(self) -> None:
        """Release MediaPipe's native resources."""
        with self._lock:
            if self._task is not None:
                self._task.close()
            self._task = None


def _people(result: Any, width: int, height: int) -> list[Person]:
    masks = result.segmentation_masks or []
    people = []
    for i, landmarks in enumerate(result.pose_landmarks):
        norm = np.array([(p.x, p.y, p.visibility or 0.0) for p in landmarks], dtype=np.float32)
        world = np.array([(p.x, p.y, p.z) for p in result.pose_world_landmarks[i]], np.float32)
        mask = masks[i].numpy_view()[..., 0].astype(np.float32) if i < len(masks) else None
        people.append(
            Person(
                xy=norm[:, :2] * np.array([width, height], dtype=np.float32),
                visibility=norm[:, 2],
                world=world,
                mask=mask,
            )
        )
    return people


class PoseEstimator(Closing):
    """Finds the main person's pose in each frame of one video.

    Feed frames in time order. Close it (or use ``with``) when done: MediaPipe's
    native objects must not be left to the garbage collector. At a scene cut
    (see :mod:`formcheck.pose.cuts`) the main person is chosen afresh.

    Args:
        frame_size: ``(width, height)`` of the frames.
        model: A ``pose_landmarker_{lite,full,heavy}.task``; None for the bundled model.
        max_people: How many people to tell apart; 1 never looks for others.
        masks: Also return the main person's segmentation mask.
        rescan_s: Seconds between scans for other people while tracking one.
        settle_s: Seconds without anybody else before tracking one person again.
        rules: Continuity tolerances of the main-person choice.
        scanner: A :class:`Scanner` of ``max_people`` to share (left open on
            closing); None makes one of its own when ``max_people`` > 1.

    Raises:
        ModelError: The model cannot be found, verified or loaded.
    """

    def __init__(
        self,
        frame_size: tuple[int, int],
        model: str | Path | None = None,
        *,
        max_people: int = 3,
        masks: bool = False,
        rescan_s: float = 2.0,
        settle_s: float = 2.0,
        rules: SelectionRules | None = None,
        scanner: Scanner | None = None,
    ) -> None:
        if max_people < 1:
            raise ValueError(f"max_people must be >= 1, got {max_people}")
        if rescan_s <= 0 or settle_s <= 0:
            raise ValueError(f"rescan_s and settle_s must be > 0, got {rescan_s}, {settle_s}")
        self.model: ModelInfo = resolve_model(model)
        self.max_people, self.masks = max_people, masks
        self.rescan_s, self.settle_s = rescan_s, settle_s
        self.selector = MainPersonSelector(frame_size, rules)
        self._cuts = CutDetector()
        self._single: _Landmarker | None = self._video_landmarker(1)
        self._crowd: _Landmarker | None = None
        self._scanner: Scanner | None = scanner if max_people > 1 else None
        self._owns_scanner = scanner is None and max_people > 1
        if self._owns_scanner:
            # The scanner only finds people; masks come from the trackers (a frame
            # whose person comes from a scan has none).
            try:
                self._scanner = Scanner(self.model.path, max_people)
            except BaseException:  # Ctrl-C too: the tracker must not be left to the GC
                self.close()
                raise
        self._last_scan_t = -math.inf
        self._crowd_seen_t = -math.inf

    def _video_landmarker(self, num_poses: int) -> _Landmarker:
        return _Landmarker(self.model.path, video=True, num_poses=num_poses, masks=self.masks)

    def process(self, image: NDArray[np.uint8], t: float) -> tuple[Person | None, int]:
        """The main person in one (H, W, 3) RGB frame at time ``t`` seconds.

        Returns:
            The main person (None when nobody continues the track) and how many
            people the model saw in this frame.
        """
        self.new_shot(thumbnail(image), t)
        return self.look(image, t)

    def look(self, image: NDArray[np.uint8], t: float) -> tuple[Person | None, int]:
        """:meth:`process` for a frame that has been through :meth:`new_shot` already."""
        if self._crowd is not None:
            people = self._crowd.detect(image, t)
            if len(people) > 1:
                self._crowd_seen_t = t
            elif t - self._crowd_seen_t > self.settle_s:
                self._switch(crowd=False)
        else:
            assert self._single is not None
            people = self._single.detect(image, t)
            if self._should_scan(people, t):
                people = self._scan(image, t, people)
        pick = self.selector.choose([p.xy for p in people], t)
        return (people[pick] if pick is not None else None), len(people)

    def new_shot(self, thumb: NDArray[np.float32], t: float) -> bool:
        """Whether the frame of ``thumb`` starts a new shot (a scene cut), without the model.

        ``thumb`` is the frame's :func:`~formcheck.pose.cuts.thumbnail`. Every
        frame must go through here or :meth:`process`, in time order, for scene
        cuts to be found; a frame the model does not see (fast mode) too. After
        a cut the main person is chosen afresh.
        """
        if not self._cuts(thumb):
            return False
        log.debug("%.3f s: scene cut, choosing the main person afresh", t)
        self.selector.reset()
        self._switch(crowd=self._crowd is not None)  # the tracker's state is the old shot's
        self._last_scan_t = -math.inf  # look for everybody in the new shot
        return True

    def _should_scan(self, people: list[Person], t: float) -> bool:
        if self._scanner is None:
            return False
        since = t - self._last_scan_t
        if since >= self.rescan_s:
            return True
        broken = not people or not self.selector.follows(people[0].xy, t)
        return broken and since >= _MIN_SCAN_GAP_S

    def _scan(self, image: NDArray[np.uint8], t: float, tracked: list[Person]) -> list[Person]:
        """Look for everybody in ``image``; the tracker's ``tracked`` stand if alone.

        A scan is for finding others. When it finds one person, the tracker's
        view of them is kept: the two models can disagree about one person's
        size (seen: a torso of 75 px against 130 px under a barbell), and the
        tracker's is the one the track follows.
        """
        assert self._scanner is not None
        self._last_scan_t = t
        people = self._scanner.detect(image, t)
        if len(people) > 1:
            log.debug("%.3f s: %d people in view, tracking all of them", t, len(people))
            self._crowd_seen_t = t
            self._switch(crowd=True)
            return people
        return tracked or people

    def _switch(self, *, crowd: bool) -> None:
        """Swap landmarkers; each starts fresh so that no stale track carries over."""
        for task in (self._single, self._crowd):
            if task is not None:
                task.close()
        self._single = self._crowd = None  # none closed twice if the next one fails to start
        if crowd:
            self._crowd = self._video_landmarker(self.max_people)
        else:
            self._single = self._video_landmarker(1)

    def close(self) -> None:
        """Release MediaPipe's native resources."""
        for task in (self._single, self._crowd, self._scanner if self._owns_scanner else None):
            if task is not None:
                task.close()
        self._single = self._crowd = self._scanner = None
