"""Per-account figures over a period: what tier policies and early warning read.

Computed by [`account_metrics`][accountcare.policies.health.metrics.account_metrics]. Money
is Decimal.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import attrs

from accountcare.domain import _validate as v
from accountcare.domain.periods import Period

__all__ = ["AccountMetrics"]


@attrs.frozen
class AccountMetrics:
    """One account's figures over ``period``, as of ``as_of``.

    ``revenue`` and ``margin`` sum the orders in the period (refunds are negative orders;
    orders without a margin add nothing to ``margin``). ``recency_days`` counts days from
    the last order in the period to ``as_of`` (None without orders).
    ``purchase_frequency`` is orders per 365 days of the period. ``usual_interval_days``
    is the median gap between consecutive distinct order days (None with fewer than two
    order days). ``cooperation_years`` comes from ``Account.cooperation_since``.
    """

    account_id: str = attrs.field(validator=v.an_id)
    period: Period = attrs.field(validator=v.typed(Period))
    as_of: date = attrs.field(validator=v.plain_date)
    revenue: Decimal = attrs.field(default=Decimal(0), validator=v.total)
    margin: Decimal = attrs.field(default=Decimal(0), validator=v.total)
    order_count: int = attrs.field(default=0, validator=[v.typed(int), v.not_negative])
    first_order: date | None = attrs.field(default=None, validator=v.optional(v.plain_date))
    last_order: date | None = attrs.field(
        default=None, validator=v.optional(v.plain_date, v.not_before("first_order"))
    )
    cooperation_years: float = attrs.field(default=0.0, validator=[v.finite_number, v.not_negative])
    recency_days: int | None = attrs.field(default=None, validator=v.optional(v.typed(int)))
    purchase_frequency: float = attrs.field(
        default=0.0, validator=[v.finite_number, v.not_negative]
    )
    usual_interval_days: Decimal | None = attrs.field(
        default=None, validator=v.optional(v.total, v.not_negative)
    )
    average_order_value: Decimal | None = attrs.field(default=None, validator=v.optional(v.total))
    complaint_count: int = attrs.field(default=0, validator=[v.typed(int), v.not_negative])
    interaction_count: int = attrs.field(default=0, validator=[v.typed(int), v.not_negative])
