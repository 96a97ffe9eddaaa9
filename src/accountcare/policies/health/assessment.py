"""The relationship health score: how well an account is held, from 0 to 100.

The practice watches an account's relationships (are all three layers covered, and
touched often enough?), keeps the visit plan, handles complaints quickly and reads the
outcome of each contact. Components (each 0-1): layer **coverage** (requirements of the
tier met, or layers covered when the tier has none); **recency** of touch per layer
against the cadence (key layer: the call interval; broad: the visit interval;
organisational: the leader-visit interval, else three visit intervals), 1 while within
the interval, falling linearly to 0 at three intervals, 0 when never touched; visit-plan
**adherence** (done / planned); open **complaints** (each costs its severity weight,
doubled as it ages to 90 days); **outcomes** of the interactions in the last 90 days
(positive 1, neutral 0.6, no response 0.3, negative 0; 0.5 without any); **tier** (A 1,
B 0.8, C 0.6, else 0.5).

>>> combine("acme", HealthComponents(1, 1, 1, 1, 1, 1)).score
100.0
>>> combine("acme", HealthComponents(1, 0.5, 1, 1, 1, 1)).score
87.5
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from accountcare.domain.activity import Complaint, Interaction
from accountcare.domain.cadence import DEFAULT_CADENCE, Cadence
from accountcare.domain.contacts import Contact
from accountcare.domain.health import COMPONENTS, HealthComponents, HealthScore, HealthWeights
from accountcare.domain.relationships import LayerRequirement
from accountcare.errors import ConfigurationError
from accountcare.policies.health._assessor import Assessor
from accountcare.policies.health._components import (
    OUTCOME_VALUE,
    SEVERITY_COST,
    TIER_VALUE,
    weight_tuple,
    weighted_score,
)
from accountcare.policies.relationships.layers import DEFAULT_REQUIREMENTS, _by_account

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
"""How much each component weighs in the 0-100 health score."""


def combine(
    account_id: str,
    components: HealthComponents,
    weights: HealthWeights = DEFAULT_WEIGHTS,
    reasons: Iterable[str] = (),
) -> HealthScore:
    """The weighted mean of the components, times 100, to one decimal."""
    values = (getattr(components, name) for name in COMPONENTS)
    score = weighted_score(weight_tuple(weights), weights.total, values)
    return HealthScore(account_id, score, components, weights, tuple(reasons))


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
    people = sorted(contacts, key=lambda c: c.id)
    for contact in people:
        if contact.account_id != account_id:
            raise ConfigurationError(
                f"contact {contact.id!r} belongs to {contact.account_id!r}, not {account_id!r}"
            )
    assessor = Assessor(as_of, cadence, requirements, weights, tier_value)
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
    """[`assess_health`][accountcare.policies.health.assessment.assess_health] for every
    account in ``tiers`` (account id -> tier), keyed by account id in id order. ``visits``
    maps an account to (planned, done)."""
    people = _by_account(contacts, tiers)
    touches = _by_account(interactions, tiers)
    grievances = _by_account(complaints, tiers)
    assessor = Assessor(as_of, cadence, requirements, weights, TIER_VALUE)
    return assessor.scores(sorted(tiers), people, touches, grievances, tiers, visits or {})
