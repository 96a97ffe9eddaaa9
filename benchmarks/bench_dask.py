"""Benchmark: ABC tiering of 10,000,000 accounts on a local Dask cluster.

Values are Pareto-distributed (alpha 1.16, fixed seed) and generated on the workers, one
partition at a time, so the client never holds the book. The cluster is two worker
processes with one thread each (the machine has two cores). Rows:

- (a) ``fit_frame``: one pass; per-partition value counts merged in a tree, fitted on a
  worker; only the cut-offs come back.
- (b) classifying with the fitted cut-offs: ``tier_frame(..., cutoffs=...)``, and the tier
  counts computed on the workers (every row is classified, nothing is collected).
- (c) both, as ``tier_frame(frame, AbcPolicy())`` is used.
- (r) the reference, in a child process: ``vector_tiers`` (numpy, one process) on the
  same 10,000,000 values held in memory. Ratios are against (r).

The book is persisted on the workers first (timed separately), so (a)-(c) measure
tiering, not generation. Peak memory is each process's peak resident set
(``getrusage``): the client (which also runs the scheduler), each worker, and the
reference process. Run: ``python benchmarks/bench_dask.py``
"""

from __future__ import annotations

import logging
import multiprocessing
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dask.dataframe as dd
import numpy as np
import pandas as pd
from distributed import Client, LocalCluster, wait

from _report import best_of, table
from accountcare.adapters.dask_tiers import fit_frame, tier_frame
from accountcare.policies.tiers.abc import AbcPolicy
from accountcare.policies.tiers.vectorised import vector_tiers

ACCOUNTS, PARTITIONS, SEED, ALPHA = 10_000_000, 40, 20261122, 1.16
SIZE = ACCOUNTS // PARTITIONS


def make_partition(number: int) -> pd.DataFrame:
    """Partition ``number`` of the book: its own seeded stream, its own ids."""
    rng = np.random.default_rng([SEED, number])
    first = number * SIZE
    ids = pd.array([f"acct-{n:08d}" for n in range(first, first + SIZE)], dtype="string")
    values = rng.pareto(ALPHA, SIZE) + 1.0
    return pd.DataFrame({"account_id": ids, "value": values}, index=range(first, first + SIZE))


def peak_mb() -> float:
    """This process's peak resident set size, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reference(queue: Any) -> None:
    """In a fresh process: the same book in memory, tiered by ``vector_tiers``."""
    values = np.concatenate([make_partition(n)["value"].to_numpy() for n in range(PARTITIONS)])
    ids = np.array([f"acct-{n:08d}" for n in range(ACCOUNTS)], dtype=object)
    seconds, labels = best_of(lambda: vector_tiers(AbcPolicy(), values, ids), repeat=2)
    tiers, counts = np.unique(labels.astype(str), return_counts=True)
    queue.put((seconds, dict(zip(tiers.tolist(), counts.tolist(), strict=True)), peak_mb()))


def main() -> None:
    policy = AbcPolicy()
    with (
        LocalCluster(
            n_workers=2,
            processes=True,
            threads_per_worker=1,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        started = time.perf_counter()
        meta = make_partition(0).iloc[:0]
        frame = dd.from_map(make_partition, range(PARTITIONS), meta=meta).persist()
        wait(frame)
        t_generate = time.perf_counter() - started

        t_fit, cutoffs = best_of(lambda: fit_frame(frame, policy), repeat=2)

        def classify() -> dict[str, int]:
            tiered = tier_frame(frame, policy, cutoffs=cutoffs)
            return tiered["tier"].value_counts().compute().to_dict()  # type: ignore[no-any-return]

        def both() -> dict[str, int]:
            tiered = tier_frame(frame, policy)
            return tiered["tier"].value_counts().compute().to_dict()  # type: ignore[no-any-return]

        t_classify, _ = best_of(classify, repeat=2)
        t_both, counts = best_of(both, repeat=2)
        worker_peaks = sorted(
            client.run(peak_mb).values()  # each worker's own peak
        )
        client_peak = peak_mb()

    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=reference, args=(queue,))
    child.start()
    t_ref, ref_counts, ref_peak = queue.get()
    child.join()

    shown = ", ".join(f"{k} {counts.get(k, 0):,}" for k in policy.tiers)
    workers = " / ".join(f"{mb:,.0f}" for mb in worker_peaks)
    rows = [
        ("generate and persist the book on the workers", t_generate, "", "", "", ""),
        ("(a) fit_frame (summaries, merge, fit)", t_fit, f"{cutoffs.population:,} accounts",
         t_fit / t_ref, "", ""),
        ("(b) classify with the cut-offs, count tiers", t_classify, "", t_classify / t_ref,
         "", ""),
        ("(c) tier_frame: (a) + (b)", t_both, shown, t_both / t_ref, f"{client_peak:,.0f}",
         workers),
        ("(r) vector_tiers in memory, one process", t_ref,
         f"same counts as (c): {ref_counts == counts}", 1.0, f"{ref_peak:,.0f}", ""),
    ]  # fmt: skip
    print(
        table(
            "ABC tiering of 10,000,000 accounts on a local Dask cluster (2 workers x 1 thread)",
            [
                "case",
                "seconds (best of 2)",
                "output",
                "ratio to (r)",
                "client peak RSS MB",
                "worker peak RSS MB",
            ],
            rows,
        )
    )


if __name__ == "__main__":
    main()
