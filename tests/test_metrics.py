"""Account metrics over a period."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given

from accountcare.domain import Account, Complaint, Order
from accountcare.domain.periods import Period
from accountcare.errors import ConfigurationError
from accountcare.policies.health.metrics import account_metrics, median_interval
from accountcare.testing.relationships import orders_of

PERIOD = Period(date(2026, 1, 1), date(2026, 7, 1))
AS_OF = date(2026, 7, 1)


def test_metrics_of_one_account() -> None:
    acme = Account(id="acme", name="Acme", cooperation_since=date(2019, 7, 1))
    orders = [
        Order(
            id="1",
            account_id="acme",
            ordered_on=date(2026, 1, 10),
            amount=Decimal("100.50"),
            margin=Decimal("20"),
        ),
        Order(id="2", account_id="acme", ordered_on=date(2026, 1, 10), amount=Decimal("50")),
        Order(id="3", account_id="acme", ordered_on=date(2026, 3, 1), amount=Decimal("-10")),
        Order(id="4", account_id="acme", ordered_on=date(2025, 12, 31), amount=Decimal("999")),
    ]
    complaints = [Complaint(id="k", account_id="acme", opened_at=datetime(2026, 2, 1, tzinfo=UTC))]
    quiet = Account(id="quiet", name="Quiet")
    m = account_metrics([acme, quiet], orders, complaints, period=PERIOD, as_of=AS_OF)
    acme_m = m["acme"]
    assert acme_m.revenue == Decimal("140.50")
    assert acme_m.margin == Decimal("20")
    assert (acme_m.order_count, acme_m.first_order, acme_m.last_order) == (
        3,
        date(2026, 1, 10),
        date(2026, 3, 1),
    )
    assert acme_m.recency_days == 122
    assert acme_m.usual_interval_days == Decimal(50)
    assert acme_m.average_order_value == Decimal("140.50") / 3
    assert acme_m.complaint_count == 1
    assert round(acme_m.cooperation_years, 2) == 7.0
    assert m["quiet"].order_count == 0
    assert m["quiet"].recency_days is None


@given(orders=orders_of(("a", "b", "c"), PERIOD))
def test_metrics_revenue_sums_match_the_orders(orders: list[Order]) -> None:
    m = account_metrics([], orders, period=PERIOD, as_of=AS_OF)
    for account_id, figures in m.items():
        mine = [o for o in orders if o.account_id == account_id]
        assert figures.revenue == sum((o.amount for o in mine), Decimal(0))
        assert figures.order_count == len(mine)
    assert list(m) == sorted(m)


def test_median_interval_counts_one_day_once() -> None:
    assert median_interval([date(2026, 1, 1)]) is None
    assert median_interval([date(2026, 1, 1), date(2026, 1, 3), date(2026, 1, 7)]) == Decimal(3)


def test_as_of_before_the_period_is_rejected() -> None:
    with pytest.raises(ConfigurationError, match="before the period"):
        account_metrics([], [], period=PERIOD, as_of=date(2025, 1, 1))


def test_nothing_after_as_of_counts() -> None:
    orders = [
        Order(id="1", account_id="a", ordered_on=date(2026, 2, 1), amount=Decimal(1)),
        Order(id="2", account_id="a", ordered_on=date(2026, 3, 1), amount=Decimal(2)),
        Order(id="3", account_id="a", ordered_on=date(2026, 3, 2), amount=Decimal(4)),
    ]
    m = account_metrics([], orders, period=PERIOD, as_of=date(2026, 3, 1))["a"]
    assert (m.revenue, m.order_count, m.recency_days) == (Decimal(3), 2, 0)
