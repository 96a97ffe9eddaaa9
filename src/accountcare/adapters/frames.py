"""pandas interop: every result as a DataFrame with typed columns, and back (extra ``frames``).

Rows are the values' fields; nested values become dotted columns
(``checklist.appointment_made``). Columns are typed for analysis, by the field they hold:

- tier labels: an ordered categorical in the policy's order, best first (``A < B < C``),
  so ``sort_values("tier")`` and ``groupby("tier")`` read best first;
- dates: ``datetime64[us]`` (any year from 1 to 9999); instants: ``datetime64[us, UTC]``;
- money: ``float64`` by default, or the exact ``Decimal`` values with ``money="decimal"``;
- whole numbers that may be missing (a rank): the nullable ``Int64``;
- shares and scores: ``float64``; enums: their values; collections: tuples.

[`from_frame`][accountcare.adapters.frames.from_frame] reverses
[`to_frame`][accountcare.adapters.frames.to_frame] in either money mode: a float of money
becomes the Decimal it prints as (``0.1`` is ``Decimal('0.1')``), so any amount of at most
15 significant digits survives a float frame exactly; ``money="decimal"`` keeps every
amount exactly.

>>> from datetime import date
>>> from accountcare.domain import Visit, VisitPurpose
>>> visit = Visit(account_id="acme", rep_id="rep-1", on=date(2027, 1, 4),
...               purpose=VisitPurpose.ROUTINE, tier="B")
>>> frame = to_frame([visit])
>>> list(frame.columns[:4])
['account_id', 'rep_id', 'on', 'purpose']
>>> str(frame["on"].dtype), list(frame["tier"].cat.categories)
('datetime64[us]', ['A', 'B', 'C'])
>>> from_frame(frame, Visit) == [visit]
True
"""

from __future__ import annotations

import math
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import attrs
import numpy as np

from accountcare._imports import require
from accountcare.domain.tiers import TierAssignment, TierCutoffs, TierMove
from accountcare.errors import ConfigurationError
from accountcare.policies.tiers.abc import ABC_TIERS
from accountcare.policies.tiers.profitability import PROFITABILITY_TIERS
from accountcare.policies.tiers.rank_bands import RANK_BAND_TIERS
from accountcare.policies.tiers.value_labels import VALUE_LABELS
from accountcare.serialization import LEAF_TYPES, structure, unstructure

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Money", "assignments_frame", "from_frame", "to_frame"]

T = TypeVar("T")

#: How money columns are written: ``float64`` to compute with, or exact ``Decimal`` objects.
Money = Literal["float", "decimal"]

#: The built-in policies' labels, best first, by policy name: the order of a tier column
#: when ``tiers`` is not given and every label seen is one of them.
BUILT_IN_TIERS: dict[str, tuple[str, ...]] = {
    "abc": ABC_TIERS,
    "rank_bands": RANK_BAND_TIERS,
    "profitability": PROFITABILITY_TIERS,
    "value_labels": VALUE_LABELS,
}

Leaf = Literal["tier", "date", "instant", "money", "count"]


def _flatten(plain: Any, original: Any, prefix: str = "") -> dict[str, Any]:
    """The converter's dict for one value flattened into dotted columns, keeping dates,
    times and Decimals as typed cells (taken from the original value) rather than as
    the ISO strings the converter writes."""
    row: dict[str, Any] = {}
    for key, cell in plain.items():
        name = f"{prefix}{key}"
        source = getattr(original, key, None)
        if isinstance(cell, dict) and attrs.has(type(source)):
            row.update(_flatten(cell, source, f"{name}."))
        elif isinstance(source, date | time | Decimal) and not isinstance(source, bool):
            row[name] = source
        elif isinstance(cell, list):
            row[name] = tuple(cell)
        else:
            row[name] = cell
    return row


