"""Retention figures and win-back planning.

Tier migration between two periods is
[`migration_report`][accountcare.policies.tiers.migration.migration_report]
(run it on the tiers assigned from each period's metrics).

"Keeping a customer costs a fraction of winning a new one": retention rate, repeat
purchases, churn and win-back per tier show whether the book is kept. A lost customer is
won back only after its root cause is found.

>>> from datetime import date
>>> from decimal import Decimal
>>> from accountcare.domain import Order
>>> from accountcare.domain.periods import Period
>>> prev, cur = Period(date(2025, 1, 1), date(2026, 1, 1)), Period(date(2026, 1, 1), date(2027, 1, 1))
>>> orders = [Order(id="1", account_id="a", ordered_on=date(2025, 5, 1), amount=Decimal(10)),
...           Order(id="2", account_id="a", ordered_on=date(2026, 5, 1), amount=Decimal(8)),
...           Order(id="3", account_id="b", ordered_on=date(2025, 5, 1), amount=Decimal(5))]
>>> everyone = retention_figures(orders, previous=prev, current=cur)[0]
>>> everyone.retention_rate, everyone.churned, everyone.revenue_kept
(Decimal('0.5'), 1, Decimal('8'))
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal

from accountcare.domain.accounts import Account
from accountcare.domain.activity import Order
from accountcare.domain.periods import Period, check_consecutive
from accountcare.domain.warnings import (
    LostAccountReview,
    RetentionFigures,
    RootCauseMissing,
    WinBackTask,
)
from accountcare.errors import ConfigurationError

__all__ = ["plan_win_back", "retention_figures"]

_ZERO = Decimal(0)


def retention_figures(
    orders: Iterable[Order],
    *,
    previous: Period,
    current: Period,
    tiers: Mapping[str, str] | None = None,
) -> tuple[RetentionFigures, ...]:
    """Retention for everyone (first row, ``tier`` None) then per tier in label order.

    ``tiers`` maps account id to its tier (e.g. as assigned at the end of the previous
    period); accounts missing from it appear in the first row only.
    """
    check_consecutive(previous, current)
    bought = _Purchases(orders, previous, current)
    groups: list[tuple[str | None, set[str]]] = [(None, bought.before.keys() | bought.now.keys())]
    if tiers is not None:
        for tier in sorted(set(tiers.values())):
            groups.append((tier, {a for a, t in tiers.items() if t == tier}))
    return tuple(bought.figures(label, members) for label, members in groups)


class _Purchases:
    """Each account's revenue in the previous and the current period, its orders in the
    current one, and whether it bought before the previous one."""

    def __init__(self, orders: Iterable[Order], previous: Period, current: Period) -> None:
        self.previous, self.current = previous, current
        self.before: dict[str, Decimal] = {}
        self.now: dict[str, Decimal] = {}
        self.now_orders: dict[str, int] = {}
        self.earlier: set[str] = set()
        for order in orders:
            day, account_id = order.ordered_on, order.account_id
            if previous.contains(day):
                self.before[account_id] = self.before.get(account_id, _ZERO) + order.amount
            elif current.contains(day):
                self.now[account_id] = self.now.get(account_id, _ZERO) + order.amount
                self.now_orders[account_id] = self.now_orders.get(account_id, 0) + 1
            elif day < previous.start:
                self.earlier.add(account_id)

    def figures(self, tier: str | None, members: set[str]) -> RetentionFigures:
        """The retention of ``members`` (the accounts of ``tier``, or everyone)."""
        customers = members & self.before.keys()
        buyers = members & self.now.keys()
        retained = customers & buyers
        fresh = buyers - customers
        return RetentionFigures(
            tier=tier,
            previous=self.previous,
            current=self.current,
            customers=len(customers),
            retained=len(retained),
            churned=len(customers) - len(retained),
            won_back=len(fresh & self.earlier),
            new=len(fresh - self.earlier),
            buyers_current=len(buyers),
            repeat_buyers=sum(1 for a in buyers if self.now_orders[a] >= 2),
            revenue_previous=sum((self.before[a] for a in sorted(retained)), _ZERO),
            revenue_kept=sum((self.now[a] for a in sorted(retained)), _ZERO),
        )


def plan_win_back(
    account: Account,
    review: LostAccountReview | None,
    *,
    owner: str,
    due_on: date,
    approach: str = "",
) -> WinBackTask:
    """A win-back task for ``account``, refused until its root cause is on record.

    >>> from datetime import date
    >>> plan_win_back(Account(id="acme", name="Acme"), None, owner="rep", due_on=date(2026, 1, 5))
    Traceback (most recent call last):
    ...
    accountcare.domain.warnings.RootCauseMissing: account 'acme' has no root-cause record: find why it was lost before planning a win-back
    """  # noqa: E501
    if review is None:
        raise RootCauseMissing(
            f"account {account.id!r} has no root-cause record: "
            "find why it was lost before planning a win-back"
        )
    if review.account_id != account.id:
        raise RootCauseMissing(
            f"the root-cause record given is for {review.account_id!r}, not {account.id!r}"
        )
    if due_on < review.found_on:
        raise ConfigurationError(
            f"the win-back is due {due_on}, before the root cause was found ({review.found_on})"
        )
    return WinBackTask(account.id, owner, due_on, review.cause, approach)
