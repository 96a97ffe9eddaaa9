"""Relationship coverage per layer, its gaps, and the requirements per tier.

Practitioners hold a key account in three layers: key relationships (decision makers,
champions), broad relationships (users and staff), organisational relationships
(executives, agreements). Touches come from ``Interaction.contact_id`` and
``Interaction.by``.

>>> from datetime import UTC, date, datetime
>>> from accountcare.domain import Contact, ContactRole, Interaction, InteractionKind
>>> boss = Contact(id="c1", account_id="acme", name="Wang", role=ContactRole.DECISION_MAKER)
>>> call = Interaction(id="i1", account_id="acme", kind=InteractionKind.CALL, by="rep-li",
...                    contact_id="c1", occurred_at=datetime(2026, 1, 5, tzinfo=UTC))
>>> m = relationship_map("acme", [boss], [call], as_of=date(2026, 6, 1), tier="A")
>>> [g.message for g in m.gaps][:2]
['single-threaded: one contact only', 'no decision maker touched in 90 days (last on 2026-01-05)']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date
from types import MappingProxyType
from typing import Protocol, TypeVar

from accountcare.domain.activity import Interaction
from accountcare.domain.contacts import Contact, ContactRole, RelationshipLayer
from accountcare.domain.relationships import (
    GapKind,
    LayerCoverage,
    LayerRequirement,
    RelationshipGap,
    RelationshipMap,
)
from accountcare.errors import ConfigurationError

__all__ = ["DEFAULT_REQUIREMENTS", "LAYERS", "relationship_map", "relationship_maps"]

LAYERS = (RelationshipLayer.KEY, RelationshipLayer.BROAD, RelationshipLayer.ORGANISATIONAL)

# Account managers' rule of thumb: an A account needs a named decision maker, at least
# 3 broad contacts and an executive sponsor; B a decision maker and 2 broad contacts;
# C at least one contact in the key layer. Key and organisational layers touched in 90
# days (180 for C).
DEFAULT_REQUIREMENTS: Mapping[str, LayerRequirement] = MappingProxyType(
    {
        "A": LayerRequirement(
            "A", {"key": 1, "broad": 3}, decision_maker=True, executive_sponsor=True
        ),
        "B": LayerRequirement("B", {"key": 1, "broad": 2}, decision_maker=True),
        "C": LayerRequirement("C", {"key": 1}, touch_within_days=180),
    }
)
"""The relationships each layer needs per tier: key, broad and organisational."""
_NO_REQUIREMENT = LayerRequirement("untiered")


def relationship_map(
    account_id: str,
    contacts: Iterable[Contact],
    interactions: Iterable[Interaction],
    *,
    as_of: date,
    tier: str | None = None,
    requirements: Mapping[str, LayerRequirement] = DEFAULT_REQUIREMENTS,
) -> RelationshipMap:
    """Coverage and gaps of one account as of ``as_of`` (touches after it are ignored).

    Contacts of other accounts are an error; interactions of other accounts or without a
    known contact are ignored.
    """
    mine = sorted(contacts, key=lambda c: c.id)
    for contact in mine:
        if contact.account_id != account_id:
            raise ConfigurationError(
                f"contact {contact.id!r} belongs to {contact.account_id!r}, not {account_id!r}"
            )
    layer_of = {c.id: c.layer for c in mine}
    last: dict[str, tuple[date, str, str]] = {}  # contact id -> (day, by, interaction id)
    for touch in interactions:
        if touch.account_id != account_id or touch.contact_id not in layer_of:
            continue
        day = touch.occurred_at.astimezone(UTC).date()
        if day > as_of:
            continue
        key = (day, touch.by, touch.id)
        seen = last.get(touch.contact_id)
        if seen is None or key > seen:
            last[touch.contact_id] = key
    requirement = requirements.get(tier, _NO_REQUIREMENT) if tier is not None else _NO_REQUIREMENT
    coverage = tuple(_coverage(layer, mine, last) for layer in LAYERS)
    gaps, met = _gaps(account_id, mine, coverage, last, requirement, as_of)
    return RelationshipMap(account_id, tier, as_of, coverage, gaps, met, requirement.checks)


def relationship_maps(
    contacts: Iterable[Contact],
    interactions: Iterable[Interaction],
    *,
    as_of: date,
    tiers: Mapping[str, str],
    requirements: Mapping[str, LayerRequirement] = DEFAULT_REQUIREMENTS,
) -> Mapping[str, RelationshipMap]:
    """[`relationship_map`][accountcare.policies.relationships.layers.relationship_map] for
    every account in ``tiers``, keyed by account id."""
    people, touches = _by_account(contacts, tiers), _by_account(interactions, tiers)
    return {
        a: relationship_map(
            a,
            people.get(a, []),
            touches.get(a, []),
            as_of=as_of,
            tier=tiers[a],
            requirements=requirements,
        )
        for a in sorted(tiers)
    }


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


def _coverage(
    layer: RelationshipLayer, contacts: list[Contact], last: dict[str, tuple[date, str, str]]
) -> LayerCoverage:
    ids = tuple(c.id for c in contacts if c.layer is layer)
    touched = [(last[i], i) for i in ids if i in last]
    if not touched:
        return LayerCoverage(layer, ids)
    (day, by, _), contact_id = max(touched)
    return LayerCoverage(layer, ids, day, by, contact_id)


_Gap = tuple[GapKind, str, RelationshipLayer | None]


def _gaps(
    account_id: str,
    contacts: list[Contact],
    coverage: tuple[LayerCoverage, ...],
    last: dict[str, tuple[date, str, str]],
    requirement: LayerRequirement,
    as_of: date,
) -> tuple[list[RelationshipGap], int]:
    """The account's gaps, in a fixed order, and how many requirements it meets."""
    deciders = [c.id for c in contacts if c.role is ContactRole.DECISION_MAKER]
    sponsor = any(c.layer is RelationshipLayer.ORGANISATIONAL for c in contacts)
    found = [
        *_threading(contacts),
        *_decision_makers(deciders, last, requirement, as_of),
        *_layer_gaps(coverage, requirement, as_of),
    ]
    if requirement.executive_sponsor and not sponsor:
        found.append(
            (
                GapKind.NO_EXECUTIVE_SPONSOR,
                "no executive sponsor (organisational contact)",
                RelationshipLayer.ORGANISATIONAL,
            )
        )
    gaps = [RelationshipGap(account_id, kind, message, layer) for kind, message, layer in found]
    counts = {c.layer: c.count for c in coverage}
    return gaps, requirements_met(requirement, counts, bool(deciders), sponsor)


