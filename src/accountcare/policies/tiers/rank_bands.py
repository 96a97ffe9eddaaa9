"""Rank bands, the practitioners' rule of thumb: the top 5% of accounts are A, the next
up to 20% are B, the rest C.

Accounts are ranked by value (refunds count as zero, ties by account id). An account is
A when fewer than 5% of the accounts rank above its group, B when fewer than 20% do.
Accounts without value (zero or refunds only) are always in the last band.

>>> values = {f"acct-{n:02d}": 100 - n for n in range(20)}
>>> RankBandPolicy().assign(values).counts()
{'A': 1, 'B': 3, 'C': 16}
"""

from __future__ import annotations

import attrs

from accountcare.policies.tiers._population import Rule, share_rule
from accountcare.policies.tiers.tiering import PopulationPolicy

__all__ = ["RANK_BANDS", "RANK_BAND_TIERS", "RankBandPolicy"]

# The practitioners' rank bands: top 5% of accounts are A, the next up to 20% are B.
RANK_BANDS: tuple[float, ...] = (0.05, 0.20)
"""Rank bands: the top 5% of accounts are A, up to the top 20% B, the rest C."""
RANK_BAND_TIERS: tuple[str, ...] = ("A", "B", "C")


@attrs.frozen(slots=False)
class RankBandPolicy(PopulationPolicy):
    """Tiers by the share of accounts ranked above: ``bands`` are those shares, increasing,
    each in (0, 1], and ``labels`` has one label more."""

    bands: tuple[float, ...] = attrs.field(default=RANK_BANDS, converter=tuple)
    labels: tuple[str, ...] = attrs.field(default=RANK_BAND_TIERS, converter=tuple)

    def _define(self) -> Rule:
        """An account meets a band when fewer than that share of the accounts rank above
        it; accounts without value are always in the last band."""
        met = "fewer than {} of the accounts rank above it"
        missed = "at least {} of the accounts rank above it, or it has no value"
        return share_rule(self, "rank_bands", self.bands, self.labels, "count", (met,), missed)
