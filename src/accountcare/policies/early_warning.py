"""Early warning: find decline before the customer is gone (DOMAIN.md section 6).

"Did last year's biggest customer order much less this year? Which accounts buy less
often, or swing widely? Rising complaints?" Each question is one rule of
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

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, date
from decimal import ROUND_CEILING, Decimal
from itertools import pairwise

import attrs

from accountcare.domain.activity import Complaint, Order
from accountcare.domain.periods import Period, check_consecutive
from accountcare.domain.warnings import Alert, AlertRule
from accountcare.errors import ConfigurationError
from accountcare.policies.metrics import median_interval

__all__ = [
    "DEFAULT_EARLY_WARNING",
    "EarlyWarningPolicy",
    "declining_top_accounts",
    "early_warnings",
]

_ZERO = Decimal(0)
_ONE = Decimal(1)


def _fraction(instance: object, attribute: attrs.Attribute[Decimal], value: Decimal) -> None:
    if not isinstance(value, Decimal) or not value.is_finite() or not _ZERO < value < _ONE:
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


def _top(revenue: dict[str, Decimal], policy: EarlyWarningPolicy) -> list[str]:
    buyers = sorted((a for a, r in revenue.items() if r > 0), key=lambda a: (-revenue[a], a))
    if policy.top_count is not None:
        return buyers[: policy.top_count]
    n = int((policy.top_share * len(buyers)).to_integral_value(ROUND_CEILING))
    return buyers[:n]


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
    """
    check_consecutive(previous, current)
    as_of = current.end if as_of is None else as_of
    if as_of < current.start:
        raise ConfigurationError(f"as_of {as_of} is before the current period {current}")
    groups: dict[str, list[Order]] = {}
    for order in orders:
        bucket = groups.get(order.account_id)
        if bucket is None:
            groups[order.account_id] = [order]
        else:
            bucket.append(order)
    summaries = {a: _Summary(b, previous, current, as_of) for a, b in groups.items()}
    summaries = {a: s for a, s in summaries.items() if s.days_all}
    alerts: list[Alert] = []
    revenue = {a: s.before for a, s in summaries.items()}
    for account_id in _top(revenue, policy):
        summary = summaries[account_id]
        alert = _declining(account_id, summary.before, summary.now, previous, current, policy)
        if alert is not None:
            alerts.append(alert)
    for account_id, summary in summaries.items():
        alerts.extend(_order_rules(account_id, summary, current, as_of, policy))
    alerts.extend(_complaint_rules(complaints, previous, current, policy))
    alerts.sort(key=lambda a: (a.account_id, a.rule.value))
    return tuple(alerts)


class _Summary:
    """One account's orders folded in a single pass: sums, purchase days, current values."""

    __slots__ = ("before", "days_all", "days_before", "days_now", "now", "values")

    def __init__(self, bucket: list[Order], previous: Period, current: Period, as_of: date):
        before = now = _ZERO
        days_all: set[date] = set()
        days_before: set[date] = set()
        days_now: set[date] = set()
        values: list[Decimal] = []
        p_start, p_end, c_start, c_end = previous.start, previous.end, current.start, current.end
        for order in bucket:
            day = order.ordered_on
            if day >= as_of:
                continue
            days_all.add(day)
            if p_start <= day < p_end:
                before += order.amount
                days_before.add(day)
            elif c_start <= day < c_end:
                now += order.amount
                days_now.add(day)
                values.append(order.amount)
        self.before, self.now, self.values = before, now, values
        self.days_all = sorted(days_all)
        self.days_before = sorted(days_before)
        self.days_now = sorted(days_now)


def _declining(
    account_id: str,
    before: Decimal,
    now: Decimal,
    previous: Period,
    current: Period,
    policy: EarlyWarningPolicy,
) -> Alert | None:
    # Revenue per day, compared by cross-multiplication so nothing is rounded.
    keep = _ONE - policy.drop
    if now * previous.days > before * current.days * keep:
        return None
    change = (now * previous.days / (before * current.days) - _ONE).quantize(Decimal("0.0001"))
    return Alert(
        account_id,
        AlertRule.DECLINING_TOP_ACCOUNT,
        {
            "previous_revenue": before,
            "current_revenue": now,
            "change": change,
            "threshold": -policy.drop,
        },
        f"top account {account_id} bought {now} in {current} against {before} in {previous} "
        f"({change:+.2%} per day; alert at a drop of {policy.drop:.0%} or more)",
    )


def _order_rules(
    account_id: str,
    summary: _Summary,
    current: Period,
    as_of: date,
    policy: EarlyWarningPolicy,
) -> list[Alert]:
    alerts: list[Alert] = []
    minimum = policy.min_orders
    if len(summary.days_before) >= minimum:
        usual = median_interval(summary.days_before)
        assert usual is not None  # at least two distinct days
        occasions = len(summary.days_now)
        if occasions * usual <= current.days * (_ONE - policy.frequency_drop):
            expected = (current.days / usual).quantize(Decimal("0.01"))
            alerts.append(
                Alert(
                    account_id,
                    AlertRule.FALLING_FREQUENCY,
                    {
                        "usual_interval_days": usual,
                        "expected_purchase_days": expected,
                        "purchase_days": Decimal(occasions),
                    },
                    f"{account_id} bought on {occasions} days in {current}; its usual interval "
                    f"of {usual} days predicts {expected}",
                )
            )
    if len(summary.values) >= minimum:
        alert = _volatile(
            account_id, AlertRule.VOLATILE_VALUE, summary.values, "order value", policy
        )
        if alert is not None:
            alerts.append(alert)
    if len(summary.days_now) >= minimum:
        gaps = [Decimal(g) for g in _gap_list(summary.days_now)]
        alert = _volatile(account_id, AlertRule.VOLATILE_INTERVAL, gaps, "interval", policy)
        if alert is not None:
            alerts.append(alert)
    if len(summary.days_all) >= minimum:
        usual_all = median_interval(summary.days_all)
        assert usual_all is not None
        since = (as_of - summary.days_all[-1]).days
        if since >= policy.lapse_factor * usual_all:
            alerts.append(
                Alert(
                    account_id,
                    AlertRule.LAPSED,
                    {
                        "days_since_last_order": Decimal(since),
                        "usual_interval_days": usual_all,
                        "lapse_factor": policy.lapse_factor,
                    },
                    f"{account_id} has not ordered for {since} days, {policy.lapse_factor} "
                    f"times its usual interval of {usual_all} days is reached",
                )
            )
    return alerts


def _gap_list(days: Sequence[date]) -> list[int]:
    """Gaps in days between consecutive days of a sorted, distinct sequence."""
    return [(b - a).days for a, b in pairwise(days)]


def _volatile(
    account_id: str, rule: AlertRule, values: list[Decimal], what: str, policy: EarlyWarningPolicy
) -> Alert | None:
    # cv > t  <=>  n * sum(x^2) - sum(x)^2 > t^2 * sum(x)^2   (population cv, sum(x) > 0)
    n = len(values)
    total = sum(values, _ZERO)
    if total <= 0:
        return None
    squares = sum((x * x for x in values), _ZERO)
    spread = n * squares - total * total
    if spread <= policy.volatility * policy.volatility * total * total:
        return None
    cv = (spread.sqrt() / total).quantize(Decimal("0.0001"))
    return Alert(
        account_id,
        rule,
        {"coefficient_of_variation": cv, "threshold": policy.volatility, "count": Decimal(n)},
        f"{account_id}'s {what} varies with a coefficient of variation of {cv} "
        f"(above {policy.volatility})",
    )


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
