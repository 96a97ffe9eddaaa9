"""Use case: forecast the book: who is still buying, how much more, and what it is worth.

The store's orders before ``as_of`` are summarised per account (repeat purchase days,
recency and age, in weeks), a repeat-purchase model (BG/NBD or Pareto/NBD) and the
Gamma-Gamma spend model are fitted to them, and each account gets its probability of still
buying, the purchases to expect over the horizon, the spend to expect per purchase and its
customer lifetime value (CLV) over the horizon, discounted. The store is read in two
statements (the orders and the accounts), whatever the size of the book. Fitting needs
scipy (``pip install 'accountcare[models]'``).

>>> from accountcare.adapters.memory import MemoryStore
>>> from accountcare.sample import sample_book
>>> from accountcare.services.book import save_book
>>> store = MemoryStore()
>>> save_book(store, sample_book(accounts=60, as_of=date(2026, 11, 2)))
>>> result = forecast_book(store, as_of=date(2026, 11, 2))
>>> (len(result.accounts) + result.without_purchases,
...  result.accounts[0].clv >= result.accounts[-1].clv)
(60, True)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import attrs
import numpy as np

from accountcare.domain.accounts import Account
from accountcare.domain.activity import Order
from accountcare.errors import ConfigurationError
from accountcare.policies.health.early_warning import PURCHASE_MODELS, purchase_model
from accountcare.ports.store import BookReader

__all__ = [
    "DEFAULT_DISCOUNT_RATE",
    "DEFAULT_HORIZON_DAYS",
    "AccountForecast",
    "Forecast",
    "forecast_book",
    "forecast_orders",
]

DEFAULT_HORIZON_DAYS = 365.25
"""The horizon purchases and value are forecast over: a year."""
DEFAULT_DISCOUNT_RATE = 0.10
"""The annual rate future spend is discounted at (10% a year)."""
_ALL_TIME = date(1900, 1, 1)


@attrs.frozen
class AccountForecast:
    """One account's forecast: the chance it is still buying (``p_alive``), the purchases
    to expect over the horizon, the spend to expect per purchase, its lifetime value over
    the horizon (discounted) and the reason in words.

    >>> row = AccountForecast("acme", "Acme", 0.9, 2.5, 120.0, 280.0, "bought often")
    >>> row.clv
    280.0
    """

    account_id: str
    name: str
    p_alive: float
    expected_purchases: float
    expected_spend: float
    clv: float
    reason: str


@attrs.frozen
class Forecast:
    """The forecast of a book as of ``as_of``: one row per account that bought before it,
    by CLV (highest first, ties by account id), with the fitted parameters.

    ``horizon`` is in weeks; ``without_purchases`` counts the stored accounts that had
    bought nothing before ``as_of`` (the models know nothing of them).

    >>> empty = Forecast(date(2026, 11, 2), "bgnbd", 52.0, 0.1, None, None, (), 3)
    >>> empty.top(5), empty.clv_values()
    ((), {})
    """

    as_of: date
    model: str
    horizon: float
    discount_rate: float
    purchase_parameters: Any
    spend_parameters: Any
    accounts: tuple[AccountForecast, ...]
    without_purchases: int

    def top(self, n: int) -> tuple[AccountForecast, ...]:
        """The ``n`` accounts of highest CLV (all of them when ``n`` is 0)."""
        return self.accounts if n <= 0 else self.accounts[:n]

    def clv_values(self) -> dict[str, float]:
        """Account id -> CLV, ready for
        [`PredictedValueTiers`][accountcare.policies.tiers.predicted.PredictedValueTiers]
        or [`potential_from_clv`][accountcare.policies.tiers.scorecard.potential_from_clv]."""
        return {row.account_id: row.clv for row in self.accounts}


def _number(value: float) -> str:
    return f"{value:,.2f}" if np.isfinite(value) else "unbounded"


def _reason(prediction: Any, mean: float | None, spend: float, value: float, rate: float) -> str:
    """One account's forecast in words: the purchase model's reason
    ([`Prediction.explain`][accountcare.policies.models.Prediction.explain]), then the
    spend and the lifetime value."""
    x = prediction.frequency
    if not x:
        spent = "no repeat purchase yet: the book's mean"
    elif mean is None:
        spent = "repeat purchases worth nothing on average: the book's mean"
    else:
        spent = f"mean {_number(mean)} over {x} repeat purchase{'s' if x != 1 else ''}"
    return (
        f"{prediction.explain()}; {_number(spend)} a purchase under Gamma-Gamma ({spent}); "
        f"CLV {_number(value)} at {rate:.0%} a year"
    )


def forecast_orders(
    orders: Iterable[Order],
    accounts: Iterable[Account] = (),
    *,
    as_of: date,
    model: str = "bgnbd",
    horizon_days: float = DEFAULT_HORIZON_DAYS,
    discount_rate: float = DEFAULT_DISCOUNT_RATE,
    rates: Mapping[str, Decimal] | None = None,
    unit_days: float = 7.0,
) -> Forecast:
    """The forecast of ``orders`` (those before ``as_of``), named by ``accounts``.

    ``model`` is ``"bgnbd"`` or ``"pareto"``; ``horizon_days`` the days forecast;
    ``discount_rate`` the annual rate future spend is discounted at; ``rates`` convert
    orders in several currencies to one (as for tiers). The spend model is fitted to the
    repeat buyers whose repeat purchases are worth something. Too little data for a
    model is a ConfigurationError saying why.

    >>> from accountcare.sample import sample_book
    >>> book = sample_book(accounts=40, as_of=date(2026, 11, 2))
    >>> result = forecast_orders(book.orders, book.accounts, as_of=date(2026, 11, 2),
    ...                          horizon_days=364)
    >>> best = result.accounts[0]
    >>> result.horizon, 0 <= best.p_alive <= 1, best.clv > 0, "Gamma-Gamma" in best.reason
    (52.0, True, True, True)
    """
    from accountcare.policies.models.clv import clv
    from accountcare.policies.models.gamma_gamma import GammaGamma
    from accountcare.policies.models.summaries import summarise

    if not horizon_days > 0:
        raise ConfigurationError(
            f"the horizon must be a positive number of days, got {horizon_days}"
        )
    purchases = purchase_model(model)
    before = [o for o in orders if o.ordered_on < as_of]
    data = summarise(
        before, calibration_end=as_of - timedelta(days=1), unit_days=unit_days, rates=rates
    )
    names = {a.id: a.name for a in accounts}
    if len(data) < 2:
        raise ConfigurationError(
            f"a forecast needs at least 2 accounts that bought before {as_of}, got {len(data)}"
        )
    horizon = horizon_days / unit_days
    purchase_params = purchases.fit(data)
    predicted = purchases.predict(purchase_params, data, horizon)
    # Repeat purchases worth nothing on average (free items, refunds) say nothing of what
    # a purchase is worth: such an account is valued like one without repeat purchases,
    # at the book's mean.
    worth = data.monetary > 0
    spend_data = attrs.evolve(
        data,
        frequency=np.where(worth, data.frequency, 0),
        monetary=np.where(worth, data.monetary, 0.0),
    )
    spender = GammaGamma()
    spend_params = spender.fit(spend_data)
    if not spend_params.q > 1:
        raise ConfigurationError(
            f"the spend model finds no finite mean spend in this book (Gamma-Gamma q = "
            f"{spend_params.q:.3g}, at most 1): an account without repeat purchases would be "
            "worth an infinite amount; forecast a longer history, or one currency at a time"
        )
    spend = spender.expected_spend(spend_params, spend_data)
    value = clv(
        purchases,
        purchase_params,
        spender,
        spend_params,
        spend_data,
        horizon=horizon,
        discount_rate=discount_rate,
    )
    rows = [
        AccountForecast(
            prediction.account_id,
            names.get(prediction.account_id, ""),
            prediction.p_alive,
            prediction.expected_purchases,
            float(spend[i]),
            float(value[i]),
            _reason(
                prediction,
                float(spend_data.monetary[i]) if worth[i] else None,
                float(spend[i]),
                float(value[i]),
                discount_rate,
            ),
        )
        for i, prediction in enumerate(predicted)
    ]
    rows.sort(key=lambda r: (-r.clv, r.account_id))
    missing = len(names.keys() - set(data.ids))
    return Forecast(
        as_of,
        model,
        horizon,
        discount_rate,
        purchase_params,
        spend_params,
        tuple(rows),
        missing,
    )


def forecast_book(
    store: BookReader,
    *,
    as_of: date,
    model: str = "bgnbd",
    horizon_days: float = DEFAULT_HORIZON_DAYS,
    discount_rate: float = DEFAULT_DISCOUNT_RATE,
    rates: Mapping[str, Decimal] | None = None,
) -> Forecast:
    """The forecast of the stored book as of ``as_of`` (see
    [`forecast_orders`][accountcare.services.forecast.forecast_orders]): one read of the
    orders before ``as_of`` and one of the accounts."""
    if model not in PURCHASE_MODELS:
        raise ConfigurationError(
            f"unknown purchase model {model!r}; use one of {', '.join(PURCHASE_MODELS)}"
        )
    return forecast_orders(
        store.orders_between(_ALL_TIME, as_of),
        store.accounts(),
        as_of=as_of,
        model=model,
        horizon_days=horizon_days,
        discount_rate=discount_rate,
        rates=rates,
    )
