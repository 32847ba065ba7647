"""The coaching commands: a load suggestion from analyze, the history, follow-up pain."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from figures import hinge
from test_analyze import rdl_set
from test_cli import one_line_error, run


@pytest.fixture
def late_break(tmp_path: Path) -> Path:
    """Seven RDLs, the fifth and sixth stopping 25 deg short of upright."""
    path = tmp_path / "late.npz"
    hinge(rdl_set([0, 0, 0, 0, 25, 25, 0])).save(path)
    return path


def analyze(npz: Path, out: Path, *extra: str):
    return run("analyze", str(npz), "-e", "rdl", "-o", str(out), *extra)


def test_the_suggestion_reaches_the_report_and_the_console(late_break, tmp_path):
    out = tmp_path / "out"
    result = analyze(late_break, out, "--load", "60kg", "--rpe", "8", "--reps-target", "7")
    assert result.exit_code == 0, result.output
    s = json.loads((out / "report.json").read_text())["load_suggestion"]
    assert (s["action"], s["next_load"], s["unit"], s["next_reps"]) == ("hold", 60.0, "kg", 4)
    assert "broke down from rep 5" in s["reasons"][0]
    assert "Suggestion: hold - 60 kg, 4 reps" in result.stdout


def test_history_across_sessions_with_follow_up_pain(late_break, tmp_path):
    db = tmp_path / "h.sqlite3"
    who = ["--client", "Zoë <b>&", "--db", str(db)]
    first = analyze(late_break, tmp_path / "a", "--load", "60kg", "--pain", "2", *who,
                    "--date", "2026-11-02")  # fmt: skip
    assert first.exit_code == 0, first.output
    pain = run("pain", *who[:2], "--score", "6", "--hours-after", "24", "--db", str(db))
    assert pain.exit_code == 0 and "6/10 24 h after" in pain.stdout
    analyze(late_break, tmp_path / "b", "--load", "60kg", *who, "--date", "2026-11-04")
    s = json.loads((tmp_path / "b" / "report.json").read_text())["load_suggestion"]
    assert s["action"] == "regress" and s["next_load"] < 60
    assert "pain 6/10 24 h after the last session" in s["reasons"][0]
    shown = run("history", *who)
    assert shown.exit_code == 0, shown.output
    text = " ".join(shown.stdout.split())
    assert "Zoë <b>&: 2 sessions" in text and "2026-11-02" in text and "2026-11-04" in text
    assert "6@24h" in text and "regress" in text
    assert "flagged reps 29 % -> 29 %" in text
    with sqlite3.connect(db) as h:
        assert h.execute("SELECT COUNT(*) FROM sets").fetchone() == (2,)


def test_the_program_week_comes_from_the_first_session(tmp_path):
    db = tmp_path / "h.sqlite3"
    npz = tmp_path / "s.npz"
    hinge(rdl_set([0, 0, 0])).save(npz)
    args = ["-e", "single_leg_rdl", "--program", "single_leg_rdl_14w", "--client", "Al"]
    for day, out in (("2026-11-02", "a"), ("2026-11-20", "b")):
        result = run("analyze", str(npz), "-o", str(tmp_path / out), *args, "--db", str(db),
                     "--date", day)  # fmt: skip
        assert result.exit_code == 0, result.output
    s = json.loads((tmp_path / "b" / "report.json").read_text())["load_suggestion"]
    assert s["prescription"].startswith("week 3 of 14: 5x15 at RPE 4-6")


@pytest.mark.parametrize(
    ("extra", "code", "text"),
    [
        (["--load", "100"], 2, "e.g. 100kg"),
        (["--rpe", "7.3"], 2, "half steps"),
        (["--program", "couch_to_5k"], 2, "unknown program 'couch_to_5k'"),
        (["--program", "single_leg_rdl_14w"], 2, "is for single_leg_rdl, not rdl"),
        (["--week", "3"], 2, "--week needs --program"),
        (["--db", "x.sqlite3"], 2, "--db needs --client"),
        (["--client", " "], 2, "--client needs a name"),
    ],
)
def test_coaching_options_that_make_no_sense(late_break, tmp_path, extra, code, text):
    out = tmp_path / "out"
    one_line_error(analyze(late_break, out, *extra), code, text)
    assert not out.exists()


def test_a_history_file_that_is_no_database_stops_before_the_work(late_break, tmp_path):
    db = tmp_path / "notes.sqlite3"
    db.write_text("shopping list\n" * 200)
    out = tmp_path / "out"
    one_line_error(
        analyze(late_break, out, "--client", "Al", "--db", str(db)), 1, "not a formcheck history"
    )
    assert not out.exists() and db.read_text().startswith("shopping list")


def test_history_and_pain_of_an_unknown_client(tmp_path):
    db = ["--db", str(tmp_path / "h.sqlite3")]
    one_line_error(run("history", "--client", "Nobody", *db), 1, "no client 'Nobody'")
    one_line_error(
        run("pain", "--client", "Nobody", "--score", "3", "--hours-after", "8", *db),
        1,
        "no session of client 'Nobody'",
    )
    one_line_error(
        run("pain", "--client", "Nobody", "--score", "3", "--hours-after", "0", *db),
        1,
        "--hours-after must be more than 0",
    )