def _unwrap(hint: Any) -> tuple[Any, bool]:
    """A field's type without ``None``, and whether it may be None."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return (args[0] if len(args) == 1 else hint), len(args) < len(typing.get_args(hint))
    return hint, False


def _schema(kind: type, prefix: str = "") -> dict[str, Leaf]:
    """The typed columns of ``kind``'s frame: dotted column name -> what it holds."""
    hints = typing.get_type_hints(kind)
    leaves: dict[str, Leaf] = {}
    for field in attrs.fields(kind):
        name = f"{prefix}{field.name}"
        hint, optional = _unwrap(hints[field.name])
        if isinstance(hint, type) and attrs.has(hint) and hint not in LEAF_TYPES:
            leaves.update(_schema(hint, f"{name}."))
        elif hint is str and (
            field.name == "tier" or (kind is TierMove and field.name in ("before", "after"))
        ):
            leaves[name] = "tier"
        elif hint is datetime:
            leaves[name] = "instant"
        elif hint is date:
            leaves[name] = "date"
        elif hint is Decimal:
            leaves[name] = "money"
        elif hint is int and optional:
            leaves[name] = "count"
    return leaves


def _missing(cell: Any) -> bool:
    """None, NaN, NaT or pandas' NA: a cell with no value."""
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return True
    return type(cell).__name__ in ("NaTType", "NAType")


def _tier_order(
    labels: set[str], tiers: Sequence[str] | None, policies: set[str]
) -> tuple[str, ...] | None:
    """The order of a tier column: ``tiers`` when given, else the built-in labels that hold
    every label seen (the named policy's first), else None (no order is known)."""
    if tiers is not None:
        order = tuple(tiers)
        if len(set(order)) != len(order) or not all(isinstance(t, str) for t in order):
            raise ConfigurationError(f"to_frame: tiers must be distinct labels, got {order!r}")
        unknown = sorted(labels - set(order))
        if unknown:
            raise ConfigurationError(
                f"to_frame: tier {unknown[0]!r} is not one of tiers={order!r}; "
                "pass the labels of the policy that assigned it"
            )
        return order
    named = [BUILT_IN_TIERS[p] for p in sorted(policies) if p in BUILT_IN_TIERS]
    for order in (*named, *BUILT_IN_TIERS.values()):
        if labels and labels <= set(order):
            return order
    return None


def _typed(
    pandas: Any, cells: list[Any], leaf: Leaf, money: Money, order: tuple[str, ...] | None
) -> Any:
    """One column's cells as the typed array ``leaf`` asks for."""
    cells = [None if _missing(c) else c for c in cells]
    if leaf == "tier":
        if order is None:  # custom labels and no order given: a category, unordered
            return pandas.Categorical(cells)
        return pandas.Categorical(cells, categories=order, ordered=True)
    if leaf == "date":
        return pandas.array(cells, dtype="datetime64[us]")
    if leaf == "instant":
        utc = [None if c is None else c.astimezone(UTC) for c in cells]
        return pandas.array(utc, dtype="datetime64[us, UTC]")
    if leaf == "count":
        return pandas.array(cells, dtype="Int64")
    if money == "float":  # money
        return np.array([math.nan if c is None else float(c) for c in cells], dtype=np.float64)
    return cells


def to_frame(
    values: Iterable[Any], *, money: Money = "float", tiers: Sequence[str] | None = None
) -> pd.DataFrame:
    """A DataFrame with one row per attrs value and one typed column per (nested) field.

    ``money="decimal"`` keeps amounts as exact ``Decimal`` objects (``"float"``, the
    default, gives ``float64``). ``tiers`` is the tier labels best first, usually
    ``policy.tiers``; without it a tier column takes the built-in policy's order its
    labels belong to, or is an unordered categorical when they are custom labels. A
    label outside ``tiers`` raises [`ConfigurationError`][accountcare.errors.ConfigurationError].
    Values of several kinds in one call keep their cells untyped.

    >>> from datetime import date
    >>> from decimal import Decimal
    >>> from accountcare.domain import Order
    >>> order = Order("o-1", "acme", date(2026, 5, 4), Decimal("19.90"))
    >>> to_frame([order])["amount"].dtype
    dtype('float64')
    >>> to_frame([order], money="decimal")["amount"][0]
    Decimal('19.90')
    """
    if money not in ("float", "decimal"):
        raise ConfigurationError(f"to_frame: money must be 'float' or 'decimal', got {money!r}")
    pandas = require("pandas", "frames")
    items = list(values)
    frame: pd.DataFrame = pandas.DataFrame([_flatten(unstructure(v), v) for v in items])
    kinds = {type(value) for value in items}
    if len(kinds) != 1 or not attrs.has(next(iter(kinds))):
        return frame
    policies = {v.policy for v in items if isinstance(v, TierAssignment)}
    for name, leaf in _schema(next(iter(kinds))).items():
        if name not in frame.columns:
            continue
        cells = frame[name].tolist()
        order = None
        if leaf == "tier":
            labels = {c for c in cells if isinstance(c, str)}
            order = _tier_order(labels, tiers, policies)
        frame[name] = _typed(pandas, cells, leaf, money, order)
    return frame


