"""The parts of the health score, account by account and tier by tier.

The tables the components are read from (outcome values, complaint costs, tier values),
the complaints component, the facts of a tier (touch intervals, coverage needs, the
recency of each layer by age) and the weighted score. :mod:`accountcare.policies.health.assessment`
publishes the tables and scores with :func:`_score`; the one-pass assessor of a book
(:mod:`accountcare.policies.health._assessor`) is built on the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime

from accountcare.domain.activity import Complaint, ComplaintSeverity, Outcome
from accountcare.domain.cadence import Cadence
from accountcare.domain.health import COMPONENTS, HealthComponents, HealthWeights
from accountcare.domain.relationships import LayerRequirement
from accountcare.errors import ConfigurationError
from accountcare.policies.relationships.layers import _NO_REQUIREMENT, LAYERS, layer_needs

__all__ = ["OUTCOME_VALUE", "SEVERITY_COST", "TIER_VALUE"]

OUTCOME_VALUE = {
    Outcome.POSITIVE: 1.0,
    Outcome.NEUTRAL: 0.6,
    Outcome.NO_RESPONSE: 0.3,
    Outcome.NEGATIVE: 0.0,
}
# "Handle complaints quickly" (DOMAIN.md section 5): an open critical complaint alone
# halves the component, and costs double once it is 90 days old.
SEVERITY_COST = {
    ComplaintSeverity.LOW: 0.1,
    ComplaintSeverity.MEDIUM: 0.2,
    ComplaintSeverity.HIGH: 0.35,
    ComplaintSeverity.CRITICAL: 0.5,
}
TIER_VALUE: Mapping[str, float] = {"A": 1.0, "B": 0.8, "C": 0.6}
_UNTIERED_VALUE = 0.5
_OUTCOME_WINDOW_DAYS = 90


def _weight_tuple(weights: HealthWeights) -> tuple[float, ...]:
    return tuple(getattr(weights, n) for n in COMPONENTS)


def _score(weights: tuple[float, ...], total_weight: float, c: HealthComponents) -> float:
    w_coverage, w_recency, w_adherence, w_complaints, w_outcomes, w_tier = weights
    total = sum(
        (
            w_coverage * c.coverage,
            w_recency * c.recency,
            w_adherence * c.adherence,
            w_complaints * c.complaints,
            w_outcomes * c.outcomes,
            w_tier * c.tier,
        )
    )
    return min(100.0, max(0.0, round(100 * total / total_weight, 1)))


def _intervals(cadence: Cadence, tier: str | None) -> tuple[int, int, int]:
    """The touch interval of each layer, in :data:`LAYERS` order."""
    rhythm = cadence.for_tier(tier)
    if rhythm is None:
        return (91, 91, 182)
    return (
        rhythm.call_every_days,
        rhythm.visit_every_days,
        rhythm.leader_visit_every_days or 3 * rhythm.visit_every_days,
    )


def _complaints(
    complaints: Iterable[Complaint], as_of: date, instant: datetime
) -> tuple[float, str]:
    """The complaints component and its words; ``instant`` is the end of ``as_of`` (UTC)."""
    cost = 0.0
    count = 0
    oldest = 0
    for complaint in complaints:
        if not complaint.is_open_at(instant):
            continue
        age = max(0, (as_of - complaint.opened_at.astimezone(UTC).date()).days)
        cost += SEVERITY_COST[complaint.severity] * (1 + min(age, 90) / 90)
        count += 1
        oldest = max(oldest, age)
    if not count:
        return 1.0, "complaints: none open"
    return max(0.0, 1 - cost), f"complaints: {count} open, oldest {oldest} days"


_NO_COMPLAINTS = (1.0, "complaints: none open")
# Enum members hash through a Python-level __hash__; their values are strings with a
# cached hash, so the hot loops look layers and outcomes up by value.
_LAYER_INDEX = {layer.value: n for n, layer in enumerate(LAYERS)}


class _TierFacts:
    """What an account's health needs to know about its tier, worked out once per tier,
    and the recency of each layer by age in days (the words repeat across accounts)."""

    __slots__ = ("checks", "decision_maker", "intervals", "needs", "rank", "recency", "sponsor",
                 "words")  # fmt: skip

    def __init__(
        self,
        tier: str | None,
        cadence: Cadence,
        requirements: Mapping[str, LayerRequirement],
        tier_value: Mapping[str, float],
    ) -> None:
        rank = tier_value.get(tier, _UNTIERED_VALUE) if tier is not None else _UNTIERED_VALUE
        if not 0 <= rank <= 1:
            raise ConfigurationError(f"tier value of {tier!r} must be between 0 and 1, got {rank}")
        requirement = (
            requirements.get(tier, _NO_REQUIREMENT) if tier is not None else _NO_REQUIREMENT
        )
        self.rank = rank
        self.words = f"tier: {tier or 'untiered'} counts {rank}"
        self.checks = requirement.checks
        self.decision_maker = requirement.decision_maker
        self.sponsor = requirement.executive_sponsor
        self.needs = tuple(
            (_LAYER_INDEX[layer.value], need) for layer, need in layer_needs(requirement)
        )
        self.intervals = _intervals(cadence, tier)
        self.recency: tuple[dict[int | None, tuple[float, str]], ...] = ({}, {}, {})

    def layer_recency(self, n: int, age: int | None) -> tuple[float, str]:
        """Layer ``n``'s part of the recency component and its words."""
        known = self.recency[n].get(age)
        if known is None:
            layer, every = LAYERS[n].value, self.intervals[n]
            if age is None:
                known = (0.0, f"{layer} never touched (every {every} d)")
            else:
                part = 1.0 if age <= every else max(0.0, 1 - (age - every) / (2 * every))
                known = (part, f"{layer} {age} d ago (every {every} d)")
            self.recency[n][age] = known
        return known
