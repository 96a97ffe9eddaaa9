"""Behaviour: orders, interactions (each contact with us) and complaints.

All three link to their account by ``account_id``. Money is `Decimal`;
instants are timezone-aware datetimes; an order is dated by the day it was placed.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, localcontext

import attrs

from accountcare.domain import _validate as v

__all__ = [
    "Complaint",
    "ComplaintSeverity",
    "Interaction",
    "InteractionKind",
    "Order",
    "OrderTotal",
    "Outcome",
    "order_totals",
    "summed",
]


@attrs.frozen
class Order:
    """One order. A negative ``amount`` is a refund; ``margin`` may be negative (a loss).

    >>> from decimal import Decimal
    >>> from datetime import date
    >>> Order(id="o-1", account_id="acme", ordered_on=date(2026, 5, 4),
    ...       amount=Decimal("1200.00"), margin=Decimal("300.00"), currency="CNY").amount
    Decimal('1200.00')
    """

    id: str = attrs.field(validator=v.an_id)
    account_id: str = attrs.field(validator=v.an_id)
    ordered_on: date = attrs.field(validator=v.plain_date)
    amount: Decimal = attrs.field(validator=v.amount)
    margin: Decimal | None = attrs.field(default=None, validator=v.optional(v.amount))
    currency: str = attrs.field(default="USD", validator=v.currency)
    quantity: int = attrs.field(default=1, validator=[v.typed(int), v.not_negative])
    product: str = attrs.field(default="", validator=v.a_line)
    contract_id: str | None = attrs.field(default=None, validator=v.optional(v.an_id))


def summed(amounts: Iterable[Decimal]) -> Decimal:
    """The sum of ``amounts``, written without trailing zeros after the point: the one
    way a total of money is written, whether Python or a database added it up.

    >>> summed([Decimal("100.50"), Decimal("99.50")]), summed([Decimal("0.25")]), summed([])
    (Decimal('200'), Decimal('0.25'), Decimal('0'))
    """
    with localcontext() as exact:  # room for MAX_TOTAL to the last of six places, as SQL
        exact.prec = 40
        total = sum(amounts, Decimal(0))
        if total == total.to_integral_value():
            return total.quantize(Decimal(1))
        return total.normalize()


@attrs.frozen
class OrderTotal:
    """One account's orders in one currency, summed: how many, the amount, the margin
    (of the ``margined`` orders that carry one), and the first and last order days.

    The figures every tier on sales starts from; a server store computes them in the
    database ([`BookReader.order_totals`][accountcare.ports.store.BookReader.order_totals]).

    >>> total = OrderTotal("acme", "CNY", orders=2, amount=Decimal("200"), margin=Decimal(0),
    ...                    margined=0, first_on=date(2027, 1, 5), last_on=date(2027, 2, 5))
    >>> total.amount / total.orders
    Decimal('100')
    """

    account_id: str = attrs.field(validator=v.an_id)
    currency: str = attrs.field(validator=v.currency)
    orders: int = attrs.field(validator=[v.typed(int), v.not_negative])
    amount: Decimal = attrs.field(validator=v.total)
    margin: Decimal = attrs.field(validator=v.total)
    margined: int = attrs.field(validator=[v.typed(int), v.not_negative])
    first_on: date = attrs.field(validator=v.plain_date)
    last_on: date = attrs.field(validator=v.plain_date)


def order_totals(orders: Iterable[Order]) -> tuple[OrderTotal, ...]:
    """``orders`` summed per account and currency, by (account id, currency).

    >>> orders = [Order("o-1", "acme", date(2027, 1, 5), Decimal("100.50"), currency="CNY",
    ...                 margin=Decimal("20.25")),
    ...           Order("o-2", "acme", date(2027, 3, 1), Decimal("-0.50"), currency="CNY"),
    ...           Order("o-3", "acme", date(2027, 2, 1), Decimal(7), currency="USD")]
    >>> for t in order_totals(orders):
    ...     print(t.currency, t.orders, t.amount, t.margin, t.margined, t.first_on, t.last_on)
    CNY 2 100 20.25 1 2027-01-05 2027-03-01
    USD 1 7 0 0 2027-02-01 2027-02-01
    """
    groups: dict[tuple[str, str], list[Order]] = {}
    for order in orders:
        groups.setdefault((order.account_id, order.currency), []).append(order)
    totals = []
    for (account_id, currency), group in sorted(groups.items()):
        margins = [o.margin for o in group if o.margin is not None]
        days = [o.ordered_on for o in group]
        totals.append(
            OrderTotal(
                account_id=account_id,
                currency=currency,
                orders=len(group),
                amount=summed(o.amount for o in group),
                margin=summed(margins),
                margined=len(margins),
                first_on=min(days),
                last_on=max(days),
            )
        )
    return tuple(totals)


class InteractionKind(enum.Enum):
    """The kinds of contact with a customer."""

    VISIT = "visit"
    CALL = "call"
    EMAIL = "email"
    MESSAGE = "message"
    GREETING = "greeting"


class Outcome(enum.Enum):
    """How an interaction went, best first."""

    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"
    NO_RESPONSE = "no_response"


@attrs.frozen
class Interaction:
    """One contact with a customer: who, when, how, and what came of it.

    ``by`` is the id of our person (rep, manager, executive); ``leader_joined`` marks a
    visit a supervisor or senior leader joined.
    """

    id: str = attrs.field(validator=v.an_id)
    account_id: str = attrs.field(validator=v.an_id)
    occurred_at: datetime = attrs.field(validator=v.aware)
    kind: InteractionKind = attrs.field(validator=v.in_enum(InteractionKind))
    by: str = attrs.field(validator=v.an_id)
    contact_id: str | None = attrs.field(default=None, validator=v.optional(v.an_id))
    outcome: Outcome = attrs.field(default=Outcome.NEUTRAL, validator=v.in_enum(Outcome))
    summary: str = attrs.field(default="", validator=v.a_text)
    next_step: str = attrs.field(default="", validator=v.a_text)
    leader_joined: bool = attrs.field(default=False, validator=v.typed(bool))


class ComplaintSeverity(enum.Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


@attrs.frozen
class Complaint:
    """A complaint: opened, how severe, how resolved, when closed (None while open)."""

    id: str = attrs.field(validator=v.an_id)
    account_id: str = attrs.field(validator=v.an_id)
    opened_at: datetime = attrs.field(validator=v.aware)
    severity: ComplaintSeverity = attrs.field(
        default=ComplaintSeverity.MEDIUM, validator=v.in_enum(ComplaintSeverity)
    )
    subject: str = attrs.field(default="", validator=v.a_line)
    contact_id: str | None = attrs.field(default=None, validator=v.optional(v.an_id))
    resolution: str = attrs.field(default="", validator=v.a_text)
    closed_at: datetime | None = attrs.field(
        default=None, validator=v.optional(v.aware, v.not_before("opened_at"))
    )

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def is_open_at(self, instant: datetime) -> bool:
        """True when the complaint was open at ``instant``."""
        return self.opened_at <= instant and (self.closed_at is None or instant < self.closed_at)
