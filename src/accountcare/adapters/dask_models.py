"""Fit and apply the BG/NBD purchase model to a book of purchase summaries on Dask.

[`BgNbd.fit`][accountcare.policies.models.BgNbd.fit] holds every account in one process.
A book that lives in a Dask DataFrame (columns ``frequency``, ``recency`` and ``T``, one
row per account) is fitted without collecting it, because the log-likelihood of the book
is a sum over accounts, and so is its gradient:

1. each partition is reduced once, on its worker, to its distinct rows with a count each,
   checked, and kept there (persisted) for the whole fit;
2. on the client, scipy's L-BFGS-B walks the log-parameters; each step it asks for the
   log-likelihood and its gradient at one point, and one ``dask.compute`` gathers them:
   every partition returns five numbers (its log-likelihood, from
   [`BgNbd.log_likelihood`][accountcare.policies.models.BgNbd.log_likelihood], and its
   analytic gradient), which the client adds up in partition order.

Newton steps on the gradient then finish what L-BFGS-B starts, until the gradient
vanishes (to about 1e-14 per account), so the parameters agree with ``BgNbd().fit`` on the
same accounts to better than 1e-6 (relative), and with each other to about 1e-12 however
the book is partitioned.

[`predict_bgnbd_frame`][accountcare.adapters.dask_models.predict_bgnbd_frame] then adds
P(alive) and expected purchases to each partition, and
[`simulate_bgnbd_frame`][accountcare.adapters.dask_models.simulate_bgnbd_frame] draws a
book from the model itself, generated on the workers (to test and to benchmark).

>>> fitted = fit_bgnbd_frame(simulate_bgnbd_frame(2_000, (0.25, 4.0, 0.8, 2.5), partitions=3))
>>> fitted.fit.converged, round(fitted.r, 1)
(True, 0.2)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from accountcare._imports import require
from accountcare.errors import ConfigurationError
from accountcare.policies.models import (
    BgNbd,
    BgNbdParameters,
    FitReport,
    PurchaseSummaries,
    check_purchase_data,
)
from accountcare.policies.models._predictions import parameter_values
from accountcare.policies.models.bgnbd import summed_log_likelihood

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["fit_bgnbd_frame", "predict_bgnbd_frame", "simulate_bgnbd_frame"]

#: The summary columns a frame must hold (named as in ``PurchaseSummaries``).
COLUMNS = ("frequency", "recency", "T")
_NAMES = ("r", "alpha", "a", "b")
# As the in-memory fit: log-parameters kept within [-30, 30], a huge value where the
# likelihood is not a number, and L-BFGS-B restarted from its optimum until it stays put.
_BOUND, _HUGE, _RESTARTS = 30.0, 1e300, 3
# L-BFGS-B (on the mean log-likelihood) brings the parameters within about 1e-5; Newton
# steps on the gradient finish (its derivative from forward differences of this step).
_OPTIONS = {"maxiter": 10_000, "ftol": 1e-10, "gtol": 1e-6, "maxls": 50}
_NEWTON_STEPS, _NEWTON_STEP = 4, 1e-5
# The distinct rows of one partition the rough first fit (the starting point) reads.
_ROUGH_ROWS = 20_000

_Rows = tuple[PurchaseSummaries, np.ndarray]


def fit_bgnbd_frame(frame: Any, model: BgNbd | None = None) -> BgNbdParameters:
    """The BG/NBD parameters [`BgNbd.fit`][accountcare.policies.models.BgNbd.fit] would
    give for the accounts in ``frame``.

    ``frame`` is a Dask DataFrame with the columns ``frequency`` (repeat purchases),
    ``recency`` and ``T`` (other columns are ignored). Computed now on the current Dask
    scheduler: one pass to reduce and persist the partitions, then one ``dask.compute``
    per evaluation of the likelihood; only a few numbers travel to the client. The
    likelihood is BG/NBD's own, summed per partition: a subclass of ``BgNbd`` passed as
    ``model`` is refused rather than silently fitted as plain BG/NBD.

    >>> frame = simulate_bgnbd_frame(5_000, (0.243, 4.414, 0.793, 2.426), partitions=2)
    >>> fitted = fit_bgnbd_frame(frame)
    >>> book = frame.compute()
    >>> data = PurchaseSummaries(ids=tuple(book["account_id"]), frequency=book["frequency"],
    ...                          recency=book["recency"], T=book["T"])
    >>> in_memory = BgNbd().fit(data)
    >>> gaps = [getattr(fitted, k) / getattr(in_memory, k) - 1 for k in ("r", "alpha", "a", "b")]
    >>> max(abs(gap) for gap in gaps) < 1e-6
    True
    """
    if model is not None and type(model) is not BgNbd:
        raise ConfigurationError(
            f"fit_bgnbd_frame fits BG/NBD's own likelihood, partition by partition, so "
            f"what {type(model).__name__} changes would be ignored: fit it in memory with "
            f"its own fit"
        )
    dask = require("dask", "dask")
    optimize = require("scipy.optimize", "models")
    model = BgNbd() if model is None else model
    _check_frame(frame)
    reduced = [dask.delayed(_distinct, pure=True)(part) for part in frame.to_delayed()]
    reduced = list(dask.persist(*reduced))
    stats = np.array(dask.compute(*[dask.delayed(_stats)(rows) for rows in reduced]))
    stats = stats.reshape(-1, 4)
    accounts, repeat_buyers, ages = (float(v) for v in stats[:, :3].sum(axis=0))
    _check_counts(int(accounts), int(repeat_buyers), float(stats[:, 3].max(initial=0.0)))
    term = dask.delayed(partial(_partial_sums, model), pure=False)

    def mean_sums(points: np.ndarray) -> np.ndarray:
        """The mean log-likelihood and gradient at each row of log-parameters in
        ``points``: one ``dask.compute``, added up in partition order (so the same sum
        on every run)."""
        clipped = np.clip(points, -_BOUND, _BOUND)
        parts = dask.compute(*[term(rows, clipped) for rows in reduced], optimize_graph=False)
        total = np.zeros((len(points), 5))
        for part in parts:
            total += part
        return total / accounts

    def objective(log_params: np.ndarray) -> tuple[float, np.ndarray]:
        sums = mean_sums(log_params[np.newaxis])[0]
        if not np.all(np.isfinite(sums)):
            return _HUGE, np.zeros(4)
        return -sums[0], -sums[1:]

    start = np.array([0.0, np.log(ages / accounts or 1.0), 0.0, 0.0])
    largest = int(np.argmax(stats[:, 0]))
    if len(reduced) > 1 and stats[largest, 0] >= 2 and stats[largest, 1] > 0:
        # A first fit of the largest partition, on its worker, starts the fit of the book
        # close to its optimum: fewer passes over the whole book.
        rough = dask.delayed(_rough_fit, pure=True)(model, reduced[largest], start)
        start = dask.compute(rough)[0]
    iterations, result = 0, None
    for _ in range(_RESTARTS):
        result = optimize.minimize(objective, start, jac=True, method="L-BFGS-B", options=_OPTIONS)
        iterations += int(result.nit)
        if np.allclose(result.x, start, rtol=0.0, atol=1e-10):
            break
        start = result.x
    assert result is not None
    x, sums = _polished(mean_sums, np.clip(result.x, -_BOUND, _BOUND))
    finite = bool(np.all(np.isfinite(sums)))
    report = FitReport(
        log_likelihood=float(sums[0] * accounts) if finite else -_HUGE,
        converged=finite and (bool(result.success) or float(np.abs(sums[1:]).max()) < 1e-8),
        iterations=iterations,
        message=str(result.message),
    )
    r, alpha, a, b = (float(v) for v in np.exp(x))
    return BgNbdParameters(r=r, alpha=alpha, a=a, b=b, fit=report)


def _rough_fit(model: BgNbd, rows: _Rows, start: np.ndarray) -> np.ndarray:
    """The log-parameters that maximise the likelihood of (a sample of at most
    ``_ROUGH_ROWS`` distinct rows of) one partition, or ``start`` when that fails: a
    starting point for the fit of the whole book."""
    optimize = require("scipy.optimize", "models")
    data, counts = rows
    stride = max(1, len(data) // _ROUGH_ROWS)  # rows are sorted: a stride samples every x
    if stride > 1:
        picked = slice(None, None, stride)
        data = PurchaseSummaries(
            ids=data.ids[picked],
            frequency=data.frequency[picked],
            recency=data.recency[picked],
            T=data.T[picked],
        )
        counts = counts[picked]
        if not np.any(data.frequency > 0):
            return start
    rows = (data, counts)
    accounts = float(counts.sum())

    def objective(log_params: np.ndarray) -> tuple[float, np.ndarray]:
        sums = _sums_at(model, rows, np.clip(log_params, -_BOUND, _BOUND)) / accounts
        if not np.all(np.isfinite(sums)):
            return _HUGE, np.zeros(4)
        return -sums[0], -sums[1:]

    result = optimize.minimize(objective, start, jac=True, method="L-BFGS-B", options=_OPTIONS)
    found = np.clip(result.x, -_BOUND, _BOUND)
    return found if np.all(np.isfinite(found)) and result.fun < _HUGE else start


def _polished(
    mean_sums: Callable[[np.ndarray], np.ndarray], x: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Newton steps on the gradient from the optimiser's answer ``x``, and the sums there.

    Near the maximum the likelihood is flat to the last bits of a float, so a line search
    on its value cannot settle the last digits; the gradient still points the way. One
    ``dask.compute`` gives the gradient at ``x`` and a forward difference of it along each
    axis (the Hessian, kept for every step); then each step costs one ``dask.compute`` of
    the gradient, and is kept only while it shrinks the gradient without losing likelihood.
    """
    sums = mean_sums(x + np.vstack([np.zeros(len(x)), _NEWTON_STEP * np.eye(len(x))]))
    here = sums[0]
    if not np.all(np.isfinite(sums)):
        return x, here
    hessian = (sums[1:, 1:] - here[1:]) / _NEWTON_STEP
    for _ in range(_NEWTON_STEPS):
        if np.abs(here[1:]).max() < 1e-14:
            break
        try:
            step = np.linalg.solve((hessian + hessian.T) / 2, here[1:])
        except np.linalg.LinAlgError:
            break
        moved = np.clip(x - step, -_BOUND, _BOUND)
        there = mean_sums(moved[np.newaxis])[0]
        if not (
            np.all(np.isfinite(there))
            and np.abs(there[1:]).max() < np.abs(here[1:]).max()
            and there[0] >= here[0] - 1e-12 * max(1.0, abs(here[0]))
        ):
            break
        x, here = moved, there
    return x, here


