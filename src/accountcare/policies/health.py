"""The relationship health score (issue 4; DOMAIN.md sections 3, 4 and 6).

Components (each 0-1): layer **coverage** (requirements of the tier met, or layers
covered when the tier has none); **recency** of touch per layer against the cadence (key
layer: the call interval; broad: the visit interval; organisational: the leader-visit
interval, else three visit intervals), 1 while within the interval, falling linearly to 0
at three intervals, 0 when never touched; visit-plan **adherence** (done / planned);
open **complaints** (each costs its severity weight, doubled as it ages to 90 days);
**outcomes** of the interactions in the last 90 days (positive 1, neutral 0.6, no
response 0.3, negative 0; 0.5 without any); **tier** (A 1, B 0.8, C 0.6, else 0.5).

>>> from datetime import date
>>> combine("acme", HealthComponents(1, 1, 1, 1, 1, 1)).score
100.0
>>> combine("acme", HealthComponents(1, 0.5, 1, 1, 1, 1)).score
87.5
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time

from accountcare.domain.activity import Complaint, ComplaintSeverity, Interaction, Outcome
from accountcare.domain.cadence import DEFAULT_CADENCE, Cadence
from accountcare.domain.contacts import Contact, RelationshipLayer
from accountcare.domain.health import COMPONENTS, HealthComponents, HealthScore, HealthWeights
from accountcare.domain.relationships import LayerRequirement, RelationshipMap
from accountcare.errors import ConfigurationError
from accountcare.policies.relationships import DEFAULT_REQUIREMENTS, relationship_map

__all__ = [
    "DEFAULT_WEIGHTS",
    "OUTCOME_VALUE",
    "SEVERITY_COST",
    "TIER_VALUE",
    "assess_health",
    "combine",
    "health_scores",
]

DEFAULT_WEIGHTS = HealthWeights()
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


def combine(
    account_id: str,
    components: HealthComponents,
    weights: HealthWeights = DEFAULT_WEIGHTS,
    reasons: Iterable[str] = (),
) -> HealthScore:
    """The weighted mean of the components, times 100, to one decimal."""
    total = sum(getattr(weights, n) * getattr(components, n) for n in COMPONENTS)
    score = min(100.0, max(0.0, round(100 * total / weights.total, 1)))
    return HealthScore(account_id, score, components, weights, tuple(reasons))


def _intervals(cadence: Cadence, tier: str | None) -> dict[RelationshipLayer, int]:
    rhythm = cadence.for_tier(tier)
    if rhythm is None:
        return {
            RelationshipLayer.KEY: 91,
            RelationshipLayer.BROAD: 91,
            RelationshipLayer.ORGANISATIONAL: 182,
        }
    return {
        RelationshipLayer.KEY: rhythm.call_every_days,
        RelationshipLayer.BROAD: rhythm.visit_every_days,
        RelationshipLayer.ORGANISATIONAL: rhythm.leader_visit_every_days
        or 3 * rhythm.visit_every_days,
    }


def _recency(rmap: RelationshipMap, cadence: Cadence, as_of: date) -> tuple[float, str]:
    intervals = _intervals(cadence, rmap.tier)
    parts = []
    words = []
    for covered in rmap.coverage:
        every = intervals[covered.layer]
        if covered.last_touched is None:
            parts.append(0.0)
            words.append(f"{covered.layer.value} never touched (every {every} d)")
            continue
        age = (as_of - covered.last_touched).days
        parts.append(1.0 if age <= every else max(0.0, 1 - (age - every) / (2 * every)))
        words.append(f"{covered.layer.value} {age} d ago (every {every} d)")
    return sum(parts) / len(parts), "recency: " + ", ".join(words)


def _complaints(complaints: Iterable[Complaint], as_of: date) -> tuple[float, str]:
    instant = datetime.combine(as_of, time.max, tzinfo=UTC)
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


def _outcomes(interactions: Iterable[Interaction], as_of: date) -> tuple[float, str]:
    values = []
    for touch in interactions:
        age = (as_of - touch.occurred_at.astimezone(UTC).date()).days
        if 0 <= age < _OUTCOME_WINDOW_DAYS:
            values.append(OUTCOME_VALUE[touch.outcome])
    if not values:
        return 0.5, f"outcomes: no interactions in {_OUTCOME_WINDOW_DAYS} days"
    mean = sum(values) / len(values)
    return mean, f"outcomes: mean {mean:.2f} over {len(values)} interactions"


def assess_health(
    account_id: str,
    contacts: Iterable[Contact],
    interactions: Iterable[Interaction],
    complaints: Iterable[Complaint] = (),
    *,
    as_of: date,
    tier: str | None = None,
    visits_planned: int = 0,
    visits_done: int = 0,
    cadence: Cadence = DEFAULT_CADENCE,
    requirements: Mapping[str, LayerRequirement] = DEFAULT_REQUIREMENTS,
    weights: HealthWeights = DEFAULT_WEIGHTS,
    tier_value: Mapping[str, float] = TIER_VALUE,
) -> HealthScore:
    """One account's health as of ``as_of``, explained component by component.

    ``visits_planned`` and ``visits_done`` come from the visit plan of the review window.
    """
    if visits_planned < 0 or visits_done < 0:
        raise ConfigurationError("visits planned and done must not be negative")
    touches = [i for i in interactions if i.account_id == account_id]
    rmap = relationship_map(
        account_id, contacts, touches, as_of=as_of, tier=tier, requirements=requirements
    )
    if rmap.requirements_total:
        coverage = rmap.requirements_met / rmap.requirements_total
        coverage_words = f"coverage: {rmap.requirements_met} of {rmap.requirements_total} met"
    else:
        covered = sum(1 for c in rmap.coverage if c.count)
        coverage = covered / 3
        coverage_words = f"coverage: {covered} of 3 layers have contacts"
    recency, recency_words = _recency(rmap, cadence, as_of)
    adherence = 1.0 if not visits_planned else min(1.0, visits_done / visits_planned)
    grievance, complaint_words = _complaints(
        (c for c in complaints if c.account_id == account_id), as_of
    )
    outcome, outcome_words = _outcomes(touches, as_of)
    rank = tier_value.get(tier, _UNTIERED_VALUE) if tier is not None else _UNTIERED_VALUE
    if not 0 <= rank <= 1:
        raise ConfigurationError(f"tier value of {tier!r} must be between 0 and 1, got {rank}")
    reasons = (
        coverage_words,
        recency_words,
        f"adherence: {visits_done} of {visits_planned} planned visits done",
        complaint_words,
        outcome_words,
        f"tier: {tier or 'untiered'} counts {rank}",
    )
    components = HealthComponents(coverage, recency, adherence, grievance, outcome, rank)
    return combine(account_id, components, weights, reasons)


def health_scores(
    contacts: Iterable[Contact],
    interactions: Iterable[Interaction],
    complaints: Iterable[Complaint] = (),
    *,
    as_of: date,
    tiers: Mapping[str, str | None],
    visits: Mapping[str, tuple[int, int]] | None = None,
    cadence: Cadence = DEFAULT_CADENCE,
    requirements: Mapping[str, LayerRequirement] = DEFAULT_REQUIREMENTS,
    weights: HealthWeights = DEFAULT_WEIGHTS,
) -> Mapping[str, HealthScore]:
    """:func:`assess_health` for every account in ``tiers`` (account id -> tier), keyed
    by account id in id order. ``visits`` maps an account to (planned, done)."""
    people: dict[str, list[Contact]] = {a: [] for a in tiers}
    touches: dict[str, list[Interaction]] = {a: [] for a in tiers}
    grievances: dict[str, list[Complaint]] = {a: [] for a in tiers}
    for contact in contacts:
        if contact.account_id in people:
            people[contact.account_id].append(contact)
    for touch in interactions:
        if touch.account_id in touches:
            touches[touch.account_id].append(touch)
    for complaint in complaints:
        if complaint.account_id in grievances:
            grievances[complaint.account_id].append(complaint)
    plan = visits or {}
    result = {}
    for account_id in sorted(tiers):
        planned, done = plan.get(account_id, (0, 0))
        result[account_id] = assess_health(
            account_id,
            people[account_id],
            touches[account_id],
            grievances[account_id],
            as_of=as_of,
            tier=tiers[account_id],
            visits_planned=planned,
            visits_done=done,
            cadence=cadence,
            requirements=requirements,
            weights=weights,
        )
    return result
