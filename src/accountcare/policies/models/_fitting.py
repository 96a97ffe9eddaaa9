"""Maximum likelihood on a log scale, shared by the purchase and spend models.

Every model's parameters are positive, so the optimiser works on their logarithms
(L-BFGS-B, unconstrained) and the result comes back on the natural scale with a
[`FitReport`][accountcare.policies.models.FitReport]. The data are first reduced to their
distinct rows with a count each: the likelihood is then summed in one canonical order, so a
fit does not depend on the order of the accounts, and large books fit in the time of
their distinct histories.

>>> import numpy as np
>>> rows, counts = distinct_rows(np.array([1.0, 2.0, 1.0]))
>>> rows[0].tolist(), counts.tolist()
([1.0, 2.0], [2, 1])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import attrs
import numpy as np

from accountcare._imports import require
from accountcare.errors import ConfigurationError

if TYPE_CHECKING:
    from accountcare.policies.models.summaries import PurchaseSummaries

__all__ = ["FitReport", "check_purchase_data", "distinct_rows", "maximise"]

# A penalty that the optimiser can move away from, where the likelihood is not a number.
_HUGE = 1e300


@attrs.frozen
class FitReport:
    """How a maximum likelihood fit ended: the log-likelihood summed over the accounts, whether
    the optimiser says it converged, after how many iterations, and its message.

    >>> FitReport(log_likelihood=-9582.4, converged=True, iterations=25, message="ok").converged
    True
    """

    log_likelihood: float
    converged: bool
    iterations: int
    message: str


def check_purchase_data(data: PurchaseSummaries) -> None:
    """Refuse summaries that cannot identify a repeat-purchase model's parameters.

    >>> from accountcare.policies.models import PurchaseSummaries
    >>> check_purchase_data(PurchaseSummaries(ids=("a",), frequency=[1], recency=[1.0], T=[2.0]))
    Traceback (most recent call last):
    ...
    accountcare.errors.ConfigurationError: a purchase model needs at least 2 accounts, got 1
    """
    if len(data) < 2:
        raise ConfigurationError(f"a purchase model needs at least 2 accounts, got {len(data)}")
    if not np.any(data.T > 0):
        raise ConfigurationError(
            "every account was first seen at the end of the calibration window (T = 0): "
            "end the window later"
        )
    if not np.any(data.frequency > 0):
        raise ConfigurationError(
            "no account bought again in the calibration window, so the purchase rate and "
            "the drop-out cannot be told apart: use a longer window"
        )


def distinct_rows(*columns: np.ndarray) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
    """The distinct rows of ``columns`` (sorted) and how many times each occurs.

    >>> rows, counts = distinct_rows(np.array([2, 0, 2]), np.array([1.0, 0.0, 1.0]))
    >>> [c.tolist() for c in rows], counts.tolist()
    ([[0.0, 2.0], [0.0, 1.0]], [1, 2])
    """
    stacked = np.column_stack([np.asarray(c, dtype=np.float64) for c in columns])
    unique, counts = np.unique(stacked, axis=0, return_counts=True)
    return tuple(unique[:, j] for j in range(unique.shape[1])), counts.astype(np.int64)


def maximise(
    neg_ll: Callable[[np.ndarray], float],
    x0_log: Sequence[float],
    names: Sequence[str],
    *,
    gradient: Callable[[np.ndarray], tuple[float, np.ndarray]] | None = None,
) -> tuple[dict[str, float], FitReport]:
    """Minimise ``neg_ll`` (the negative log-likelihood, a function of the log-parameters)
    from ``x0_log``; the parameters by name on the natural scale, and the report.
    ``gradient``, when given, returns ``neg_ll`` and its gradient at once (analytic: one
    pass over the data instead of a finite difference's several).

    >>> params, report = maximise(lambda x: float((x[0] - 1.0) ** 2), [0.0], ["k"])
    >>> round(params["k"], 6), report.converged, round(report.log_likelihood, 6)
    (2.718282, True, -0.0)
    """
    optimize = require("scipy.optimize", "models")
    if len(x0_log) != len(names):
        raise ConfigurationError(f"{len(names)} parameter names for {len(x0_log)} start values")

    # Rounded, so that noise in how a caller computed the start (a sum in another order)
    # cannot steer the optimiser down another path on a flat likelihood.
    start = np.round(np.asarray(x0_log, dtype=np.float64), 6)

    def raw(x: np.ndarray) -> float:
        value = float(neg_ll(np.clip(x, -30.0, 30.0)))
        return value if np.isfinite(value) else _HUGE

    # On a scale of one, the tolerances below mean the same for ten accounts or a million.
    scale = max(1.0, abs(raw(start))) if raw(start) < _HUGE else 1.0

    def objective(x: np.ndarray) -> float:
        return raw(x) / scale

    def with_gradient(x: np.ndarray) -> tuple[float, np.ndarray]:
        assert gradient is not None
        value, slope = gradient(np.clip(x, -30.0, 30.0))
        if not (np.isfinite(value) and np.all(np.isfinite(slope))):
            return _HUGE / scale, np.zeros_like(x)
        return float(value) / scale, np.asarray(slope, dtype=np.float64) / scale

    options = {"maxiter": 10_000, "ftol": 1e-15, "gtol": 1e-9, "maxls": 50}
    fun, jac = (objective, "3-point") if gradient is None else (with_gradient, True)
    iterations, converged, message = 0, False, ""
    best_x, best_value = start, objective(start)
    for _ in range(3):  # restarts from the optimum settle the last digits
        result = optimize.minimize(fun, best_x, method="L-BFGS-B", jac=jac, options=options)
        iterations += int(result.nit)
        # Finite differences cannot resolve a gradient below about 1e-7: that is the optimum.
        converged = converged or bool(result.success) or float(np.max(np.abs(result.jac))) < 1e-6
        value = objective(result.x)
        if not value < best_value:
            break
        moved = not np.allclose(result.x, best_x, rtol=0.0, atol=1e-10)
        best_x, best_value, message = np.clip(result.x, -30.0, 30.0), value, str(result.message)
        if not moved:
            break
    params = {name: float(np.exp(v)) for name, v in zip(names, best_x, strict=True)}
    report = FitReport(
        log_likelihood=-raw(best_x),
        converged=converged and best_value * scale < _HUGE,
        iterations=iterations,
        message=message or "the start values could not be improved on",
    )
    return params, report