def predict_bgnbd_frame(
    frame: Any,
    params: BgNbdParameters | Sequence[float],
    horizon: float,
    model: BgNbd | None = None,
) -> Any:
    """``frame`` with ``p_alive`` and ``expected_purchases`` (over the next ``horizon``
    units) columns, computed partition by partition when the lazy frame is computed.

    >>> import dask.dataframe as dd
    >>> import pandas as pd
    >>> book = pd.DataFrame({"account_id": ["acme", "globex"], "frequency": [2, 0],
    ...                      "recency": [30.43, 0.0], "T": [38.86, 38.86]})
    >>> scored = predict_bgnbd_frame(dd.from_pandas(book, npartitions=1),
    ...                              (0.243, 4.414, 0.793, 2.426), horizon=52).compute()
    >>> scored["p_alive"].round(2).tolist(), scored["expected_purchases"].round(2).tolist()
    ([0.73, 1.0], [1.56, 0.25])
    """
    _check_frame(frame)
    model = BgNbd() if model is None else model
    if horizon < 0:
        raise ConfigurationError(f"the horizon must not be negative, got {horizon}")
    for name in ("p_alive", "expected_purchases"):
        if name in frame.columns:
            raise ConfigurationError(f"the frame already has a column {name!r}")
    values = tuple(parameter_values(params, _NAMES))
    score = partial(_score, model=model, params=values, horizon=float(horizon))
    return frame.map_partitions(score, meta=score(frame._meta))


