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

import math
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, date
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from fractions import Fraction
from itertools import compress, repeat
from operator import attrgetter, eq, ge, gt, mul, sub

import attrs

from accountcare._gc import gc_paused
from accountcare.domain.activity import Complaint, Order
from accountcare.domain.periods import Period, check_consecutive
from accountcare.domain.warnings import Alert, AlertRule, trusted_alert
from accountcare.errors import ConfigurationError

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
    """Last period's top buyers, ranked by revenue with ties by account id, in no order
    (only the set matters: alerts are sorted at the end).

    Finds the revenue of the last account in, then takes every account above it and, in
    id order, as many of those tied with it as there is room for. (The comparisons run
    through C-level ``map``: a Python-level loop costs more than the Decimal compares.)
    """
    positive = list(map(gt, revenue.values(), repeat(_ZERO)))
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
    with gc_paused():  # temporaries die inside _alerts, before the collector is back
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
    revenue, revenue_now = _order_rules(groups, previous, current, as_of, policy, alerts)
    del groups
    # Revenue per day, compared by cross-multiplication so nothing is rounded.
    keep = _ONE - policy.drop
    previous_days, current_days = Decimal(previous.days), Decimal(current.days)
    words = _Words(previous, current, policy)
    for account_id in _top(revenue, policy):
        before, now = revenue[account_id], revenue_now[account_id]
        if now * previous_days <= before * current_days * keep:
            alerts.append(words.declining(account_id, before, now))
    alerts.extend(_complaint_rules(complaints, previous, current, policy))
    alerts.sort(key=_ALERT_ORDER)
    return tuple(alerts)


_ALERT_ORDER = attrgetter("account_id", "rule._value_")  # the value, without the property
_DAY = attrgetter("ordered_on")
_AMOUNT = attrgetter("amount")
_ORDINAL = date.toordinal
_CENTI = Decimal("0.01")
_SMALL = tuple(Decimal(n) for n in range(256))  # an int times a Decimal converts it first
_BASIS_POINT = Decimal("0.0001")


class _Usual(dict[int, Decimal]):
    """Usual intervals by twice their value (a median of whole days is a whole or a half
    day): ``Decimal(g)`` or ``Decimal(g1 + g2) / 2``, as :func:`median_interval` gives."""

    def __missing__(self, twice: int) -> Decimal:
        usual = self[twice] = Decimal(twice) / 2
        return usual


