"""Benchmark: fit BG/NBD and predict for 1,000,000 accounts, on Dask and in memory.

The book is drawn from the BG/NBD model itself with known parameters (CDNOW-like: r 0.243,
alpha 4.414, a 0.793, b 2.426; ages uniform in 27-39 weeks; fixed seed), generated on the
workers and persisted there, so the rows measure fitting, not generation. The cluster is
two worker processes with one thread each (the machine has two cores). Rows:

- (a) ``fit_bgnbd_frame``: partitions reduced to distinct rows on the workers, then
  L-BFGS-B on the client with one ``dask.compute`` of the partial sums (log-likelihood
  and its gradient) per evaluation. Target: within 10 s.
- (b) ``predict_bgnbd_frame``: P(alive) and expected purchases over 52 weeks, per
  partition, summed on the workers.
- (c) ``BgNbd().fit`` in memory, one process, on the same accounts.
- (d) ``BgNbd().p_alive`` and ``expected_purchases`` in memory.
- (r) the reference, in a child process: lifetimes' ``BetaGeoFitter`` (0.11.3) fit and
  the same two predictions on the same accounts. Ratios are against (r).

A second table sets the parameters each fit recovered against the true ones.
Run: ``python benchmarks/bench_models.py``
"""

from __future__ import annotations

import logging
import multiprocessing
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
import pandas as pd
from distributed import Client, LocalCluster, wait

from _report import best_of, table
from accountcare.adapters.dask_models import (
    fit_bgnbd_frame,
    predict_bgnbd_frame,
    simulate_bgnbd_frame,
)
from accountcare.policies.models.bgnbd import BgNbd
from accountcare.policies.models.summaries import PurchaseSummaries

ACCOUNTS, PARTITIONS, SEED, HORIZON = 1_000_000, 8, 20261201, 52.0
TRUE = (0.243, 4.414, 0.793, 2.426)
NAMES = ("r", "alpha", "a", "b")
TARGET = 10.0  # seconds for the fit of the whole book on this machine
REFERENCE_TIMEOUT = 900.0  # seconds given to lifetimes before the row says it did not finish


def book() -> pd.DataFrame:
    """The whole book in this process (the same rows the workers generate)."""
    frame: pd.DataFrame = simulate_bgnbd_frame(
        ACCOUNTS, TRUE, partitions=PARTITIONS, seed=SEED
    ).compute(scheduler="sync")
    return frame


def reference(queue: Any) -> None:
    """In a fresh process: lifetimes' BetaGeoFitter on the same accounts."""
    try:
        import warnings

        from lifetimes import BetaGeoFitter

        frame = book()
        x, t_x, age = frame["frequency"], frame["recency"], frame["T"]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            started = time.perf_counter()
            fitter = BetaGeoFitter().fit(x, t_x, age)
            t_fit = time.perf_counter() - started
            started = time.perf_counter()
            alive = np.asarray(fitter.conditional_probability_alive(x, t_x, age))
            expected = np.asarray(
                fitter.conditional_expected_number_of_purchases_up_to_time(HORIZON, x, t_x, age)
            )
            t_predict = time.perf_counter() - started
        params = tuple(float(fitter.params_[n]) for n in NAMES)
        queue.put(("ok", t_fit, t_predict, params, float(alive.mean()), float(expected.sum())))
    except Exception as exc:  # the row says why lifetimes could not run
        queue.put(("failed", f"{type(exc).__name__}: {exc}"))


def run_reference() -> tuple[Any, ...]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=reference, args=(queue,))
    child.start()
    try:
        result: tuple[Any, ...] = queue.get(timeout=REFERENCE_TIMEOUT)
    except Exception:
        child.kill()
        result = ("failed", f"did not finish within {REFERENCE_TIMEOUT:.0f} s")
    child.join()
    return result


