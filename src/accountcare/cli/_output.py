"""Rendering rows for the terminal: a rich table, CSV or JSON (``--format``)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

import click

__all__ = ["emit"]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def emit(
    rows: Sequence[Sequence[Any]],
    header: Sequence[str],
    *,
    fmt: str,
    title: str = "",
) -> None:
    """Print ``rows`` under ``header`` as a table, CSV or JSON lines of objects."""
    if fmt == "json":
        objects = [dict(zip(header, map(_json_value, row), strict=True)) for row in rows]
        click.echo(json.dumps(objects, ensure_ascii=False, indent=1))
        return
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([[_text(c) for c in row] for row in rows])
        click.echo(buffer.getvalue(), nl=False)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title or None, show_lines=False)
    for name in header:
        table.add_column(name)
    for row in rows:
        table.add_row(*(_text(c) for c in row))
    Console().print(table)


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
