"""ABC tiers by cumulative share of value: the Pareto practice of ranking customers by
sales, A making the first 80%, B the next 15%, C the last 5%.

Accounts are ranked by value (refunds count as zero). An account is A when the accounts
ranked above it hold less than 80% of the total: A accounts make the first 80% of value,
B the next 15%, C the last 5%. An account that crosses a cut-off belongs to the better
tier; equal values share a tier, decided by the share before their group.

>>> tiers = AbcPolicy().assign({"acme": 800, "globex": 150, "initech": 50})
>>> [tiers[k].tier for k in ("acme", "globex", "initech")]
['A', 'B', 'C']
>>> tiers["globex"].reason.share_before
0.8
"""

from __future__ import annotations

import attrs

from accountcare.policies.tiers._population import Rule, share_rule
from accountcare.policies.tiers.tiering import PopulationPolicy

__all__ = ["ABC_CUTOFFS", "ABC_TIERS", "AbcPolicy"]

# The Pareto practice: A makes the first 80% of sales, B the next 15%, C the last 5%.
ABC_CUTOFFS: tuple[float, ...] = (0.80, 0.95)
"""ABC by cumulative share: A makes the first 80% of sales, B the next 15%, C the last 5%."""
ABC_TIERS: tuple[str, ...] = ("A", "B", "C")


@attrs.frozen(slots=False)
class AbcPolicy(PopulationPolicy):
    """ABC by cumulative share of value. ``cutoffs`` are cumulative shares, increasing,
    in (0, 1]; ``labels`` has one label more than ``cutoffs``."""

    cutoffs: tuple[float, ...] = attrs.field(default=ABC_CUTOFFS, converter=tuple)
    labels: tuple[str, ...] = attrs.field(default=ABC_TIERS, converter=tuple)

    def _define(self) -> Rule:
        """An account meets a cut-off when the accounts ranked above it hold less than that
        share of the value; the last tier takes the rest, and every account without value."""
        met = "the accounts ranked above it hold less than {} of the value"
        missed = "the accounts ranked above it hold at least {} of the value, or it has none"
        return share_rule(self, "abc", self.cutoffs, self.labels, "value", (met,), missed)
