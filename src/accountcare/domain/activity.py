"""Behaviour: orders, interactions (each contact with us) and complaints.

All three link to their account by ``account_id``. Money is :class:`~decimal.Decimal`;
instants are timezone-aware datetimes; an order is dated by the day it was placed.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import attrs

from accountcare.domain import _validate as v

__all__ = [
    "Complaint",
    "ComplaintSeverity",
    "Interaction",
    "InteractionKind",
    "Order",
    "Outcome",
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
