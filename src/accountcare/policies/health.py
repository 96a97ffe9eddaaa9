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
from typing import Any, Protocol, TypeVar

from accountcare._gc import gc_paused
from accountcare.domain.activity import Complaint, ComplaintSeverity, Interaction, Outcome
from accountcare.domain.cadence import DEFAULT_CADENCE, Cadence
from accountcare.domain.contacts import Contact, ContactRole
from accountcare.domain.health import (
    COMPONENTS,
    HealthComponents,
    HealthScore,
    HealthWeights,
    trusted_components,
    trusted_score,
)
from accountcare.domain.relationships import LayerRequirement
from accountcare.errors import ConfigurationError
from accountcare.policies.relationships import (
    _NO_REQUIREMENT,
    DEFAULT_REQUIREMENTS,
    LAYERS,
    layer_needs,
)

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
    score = _score(_weight_tuple(weights), weights.total, components)
    return HealthScore(account_id, score, components, weights, tuple(reasons))


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


class _Assessor:
    """Health for many accounts as of one day, with what accounts share computed once:
    the facts of each tier, and the words and values of recency, coverage, adherence and
    outcomes, which repeat across accounts. Scores are built without re-validating
    (every component is in [0, 1] by construction; ids come from the caller's mapping
    and are checked here)."""

    def __init__(
        self,
        as_of: date,
        cadence: Cadence,
        requirements: Mapping[str, LayerRequirement],
        weights: HealthWeights,
        tier_value: Mapping[str, float],
    ) -> None:
        self.as_of = as_of
        self.cadence, self.requirements, self.tier_value = cadence, requirements, tier_value
        self.weights = weights
        self.weight_tuple = _weight_tuple(weights)
        self.total_weight = weights.total
        self.outcome_value = {outcome.value: v for outcome, v in OUTCOME_VALUE.items()}
        self.tiers: dict[str | None, _TierFacts] = {}
        self.coverage: dict[tuple[int, int], tuple[float, str]] = {}
        self.adherence: dict[tuple[int, int], tuple[float, str]] = {}
        self.outcomes: dict[tuple[float, ...], tuple[float, str]] = {}

    def scores(
        self,
        account_ids: list[str],
        people: Mapping[str, list[Contact]],
        touches: Mapping[str, list[Interaction]],
        grievances: Mapping[str, list[Complaint]],
        tiers: Mapping[str, str | None],
        visits: Mapping[str, tuple[int, int]],
    ) -> dict[str, HealthScore]:
        """The health of each account in ``account_ids``, in that order (one loop, every
        shared value held in a local: this is the hot path of :func:`health_scores`)."""
        as_of, today = self.as_of, self.as_of.toordinal()
        end_of_day = datetime.combine(as_of, time.max, tzinfo=UTC)
        weights, weight_tuple, total_weight = self.weights, self.weight_tuple, self.total_weight
        outcome_value, tier_facts = self.outcome_value, self.tiers
        coverage_of, adherence_of, outcomes_of = self.coverage, self.adherence, self.outcomes
        layer_index, decision_maker, utc = _LAYER_INDEX, _DECISION_MAKER, UTC
        window = _OUTCOME_WINDOW_DAYS
        no_complaints: list[Complaint] = []
        nobody: list[Any] = []
        no_visits = (0, 0)
        w_coverage, w_recency, w_adherence, w_complaints, w_outcomes, w_tier = weight_tuple
        scored: dict[tuple[object, ...], tuple[HealthComponents, float]] = {}
        result: dict[str, HealthScore] = {}
        for account_id in account_ids:
            planned, done = visits.get(account_id, no_visits) if visits else no_visits
            if planned < 0 or done < 0:
                raise ConfigurationError("visits planned and done must not be negative")
            tier = tiers[account_id]
            facts = tier_facts.get(tier)
            if facts is None:
                facts = tier_facts[tier] = _TierFacts(
                    tier, self.cadence, self.requirements, self.tier_value
                )
            # Contacts per layer, and the newest touch of each (as an age in days).
            mine = people.get(account_id, nobody)
            counts = [0, 0, 0]
            layer_of: dict[str, int] = {}
            decider = False
            for contact in mine:
                n = layer_index[contact.layer._value_]
                counts[n] += 1
                layer_of[contact.id] = n
                if contact.role is decision_maker:
                    decider = True
            youngest: dict[str | None, int] = {}
            values: list[float] = []
            for touch in touches.get(account_id, nobody):
                age = today - touch.occurred_at.astimezone(utc).toordinal()
                if age < 0:
                    continue
                contact_id = touch.contact_id
                if contact_id in layer_of:
                    seen = youngest.get(contact_id)
                    if seen is None or age < seen:
                        youngest[contact_id] = age
                if age < window:
                    values.append(outcome_value[touch.outcome._value_])
            ages: list[int | None] = [None, None, None]
            if youngest:
                for contact in mine:
                    age_of = youngest.get(contact.id)
                    if age_of is not None:
                        n = layer_index[contact.layer._value_]
                        known_age = ages[n]
                        if known_age is None or age_of < known_age:
                            ages[n] = age_of
            # Each component with its words; the words repeat, so they are looked up.
            recency_of = facts.recency
            key_part = recency_of[0].get(ages[0]) or facts.layer_recency(0, ages[0])
            broad_part = recency_of[1].get(ages[1]) or facts.layer_recency(1, ages[1])
            org_part = recency_of[2].get(ages[2]) or facts.layer_recency(2, ages[2])
            recency = sum([key_part[0], broad_part[0], org_part[0]]) / 3
            if facts.checks:
                met = int(facts.decision_maker and decider)
                for n, need in facts.needs:
                    met += counts[n] >= need
                covered = (met + (facts.sponsor and counts[2] > 0), facts.checks)
            else:  # without requirements: (layers with contacts, 0)
                covered = (sum(1 for count in counts if count), 0)
            coverage = coverage_of.get(covered) or self._coverage(covered)
            adherence = adherence_of.get((planned, done)) or self._adherence(planned, done)
            grievance = (
                _complaints(grievance_list, as_of, end_of_day)
                if (grievance_list := grievances.get(account_id, no_complaints))
                else _NO_COMPLAINTS
            )
            outcome = outcomes_of.get(key := tuple(values)) or self._outcomes(key)
            # Accounts share components (a few thousand distinct in 100,000 accounts):
            # each distinct set is built and scored once, and the value object shared.
            shared = (facts, coverage[0], recency, adherence[0], grievance[0], outcome[0])
            known = scored.get(shared)
            if known is None:
                components = trusted_components(
                    coverage[0], recency, adherence[0], grievance[0], outcome[0], facts.rank
                )
                # _score, inlined: the same products, summed in the same order
                total = sum(
                    (
                        w_coverage * coverage[0],
                        w_recency * recency,
                        w_adherence * adherence[0],
                        w_complaints * grievance[0],
                        w_outcomes * outcome[0],
                        w_tier * facts.rank,
                    )
                )
                score = min(100.0, max(0.0, round(100 * total / total_weight, 1)))
                known = scored[shared] = (components, score)
            components, score = known
            reasons = (
                coverage[1],
                f"recency: {key_part[1]}, {broad_part[1]}, {org_part[1]}",
                adherence[1],
                grievance[1],
                outcome[1],
                facts.words,
            )
            if type(account_id) is str and account_id.strip() and 0 <= score <= 100:
                result[account_id] = trusted_score(account_id, score, components, weights, reasons)
            else:  # let the validators name the problem
                result[account_id] = HealthScore(account_id, score, components, weights, reasons)
        return result

    def _coverage(self, key: tuple[int, int]) -> tuple[float, str]:
        share, total = key
        if total:
            known = (share / total, f"coverage: {share} of {total} met")
        else:
            known = (share / 3, f"coverage: {share} of 3 layers have contacts")
        self.coverage[key] = known
        return known

    def _adherence(self, planned: int, done: int) -> tuple[float, str]:
        known = self.adherence[(planned, done)] = (
            1.0 if not planned else min(1.0, done / planned),
            f"adherence: {done} of {planned} planned visits done",
        )
        return known

    def _outcomes(self, values: tuple[float, ...]) -> tuple[float, str]:
        if not values:
            known = (0.5, f"outcomes: no interactions in {_OUTCOME_WINDOW_DAYS} days")
        else:
            mean = sum(values) / len(values)
            known = (mean, f"outcomes: mean {mean:.2f} over {len(values)} interactions")
        self.outcomes[values] = known
        return known