def simulate_bgnbd_frame(
    accounts: int,
    params: BgNbdParameters | Sequence[float],
    *,
    partitions: int = 1,
    seed: int = 0,
    ages: tuple[float, float] = (27.0, 39.0),
) -> Any:
    """A Dask DataFrame of ``accounts`` summaries drawn from the BG/NBD model with
    ``params`` (r, alpha, a, b), generated on the workers partition by partition.

    Each account's age ``T`` is uniform in ``ages`` (a cohort acquired over 12 weeks and
    watched to week 39, by default); its purchase rate is drawn from Gamma(r, alpha) and
    its drop-out probability from Beta(a, b); it buys as a Poisson process and may drop
    out after each repeat purchase. Columns: ``account_id``, ``frequency``, ``recency``,
    ``T``. The same ``seed`` and ``partitions`` give the same book.

    >>> book = simulate_bgnbd_frame(1_000, (0.243, 4.414, 0.793, 2.426), partitions=2).compute()
    >>> len(book), list(book.columns), bool((book["recency"] <= book["T"]).all())
    (1000, ['account_id', 'frequency', 'recency', 'T'], True)
    """
    dd = require("dask.dataframe", "dask")
    if accounts < 0 or partitions < 1:
        raise ConfigurationError("simulate_bgnbd_frame needs accounts >= 0 and partitions >= 1")
    if not 0 <= ages[0] <= ages[1]:
        raise ConfigurationError(f"ages must be 0 <= youngest <= oldest, got {ages}")
    values = tuple(parameter_values(params, _NAMES))
    edges = np.linspace(0, accounts, partitions + 1).round().astype(int)
    draw = partial(_simulated, params=values, seed=seed, ages=ages)
    pieces = [(n, int(edges[n]), int(edges[n + 1])) for n in range(partitions)]
    return dd.from_map(draw, pieces, meta=draw((0, 0, 0)))


