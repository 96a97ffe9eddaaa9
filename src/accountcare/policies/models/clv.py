"""Customer lifetime value over a horizon: expected purchases times expected spend,
discounted.

>>> from accountcare.policies.models import BgNbd, GammaGamma, PurchaseSummaries
>>> data = PurchaseSummaries(ids=("acme",), frequency=[2], recency=[30.43], T=[38.86],
...                          monetary=[22.35])
>>> value = clv(BgNbd(), [0.243, 4.414, 0.793, 2.426], GammaGamma(), [6.25, 3.74, 15.44],
...             data, horizon=52, discount_rate=0.10)
>>> value.round(2).tolist()
[36.76]
"""

from __future__ import annotations

import math
from typing import Any, Protocol

import numpy as np

from accountcare.errors import ConfigurationError
from accountcare.policies.models.gamma_gamma import GammaGamma
from accountcare.policies.models.summaries import PurchaseSummaries

__all__ = ["PurchaseModel", "clv"]

# Days in a year, to turn an annual discount rate into one per time unit.
_DAYS_PER_YEAR = 365.25


class PurchaseModel(Protocol):
    """What [`clv`][accountcare.policies.models.clv.clv] needs of a repeat-purchase model."""

    def expected_purchases(self, params: Any, data: PurchaseSummaries, horizon: float) -> Any:
        """Conditional expected purchases in the next ``horizon`` units."""


def clv(
    purchases: PurchaseModel,
    purchase_params: Any,
    spend: GammaGamma,
    spend_params: Any,
    data: PurchaseSummaries,
    *,
    horizon: float,
    discount_rate: float,
) -> np.ndarray:
    """Each account's expected spend over the next ``horizon`` units, discounted at the
    annual ``discount_rate`` (0.10 for 10% a year).

    The horizon is cut into steps of one time unit; the purchases expected in each step
    are valued at the account's expected spend per purchase and discounted from the end
    of the step.

    >>> from accountcare.policies.models import BgNbd, GammaGamma, PurchaseSummaries
    >>> data = PurchaseSummaries(ids=("a",), frequency=[0], recency=[0.0], T=[38.0])
    >>> clv(BgNbd(), [0.243, 4.414, 0.793, 2.426], GammaGamma(), [6.25, 3.74, 15.44],
    ...     data, horizon=0, discount_rate=0.1).tolist()
    [0.0]
    """
    if not horizon >= 0:
        raise ConfigurationError(f"the horizon must not be negative, got {horizon}")
    if not discount_rate > -1:
        raise ConfigurationError(f"the discount rate must exceed -1, got {discount_rate}")
    per_unit = math.log1p(discount_rate) * data.unit / _DAYS_PER_YEAR
    steps = [float(t) for t in range(1, math.ceil(horizon) + 1)]
    if steps:
        steps[-1] = float(horizon)
    value = np.zeros(len(data))
    before = np.zeros(len(data))
    for end in steps:
        upto = np.asarray(purchases.expected_purchases(purchase_params, data, end), dtype=float)
        value += (upto - before) * math.exp(-per_unit * end)
        before = upto
    result: np.ndarray = value * spend.expected_spend(spend_params, data)
    return result
