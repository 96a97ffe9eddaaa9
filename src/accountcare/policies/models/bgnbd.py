"""The BG/NBD model of repeat buying (Fader, Hardie and Lee, 2005).

While active, an account buys at a steady rate of its own, drawn from a gamma
distribution (shape ``r``, rate ``alpha``); after each purchase it may drop out for good
with a probability of its own, drawn from a beta distribution (``a``, ``b``). Dropping out
is never seen: it is inferred from a long silence set against the account's usual pace.

>>> from accountcare.policies.models import BgNbd, BgNbdParameters, FitReport, PurchaseSummaries
>>> params = BgNbdParameters(r=0.243, alpha=4.414, a=0.793, b=2.426,
...                          fit=FitReport(-9582.4, True, 0, "published"))
>>> data = PurchaseSummaries(ids=("acme",), frequency=[2], recency=[30.43], T=[38.86])
>>> print(BgNbd().predict(params, data, horizon=52)["acme"].explain())
frequency 2, recency 30.4 and T 38.9 weeks under BG/NBD (r=0.243, alpha=4.414, a=0.793, b=2.426): P(alive) 0.73, 1.56 purchases in the next 52 weeks
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

__all__ = ["BgNbd", "BgNbdParameters"]

_NAMES = ("r", "alpha", "a", "b")


@attrs.frozen
class BgNbdParameters:
    """Fitted BG/NBD parameters: purchase rates ~ Gamma(``r``, ``alpha``), drop-out
    probabilities ~ Beta(``a``, ``b``), and how the fit went.

    >>> BgNbdParameters(0.243, 4.414, 0.793, 2.426, FitReport(-9582.4, True, 0, "")).alpha
    4.414
    """

    r: float
    alpha: float
    a: float
    b: float
    fit: FitReport


def _log_likelihood(
    r: float, alpha: float, a: float, b: float, x: np.ndarray, t_x: np.ndarray, age: np.ndarray
) -> np.ndarray:
    special = require("scipy.special", "models")
    common = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    stay = special.betaln(a, b + x) - (r + x) * np.log(alpha + age)
    repeat = x > 0
    safe_x = np.where(repeat, x, 1.0)
    drop = np.where(
        repeat,
        special.betaln(a + 1, b + safe_x - 1) - (r + x) * np.log(alpha + t_x),
        -np.inf,
    )
    result: np.ndarray = common - special.betaln(a, b) + np.logaddexp(stay, drop)
    return result


def summed_log_likelihood(
    log_params: np.ndarray, data: PurchaseSummaries, counts: np.ndarray | None = None
) -> tuple[float, np.ndarray]:
    """The log-likelihood of ``data`` summed over its accounts (each row weighted by
    ``counts``, when given), and its gradient in the log-parameters
    ``(log r, log alpha, log a, log b)``, analytic: the one both the in-memory fit and
    a partitioned one (the sum of each partition's) climb.

    >>> data = PurchaseSummaries(ids=("a", "b"), frequency=[2, 0], recency=[30.0, 0.0],
    ...                          T=[38.0, 38.0])
    >>> value, gradient = summed_log_likelihood(np.log([0.24, 4.4, 0.79, 2.4]), data)
    >>> round(value, 6) == round(float(BgNbd().log_likelihood([0.24, 4.4, 0.79, 2.4], data).sum()), 6)
    True
    >>> gradient.shape
    (4,)
    """  # noqa: E501
    special = require("scipy.special", "models")
    weight = np.ones(len(data)) if counts is None else np.asarray(counts, dtype=np.float64)
    r, alpha, a, b = np.exp(np.asarray(log_params, dtype=np.float64))
    x = data.frequency.astype(np.float64)
    t_x, age = data.recency, data.T
    ll = _log_likelihood(r, alpha, a, b, x, t_x, age)
    repeat = x > 0
    safe_x = np.where(repeat, x, 1.0)
    # The weight of the "dropped out after the last purchase" branch of the likelihood.
    gap = np.where(
        repeat,
        np.log(a) - np.log(b + safe_x - 1) + (r + x) * (np.log(alpha + age) - np.log(alpha + t_x)),
        -np.inf,
    )
    dropped = special.expit(gap)
    stayed = 1.0 - dropped
    d_r = (
        special.digamma(r + x)
        - special.digamma(r)
        + np.log(alpha)
        - stayed * np.log(alpha + age)
        - dropped * np.log(alpha + t_x)
    )
    d_alpha = r / alpha - (r + x) * (stayed / (alpha + age) + dropped / (alpha + t_x))
    ab = special.digamma(a + b) - special.digamma(a + b + x)
    d_a = ab + dropped / a
    d_b = ab + special.digamma(b + x) - special.digamma(b) - dropped / (b + safe_x - 1)
    gradient = np.array(
        [
            r * np.sum(weight * d_r),
            alpha * np.sum(weight * d_alpha),
            a * np.sum(weight * d_a),
            b * np.sum(weight * d_b),
        ]
    )
    return float(np.sum(weight * ll)), gradient


def _hyp2f1(a: float, b: float, c: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Gauss's hypergeometric function for 0 <= z < 1, by scipy, or by its power series
    where scipy gives no finite value (large ``c`` with ``z`` near 1 and ``c - a - b`` an
    integer)."""
    special = require("scipy.special", "models")
    c, z = np.broadcast_arrays(np.asarray(c, dtype=np.float64), np.asarray(z, dtype=np.float64))
    value = np.array(special.hyp2f1(a, b, c, z), dtype=np.float64)
    bad = ~np.isfinite(value)
    if np.any(bad):
        value[bad] = _hyp2f1_series(a, b, c[bad], z[bad])
    return value


def _hyp2f1_series(a: float, b: float, c: np.ndarray, z: np.ndarray) -> np.ndarray:
    total = np.ones_like(z)
    term = np.ones_like(z)
    for k in range(1_000_000):
        term = term * (a + k) * (b + k) / ((c + k) * (k + 1.0)) * z
        total = total + term
        if np.all(np.abs(term) <= 1e-17 * np.abs(total)):
            break
    return total


class BgNbd:
    """The BG/NBD model: fit on purchase summaries, then P(alive) and expected purchases.

    >>> BgNbd().name
    'BG/NBD'
    """

    name = "BG/NBD"

    def fit(self, data: PurchaseSummaries) -> BgNbdParameters:
        """Maximum likelihood parameters; the fit does not depend on the order of accounts.

        >>> data = PurchaseSummaries(ids=("a", "b", "c", "d"), frequency=[2, 0, 5, 1],
        ...                          recency=[30.0, 0.0, 35.0, 3.0], T=[38.0, 38.0, 38.0, 30.0])
        >>> BgNbd().fit(data).fit.converged
        True
        """
        check_purchase_data(data)
        (x, t_x, age), counts = distinct_rows(data.frequency, data.recency, data.T)
        rows = PurchaseSummaries(
            ids=tuple(map(str, range(len(counts)))), frequency=x.astype(np.int64),
            recency=t_x, T=age,
        )  # fmt: skip

        def neg_ll(log_params: np.ndarray) -> float:
            r, alpha, a, b = np.exp(log_params)
            return -float(np.sum(counts * _log_likelihood(r, alpha, a, b, x, t_x, age)))

        def neg_ll_and_gradient(log_params: np.ndarray) -> tuple[float, np.ndarray]:
            value, gradient = summed_log_likelihood(log_params, rows, counts)
            return -value, -gradient

        # From the distinct rows, so that the start, too, ignores the order of accounts.
        scale = float(np.sum(counts * age) / np.sum(counts)) or 1.0
        params, report = maximise(
            neg_ll, [0.0, np.log(scale), 0.0, 0.0], _NAMES, gradient=neg_ll_and_gradient
        )
        return BgNbdParameters(**params, fit=report)

    def log_likelihood(
        self, params: BgNbdParameters | Sequence[float], data: PurchaseSummaries
    ) -> np.ndarray:
        """Each account's log-likelihood under ``params``.

        >>> data = PurchaseSummaries(ids=("a",), frequency=[0], recency=[0.0], T=[0.0])
        >>> BgNbd().log_likelihood([0.5, 4.0, 0.8, 2.4], data).tolist()
        [0.0]
        """
        r, alpha, a, b = parameter_values(params, _NAMES)
        return _log_likelihood(r, alpha, a, b, data.frequency, data.recency, data.T)

    def p_alive(
        self, params: BgNbdParameters | Sequence[float], data: PurchaseSummaries
    ) -> np.ndarray:
        """The probability that each account is still active at the end of its window; 1
        for an account that never bought again (under BG/NBD it cannot have dropped out).

        >>> data = PurchaseSummaries(ids=("a", "b"), frequency=[0, 3], recency=[0.0, 1.0],
        ...                          T=[30.0, 30.0])
        >>> BgNbd().p_alive([0.243, 4.414, 0.793, 2.426], data).round(3).tolist()
        [1.0, 0.014]
        """
        r, alpha, a, b = parameter_values(params, _NAMES)
        x, t_x, age = data.frequency, data.recency, data.T
        repeat = x > 0
        safe_x = np.where(repeat, x, 1.0)
        log_odds = np.where(
            repeat,
            np.log(a)
            - np.log(b + safe_x - 1)
            + (r + x) * (np.log(alpha + age) - np.log(alpha + t_x)),
            -np.inf,
        )
        result: np.ndarray = np.exp(-np.logaddexp(0.0, log_odds))
        return result

    def expected_purchases(
        self, params: BgNbdParameters | Sequence[float], data: PurchaseSummaries, horizon: float
    ) -> np.ndarray:
        """Purchases each account is expected to make in the next ``horizon`` units, given
        its history.

        >>> data = PurchaseSummaries(ids=("a",), frequency=[2], recency=[30.43], T=[38.86])
        >>> BgNbd().expected_purchases([0.243, 4.414, 0.793, 2.426], data, 39).round(3).tolist()
        [1.226]
        """
        if horizon < 0:
            raise ConfigurationError(f"the horizon must not be negative, got {horizon}")
        r, alpha, a, b = parameter_values(params, _NAMES)
        if abs(a - 1.0) < 1e-9:  # the closed form divides by a - 1; its limit is smooth
            a = 1.0 + 1e-9
        x, age = data.frequency, data.T
        c = a + b + x - 1.0
        # At c = 0 (no repeat purchase, a + b = 1) the product below is 0 times infinity;
        # its limit is smooth, so c is moved off zero.
        c = np.where(np.abs(c) < 1e-9, 1e-9, c)
        z = horizon / (alpha + age + horizon)
        # Euler's transformation keeps the hypergeometric term's parameters small for large x.
        tail = (1.0 - z) ** (a - 1.0) * _hyp2f1(a + b - 1.0 - r, a - 1.0, c, z)
        unconditional = c / (a - 1.0) * (1.0 - tail)
        result: np.ndarray = unconditional * self.p_alive(params, data)
        return result

    def predict(
        self, params: BgNbdParameters | Sequence[float], data: PurchaseSummaries, horizon: float
    ) -> Predictions:
        """P(alive) and expected purchases over ``horizon`` units, each with its reason.

        >>> data = PurchaseSummaries(ids=("a",), frequency=[0], recency=[0.0], T=[38.0])
        >>> BgNbd().predict([0.243, 4.414, 0.793, 2.426], data, 52)["a"].p_alive
        1.0
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