def _threading(contacts: list[Contact]) -> list[_Gap]:
    """A relationship held by one person (or nobody) breaks when that person leaves."""
    if not contacts:
        return [(GapKind.NO_CONTACTS, "no contacts on record", None)]
    if len(contacts) == 1:
        return [(GapKind.SINGLE_THREADED, "single-threaded: one contact only", None)]
    return []


def _decision_makers(
    deciders: list[str],
    last: dict[str, tuple[date, str, str]],
    requirement: LayerRequirement,
    as_of: date,
) -> list[_Gap]:
    key, window = RelationshipLayer.KEY, requirement.touch_within_days
    if not deciders:
        needed = requirement.decision_maker
        return [(GapKind.NO_DECISION_MAKER, "no named decision maker", key)] if needed else []
    newest = max((last[d][0] for d in deciders if d in last), default=None)
    if newest is not None and (as_of - newest).days <= window:
        return []
    when = f" (last on {newest})" if newest else " (never)"
    words = f"no decision maker touched in {window} days{when}"
    return [(GapKind.DECISION_MAKER_NOT_TOUCHED, words, key)]


def _layer_gaps(
    coverage: tuple[LayerCoverage, ...], requirement: LayerRequirement, as_of: date
) -> list[_Gap]:
    """Layers with fewer contacts than the tier needs; key and organisational layers
    not touched within the window (the broad layer is many people, seen on visits)."""
    window = requirement.touch_within_days
    needs = dict(layer_needs(requirement))
    found: list[_Gap] = []
    for covered in coverage:
        layer, count = covered.layer, covered.count
        need = needs.get(layer)
        if need is not None and count < need:
            words = f"{count} {layer.value} contacts, {need} needed"
            found.append((GapKind.TOO_FEW_IN_LAYER, words, layer))
        touched = covered.last_touched
        stale = touched is None or (as_of - touched).days > window
        if layer is not RelationshipLayer.BROAD and count and stale:
            words = f"{layer.value} layer not touched in {window} days"
            found.append((GapKind.LAYER_NOT_TOUCHED, words, layer))
    return found


def layer_needs(requirement: LayerRequirement) -> tuple[tuple[RelationshipLayer, int], ...]:
    """The layer minimums of ``requirement`` that count as requirements, in
    `LAYERS` order: one per layer named (the first given, as
    `LayerRequirement.minimum` reads it).

    >>> layer_needs(DEFAULT_REQUIREMENTS["B"])
    ((<RelationshipLayer.KEY: 'key'>, 1), (<RelationshipLayer.BROAD: 'broad'>, 2))
    """
    named = {layer for layer, _ in requirement.min_contacts}
    return tuple((layer, requirement.minimum(layer)) for layer in LAYERS if layer in named)


def requirements_met(
    requirement: LayerRequirement,
    counts: Mapping[RelationshipLayer, int],
    decision_maker: bool,
    sponsor: bool,
) -> int:
    """How many of ``requirement``'s checks an account meets, given its contacts per
    layer, whether one is a decision maker and whether one is organisational.

    >>> requirements_met(DEFAULT_REQUIREMENTS["B"], {RelationshipLayer.KEY: 1}, True, False)
    2
    """
    met = int(requirement.decision_maker and decision_maker)
    for layer, need in layer_needs(requirement):
        met += counts.get(layer, 0) >= need
    return met + int(requirement.executive_sponsor and sponsor)
