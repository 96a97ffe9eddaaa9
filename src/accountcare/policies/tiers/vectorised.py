"""Tiers over a numpy array or a pandas Series, giving the same tiers as ``assign``.

For notebooks and large books: the ranking, cumulative sums and cuts run in numpy
(numpy and pandas are the optional ``frames`` extra, imported on first use). Cut-offs are
decided exactly as in :mod:`accountcare.policies.tiers._population`: any comparison within the
rounding error of a cut-off is redone in exact arithmetic, so the tiers equal
``policy.assign(dict(zip(ids, values)))`` account by account.

>>> import numpy as np
>>> from accountcare.policies.tiers.abc import AbcPolicy
>>> list(vector_tiers(AbcPolicy(), np.array([800.0, 150.0, 50.0]), ids=["a", "b", "c"]))
['A', 'B', 'C']
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from accountcare._imports import require
from accountcare.errors import ConfigurationError
from accountcare.policies.tiers._population import _boundaries, _scaled, check_number
from accountcare.policies.tiers.tiering import PopulationPolicy

__all__ = ["vector_tiers"]


def vector_tiers(policy: PopulationPolicy, values: Any, ids: Sequence[str] | Any = None) -> Any:
    """Tier labels for ``values`` in input order.

    ``values`` is a pandas Series (its index holds the account ids, and a Series of
    labels with the same index comes back) or a 1-d array with ``ids`` beside it (an
    object array of labels comes back). Ties are ordered by account id, as in ``assign``.
    """
    np = require("numpy", "frames")
    series = None
    if ids is None:
        if not hasattr(values, "index"):
            raise ConfigurationError("vector_tiers: give ids for a plain array of values")
        series, ids = values, values.index
    rule = policy._rule()
    raw = np.asarray(values)
    if raw.dtype.kind not in "fiu" or raw.dtype.kind == "b" or raw.ndim != 1:
        raise ConfigurationError(
            f"vector_tiers: values must be a 1-d numeric array, got {raw.dtype}"
        )
    ids = np.asarray(ids, dtype=object)
    if ids.shape != raw.shape:
        raise ConfigurationError("vector_tiers: ids and values differ in length")
    vals = raw.astype(np.float64)
    bad = ~np.isfinite(vals)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        check_number(str(ids[first]), float(vals[first]))
    if raw.dtype.kind in "iu" and (np.abs(raw) > 2**53).any():
        raise ConfigurationError("vector_tiers: integers beyond 2**53 need assign() (exact ints)")
    if rule.clamp:
        vals = np.maximum(vals, 0.0)
    n = len(vals)
    order = np.argsort(-vals, kind="stable")
    ordered = vals[order]
    edges = np.flatnonzero(ordered[1:] != ordered[:-1]) + 1
    if len(edges) + 1 < n:  # ties: put each run of equal values in id order
        bounds = [0, *edges.tolist(), n]
        for a, b in pairwise(bounds):
            if b - a > 1:
                run = order[a:b]
                order[a:b] = run[np.argsort(ids[run], kind="stable")]
        starts: Any = np.array(bounds)
    else:
        starts = range(n + 1)
    before = np.concatenate(([0.0], np.cumsum(ordered)))
    group_values = ordered if isinstance(starts, range) else ordered[starts[:-1]]
    group_before = before if isinstance(starts, range) else before[starts]

    def exact() -> list[int]:
        prefix = [0]
        for x in _scaled(ordered.tolist()):
            prefix.append(prefix[-1] + x)
        return [prefix[int(i)] for i in starts]

    cuts = _boundaries(rule, group_values, starts, group_before, True, exact)
    positions = np.array([int(starts[k]) for k in cuts])
    tier_index = np.searchsorted(positions, np.arange(n), side="right")
    labels = np.empty(n, dtype=object)
    labels[order] = np.array(rule.tiers, dtype=object)[tier_index]
    if series is not None:
        pd = require("pandas", "frames")
        return pd.Series(labels, index=series.index, name="tier")
    return labels
