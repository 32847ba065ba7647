"""Writing every output of an analysed set into its folder, each file atomically."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from formcheck.checks import check_of
from formcheck.files import write_text
from formcheck.outputs import html, tables
from formcheck.outputs.draw import draw
from formcheck.outputs.faces import blur, face_boxes
from formcheck.outputs.overlay import UNITS, Overlays, worst_fault
from formcheck.outputs.video import nearest, write_annotated
from formcheck.report import RepResult, SetReport
from formcheck.video import frames_at

#: Thumbnails are this wide (pixels) and this JPEG quality.
THUMB_WIDTH, THUMB_QUALITY = 320, 80


@dataclass(frozen=True)
class Written:
    """The files written, and what could not be."""

    paths: tuple[Path, ...]
    warnings: tuple[str, ...]


def write_outputs(
    report: SetReport,
    folder: Path,
    video: Path | None,
    annotate: bool = True,
    blur_faces: bool = False,
    client: str | None = None,
    on_frame: Callable[[], None] | None = None,
) -> Written:
    """Write the table (``reps.csv`` or ``holds.csv``), ``report.html`` and ``annotated.mp4``.

    Args:
        report: The analysed set, with its track.
        folder: Where the files go (it exists).
        video: The analysed video; None when it is not at hand (no thumbnails, no video).
        annotate: Write ``annotated.mp4``.
        blur_faces: Blur the face in every image written.
        client: The client's name, shown on the page.
        on_frame: Called after each frame of the annotated video.
    """
    table = folder / tables.name(report)
    text = tables.holds_csv(report) if table.name == "holds.csv" else tables.reps_csv(report)
    write_text(table, text)
    paths, warnings = [table], []
    thumbs: list[html.Thumbnail] = []
    if video is None:
        warnings.append(
            f"{report.source.source}: the video is not there, so report.html has no "
            "thumbnails and no annotated.mp4 was written"
        )
    elif report.track is not None:
        thumbs = thumbnails(report, video, blur_faces)
    write_text(folder / "report.html", html.render(report, thumbs, client))
    paths.append(folder / "report.html")
    if annotate and video is not None and report.track is not None:
        write_annotated(video, report, folder / "annotated.mp4", blur_faces, on_frame)
        paths.append(folder / "annotated.mp4")
    return Written(tuple(paths), tuple(warnings))


def moments(report: SetReport) -> list[tuple[float, str, RepResult | None]]:
    """The moment to show of each flagged rep (its worst fault) or each hold fault."""
    out: list[tuple[float, str, RepResult | None]] = []
    for rep in report.reps:
        if not rep.faults:
            continue
        fault = worst_fault(rep)
        check = check_of(report.exercise, fault.code)
        at = fault.at_s if fault.at_s is not None else (fault.start_s + fault.end_s) / 2
        unit = UNITS.get(fault.unit, fault.unit)
        out.append(
            (
                at,
                f"rep {rep.index}: {check.label} {fault.value:.0f}{unit} "
                f"(line {check.sign}{fault.threshold:.0f}{unit}) at {at:.1f} s",
                rep,
            )
        )
    for n, hold in enumerate(report.holds, 1):
        for i in hold.faults:
            span = f"{i.start_s:.1f}-{i.end_s:.1f} s"
            caption = f"hold {n}: {i.code} {i.value_deg:+.0f}° at worst, {span}"
            out.append(((i.start_s + i.end_s) / 2, caption, None))
    return out


def thumbnails(report: SetReport, video: Path, blur_faces: bool) -> list[html.Thumbnail]:
    """JPEGs of the :func:`moments`, with the overlay (and the face blurred if asked)."""
    wanted = moments(report)
    if not wanted:
        return []
    overlays = Overlays(report)
    track = overlays.track
    boxes = face_boxes(track.xy, track.t) if blur_faces else None
    at: dict[float, list[int]] = {}
    for k, (t, _, _) in enumerate(wanted):
        at.setdefault(t, []).append(k)
    made: dict[int, html.Thumbnail] = {}
    for t, frame in frames_at(video, list(at)):
        for k in at[t]:
            _, caption, rep = wanted[k]
            image = frame.copy()  # each moment's overlay on a clean frame
            i = nearest(track.t, t, 0.5 / report.source.fps)
            if i is not None:
                if boxes is not None:
                    blur(image, boxes[i])
                draw(image, overlays.at(i, rep))
            jpeg = _jpeg(image)
            if jpeg is not None:
                made[k] = html.Thumbnail(caption, jpeg)
    return [made[k] for k in sorted(made)]


def _jpeg(image: NDArray[np.uint8]) -> bytes | None:
    """A thumbnail of an RGB frame, THUMB_WIDTH wide, as JPEG bytes; None if it fails."""
    h, w = image.shape[:2]
    small = cv2.resize(
        image, (THUMB_WIDTH, max(1, round(h * THUMB_WIDTH / w))), interpolation=cv2.INTER_AREA
    )
    ok, jpeg = cv2.imencode(
        ".jpg", cv2.cvtColor(small, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, THUMB_QUALITY]
    )
    return np.asarray(jpeg).tobytes() if ok else None
