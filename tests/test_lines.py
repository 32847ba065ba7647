"""Lines chosen without each source, scored on it; abstention shares."""

from __future__ import annotations

import csv
import re
from dataclasses import replace
from pathlib import Path

import pytest
from test_evaluate import SHARED
from test_report_html import EVIL, Dom, browse, needs_chromium

from formcheck.evaluation import find_clips
from formcheck.evaluation.labels import Clip
from formcheck.evaluation.lines import choose_line, chosen_on, line_scores, line_with_margin
from formcheck.evaluation.plots import page
from formcheck.evaluation.scoring import Reading, Score
from formcheck.evaluation.tables import markdown

REAL_MORE = Path(__file__).parent.parent / "data" / "real_more" / "GROUND_TRUTH.tsv"


def _score(source: str, values: list[tuple[float | None, bool]]) -> Score:
    clip = Clip("real", source, Path(f"{source}.mp4"), "deadlift", "side", 1, (), source=source)
    readings = [Reading("lean_back", v, fault, 10.0, True) for v, fault in values]
    return Score(clip, count=1, readings=readings)


def test_the_line_chosen_separates_clean_from_faulty_and_prefers_no_false_flags() -> None:
    readings = _score("a", [(2.0, False), (4.0, False), (9.0, True), (12.0, True)]).readings
    assert choose_line(readings) == 9.0
    clean_only = _score("b", [(2.0, False), (4.0, False)]).readings
    assert choose_line(clean_only) is None


def test_the_line_moves_midway_to_the_nearest_clean_reading() -> None:
    readings = _score("a", [(2.0, False), (5.0, False), (9.0, True), (12.0, True)]).readings
    assert line_with_margin(readings) == 7.0
    below = [replace(r, value=-(r.value or 0.0), above=False) for r in readings]
    assert line_with_margin(below) == -7.0
    assert line_with_margin(_score("b", [(9.0, True)]).readings) == 9.0
    assert line_with_margin(_score("c", [(2.0, False)]).readings) is None


def test_a_source_unlike_the_others_is_scored_with_a_line_it_did_not_choose() -> None:
    usual = [(2.0, False), (3.0, False), (11.0, True), (14.0, True)]
    odd = _score("odd", [(12.0, False), (13.0, False), (30.0, True)])
    scores = [_score("a", usual), _score("b", usual), odd]
    (lean,) = line_scores(scores)
    assert lean.code == "lean_back"
    assert lean.held_out.fp == 2  # the odd source's clean reps, past the others' line
    # With the odd source in, its clean reps at 12-13 push the line to 14, past
    # the usual sources' faulty 11s.
    assert lean.chosen == [14.0, 14.0, 11.0]
    assert (lean.held_out.tp, lean.held_out.fn) == (3, 2)
    assert lean.today.fp == 2 and lean.clean_flagged == 2


def test_abstentions_are_counted_and_left_out_of_precision_and_recall() -> None:
    (lean,) = line_scores([_score("a", [(None, True), (None, False), (12.0, True)])])
    assert (lean.judged, lean.abstained) == (3, 2)
    assert lean.abstention == pytest.approx(2 / 3)
    assert (lean.today.tp, lean.today.fn) == (1, 0)


def test_the_new_real_clips_name_their_source_blob_and_checksum() -> None:
    with REAL_MORE.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    usable = [r for r in rows if r["usable_for_eval"].startswith("yes")]
    assert len(usable) >= 40
    assert len({r["source"] for r in usable}) >= 10
    for row in rows:
        assert re.fullmatch(r"[0-9a-f]{40}", row["blob"]), row["path"]
        assert re.fullmatch(r"[0-9a-f]{64}", row["sha256"]), row["path"]
        assert row["source"] and row["source_repo"].count("/") == 1
        spans = [s for s in row["rep_spans"].split(";") if s]
        assert len(spans) == len([f for f in row["faults_per_rep"].split(";") if f]), row["path"]


@pytest.mark.skipif(not (SHARED / "real_more").is_dir(), reason="needs ../shared/data/real_more")
def test_the_new_real_clips_are_read_with_their_sources() -> None:
    clips, _ = find_clips(SHARED / "real_more")
    assert len(clips) >= 40
    assert all(c.video.is_file() and c.source for c in clips)


@needs_chromium
def test_the_plots_page_shows_each_check_in_a_browser(tmp_path: Path) -> None:
    scores = [
        _score("a", [(2.0, False), (12.0, True)]),
        _score("b", [(3.0, False), (None, False), (14.0, True)]),
    ]
    evil = Clip(EVIL, "c", Path("c.mp4"), "deadlift", "side", 1, (), source="c")
    scores.append(
        Score(evil, count=1, readings=[Reading("squat_pattern", 40.0, False, 50.0, False)])
    )
    path = tmp_path / "plots.html"
    path.write_text(page(scores))
    dom = Dom()
    dom.feed(browse(path, tmp_path, "--dump-dom").stdout)
    assert dom.tags.get("figure") == 2
    assert dom.tags.get("svg", 0) >= 2
    assert dom.tags.get("script", 0) == 0
    assert "deadlift, lean_back: 4 reps measured, abstained on 20% of 5" in path.read_text()


def test_a_line_chosen_on_the_tune_renders_is_scored_on_the_check_renders() -> None:
    tune = [_score("a", [(2.0, False), (8.0, True), (12.0, True)])]
    check = [_score("b", [(9.0, False), (10.0, True)])]
    ((code, line, counts),) = chosen_on(tune, check)
    assert (code, line) == ("deadlift lean_back", 8.0)
    assert (counts.tp, counts.fp, counts.fn) == (1, 1, 0)


def test_each_exercise_keeps_its_own_line() -> None:
    swing = _score("s", [(20.0, False), (30.0, True)])
    swing = Score(replace(swing.clip, exercise="kb_swing"), count=1, readings=swing.readings)
    scores = [_score("a", [(2.0, False), (12.0, True)]), swing]
    assert [(ls.exercise, ls.code, ls.judged) for ls in line_scores(scores)] == [
        ("deadlift", "lean_back", 2),
        ("kb_swing", "lean_back", 2),
    ]


def test_real_clips_of_several_folders_are_also_pooled_by_source() -> None:
    first = _score("a", [(2.0, False), (12.0, True)])
    other = _score("b", [(3.0, False), (14.0, True)])
    other = Score(replace(other.clip, labels="real_more"), count=1, readings=other.readings)
    text = markdown([first, other])
    assert "every real clip: lines chosen leaving one source out" in text
    assert "| deadlift | lean_back | 4 |" in text
