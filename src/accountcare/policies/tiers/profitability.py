"""20/60/20 profitability on margin, the practitioners' rule that the top 20% of customers
by profit get investment ("invest"), the middle 60% roughly break even and are kept
efficiently ("retain"), and the bottom 20% lose money and are candidates to reduce or drop
("reduce").

Accounts are ranked by margin, losses included (a bigger loss ranks lower), ties by
account id; an account is "invest" when fewer than 20% of the accounts rank above its
group, "retain" when fewer than 80% do.

Decided: a negative margin is always "reduce" (the account loses money, whatever its
rank), and a zero margin is never "invest" (there is nothing to invest behind).

>>> tiers = ProfitabilityPolicy().assign({"a": 50, "b": 20, "c": 10, "d": 5, "e": -3})
>>> [tiers[k].tier for k in "abcde"]
['invest', 'retain', 'retain', 'retain', 'reduce']
"""

from __future__ import annotations

import attrs

from accountcare.policies.tiers._population import NOT_NEGATIVE, POSITIVE, Rule, share_rule
from accountcare.policies.tiers.tiering import PopulationPolicy

__all__ = ["PROFITABILITY_BANDS", "PROFITABILITY_TIERS", "ProfitabilityPolicy"]

# The 20/60/20 rule: the top 20% by profit get investment, the bottom 20% lose money.
PROFITABILITY_BANDS: tuple[float, ...] = (0.20, 0.80)
"""20/60/20: the top 20% by profit get investment, the bottom 20% are candidates to reduce."""
PROFITABILITY_TIERS: tuple[str, ...] = ("invest", "retain", "reduce")


@attrs.frozen(slots=False)
class ProfitabilityPolicy(PopulationPolicy):
    """20/60/20 on margin: ``bands`` are the shares of accounts ranked above that end
    "invest" and "retain", increasing, each in (0, 1]; one more label than bands."""

    bands: tuple[float, ...] = attrs.field(default=PROFITABILITY_BANDS, converter=tuple)
    labels: tuple[str, ...] = attrs.field(default=PROFITABILITY_TIERS, converter=tuple)

    def _define(self) -> Rule:
        """By the share of accounts ranked above, as rank bands are; but losses rank
        (below zero), the best tier needs a profit and every other but the last no loss."""
        met = (
            "fewer than {} of the accounts rank above it by margin, and it makes money",
            "fewer than {} of the accounts rank above it by margin, and no loss",
        )
        missed = "at least {} of the accounts rank above it by margin, or it loses money"
        needs = (POSITIVE, NOT_NEGATIVE)
        return share_rule(
            self,
            "profitability",
            self.bands,
            self.labels,
            "count",
            met,
            missed,
            needs=needs,
            negatives_count=True,
        )
