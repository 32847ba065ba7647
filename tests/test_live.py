"""Live cueing: frames dropped, not queued; cues throttled; an ended session keeps its report."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import av
import numpy as np
import pytest
from test_cli import run

from formcheck.cli import _finish_live
from formcheck.live import LiveSession, Newest, Speaker
from formcheck.pose.mediapipe import PoseEstimator
from formcheck.series import VideoMeta
from formcheck.thresholds import thresholds
from formcheck.video import CaptureSource, Frame

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


class Ticks:
    """A frame source of ``n`` small frames at 30 fps."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.meta = VideoMeta("ticks", 30.0, 8, 8)

    def __iter__(self) -> Iterator[Frame]:
        for i in range(self.n):
            yield Frame(i, i / 30, np.zeros((8, 8, 3), np.uint8))

    def close(self) -> None:
        pass

    def __enter__(self) -> Ticks:
        return self

    def __exit__(self, *_: object) -> None:
        pass


def test_a_slow_consumer_gets_the_newest_frame_and_the_rest_are_dropped():
    newest = Newest(Ticks(60), paced=True)
    start, got, lags = time.monotonic(), [], []
    for frame in newest:
        lags.append(time.monotonic() - start - frame.t)  # how old the frame is when taken
        got.append(frame.index)
        time.sleep(0.1)  # three frame times of work
    assert 10 <= len(got) <= 30 and newest.dropped == 60 - len(got)
    assert got == sorted(got) and got[-1] >= 55
    assert max(lags) < 0.1  # never older than one frame's work: nothing queues


def test_stop_ends_the_frames():
    newest = Newest(Ticks(600), paced=True)
    seen = 0
    for _ in newest:
        seen += 1
        if seen == 3:
            newest.stop()
    assert seen == 3 and newest.stopped


def test_a_cue_is_not_repeated_within_its_interval():
    said: list[str] = []
    speaker = Speaker(said.append, repeat_s=5.0)
    assert speaker.cue(10.0, "Hips up") and not speaker.cue(12.0, "Hips up")
    assert speaker.cue(12.5, "Lower your hips") and speaker.cue(15.1, "Hips up")
    assert said == ["Hips up", "Lower your hips", "Hips up"]
    assert [t for t, _ in speaker.said] == [10.0, 12.5, 15.1]


def test_the_sag_cue_fires_within_a_second_of_the_true_fault(tmp_path):
    # The rendered plank played at its real rate, headless, as from a camera.
    truth = json.loads((SAMPLES / "plank_sag.json").read_text())
    (hold,) = truth["holds"]
    onset = hold["sag_fault_frame"] / truth["fps"]  # the posed body's sag passes the line
    out = tmp_path / "live"
    args = ["--camera", str(SAMPLES / "plank_sag.mp4"), "--out", str(out)]
    result = run("live", "-e", "plank", *args, "--no-window", "--silent")
    assert result.exit_code == 0, result.output
    log = json.loads((out / "live.json").read_text())
    first = next(c["t_s"] for c in log["cues"] if c["cue"] == "Hips up")
    assert onset <= first <= onset + 1.0, (onset, log["cues"])
    assert all(c["cue"] == "Hips up" for c in log["cues"])  # nothing while in line
    times = [c["t_s"] for c in log["cues"]]
    assert all(b - a >= 5.0 for a, b in pairwise(times))
    report = json.loads((out / "report.json").read_text())
    assert len(report["holds"]) == 1 and report["holds"][0]["faults"][0]["code"] == "hip_sag"
    assert (out / "report.html").is_file() and (out / "poses.npz").is_file()


def test_rep_cues_come_from_the_rolling_analysis_after_the_rep(tmp_path):
    truth = json.loads((SAMPLES / "deadlift_rounding.json").read_text())
    fps = truth["fps"]
    first = next(r for r in truth["reps"] if r["faults"])  # rep 4, rounded
    out = tmp_path / "live"
    args = ["--camera", str(SAMPLES / "deadlift_rounding.mp4"), "--out", str(out)]
    result = run("live", "-e", "deadlift", *args, "--no-window", "--silent")
    assert result.exit_code == 0, result.output
    log = json.loads((out / "live.json").read_text())
    said = [c for c in log["cues"] if c["cue"] == "Chest proud, back long"]
    assert said and first["end_frame"] / fps <= said[0]["t_s"] <= first["end_frame"] / fps + 3.0
    assert all(c["t_s"] >= first["end_frame"] / fps for c in log["cues"])  # none before it
    assert log["live_reps"] >= truth["rep_count"]  # standing up without the bar may count live
    report = json.loads((out / "report.json").read_text())
    assert report["summary"]["rep_count"] == truth["rep_count"]  # the file's frames tell


def test_a_camera_that_stops_mid_session_ends_it_with_the_report_saved(tmp_path):
    # OpenCV reading a file cut off part-way stops delivering frames, as an
    # unplugged camera does: the session ends there and still writes its report.
    front = tmp_path / "front.mp4"  # the index first, as phones write it, so half still opens
    with (
        av.open(str(SAMPLES / "plank_sag.mp4")) as src,
        av.open(str(front), "w", options={"movflags": "+faststart"}) as dst,
    ):
        stream = dst.add_stream_from_template(src.streams.video[0])
        for packet in src.demux(src.streams.video[0]):
            if packet.dts is not None:
                packet.stream = stream
                dst.mux(packet)
    whole = front.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole[: len(whole) // 2])
    limits = thresholds("plank")
    with (
        CaptureSource(str(cut)) as source,
        PoseEstimator((source.meta.width, source.meta.height), max_people=1) as estimator,
    ):
        session = LiveSession(source, False, "plank", limits, Speaker(lambda _t: None))
        series = session.run(estimator)
    assert 0 < len(series) < 897 and session.stats["frames"] == len(series)
    out = tmp_path / "out"
    out.mkdir()
    report = _finish_live(session, "plank", limits, out)
    assert (out / "report.json").is_file() and (out / "live.json").is_file()
    assert report.n_frames == len(series)


@pytest.mark.parametrize(
    ("args", "text"),
    [(["-e", "yoga"], "unknown exercise 'yoga'"), (["-e", "plank", "--camera", "7"], "camera 7")],
)
def test_bad_live_options_are_one_line(tmp_path, args, text):
    result = run("live", *args, "--no-window", "--out", str(tmp_path / "o"))
    assert result.exit_code in (1, 2) and text in result.stderr


def test_without_a_display_the_window_is_refused_before_the_camera_opens(tmp_path, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    result = run("live", "-e", "plank", "--out", str(tmp_path / "o"))
    assert result.exit_code == 2 and "--no-window" in result.stderr
    assert not (tmp_path / "o").exists()
