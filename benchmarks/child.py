"""Timing a command in a child process: wall clock and the peak RSS of its processes."""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

#: Seconds between two looks at the processes' memory.
_EVERY_S = 0.05


def formcheck() -> str:
    """The formcheck command of this Python's environment."""
    return shutil.which("formcheck") or str(Path(sys.executable).with_name("formcheck"))


def timed(*cmd: str) -> tuple[float, float]:
    """Wall clock (s) and peak RSS (MB) of ``cmd`` and the processes it starts.

    Measured by a fresh Python running this file, so that the kernel's figure
    for its children is ``cmd``'s alone (see :func:`measure`).
    """
    done = subprocess.run(
        [sys.executable, __file__, *cmd], check=True, capture_output=True, text=True
    )
    wall, rss_mb = done.stdout.split()
    return float(wall), float(rss_mb)


def measure(cmd: list[str]) -> tuple[float, float]:
    """Wall clock (s) and peak RSS (MB) of ``cmd``, run as a child of this process.

    The peak is the larger of the biggest single process's (exact, from the
    kernel) and the largest sum over the process and its children seen in
    samples every 50 ms (``--fast`` runs parts of a video in child processes).
    """
    start = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak_kb = 0
    while child.poll() is None:
        peak_kb = max(peak_kb, _tree_rss_kb(child.pid))
        time.sleep(_EVERY_S)
    wall = time.perf_counter() - start
    if child.returncode:
        assert child.stderr is not None
        sys.exit(child.stderr.read().decode(errors="replace"))
    largest_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak_kb, largest_kb) / 1024


def _tree_rss_kb(pid: int) -> int:
    """RSS (kB) of ``pid`` and its descendants now; 0 for those already gone."""
    proc = Path(f"/proc/{pid}")
    try:
        status = (proc / "status").read_text().splitlines()
        rss = next((int(line.split()[1]) for line in status if line.startswith("VmRSS:")), 0)
        children = [
            int(c)
            for task in (proc / "task").iterdir()
            for c in (task / "children").read_text().split()
        ]
    except (FileNotFoundError, ProcessLookupError):
        return 0
    return rss + sum(_tree_rss_kb(c) for c in children)


if __name__ == "__main__":
    print(*measure(sys.argv[1:]))
