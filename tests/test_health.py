"""The relationship health score: bounded, monotone, explained, deterministic."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from accountcare.domain import (
    Complaint,
    ComplaintSeverity,
    Contact,
    ContactRole,
    Interaction,
    InteractionKind,
    Outcome,
)
from accountcare.domain.health import COMPONENTS, HealthComponents, HealthWeights
from accountcare.errors import ConfigurationError, InvalidRecord
from accountcare.policies.health.assessment import assess_health, combine, health_scores
from accountcare.testing.relationships import contacts_of, interactions_with

AS_OF = date(2026, 6, 1)


@given(components=st.from_type(HealthComponents), weights=st.from_type(HealthWeights))
def test_health_is_always_within_0_and_100(
    components: HealthComponents, weights: HealthWeights
) -> None:
    assert 0 <= combine("a", components, weights).score <= 100


@given(
    components=st.from_type(HealthComponents),
    weights=st.from_type(HealthWeights),
    name=st.sampled_from(COMPONENTS),
    raise_to=st.floats(0, 1),
)
def test_health_is_monotone_in_each_component(
    components: HealthComponents, weights: HealthWeights, name: str, raise_to: float
) -> None:
    higher = attrs.evolve(components, **{name: max(raise_to, getattr(components, name))})
    assert combine("a", higher, weights).score >= combine("a", components, weights).score


@given(data=st.data(), contacts=contacts_of("acme", max_size=6))
def test_more_contacts_never_lower_health(data: st.DataObject, contacts: list[Contact]) -> None:
    touches = data.draw(interactions_with(contacts, AS_OF))
    extra = Contact(
        id="zz", account_id="acme", name="new", role=data.draw(st.sampled_from(ContactRole))
    )
    tier = data.draw(st.sampled_from(["A", "B", "C", None]))
    before = assess_health("acme", contacts, touches, as_of=AS_OF, tier=tier)
    after = assess_health("acme", [*contacts, extra], touches, as_of=AS_OF, tier=tier)
    assert after.components.coverage >= before.components.coverage
    assert after.score >= before.score


def _people() -> list[Contact]:
    return [
        Contact(id="c1", account_id="acme", name="Wang", role=ContactRole.DECISION_MAKER),
        Contact(id="c2", account_id="acme", name="Zhao", role=ContactRole.EXECUTIVE),
        *[
            Contact(id=f"u{n}", account_id="acme", name="U", role=ContactRole.USER)
            for n in range(3)
        ],
    ]


def _touch(n: int, contact: str, days_ago: int, outcome: Outcome = Outcome.POSITIVE) -> Interaction:
    when = datetime.combine(AS_OF - timedelta(days=days_ago), datetime.min.time(), tzinfo=UTC)
    return Interaction(
        id=f"i{n}",
        account_id="acme",
        occurred_at=when,
        kind=InteractionKind.VISIT,
        by="li",
        contact_id=contact,
        outcome=outcome,
    )


def test_a_healthy_a_account_scores_100_and_says_why() -> None:
    touches = [_touch(1, "c1", 3), _touch(2, "u0", 5), _touch(3, "c2", 30)]
    health = assess_health(
        "acme", _people(), touches, as_of=AS_OF, tier="A", visits_planned=4, visits_done=4
    )
    assert health.score == 100.0
    assert health.reasons[0] == "coverage: 4 of 4 met"
    assert "key 3 d ago (every 7 d)" in health.reasons[1]


def test_open_old_complaints_and_neglect_lower_the_score() -> None:
    touches = [_touch(1, "c1", 40, Outcome.NEGATIVE)]
    complaint = Complaint(
        id="k",
        account_id="acme",
        severity=ComplaintSeverity.CRITICAL,
        opened_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    health = assess_health(
        "acme",
        _people(),
        touches,
        [complaint],
        as_of=AS_OF,
        tier="A",
        visits_planned=4,
        visits_done=1,
    )
    c = health.components
    assert c.complaints == 0.0  # critical (0.5) doubled at 90+ days
    assert c.adherence == 0.25
    assert c.outcomes == 0.0
    assert c.recency < 0.5
    assert health.score < 50
    assert "complaints: 1 open, oldest 151 days" in health.reasons


def test_health_scores_are_deterministic_and_keyed_by_account() -> None:
    touches = [_touch(1, "c1", 3)]
    first = health_scores(_people(), touches, as_of=AS_OF, tiers={"zeta": "C", "acme": "A"})
    again = health_scores(
        list(reversed(_people())),
        list(reversed(touches)),
        as_of=AS_OF,
        tiers={"acme": "A", "zeta": "C"},
    )
    assert list(first) == ["acme", "zeta"]
    assert first == again


def test_bad_weights_and_components_are_rejected() -> None:
    with pytest.raises(ConfigurationError, match="must be finite and not negative"):
        HealthWeights(coverage=-1)
    with pytest.raises(ConfigurationError, match="all be zero"):
        HealthWeights(0, 0, 0, 0, 0, 0)
    with pytest.raises(InvalidRecord, match="between 0 and 1"):
        HealthComponents(1.5, 1, 1, 1, 1, 1)
    with pytest.raises(ConfigurationError, match="negative"):
        assess_health("acme", [], [], as_of=AS_OF, visits_planned=-1)