def main() -> None:
    model = BgNbd()
    with (
        LocalCluster(
            n_workers=2,
            processes=True,
            threads_per_worker=1,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster),
    ):
        started = time.perf_counter()
        frame = simulate_bgnbd_frame(ACCOUNTS, TRUE, partitions=PARTITIONS, seed=SEED).persist()
        wait(frame)
        t_generate = time.perf_counter() - started
        t_fit, fitted = best_of(lambda: fit_bgnbd_frame(frame), repeat=2)

        def predict() -> tuple[float, float]:
            scored = predict_bgnbd_frame(frame, fitted, HORIZON)
            sums = scored[["p_alive", "expected_purchases"]].sum().compute()
            return float(sums["p_alive"]) / ACCOUNTS, float(sums["expected_purchases"])

        t_predict, (alive, expected) = best_of(predict, repeat=2)

    local = book()
    data = PurchaseSummaries(
        ids=tuple(local["account_id"]),
        frequency=local["frequency"],
        recency=local["recency"],
        T=local["T"],
    )
    del local
    t_mem_fit, mem = best_of(lambda: model.fit(data), repeat=1)

    def predict_in_memory() -> tuple[float, float]:
        p = model.p_alive(mem, data)
        e = model.expected_purchases(mem, data, HORIZON)
        return float(p.mean()), float(e.sum())

    t_mem_predict, (mem_alive, mem_expected) = best_of(predict_in_memory, repeat=2)
    ref = run_reference()

    def ratio(seconds: float, against: int) -> str:
        return f"{seconds / ref[against]:.3f}" if ref[0] == "ok" else ""

    def shown(alive_mean: float, total: float) -> str:
        return f"mean P(alive) {alive_mean:.4f}, {total:,.0f} purchases"

    drift = max(abs(getattr(fitted, n) / getattr(mem, n) - 1) for n in NAMES)
    verdict = "within" if t_fit <= TARGET else "OVER"
    rows: list[tuple[object, ...]] = [
        ("generate and persist the book on the workers", t_generate, "", ""),
        ("(a) fit_bgnbd_frame (2 workers x 1 thread)", t_fit,
         f"{verdict} the {TARGET:.0f} s target; {fitted.fit.iterations} iterations; "
         f"max relative difference to (c) {drift:.1e}", ratio(t_fit, 1)),
        ("(b) predict_bgnbd_frame, summed on the workers", t_predict, shown(alive, expected),
         ratio(t_predict, 2)),
        ("(c) BgNbd().fit in memory, one process", t_mem_fit,
         f"{mem.fit.iterations} iterations", ratio(t_mem_fit, 1)),
        ("(d) p_alive + expected_purchases in memory", t_mem_predict,
         shown(mem_alive, mem_expected), ratio(t_mem_predict, 2)),
    ]  # fmt: skip
    if ref[0] == "ok":
        rows += [
            ("(r) lifetimes BetaGeoFitter.fit", ref[1], "", "1.000"),
            ("(r) lifetimes P(alive) + expected purchases", ref[2], shown(ref[4], ref[5]), "1.000"),
        ]
    else:
        rows.append(("(r) lifetimes BetaGeoFitter", "", f"could not run: {ref[1]}", ""))
    print(
        table(
            f"BG/NBD on {ACCOUNTS:,} simulated accounts: fit, and predict over 52 weeks",
            ["case", "seconds", "output", "ratio to (r)"],
            rows,
        )
    )
    recovered = [
        ("true (generating) parameters", *TRUE, ""),
        ("(a) fit_bgnbd_frame", *(getattr(fitted, n) for n in NAMES), fitted.fit.log_likelihood),
        ("(c) BgNbd().fit", *(getattr(mem, n) for n in NAMES), mem.fit.log_likelihood),
    ]
    if ref[0] == "ok":
        recovered.append(("(r) lifetimes BetaGeoFitter", *ref[3], ""))
    print()
    print(
        table(
            "BG/NBD parameters recovered from the simulated book",
            ["fit", *NAMES, "log-likelihood"],
            [
                (name, *(f"{v:.4f}" for v in values[:4]), _ll(values[4]))
                for name, *values in recovered
            ],
        )
    )


def _ll(value: object) -> str:
    return f"{value:,.1f}" if isinstance(value, float) else str(value)


if __name__ == "__main__":
    main()
