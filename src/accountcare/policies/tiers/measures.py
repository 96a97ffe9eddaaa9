"""What the tier methods rank: each account's sales, margin or scorecard rating over a
window, from its order totals (or, for the scorecard, its orders and complaints).

Amounts in different currencies do not compare: a window with orders in more than one
currency needs ``rates`` (currency -> the value of one unit in the currency you report
in), and each amount and margin is worth its amount times its currency's rate.

>>> from datetime import date
>>> from decimal import Decimal
>>> from accountcare.domain.activity import OrderTotal
>>> totals = [OrderTotal("a", "CNY", 2, Decimal(1000), Decimal(90), 2, date(2026, 5, 1),
...                      date(2026, 6, 1)),
...           OrderTotal("b", "USD", 1, Decimal(200), Decimal(0), 0, date(2026, 5, 1),
...                      date(2026, 5, 1))]
>>> sales_values(["a", "b", "c"], totals, measure="amount",
...              rates={"CNY": Decimal("0.14"), "USD": Decimal(1)})
{'a': Decimal('140.00'), 'b': Decimal('200'), 'c': Decimal('0')}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Literal

from accountcare.domain.accounts import Account
from accountcare.domain.activity import OrderTotal
from accountcare.domain.metrics import AccountMetrics
from accountcare.domain.periods import Period
from accountcare.errors import ConfigurationError
from accountcare.policies.tiers.scorecard import Scorecard, criterion_scores

__all__ = ["MEASURES", "checked_rates", "sales_values", "score_values"]

#: The tier methods that rank a sum of the account's orders, and which sum: the amount
#: (sales) or the margin. The scorecard (``"score"``) rates four criteria instead.
MEASURES: Mapping[str, Literal["amount", "margin"]] = MappingProxyType(
    {"abc": "amount", "rank": "amount", "profit": "margin"}
)


def checked_rates(
    currencies: Iterable[str], rates: Mapping[str, Decimal] | None
) -> Mapping[str, Decimal] | None:
    """``rates`` when they can convert every one of ``currencies`` (the currencies of
    the window's orders), None when no rates are given and one currency needs none.

    >>> checked_rates(["CNY", "USD"], None)
    Traceback (most recent call last):
    ...
    accountcare.errors.ConfigurationError: orders in the window are in CNY, USD: give rates to convert them to one currency
    >>> checked_rates(["CNY"], {"CNY": Decimal(0)})
    Traceback (most recent call last):
    ...
    accountcare.errors.ConfigurationError: the rate of CNY must be a positive Decimal, got Decimal('0')
    """  # noqa: E501
    present = sorted(set(currencies))
    if rates is None:
        if len(present) > 1:
            raise ConfigurationError(
                f"orders in the window are in {', '.join(present)}: give rates to convert "
                "them to one currency"
            )
        return None
    missing = [c for c in present if c not in rates]
    if missing:
        raise ConfigurationError(f"no rate given for {', '.join(missing)}")
    for currency, rate in rates.items():
        if not isinstance(rate, Decimal) or not rate.is_finite() or rate <= 0:
            raise ConfigurationError(
                f"the rate of {currency} must be a positive Decimal, got {rate!r}"
            )
    return rates


def sales_values(
    accounts: Iterable[str],
    totals: Iterable[OrderTotal],
    *,
    measure: Literal["amount", "margin"],
    rates: Mapping[str, Decimal] | None = None,
) -> dict[str, Decimal]:
    """Per account (every one of ``accounts``, and any other with a total), the sum of
    its totals' ``measure`` (``"amount"``: sales; ``"margin"``), each converted by
    ``rates`` when given; an account without orders is worth 0.

    >>> sold = OrderTotal("a", "USD", 2, Decimal(300), Decimal(45), 2, date(2026, 5, 1),
    ...                   date(2026, 6, 1))
    >>> sales_values(["a", "b"], [sold], measure="margin")
    {'a': Decimal('45'), 'b': Decimal('0')}
    """
    found = list(totals)
    usable = checked_rates((t.currency for t in found), rates)
    values = dict.fromkeys(accounts, Decimal(0))
    for total in found:
        worth = getattr(total, measure)
        if usable is not None:
            worth = worth * usable[total.currency]
        values[total.account_id] = values.get(total.account_id, Decimal(0)) + worth
    return dict(sorted(values.items()))


def score_values(
    accounts: Iterable[Account],
    totals: Iterable[OrderTotal],
    *,
    period: Period,
    as_of: date,
    rates: Mapping[str, Decimal] | None = None,
    card: Scorecard | None = None,
) -> dict[str, float]:
    """Each account's scorecard rating over ``period`` as of ``as_of``: its four
    criteria (see [`criterion_scores`][accountcare.policies.tiers.scorecard.criterion_scores]:
    the account's sales and margin in the window, from its order ``totals``, its years
    of cooperation and its potential) weighted by ``card`` (the default scorecard when
    None).

    >>> from accountcare.domain import Account
    >>> year = Period(date(2026, 1, 1), date(2027, 1, 1))
    >>> sold = OrderTotal("a", "USD", 1, Decimal(1000), Decimal(0), 0, date(2026, 5, 1),
    ...                   date(2026, 5, 1))
    >>> values = score_values([Account(id="a", name="A"), Account(id="b", name="B")], [sold],
    ...                       period=year, as_of=date(2027, 1, 1))
    >>> values["a"] > values["b"]
    True
    """
    known = list(accounts)
    found = list(totals)
    ids = [a.id for a in known]
    sales = sales_values(ids, found, measure="amount", rates=rates)
    margins = sales_values(ids, found, measure="margin", rates=rates)
    since = {a.id: a.cooperation_years(as_of) for a in known}
    metrics = {
        account_id: AccountMetrics(
            account_id,
            period,
            as_of,
            revenue=sales[account_id],
            margin=margins[account_id],
            cooperation_years=since.get(account_id, 0.0),
        )
        for account_id in sales
    }
    scores = criterion_scores(metrics, known)
    rating = Scorecard() if card is None else card
    return {a: rating.rate(a, **s).score for a, s in scores.items()}
