"""A tiny HTML table for ``_repr_html_``: results show as readable tables in Jupyter.

Pure Python (the domain imports no pandas): every cell and the caption are escaped with
``html.escape``, numbers are right-aligned, shares read as percentages, at most ``limit``
rows are shown, and a last line says how many more there are.

>>> print(html_table(("account", "tier"), [("acme", "A"), ("<b>", "B")], limit=1))
<table class="accountcare">
<caption style="text-align:left">2 rows</caption>
<thead><tr><th>account</th><th>tier</th></tr></thead>
<tbody>
<tr><td>acme</td><td>A</td></tr>
<tr><td colspan="2"><em>... and 1 more</em></td></tr>
</tbody>
</table>
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from html import escape
from itertools import islice
from typing import TypeGuard

__all__ = ["DEFAULT_ROWS", "cell_text", "html_table", "share_text"]

#: Rows shown before the "... and K more" line: enough to read, short enough to scroll.
DEFAULT_ROWS = 20

_RIGHT = ' style="text-align: right"'  # numbers line up on their last digit


def share_text(value: object) -> str:
    """A share (0.125) as the percentage a person reads (``12.5%``); other values as
    [`cell_text`][accountcare.domain._html.cell_text] writes them.

    >>> share_text(0.125), share_text(1), share_text(None)
    ('12.5%', '100.0%', '')
    """
    if _numeric(value):
        return f"{float(value):.1%}"
    return cell_text(value)


def _numeric(value: object) -> TypeGuard[int | float | Decimal]:
    """Whether ``value`` is a number (a bool is not): its cell is right-aligned."""
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def cell_text(value: object) -> str:
    """A value as the text a person reads in a table cell (not yet escaped).

    >>> cell_text(528078.07), cell_text(True), cell_text(None)
    ('528,078.07', 'yes', '')
    """
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value).replace("_", " ")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value == 0 or 1e-3 <= abs(value) < 1 or not 1 <= abs(value) < 1e15:
            return f"{value:.4g}"
        return f"{value:,.2f}".rstrip("0").rstrip(".")  # 528,078.07 and 1,000
    if isinstance(value, Decimal):
        return f"{value:,}"
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def html_table(
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    caption: str | None = None,
    limit: int = DEFAULT_ROWS,
    total: int | None = None,
    shares: Collection[str] = (),
) -> str:
    """An HTML table of ``rows`` under ``columns``, showing at most ``limit`` rows.

    ``total`` is the number of rows when ``rows`` is a lazy iterable that should not be
    consumed past ``limit``; otherwise the rows are counted. The caption defaults to the
    row count. Numeric cells are right-aligned; the numbers of the columns named in
    ``shares`` are shown as percentages.

    >>> print(html_table(("account", "share"), [("acme", 0.125)], shares={"share"}))
    <table class="accountcare">
    <caption style="text-align:left">1 row</caption>
    <thead><tr><th>account</th><th>share</th></tr></thead>
    <tbody>
    <tr><td>acme</td><td style="text-align: right">12.5%</td></tr>
    </tbody>
    </table>
    """
    iterator = iter(rows)
    shown = list(islice(iterator, max(limit, 0)))
    count = total if total is not None else len(shown) + sum(1 for _ in iterator)
    if caption is None:
        caption = f"{count:,} row{'' if count == 1 else 's'}"
    head = "".join(f"<th>{escape(name)}</th>" for name in columns)
    lines = [
        '<table class="accountcare">',
        f'<caption style="text-align:left">{escape(caption)}</caption>',
        f"<thead><tr>{head}</tr></thead>",
        "<tbody>",
    ]
    percent = {i for i, name in enumerate(columns) if name in shares}
    for row in shown:
        cells = "".join(
            f"<td{_RIGHT if _numeric(cell) else ''}>"
            f"{escape(share_text(cell) if i in percent else cell_text(cell))}</td>"
            for i, cell in enumerate(row)
        )
        lines.append(f"<tr>{cells}</tr>")
    if count > len(shown):
        more = count - len(shown)
        lines.append(f'<tr><td colspan="{len(columns)}"><em>... and {more:,} more</em></td></tr>')
    lines += ["</tbody>", "</table>"]
    return "\n".join(lines)
