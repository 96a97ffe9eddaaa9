"""Tier a very large book on Dask: fit once on a merged summary, classify each partition.

A population policy's tiers depend on the whole population only through its small
[`TierCutoffs`][accountcare.domain.tiers.TierCutoffs], so a Dask DataFrame is tiered in two
passes and never shuffled:

1. **fit** ([`fit_frame`][accountcare.adapters.dask_tiers.fit_frame]): each partition
   summarises its values as exact value counts (``np.unique(..., return_counts=True)``); the
   summaries merge in a tree on the workers (concatenate, then add the counts of equal
   values), and one worker fits the cut-offs from the merged counts. Only the cut-offs
   travel back to the client.
2. **classify** ([`tier_frame`][accountcare.adapters.dask_tiers.tier_frame]): each partition
   compares its values with the cut-offs' floors in numpy
   ([`classify_frame`][accountcare.adapters.dask_tiers.classify_frame]) and gains a ``tier``
   column (and the policy cut-off that decided it).

The two steps also serve other engines:
[`fit_value_counts`][accountcare.adapters.dask_tiers.fit_value_counts] fits from value
counts held in arrays (a Spark ``groupBy("value").count()``), and
[`classify_frame`][accountcare.adapters.dask_tiers.classify_frame] is the pandas function to
run in each partition (Spark's ``mapInPandas``). See ``docs/scale.md``.

The tiers equal ``policy.assign`` on the same book, account by account: value counts are
exact, the fit decides every cut-off in exact arithmetic when float sums come near it,
and each floor is compared as the exact number it is. Values must be a float or int
column (ints up to 2**53); account ids are only read to name a bad row.

>>> import dask.dataframe as dd
>>> import pandas as pd
>>> from accountcare.policies.tiers.abc import AbcPolicy
>>> book = pd.DataFrame({"account_id": ["acme", "globex", "initech"],
...                      "value": [800.0, 150.0, 50.0]})
>>> frame = dd.from_pandas(book, npartitions=2)
>>> tiered = tier_frame(frame, AbcPolicy()).compute()
>>> list(tiered["tier"])
['A', 'B', 'C']
>>> list(tiered["cutoff"])
[0.8, 0.95, nan]
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from accountcare._imports import require
from accountcare.domain.tiers import TierCutoffs
from accountcare.errors import ConfigurationError, InvalidRecord
from accountcare.policies.tiers._population import Rule
from accountcare.policies.tiers.tiering import PopulationPolicy
from accountcare.policies.tiers.vectorised import classify_array, exceeds_floats, fit_sorted

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["classify_frame", "fit_frame", "fit_value_counts", "tier_frame"]

#: How many partition summaries one merge task combines (the width of the merge tree).
SPLIT_EVERY = 8


def fit_frame(
    frame: Any,
    policy: PopulationPolicy,
    *,
    id_column: str = "account_id",
    value_column: str = "value",
    split_every: int = SPLIT_EVERY,
) -> TierCutoffs:
    """The cut-offs ``policy.fit`` would give for the whole book in ``frame`` (computed now).

    Runs one pass over ``frame`` on the current Dask scheduler; the workers summarise,
    merge and fit, and only the small cut-offs come back.

    >>> import dask.dataframe as dd
    >>> import pandas as pd
    >>> from accountcare.policies.tiers.abc import AbcPolicy
    >>> book = pd.DataFrame({"account_id": ["a", "b", "c"], "value": [800.0, 150.0, 50.0]})
    >>> cutoffs = fit_frame(dd.from_pandas(book, npartitions=2), AbcPolicy())
    >>> cutoffs == AbcPolicy().fit({"a": 800.0, "b": 150.0, "c": 50.0})
    True
    """
    dask = require("dask", "dask")
    _check_frame(frame, id_column, value_column)
    if isinstance(split_every, bool) or not isinstance(split_every, int) or split_every < 2:
        raise ConfigurationError(f"fit_frame: split_every must be an int >= 2, got {split_every}")
    summarise = partial(
        _summarise, rule=policy._rule, id_column=id_column, value_column=value_column
    )
    meta = _summary(np.empty(0, "float64"), np.empty(0, "int64"))
    summaries = frame.map_partitions(summarise, meta=meta).to_delayed()
    merge = dask.delayed(_merge, pure=True)
    while len(summaries) > 1:  # a tree of merges, ``split_every`` summaries at a time
        summaries = [
            merge(*summaries[i : i + split_every]) for i in range(0, len(summaries), split_every)
        ]
    cutoffs: TierCutoffs = dask.compute(
        dask.delayed(_fit_summary, pure=True)(policy, summaries[0])
    )[0]
    return cutoffs


def tier_frame(
    frame: Any,
    policy: PopulationPolicy,
    *,
    id_column: str = "account_id",
    value_column: str = "value",
    tier_column: str = "tier",
    cutoff_column: str | None = "cutoff",
    cutoffs: TierCutoffs | None = None,
) -> Any:
    """``frame`` (a Dask DataFrame) with a tier column, equal to ``policy.assign``.

    Fits first with [`fit_frame`][accountcare.adapters.dask_tiers.fit_frame] (one pass,
    computed now) unless ``cutoffs`` are given, then returns a lazy frame that classifies
    each partition (a second pass when computed). ``tier_column`` is a categorical of the
    policy's tiers, best first; ``cutoff_column`` (None: leave it out) holds the policy
    cut-off the account met, as ``TierReason.cutoff`` does (NaN for the last tier). Persist
    ``frame`` first when reading it twice is costly.

    >>> import dask.dataframe as dd
    >>> import pandas as pd
    >>> from accountcare.policies.tiers.rank_bands import RankBandPolicy
    >>> book = pd.DataFrame({"account_id": [f"a{n:02d}" for n in range(20)],
    ...                      "value": [float(100 - n) for n in range(20)]})
    >>> tiered = tier_frame(dd.from_pandas(book, npartitions=3), RankBandPolicy())
    >>> tiered["tier"].value_counts(sort=False).compute().to_dict()
    {'A': 1, 'B': 3, 'C': 16}
    """
    _check_frame(frame, id_column, value_column)
    for name in (tier_column, cutoff_column):
        if name is not None and name in frame.columns:
            raise ConfigurationError(
                f"tier_frame: the frame already has a column {name!r}; "
                "name the new one with tier_column= or cutoff_column="
            )
    if cutoffs is None:
        cutoffs = fit_frame(frame, policy, id_column=id_column, value_column=value_column)
    policy._rule.check_fitted(cutoffs)
    classify = partial(
        classify_frame,
        policy=policy,
        cutoffs=cutoffs,
        id_column=id_column,
        value_column=value_column,
        tier_column=tier_column,
        cutoff_column=cutoff_column,
    )
    return frame.map_partitions(classify, meta=classify(frame._meta))


def fit_value_counts(policy: PopulationPolicy, values: Any, counts: Any) -> TierCutoffs:
    """``policy.fit_counts`` for value counts held in two arrays (any order, repeats
    allowed), fitted in numpy: for summaries too big for a dict, such as the merged
    ``groupBy(value).count()`` of a Spark book. Equal to ``policy.fit`` on the book.

    >>> from accountcare.policies.tiers.abc import AbcPolicy
    >>> fit_value_counts(AbcPolicy(), [50.0, 800.0, 150.0], [1, 1, 1]).floors
    (Decimal('800'), Decimal('150'))
    """
    raw, counts = np.asarray(values), np.asarray(counts)
    if raw.shape != counts.shape or raw.ndim != 1:
        raise ConfigurationError("fit_value_counts: values and counts must be 1-d, equal length")
    if raw.dtype.kind not in "fiu" or counts.dtype.kind not in "iu":
        raise ConfigurationError(
            f"fit_value_counts: needs numeric values and int counts, got {raw.dtype} and "
            f"{counts.dtype}"
        )
    number = raw.astype("float64")
    for bad, field, problem in (
        (~np.isfinite(number), "value", "must be finite"),
        (exceeds_floats(raw), "value", "must be within 2**53 (float64 holds it exactly)"),
        (counts < 0, "count", "must not be negative"),
    ):
        if bad.any():
            shown = (raw if field == "value" else counts)[np.flatnonzero(bad)[0]]
            raise InvalidRecord("(value count)", field, f"{problem}, got {shown}")
    rule = policy._rule
    keep = counts > 0
    values, counts = _merged(rule.counted(number[keep]) + 0.0, counts[keep].astype("int64"))
    return fit_sorted(rule, values, counts)


def classify_frame(
    part: pd.DataFrame,
    policy: PopulationPolicy,
    cutoffs: TierCutoffs,
    *,
    id_column: str = "account_id",
    value_column: str = "value",
    tier_column: str = "tier",
    cutoff_column: str | None = "cutoff",
) -> pd.DataFrame:
    """One pandas partition with its tier (and cut-off met) columns: vectorised
    ``policy.classify``, the step [`tier_frame`][accountcare.adapters.dask_tiers.tier_frame]
    runs in each partition (and the function to hand to Spark's ``mapInPandas``).

    >>> import pandas as pd
    >>> from accountcare.policies.tiers.abc import AbcPolicy
    >>> cutoffs = AbcPolicy().fit({"acme": 800.0, "globex": 150.0, "initech": 50.0})
    >>> part = pd.DataFrame({"account_id": ["newco", "oldco"], "value": [400.0, 10.0]})
    >>> classify_frame(part, AbcPolicy(), cutoffs)["tier"].tolist()
    ['B', 'C']
    """
    pd = require("pandas", "dask")
    rule = policy._rule
    rule.check_fitted(cutoffs)
    index = classify_array(rule, cutoffs, _values(part, rule, id_column, value_column))
    columns = {tier_column: pd.Categorical.from_codes(index, categories=list(rule.tiers))}
    if cutoff_column is not None:
        met = [rule.cutoff(t) for t in range(len(rule.tiers))]
        columns[cutoff_column] = np.array(met, dtype="float64")[index]
    return part.assign(**columns)


def _check_frame(frame: Any, id_column: str, value_column: str) -> None:
    """ConfigurationError unless ``frame`` has both columns and the values are numbers."""
    columns = getattr(frame, "columns", None)
    if columns is None or not hasattr(frame, "map_partitions"):
        raise ConfigurationError(
            f"expected a dask DataFrame with the book, got {type(frame).__name__}"
        )
    for name in (id_column, value_column):
        if name not in columns:
            raise ConfigurationError(
                f"the frame has no column {name!r} (its columns: {', '.join(map(str, columns))})"
            )
    pd = require("pandas", "dask")
    dtype = frame[value_column].dtype
    if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
        raise ConfigurationError(
            f"column {value_column!r} must hold floats or ints, got dtype {dtype}; convert it "
            "(Decimals with .astype(float)), or tier exact Decimals with policy.assign"
        )


def _values(
    part: pd.DataFrame, rule: Rule, id_column: str, value_column: str
) -> np.ndarray[Any, Any]:
    """The partition's values as float64, checked, and counted as ``rule`` counts them."""
    ids = part[id_column]
    _check_ids(part, ids, id_column)
    column = part[value_column]
    values = column.to_numpy(dtype="float64", na_value=np.nan)
    bad = ~np.isfinite(values)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        missing = column.iloc[first] is None or column.iloc[first] is require("pandas", "dask").NA
        shown = "a missing value" if missing else str(values[first])
        raise InvalidRecord(
            f"account {ids.iloc[first]!r}", value_column, f"must be a finite number, got {shown}"
        )
    big = exceeds_floats(column.to_numpy()) if column.dtype.kind in "iu" else None
    if big is not None and big.any():
        first = int(np.flatnonzero(big)[0])
        raise InvalidRecord(
            f"account {ids.iloc[first]!r}",
            value_column,
            f"is {column.iloc[first]}, beyond 2**53, which float64 cannot hold exactly; "
            "tier such values with policy.assign",
        )
    return rule.counted(values) + 0.0  # adding 0.0 turns -0.0 into 0.0: zero is one group


def _check_ids(part: pd.DataFrame, ids: pd.Series[Any], id_column: str) -> None:
    """InvalidRecord naming the first row of ``part`` without an account id."""
    blank = ids.isna().to_numpy(dtype=bool, copy=True)
    if len(ids) and require("pandas", "dask").api.types.is_string_dtype(ids):
        stripped = ids[~blank].str.strip() == ""
        blank[~blank] = stripped.to_numpy(dtype=bool, na_value=False)
    if blank.any():
        row = part.index[int(np.flatnonzero(blank)[0])]
        raise InvalidRecord(f"row {row!r}", id_column, "must be a non-empty account id")


def _summary(values: np.ndarray[Any, Any], counts: np.ndarray[Any, Any]) -> pd.DataFrame:
    frame: pd.DataFrame = require("pandas", "dask").DataFrame({"value": values, "count": counts})
    return frame


def _summarise(
    part: pd.DataFrame, *, rule: Rule, id_column: str, value_column: str
) -> pd.DataFrame:
    """One partition's exact value counts, values ascending."""
    values, counts = np.unique(_values(part, rule, id_column, value_column), return_counts=True)
    return _summary(values, counts.astype("int64"))


def _merge(*summaries: pd.DataFrame) -> pd.DataFrame:
    """Several summaries as one: concatenate, then add the counts of equal values."""
    values, counts = _merged(
        np.concatenate([s["value"].to_numpy() for s in summaries]),
        np.concatenate([s["count"].to_numpy() for s in summaries]),
    )
    return _summary(values, counts)


def _merged(
    values: np.ndarray[Any, Any], counts: np.ndarray[Any, Any]
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Values ascending, each once, with their counts added up."""
    if not len(values) or (values[1:] > values[:-1]).all():
        return values, counts  # already a summary
    if (counts == 1).all():  # all distinct so far (float spend): no counts to carry
        values = np.sort(values, kind="stable")  # merges sorted runs, faster than argsort
        starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
        return values[starts], np.diff(np.r_[starts, len(values)])
    order = np.argsort(values, kind="stable")
    values, counts = values[order], counts[order]
    starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
    return values[starts], np.add.reduceat(counts, starts)


def _fit_summary(policy: PopulationPolicy, summary: pd.DataFrame) -> TierCutoffs:
    """The cut-offs from a merged summary (run on a worker)."""
    return fit_sorted(policy._rule, summary["value"].to_numpy(), summary["count"].to_numpy())
