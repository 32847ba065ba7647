"""The training history in SQLite: clients, sessions, sets, faults and pain reports.

One file (default: ``history.sqlite3`` in the user's data directory) that several
processes may write at once: WAL journaling, a busy timeout, and every write in
one ``BEGIN IMMEDIATE`` transaction, so a write that is interrupted leaves
nothing behind. The schema's version is SQLite's ``user_version``; opening a
file runs the migrations it has not seen, each in its own transaction.

A session is a client's training on one day; a set belongs to a session.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import platformdirs

from formcheck.coaching.facts import FollowUp, Inputs, Past, PastSet
from formcheck.errors import FormcheckError
from formcheck.report import SetReport

#: Each migration's statements; the schema's version is how many have run.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE clients (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL)""",
        """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            client_id INTEGER NOT NULL REFERENCES clients (id),
            day TEXT NOT NULL,
            UNIQUE (client_id, day))""",
        """CREATE TABLE sets (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions (id),
            recorded_at TEXT NOT NULL,
            source TEXT NOT NULL,
            exercise TEXT NOT NULL,
            reps INTEGER NOT NULL,
            flagged INTEGER NOT NULL,
            reps_target INTEGER,
            load REAL,
            unit TEXT,
            rpe REAL,
            pain INTEGER CHECK (pain BETWEEN 0 AND 10),
            hold_s REAL,
            good_form_s REAL,
            velocity_loss_pct REAL,
            program TEXT,
            week INTEGER,
            action TEXT,
            change_pct REAL,
            next_load REAL,
            next_reps INTEGER)""",
        """CREATE TABLE faults (
            id INTEGER PRIMARY KEY,
            set_id INTEGER NOT NULL REFERENCES sets (id) ON DELETE CASCADE,
            rep INTEGER,
            code TEXT NOT NULL,
            severity TEXT NOT NULL,
            value REAL,
            threshold REAL NOT NULL,
            unit TEXT NOT NULL,
            start_s REAL NOT NULL,
            end_s REAL NOT NULL)""",
        """CREATE TABLE pain_reports (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions (id),
            reported_at TEXT NOT NULL,
            hours_after REAL NOT NULL CHECK (hours_after > 0),
            score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10))""",
        "CREATE INDEX sets_by_session ON sets (session_id, exercise)",
        "CREATE INDEX faults_by_set ON faults (set_id)",
        "CREATE INDEX pain_by_session ON pain_reports (session_id)",
    ),
    # A set knows the video it came from, so that analysing that video again (a
    # batch re-run, another profile) replaces its set instead of adding a second.
    (
        "ALTER TABLE sets ADD COLUMN video_sha256 TEXT",
        "CREATE INDEX sets_by_video ON sets (video_sha256)",
    ),
)
#: Seconds a writer waits for another to finish before giving up.
BUSY_TIMEOUT_S = 30.0


class HistoryError(FormcheckError):
    """The history file cannot be used, or holds no such client or session."""


def default_path() -> Path:
    """Where the history lives unless ``--db`` says otherwise."""
    return platformdirs.user_data_path("formcheck") / "history.sqlite3"


@dataclass(frozen=True)
class SessionRow:
    """One session's sets of one exercise, as the history table shows them."""

    day: date
    exercise: str
    reps: tuple[int, ...]
    flagged: int
    load: float | None
    unit: str | None
    rpe: float | None
    pain: int | None
    follow_ups: tuple[tuple[float, int], ...]
    action: str | None
    next_load: float | None
    hold_s: float | None
    good_form_s: float | None


