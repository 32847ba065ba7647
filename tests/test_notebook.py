"""The walkthrough notebook runs from top to bottom against the package as it is."""

from __future__ import annotations

import re
from pathlib import Path

import nbclient
import nbformat

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def test_the_walkthrough_executes_and_finds_the_labelled_reps() -> None:
    notebook = nbformat.read(NOTEBOOKS / "walkthrough.ipynb", as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": NOTEBOOKS}}
    )
    client.execute()  # raises CellExecutionError, with the cell and its traceback, on any error
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    figures = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(figures) == 4
    counted = re.search(r"(\d+) reps counted, (\d+) in the labels", text)
    assert counted is not None and counted[1] == counted[2]
    flagged = re.search(r"flagged reps: ours (\[.*\]), labels (\[.*\])", text)
    assert flagged is not None and flagged[1] == flagged[2] != "[]"