def _check_frame(frame: Any) -> None:
    """ConfigurationError unless ``frame`` is a Dask DataFrame with the summary columns."""
    columns = getattr(frame, "columns", None)
    if columns is None or not hasattr(frame, "map_partitions"):
        raise ConfigurationError(
            f"expected a dask DataFrame of purchase summaries, got {type(frame).__name__}"
        )
    missing = [name for name in COLUMNS if name not in columns]
    if missing:
        raise ConfigurationError(
            f"the frame has no column {', '.join(map(repr, missing))} (its columns: "
            f"{', '.join(map(str, columns))}); purchase summaries need {', '.join(COLUMNS)}"
        )


def _check_counts(accounts: int, repeat_buyers: int, oldest: float) -> None:
    """The in-memory fit's refusals, from the book's counts: ``check_purchase_data`` on
    two accounts (fewer for a smaller book) that share the book's verdict."""
    check_purchase_data(
        PurchaseSummaries(
            ids=tuple(str(n) for n in range(min(accounts, 2))),
            frequency=[int(n < repeat_buyers) for n in range(min(accounts, 2))],
            recency=[0.0] * min(accounts, 2),
            T=[oldest] * min(accounts, 2),
        )
    )


def _summaries(part: pd.DataFrame) -> PurchaseSummaries:
    """One partition as checked purchase summaries (row positions as ids)."""
    return PurchaseSummaries(
        ids=tuple(map(str, range(len(part)))),
        frequency=part["frequency"].to_numpy(),
        recency=part["recency"].to_numpy(dtype="float64"),
        T=part["T"].to_numpy(dtype="float64"),
    )


