"""Health for a whole book as of one day, in one pass over the accounts.

:class:`_Assessor` is the engine behind :func:`accountcare.policies.health.assessment.assess_health`
and :func:`accountcare.policies.health.assessment.health_scores`: it works out what accounts share
once (the facts of each tier, the words and values of each component) and scores every
account in a single loop.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from typing import Any

from accountcare.domain.activity import Complaint, Interaction
from accountcare.domain.cadence import Cadence
from accountcare.domain.contacts import Contact, ContactRole
from accountcare.domain.health import (
    HealthComponents,
    HealthScore,
    HealthWeights,
    trusted_components,
    trusted_score,
)
from accountcare.domain.relationships import LayerRequirement
from accountcare.errors import ConfigurationError
from accountcare.policies.health._components import (
    _LAYER_INDEX,
    _NO_COMPLAINTS,
    _OUTCOME_WINDOW_DAYS,
    OUTCOME_VALUE,
    _complaints,
    _TierFacts,
    _weight_tuple,
)


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
                # _health_components._score, inlined: the same products, summed in the same order
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
