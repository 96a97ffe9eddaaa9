"""Rank bands: the top 5% of accounts are A, up to 20% B, the rest C (DOMAIN.md section 2).

Accounts are ranked by value (refunds count as zero, ties by account id). An account is
A when fewer than 5% of the accounts rank above its group, B when fewer than 20% do.
Accounts without value (zero or refunds only) are always in the last band.

>>> values = {f"acct-{n:02d}": 100 - n for n in range(20)}
>>> RankBandPolicy().assign(values).counts()
{'A': 1, 'B': 3, 'C': 16}
"""

from __future__ import annotations

from functools import cached_property

import attrs

from accountcare.policies.tiers._population import Rule, exact_limits
from accountcare.policies.tiers.tiering import PopulationPolicy, check_labels

__all__ = ["RANK_BANDS", "RANK_BAND_TIERS", "RankBandPolicy"]

# The practitioners' rank bands: top 5% of accounts are A, the next up to 20% are B.
RANK_BANDS: tuple[float, ...] = (0.05, 0.20)
RANK_BAND_TIERS: tuple[str, ...] = ("A", "B", "C")


def _as_floats(values: tuple[float, ...]) -> tuple[float, ...]:
    return tuple(values)


@attrs.frozen(slots=False)
class RankBandPolicy(PopulationPolicy):
    """Tiers by the share of accounts ranked above; ``bands`` increasing in (0, 1]."""

    bands: tuple[float, ...] = attrs.field(default=RANK_BANDS, converter=_as_floats)
    labels: tuple[str, ...] = attrs.field(default=RANK_BAND_TIERS, converter=tuple)

    def __attrs_post_init__(self) -> None:
        self._rule()

    @cached_property
    def _cached(self) -> Rule:
        shares = exact_limits("RankBandPolicy", self.bands)
        labels = check_labels("RankBandPolicy", self.labels, len(shares) + 1)
        pct = [f"{float(s) * 100:g}%" for s in shares]
        texts = (
            *(f"fewer than {p} of the accounts rank above it" for p in pct),
            f"at least {pct[-1]} of the accounts rank above it, or it has no value",
        )
        return Rule(
            "rank_bands",
            labels,
            basis="count",
            shares=shares,
            minimums=tuple((0, False) for _ in shares),
            clamp=True,
            limits=tuple(float(b) for b in self.bands),
            texts=texts,
        )

    def _rule(self) -> Rule:
        return self._cached
