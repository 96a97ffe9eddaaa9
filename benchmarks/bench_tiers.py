"""Benchmark: ABC tiering of 1,000,000 accounts (Pareto values, fixed seed).

Rows: (a) ``AbcPolicy().assign`` from a plain dict of ids to floats (target: within
1.5 s); (b) a hand-written pandas reference (sort, cumulative sum, cut) on the same data
in the same run; (c) the vectorised path over a numpy array with ids (target: within
1.25x of (b)). Ratios are against (b). Also shown: reading every tier back from (a)'s
result, and a check that (a) and (c) give the same tiers.

Run: ``python benchmarks/bench_tiers.py``
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
import pandas as pd

from _report import best_of, table
from accountcare.policies.tiers.abc import AbcPolicy
from accountcare.policies.tiers.vectorised import vector_tiers

ACCOUNTS, SEED, ALPHA = 1_000_000, 20261122, 1.16  # alpha 1.16: the 80/20 Pareto shape


def pandas_reference(values: pd.Series) -> pd.Series:
    """Sort descending, cumulative sum, share before each account, cut at 80% / 95%."""
    ranked = values.sort_values(ascending=False, kind="stable")
    before = (ranked.cumsum() - ranked) / ranked.sum()
    return pd.Series(np.select([before < 0.80, before < 0.95], ["A", "B"], "C"), index=ranked.index)


def main() -> None:
    rng = np.random.default_rng(SEED)
    array = rng.pareto(ALPHA, ACCOUNTS) + 1.0
    ids = np.array([f"acct-{n:07d}" for n in range(ACCOUNTS)], dtype=object)
    plain = dict(zip(ids.tolist(), array.tolist(), strict=True))
    series = pd.Series(array, index=ids)
    policy = AbcPolicy()

    t_ref, ref = best_of(lambda: pandas_reference(series))
    t_assign, tiers = best_of(lambda: policy.assign(plain))
    t_labels, labels = best_of(lambda: policy.assign(plain).labels())
    t_vector, vector = best_of(lambda: vector_tiers(policy, array, ids))

    same = dict(zip(ids.tolist(), vector.tolist(), strict=True)) == labels
    counts = tiers.counts()
    shown = ", ".join(f"{k} {v:,}" for k, v in counts.items())
    ref_counts = ref.value_counts().to_dict()
    rows = [
        (
            "(a) AbcPolicy().assign, dict of 1M floats",
            t_assign,
            shown,
            t_assign / t_ref,
            f"within 1.5 s: {'yes' if t_assign <= 1.5 else 'no'}",
        ),
        ("(a') the same and every tier read back (labels())", t_labels, "", t_labels / t_ref, ""),
        (
            "(b) pandas reference: sort, cumsum, cut",
            t_ref,
            ", ".join(f"{k} {ref_counts.get(k, 0):,}" for k in "ABC"),
            1.0,
            "",
        ),
        (
            "(c) vector_tiers(AbcPolicy(), array, ids)",
            t_vector,
            f"same tiers as (a): {same}",
            t_vector / t_ref,
            f"within 1.25x of (b): {'yes' if t_vector <= 1.25 * t_ref else 'no'}",
        ),
    ]
    print(
        table(
            "ABC tiering of 1,000,000 accounts",
            ["case", "seconds (best of 3)", "output", "ratio to (b)", "target"],
            rows,
        )
    )


if __name__ == "__main__":
    main()