_DECISION_MAKER = ContactRole.DECISION_MAKER


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
    Contacts of another account are an error; interactions and complaints of other
    accounts are ignored.
    """
    if visits_planned < 0 or visits_done < 0:
        raise ConfigurationError("visits planned and done must not be negative")
    people = sorted(contacts, key=lambda c: c.id)
    for contact in people:
        if contact.account_id != account_id:
            raise ConfigurationError(
                f"contact {contact.id!r} belongs to {contact.account_id!r}, not {account_id!r}"
            )
    assessor = _Assessor(as_of, cadence, requirements, weights, tier_value)
    return assessor.scores(
        [account_id],
        {account_id: people},
        {account_id: [i for i in interactions if i.account_id == account_id]},
        {account_id: [c for c in complaints if c.account_id == account_id]},
        {account_id: tier},
        {account_id: (visits_planned, visits_done)},
    )[account_id]


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
    assessor = _Assessor(as_of, cadence, requirements, weights, TIER_VALUE)
    with gc_paused():  # the groups die inside _book, before the collector is back
        return _book(assessor, contacts, interactions, complaints, tiers, visits or {})


def _book(
    assessor: _Assessor,
    contacts: Iterable[Contact],
    interactions: Iterable[Interaction],
    complaints: Iterable[Complaint],
    tiers: Mapping[str, str | None],
    visits: Mapping[str, tuple[int, int]],
) -> dict[str, HealthScore]:
    """Every account's contacts, touches and complaints grouped, then scored."""
    people = _by_account(contacts, tiers)
    touches = _by_account(interactions, tiers)
    grievances = _by_account(complaints, tiers)
    return assessor.scores(sorted(tiers), people, touches, grievances, tiers, visits)


class _OfAccount(Protocol):
    @property
    def account_id(self) -> str: ...


_Record = TypeVar("_Record", bound=_OfAccount)


def _by_account(
    records: Iterable[_Record], tiers: Mapping[str, object]
) -> dict[str, list[_Record]]:
    """The records of the accounts in ``tiers``, by account (others are ignored)."""
    groups: dict[str, list[_Record]] = {}
    get = groups.get
    for record in records:
        account_id = record.account_id
        bucket = get(account_id)
        if bucket is not None:
            bucket.append(record)
        elif account_id in tiers:
            groups[account_id] = [record]
    return groups
