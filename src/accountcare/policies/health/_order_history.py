"""The early-warning rules read from each account's own order history, in one pass.

For every account, its orders in day order give its revenue in each period and the
per-account rules of [`early_warnings`][accountcare.policies.health.early_warning.early_warnings]:
falling purchase frequency, volatile order value or interval, and lapse. Every
comparison is exact: Decimal and integer arithmetic, each threshold worked out once as an
integer limit where the figure compared is an integer. `Words` puts the alerts of
these rules, and of a declining top account, in words.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Callable
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from fractions import Fraction
from operator import attrgetter, mul, sub
from typing import Protocol, TypeVar

from accountcare.domain._trusted import trusted
from accountcare.domain.activity import Order
from accountcare.domain.periods import Period
from accountcare.domain.warnings import Alert, AlertRule

ZERO = Decimal(0)
ONE = Decimal(1)
_DAY = attrgetter("ordered_on")
_AMOUNT = attrgetter("amount")
_ORDINAL = date.toordinal
_CENTI = Decimal("0.01")
_SMALL = tuple(Decimal(n) for n in range(256))  # an int times a Decimal converts it first
_BASIS_POINT = Decimal("0.0001")
# Alerts are built from figures computed from validated orders; a test pins them equal
# to the validated ones.
_alert = trusted(Alert)
T = TypeVar("T")


class Thresholds(Protocol):
    """The thresholds these rules read (an ``EarlyWarningPolicy`` has them all)."""

    @property
    def drop(self) -> Decimal: ...
    @property
    def frequency_drop(self) -> Decimal: ...
    @property
    def volatility(self) -> Decimal: ...
    @property
    def lapse_factor(self) -> Decimal: ...
    @property
    def min_orders(self) -> int: ...


class _Limits(dict[int, T]):
    """Limits by a small integer, each computed on first use by ``bound``."""

    def __init__(self, bound: Callable[[int], T]) -> None:
        super().__init__()
        self.bound = bound

    def __missing__(self, key: int) -> T:
        limit = self[key] = self.bound(key)
        return limit


def _floor(value: Decimal) -> int:
    return int(value.to_integral_value(ROUND_FLOOR))


def _ceiling(value: Decimal) -> int:
    return int(value.to_integral_value(ROUND_CEILING))


def _usual(twice: int) -> Decimal:
    """The usual interval from twice the median gap (a median of whole days is a whole
    or a half day), as
    [`median_interval`][accountcare.policies.health.metrics.median_interval] gives."""
    return Decimal(twice) / 2


def _twice_median(gaps: list[int]) -> int:
    """Twice the median of ``gaps`` (sorted here): the middle two, or the middle one twice."""
    gaps.sort()
    return gaps[len(gaps) // 2] + gaps[(len(gaps) - 1) // 2]


class OrderRules:
    """The per-account rules over two periods, with their limits worked out once."""

    def __init__(self, previous: Period, current: Period, as_of: date, policy: Thresholds) -> None:
        self.words = Words(previous, current, policy)
        self.bounds = tuple(
            d.toordinal() for d in (previous.start, previous.end, current.start, current.end)
        )
        self.today = as_of.toordinal()
        self.minimum = policy.min_orders
        self.interval_minimum = max(policy.min_orders, 2)
        self.squared = policy.volatility * policy.volatility
        expected = current.days * (ONE - policy.frequency_drop)
        self.usual = _Limits(_usual)  # by twice the median gap
        # An int is at most a Decimal limit when it is at most its floor (at least: its
        # ceiling); comparing ints also spares converting an int for every account.
        self.most_occasions = _Limits(
            lambda twice: math.floor(Fraction(expected) / Fraction(self.usual[twice]))
        )
        self.interval_floor = _Limits(lambda total: _floor(self.squared * total * total))
        self.lapse_ceiling = _Limits(
            lambda twice: _ceiling(policy.lapse_factor * self.usual[twice])
        )
        self.revenue: dict[str, Decimal] = {}
        self.revenue_now: dict[str, Decimal] = {}

    def account(self, account_id: str, bucket: list[Order], alerts: list[Alert]) -> None:
        """Add the account's revenue in each period to `revenue` and
        `revenue_now` (nothing without an order before ``as_of``), and its
        alerts to ``alerts``."""
        days = list(map(_ORDINAL, map(_DAY, bucket)))
        in_order = sorted(days)
        if in_order != days:
            bucket.sort(key=_DAY)  # stable: same-day orders keep their order
            days = in_order
        if days[-1] >= self.today:  # orders on or after as_of are ignored
            days = days[: bisect_left(days, self.today)]
            if not days:
                return
        amounts = list(map(_AMOUNT, bucket))
        b0, b1, n0, n1 = self._slices(days)  # each period is a slice of the days
        self.revenue[account_id] = sum(amounts[b0:b1], ZERO) if b1 > b0 else ZERO
        values = amounts[n0:n1]
        now = self.revenue_now[account_id] = sum(values, ZERO)
        count = len(values)
        if count >= self.minimum and now > ZERO:
            # volatile order value: n * sum(x^2) - sum(x)^2 > t^2 * sum(x)^2
            squares = sum(map(mul, values, values), ZERO)
            spread = (_SMALL[count] if count < 256 else Decimal(count)) * squares - now * now
            if spread > self.squared * now * now:
                alerts.append(self.words.volatile(account_id, _VALUE, spread, now, count))
        gaps = list(map(sub, days[1:], days))
        if 0 in gaps:  # several orders on one day are one purchase occasion
            days = list(dict.fromkeys(days))
            gaps = list(map(sub, days[1:], days))
            b0, b1, n0, n1 = self._slices(days)
        self._interval_rules(account_id, days, gaps, b0, b1, n0, n1, alerts)

    def _slices(self, days: list[int]) -> tuple[int, int, int, int]:
        """Where each period starts and ends in ``days``."""
        p_start, p_end, c_start, c_end = self.bounds
        b0 = bisect_left(days, p_start)
        b1 = bisect_left(days, p_end, b0)
        n0 = bisect_left(days, c_start, b1)
        return b0, b1, n0, bisect_left(days, c_end, n0)

    def _interval_rules(
        self,
        account_id: str,
        days: list[int],
        gaps: list[int],
        b0: int,
        b1: int,
        n0: int,
        n1: int,
        alerts: list[Alert],
    ) -> None:
        """Falling frequency, volatile interval and lapse, from the distinct order days
        (``[b0, b1)`` fall in the previous period, ``[n0, n1)`` in the current one)."""
        occasions, words = n1 - n0, self.words
        if b1 - b0 >= self.interval_minimum:
            twice = _twice_median(gaps[b0 : b1 - 1])
            if occasions <= self.most_occasions[twice]:  # occasions * usual <= expected
                alerts.append(words.falling(account_id, occasions, self.usual[twice]))
        if occasions >= self.interval_minimum:
            within = gaps[n0 : n1 - 1]
            total = sum(within)
            spread = len(within) * sum(map(mul, within, within)) - total * total
            if spread > self.interval_floor[total]:  # > squared * total * total
                alerts.append(words.volatile(account_id, _INTERVAL, spread, total, len(within)))
        if len(days) >= self.interval_minimum:
            # The usual interval is at least the shortest gap: below k times that, the
            # account cannot have lapsed (rounding is monotone, so this never hides one).
            since = self.today - days[-1]
            if since >= self.lapse_ceiling[2 * min(gaps)]:
                twice = _twice_median(gaps)
                if since >= self.lapse_ceiling[twice]:  # since >= lapse factor * usual
                    alerts.append(words.lapsed(account_id, since, self.usual[twice]))


_Figures = tuple[tuple[str, Decimal], ...]
_FALLING, _LAPSED = AlertRule.FALLING_FREQUENCY, AlertRule.LAPSED
_VALUE, _INTERVAL = AlertRule.VOLATILE_VALUE, AlertRule.VOLATILE_INTERVAL
_VARYING = {_VALUE: "order value", _INTERVAL: "interval"}  # what varies, by rule


class Words:
    """The alerts of the per-account rules, in words (the periods printed once)."""

    def __init__(self, previous: Period, current: Period, policy: Thresholds) -> None:
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
        change = now * self.previous_days / (before * self.current_days) - ONE
        change = change.quantize(_BASIS_POINT)
        return _alert(
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
        return _alert(account_id, _FALLING, known[0], account_id + known[1])

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
        return _alert(account_id, _LAPSED, known[0], account_id + known[1])

    def volatile(
        self, account_id: str, rule: AlertRule, spread: Decimal | int, total: Decimal | int, n: int
    ) -> Alert:
        """The alert of a volatile order value or interval (``rule``)."""
        # cv > t  <=>  n * sum(x^2) - sum(x)^2 > t^2 * sum(x)^2  (population cv, sum(x) > 0);
        # the caller has checked it, exactly.
        cv = (Decimal(spread).sqrt() / total).quantize(_BASIS_POINT)
        return _alert(
            account_id,
            rule,
            (
                ("coefficient_of_variation", cv),
                self.volatility_threshold,
                ("count", Decimal(n)),
            ),
            f"{account_id}'s {_VARYING[rule]} varies with a coefficient of variation of {cv} "
            f"(above {self.volatility})",
        )
