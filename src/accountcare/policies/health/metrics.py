"""Account metrics: revenue, margin, orders, recency, frequency, usual interval.

One pass groups the orders by account; each account's figures are then computed from its
own short list. Money stays Decimal throughout; only ``purchase_frequency`` and
``cooperation_years`` are floats (rates, not money).

>>> from datetime import date
>>> from decimal import Decimal
>>> from accountcare.domain import Account, Order
>>> from accountcare.domain.periods import Period
>>> orders = [Order(id=f"o{i}", account_id="acme", ordered_on=date(2026, m, 1),
...                 amount=Decimal("100.00")) for i, m in enumerate((1, 2, 4))]
>>> m = account_metrics([Account(id="acme", name="Acme")], orders,
...                     period=Period(date(2026, 1, 1), date(2026, 7, 1)),
...                     as_of=date(2026, 7, 1))["acme"]
>>> m.revenue, m.order_count, m.recency_days, m.usual_interval_days
(Decimal('300.00'), 3, 91, Decimal('45'))
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, timedelta
from decimal import Decimal
from itertools import groupby, pairwise

from accountcare.domain.accounts import Account
from accountcare.domain.activity import Complaint, Interaction, Order
from accountcare.domain.metrics import AccountMetrics
from accountcare.domain.periods import Period
from accountcare.errors import ConfigurationError
from accountcare.policies.health._order_history import _twice_median, _usual

__all__ = ["account_metrics", "median_interval", "orders_by_account"]

_ZERO = Decimal(0)


def orders_by_account(orders: Iterable[Order]) -> dict[str, list[Order]]:
    """Orders grouped by account id, each list sorted by (day, order id)."""
    groups: dict[str, list[Order]] = {}
    for order in orders:
        groups.setdefault(order.account_id, []).append(order)
    for bucket in groups.values():
        bucket.sort(key=lambda o: (o.ordered_on, o.id))
    return groups


def median_interval(days: Sequence[date]) -> Decimal | None:
    """The median gap in days between consecutive distinct days of ``days`` (sorted).

    Several orders on one day are one purchase occasion. None with fewer than two days.

    >>> median_interval([date(2026, 1, 1), date(2026, 1, 1), date(2026, 1, 11),
    ...                  date(2026, 1, 31)])
    Decimal('15')
    """
    distinct = [day for day, _ in groupby(days)]
    gaps = [(after - before).days for before, after in pairwise(distinct)]
    return _usual(_twice_median(gaps)) if gaps else None


def account_metrics(
    accounts: Iterable[Account],
    orders: Iterable[Order],
    complaints: Iterable[Complaint] = (),
    interactions: Iterable[Interaction] = (),
    *,
    period: Period,
    as_of: date,
) -> Mapping[str, AccountMetrics]:
    """Figures for every account given (and every account that has an order), over
    ``period``, as of ``as_of``.

    Orders, complaints (by ``opened_at``, UTC day) and interactions (by ``occurred_at``)
    outside the period, or after ``as_of``, are ignored. ``as_of`` must not be before
    the period's start. Amounts are summed as given: convert to one currency first.
    """
    if not isinstance(period, Period):
        raise ConfigurationError("period must be a Period")
    if as_of < period.start:
        raise ConfigurationError(f"as_of {as_of} is before the period {period} starts")
    cooperation = {a.id: a.cooperation_years(as_of) for a in accounts}
    # Figures as known on as_of: nothing after it counts, even inside the period.
    start, end = period.start, min(period.end, as_of + timedelta(days=1))
    groups = orders_by_account(o for o in orders if start <= o.ordered_on < end)
    complaint_counts = Counter(
        c.account_id for c in complaints if start <= c.opened_at.astimezone(UTC).date() < end
    )
    interaction_counts = Counter(
        i.account_id for i in interactions if start <= i.occurred_at.astimezone(UTC).date() < end
    )
    return {
        account_id: _metrics_of(
            account_id,
            groups.get(account_id, []),
            period,
            as_of,
            cooperation.get(account_id, 0.0),
            complaint_counts.get(account_id, 0),
            interaction_counts.get(account_id, 0),
        )
        for account_id in sorted(cooperation.keys() | groups.keys())
    }


def _metrics_of(
    account_id: str,
    orders: list[Order],
    period: Period,
    as_of: date,
    cooperation_years: float,
    complaints: int,
    interactions: int,
) -> AccountMetrics:
    if not orders:
        return AccountMetrics(
            account_id,
            period,
            as_of,
            cooperation_years=cooperation_years,
            complaint_count=complaints,
            interaction_count=interactions,
        )
    revenue = sum((o.amount for o in orders), _ZERO)
    margin = sum((o.margin for o in orders if o.margin is not None), _ZERO)
    days = [o.ordered_on for o in orders]
    count = len(orders)
    return AccountMetrics(
        account_id,
        period,
        as_of,
        revenue=revenue,
        margin=margin,
        order_count=count,
        first_order=days[0],
        last_order=days[-1],
        cooperation_years=cooperation_years,
        recency_days=(as_of - days[-1]).days,
        purchase_frequency=count * 365 / period.days,
        usual_interval_days=median_interval(days),
        average_order_value=revenue / count,
        complaint_count=complaints,
        interaction_count=interactions,
    )
