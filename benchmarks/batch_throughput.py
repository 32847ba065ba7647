"""Videos per minute of ``formcheck batch`` with 1 and 2 local workers, and on Ray.

Copies the bundled samples N times into a temporary folder (each copy made
unique, so none is skipped as done), runs the batch from scratch each way, and
prints wall-clock seconds and videos/min. Usage:

    python benchmarks/batch_throughput.py [--copies 4] [--video]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SAMPLES = Path(__file__).parents[1] / "samples"
EXERCISES = {
    "deadlift_rounding": "deadlift",
    "kb_swing_lean_back": "kb_swing",
    "plank_sag": "plank",
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--video", action="store_true", help="also write annotated.mp4")
    args = parser.parse_args()
    formcheck = str(Path(sys.executable).with_name("formcheck"))
    with tempfile.TemporaryDirectory() as tmp:
        videos = Path(tmp) / "videos"
        videos.mkdir()
        rows = ["path,exercise"]
        for i in range(args.copies):
            for stem, exercise in EXERCISES.items():
                name = f"{stem}_{i}.mp4"
                shutil.copy(SAMPLES / f"{stem}.mp4", videos / name)
                rows.append(f"{name},{exercise}")
        manifest = Path(tmp) / "manifest.csv"
        manifest.write_text("\n".join(rows) + "\n")
        n = len(rows) - 1
        print(f"{n} videos of 19-30 s, 640x480, annotated.mp4 {'on' if args.video else 'off'}")
        runs = {
            "local, 1 worker": ["--workers", "1"],
            "local, 2 workers": ["--workers", "2"],
            "ray, 2 workers": ["--engine", "ray", "--workers", "2"],
        }
        seconds = {}
        for label, how in runs.items():
            out = Path(tmp) / label.replace(" ", "").replace(",", "_")
            cmd = [
                formcheck,
                "batch",
                str(videos),
                "--out",
                str(out),
                "--manifest",
                str(manifest),
                *how,
            ]
            if not args.video:
                cmd.append("--no-video")
            start = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            seconds[label] = time.perf_counter() - start
            print(f"{label:18s} {seconds[label]:6.1f} s  {60 * n / seconds[label]:5.2f} videos/min")
        one, two = seconds["local, 1 worker"], seconds["local, 2 workers"]
        print(
            f"2 workers vs 1: {one / two:.2f}x; Ray vs local (2 workers): "
            f"{100 * (seconds['ray, 2 workers'] / two - 1):+.1f} %"
        )


if __name__ == "__main__":
    main()
