"""Key-account qualification: whether an account is a key account, by the practitioners'
rules (large orders over one to two years of continuous contracts, strategic projects),
composed from named predicates.

A rule is a name and a predicate over the account, its orders and an explicit ``as_of``
day. An account qualifies when every rule holds; the result names each rule that failed.
Built-in rules: large orders in each of the last years (continuous contracts), the
strategic-project flag, cooperation years; any ``(name, predicate)`` of the user's joins
them.

>>> from datetime import date
>>> from decimal import Decimal
>>> from accountcare.domain import Account, Order
>>> acme = Account(id="acme", name="Acme", strategic=True)
>>> orders = [Order(id=f"o{y}", account_id="acme", ordered_on=date(y, 6, 1),
...                 amount=Decimal("60000")) for y in (2025, 2026)]
>>> result = KeyAccountRules().qualify(acme, orders, as_of=date(2026, 12, 31))
>>> result.qualified, result.failed
(True, ())
>>> KeyAccountRules().qualify(acme, orders[:1], as_of=date(2026, 12, 31)).failed
('orders of at least 50000 in each of the last 2 years',)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal

import attrs

from accountcare.domain.accounts import Account
from accountcare.domain.activity import Order
from accountcare.domain.tiers import Qualification
from accountcare.errors import ConfigurationError, InvalidRecord

__all__ = [
    "KEY_ACCOUNT_ORDER_AMOUNT",
    "KEY_ACCOUNT_YEARS",
    "KeyAccountRules",
    "QualificationRule",
    "cooperation_years_at_least",
    "orders_each_year",
    "strategic_project",
]

Predicate = Callable[[Account, Sequence[Order], date], bool]

# "Large orders with at least 1-2 years of continuous contracts": 2 years, and an order
# total per year that marks a large customer in a small B2B book (set your own).
KEY_ACCOUNT_YEARS = 2
"""Years of continuous contracts a key account has (practitioners ask for 1-2)."""
KEY_ACCOUNT_ORDER_AMOUNT = Decimal(50_000)
"""The yearly order amount a key account reaches, in the book's currency."""


@attrs.frozen
class QualificationRule:
    """A named predicate ``(account, its orders, as_of) -> bool``."""

    name: str
    predicate: Predicate = attrs.field(eq=False)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ConfigurationError("a qualification rule needs a name")
        if not callable(self.predicate):
            raise ConfigurationError(f"rule {self.name!r}: the predicate must be callable")


def orders_each_year(
    amount: Decimal = KEY_ACCOUNT_ORDER_AMOUNT, years: int = KEY_ACCOUNT_YEARS
) -> QualificationRule:
    """Orders totalling at least ``amount`` in each of the ``years`` years (365-day
    spans) ending on ``as_of``."""
    if isinstance(years, bool) or not isinstance(years, int) or years < 1:
        raise ConfigurationError(f"orders_each_year: years must be a positive int, got {years!r}")
    if not isinstance(amount, Decimal | int) or isinstance(amount, bool) or amount < 0:
        raise ConfigurationError(f"orders_each_year: amount must be >= 0, got {amount!r}")

    def holds(account: Account, orders: Sequence[Order], as_of: date) -> bool:
        for back in range(years):
            end = as_of - timedelta(days=365 * back)
            start = end - timedelta(days=365)
            spent = sum((o.amount for o in orders if start < o.ordered_on <= end), Decimal(0))
            if spent < amount:
                return False
        return True

    return QualificationRule(
        f"orders of at least {amount} in each of the last {years} years", holds
    )


def strategic_project() -> QualificationRule:
    """The account is flagged as a strategic project (``Account.strategic``)."""
    return QualificationRule("strategic project", lambda account, orders, as_of: account.strategic)


def cooperation_years_at_least(years: float) -> QualificationRule:
    """The relationship is at least ``years`` old on ``as_of``."""
    return QualificationRule(
        f"at least {years:g} years of cooperation",
        lambda account, orders, as_of: account.cooperation_years(as_of) >= years,
    )


def _rules(
    values: Iterable[QualificationRule | tuple[str, Predicate]],
) -> tuple[QualificationRule, ...]:
    return tuple(r if isinstance(r, QualificationRule) else QualificationRule(*r) for r in values)


@attrs.frozen
class KeyAccountRules:
    """Every rule must hold for an account to qualify as a key account."""

    rules: tuple[QualificationRule, ...] = attrs.field(
        factory=lambda: (orders_each_year(),), converter=_rules
    )

    def __attrs_post_init__(self) -> None:
        names = [r.name for r in self.rules]
        if not names or len(set(names)) != len(names):
            raise ConfigurationError(
                f"KeyAccountRules: needs rules with distinct names, got {names}"
            )

    def qualify(self, account: Account, orders: Iterable[Order], as_of: date) -> Qualification:
        """Check every rule; orders of other accounts are an error, not ignored."""
        own = sorted(orders, key=lambda o: (o.ordered_on, o.id))
        for order in own:
            if order.account_id != account.id:
                raise InvalidRecord(
                    f"Order {order.id!r}",
                    "account_id",
                    f"belongs to {order.account_id!r}, not {account.id!r}",
                )
        passed: list[str] = []
        failed: list[str] = []
        for rule in self.rules:
            (passed if rule.predicate(account, own, as_of) else failed).append(rule.name)
        return Qualification(account.id, as_of, tuple(passed), tuple(failed))

    def qualify_all(
        self, accounts: Iterable[Account], orders: Iterable[Order], as_of: date
    ) -> dict[str, Qualification]:
        """Qualify each account with its own orders, by account id."""
        by_account: dict[str, list[Order]] = {}
        for order in orders:
            by_account.setdefault(order.account_id, []).append(order)
        return {
            a.id: self.qualify(a, by_account.get(a.id, ()), as_of)
            for a in sorted(accounts, key=lambda a: a.id)
        }
