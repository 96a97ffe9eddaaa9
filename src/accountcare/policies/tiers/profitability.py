"""20/60/20 profitability on margin (DOMAIN.md section 2).

The top 20% of accounts by margin get investment ("invest"), the middle 60% roughly
break even and are kept efficiently ("retain"), the bottom 20% are candidates to reduce
or drop ("reduce"). Accounts are ranked by margin, losses included (a bigger loss ranks
lower), ties by account id; an account is "invest" when fewer than 20% of the accounts
rank above its group, "retain" when fewer than 80% do.

Decided: a negative margin is always "reduce" (the account loses money, whatever its
rank), and a zero margin is never "invest" (there is nothing to invest behind).

>>> tiers = ProfitabilityPolicy().assign({"a": 50, "b": 20, "c": 10, "d": 5, "e": -3})
>>> [tiers[k].tier for k in "abcde"]
['invest', 'retain', 'retain', 'retain', 'reduce']
"""

from __future__ import annotations

from functools import cached_property

import attrs

from accountcare.policies.tiers._population import Rule, exact_limits
from accountcare.policies.tiers.tiering import PopulationPolicy, check_labels

__all__ = ["PROFITABILITY_BANDS", "PROFITABILITY_TIERS", "ProfitabilityPolicy"]

# The 20/60/20 rule: the top 20% by profit get investment, the bottom 20% lose money.
PROFITABILITY_BANDS: tuple[float, ...] = (0.20, 0.80)
PROFITABILITY_TIERS: tuple[str, ...] = ("invest", "retain", "reduce")


def _as_floats(values: tuple[float, ...]) -> tuple[float, ...]:
    return tuple(values)


@attrs.frozen(slots=False)
class ProfitabilityPolicy(PopulationPolicy):
    """20/60/20 on margin; ``bands`` are the shares of accounts ranked above."""

    bands: tuple[float, ...] = attrs.field(default=PROFITABILITY_BANDS, converter=_as_floats)
    labels: tuple[str, ...] = attrs.field(default=PROFITABILITY_TIERS, converter=tuple)

    def __attrs_post_init__(self) -> None:
        self._rule()

    @cached_property
    def _cached(self) -> Rule:
        shares = exact_limits("ProfitabilityPolicy", self.bands)
        labels = check_labels("ProfitabilityPolicy", self.labels, len(shares) + 1)
        pct = [f"{float(s) * 100:g}%" for s in shares]
        texts = (
            f"fewer than {pct[0]} of the accounts rank above it by margin, and it makes money",
            *(
                f"fewer than {p} of the accounts rank above it by margin, and no loss"
                for p in pct[1:]
            ),
            f"at least {pct[-1]} of the accounts rank above it by margin, or it loses money",
        )
        # Better than the last tier needs no loss; the first tier needs a profit.
        minimums = ((0, False), *((0, True) for _ in shares[1:]))
        return Rule(
            "profitability",
            labels,
            basis="count",
            shares=shares,
            minimums=minimums,
            clamp=False,
            limits=tuple(float(b) for b in self.bands),
            texts=texts,
        )

    def _rule(self) -> Rule:
        return self._cached
