"""Early-warning rules: each fires exactly when its threshold is crossed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accountcare.domain import Complaint, Order
from accountcare.domain.periods import Period, check_consecutive
from accountcare.domain.warnings import AlertRule
from accountcare.errors import ConfigurationError, InvalidRecord
from accountcare.policies.health.early_warning import EarlyWarningPolicy, early_warnings

PREV = Period(date(2025, 1, 1), date(2025, 7, 1))  # 181 days
CUR = Period(date(2025, 7, 1), date(2025, 12, 29))  # 181 days
CENTS = st.integers(1, 10**9)


def order(account: str, day: date, amount: Decimal | int, n: int = 0) -> Order:
    return Order(
        id=f"{account}-{day}-{n}", account_id=account, ordered_on=day, amount=Decimal(amount)
    )


def rules(alerts: tuple[object, ...], rule: AlertRule) -> list[str]:
    return [a.account_id for a in alerts if a.rule is rule]  # type: ignore[attr-defined]


@given(before=CENTS, keep_permille=st.integers(0, 1000), nudge=st.sampled_from([-1, 0, 1]))
def test_declining_fires_exactly_at_or_below_seventy_percent(
    before: int, keep_permille: int, nudge: int
) -> None:
    now = max(0, before * keep_permille // 1000 + nudge)
    prev_amount, now_amount = Decimal(before) / 100, Decimal(now) / 100
    orders = [order("a", PREV.start, prev_amount)]
    if now:
        orders.append(order("a", CUR.start, now_amount))
    alerts = early_warnings(orders, previous=PREV, current=CUR)
    fired = rules(alerts, AlertRule.DECLINING_TOP_ACCOUNT) == ["a"]
    assert fired == (now_amount <= prev_amount * Decimal("0.7"))


def test_declining_boundary_is_exact_with_decimal() -> None:
    at = [order("a", PREV.start, Decimal("1000.00")), order("a", CUR.start, Decimal("700.00"))]
    above = [order("a", PREV.start, Decimal("1000.00")), order("a", CUR.start, Decimal("700.01"))]
    [alert] = early_warnings(at, previous=PREV, current=CUR)
    assert alert.figure("change") == Decimal("-0.3000")
    assert alert.figure("previous_revenue") == Decimal("1000.00")
    assert "top account a" in alert.message
    assert early_warnings(above, previous=PREV, current=CUR) == ()


def test_only_last_periods_top_accounts_are_checked() -> None:
    # 10 buyers; the top 20% are the 2 biggest, ties broken by account id.
    orders = [order(f"a{n}", PREV.start, 100 + n) for n in range(8)]
    orders += [order("big", PREV.start, 1000), order("bog", PREV.start, 1000)]
    alerts = early_warnings(orders, previous=PREV, current=CUR)
    assert rules(alerts, AlertRule.DECLINING_TOP_ACCOUNT) == ["big", "bog"]
    policy = EarlyWarningPolicy(top_count=1)
    alerts = early_warnings(orders, previous=PREV, current=CUR, policy=policy)
    assert rules(alerts, AlertRule.DECLINING_TOP_ACCOUNT) == ["big"]


@given(gap=st.integers(1, 60), bought=st.integers(0, 200))
def test_falling_frequency_fires_exactly_at_half_the_expected_days(gap: int, bought: int) -> None:
    days_before = [PREV.start + timedelta(days=gap * k) for k in range(3)]
    days_now = [CUR.start + timedelta(days=k) for k in range(min(bought, CUR.days))]
    orders = [order("a", d, 10) for d in days_before] + [order("a", d, 10) for d in days_now]
    alerts = early_warnings(orders, previous=PREV, current=CUR)
    expected_days = Decimal(CUR.days) / gap
    fired = "a" in rules(alerts, AlertRule.FALLING_FREQUENCY)
    assert fired == (len(days_now) <= expected_days * Decimal("0.5"))


def test_falling_frequency_boundary() -> None:
    # usual interval 10 days, 181-day period: 18.1 expected, fires at 9 days, not at 10.
    before = [order("a", PREV.start + timedelta(days=10 * k), 10) for k in range(3)]
    for count, fires in ((9, True), (10, False)):
        now = [order("a", CUR.start + timedelta(days=k), 10) for k in range(count)]
        alerts = early_warnings(before + now, previous=PREV, current=CUR)
        assert ("a" in rules(alerts, AlertRule.FALLING_FREQUENCY)) is fires


@given(values=st.lists(st.integers(1, 10_000), min_size=3, max_size=8))
def test_volatile_value_fires_exactly_above_threshold(values: list[int]) -> None:
    orders = [order("a", CUR.start + timedelta(days=k), v, k) for k, v in enumerate(values)]
    alerts = early_warnings(orders, previous=PREV, current=CUR)
    n, total = len(values), sum(values)
    spread = n * sum(v * v for v in values) - total * total  # cv > 1 <=> spread > total^2
    assert ("a" in rules(alerts, AlertRule.VOLATILE_VALUE)) == (spread > total * total)


def test_volatile_value_boundary_cv_exactly_one_does_not_fire() -> None:
    # Values 0 and 2: mean 1, population std 1, cv exactly 1 -> no alert (strictly above).
    policy = EarlyWarningPolicy(min_orders=2)
    at = [order("a", CUR.start, 0, 1), order("a", CUR.start + timedelta(days=1), 2, 2)]
    assert (
        rules(
            early_warnings(at, previous=PREV, current=CUR, policy=policy), AlertRule.VOLATILE_VALUE
        )
        == []
    )
    above = [order("a", CUR.start, 0, 1), order("a", CUR.start + timedelta(days=1), 201, 2)]
    above.append(order("a", CUR.start + timedelta(days=2), 0, 3))
    assert rules(
        early_warnings(above, previous=PREV, current=CUR, policy=policy), AlertRule.VOLATILE_VALUE
    ) == ["a"]


@given(usual=st.integers(1, 20), since=st.integers(0, 90))
def test_lapsed_fires_exactly_at_k_times_usual_interval(usual: int, since: int) -> None:
    as_of = CUR.start + timedelta(days=120)
    last = as_of - timedelta(days=since)
    days = [last - timedelta(days=usual * k) for k in range(3)]
    orders = [order("a", d, 10) for d in days if d < as_of]
    alerts = early_warnings(orders, previous=PREV, current=CUR, as_of=as_of)
    assert ("a" in rules(alerts, AlertRule.LAPSED)) == (since >= 3 * usual)


def complaint(account: str, day: date, n: int) -> Complaint:
    return Complaint(
        id=f"{account}{day}{n}",
        account_id=account,
        opened_at=datetime(day.year, day.month, day.day, 9, tzinfo=UTC),
    )


@given(before=st.integers(0, 6), now=st.integers(0, 9))
def test_rising_complaints_fire_exactly_at_half_more_and_at_least_two(
    before: int, now: int
) -> None:
    items = [complaint("a", PREV.start, n) for n in range(before)]
    items += [complaint("a", CUR.start, n) for n in range(now)]
    alerts = early_warnings([], items, previous=PREV, current=CUR)
    fires = now >= 2 and now > before and 2 * now >= 3 * before
    assert ("a" in rules(alerts, AlertRule.RISING_COMPLAINTS)) == fires


def test_alerts_are_sorted_and_independent_of_input_order() -> None:
    orders = [order(f"a{n}", PREV.start, 100 * (n + 1)) for n in range(5)]
    alerts = early_warnings(orders, previous=PREV, current=CUR)
    assert alerts == early_warnings(list(reversed(orders)), previous=PREV, current=CUR)
    assert [a.account_id for a in alerts] == sorted(a.account_id for a in alerts)


def test_overlapping_or_reversed_periods_are_rejected() -> None:
    with pytest.raises(ConfigurationError, match="overlap"):
        early_warnings([], previous=PREV, current=Period(date(2025, 6, 1), date(2025, 12, 1)))
    with pytest.raises(ConfigurationError, match="must end on or before"):
        check_consecutive(CUR, PREV)
    with pytest.raises(InvalidRecord, match="reversed period"):
        Period(date(2025, 2, 1), date(2025, 1, 1))
    with pytest.raises(InvalidRecord, match="empty period"):
        Period(date(2025, 2, 1), date(2025, 2, 1))


def test_bad_thresholds_are_configuration_errors() -> None:
    with pytest.raises(ConfigurationError, match="drop"):
        EarlyWarningPolicy(drop=Decimal("1.5"))
    with pytest.raises(ConfigurationError, match="top_count"):
        EarlyWarningPolicy(top_count=0)