class History:
    """A history file, open; use as a context manager."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except (OSError, sqlite3.Error) as e:
            raise HistoryError(f"{path}: cannot open the history: {e}") from None
        try:
            self._db.execute("PRAGMA foreign_keys = ON")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._migrate()
        except (sqlite3.DatabaseError, HistoryError) as e:
            self._db.close()
            if isinstance(e, HistoryError):
                raise
            if isinstance(e, sqlite3.OperationalError):
                raise HistoryError(f"{path}: cannot open the history: {e}") from None
            raise HistoryError(f"{path}: not a formcheck history ({e})") from None

    def __enter__(self) -> History:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the file."""
        self._db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One transaction that takes the write lock at once; rolled back on any error."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as e:
            raise HistoryError(f"{self.path}: cannot write to the history: {e}") from None
        try:
            yield self._db
            self._db.execute("COMMIT")
        except BaseException as e:
            self._db.execute("ROLLBACK")
            if isinstance(e, sqlite3.Error):
                raise HistoryError(f"{self.path}: cannot write to the history: {e}") from None
            raise

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise HistoryError(
                f"{self.path}: written by a newer formcheck (schema {version}, this one "
                f"knows {len(MIGRATIONS)}): upgrade formcheck"
            )
        for number in range(version, len(MIGRATIONS)):
            with self._write() as db:
                if db.execute("PRAGMA user_version").fetchone()[0] != number:
                    continue  # another process migrated it meanwhile
                for statement in MIGRATIONS[number]:
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {number + 1}")

    @property
    def version(self) -> int:
        """The schema version of the file."""
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _client(self, name: str) -> int | None:
        row = self._db.execute("SELECT id FROM clients WHERE name = ?", (name,)).fetchone()
        return None if row is None else int(row[0])

    def record(
        self,
        client: str,
        day: date,
        report: SetReport,
        inputs: Inputs,
        now: datetime | None = None,
        video: str | None = None,
    ) -> int:
        """Record one analysed set (with its faults and suggestion); returns its id.

        ``video``: the sha256 of the video file; the client's earlier set from the
        same video, if any, is replaced (on whatever day it was recorded).
        """
        now = now or datetime.now().astimezone()
        with self._write() as db:
            if video is not None:
                self._forget_video(db, client, video)
            db.execute(
                "INSERT OR IGNORE INTO clients (name, created_at) VALUES (?, ?)",
                (client, now.isoformat()),
            )
            client_id = self._client(client)
            db.execute(
                "INSERT OR IGNORE INTO sessions (client_id, day) VALUES (?, ?)",
                (client_id, day.isoformat()),
            )
            session_id = db.execute(
                "SELECT id FROM sessions WHERE client_id = ? AND day = ?",
                (client_id, day.isoformat()),
            ).fetchone()[0]
            set_id = self._insert_set(db, session_id, now, report, inputs, video)
            db.executemany(
                "INSERT INTO faults (set_id, rep, code, severity, value, threshold, unit, "
                "start_s, end_s) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(set_id, *row) for row in _faults(report)],
            )
        return set_id

    def _insert_set(
        self,
        db: sqlite3.Connection,
        session_id: int,
        now: datetime,
        report: SetReport,
        inputs: Inputs,
        video: str | None,
    ) -> int:
        s = report.load_suggestion
        load = inputs.load
        holds = report.holds
        row = {
            "session_id": session_id,
            "recorded_at": now.isoformat(),
            "source": report.source.source,
            "exercise": report.exercise,
            "reps": report.summary.rep_count,
            "flagged": report.summary.flagged_reps,
            "reps_target": inputs.reps_target,
            "load": None if load is None else load.value,
            "unit": None if load is None else load.unit,
            "rpe": inputs.rpe,
            "pain": inputs.pain,
            "hold_s": report.summary.hold_s if holds else None,
            "good_form_s": report.summary.good_form_s if holds else None,
            "velocity_loss_pct": report.set_metrics.get("velocity_loss_pct"),
            "program": None if inputs.program is None else inputs.program.name,
            "week": inputs.week,
            "action": None if s is None else s.action,
            "change_pct": None if s is None else s.change_pct,
            "next_load": None if s is None else s.next_load,
            "next_reps": None if s is None else s.next_reps,
            "video_sha256": video,
        }
        names = ", ".join(row)
        marks = ", ".join("?" * len(row))
        cursor = db.execute(f"INSERT INTO sets ({names}) VALUES ({marks})", tuple(row.values()))
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def _forget_video(self, db: sqlite3.Connection, client: str, video: str) -> None:
        """Delete the client's sets from ``video``, and sessions left with nothing in them."""
        sessions = [
            row[0]
            for row in db.execute(
                "SELECT t.session_id FROM sets t JOIN sessions s ON s.id = t.session_id "
                "JOIN clients c ON c.id = s.client_id WHERE c.name = ? AND t.video_sha256 = ?",
                (client, video),
            )
        ]
        for session in sessions:
            db.execute(
                "DELETE FROM sets WHERE session_id = ? AND video_sha256 = ?", (session, video)
            )
            db.execute(
                "DELETE FROM sessions WHERE id = ? AND NOT EXISTS "
                "(SELECT 1 FROM sets WHERE session_id = ?) AND NOT EXISTS "
                "(SELECT 1 FROM pain_reports WHERE session_id = ?)",
                (session, session, session),
            )

    def record_pain(
        self, client: str, score: int, hours_after: float, now: datetime | None = None
    ) -> date:
        """Record pain ``hours_after`` the client's latest session; returns that session's day."""
        if not 0 <= score <= 10:
            raise HistoryError(f"a pain score is 0-10, not {score}")
        if not hours_after > 0:
            raise HistoryError(f"--hours-after must be more than 0, not {hours_after:g}")
        now = now or datetime.now().astimezone()
        with self._write() as db:
            row = db.execute(
                "SELECT s.id, s.day FROM sessions s JOIN clients c ON c.id = s.client_id "
                "WHERE c.name = ? ORDER BY s.day DESC LIMIT 1",
                (client,),
            ).fetchone()
            if row is None:
                raise HistoryError(
                    f"no session of client {client!r} on record: analyze a set first"
                )
            db.execute(
                "INSERT INTO pain_reports (session_id, reported_at, hours_after, score) "
                "VALUES (?, ?, ?, ?)",
                (row[0], now.isoformat(), hours_after, score),
            )
        return date.fromisoformat(row[1])

    def past(self, client: str, exercise: str, day: date, program: str | None = None) -> Past:
        """What the history knows that bears on a set of ``exercise`` on ``day``."""
        client_id = self._client(client)
        if client_id is None:
            return Past(consulted=True)
        db, today = self._db, day.isoformat()
        last = db.execute(
            "SELECT s.day, t.reps, t.reps_target, t.flagged FROM sets t "
            "JOIN sessions s ON s.id = t.session_id "
            "WHERE s.client_id = ? AND t.exercise = ? AND s.day < ? "
            "ORDER BY s.day DESC, t.id DESC LIMIT 1",
            (client_id, exercise, today),
        ).fetchone()
        sessions, sets_today = db.execute(
            "SELECT COUNT(DISTINCT CASE WHEN s.day < ? THEN s.id END), "
            "COUNT(CASE WHEN s.day = ? THEN 1 END) FROM sets t "
            "JOIN sessions s ON s.id = t.session_id WHERE s.client_id = ? AND t.exercise = ?",
            (today, today, client_id, exercise),
        ).fetchone()
        return Past(
            last_set=None if last is None else PastSet(date.fromisoformat(last[0]), *last[1:]),
            follow_up=self._follow_up(client_id, today),
            sessions=sessions,
            sets_today=sets_today,
            program_week=self._program_week(client_id, program, day),
            consulted=True,
        )

    def _follow_up(self, client_id: int, today: str) -> FollowUp | None:
        """The latest pain report after the last session before today (or today's own)."""
        session = self._db.execute(
            "SELECT s.id FROM sessions s WHERE s.client_id = ? AND (s.day < ? OR "
            "(s.day = ? AND EXISTS (SELECT 1 FROM pain_reports p WHERE p.session_id = s.id))) "
            "ORDER BY s.day DESC LIMIT 1",
            (client_id, today, today),
        ).fetchone()
        if session is None:
            return None
        report = self._db.execute(
            "SELECT score, hours_after FROM pain_reports WHERE session_id = ? "
            "ORDER BY hours_after DESC, id DESC LIMIT 1",
            session,
        ).fetchone()
        if report is None:
            return None
        during = self._db.execute("SELECT MAX(pain) FROM sets WHERE session_id = ?", session)
        return FollowUp(report[0], report[1], during.fetchone()[0])

    def _program_week(self, client_id: int, program: str | None, day: date) -> int | None:
        """The week of ``program`` on ``day``, counted from the client's first set of it."""
        if program is None:
            return None
        first = self._db.execute(
            "SELECT MIN(s.day) FROM sets t JOIN sessions s ON s.id = t.session_id "
            "WHERE s.client_id = ? AND t.program = ?",
            (client_id, program),
        ).fetchone()[0]
        if first is None:
            return None
        return max((day - date.fromisoformat(first)).days, 0) // 7 + 1

    def sessions(self, client: str, exercise: str | None = None) -> list[SessionRow]:
        """The client's sessions, oldest first, one row per exercise done in each.

        Raises:
            HistoryError: No such client.
        """
        client_id = self._client(client)
        if client_id is None:
            known = [r[0] for r in self._db.execute("SELECT name FROM clients ORDER BY name")]
            raise HistoryError(
                f"no client {client!r} in {self.path}"
                + (f"; known: {', '.join(known)}" if known else "")
            )
        cursor = self._db.execute(
            "SELECT s.id AS session_id, s.day, t.* FROM sets t "
            "JOIN sessions s ON s.id = t.session_id WHERE s.client_id = ? "
            "AND (? IS NULL OR t.exercise = ?) ORDER BY s.day, t.exercise, t.id",
            (client_id, exercise, exercise),
        )
        cursor.row_factory = sqlite3.Row
        grouped: dict[tuple[int, str], list[sqlite3.Row]] = {}
        for row in cursor:
            grouped.setdefault((row["session_id"], row["exercise"]), []).append(row)
        return [self._session_row(sets) for sets in grouped.values()]

    def _session_row(self, sets: Sequence[sqlite3.Row]) -> SessionRow:
        first, last = sets[0], sets[-1]
        follow = self._db.execute(
            "SELECT hours_after, score FROM pain_reports WHERE session_id = ? ORDER BY hours_after",
            (first["session_id"],),
        ).fetchall()

        def most(column: str) -> Any:
            seen = [s[column] for s in sets if s[column] is not None]
            return max(seen) if seen else None

        return SessionRow(
            day=date.fromisoformat(first["day"]),
            exercise=first["exercise"],
            reps=tuple(s["reps"] for s in sets),
            flagged=sum(s["flagged"] for s in sets),
            load=most("load"),
            unit=last["unit"],
            rpe=most("rpe"),
            pain=most("pain"),
            follow_ups=tuple((float(h), int(p)) for h, p in follow),
            action=last["action"],
            next_load=last["next_load"],
            hold_s=most("hold_s"),
            good_form_s=most("good_form_s"),
        )


