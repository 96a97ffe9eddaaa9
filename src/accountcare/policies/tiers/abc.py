"""ABC tiers by cumulative share of value (DOMAIN.md section 2).

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

from functools import cached_property

import attrs

from accountcare.policies.tiers._population import Rule, exact_limits
from accountcare.policies.tiers.tiering import PopulationPolicy, check_labels

__all__ = ["ABC_CUTOFFS", "ABC_TIERS", "AbcPolicy"]

# The Pareto practice: A makes the first 80% of sales, B the next 15%, C the last 5%.
ABC_CUTOFFS: tuple[float, ...] = (0.80, 0.95)
ABC_TIERS: tuple[str, ...] = ("A", "B", "C")


def _as_floats(values: tuple[float, ...]) -> tuple[float, ...]:
    return tuple(values)


@attrs.frozen(slots=False)
class AbcPolicy(PopulationPolicy):
    """ABC by cumulative share of value. ``cutoffs`` are cumulative shares, increasing,
    in (0, 1]; ``tiers`` has one label more than ``cutoffs``."""

    cutoffs: tuple[float, ...] = attrs.field(default=ABC_CUTOFFS, converter=_as_floats)
    labels: tuple[str, ...] = attrs.field(default=ABC_TIERS, converter=tuple)

    def __attrs_post_init__(self) -> None:
        self._rule()  # validate now, not at first use

    @cached_property
    def _cached(self) -> Rule:
        shares = exact_limits("AbcPolicy", self.cutoffs)
        labels = check_labels("AbcPolicy", self.labels, len(shares) + 1)
        pct = [f"{float(s) * 100:g}%" for s in shares]
        texts = (
            *(f"the accounts ranked above it hold less than {p} of the value" for p in pct),
            f"the accounts ranked above it hold at least {pct[-1]} of the value, or it has none",
        )
        return Rule(
            "abc",
            labels,
            basis="value",
            shares=shares,
            minimums=tuple((0, False) for _ in shares),
            clamp=True,
            limits=tuple(float(c) for c in self.cutoffs),
            texts=texts,
        )

    def _rule(self) -> Rule:
        return self._cached
