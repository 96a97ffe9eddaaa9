"""Relationship layers: coverage, gaps and requirements per tier."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accountcare.domain import Contact, ContactRole, Interaction, InteractionKind
from accountcare.domain.contacts import RelationshipLayer
from accountcare.domain.relationships import GapKind, LayerRequirement, layer_named
from accountcare.errors import ConfigurationError, InvalidRecord
from accountcare.policies.relationships.layers import relationship_map, relationship_maps
from accountcare.testing.relationships import contacts_of, interactions_with

AS_OF = date(2026, 6, 1)


def touch(n: int, contact: str, day: date, by: str = "li") -> Interaction:
    return Interaction(
        id=f"i{n}",
        account_id="acme",
        kind=InteractionKind.VISIT,
        by=by,
        contact_id=contact,
        occurred_at=datetime(day.year, day.month, day.day, tzinfo=UTC),
    )


@given(data=st.data(), contacts=contacts_of("acme"))
def test_coverage_counts_match_the_contacts_given(
    data: st.DataObject, contacts: list[Contact]
) -> None:
    touches = data.draw(interactions_with(contacts, AS_OF))
    rmap = relationship_map("acme", contacts, touches, as_of=AS_OF, tier="A")
    for layer in RelationshipLayer:
        expected = sorted(c.id for c in contacts if c.layer is layer)
        assert sorted(rmap.layer(layer).contact_ids) == expected
    assert rmap.contact_count == len(contacts)
    assert rmap.requirements_met <= rmap.requirements_total


@given(data=st.data(), contacts=contacts_of("acme"))
def test_last_touch_is_the_latest_interaction_with_the_layer(
    data: st.DataObject, contacts: list[Contact]
) -> None:
    touches = data.draw(interactions_with(contacts, AS_OF))
    rmap = relationship_map("acme", contacts, touches, as_of=AS_OF)
    layer_of: dict[str | None, RelationshipLayer] = {c.id: c.layer for c in contacts}
    for covered in rmap.coverage:
        days = [t.occurred_at.date() for t in touches if layer_of[t.contact_id] is covered.layer]
        assert covered.last_touched == (max(days) if days else None)


def test_gaps_of_a_thin_a_account() -> None:
    boss = Contact(id="c1", account_id="acme", name="Wang", role=ContactRole.DECISION_MAKER)
    rmap = relationship_map(
        "acme", [boss], [touch(1, "c1", date(2026, 1, 5))], as_of=AS_OF, tier="A"
    )
    kinds = {g.kind for g in rmap.gaps}
    assert {
        GapKind.SINGLE_THREADED,
        GapKind.DECISION_MAKER_NOT_TOUCHED,
        GapKind.NO_EXECUTIVE_SPONSOR,
        GapKind.TOO_FEW_IN_LAYER,
    } <= kinds
    assert rmap.layer(RelationshipLayer.KEY).last_touched_by == "li"
    assert (rmap.requirements_met, rmap.requirements_total) == (2, 4)


def test_a_well_covered_a_account_has_no_gaps() -> None:
    people = [
        Contact(id="c1", account_id="acme", name="Wang", role=ContactRole.DECISION_MAKER),
        Contact(id="c2", account_id="acme", name="Zhao", role=ContactRole.EXECUTIVE),
        *[
            Contact(id=f"u{n}", account_id="acme", name="U", role=ContactRole.USER)
            for n in range(3)
        ],
    ]
    touches = [touch(1, "c1", date(2026, 5, 1)), touch(2, "c2", date(2026, 4, 1), by="ceo")]
    rmap = relationship_map("acme", people, touches, as_of=AS_OF, tier="A")
    assert rmap.gaps == ()
    assert rmap.requirements_met == rmap.requirements_total == 4
    assert rmap.layer(RelationshipLayer.ORGANISATIONAL).last_touched_by == "ceo"


def test_requirements_are_configurable_per_tier() -> None:
    custom = {"A": LayerRequirement("A", {"broad": 1})}
    user = Contact(id="u", account_id="acme", name="U", role=ContactRole.USER)
    rmap = relationship_map("acme", [user], [], as_of=AS_OF, tier="A", requirements=custom)
    assert (rmap.requirements_met, rmap.requirements_total) == (1, 1)
    maps = relationship_maps([user], [], as_of=AS_OF, tiers={"acme": "A", "zeta": "C"})
    assert list(maps) == ["acme", "zeta"]
    assert maps["zeta"].gaps[0].kind is GapKind.NO_CONTACTS


def test_unknown_layer_is_a_clear_error() -> None:
    with pytest.raises(ConfigurationError, match="unknown relationship layer 'vip'"):
        layer_named("vip")
    with pytest.raises(ConfigurationError, match="unknown relationship layer"):
        LayerRequirement("A", {"vip": 2})
    with pytest.raises(InvalidRecord, match="layer"):
        Contact(id="c", account_id="a", name="n", layer="vip")  # type: ignore[arg-type]


def test_contacts_of_another_account_are_rejected() -> None:
    stray = Contact(id="c", account_id="other", name="n")
    with pytest.raises(ConfigurationError, match="belongs to 'other'"):
        relationship_map("acme", [stray], [], as_of=AS_OF)
