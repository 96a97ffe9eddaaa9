"""The Gamma-Gamma model of spend per purchase (Fader and Hardie, 2013).

Each purchase's value varies around an account's own mean spend; the values are gamma
distributed with shape ``p``, and the accounts' rates are gamma distributed across the book
(shape ``q``, rate ``v``, the paper's gamma). An account's expected spend is its own mean
shrunk towards the book's mean, the less the fewer purchases it has made.

>>> from accountcare.policies.models import FitReport, GammaGamma, GammaGammaParameters
>>> from accountcare.policies.models import PurchaseSummaries
>>> params = GammaGammaParameters(p=6.25, q=3.74, v=15.44, fit=FitReport(0.0, True, 0, ""))
>>> data = PurchaseSummaries(ids=("a", "b"), frequency=[2, 0], recency=[30.4, 0.0],
...                          T=[38.9, 38.9], monetary=[22.35, 0.0])
>>> GammaGamma().expected_spend(params, data).round(2).tolist()
[24.66, 35.22]
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np

from accountcare._imports import require
from accountcare.errors import ConfigurationError
from accountcare.policies.models._fitting import FitReport, distinct_rows, maximise
from accountcare.policies.models._predictions import parameter_values
from accountcare.policies.models.summaries import PurchaseSummaries

__all__ = ["GammaGamma", "GammaGammaParameters"]

_NAMES = ("p", "q", "v")


@attrs.frozen
class GammaGammaParameters:
    """Fitted Gamma-Gamma parameters: spend per purchase ~ Gamma(``p``, nu), and
    nu ~ Gamma(``q``, ``v``) across accounts; and how the fit went.

    >>> GammaGammaParameters(6.25, 3.74, 15.44, FitReport(0.0, True, 0, "")).v
    15.44
    """

    p: float
    q: float
    v: float
    fit: FitReport


def _log_likelihood(p: float, q: float, v: float, x: np.ndarray, m: np.ndarray) -> np.ndarray:
    special = require("scipy.special", "models")
    px = p * x
    result: np.ndarray = (
        special.gammaln(px + q)
        - special.gammaln(px)
        - special.gammaln(q)
        + q * np.log(v)
        + (px - 1.0) * np.log(m)
        + px * np.log(x)
        - (px + q) * np.log(v + m * x)
    )
    return result


class GammaGamma:
    """The Gamma-Gamma spend model, fitted on the repeat buyers' mean repeat spend.

    It assumes that an account's spend per purchase does not depend on how often it buys:
    check that frequency and mean spend are nearly uncorrelated before using it.

    >>> GammaGamma().name
    'Gamma-Gamma'
    """

    name = "Gamma-Gamma"

    def fit(self, data: PurchaseSummaries) -> GammaGammaParameters:
        """Maximum likelihood parameters from the accounts with a repeat purchase.

        >>> data = PurchaseSummaries(ids=("a", "b", "c"), frequency=[1, 2, 0],
        ...                          recency=[1.0, 2.0, 0.0], T=[3.0, 3.0, 3.0],
        ...                          monetary=[10.0, 30.0, 0.0])
        >>> GammaGamma().fit(data)
        Traceback (most recent call last):
        ...
        accountcare.errors.ConfigurationError: the Gamma-Gamma model needs at least 3 repeat buyers with a positive mean spend, got 2
        """  # noqa: E501
        repeat = data.frequency > 0
        if np.any(repeat & ~(data.monetary > 0)):
            raise ConfigurationError(
                "the Gamma-Gamma model needs a positive mean spend for every repeat buyer: "
                "leave out the accounts whose repeat purchases are worth nothing"
            )
        if int(np.sum(repeat)) < 3:
            raise ConfigurationError(
                "the Gamma-Gamma model needs at least 3 repeat buyers with a positive mean "
                f"spend, got {int(np.sum(repeat))}"
            )
        (x, m), counts = distinct_rows(data.frequency[repeat], data.monetary[repeat])

        def neg_ll(log_params: np.ndarray) -> float:
            p, q, v = np.exp(log_params)
            return -float(np.sum(counts * _log_likelihood(p, q, v, x, m)))

        start = [0.0, 0.0, float(np.log(np.mean(m)))]
        params, report = maximise(neg_ll, start, _NAMES)
        return GammaGammaParameters(**params, fit=report)

    def log_likelihood(
        self, params: GammaGammaParameters | Sequence[float], data: PurchaseSummaries
    ) -> np.ndarray:
        """Each account's log-likelihood of its mean repeat spend; 0 for an account with
        no repeat purchase (it tells nothing about spend).

        >>> data = PurchaseSummaries(ids=("a",), frequency=[0], recency=[0.0], T=[3.0])
        >>> GammaGamma().log_likelihood([6.25, 3.74, 15.44], data).tolist()
        [0.0]
        """
        p, q, v = parameter_values(params, _NAMES)
        repeat = data.frequency > 0
        x = np.where(repeat, data.frequency, 1)
        m = np.where(repeat, data.monetary, 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            values = _log_likelihood(p, q, v, x, m)
        result: np.ndarray = np.where(repeat, values, 0.0)
        return result

    def expected_spend(
        self, params: GammaGammaParameters | Sequence[float], data: PurchaseSummaries
    ) -> np.ndarray:
        """Each account's expected spend per purchase, given its repeat purchases and their
        mean value: the book's mean ``p v / (q - 1)`` for an account with none (infinite
        when ``q`` <= 1, where the book's mean does not exist).

        >>> data = PurchaseSummaries(ids=("a",), frequency=[10], recency=[30.0], T=[38.0],
        ...                          monetary=[50.0])
        >>> GammaGamma().expected_spend([6.25, 3.74, 15.44], data).round(2).tolist()
        [49.38]
        """
        p, q, v = parameter_values(params, _NAMES)
        x, m = data.frequency, data.monetary
        denominator = p * x + q - 1.0
        with np.errstate(divide="ignore"):
            result: np.ndarray = np.where(
                denominator > 0,
                (v + m * x) * p / np.where(denominator > 0, denominator, 1.0),
                np.inf,
            )
        return result