def assignments_frame(
    assignments: Mapping[str, TierAssignment],
    *,
    money: Money = "float",
    tiers: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Tier assignments as a frame indexed by account id, ranked best first.

    The tier column is ordered by ``tiers`` or, for the result of a population policy's
    ``assign``, by that policy's own labels (its cut-offs name them).

    >>> from accountcare.policies.tiers.abc import AbcPolicy
    >>> tiers = AbcPolicy(labels=("gold", "silver", "bronze")).assign({"acme": 800, "b": 50})
    >>> frame = assignments_frame(tiers)
    >>> list(frame["tier"].cat.categories), list(frame.index)
    (['gold', 'silver', 'bronze'], ['acme', 'b'])
    """
    cutoffs = getattr(assignments, "cutoffs", None)
    if tiers is None and isinstance(cutoffs, TierCutoffs):
        tiers = cutoffs.tiers
    ordered = (assignments[key] for key in sorted(assignments))
    frame = to_frame(ordered, money=money, tiers=tiers)
    if frame.empty:
        return frame
    return frame.sort_values(["reason.rank", "account_id"], na_position="last").set_index(
        "account_id"
    )


def _unflatten(cells: Mapping[str, Any]) -> dict[str, Any]:
    """One frame row (cells already plain data) back into the converter's nested dict.

    A nested value that is None in some rows has a column of its own (``birthday``)
    beside its dotted columns (``birthday.date``): in a row where all of its dotted
    cells are missing, the value is None; where any is present, the dotted cells win.
    """
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


def _moment(cell: Any) -> Any:
    """A pandas or numpy timestamp as a Python datetime (other cells as they are)."""
    if isinstance(cell, np.datetime64):
        return cell.astype("datetime64[us]").item()
    to_pydatetime = getattr(cell, "to_pydatetime", None)
    return to_pydatetime() if callable(to_pydatetime) else cell


def _cell(cell: Any, leaf: Leaf | None = None) -> Any:
    """A frame cell as the converter's plain data, read as the field ``leaf`` it fills."""
    if _missing(cell):
        return None
    cell = _moment(cell)
    if leaf == "date" and isinstance(cell, datetime):
        if cell.tzinfo is None and cell.time() == time(0):
            return cell.date().isoformat()
        return cell.isoformat()  # a time of day in a date field: the field says so
    if leaf == "money" and isinstance(cell, float | np.floating):
        return repr(float(cell))  # the decimal the float prints as: 0.1 is Decimal('0.1')
    if leaf == "money" and isinstance(cell, int | np.integer) and not isinstance(cell, bool):
        return str(int(cell))
    if isinstance(cell, date | time):
        return cell.isoformat()
    if isinstance(cell, Decimal):
        return str(cell)
    if hasattr(cell, "item") and not isinstance(cell, str | bytes):  # a numpy scalar
        return cell.item()
    if isinstance(cell, tuple | list | np.ndarray):
        return [_cell(c) for c in cell]
    return cell


def from_frame(frame: pd.DataFrame, kind: type[T]) -> list[T]:
    """Rebuild ``kind`` values from a frame made by
    [`to_frame`][accountcare.adapters.frames.to_frame], in either money mode.

    Cells may be what pandas holds: timestamps (naive for dates, tz-aware for instants),
    ``NaT``, ``NaN`` or ``NA`` for a missing optional field, floats for money,
    categoricals. Every row is validated like any other input: a bad cell raises
    [`InvalidRecord`][accountcare.errors.InvalidRecord] naming the field.

    >>> from datetime import date
    >>> from decimal import Decimal
    >>> from accountcare.domain import Order
    >>> order = Order("o-1", "acme", date(2026, 5, 4), Decimal("0.1"))
    >>> from_frame(to_frame([order]), Order)[0].amount
    Decimal('0.1')
    """
    schema = _schema(kind) if attrs.has(kind) else {}
    records = (
        frame.reset_index().to_dict("records") if frame.index.name else frame.to_dict("records")
    )
    return [
        structure(_unflatten({str(k): _cell(v, schema.get(str(k))) for k, v in row.items()}), kind)
        for row in records
    ]
