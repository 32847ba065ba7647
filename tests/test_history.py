"""The SQLite history, through real files and real processes."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sets import hold, report

from formcheck import history
from formcheck.coaching.facts import Inputs
from formcheck.coaching.loads import Load
from formcheck.coaching.program import PROGRAMS
from formcheck.history import MIGRATIONS, History, HistoryError, trend

DAY = date(2026, 11, 2)
NOON = datetime(2026, 11, 2, 12, tzinfo=UTC)


def count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def test_a_set_round_trips_with_its_faults(tmp_path):
    path = tmp_path / "h.sqlite3"
    inputs = Inputs(Load(100, "kg"), reps_target=5, rpe=8, pain=2)
    with History(path) as h:
        h.record("Ana", DAY, report("...mM"), inputs, NOON)
        rows = h.sessions("Ana")
    assert len(rows) == 1
    row = rows[0]
    assert (row.day, row.exercise, row.reps, row.flagged) == (DAY, "deadlift", (5,), 2)
    assert (row.load, row.unit, row.rpe, row.pain) == (100.0, "kg", 8.0, 2)
    with sqlite3.connect(path) as db:
        faults = db.execute("SELECT rep, code, severity, value, threshold FROM faults").fetchall()
    assert faults == [
        (4, "rounded_back", "minor", 12.0, 8.0),
        (5, "rounded_back", "major", 12.0, 8.0),
    ]


def test_a_video_analysed_again_replaces_its_set_wherever_it_was(tmp_path):
    path = tmp_path / "h.sqlite3"
    later = date(2026, 11, 9)
    with History(path) as h:
        h.record("Ana", DAY, report("..M"), Inputs(), NOON, video="aa")
        h.record("Ana", DAY, report("..."), Inputs(), NOON, video="bb")
        h.record("Ben", DAY, report("M"), Inputs(), NOON, video="aa")
        h.record("Ana", later, report("...."), Inputs(), NOON, video="aa")
        ana = h.sessions("Ana")
        ben = h.sessions("Ben")
    assert [(r.day, r.reps) for r in ana] == [(DAY, (3,)), (later, (4,))]
    assert [r.reps for r in ben] == [(1,)]  # another client's set of the same file stays
    assert count(path, "faults") == 1  # the replaced set's fault went with it


def test_a_video_replaced_on_another_day_leaves_no_empty_session(tmp_path):
    path = tmp_path / "h.sqlite3"
    with History(path) as h:
        h.record("Ana", DAY, report("..."), Inputs(), NOON, video="aa")
        h.record("Ana", date(2026, 11, 9), report("..."), Inputs(), NOON, video="aa")
    assert count(path, "sessions") == 1


def test_holds_keep_their_times_and_fault_intervals(tmp_path):
    path = tmp_path / "h.sqlite3"
    with History(path) as h:
        h.record("Ana", DAY, report(exercise="plank", holds=[hold(0, 40, [(30, 40)])]), Inputs())
        (row,) = h.sessions("Ana", "plank")
    assert (row.hold_s, row.good_form_s, row.reps) == (40.0, 30.0, (0,))
    assert count(path, "faults") == 1


def test_the_past_of_a_set(tmp_path):
    program = PROGRAMS["single_leg_rdl_14w"]
    with History(tmp_path / "h.sqlite3") as h:
        h.record("Ana", DAY, report("." * 15, "single_leg_rdl"), Inputs(program=program))
        h.record("Ana", date(2026, 11, 20), report("." * 9, "single_leg_rdl"), Inputs())
        h.record("Ana", date(2026, 11, 20), report("." * 8, "single_leg_rdl"), Inputs())
        assert h.past("Bo", "single_leg_rdl", DAY).sessions == 0  # no such client
        past = h.past("Ana", "single_leg_rdl", date(2026, 11, 20), program.name)
        later = h.past("Ana", "single_leg_rdl", date(2026, 11, 23), program.name)
    assert past.sets_today == 2 and past.sessions == 1
    assert past.last_set is not None and (past.last_set.day, past.last_set.reps) == (DAY, 15)
    assert past.program_week == 3  # 18 days after the program's first set
    assert later.last_set is not None and later.last_set.reps == 8  # the day's last set
    assert later.program_week == 4 and later.sessions == 2


def test_follow_up_pain_goes_with_the_latest_session(tmp_path):
    with History(tmp_path / "h.sqlite3") as h:
        h.record("Ana", DAY, report("....."), Inputs(pain=2))
        h.record("Ana", DAY, report("....."), Inputs(pain=3))
        assert h.record_pain("Ana", 1, 8) == DAY
        h.record_pain("Ana", 5, 24)
        follow = h.past("Ana", "rdl", date(2026, 11, 4)).follow_up
        with pytest.raises(HistoryError, match="no session of client 'Bo'"):
            h.record_pain("Bo", 1, 8)
        with pytest.raises(HistoryError, match="0-10"):
            h.record_pain("Ana", 11, 8)
    assert follow is not None
    assert (follow.score, follow.hours_after, follow.during) == (5, 24.0, 3)


def test_sessions_of_an_unknown_client_name_the_known_ones(tmp_path):
    with History(tmp_path / "h.sqlite3") as h:
        h.record("Ana", DAY, report("."), Inputs())
        with pytest.raises(HistoryError, match=r"no client 'Bo'.*known: Ana"):
            h.sessions("Bo")


def test_trend_from_first_session_to_last(tmp_path):
    with History(tmp_path / "h.sqlite3") as h:
        h.record("Ana", DAY, report("...mm"), Inputs(Load(80, "kg"), pain=4))
        h.record("Ana", date(2026, 11, 9), report("....."), Inputs(Load(90, "kg"), pain=2))
        rows = h.sessions("Ana")
    (line,) = trend(rows)
    assert line.startswith("2 sessions, 2026-11-02 to 2026-11-09")
    assert "load 80 -> 90 kg (+12 %)" in line and "flagged reps 40 % -> 0 %" in line
    assert "pain during 4 -> 2/10" in line
    assert trend(rows[:1]) == []


def test_schema_is_versioned_and_a_newer_file_refused(tmp_path):
    path = tmp_path / "h.sqlite3"
    with History(path) as h:
        assert h.version == len(MIGRATIONS)
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(HistoryError, match="newer formcheck"):
        History(path)


def test_a_new_migration_runs_once_on_an_older_file_and_keeps_its_data(tmp_path, monkeypatch):
    path = tmp_path / "h.sqlite3"
    with History(path) as h:
        h.record("Ana", DAY, report(".."), Inputs())
    extra = ("ALTER TABLE clients ADD COLUMN notes TEXT", "UPDATE clients SET notes = 'moved'")
    monkeypatch.setattr(history, "MIGRATIONS", (*MIGRATIONS, extra))
    for _ in range(2):  # the second opening finds nothing left to run
        with History(path) as h:
            assert h.version == len(MIGRATIONS) + 1
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT name, notes FROM clients").fetchall() == [("Ana", "moved")]
    assert count(path, "sets") == 1


def test_a_file_that_is_no_database_is_a_clear_error(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not a database " * 100)
    with pytest.raises(HistoryError, match="not a formcheck history"):
        History(path)
    assert path.read_text().startswith("not a database")  # left as it was


def _write_sets(path: str, client: str, n: int) -> None:
    with History(Path(path)) as h:
        for i in range(n):
            h.record(client, DAY, report("..m", source=f"{client}{i}.mp4"), Inputs(pain=1))


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    path = tmp_path / "h.sqlite3"
    History(path).close()
    spawn = multiprocessing.get_context("spawn")
    workers = [spawn.Process(target=_write_sets, args=(str(path), c, 40)) for c in ("Ana", "Ana")]
    workers.append(spawn.Process(target=_write_sets, args=(str(path), "Bo", 40)))
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    assert count(path, "sets") == 120 and count(path, "faults") == 120
    assert count(path, "clients") == 2 and count(path, "sessions") == 2  # one day each


def _die_while_writing_faults(path: str) -> None:
    h = History(Path(path))

    def trace(statement: str) -> None:
        if statement.startswith("INSERT INTO faults"):
            os.kill(os.getpid(), signal.SIGKILL)

    h._db.set_trace_callback(trace)
    h.record("Ana", date(2026, 11, 3), report(".mm"), Inputs())


def test_a_write_killed_half_way_leaves_the_history_consistent(tmp_path):
    path = tmp_path / "h.sqlite3"
    with History(path) as h:
        h.record("Ana", DAY, report("..m"), Inputs())
    child = multiprocessing.get_context("spawn").Process(
        target=_die_while_writing_faults, args=(str(path),)
    )
    child.start()
    child.join(60)
    assert child.exitcode == -signal.SIGKILL
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert (count(path, "sets"), count(path, "faults"), count(path, "sessions")) == (1, 1, 1)
    with History(path) as h:  # and it takes the next write
        h.record("Ana", date(2026, 11, 3), report(".mm"), Inputs())
        assert [r.day for r in h.sessions("Ana")] == [DAY, date(2026, 11, 3)]
