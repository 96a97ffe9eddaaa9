"""Rendering rows for the terminal: a rich table, CSV or JSON (``--format``), and CSV files.

Every CSV the command writes goes through [`csv_text`][accountcare.cli._output.csv_text],
which makes it safe to open in a spreadsheet:

- A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (or
  the full-width ``＝``, ``＋``, ``－``, ``＠``) gets a leading ``'``, the OWASP rule
  against CSV formula injection, so ``=HYPERLINK(...)`` from a record is shown as text
  and never run. Numbers the command computed (``int``, ``float``, ``Decimal``) are data,
  not text from a record, and keep their sign: ``-12.5`` stays ``-12.5``.
- A cell holding a line break (``\\n`` or a bare ``\\r``) is always quoted, so it cannot
  start a row of its own.
- ``--excel`` writes UTF-8 with a byte order mark and CRLF line ends, which Excel needs to
  show ``王小明`` and ``김민수`` instead of mojibake.

In the table, values are shown as plain text: rich markup (``[link=...]``) is not
interpreted and control characters (an escape sequence, a bell) are shown as ``\\x1b``,
so a name cannot restyle the terminal or plant a link in it.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from numbers import Number
from pathlib import Path
from typing import Any

import click

from accountcare.cli._group import Settings, UserError

__all__ = ["csv_cell", "csv_text", "emit", "output_file", "print_rows", "write_csv"]

# What a spreadsheet takes for the start of a formula (OWASP, plus the full-width forms
# that some East Asian spreadsheet settings read as their ASCII twins).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_NUMBERS = (int, float, Decimal)
# Characters a terminal acts on instead of showing: C0 and C1 controls except the line
# break, and the bidirectional overrides that reorder what is shown.
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def csv_cell(value: Any, render: Callable[[Any], str] = str) -> str:
    """``value`` as a CSV cell that a spreadsheet shows as it is and never runs.

    Text starting like a formula gets a leading ``'``; a number (``int``, ``float``,
    ``Decimal``) is data the command computed and is written by ``render`` as it is.

    >>> [csv_cell(v) for v in ('=HYPERLINK("http://evil.example","x")', "-1+1", -12.5)]
    ['\\'=HYPERLINK("http://evil.example","x")', "'-1+1", '-12.5']
    >>> [csv_cell(v) for v in ("王小明", None, Decimal("-3"), True)]
    ['王小明', '', '-3', 'True']
    """
    if type(value) is str:
        return "'" + value if value.startswith(_FORMULA_START) else value
    if value is None:
        return ""
    # The concrete types first, the quick check; then numpy's and other registered numbers.
    if isinstance(value, (*_NUMBERS, Number)) and not isinstance(value, bool):
        return render(value)
    text = render(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_text(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    crlf: bool = True,
    render: Callable[[Any], str] = str,
) -> str:
    """``header`` and ``rows`` as CSV, every cell made safe by
    [`csv_cell`][accountcare.cli._output.csv_cell]; rows end in CRLF, or LF if not ``crlf``.

    A cell with a line break is quoted whichever the line end: the ``csv`` module quotes
    only the characters of its own line end, so with LF a row holding a bare CR is
    written with every cell quoted.

    >>> csv_text(("name", "delta"), [("@SUM(A1)", -4), ("a\\rb", 1)], crlf=False)
    'name,delta\\n\\'@SUM(A1),-4\\n"a\\rb","1"\\n'
    """
    buffer = io.StringIO()
    end = "\r\n" if crlf else "\n"
    minimal = csv.writer(buffer, lineterminator=end)
    quote_all = csv.writer(buffer, lineterminator=end, quoting=csv.QUOTE_ALL)
    minimal.writerow([csv_cell(c) for c in header])
    for row in rows:
        cells = [csv_cell(c, render) for c in row]
        if not crlf and any("\r" in c for c in cells):
            quote_all.writerow(cells)
        else:
            minimal.writerow(cells)
    return buffer.getvalue()


def output_file(option: str, raw: str) -> Path:
    """The file ``option`` names for writing, checked before any work is done, so a bad
    path fails the command before anything is stored.

    >>> output_file("--output", "/no/such/folder/tiers.csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    accountcare.cli._group.UserError: --output: the folder '/no/such/folder' does not exist
    """
    path = Path(raw)
    if path.is_dir():
        raise UserError(f"{option}: {raw!r} is a directory")
    if not path.parent.is_dir():
        raise UserError(f"{option}: the folder {str(path.parent)!r} does not exist")
    return path


def write_csv(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], *, excel: bool = False
) -> None:
    """Write ``rows`` under ``header`` to the file at ``path``, whole or not at all:
    UTF-8 (with a byte order mark if ``excel``), CRLF line ends.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "t.csv"
    >>> write_csv(path, ("name",), [("김민수",)], excel=True)
    >>> path.read_bytes()
    b'\\xef\\xbb\\xbfname\\r\\n\\xea\\xb9\\x80\\xeb\\xaf\\xbc\\xec\\x88\\x98\\r\\n'
    """
    data = csv_text(header, rows, crlf=True).encode("utf-8-sig" if excel else "utf-8")
    temporary = path.with_name(f".{path.name}.partial")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def emit(
    rows: Sequence[Sequence[Any]],
    header: Sequence[str],
    *,
    fmt: str,
    title: str = "",
    excel: bool = False,
) -> None:
    """Print ``rows`` under ``header`` as a table, CSV or JSON lines of objects.

    CSV is safe for spreadsheets (see [`csv_text`][accountcare.cli._output.csv_text]);
    with ``excel`` it is UTF-8 with a byte order mark and CRLF line ends.

    >>> emit([("=1+1", -2)], ("name", "delta"), fmt="csv")
    name,delta
    '=1+1,-2
    """
    if fmt == "json":
        objects = [dict(zip(header, map(_json_value, row), strict=True)) for row in rows]
        click.echo(json.dumps(objects, ensure_ascii=False, indent=1))
        return
    if fmt == "csv":
        text = csv_text(header, rows, crlf=excel, render=_text)
        click.echo(text.encode("utf-8-sig") if excel else text, nl=False)
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(_shown(title)) if title else None, show_lines=False)
    for name in header:
        table.add_column(Text(name))
    for row in rows:
        table.add_row(*(Text(_shown(_text(c))) for c in row))
    Console().print(table)


def print_rows(
    settings: Settings, rows: Sequence[Sequence[Any]], header: Sequence[str], title: str = ""
) -> None:
    """[`emit`][accountcare.cli._output.emit] in the ``--format`` and with the ``--excel``
    of ``settings``."""
    emit(rows, header, fmt=settings.format, title=title, excel=settings.excel)


def _shown(text: str) -> str:
    """``text`` with the characters a terminal would act on written out (``\\x1b``)."""
    return _CONTROL.sub(_escape, text)


def _escape(found: re.Match[str]) -> str:
    code = ord(found.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
