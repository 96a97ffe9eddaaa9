"""Retention figures, tier transitions and the root-cause rule for win-backs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given

from accountcare.domain import Account, LifecycleStage, Order
from accountcare.domain.periods import Period
from accountcare.domain.warnings import LostAccountReview, RootCause, RootCauseMissing
from accountcare.errors import ConfigurationError
from accountcare.policies.health.metrics import account_metrics
from accountcare.policies.health.retention import plan_win_back, retention_figures
from accountcare.policies.tiers.migration import migration_report
from accountcare.testing.relationships import orders_of

PREV = Period(date(2025, 1, 1), date(2026, 1, 1))
CUR = Period(date(2026, 1, 1), date(2027, 1, 1))
ALL = Period(date(2023, 1, 1), date(2027, 1, 1))


def order(n: int, account: str, day: date, amount: int) -> Order:
    return Order(id=str(n), account_id=account, ordered_on=day, amount=Decimal(amount))


def test_retention_figures_count_each_kind_of_account() -> None:
    orders = [
        order(1, "kept", date(2025, 3, 1), 100),
        order(2, "kept", date(2026, 3, 1), 60),
        order(3, "kept", date(2026, 4, 1), 20),
        order(4, "gone", date(2025, 3, 1), 50),
        order(5, "back", date(2024, 3, 1), 10),
        order(6, "back", date(2026, 3, 1), 10),
        order(7, "new", date(2026, 5, 1), 5),
    ]
    tiers = {"kept": "A", "gone": "B", "back": "B"}
    everyone, tier_a, tier_b = retention_figures(orders, previous=PREV, current=CUR, tiers=tiers)
    assert (everyone.customers, everyone.retained, everyone.churned) == (2, 1, 1)
    assert (everyone.won_back, everyone.new, everyone.buyers_current) == (1, 1, 3)
    assert everyone.repeat_buyers == 1
    assert everyone.repeat_purchase_rate == Decimal(1) / 3
    assert everyone.retention_rate == Decimal("0.5")
    assert (everyone.revenue_previous, everyone.revenue_kept) == (Decimal(100), Decimal(80))
    assert (tier_a.tier, tier_a.retention_rate) == ("A", Decimal(1))
    assert (tier_b.tier, tier_b.churned, tier_b.won_back) == ("B", 1, 1)


@given(orders=orders_of(("a", "b", "c", "d"), ALL))
def test_retention_counts_add_up(orders: list[Order]) -> None:
    row = retention_figures(orders, previous=PREV, current=CUR)[0]
    assert row.retained + row.churned == row.customers
    assert row.retained + row.won_back + row.new == row.buyers_current
    assert 0 <= row.retention_rate <= 1
    assert row.repeat_buyers <= row.buyers_current


def test_tier_migration_between_periods_uses_the_migration_report() -> None:
    orders = [
        order(1, "a", date(2025, 3, 1), 100),
        order(2, "b", date(2025, 3, 1), 10),
        order(3, "a", date(2026, 3, 1), 10),
        order(4, "b", date(2026, 3, 1), 100),
    ]

    def tiers_of(period: Period) -> dict[str, str]:
        revenue = {
            a: m.revenue
            for a, m in account_metrics([], orders, period=period, as_of=period.end).items()
        }
        top = max(sorted(revenue), key=lambda a: revenue[a])
        return {a: "A" if a == top else "B" for a in revenue}

    report = migration_report(tiers_of(PREV), tiers_of(CUR), tiers=("A", "B"))
    assert [m.account_id for m in report.moved_up] == ["b"]
    assert [m.account_id for m in report.moved_down] == ["a"]


def test_a_lost_account_needs_a_root_cause_before_a_win_back() -> None:
    lost = Account(id="acme", name="Acme", stage=LifecycleStage.LOST)
    with pytest.raises(RootCauseMissing, match="no root-cause record"):
        plan_win_back(lost, None, owner="li", due_on=date(2026, 5, 1))
    other = LostAccountReview("other", RootCause.PRICE, "tender", "li", date(2026, 4, 1))
    with pytest.raises(RootCauseMissing, match="for 'other'"):
        plan_win_back(lost, other, owner="li", due_on=date(2026, 5, 1))
    review = LostAccountReview("acme", RootCause.SERVICE, "slow repairs", "li", date(2026, 4, 1))
    with pytest.raises(ConfigurationError, match="before the root cause was found"):
        plan_win_back(lost, review, owner="li", due_on=date(2026, 3, 1))
    task = plan_win_back(lost, review, owner="li", due_on=date(2026, 5, 1), approach="SLA offer")
    assert (task.cause, task.owner) == (RootCause.SERVICE, "li")
