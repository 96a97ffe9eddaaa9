"""The early-warning rules read from each account's own order history, in one pass.

For every account, its orders in day order give its revenue in each period and the
per-account rules of :func:`accountcare.policies.health.early_warning.early_warnings`: falling
purchase frequency, volatile order value or interval, and lapse. :class:`_Words` puts
the alerts of these rules, and of a declining top account, in words.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Callable
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from fractions import Fraction
from operator import attrgetter, mul, sub
from typing import TYPE_CHECKING

from accountcare.domain.activity import Order
from accountcare.domain.periods import Period
from accountcare.domain.warnings import Alert, AlertRule, trusted_alert

if TYPE_CHECKING:  # the policy imports this module: its class is needed for types only
    from accountcare.policies.health.early_warning import EarlyWarningPolicy

_ZERO = Decimal(0)
_ONE = Decimal(1)
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
