"""Timing a command in a child process: wall clock and the child's peak RSS."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

_TIMED = (
    "import resource, subprocess, sys, time;"
    "t = time.perf_counter();"
    "subprocess.run(sys.argv[1:], check=True, capture_output=True);"
    "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def formcheck() -> str:
    """The formcheck command of this Python's environment."""
    return shutil.which("formcheck") or str(Path(sys.executable).with_name("formcheck"))


def timed(*cmd: str) -> tuple[float, float]:
    """Wall clock (s) and peak RSS (MB) of ``cmd``, run in a child of a fresh Python."""
    done = subprocess.run(
        [sys.executable, "-c", _TIMED, *cmd], check=True, capture_output=True, text=True
    )
    wall, rss_kb = done.stdout.split()
    return float(wall), int(rss_kb) / 1024
