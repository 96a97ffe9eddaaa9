"""The parts of the health score: the tables they are read from, and how each is worked out.

Everything here is a small pure function of one account's facts (or of one tier's), so
the engine over a book (`accountcare.policies.health._assessor`) and the public
functions (`accountcare.policies.health.assessment`) build on it and nothing here
imports them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from operator import mul
from types import MappingProxyType

from accountcare.domain.activity import Complaint, ComplaintSeverity, Outcome
from accountcare.domain.cadence import Cadence
from accountcare.domain.health import COMPONENTS, HealthWeights
from accountcare.domain.relationships import LayerRequirement
from accountcare.errors import ConfigurationError
from accountcare.policies.relationships.layers import _NO_REQUIREMENT, LAYERS, requirements_met

__all__ = ["OUTCOME_VALUE", "SEVERITY_COST", "TIER_VALUE"]

OUTCOME_VALUE: Mapping[Outcome, float] = MappingProxyType(
    {Outcome.POSITIVE: 1.0, Outcome.NEUTRAL: 0.6, Outcome.NO_RESPONSE: 0.3, Outcome.NEGATIVE: 0.0}
)
# Complaints are handled quickly: an open critical complaint alone halves the component,
# and costs double once it is 90 days old.
SEVERITY_COST: Mapping[ComplaintSeverity, float] = MappingProxyType(
    {
        ComplaintSeverity.LOW: 0.1,
        ComplaintSeverity.MEDIUM: 0.2,
        ComplaintSeverity.HIGH: 0.35,
        ComplaintSeverity.CRITICAL: 0.5,
    }
)
TIER_VALUE: Mapping[str, float] = MappingProxyType({"A": 1.0, "B": 0.8, "C": 0.6})
_UNTIERED_VALUE = 0.5
OUTCOME_WINDOW_DAYS = 90
NO_COMPLAINTS = (1.0, "complaints: none open")
# Enum members hash through a Python-level __hash__; their values are strings with a
# cached hash, so the hot loops look layers and outcomes up by value.
_LAYER_INDEX = {layer.value: n for n, layer in enumerate(LAYERS)}
_OUTCOME_BY_VALUE = {outcome.value: value for outcome, value in OUTCOME_VALUE.items()}

Part = tuple[float, str]  # a component's value and its words
# Contacts in the key, broad and organisational layers, and whether one decides.
Layers = tuple[int, int, int, bool]


def weight_tuple(weights: HealthWeights) -> tuple[float, ...]:
    """The weights in `accountcare.domain.health.COMPONENTS` order."""
    return tuple(getattr(weights, n) for n in COMPONENTS)


def weighted_score(
    weights: tuple[float, ...], total_weight: float, values: Iterable[float]
) -> float:
    """The weighted mean of the component values, times 100, to one decimal, in [0, 100]."""
    total: float = sum(map(mul, weights, values))
    return min(100.0, max(0.0, round(100 * total / total_weight, 1)))


def complaints_part(complaints: Iterable[Complaint], as_of: date, instant: datetime) -> Part:
    """The complaints component; ``instant`` is the end of ``as_of`` (UTC)."""
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
        return NO_COMPLAINTS
    return max(0.0, 1 - cost), f"complaints: {count} open, oldest {oldest} days"


def coverage_part(covered: tuple[int, int]) -> Part:
    """Coverage from (requirements met, requirements), or without requirements from
    (layers with contacts, 0)."""
    share, total = covered
    if total:
        return share / total, f"coverage: {share} of {total} met"
    return share / 3, f"coverage: {share} of 3 layers have contacts"


def adherence_part(planned: int, done: int) -> Part:
    """Visit-plan adherence: done over planned, 1 when nothing was planned."""
    value = 1.0 if not planned else min(1.0, done / planned)
    return value, f"adherence: {done} of {planned} planned visits done"


def outcomes_part(values: tuple[float, ...]) -> Part:
    """The mean outcome of the interactions in the window, 0.5 without any."""
    if not values:
        return 0.5, f"outcomes: no interactions in {OUTCOME_WINDOW_DAYS} days"
    mean = sum(values) / len(values)
    return mean, f"outcomes: mean {mean:.2f} over {len(values)} interactions"


def _intervals(cadence: Cadence, tier: str | None) -> tuple[int, int, int]:
    """The touch interval of each layer, in `LAYERS` order."""
    rhythm = cadence.for_tier(tier)
    if rhythm is None:
        return (91, 91, 182)
    return (
        rhythm.call_every_days,
        rhythm.visit_every_days,
        rhythm.leader_visit_every_days or 3 * rhythm.visit_every_days,
    )


class TierFacts:
    """What an account's health needs to know about its tier, worked out once per tier,
    and its coverage and recency parts by the facts they depend on (the words repeat
    across accounts)."""

    __slots__ = ("coverage", "intervals", "rank", "recency", "requirement", "words")

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
        self.rank = rank
        self.words = f"tier: {tier or 'untiered'} counts {rank}"
        self.requirement = (
            requirements.get(tier, _NO_REQUIREMENT) if tier is not None else _NO_REQUIREMENT
        )
        self.intervals = _intervals(cadence, tier)
        self.coverage: dict[Layers, Part] = {}
        self.recency: tuple[dict[int | None, Part], ...] = ({}, {}, {})

    def coverage_of(self, layers: Layers) -> Part:
        """Coverage from the contacts per layer and whether one is a decision maker: the
        tier's requirements met, or without requirements the layers with contacts."""
        known = self.coverage.get(layers)
        if known is None:
            *counts, decider = layers
            requirement = self.requirement
            if requirement.checks:
                by_layer = dict(zip(LAYERS, counts, strict=True))
                met = requirements_met(requirement, by_layer, decider, counts[2] > 0)
                known = coverage_part((met, requirement.checks))
            else:
                known = coverage_part((sum(1 for count in counts if count), 0))
            self.coverage[layers] = known
        return known

    def recency_of(self, ages: list[int | None]) -> Part:
        """Recency: the mean over the layers of 1 while the newest touch is within the
        layer's interval, falling linearly to 0 at three intervals, 0 when never touched."""
        known = self.recency
        key = known[0].get(ages[0]) or self._layer(0, ages[0])
        broad = known[1].get(ages[1]) or self._layer(1, ages[1])
        org = known[2].get(ages[2]) or self._layer(2, ages[2])
        return sum([key[0], broad[0], org[0]]) / 3, f"recency: {key[1]}, {broad[1]}, {org[1]}"

    def _layer(self, n: int, age: int | None) -> Part:
        """One layer's part of recency, and its words (worked out once per age)."""
        layer, every = LAYERS[n].value, self.intervals[n]
        if age is None:
            part = 0.0, f"{layer} never touched (every {every} d)"
        else:
            value = 1.0 if age <= every else max(0.0, 1 - (age - every) / (2 * every))
            part = value, f"{layer} {age} d ago (every {every} d)"
        self.recency[n][age] = part
        return part
