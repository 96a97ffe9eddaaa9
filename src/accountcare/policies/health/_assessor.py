"""Health for a whole book as of one day, in one pass over the accounts.

`Assessor` is the engine behind
[`assess_health`][accountcare.policies.health.assessment.assess_health] and
[`health_scores`][accountcare.policies.health.assessment.health_scores]. Accounts share most of
what their health is made of (the facts of their tier, the words of a component, whole
sets of components: a few thousand distinct ones in 100,000 accounts), so each is worked
out once, on first use, and the values are shared.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time

from accountcare.domain._trusted import trusted
from accountcare.domain.activity import Complaint, Interaction
from accountcare.domain.cadence import Cadence
from accountcare.domain.contacts import Contact, ContactRole
from accountcare.domain.health import HealthComponents, HealthScore, HealthWeights
from accountcare.domain.relationships import LayerRequirement
from accountcare.errors import ConfigurationError
from accountcare.policies.health._components import (
    _LAYER_INDEX,
    _OUTCOME_BY_VALUE,
    NO_COMPLAINTS,
    OUTCOME_WINDOW_DAYS,
    Layers,
    Part,
    TierFacts,
    adherence_part,
    complaints_part,
    outcomes_part,
    weight_tuple,
    weighted_score,
)

_NO_VISITS = (0, 0)
_DECISION_MAKER = ContactRole.DECISION_MAKER
# Built from parts the assessor computed (each component in [0, 1], the score clamped to
# [0, 100]) and ids checked below; a test pins them equal to the validated values.
_components = trusted(HealthComponents)
_score = trusted(HealthScore)


class Assessor:
    """Health for many accounts as of one day, with what accounts share worked out once."""

    def __init__(
        self,
        as_of: date,
        cadence: Cadence,
        requirements: Mapping[str, LayerRequirement],
        weights: HealthWeights,
        tier_value: Mapping[str, float],
    ) -> None:
        self.as_of, self.today = as_of, as_of.toordinal()
        self.end_of_day = datetime.combine(as_of, time.max, tzinfo=UTC)
        self.cadence, self.requirements, self.tier_value = cadence, requirements, tier_value
        self.weights, self.total_weight = weights, weights.total
        self.weight_tuple = weight_tuple(weights)
        self.tiers: dict[str | None, TierFacts] = {}
        self.adherence: dict[tuple[int, int], Part] = {}
        self.outcomes: dict[tuple[float, ...], Part] = {}
        self.scored: dict[tuple[float, ...], tuple[HealthComponents, float]] = {}

    def scores(
        self,
        account_ids: list[str],
        people: Mapping[str, list[Contact]],
        touches: Mapping[str, list[Interaction]],
        grievances: Mapping[str, list[Complaint]],
        tiers: Mapping[str, str | None],
        visits: Mapping[str, tuple[int, int]],
    ) -> dict[str, HealthScore]:
        """The health of each account in ``account_ids``, in that order (the hot path of
        a book: shared parts are looked up before any call is made)."""
        tier_facts, adherence, outcomes = self.tiers, self.adherence, self.outcomes
        result: dict[str, HealthScore] = {}
        for account_id in account_ids:
            planned, done = visits.get(account_id, _NO_VISITS)
            if planned < 0 or done < 0:
                raise ConfigurationError("visits planned and done must not be negative")
            tier = tiers[account_id]
            facts = tier_facts.get(tier) or tier_facts.setdefault(
                tier, TierFacts(tier, self.cadence, self.requirements, self.tier_value)
            )
            contacts = people.get(account_id, ())
            layers, ages, values = self._people(contacts, touches.get(account_id, ()))
            grievance = grievances.get(account_id)
            result[account_id] = self._health(
                account_id,
                facts,
                facts.coverage_of(layers),
                facts.recency_of(ages),
                adherence.get(visited := (planned, done))
                or adherence.setdefault(visited, adherence_part(planned, done)),
                complaints_part(grievance, self.as_of, self.end_of_day)
                if grievance
                else NO_COMPLAINTS,
                outcomes.get(values) or outcomes.setdefault(values, outcomes_part(values)),
            )
        return result

    def _people(
        self, contacts: Sequence[Contact], touches: Sequence[Interaction]
    ) -> tuple[Layers, list[int | None], tuple[float, ...]]:
        """The contacts in each layer and whether one decides; the age in days of each
        layer's newest touch (None: never), and the outcome values of the touches in the
        outcome window. Touches after ``as_of`` are ignored."""
        counts = [0, 0, 0]
        decider = False
        for contact in contacts:
            counts[_LAYER_INDEX[contact.layer._value_]] += 1
            decider = decider or contact.role is _DECISION_MAKER
        youngest: dict[str | None, int] = {}
        values: list[float] = []
        for touch in touches:
            age = self.today - touch.occurred_at.astimezone(UTC).toordinal()
            if age < 0:
                continue
            seen = youngest.get(touch.contact_id)
            if seen is None or age < seen:
                youngest[touch.contact_id] = age
            if age < OUTCOME_WINDOW_DAYS:
                values.append(_OUTCOME_BY_VALUE[touch.outcome._value_])
        ages: list[int | None] = [None, None, None]
        for contact in contacts if youngest else ():
            age_of = youngest.get(contact.id)
            if age_of is not None:
                n = _LAYER_INDEX[contact.layer._value_]
                newest = ages[n]
                if newest is None or age_of < newest:
                    ages[n] = age_of
        return (counts[0], counts[1], counts[2], decider), ages, tuple(values)

    def _health(
        self,
        account_id: str,
        facts: TierFacts,
        coverage: Part,
        recency: Part,
        adherence: Part,
        complaints: Part,
        outcomes: Part,
    ) -> HealthScore:
        """The score of the components, built once per distinct set of them."""
        values = (coverage[0], recency[0], adherence[0], complaints[0], outcomes[0], facts.rank)
        known = self.scored.get(values)
        if known is None:
            score = weighted_score(self.weight_tuple, self.total_weight, values)
            known = self.scored[values] = (_components(*values), score)
        reasons = (coverage[1], recency[1], adherence[1], complaints[1], outcomes[1], facts.words)
        if type(account_id) is str and account_id.strip():
            return _score(account_id, known[1], known[0], self.weights, reasons)
        # let the validators name the problem
        return HealthScore(account_id, known[1], known[0], self.weights, reasons)
