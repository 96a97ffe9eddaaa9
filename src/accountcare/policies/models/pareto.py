"""The Pareto/NBD model of repeat buying (Schmittlein, Morrison and Colombo, 1987).

While active, an account buys at a steady rate of its own, drawn from a gamma
distribution (shape ``r``, rate ``alpha``); it stays active for an exponentially
distributed lifetime whose rate is drawn from another gamma distribution (shape ``s``,
rate ``beta``). Unlike BG/NBD, an account may drop out at any moment, even before its
first repeat purchase, so a newcomer that stays silent for long loses its P(alive) too.

The likelihood, P(alive) and the conditional expectation follow Fader and Hardie's
derivations ("A Note on Deriving the Pareto/NBD Model and Related Expressions", 2005).
Its Gauss hypergeometric term is the integral over the unseen moment of drop-out,
evaluated in log space: Euler's transformation leaves a series of positive terms that is
bounded whatever the frequency, and where ``scipy.special.hyp2f1`` cannot evaluate it
(long histories with the argument close to 1) a Gauss-Legendre quadrature of the same
integral takes over, so nothing overflows for thousands of purchases.

>>> from accountcare.policies.models import FitReport, PurchaseSummaries
>>> from accountcare.policies.models.pareto import ParetoNbd, ParetoNbdParameters
>>> params = ParetoNbdParameters(r=0.5534, alpha=10.5802, s=0.6061, beta=11.6562,
...                              fit=FitReport(-9594.98, True, 0, "published"))
>>> data = PurchaseSummaries(ids=("acme",), frequency=[2], recency=[30.43], T=[38.86])
>>> print(ParetoNbd().predict(params, data, horizon=52)["acme"].explain())
frequency 2, recency 30.4 and T 38.9 weeks under Pareto/NBD (r=0.5534, alpha=10.58, s=0.6061, beta=11.66): P(alive) 0.87, 1.85 purchases in the next 52 weeks
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np

from accountcare._imports import require
from accountcare.errors import ConfigurationError
from accountcare.policies.models._fitting import (
    FitReport,
    check_purchase_data,
    distinct_rows,
    maximise,
)
from accountcare.policies.models._predictions import Predictions, parameter_values, predictions
from accountcare.policies.models.summaries import PurchaseSummaries

__all__ = ["ParetoNbd", "ParetoNbdParameters"]

_NAMES = ("r", "alpha", "s", "beta")

# The quadrature that backs up scipy's hyp2f1: panels of Gauss-Legendre nodes on a
# logarithmic scale of the drop-out time, spanning where the integrand is within e^-40 of
# its peak (see _log_tail_quadrature).
_PANELS = 128
_NODES = 8
_DEPTH = 40.0


@attrs.frozen
class ParetoNbdParameters:
    """Fitted Pareto/NBD parameters: purchase rates ~ Gamma(``r``, ``alpha``), drop-out
    rates ~ Gamma(``s``, ``beta``), and how the fit went.

    >>> ParetoNbdParameters(0.5534, 10.5802, 0.6061, 11.6562, FitReport(-9595.0, True, 0, "")).s
    0.6061
    """

    r: float
    alpha: float
    s: float
    beta: float
    fit: FitReport


def _log_tail_quadrature(n: np.ndarray, m: np.ndarray, eps: np.ndarray) -> np.ndarray:
    """``log ∫_0^∞ exp(-n y) (1 - (1 - eps) exp(-y))^(-m) dy`` by quadrature.

    The log of the integrand is convex and decreasing in ``y``, with slope ``-lam0`` at 0
    and never flatter than ``-n``; the substitution ``y = (e^q - 1) / lam0`` spreads its
    mass evenly over ``q``, and the range stops where the integrand has fallen by e^-40.
    """
    special = require("scipy.special", "models")
    lam0 = (n - m) + m / eps
    reach = (_DEPTH + np.log(lam0 / n)) / n
    width = np.log1p(reach * lam0) / _PANELS
    nodes, weights = np.polynomial.legendre.leggauss(_NODES)
    offsets = (np.arange(_PANELS)[:, None] + (nodes[None, :] + 1.0) / 2.0).ravel()
    q = width[:, None] * offsets[None, :]
    y = np.expm1(q) / lam0[:, None]
    e = eps[:, None]
    small = y < 1.0
    # log(e^y - 1 + eps), without overflow for large y nor cancellation for small y
    near = np.log(np.expm1(np.where(small, y, 0.0)) + e)
    far = y + np.log1p(-(1.0 - e) * np.exp(-np.where(small, 1.0, y)))
    log_f = -(n - m)[:, None] * y - m[:, None] * np.where(small, near, far)
    log_jacobian = q - np.log(lam0)[:, None]
    log_weights = np.log(np.tile(weights, _PANELS) / 2.0)[None, :] + np.log(width)[:, None]
    result: np.ndarray = special.logsumexp(log_f + log_jacobian + log_weights, axis=1)
    return result


def _log_tail(
    r: float, alpha: float, s: float, beta: float, x: np.ndarray, t: np.ndarray
) -> np.ndarray:
    """``log ∫_t^∞ (alpha + u)^-(r+x) (beta + u)^-(s+1) du``, per account.

    With ``n = r + s + x`` the integral is ``2F1(n, m; n + 1; z) / (n (k + t)^n)``, with
    ``k = max(alpha, beta)``, ``z = |alpha - beta| / (k + t)`` and ``m`` the exponent of the
    other factor, ``s + 1`` when alpha >= beta and ``r + x`` otherwise (Fader and Hardie's
    A0 terms); Euler's transformation turns it into ``2F1(1, c; n + 1; z)``, a series of
    positive terms bounded by its value at ``z = 1``.
    """
    special = require("scipy.special", "models")
    x = np.asarray(x, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    n = r + s + x
    if alpha >= beta:
        big, small = alpha + t, beta + t
        order = np.full_like(x, s + 1.0)  # the exponent of the term that is not factored out
        c = r + x
        outside = -s * np.log(small) - (r + x) * np.log(big)
        bound = n / s
    else:
        big, small = beta + t, alpha + t
        order = r + x
        c = np.full_like(x, s + 1.0)
        outside = -(s + 1.0) * np.log(big) - (r + x - 1.0) * np.log(small)
        bound = np.where(r + x > 1.0, n / np.maximum(r + x - 1.0, 1e-300), np.inf)
    z = (big - small) / big
    with np.errstate(all="ignore"):
        series = special.hyp2f1(1.0, c, n + 1.0, z)
    # The series lies between 1 and its value at z = 1; anything else is scipy giving up.
    ok = np.isfinite(series) & (series >= 1.0 - 1e-12) & (series <= bound * (1.0 + 1e-12))
    result = np.log(np.where(ok, series, 1.0)) + outside - np.log(n)
    if not np.all(ok):
        lost = ~ok
        eps = small[lost] / big[lost]
        result[lost] = -n[lost] * np.log(big[lost]) + _log_tail_quadrature(
            n[lost], order[lost], eps
        )
    return result


def _log_parts(
    r: float,
    alpha: float,
    s: float,
    beta: float,
    x: np.ndarray,
    t_x: np.ndarray,
    age: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The log-likelihood's three pieces: the common factor, the account still active at
    ``age`` (T), and the account gone between ``t_x`` and ``age``."""
    special = require("scipy.special", "models")
    x = np.asarray(x, dtype=np.float64)
    t_x = np.asarray(t_x, dtype=np.float64)
    age = np.asarray(age, dtype=np.float64)
    common = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    alive = -(r + x) * np.log(alpha + age) - s * np.log(beta + age)
    from_last = _log_tail(r, alpha, s, beta, x, t_x)
    from_end = _log_tail(r, alpha, s, beta, x, age)
    gap = from_end - from_last  # <= 0, and 0 when the last purchase is at the end
    with np.errstate(divide="ignore"):
        died = np.where(
            age > t_x,
            np.log(s) + from_last + np.log(-np.expm1(np.minimum(gap, -1e-300))),
            -np.inf,
        )
    return common, alive, died


