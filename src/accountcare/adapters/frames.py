"""pandas interop: every result as a DataFrame, and back where it makes sense (extra ``frames``).

Rows are the values' fields as the one converter writes them (dates as dates, money as
Decimal, enums as their values); nested values become dotted columns
(``checklist.appointment_made``). :func:`from_frame` reverses :func:`to_frame` for any
flat or nested attrs class.

>>> from datetime import date
>>> from accountcare.domain import Visit, VisitPurpose
>>> visit = Visit(account_id="acme", rep_id="rep-1", on=date(2027, 1, 4),
...               purpose=VisitPurpose.ROUTINE)
>>> frame = to_frame([visit])
>>> list(frame.columns[:4])
['account_id', 'rep_id', 'on', 'purpose']
>>> from_frame(frame, Visit) == [visit]
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from accountcare._imports import require
from accountcare.domain.tiers import TierAssignment
from accountcare.serialization import structure, unstructure

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["assignments_frame", "from_frame", "to_frame"]

T = TypeVar("T")


def _flatten(plain: Any, original: Any, prefix: str, row: dict[str, Any]) -> None:
    """Flatten the converter's dict for one value into dotted columns, keeping dates,
    times and Decimals as typed cells (taken from the original value) rather than as
    the ISO strings the converter writes."""
    for key, cell in plain.items():
        name = f"{prefix}{key}"
        source = getattr(original, key, None)
        if isinstance(cell, dict) and attrs.has(type(source)):
            _flatten(cell, source, f"{name}.", row)
        elif isinstance(source, date | time | Decimal) and not isinstance(source, bool):
            row[name] = source
        elif isinstance(cell, list):
            row[name] = tuple(cell)
        else:
            row[name] = cell


def to_frame(values: Iterable[Any]) -> pd.DataFrame:
    """A DataFrame with one row per attrs value and one column per (nested) field."""
    pandas = require("pandas", "frames")
    rows = []
    for value in values:
        row: dict[str, Any] = {}
        _flatten(unstructure(value), value, "", row)
        rows.append(row)
    frame: pd.DataFrame = pandas.DataFrame(rows)
    return frame


def assignments_frame(assignments: Mapping[str, TierAssignment]) -> pd.DataFrame:
    """Tier assignments as a frame indexed by account id, ranked best first."""
    frame = to_frame(assignments[key] for key in sorted(assignments))
    if frame.empty:
        return frame
    return frame.sort_values(["reason.rank", "account_id"], na_position="last").set_index(
        "account_id"
    )


def _unflatten(row: Mapping[str, Any]) -> dict[str, Any]:
    """One frame row back into the converter's nested dict.

    A nested value that is None in some rows has a column of its own (``birthday``)
    beside its dotted columns (``birthday.date``): in a row where all of its dotted
    cells are missing, the value is None; where any is present, the dotted cells win.
    """
    cells = {key: _cell(cell) for key, cell in row.items()}
    present: set[str] = set()  # prefixes with at least one non-missing cell under them
    for key, value in cells.items():
        if value is not None:
            parts = key.split(".")
            present.update(".".join(parts[:i]) for i in range(1, len(parts)))
    nested: dict[str, Any] = {}
    for key, value in cells.items():
        parts = key.split(".")
        prefixes = (".".join(parts[:i]) for i in range(1, len(parts)))
        if any(p in cells and p not in present for p in prefixes):
            continue  # the nested value is None in this row: its own column says so
        if key in present:
            continue  # this row's value is nested: its dotted columns carry it
        target = nested
        for parent in parts[:-1]:
            target = target.setdefault(parent, {})
        target[parts[-1]] = value
    return nested


def _cell(cell: Any) -> Any:
    """A frame cell as the converter's plain data."""
    if cell is None:
        return None
    if isinstance(cell, float) and cell != cell:  # pandas' missing value
        return None
    if type(cell).__name__ == "NaTType":  # pandas' missing datetime (a datetime subclass)
        return None
    if isinstance(cell, datetime):
        return cell.isoformat()
    if isinstance(cell, date | time):
        return cell.isoformat()
    if isinstance(cell, Decimal):
        return str(cell)
    if hasattr(cell, "item") and not isinstance(cell, str | bytes):  # a numpy scalar
        return cell.item()
    if isinstance(cell, tuple | list):
        return [_cell(c) for c in cell]
    return cell


def from_frame(frame: pd.DataFrame, kind: type[T]) -> list[T]:
    """Rebuild ``kind`` values from a frame made by :func:`to_frame`.

    Every row is validated like any other input: a bad cell raises
    :class:`~accountcare.errors.InvalidRecord` naming the field.
    """
    records = (
        frame.reset_index().to_dict("records") if frame.index.name else frame.to_dict("records")
    )
    return [structure(_unflatten({str(k): v for k, v in row.items()}), kind) for row in records]
