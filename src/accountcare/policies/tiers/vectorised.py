"""Tiers over a column of values: a pandas or polars Series, a numpy array or a sequence.

For notebooks and large books, in numpy: the values are summarised as exact value
counts, the cut-offs fitted from the summary and every value classified against their
floors. Cut-offs are decided exactly as in ``assign``: any comparison within the rounding
error of a cut-off is redone in exact arithmetic, so the tiers equal
``policy.assign(dict(zip(ids, values)))`` account by account. The fit and classify steps
here also serve the Dask adapter, partition by partition.

Series come in through narwhals (the ``frames`` extra), so one code path reads pandas,
polars and pyarrow without a dependency on any but pandas.

>>> from accountcare.policies.tiers.abc import AbcPolicy
>>> list(vector_tiers(AbcPolicy(), np.array([800.0, 150.0, 50.0]), ids=["a", "b", "c"]))
['A', 'B', 'C']
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from itertools import accumulate
from typing import Any

import numpy as np

from accountcare._imports import require
from accountcare.domain.tiers import TierCutoffs
from accountcare.errors import ConfigurationError
from accountcare.policies.tiers._population import Rule, _exact_total, _scaled, cut
from accountcare.policies.tiers.tiering import PopulationPolicy
from accountcare.policies.tiers.values import check_number

__all__ = ["classify_array", "exceeds_floats", "fit_sorted", "vector_tiers"]

SAFE_INT = 2**53  # the largest integers a float64 holds exactly
_TAKES = "a pandas or polars Series, a 1-d numpy array or a sequence of numbers"


def vector_tiers(policy: PopulationPolicy, values: Any, ids: Sequence[str] | Any = None) -> Any:
    """Tier labels for ``values`` in input order, as the same kind of column.

    ``values`` is one column of numbers:

    - a pandas Series (a frame's column): the labels come back as a pandas Series named
      ``tier`` on the same index; without ``ids``, the index holds the account ids;
    - a polars (or pyarrow) Series: the labels come back as a Series of that library.
      It has no index: without ``ids``, the row positions (``'0'``, ``'1'``...) stand
      for the accounts, so an error names the row;
    - a 1-d numpy array or a sequence of numbers, with ``ids`` beside it: an object
      array of labels comes back;
    - a frame of one column (pandas, polars, pyarrow) is that column.

    The ids name a bad value; ties share a tier. Anything else (a mapping, a string, a
    frame of several columns, booleans, text) raises
    [`ConfigurationError`][accountcare.errors.ConfigurationError] saying what was given,
    and a missing or infinite value [`InvalidRecord`][accountcare.errors.InvalidRecord]
    naming its account.

    >>> from accountcare.policies.tiers.abc import AbcPolicy
    >>> list(vector_tiers(AbcPolicy(), [800, 150, 50], ids=["a", "b", "c"]))
    ['A', 'B', 'C']
    >>> from accountcare.errors import ConfigurationError
    >>> try:
    ...     vector_tiers(AbcPolicy(), {"a": 800})
    ... except ConfigurationError as err:
    ...     print(str(err).split(", got ")[1])
    a dict (for a mapping of account id to value, use policy.assign)
    """
    raw, native, implementation = _column(values)
    if ids is None and implementation is None:
        raise ConfigurationError("vector_tiers: give ids for a plain array of values")
    if ids is None and implementation == "pandas":
        ids = native.index
    if ids is not None:  # else a Series without an index: its row positions name the rows
        given, ids = ids, np.asarray(ids, dtype=object)
        if ids.ndim != 1:
            raise ConfigurationError(
                f"vector_tiers: ids must be a sequence of account ids, got a {type(given).__name__}"
            )
        if ids.shape != raw.shape:
            raise ConfigurationError(
                f"vector_tiers: ids and values differ in length ({len(ids)} and {len(raw)})"
            )
    rule = policy._rule
    vals = raw.astype(np.float64)
    bad = ~np.isfinite(vals)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        check_number(str(first if ids is None else ids[first]), float(vals[first]))
    if exceeds_floats(raw).any():
        raise ConfigurationError("vector_tiers: integers beyond 2**53 need assign() (exact ints)")
    vals = rule.counted(vals) + 0.0  # adding 0.0 turns -0.0 into 0.0: zero is one group
    cutoffs = fit_sorted(rule, *np.unique(vals, return_counts=True))
    labels = np.array(rule.tiers, dtype=object)[classify_array(rule, cutoffs, vals)]
    if implementation == "pandas":
        pd = require("pandas", "frames")
        return pd.Series(labels, index=native.index, name="tier")
    if implementation is not None:
        nw = require("narwhals", "frames")
        return nw.new_series("tier", labels, nw.String(), backend=implementation).to_native()
    return labels


def _column(values: Any) -> tuple[np.ndarray[Any, Any], Any, Any]:
    """``values`` as a 1-d numeric array, the native Series it came from, and that Series'
    library ("pandas" for pandas, narwhals' implementation for the others, None for an
    array or a sequence); ConfigurationError for anything else."""
    if isinstance(values, str | bytes | Mapping):
        hint = " (for a mapping of account id to value, use policy.assign)"
        got = f"a {type(values).__name__}{hint if isinstance(values, Mapping) else ''}"
        raise ConfigurationError(f"vector_tiers: values must be {_TAKES}, got {got}")
    if isinstance(values, np.ndarray | Sequence):
        raw = np.asarray(values)
        if raw.dtype.kind not in "fiu" or raw.ndim != 1:
            raise ConfigurationError(
                f"vector_tiers: values must be a 1-d array of numbers, got {raw.ndim}-d "
                f"values of dtype {raw.dtype}"
            )
        return raw, None, None
    nw = require("narwhals", "frames")
    if nw.dependencies.is_into_dataframe(values):
        frame = nw.from_native(values, eager_only=True)
        columns = list(frame.columns)
        if len(columns) != 1:
            raise ConfigurationError(
                f"vector_tiers: values must be one column, got a {type(values).__name__} "
                f"with columns {columns}: pass one of them, e.g. "
                f"frame[{columns[0] if columns else 'x'!r}]"
            )
        values = frame.get_column(columns[0]).to_native()  # a frame of one column: it
    try:
        series = nw.from_native(values, series_only=True)
    except TypeError:
        raise ConfigurationError(
            f"vector_tiers: values must be {_TAKES}, got a value of type {type(values).__name__}"
        ) from None
    if not series.dtype.is_numeric():
        name = f" {series.name!r}" if series.name else ""
        raise ConfigurationError(
            f"vector_tiers: values must be numbers, got a Series{name} of {series.dtype} values"
        )
    implementation = "pandas" if series.implementation.is_pandas() else series.implementation
    return series.to_numpy(), series.to_native(), implementation


def exceeds_floats(raw: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Where an array holds integers that float64 cannot hold exactly (never for floats)."""
    if raw.dtype.kind not in "iu":
        return np.zeros(raw.shape, dtype=bool)
    return (raw > SAFE_INT) | (raw < -SAFE_INT)


def fit_sorted(
    rule: Rule, ascending: np.ndarray[Any, Any], counts: np.ndarray[Any, Any]
) -> TierCutoffs:
    """``fit_counts`` in numpy: the cut-offs from distinct float values, ascending (as the
    rule counts them), and how many accounts hold each.

    Value prefix sums are float cumulative sums, and any cut-off they come within the
    proven rounding error of is decided again in exact integer arithmetic.
    """
    values, counts = ascending[::-1], counts[::-1]  # descending: best first
    starts = np.concatenate(([0], np.cumsum(counts)))
    with np.errstate(over="ignore"):
        before = np.concatenate(([0.0], np.cumsum(values * counts)))
    # The float bound assumes non-negative terms and a finite total; else go exact.
    floats = bool(math.isfinite(before[-1])) and (rule.basis == "count" or not (values < 0).any())

    def exact() -> list[int]:
        weights = map(int.__mul__, _scaled(values.tolist()), counts.tolist())
        return list(accumulate(weights, initial=0))

    # The arrays' memoryviews (``.data``) hand out Python numbers: exact comparisons with
    # Decimals and Fractions, no int64 overflow.
    group_before: Sequence[Any] = before.data if floats else exact()
    total = _total(values, counts)
    return cut(rule, values.data, starts.data, group_before, floats, exact, total)[0]


def classify_array(
    rule: Rule, cutoffs: TierCutoffs, values: np.ndarray[Any, Any]
) -> np.ndarray[Any, Any]:
    """The tier index (0 the best) of each of ``values`` (floats, as the rule counts
    them) against ``cutoffs``: the best tier whose floor it reaches, compared exactly."""
    index = np.full(len(values), len(rule.tiers) - 1, dtype=np.int16)
    for i in reversed(range(len(cutoffs.floors))):  # floors never increase: best met wins
        threshold = _threshold(cutoffs.floors[i])
        if threshold is not None:
            index[values >= threshold] = i
    return index


def _total(values: np.ndarray[Any, Any], counts: np.ndarray[Any, Any]) -> float:
    """The sum of ``values * counts`` correctly rounded (as ``fit`` reports it): each
    product is split into exact power-of-two multiples for ``math.fsum``."""
    many = counts > 1
    pieces = [values[~many]] if many.any() else [values]  # a count of 1 is exact as it is
    several, times = values[many], counts[many]
    bit = 0
    with np.errstate(over="ignore"):
        while times.any():
            pieces.append(np.ldexp(several[(times & 1).astype(bool)], bit))
            times, bit = times >> 1, bit + 1
    terms = np.concatenate(pieces) if len(pieces) > 1 else values
    if np.isfinite(terms).all():
        try:
            return math.fsum(terms)
        except OverflowError:
            pass  # an intermediate sum overflowed: settle it exactly
    return _exact_total(values.tolist(), counts.tolist())


def _threshold(floor: Decimal | None) -> float | None:
    """The least float that reaches ``floor``: ``x >= floor`` exactly iff ``x >= it``."""
    if floor is None:
        return None
    nearest = float(floor)
    if Decimal(nearest) < floor:
        nearest = math.nextafter(nearest, math.inf)
    return nearest
