"""Early warning: find decline before the customer is gone.

Practitioners keep the book healthy by asking, every review: did last year's biggest
customer order much less this year? Which accounts buy less often, or swing widely?
Are complaints rising? Each question is one rule of
:class:`EarlyWarningPolicy`; every threshold is a parameter, and every comparison is
exact (Decimal and integer arithmetic, no float rounding at a boundary).

>>> from datetime import date
>>> from decimal import Decimal
>>> from accountcare.domain import Order
>>> from accountcare.domain.periods import Period
>>> prev, cur = Period(date(2025, 1, 1), date(2026, 1, 1)), Period(date(2026, 1, 1), date(2027, 1, 1))
>>> orders = [Order(id="a1", account_id="acme", ordered_on=date(2025, 3, 1), amount=Decimal(1000)),
...           Order(id="a2", account_id="acme", ordered_on=date(2026, 3, 1), amount=Decimal(700))]
>>> [a.rule.value for a in early_warnings(orders, previous=prev, current=cur)]
['declining_top_account']
"""  # noqa: E501

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import UTC, date
from decimal import ROUND_CEILING, Decimal
from itertools import compress, repeat
from operator import attrgetter, eq, ge, gt

import attrs

from accountcare.domain.activity import Complaint, Order
from accountcare.domain.periods import Period, check_consecutive
from accountcare.domain.warnings import Alert, AlertRule
from accountcare.errors import ConfigurationError
from accountcare.policies.health._order_history import ONE, ZERO, OrderRules

__all__ = [
    "DEFAULT_EARLY_WARNING",
    "EarlyWarningPolicy",
    "declining_top_accounts",
    "early_warnings",
]


def _fraction(instance: object, attribute: attrs.Attribute[Decimal], value: Decimal) -> None:
    if not isinstance(value, Decimal) or not value.is_finite() or not ZERO < value < ONE:
        raise ConfigurationError(f"{attribute.name} must be a Decimal between 0 and 1, got {value}")


def _positive_decimal(
    instance: object, attribute: attrs.Attribute[Decimal], value: Decimal
) -> None:
    if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
        raise ConfigurationError(f"{attribute.name} must be a positive Decimal, got {value}")


def _count(instance: object, attribute: attrs.Attribute[int], value: int | None) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ConfigurationError(f"{attribute.name} must be a positive int, got {value!r}")


@attrs.frozen
class EarlyWarningPolicy:
    """The thresholds of the early-warning rules.

    - ``top_count`` / ``top_share``: last period's top accounts are the first
      ``top_count`` buyers by revenue when given, else the first ``ceil(top_share * n)``
      of the ``n`` buyers (default 20%: "20% of customers bring 80% of profit"); ranked by
      revenue, ties by account id.
    - ``drop``: a top account fires when its current revenue per day is at most
      ``(1 - drop)`` of its previous revenue per day (default 30%; the boundary fires).
    - ``frequency_drop``: fires when the purchase days in the current period are at most
      ``(1 - frequency_drop)`` of the days the account's usual interval (median gap in the
      previous period) predicts (default 50%; the boundary fires).
    - ``volatility``: coefficient of variation (population) of order values, or of the
      gaps between purchase days, in the current period strictly above it fires
      (default 1.0).
    - ``lapse_factor``: fires when the days since the last order reach
      ``lapse_factor * usual interval`` (default 3; the boundary fires).
    - ``complaint_rise``, ``min_complaints``: fires when current complaints are at least
      ``min_complaints``, more than before, and at least ``(1 + complaint_rise)`` times
      the previous count (defaults 50%, 2).
    - ``min_orders``: purchase days needed before an interval or a variation means
      anything (default 3).
    """

    top_count: int | None = attrs.field(default=None, validator=_count)
    top_share: Decimal = attrs.field(default=Decimal("0.20"), validator=_fraction)
    drop: Decimal = attrs.field(default=Decimal("0.30"), validator=_fraction)
    frequency_drop: Decimal = attrs.field(default=Decimal("0.50"), validator=_fraction)
    volatility: Decimal = attrs.field(default=Decimal("1.0"), validator=_positive_decimal)
    lapse_factor: Decimal = attrs.field(default=Decimal(3), validator=_positive_decimal)
    complaint_rise: Decimal = attrs.field(default=Decimal("0.5"), validator=_positive_decimal)
    min_complaints: int = attrs.field(default=2, validator=_count)
    min_orders: int = attrs.field(default=3, validator=_count)


DEFAULT_EARLY_WARNING = EarlyWarningPolicy()
"""The early-warning thresholds practitioners start from (a 30% drop of a top account,
intervals far beyond the usual, rising complaints)."""