def trend(rows: Sequence[SessionRow]) -> list[str]:
    """How an exercise went from its first session to its last: load, form, pain."""
    if len(rows) < 2:
        return []
    first, last = rows[0], rows[-1]
    span = f"{len(rows)} sessions, {first.day} to {last.day}"
    out = []
    if first.load is not None and last.load is not None and first.unit == last.unit:
        change = 100 * (last.load / first.load - 1)
        out.append(f"load {first.load:g} -> {last.load:g} {last.unit} ({change:+.0f} %)")
    if first.hold_s is not None and last.hold_s is not None:
        out.append(f"longest hold {first.hold_s:.0f} -> {last.hold_s:.0f} s")
    if sum(first.reps) and sum(last.reps):
        share = [100 * r.flagged / sum(r.reps) for r in (first, last)]
        out.append(f"flagged reps {share[0]:.0f} % -> {share[1]:.0f} %")
    if first.pain is not None and last.pain is not None:
        out.append(f"pain during {first.pain} -> {last.pain}/10")
    return [f"{span}: " + "; ".join(out)] if out else []


def _faults(report: SetReport) -> list[tuple[object, ...]]:
    """The faults of a set as rows: per rep, or per hold interval (no rep)."""
    rows: list[tuple[object, ...]] = [
        (r.index, f.code, f.severity, f.value, f.threshold, f.unit, f.start_s, f.end_s)
        for r in report.reps
        for f in r.faults
    ]
    rows += [
        (None, i.code, i.severity, i.value_deg, i.threshold_deg, "deg", i.start_s, i.end_s)
        for h in report.holds
        for i in h.faults
    ]
    return rows
