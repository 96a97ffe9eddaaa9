"""Value labels high / medium / low from spend, the practitioners' absolute counterpart
of the share-based tiers.

Unlike ABC, the labels are absolute: an account spending at least ``high`` is "high",
at least ``medium`` is "medium", anything less (refunds count as zero) is "low". The
thresholds are in the book's currency; the defaults suit a small B2B book and are meant
to be set. Absolute thresholds are not scale invariant (doubling everyone's spend can
lift accounts to "high"); the reason still reports the account's rank and share.

>>> from decimal import Decimal
>>> tiers = ValueLabelPolicy().assign({"acme": Decimal("250000"), "globex": 12000, "x": 5})
>>> [tiers[k].tier for k in ("acme", "globex", "x")]
['high', 'medium', 'low']
"""

from __future__ import annotations

from decimal import Decimal

import attrs

from accountcare.errors import ConfigurationError
from accountcare.policies.tiers._population import Rule, check_labels
from accountcare.policies.tiers.tiering import PopulationPolicy
from accountcare.policies.tiers.values import check_number

__all__ = ["HIGH_SPEND", "MEDIUM_SPEND", "VALUE_LABELS", "ValueLabelPolicy"]

# Spend per year that makes a "high" and a "medium" value customer: illustrative
# thresholds of a small B2B book, to be set in the book's own currency.
HIGH_SPEND = Decimal(100_000)
"""Spend from which an account is labelled high value, in the book's currency."""
MEDIUM_SPEND = Decimal(10_000)
"""Spend from which an account is labelled medium value, in the book's currency."""
VALUE_LABELS: tuple[str, ...] = ("high", "medium", "low")


@attrs.frozen(slots=False)
class ValueLabelPolicy(PopulationPolicy):
    """``high`` when spend >= ``high``, ``medium`` when >= ``medium``, else ``low``."""

    high: Decimal | int | float = HIGH_SPEND
    medium: Decimal | int | float = MEDIUM_SPEND
    labels: tuple[str, ...] = attrs.field(default=VALUE_LABELS, converter=tuple)

    scale_invariant = False

    def _define(self) -> Rule:
        labels = check_labels("ValueLabelPolicy", self.labels, 3)
        try:
            high = check_number("ValueLabelPolicy", self.high)
            medium = check_number("ValueLabelPolicy", self.medium)
        except ValueError as exc:
            raise ConfigurationError(f"ValueLabelPolicy: thresholds {exc}") from exc
        if not 0 < medium < high:
            raise ConfigurationError(
                f"ValueLabelPolicy: needs 0 < medium < high, got {medium} and {high}"
            )
        return Rule(
            "value_labels",
            labels,
            basis="value",
            shares=None,
            minimums=((high, True), (medium, True)),
            limits=(float(high), float(medium)),
            texts=(
                f"spend of at least {high}",
                f"spend of at least {medium} and below {high}",
                f"spend below {medium}",
            ),
        )