def _distinct(part: pd.DataFrame) -> _Rows:
    """One partition, checked, as its distinct rows and how many accounts share each."""
    data = _summaries(part)
    x, t_x, age = data.frequency, data.recency, data.T
    order = np.lexsort((age, t_x, x))
    x, t_x, age = x[order], t_x[order], age[order]
    changes = (x[1:] != x[:-1]) | (t_x[1:] != t_x[:-1]) | (age[1:] != age[:-1])
    starts = np.flatnonzero(np.r_[True, changes]) if len(x) else np.zeros(0, dtype=np.int64)
    counts = np.diff(np.r_[starts, len(x)]).astype(np.int64)
    rows = PurchaseSummaries(
        ids=tuple(map(str, range(len(starts)))),
        frequency=x[starts],
        recency=t_x[starts],
        T=age[starts],
    )
    return rows, counts


def _stats(rows: _Rows) -> tuple[int, int, float, float]:
    """Accounts, repeat buyers, the sum of the ages and the oldest age of one partition."""
    data, counts = rows
    return (
        int(counts.sum()),
        int(counts[data.frequency > 0].sum()),
        float(np.sum(counts * data.T)),
        float(data.T.max()) if len(data) else 0.0,
    )


def _partial_sums(model: BgNbd, rows: _Rows, points: np.ndarray) -> np.ndarray:
    """One partition's log-likelihood and its gradient in the log-parameters, a row of
    five sums for each row of log-parameters in ``points``."""
    return np.array([_sums_at(model, rows, log_params) for log_params in points]).reshape(-1, 5)


def _sums_at(model: BgNbd, rows: _Rows, log_params: np.ndarray) -> np.ndarray:
    """One partition's log-likelihood and its gradient at one point."""
    data, counts = rows
    value, gradient = summed_log_likelihood(np.asarray(log_params), data, counts)
    return np.array([value, *gradient])


def _score(
    part: pd.DataFrame, *, model: BgNbd, params: tuple[float, ...], horizon: float
) -> pd.DataFrame:
    """One partition with its P(alive) and expected purchases."""
    data = _summaries(part)
    return part.assign(
        p_alive=model.p_alive(params, data),
        expected_purchases=model.expected_purchases(params, data, horizon),
    )


def _simulated(
    piece: tuple[int, int, int],
    *,
    params: tuple[float, ...],
    seed: int,
    ages: tuple[float, float],
) -> pd.DataFrame:
    """Accounts ``first`` to ``end`` of a simulated book, from their own seeded stream."""
    pandas = require("pandas", "dask")
    number, first, end = piece
    n = end - first
    r, alpha, a, b = params
    rng = np.random.default_rng([seed, number])
    age = rng.uniform(ages[0], ages[1], n)
    rate = rng.gamma(r, 1.0 / alpha, n)
    drop = np.clip(rng.beta(a, b, n), np.finfo("float64").tiny, 1.0)
    events = rng.poisson(rate * age)  # purchases in (0, T] had the account never dropped out
    lasts = rng.geometric(drop)  # the repeat purchase after which it drops out
    x = np.minimum(events, lasts)
    recency = np.zeros(n)
    buyers = x > 0
    # Given k Poisson events in (0, T], the j-th falls at T times a Beta(j, k - j + 1).
    recency[buyers] = age[buyers] * rng.beta(x[buyers], events[buyers] - x[buyers] + 1)
    ids = pandas.array([f"sim-{k:09d}" for k in range(first, end)], dtype="string")
    frame: pd.DataFrame = pandas.DataFrame(
        {"account_id": ids, "frequency": x.astype("int64"), "recency": recency, "T": age},
        index=pandas.RangeIndex(first, end),
    )
    return frame
