"""Re-extract the real development clips of ``data/real_more`` from their repositories.

The clips belong to other people and are never committed; ``GROUND_TRUTH.tsv``
names each one's repository, commit, path, git blob and sha256, beside our own
frame-by-frame labels. Bring each repository as a bare git directory (the
search tool's ``fetch`` lays them out as ``MIRRORS/owner+name/repo``), then:

    python tools/extract_real_more.py MIRRORS ../shared/data/real_more

Each clip is the blob as it is, or, where ``trim`` gives a window or the file
is another container (a .webm), that window re-encoded to H.264 with PyAV.
The labels are copied beside the clips, the layout ``formcheck eval`` reads.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import av

LABELS = Path(__file__).parent.parent / "data" / "real_more" / "GROUND_TRUTH.tsv"


def git_dir(mirrors: Path, repo: str) -> Path | None:
    """The bare git directory of ``owner/name`` under ``mirrors``, if there is one."""
    base = mirrors / repo.replace("/", "+")
    for candidate in (base / "repo", base, base.with_suffix(".git")):
        if (candidate / "objects").is_dir():
            return candidate
    return None


def extract(mirrors: Path, row: dict[str, str], out: Path) -> str | None:
    """Write one clip; return why it could not be, or None."""
    where = git_dir(mirrors, row["source_repo"])
    if where is None:
        return f"{row['path']}: no mirror of {row['source_repo']} under {mirrors}"
    blob = subprocess.run(
        ["git", f"--git-dir={where}", "cat-file", "-p", row["blob"]], capture_output=True
    )
    if blob.returncode != 0:
        return f"{row['path']}: blob {row['blob']} not in {row['source_repo']}"
    if hashlib.sha256(blob.stdout).hexdigest() != row["sha256"]:
        return f"{row['path']}: the blob's sha256 differs from the labels'"
    target = out / row["path"]
    target.parent.mkdir(parents=True, exist_ok=True)
    same_kind = Path(row["repo_path"]).suffix.lower() == target.suffix.lower()
    if same_kind and not row["trim"]:
        target.write_bytes(blob.stdout)
        return None
    source = target.with_name(f".{target.stem}.source{Path(row['repo_path']).suffix}")
    source.write_bytes(blob.stdout)
    try:
        start, end = (float(x) for x in (row["trim"] or "0-1e9").split("-"))
        reencode(source, target, start, end)
    finally:
        source.unlink()
    return None


def reencode(source: Path, target: Path, start: float, end: float) -> None:
    """Frames of ``source`` from ``start`` to ``end`` seconds as H.264 in ``target``."""
    tmp = target.with_name(f".{target.name}.tmp.mp4")
    with av.open(str(source)) as src, av.open(str(tmp), "w") as dst:
        video = src.streams.video[0]
        rate = Fraction(video.average_rate or 30).limit_denominator(1001)
        stream = dst.add_stream("libx264", rate=rate)
        stream.width, stream.height = video.codec_context.width, video.codec_context.height
        stream.pix_fmt = "yuv420p"
        for frame in src.decode(video):
            if frame.time is not None and start <= frame.time < end:
                image = frame.to_ndarray(format="rgb24")
                dst.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")))
        dst.mux(stream.encode())
    tmp.replace(target)


def main(mirrors: Path, out: Path) -> int:
    """Extract every clip of the labels; print one line per clip that failed."""
    with LABELS.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    failed = [why for row in rows if (why := extract(mirrors, row, out))]
    shutil.copyfile(LABELS, out / "GROUND_TRUTH.tsv")
    for why in failed:
        print(why, file=sys.stderr)
    print(f"{len(rows) - len(failed)} of {len(rows)} clips in {out}")
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python tools/extract_real_more.py MIRRORS OUT")
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
