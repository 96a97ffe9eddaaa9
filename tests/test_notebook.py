"""The example notebook runs from top to bottom and draws its three plots.

It runs in a kernel of this very interpreter (a kernelspec written to a temporary
``JUPYTER_PATH``, so nothing needs installing first), in a temporary working directory,
with its PNGs sent to a temporary folder: the committed ``docs/img`` is never touched.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

nbclient = pytest.importorskip("nbclient")
nbformat = pytest.importorskip("nbformat")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")
pytest.importorskip("pandas")

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "notebooks" / "tour.ipynb"
PLOTS = ("care-touches.png", "pareto.png", "visit-heatmap.png")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_notebook_is_stored_without_outputs() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)


@pytest.mark.slow
def test_notebook_runs_and_saves_its_plots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kernels = tmp_path / "jupyter" / "kernels" / "python3"
    kernels.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (tests)",
        "language": "python",
    }
    (kernels / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    images, work = tmp_path / "img", tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    monkeypatch.setenv("ACCOUNTCARE_IMG_DIR", str(images))
    committed = {p: p.stat().st_mtime_ns for p in (NOTEBOOK.parents[1] / "img").glob("*.png")}

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=600,
        startup_timeout=120,
        resources={"metadata": {"path": str(work)}},
    )
    client.execute()  # raises CellExecutionError, with the traceback, if any cell fails

    for name in PLOTS:
        data = (images / name).read_bytes()
        assert data.startswith(PNG_SIGNATURE), name
        assert len(data) > 10_000, f"{name} is suspiciously small"
    assert not list(work.iterdir())  # nothing written to the working directory
    assert {p: p.stat().st_mtime_ns for p in committed} == committed
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.execution_count for cell in code)
    assert not [o for cell in code for o in cell.outputs if o.output_type == "error"]
    shown = [o for cell in code for o in cell.outputs if "text/html" in o.get("data", {})]
    assert any("Visit plan" in o["data"]["text/html"] for o in shown)
    assert any("Care schedule" in o["data"]["text/html"] for o in shown)
    assert any("abc tiers of 300 accounts" in o["data"]["text/html"] for o in shown)
