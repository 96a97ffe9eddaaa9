"""Shared timing and table printing for the benchmark scripts.

Each script measures its rows and a reference in the same run and prints one table with
the ratio; ``python benchmarks/run_all.py`` runs every script.
"""

from __future__ import annotations

import gc
import os
import platform
import time
from collections.abc import Callable, Sequence
from typing import Any


def best_of(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    """The best wall-clock time of ``repeat`` runs of ``fn`` (with GC collected first),
    and the last result."""
    best = float("inf")
    result: Any = None
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def machine() -> str:
    """A one-line description of the machine the figures come from."""
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table, ready to paste into docs/performance.md."""
    cells = [[str(c) for c in header], *[[_cell(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = [f"### {title}", "", f"Machine: {machine()}", ""]
    for n, row in enumerate(cells):
        lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
        if n == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def recipients(messages: Any) -> Any:
    """A batch storing the consenting contacts ``messages`` go to (a dispatcher sends a
    message only to a stored contact who may be reached on its channel)."""
    from accountcare.domain import Account, Contact
    from accountcare.ports.store import Batch

    contacts = [
        Contact(
            id=m.recipient.contact_id,
            account_id="bench",
            name=m.recipient.name,
            emails=[m.recipient.address],
            channels=[m.channel],
            consents=[m.channel],
        )
        for m in messages
    ]
    return Batch(accounts=[Account(id="bench", name="Bench")], contacts=contacts)
