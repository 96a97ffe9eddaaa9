"""Early-warning values: alerts, retention figures, lost-account reviews.

Practitioners find decline early, and find the root cause of a lost account before
trying to win it back.
"""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal
from typing import Any

import attrs

from accountcare.domain import _validate as v
from accountcare.domain.periods import Period
from accountcare.errors import AccountcareError

__all__ = [
    "Alert",
    "AlertRule",
    "LostAccountReview",
    "RetentionFigures",
    "RootCause",
    "RootCauseMissing",
    "WinBackTask",
]


class AlertRule(enum.Enum):
    """The early-warning rules: each asks one question of the book."""

    DECLINING_TOP_ACCOUNT = "declining_top_account"  # last period's top account buys much less
    FALLING_FREQUENCY = "falling_frequency"  # orders less often than its own usual interval
    VOLATILE_VALUE = "volatile_value"  # order values swing widely
    VOLATILE_INTERVAL = "volatile_interval"  # gaps between orders swing widely
    LAPSED = "lapsed"  # no order for k times the usual interval
    RISING_COMPLAINTS = "rising_complaints"
    LOW_P_ALIVE = "low_p_alive"  # a purchase model gives it a low chance of still buying
    FALLING_EXPECTED_PURCHASES = "falling_expected_purchases"  # a model expects far fewer


def _figures(value: Any) -> tuple[tuple[str, Decimal], ...]:
    pairs = value.items() if isinstance(value, dict) else value
    return tuple((str(k), x) for k, x in pairs)


@attrs.frozen
class Alert:
    """One early warning: the account, the rule, the figures that fired it, in words.

    >>> a = Alert("acme", AlertRule.LAPSED, {"days_since_last_order": Decimal(120)}, "lapsed")
    >>> a.figure("days_since_last_order")
    Decimal('120')
    """

    account_id: str = attrs.field(validator=v.an_id)
    rule: AlertRule = attrs.field(validator=v.in_enum(AlertRule))
    figures: tuple[tuple[str, Decimal], ...] = attrs.field(converter=_figures)
    message: str = attrs.field(validator=v.a_text)

    def figure(self, name: str) -> Decimal:
        """The figure called ``name`` (KeyError when the alert has none)."""
        for key, value in self.figures:
            if key == name:
                return value
        raise KeyError(name)

    def _repr_html_(self) -> str:
        """The alert as a table in Jupyter: its figures, under the message."""
        from accountcare.domain._html import html_table

        caption = f"{self.account_id}: {self.rule.value.replace('_', ' ')}. {self.message}"
        return html_table(("figure", "value"), self.figures, caption=caption)


@attrs.frozen
class RetentionFigures:
    """Retention from ``previous`` to ``current`` for one tier (``tier`` None: everyone).

    ``customers`` bought in the previous period; ``retained`` bought in both; ``churned``
    = customers - retained; ``won_back`` bought in the current period, not in the
    previous one, but at some time before it; ``new`` first bought in the current period.
    ``repeat_purchase_rate`` is the share of the current period's buyers with at least two
    orders in it. ``revenue_kept`` is the retained accounts' current revenue, against
    their ``revenue_previous``. Rates are Decimal in [0, 1] (0 when nothing to divide).
    """

    tier: str | None = attrs.field(validator=v.optional(v.a_line))
    previous: Period = attrs.field(validator=v.typed(Period))
    current: Period = attrs.field(validator=v.typed(Period))
    customers: int = attrs.field(validator=v.not_negative)
    retained: int = attrs.field(validator=v.not_negative)
    churned: int = attrs.field(validator=v.not_negative)
    won_back: int = attrs.field(validator=v.not_negative)
    new: int = attrs.field(validator=v.not_negative)
    buyers_current: int = attrs.field(validator=v.not_negative)
    repeat_buyers: int = attrs.field(validator=v.not_negative)
    revenue_previous: Decimal = attrs.field(validator=v.total)
    revenue_kept: Decimal = attrs.field(validator=v.total)

    @property
    def retention_rate(self) -> Decimal:
        return Decimal(self.retained) / self.customers if self.customers else Decimal(0)

    @property
    def repeat_purchase_rate(self) -> Decimal:
        current = self.buyers_current
        return Decimal(self.repeat_buyers) / current if current else Decimal(0)


class RootCause(enum.Enum):
    """Why a customer was lost (found before any attempt to win it back)."""

    PRICE = "price"
    QUALITY = "quality"
    SERVICE = "service"
    DELIVERY = "delivery"
    COMPETITOR = "competitor"
    RELATIONSHIP = "relationship"  # our contact left, or theirs did
    NEED_ENDED = "need_ended"
    FINANCIAL = "financial"  # their credit or budget
    OTHER = "other"


@attrs.frozen
class LostAccountReview:
    """The root-cause record of a lost account: cause, evidence, who found it and when."""

    account_id: str = attrs.field(validator=v.an_id)
    cause: RootCause = attrs.field(validator=v.in_enum(RootCause))
    evidence: str = attrs.field(validator=[v.non_empty, v.a_text])
    found_by: str = attrs.field(validator=v.an_id)
    found_on: date = attrs.field(validator=v.plain_date)


@attrs.frozen
class WinBackTask:
    """A planned attempt to win a lost account back, tied to its root cause."""

    account_id: str = attrs.field(validator=v.an_id)
    owner: str = attrs.field(validator=v.an_id)
    due_on: date = attrs.field(validator=v.plain_date)
    cause: RootCause = attrs.field(validator=v.in_enum(RootCause))
    approach: str = attrs.field(validator=v.a_text)


class RootCauseMissing(AccountcareError, ValueError):
    """A win-back was asked for a lost account that has no root-cause record."""