def _order_rules(
    groups: dict[str, list[Order]],
    previous: Period,
    current: Period,
    as_of: date,
    policy: EarlyWarningPolicy,
    alerts: list[Alert],
) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """The per-account rules (frequency, variation, lapse), appended to ``alerts``.

    Returns each account's previous and current revenue, for the accounts with an order
    before ``as_of``. Each account's orders are put in day order (stable), so that every
    period is a slice: sums and value lists are taken by C-level ``map`` and ``sum``, and
    the gaps between distinct days are computed once and sliced per period.
    """
    usual_of = _Usual()
    words = _Words(previous, current, policy)
    # Days as ordinals: sorted, sliced and subtracted as plain ints.
    p_start, p_end = previous.start.toordinal(), previous.end.toordinal()
    c_start, c_end = current.start.toordinal(), current.end.toordinal()
    today = as_of.toordinal()
    minimum = policy.min_orders
    interval_minimum = max(minimum, 2)
    expected_limit = current.days * (_ONE - policy.frequency_drop)
    squared = policy.volatility * policy.volatility
    # The thresholds as ints, each worked out once per small integer and exactly: an
    # int is at most a Decimal limit when it is at most its floor (at least: ceiling).
    # Comparing ints also spares converting an int to a Decimal for every account.
    most_occasions = _Limits(
        lambda twice: math.floor(Fraction(expected_limit) / Fraction(usual_of[twice]))
    )
    interval_floor = _Limits(lambda total: _floor(squared * total * total))
    lapse_ceiling = _Limits(lambda twice: _ceiling(policy.lapse_factor * usual_of[twice]))
    revenue: dict[str, Decimal] = {}
    revenue_now: dict[str, Decimal] = {}
    for account_id, bucket in groups.items():
        days = list(map(_ORDINAL, map(_DAY, bucket)))
        in_order = sorted(days)
        if in_order != days:
            bucket.sort(key=_DAY)
            days = in_order
        end = len(days)
        if days[-1] >= today:
            end = bisect_left(days, today)
            if not end:
                continue
            days = days[:end]
        b0 = bisect_left(days, p_start)
        b1 = bisect_left(days, p_end, b0)
        n0 = bisect_left(days, c_start, b1)
        n1 = bisect_left(days, c_end, n0)
        amounts = list(map(_AMOUNT, bucket))
        revenue[account_id] = sum(amounts[b0:b1], _ZERO) if b1 > b0 else _ZERO
        values = amounts[n0:n1]
        now = revenue_now[account_id] = sum(values, _ZERO)
        gaps = list(map(sub, days[1:], days))
        if 0 in gaps:  # several orders on one day are one purchase occasion
            days = list(dict.fromkeys(days))
            gaps = list(map(sub, days[1:], days))
            b0 = bisect_left(days, p_start)
            b1 = bisect_left(days, p_end, b0)
            n0 = bisect_left(days, c_start, b1)
            n1 = bisect_left(days, c_end, n0)
        occasions = n1 - n0

        if b1 - b0 >= interval_minimum:
            usual_gaps = gaps[b0 : b1 - 1]
            usual_gaps.sort()  # twice the median: the middle two, or the middle one twice
            middle = len(usual_gaps) // 2
            twice = usual_gaps[middle] + usual_gaps[(len(usual_gaps) - 1) // 2]
            if occasions <= most_occasions[twice]:  # occasions * usual <= expected
                alerts.append(words.falling(account_id, occasions, usual_of[twice]))
        if len(values) >= minimum and now > _ZERO:
            squares = sum(map(mul, values, values), _ZERO)
            count = len(values)
            spread = (_SMALL[count] if count < 256 else Decimal(count)) * squares - now * now
            if spread > squared * now * now:
                alerts.append(words.volatile_value(account_id, spread, now, len(values)))
        if occasions >= interval_minimum:
            within = gaps[n0 : n1 - 1]
            total = sum(within)
            spread_days = len(within) * sum(map(mul, within, within)) - total * total
            if spread_days > interval_floor[total]:  # > squared * total * total
                alerts.append(words.volatile_interval(account_id, spread_days, total, len(within)))
        if len(days) >= interval_minimum:
            # The usual interval is at least the shortest gap: below k times that, the
            # account cannot have lapsed (rounding is monotone, so this never hides one).
            since = today - days[-1]
            if since >= lapse_ceiling[2 * min(gaps)]:
                gaps.sort()
                twice = gaps[len(gaps) // 2] + gaps[(len(gaps) - 1) // 2]
                if since >= lapse_ceiling[twice]:  # since >= lapse factor * usual
                    alerts.append(words.lapsed(account_id, since, usual_of[twice]))
    return revenue, revenue_now


class _Limits(dict[int, int]):
    """Integer limits by a small integer, each computed on first use by ``bound``."""

    def __init__(self, bound: Callable[[int], int]) -> None:
        super().__init__()
        self.bound = bound

    def __missing__(self, key: int) -> int:
        limit = self[key] = self.bound(key)
        return limit


def _floor(value: Decimal) -> int:
    return int(value.to_integral_value(ROUND_FLOOR))


def _ceiling(value: Decimal) -> int:
    return int(value.to_integral_value(ROUND_CEILING))


_Figures = tuple[tuple[str, Decimal], ...]
_FALLING, _LAPSED = AlertRule.FALLING_FREQUENCY, AlertRule.LAPSED


class _Words:
    """The alerts of the per-account rules, in words (the periods printed once)."""

    def __init__(self, previous: Period, current: Period, policy: EarlyWarningPolicy) -> None:
        self.previous, self.previous_days = str(previous), previous.days
        self.current, self.current_days = str(current), current.days
        self.volatility, self.lapse_factor = policy.volatility, policy.lapse_factor
        self.drop = f"{policy.drop:.0%}"
        # figures every alert of a rule shares (one tuple, not one per alert)
        self.drop_threshold = ("threshold", -policy.drop)
        self.volatility_threshold = ("threshold", policy.volatility)
        self.lapse = ("lapse_factor", policy.lapse_factor)
        self.falling_words: dict[tuple[int, Decimal], tuple[_Figures, str]] = {}
        self.lapsed_words: dict[tuple[int, Decimal], tuple[_Figures, str]] = {}

    def declining(self, account_id: str, before: Decimal, now: Decimal) -> Alert:
        change = now * self.previous_days / (before * self.current_days) - _ONE
        change = change.quantize(_BASIS_POINT)
        return trusted_alert(
            account_id,
            AlertRule.DECLINING_TOP_ACCOUNT,
            (
                ("previous_revenue", before),
                ("current_revenue", now),
                ("change", change),
                self.drop_threshold,
            ),
            f"top account {account_id} bought {now} in {self.current} against {before} in "
            f"{self.previous} ({change:+.2%} per day; alert at a drop of {self.drop} or more)",
        )

    def falling(self, account_id: str, occasions: int, usual: Decimal) -> Alert:
        # The figures and the words after the id depend on two small numbers: made once.
        known = self.falling_words.get((occasions, usual))
        if known is None:
            expected = (self.current_days / usual).quantize(_CENTI)
            known = self.falling_words[(occasions, usual)] = (
                (
                    ("usual_interval_days", usual),
                    ("expected_purchase_days", expected),
                    ("purchase_days", Decimal(occasions)),
                ),
                f" bought on {occasions} days in {self.current}; its usual interval "
                f"of {usual} days predicts {expected}",
            )
        return trusted_alert(account_id, _FALLING, known[0], account_id + known[1])

    def lapsed(self, account_id: str, since: int, usual: Decimal) -> Alert:
        known = self.lapsed_words.get((since, usual))
        if known is None:
            known = self.lapsed_words[(since, usual)] = (
                (
                    ("days_since_last_order", Decimal(since)),
                    ("usual_interval_days", usual),
                    self.lapse,
                ),
                f" has not ordered for {since} days, {self.lapse_factor} "
                f"times its usual interval of {usual} days is reached",
            )
        return trusted_alert(account_id, _LAPSED, known[0], account_id + known[1])

    def volatile_value(self, account_id: str, spread: Decimal, total: Decimal, n: int) -> Alert:
        return self._volatile(account_id, AlertRule.VOLATILE_VALUE, spread, total, n, "order value")

    def volatile_interval(self, account_id: str, spread: int, total: int, n: int) -> Alert:
        return self._volatile(
            account_id, AlertRule.VOLATILE_INTERVAL, Decimal(spread), Decimal(total), n, "interval"
        )

    def _volatile(
        self, account_id: str, rule: AlertRule, spread: Decimal, total: Decimal, n: int, what: str
    ) -> Alert:
        # cv > t  <=>  n * sum(x^2) - sum(x)^2 > t^2 * sum(x)^2  (population cv, sum(x) > 0);
        # the caller has checked it, exactly.
        cv = (spread.sqrt() / total).quantize(_BASIS_POINT)
        return trusted_alert(
            account_id,
            rule,
            (
                ("coefficient_of_variation", cv),
                self.volatility_threshold,
                ("count", Decimal(n)),
            ),
            f"{account_id}'s {what} varies with a coefficient of variation of {cv} "
            f"(above {self.volatility})",
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
