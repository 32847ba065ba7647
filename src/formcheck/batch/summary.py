"""A batch's ``summary.csv`` and ``index.html``: a row per video, grouped by client.

The rows are sorted by client, then video name, so both files are the same
whatever the engine, the number of workers, or how often the batch was resumed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import fields
from html import escape
from itertools import groupby
from pathlib import Path
from urllib.parse import quote

from formcheck.batch.work import Row
from formcheck.files import write_text
from formcheck.outputs.html import STYLE

#: The summary's columns, as Row names them.
COLUMNS = tuple(f.name for f in fields(Row))
#: index.html's columns: (Row field, heading, numeric).
SHOWN = (
    ("name", "Video", False),
    ("day", "Day", False),
    ("exercise", "Exercise", False),
    ("status", "Status", False),
    ("view", "View", False),
    ("reps", "Reps", True),
    ("flagged", "Flagged", True),
    ("hold_s", "Hold (s)", True),
    ("good_form_s", "Good form (s)", True),
    ("cue", "Main cue", False),
    ("action", "Next set", False),
    ("message", "Notes", False),
)
STATUS_CLASS = {"ok": "good", "partial": "check", "error": "fix"}

#: Clicking a heading sorts the rows of every client's group by that column.
SORT_SCRIPT = """
document.querySelectorAll("th[data-col]").forEach(th => th.addEventListener("click", () => {
  const col = +th.dataset.col, num = th.dataset.num === "1";
  const up = th.getAttribute("aria-sort") !== "ascending";
  document.querySelectorAll("th[data-col]").forEach(h => h.removeAttribute("aria-sort"));
  th.setAttribute("aria-sort", up ? "ascending" : "descending");
  document.querySelectorAll("tbody").forEach(body => {
    const rows = [...body.querySelectorAll("tr.video")];
    const key = r => r.children[col].dataset.sort ?? r.children[col].textContent;
    rows.sort((a, b) => {
      const x = key(a), y = key(b);
      const c = num ? (x === "" ? 1 : y === "" ? -1 : x - y) : x.localeCompare(y);
      return up ? c : -c;
    });
    rows.forEach(r => body.appendChild(r));
  });
}));
"""


def ordered(rows: Sequence[Row]) -> list[Row]:
    """The rows by client (those without one last), then by video name."""
    return sorted(rows, key=lambda r: (r.client is None, r.client or "", r.name))


def write_summary(rows: Sequence[Row], out: Path) -> None:
    """Write ``out/summary.csv`` and ``out/index.html``, each atomically."""
    rows = ordered(rows)
    write_text(out / "summary.csv", summary_csv(rows))
    write_text(out / "index.html", index_html(rows))


def summary_csv(rows: Sequence[Row]) -> str:
    """A line per video, every column of :class:`Row`; blank where there is no value."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row.as_dict().values()])
    return text.getvalue()


def index_html(rows: Sequence[Row]) -> str:
    """The page: a table with a group of rows per client, each video linking its report."""
    counts = {s: sum(r.status == s for r in rows) for s in STATUS_CLASS}
    heads = "".join(
        f'<th data-col="{i}" data-num="{int(num)}" title="sort">{escape(title)}</th>'
        for i, (_, title, num) in enumerate(SHOWN)
    )
    groups = "".join(
        _group(client, list(members)) for client, members in groupby(rows, key=lambda r: r.client)
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>formcheck batch</title><style>{STYLE}th[data-col]{{cursor:pointer}}"
        "tr.group th{background:#eaeef2}</style></head><body>"
        "<h1>formcheck batch</h1>"
        f'<p class="muted">{len(rows)} videos: {counts["ok"]} checked, '
        f"{counts['partial']} partly (the video ends early), {counts['error']} not checked. "
        "Click a heading to sort.</p>"
        f"<table><thead><tr>{heads}</tr></thead>{groups}</table>"
        f"<script>{SORT_SCRIPT}</script></body></html>\n"
    )


def _group(client: str | None, rows: list[Row]) -> str:
    name = "No client" if client is None else f"Client: {client}"
    flagged = sum(r.flagged or 0 for r in rows)
    head = (
        f'<tr class="group"><th colspan="{len(SHOWN)}">{escape(name)} '
        f'<span class="muted">({len(rows)} videos, {flagged} flagged reps)</span></th></tr>'
    )
    data = client or ""
    return f'<tbody data-client="{escape(data)}">{head}{"".join(map(_row, rows))}</tbody>'


def _row(row: Row) -> str:
    values = row.as_dict()
    cells = []
    for field, _, num in SHOWN:
        value = values[field]
        text = "" if value is None else str(value)
        if field == "name" and row.report is not None:
            cell = f'<a href="{escape(quote(row.report))}">{escape(text)}</a>'
        elif field == "status":
            cell = f'<span class="tone {STATUS_CLASS[row.status]}">{escape(text)}</span>'
        elif field == "action" and row.action is not None and row.next_load is not None:
            cell = escape(f"{row.action} {row.next_load:g} {row.unit or ''}".strip())
        else:
            cell = escape(text)
        sort = f' data-sort="{escape(text)}"' if num or field == "status" else ""
        klass = ' class="num"' if num else ""
        cells.append(f"<td{klass}{sort}>{cell}</td>")
    return f'<tr class="video">{"".join(cells)}</tr>'