def _top(revenue: dict[str, Decimal], policy: EarlyWarningPolicy) -> list[str]:
    """Last period's top buyers, ranked by revenue with ties by account id, in no order
    (only the set matters: alerts are sorted at the end).

    Finds the revenue of the last account in, then takes every account above it and, in
    id order, as many of those tied with it as there is room for. (The comparisons run
    through C-level ``map``: a Python-level loop costs more than the Decimal compares.)
    """
    positive = list(map(gt, revenue.values(), repeat(ZERO)))
    buyers = list(compress(revenue, positive))
    if policy.top_count is not None:
        n = policy.top_count
    else:
        n = int((policy.top_share * len(buyers)).to_integral_value(ROUND_CEILING))
    if n >= len(buyers):
        return buyers
    if not n:
        return []
    amounts = list(compress(revenue.values(), positive))
    last_in = _nth_largest(amounts, n)
    top = list(compress(buyers, map(gt, amounts, repeat(last_in))))
    tied = sorted(compress(buyers, map(eq, amounts, repeat(last_in))))
    return top + tied[: n - len(top)]


def _nth_largest(values: list[Decimal], n: int) -> Decimal:
    """The ``n``-th largest of ``values`` (1 <= n <= len), exactly.

    A sorted sample of every k-th value gives a floor a little below it; only the values
    at or above the floor are sorted (a fifth of a large book rather than all of it).
    When the sample misjudges (fewer than ``n`` values above the floor), everything is
    sorted: the answer never depends on the sample, only the time does.
    """
    if len(values) > 8192:
        step = len(values) // 1024
        sample = sorted(values[::step], reverse=True)
        rank = min(len(sample) - 1, n * len(sample) // len(values) + 64)
        above = list(compress(values, map(ge, values, repeat(sample[rank]))))
        if len(above) >= n:
            above.sort(reverse=True)
            return above[n - 1]
    return sorted(values, reverse=True)[n - 1]


def declining_top_accounts(
    orders: Iterable[Order],
    *,
    previous: Period,
    current: Period,
    policy: EarlyWarningPolicy = DEFAULT_EARLY_WARNING,
) -> tuple[Alert, ...]:
    """Only the declining-top-accounts rule, sorted by account id."""
    alerts = early_warnings(orders, previous=previous, current=current, policy=policy)
    return tuple(a for a in alerts if a.rule is AlertRule.DECLINING_TOP_ACCOUNT)


def early_warnings(
    orders: Iterable[Order],
    complaints: Iterable[Complaint] = (),
    *,
    previous: Period,
    current: Period,
    as_of: date | None = None,
    policy: EarlyWarningPolicy = DEFAULT_EARLY_WARNING,
) -> tuple[Alert, ...]:
    """Every alert of every rule, sorted by account id then rule.

    Orders are compared over the two periods (which must not overlap, previous first);
    ``as_of`` (default: the current period's end) is the day lapses are measured to;
    orders on or after it are ignored. Complaints count by their opening day (UTC).
    An interval (usual interval, lapse, interval variation) needs purchases on at least
    two distinct days, whatever ``min_orders`` says.
    """
    check_consecutive(previous, current)
    as_of = current.end if as_of is None else as_of
    if as_of < current.start:
        raise ConfigurationError(f"as_of {as_of} is before the current period {current}")
    return _alerts(orders, complaints, previous, current, as_of, policy)


def _alerts(
    orders: Iterable[Order],
    complaints: Iterable[Complaint],
    previous: Period,
    current: Period,
    as_of: date,
    policy: EarlyWarningPolicy,
) -> tuple[Alert, ...]:
    groups: defaultdict[str, list[Order]] = defaultdict(list)
    for order in orders:
        groups[order.account_id].append(order)
    alerts: list[Alert] = []
    rules = OrderRules(previous, current, as_of, policy)
    for account_id, bucket in groups.items():
        rules.account(account_id, bucket, alerts)
    del groups
    revenue, revenue_now = rules.revenue, rules.revenue_now
    # Revenue per day, compared by cross-multiplication so nothing is rounded.
    keep = ONE - policy.drop
    previous_days, current_days = Decimal(previous.days), Decimal(current.days)
    for account_id in _top(revenue, policy):
        before, now = revenue[account_id], revenue_now[account_id]
        if now * previous_days <= before * current_days * keep:
            alerts.append(rules.words.declining(account_id, before, now))
    alerts.extend(_complaint_rules(complaints, previous, current, policy))
    alerts.sort(key=_ALERT_ORDER)
    return tuple(alerts)


_ALERT_ORDER = attrgetter("account_id", "rule._value_")  # the value, without the property


def _complaint_rules(
    complaints: Iterable[Complaint], previous: Period, current: Period, policy: EarlyWarningPolicy
) -> list[Alert]:
    before: Counter[str] = Counter()
    now: Counter[str] = Counter()
    for complaint in complaints:
        day = complaint.opened_at.astimezone(UTC).date()
        if previous.contains(day):
            before[complaint.account_id] += 1
        elif current.contains(day):
            now[complaint.account_id] += 1
    alerts = []
    for account_id, count in now.items():
        was = before.get(account_id, 0)
        if (
            count >= policy.min_complaints
            and count > was
            and count >= was * (1 + policy.complaint_rise)
        ):
            alerts.append(
                Alert(
                    account_id,
                    AlertRule.RISING_COMPLAINTS,
                    {"previous_complaints": Decimal(was), "current_complaints": Decimal(count)},
                    f"{account_id} opened {count} complaints in {current} against {was} before",
                )
            )
    return alerts
