"""report.html, rendered by a real browser (Debian's chromium, headless), and the CSV tables."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import cv2
import numpy as np
import pytest
from conftest import write_clip
from figures import hinge, lying
from test_analyze import rdl_set
from test_annotated import textured

from formcheck.analyze import analyze
from formcheck.coaching.facts import Inputs, Past, facts
from formcheck.coaching.rules import suggest
from formcheck.outputs import html, tables
from formcheck.outputs.write import write_outputs

EVIL = "<script>alert(1)</script>"
CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"
)


def browse(page: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ]
    url = "file://" + quote(str(page))
    return subprocess.run(
        [CHROMIUM, *flags, *args, url], capture_output=True, text=True, timeout=120, check=True
    )


class Dom(HTMLParser):
    """Counts elements and collects the title and table rows of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: dict[str, int] = {}
        self.title = self.text = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] = self.tags.get(tag, 0) + 1
        self._in_title = tag == "title"

    def handle_data(self, data: str) -> None:
        self.text += data
        if self._in_title:
            self.title += data

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """report.html of three RDLs (rep 2 short of lockout) from a clip named like a script."""
    folder = tmp_path_factory.mktemp("out")
    series = hinge(rdl_set([0, 25, 0]))
    video = folder / f"{EVIL}.mp4"  # a folder "<script>alert(1)<" holding "script>.mp4"
    video.parent.mkdir()
    write_clip(video, textured(len(series), (640, 480)), fps=30)
    series = replace(series, meta=replace(series.meta, source=str(video)))
    report = analyze(series, "rdl")
    report = replace(report, load_suggestion=suggest(facts(report, Inputs(rpe=8), Past())))
    written = write_outputs(report, folder, video, annotate=False, client=f"Zoë {EVIL}")
    assert not written.warnings
    return folder / "report.html"


def test_user_strings_are_escaped(page):
    text = page.read_text()
    assert EVIL not in text and "&lt;script&gt;alert(1)&lt;/script&gt;.mp4" in text
    assert "Zoë &lt;script&gt;" in text


def test_each_value_says_how_sure_its_check_was(page):
    # the figure's landmarks are seen at 0.95; the rounded back has no outline here
    assert page.read_text().count("title='confidence 0.95'") == 3 * 2  # lockout, squat


@needs_chromium
def test_the_browser_shows_text_not_a_script_and_the_rows_plots_and_pictures(page, tmp_path):
    dom = Dom()
    dom.feed(browse(page, tmp_path, "--dump-dom").stdout)
    assert dom.tags.get("script", 0) == 0
    assert dom.title == "formcheck: script>.mp4"  # the file's name, as text
    assert f"{EVIL}.mp4" in dom.text  # and its whole path
    assert dom.tags["tr"] == 1 + 3  # header and three reps
    assert dom.tags["svg"] >= 2 and dom.tags["img"] == 1  # plots; the one flagged rep's picture
    shot = tmp_path / "page.png"
    browse(page, tmp_path, f"--screenshot={shot}", "--window-size=1000,2600")
    image = cv2.cvtColor(cv2.imread(str(shot)), cv2.COLOR_BGR2RGB).astype(int)

    def share(rgb: tuple[int, int, int]) -> float:
        return float((np.abs(image - rgb).sum(axis=2) < 40).mean())

    assert share((46, 160, 67)) > 1e-4  # the green verdicts
    assert share((9, 105, 218)) > 1e-4  # the plotted trunk angle
    assert share((255, 255, 255)) < 0.97  # more than a blank page


def test_a_page_without_a_video_has_no_pictures_and_says_why(tmp_path):
    report = analyze(hinge(rdl_set([0, 25, 0])), "rdl")
    written = write_outputs(report, tmp_path, None)
    assert [p.name for p in written.paths] == ["reps.csv", "report.html"]
    assert "the video is not there" in written.warnings[0]
    assert "<img" not in (tmp_path / "report.html").read_text()


def test_a_counted_reps_note_says_what_was_not_seen():
    report = analyze(hinge(rdl_set([0, 0])), "rdl")
    first = replace(report.reps[0], note=f"counted across 1.0-2.0 s without {EVIL}")
    text = html.render(replace(report, reps=(first, *report.reps[1:])))
    assert "counted across 1.0-2.0 s without &lt;script&gt;" in text and EVIL not in text


def test_reps_csv_has_a_row_per_rep_with_every_check_against_its_line():
    report = analyze(hinge(rdl_set([0, 25, 0])), "rdl")
    rows = list(csv.DictReader(io.StringIO(tables.reps_csv(report))))
    assert [r["rep"] for r in rows] == ["1", "2", "3"]
    lockout = [float(r["incomplete_lockout"]) for r in rows]
    assert lockout[1] > float(rows[1]["incomplete_lockout_threshold"]) > lockout[0]
    assert rows[0]["incomplete_lockout_fault"] == ""
    assert rows[1]["incomplete_lockout_fault"] in ("minor", "major")
    assert rows[1]["verdict"] in ("check", "fix") and rows[0]["verdict"] == "good"
    assert "min_hip_deg" in rows[0] and rows[0]["rounded_back_not_judged"]  # a stick figure
    assert tables.name(report) == "reps.csv"


def test_holds_csv_has_a_row_per_hold():
    script = [("kneel", 2, 0, 0), ("plank", 10, 0, 0), ("plank", 4, 0, -25), ("plank", 6, -25, -25)]
    script.append(("kneel", 2, 0, 0))
    report = analyze(lying(script), "plank")
    rows = list(csv.DictReader(io.StringIO(tables.holds_csv(report))))
    assert len(rows) == len(report.holds) == 1 and "hip_sag" in rows[0]["faults"]
    assert tables.name(report) == "holds.csv"


def test_plots_break_where_a_value_is_missing():
    assert html._path([(0, 1), (1, float("nan")), (2, 3)]) == "M0.0 1.0 M2.0 3.0"


def test_the_page_is_self_contained():
    report = analyze(hinge(rdl_set([0, 0])), "rdl")
    text = html.render(report)
    assert "http://" not in text and "https://" not in text and 'src="file' not in text