def _check(r: float, alpha: float, s: float, beta: float) -> None:
    values = {"r": r, "alpha": alpha, "s": s, "beta": beta}
    wrong = [f"{k}={v}" for k, v in values.items() if not (np.isfinite(v) and v > 0)]
    if wrong:
        raise ConfigurationError(
            f"Pareto/NBD parameters must be positive numbers, got {', '.join(wrong)}"
        )


class ParetoNbd:
    """The Pareto/NBD model: fit on purchase summaries, then P(alive) and expected purchases.

    >>> ParetoNbd().name
    'Pareto/NBD'
    """

    name = "Pareto/NBD"

    def fit(self, data: PurchaseSummaries) -> ParetoNbdParameters:
        """Maximum likelihood parameters; the fit does not depend on the order of accounts.

        >>> data = PurchaseSummaries(ids=("a", "b", "c", "d"), frequency=[2, 0, 5, 1],
        ...                          recency=[30.0, 0.0, 35.0, 3.0], T=[38.0, 38.0, 38.0, 30.0])
        >>> ParetoNbd().fit(data).fit.converged
        True
        """
        check_purchase_data(data)
        (x, t_x, age), counts = distinct_rows(data.frequency, data.recency, data.T)

        def neg_ll(log_params: np.ndarray) -> float:
            r, alpha, s, beta = (float(v) for v in np.exp(log_params))
            common, alive, died = _log_parts(r, alpha, s, beta, x, t_x, age)
            return -float(np.sum(counts * (common + np.logaddexp(alive, died))))

        # From the distinct rows, so that the start, too, ignores the order of accounts.
        scale = float(np.sum(counts * age) / np.sum(counts)) or 1.0
        start = [0.0, np.log(scale), 0.0, np.log(scale)]
        params, report = maximise(neg_ll, start, _NAMES)
        return ParetoNbdParameters(**params, fit=report)

    def log_likelihood(
        self, params: ParetoNbdParameters | Sequence[float], data: PurchaseSummaries
    ) -> np.ndarray:
        """Each account's log-likelihood under ``params``.

        >>> data = PurchaseSummaries(ids=("a", "b"), frequency=[0, 2], recency=[0.0, 30.43],
        ...                          T=[0.0, 38.86])
        >>> ParetoNbd().log_likelihood([0.5534, 10.5802, 0.6061, 11.6562], data).round(4).tolist()
        [0.0, -9.5545]
        """
        r, alpha, s, beta = parameter_values(params, _NAMES)
        _check(r, alpha, s, beta)
        common, alive, died = _log_parts(r, alpha, s, beta, data.frequency, data.recency, data.T)
        result: np.ndarray = common + np.logaddexp(alive, died)
        return result

    def p_alive(
        self, params: ParetoNbdParameters | Sequence[float], data: PurchaseSummaries
    ) -> np.ndarray:
        """The probability that each account is still active at the end of its window.

        >>> data = PurchaseSummaries(ids=("a", "b", "c"), frequency=[0, 2, 2],
        ...                          recency=[0.0, 30.43, 5.0], T=[38.86, 38.86, 38.86])
        >>> ParetoNbd().p_alive([0.5534, 10.5802, 0.6061, 11.6562], data).round(3).tolist()
        [0.295, 0.869, 0.13]
        """
        r, alpha, s, beta = parameter_values(params, _NAMES)
        _check(r, alpha, s, beta)
        _common, alive, died = _log_parts(r, alpha, s, beta, data.frequency, data.recency, data.T)
        result: np.ndarray = np.exp(alive - np.logaddexp(alive, died))
        return result

    def expected_purchases(
        self,
        params: ParetoNbdParameters | Sequence[float],
        data: PurchaseSummaries,
        horizon: float,
    ) -> np.ndarray:
        """Purchases each account is expected to make in the next ``horizon`` units, given
        its history: P(alive) times the purchases of an account known to be active.

        >>> data = PurchaseSummaries(ids=("a",), frequency=[2], recency=[30.43], T=[38.86])
        >>> params = [0.5534, 10.5802, 0.6061, 11.6562]
        >>> ParetoNbd().expected_purchases(params, data, 39).round(3).tolist()
        [1.455]
        """
        if not horizon >= 0:
            raise ConfigurationError(f"the horizon must not be negative, got {horizon}")
        r, alpha, s, beta = parameter_values(params, _NAMES)
        _check(r, alpha, s, beta)
        x = data.frequency.astype(np.float64)
        age = data.T
        # (1 - ((beta + T) / (beta + T + t))^(s - 1)) / (s - 1), and its limit log(...) at s = 1
        span = np.log1p(horizon / (beta + age))
        lifetime = span if abs(s - 1.0) < 1e-10 else -np.expm1(-(s - 1.0) * span) / (s - 1.0)
        active = (r + x) * (beta + age) / (alpha + age) * lifetime
        result: np.ndarray = active * self.p_alive((r, alpha, s, beta), data)
        return result

    def predict(
        self,
        params: ParetoNbdParameters | Sequence[float],
        data: PurchaseSummaries,
        horizon: float,
    ) -> Predictions:
        """P(alive) and expected purchases over ``horizon`` units, each with its reason.

        >>> data = PurchaseSummaries(ids=("a",), frequency=[0], recency=[0.0], T=[38.86])
        >>> round(ParetoNbd().predict([0.5534, 10.5802, 0.6061, 11.6562], data, 52)["a"].p_alive, 3)
        0.295
        """
        values = parameter_values(params, _NAMES)
        return predictions(
            self.name,
            dict(zip(_NAMES, values, strict=True)),
            data,
            p_alive=self.p_alive(values, data),
            expected_purchases=self.expected_purchases(values, data, horizon),
            horizon=horizon,
        )
