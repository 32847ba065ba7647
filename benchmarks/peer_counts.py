#!/usr/bin/env python3
"""Rep counts against the naive loop, per source, on the same labelled clips.

The naive loop (``../shared/peers/naive_mp_loop.py``: MediaPipe's legacy Pose
solution, one shoulder-hip-knee angle state machine) is what most public form
checkers do. For every labelled clip of a rep exercise in the given folders,
this runs the loop in its own venv (it needs mediapipe 0.10.21, which cannot
live beside formcheck's) and formcheck's analysis (its pose series from
``formcheck eval``'s cache when there), and prints, per source (one person and
place), how many sets each counts exactly. formcheck's counting has no line
chosen on these clips, so every source is as good as left out.

The loop's counts are kept in ``CACHE/peer_counts.json`` by the video's
sha256, so a second run only re-analyses. Run::

    sh ../shared/peers/setup.sh
    python benchmarks/peer_counts.py ../shared/data/real ../shared/data/real_more \\
        --cache .cache/eval [--markdown counts.md]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
from collections import defaultdict
from pathlib import Path

from formcheck.evaluation import Clip, Score, evaluate, find_clips

ROOT = Path(__file__).resolve().parents[1]
PEERS = ROOT.parent / "shared" / "peers"


def peer_count(clip: Clip, python: Path, loop: Path, known: dict[str, int]) -> int | None:
    """The naive loop's rep count of ``clip`` (None where it failed)."""
    with clip.video.open("rb") as f:
        digest = hashlib.file_digest(f, "sha256").hexdigest()
    if digest not in known:
        done = subprocess.run([str(python), str(loop), str(clip.video)], capture_output=True)
        found = re.search(rb"reps=(\d+)", done.stdout)
        if found is None:
            return None
        known[digest] = int(found.group(1))
    return known[digest]


def table(rows: list[tuple[Score, int | None]]) -> str:
    """Per source: sets, exact by formcheck, exact by the loop; then the sum."""
    by_source: dict[str, list[tuple[Score, int | None]]] = defaultdict(list)
    for score, peer in rows:
        by_source[f"{score.clip.exercise} · {score.clip.source}"].append((score, peer))
    lines = [
        "| exercise · source | sets | formcheck exact | naive loop exact |",
        "|---|---|---|---|",
    ]
    total = [0, 0, 0]
    for source, group in sorted(by_source.items()):
        ours = sum(s.count_exact for s, _ in group)
        theirs = sum(p == s.clip.count for s, p in group)
        mark = " **fewer**" if ours < theirs else ""
        lines.append(f"| {source} | {len(group)} | {ours}{mark} | {theirs} |")
        total = [total[0] + len(group), total[1] + ours, total[2] + theirs]
    lines.append(f"| all | {total[0]} | {total[1]} | {total[2]} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path, help="labelled clips")
    parser.add_argument("--cache", type=Path, required=True, help="formcheck eval's cache")
    parser.add_argument("--python", type=Path, default=Path("/tmp/peervenv/bin/python"))
    parser.add_argument("--loop", type=Path, default=PEERS / "naive_mp_loop.py")
    parser.add_argument("--markdown", type=Path, help="also write the table here")
    args = parser.parse_args()
    clips = [
        c
        for folder in args.folders
        for c in find_clips(folder)[0]
        if not c.is_hold and (c.units or c.rep_count == 0)
    ]
    known_file = args.cache / "peer_counts.json"
    known = json.loads(known_file.read_text()) if known_file.is_file() else {}
    peers = []
    for clip in clips:  # the loop first: evaluate() may then find every pose series cached
        peers.append(peer_count(clip, args.python, args.loop, known))
        known_file.write_text(json.dumps(known, indent=1))
        print(f"{clip.labels}/{clip.name}: true {clip.count}, loop {peers[-1]}", flush=True)
    rows = list(zip(evaluate(clips, cache=args.cache), peers, strict=True))
    out = table(rows)
    print(out)
    if args.markdown:
        args.markdown.write_text(out + "\n")


if __name__ == "__main__":
    main()
