#!/usr/bin/env python3
"""Latency and throughput of ``formcheck live`` (headless), played from files at their rate.

For each clip the real command runs in a child process (``--no-window --silent``)
and its ``live.json`` gives: frames processed and dropped, processed fps, and
the capture-to-overlay latency (from the frame's arrival to its overlay drawn)
at p50 and p95. A clip with ground truth beside it (``clip.json``, as the
samples have) also gives the time of the first cue against the truth: for a
hold, the frame where the posed body's sag passes the line; for reps, the end
of the first faulty rep.

A camera delivers 30 fps, so processing keeps up when it reaches the source's
rate. To see how much headroom is left, ``--double`` also plays a copy of each
clip at twice its frame rate (every frame twice): what it processes then is
the most the machine can do.

Targets (issue 10): p95 <= 60 ms and >= 25 fps at 640x480.

Run::

    python benchmarks/live_latency.py [--double] [CLIP:EXERCISE ...]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

import av

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = (
    f"{ROOT / 'samples/plank_sag.mp4'}:plank",
    f"{ROOT / 'samples/deadlift_rounding.mp4'}:deadlift",
    f"{ROOT / 'samples/kb_swing_lean_back.mp4'}:kb_swing",
)


def doubled(clip: Path, out: Path) -> Path:
    """``clip`` at twice its frame rate, every frame shown twice."""
    with av.open(str(clip)) as src, av.open(str(out), "w") as dst:
        stream_in = src.streams.video[0]
        rate = Fraction(stream_in.average_rate) * 2
        stream = dst.add_stream("libx264", rate=rate)
        stream.width, stream.height, stream.pix_fmt = stream_in.width, stream_in.height, "yuv420p"
        stream.options = {"preset": "veryfast", "crf": "20"}
        n = 0
        for frame in src.decode(stream_in):
            for _ in range(2):
                copy = frame.reformat(format="yuv420p")
                copy.pts, copy.time_base = n, 1 / rate
                dst.mux(stream.encode(copy))
                n += 1
        dst.mux(stream.encode())
    return out


def run_live(clip: Path, exercise: str, out: Path) -> dict[str, object]:
    exe = shutil.which("formcheck") or str(Path(sys.executable).with_name("formcheck"))
    subprocess.run(
        [
            exe,
            "live",
            "-e",
            exercise,
            "--camera",
            str(clip),
            "--out",
            str(out),
            "--no-window",
            "--silent",
        ],
        check=True,
        capture_output=True,
    )
    log: dict[str, object] = json.loads((out / "live.json").read_text())
    return log


def first_cue_delay(clip: Path, log: dict[str, object]) -> str:
    """The first cue's time less the truth's, if the clip has its truth beside it."""
    truth_path = clip.with_suffix(".json")
    cues = log["cues"]
    assert isinstance(cues, list)
    if not truth_path.is_file() or not cues:
        return "-"
    truth = json.loads(truth_path.read_text())
    fps = truth["fps"]
    if truth.get("holds"):
        frame = truth["holds"][0].get("sag_fault_frame")
    else:
        frame = next((r["end_frame"] for r in truth["reps"] if r["faults"]), None)
    if frame is None:
        return "-"
    return f"{cues[0]['t_s'] - frame / fps:+.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("clips", nargs="*", default=DEFAULT, help="CLIP:EXERCISE")
    parser.add_argument("--double", action="store_true", help="also play each at 2x its rate")
    args = parser.parse_args()
    print("| clip | size | source fps | processed fps | dropped | latency p50 | p95 | first cue |")
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for spec in args.clips:
            path, exercise = spec.rsplit(":", 1)
            clips = [Path(path)]
            if args.double:
                clips.append(doubled(Path(path), Path(tmp) / f"{Path(path).stem}_x2.mp4"))
            for clip in clips:
                with av.open(str(clip)) as c:
                    s = c.streams.video[0]
                    size, rate = f"{s.width}x{s.height}", float(s.average_rate)
                log = run_live(clip, exercise, Path(tmp) / clip.stem)
                delay = first_cue_delay(Path(path), log) if clip == Path(path) else "-"
                print(
                    f"| {clip.name} | {size} | {rate:.0f} | {log['fps']} | {log['dropped']} "
                    f"| {log['latency_p50_ms']:.0f} ms | {log['latency_p95_ms']:.0f} ms "
                    f"| {delay} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
