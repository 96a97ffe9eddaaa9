"""Relationship layers and the account team.

A key account is held by three layers of relationship (key, broad, organisational) and
answered by an "iron triangle" of account, solution and delivery manager. These values
describe coverage, gaps, requirements and team assignments; the policies in
[`layers`][accountcare.policies.relationships.layers] and
[`team`][accountcare.policies.relationships.team] compute them.
"""

from __future__ import annotations

import enum
from datetime import date
from typing import Any, TypeVar

import attrs

from accountcare.domain import _validate as v
from accountcare.domain.contacts import RelationshipLayer
from accountcare.errors import ConfigurationError

__all__ = [
    "IRON_TRIANGLE",
    "AccountTeam",
    "GapKind",
    "LayerCoverage",
    "LayerRequirement",
    "Overload",
    "RelationshipGap",
    "RelationshipMap",
    "TeamAssignment",
    "TeamRole",
    "layer_named",
    "role_named",
]

_E = TypeVar("_E", bound=enum.Enum)


def layer_named(name: str | RelationshipLayer) -> RelationshipLayer:
    """The layer called ``name`` ("key", "broad", "organisational"); unknown -> error.

    >>> layer_named("key").value
    'key'
    >>> layer_named("top")
    Traceback (most recent call last):
    ...
    accountcare.errors.ConfigurationError: unknown relationship layer 'top'; known: broad, key, organisational
    """  # noqa: E501
    return _member(RelationshipLayer, name, "relationship layer", ordered=True)


def _member(kind: type[_E], name: str | _E, what: str, *, ordered: bool = False) -> _E:
    """The member of the enum ``kind`` called ``name`` (a member is kept as it is); an
    unknown name raises ConfigurationError listing the known ones (sorted when
    ``ordered``, else in the enum's order)."""
    if isinstance(name, kind):
        return name
    try:
        return kind(name)
    except ValueError:
        values = [member.value for member in kind]
        known = ", ".join(sorted(values) if ordered else values)
        raise ConfigurationError(f"unknown {what} {name!r}; known: {known}") from None


@attrs.frozen
class LayerCoverage:
    """Who covers one layer of an account, and when it was last touched and by whom."""

    layer: RelationshipLayer = attrs.field(validator=v.in_enum(RelationshipLayer))
    contact_ids: tuple[str, ...] = attrs.field(converter=v.as_tuple, validator=v.each(v.an_id))
    last_touched: date | None = attrs.field(default=None, validator=v.optional(v.plain_date))
    last_touched_by: str | None = attrs.field(default=None, validator=v.optional(v.an_id))
    last_contact_id: str | None = attrs.field(default=None, validator=v.optional(v.an_id))

    @property
    def count(self) -> int:
        return len(self.contact_ids)


class GapKind(enum.Enum):
    SINGLE_THREADED = "single_threaded"  # one contact only
    NO_CONTACTS = "no_contacts"
    NO_DECISION_MAKER = "no_decision_maker"
    DECISION_MAKER_NOT_TOUCHED = "decision_maker_not_touched"
    NO_EXECUTIVE_SPONSOR = "no_executive_sponsor"
    TOO_FEW_IN_LAYER = "too_few_in_layer"
    LAYER_NOT_TOUCHED = "layer_not_touched"


@attrs.frozen
class RelationshipGap:
    """One gap in an account's relationships, in words a manager can act on."""

    account_id: str = attrs.field(validator=v.an_id)
    kind: GapKind = attrs.field(validator=v.in_enum(GapKind))
    message: str = attrs.field(validator=v.a_text)
    layer: RelationshipLayer | None = None


def _min_counts(value: Any) -> tuple[tuple[RelationshipLayer, int], ...]:
    pairs = value.items() if isinstance(value, dict) else value
    result = []
    for layer, count in pairs:
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ConfigurationError(f"minimum count for layer {layer!r} must be an int >= 0")
        result.append((layer_named(layer), count))
    return tuple(sorted(result, key=lambda p: p[0].value))


@attrs.frozen
class LayerRequirement:
    """What a tier's accounts need: contacts per layer, a named decision maker, an
    executive sponsor, and how recently key and organisational layers must be touched.

    >>> LayerRequirement("A", {"broad": 3}).minimum(RelationshipLayer.BROAD)
    3
    """

    tier: str = attrs.field(validator=v.a_name)
    min_contacts: tuple[tuple[RelationshipLayer, int], ...] = attrs.field(
        factory=tuple, converter=_min_counts
    )
    decision_maker: bool = attrs.field(default=False, validator=v.typed(bool))
    executive_sponsor: bool = attrs.field(default=False, validator=v.typed(bool))
    touch_within_days: int = attrs.field(default=90, validator=[v.typed(int), v.positive])

    def minimum(self, layer: RelationshipLayer) -> int:
        return next((count for known, count in self.min_contacts if known is layer), 0)

    @property
    def checks(self) -> int:
        """How many requirements there are (each layer minimum, decision maker, sponsor)."""
        return len(self.min_contacts) + int(self.decision_maker) + int(self.executive_sponsor)


@attrs.frozen
class RelationshipMap:
    """An account's coverage of all three layers, its gaps, and requirements met."""

    account_id: str = attrs.field(validator=v.an_id)
    tier: str | None = attrs.field(validator=v.optional(v.a_line))
    as_of: date = attrs.field(validator=v.plain_date)
    coverage: tuple[LayerCoverage, ...] = attrs.field(converter=v.as_tuple)
    gaps: tuple[RelationshipGap, ...] = attrs.field(converter=v.as_tuple)
    requirements_met: int = attrs.field(validator=v.not_negative)
    requirements_total: int = attrs.field(validator=v.not_negative)

    def layer(self, layer: RelationshipLayer) -> LayerCoverage:
        for covered in self.coverage:
            if covered.layer is layer:
                return covered
        raise KeyError(layer)

    @property
    def contact_count(self) -> int:
        return sum(c.count for c in self.coverage)


class TeamRole(enum.Enum):
    """Roles on an account team; the first three form the iron triangle."""

    ACCOUNT_MANAGER = "account_manager"
    SOLUTION_MANAGER = "solution_manager"
    DELIVERY_MANAGER = "delivery_manager"
    EXECUTIVE_SPONSOR = "executive_sponsor"
    SERVICE_MANAGER = "service_manager"
    TECHNICAL_SUPPORT = "technical_support"
    FINANCE = "finance"


IRON_TRIANGLE = (TeamRole.ACCOUNT_MANAGER, TeamRole.SOLUTION_MANAGER, TeamRole.DELIVERY_MANAGER)
"""The three roles every key account's team needs: account, solution and delivery manager."""


def role_named(name: str | TeamRole) -> TeamRole:
    """The team role called ``name``; an unknown role is a clear error.

    >>> role_named("solution_manager").value
    'solution_manager'
    """
    return _member(TeamRole, name, "team role")


@attrs.frozen
class TeamAssignment:
    """``person`` holds ``role`` on ``account_id``'s team (role given by name or value)."""

    account_id: str = attrs.field(validator=v.an_id)
    role: TeamRole = attrs.field(converter=role_named)
    person: str = attrs.field(validator=v.an_id)


@attrs.frozen
class AccountTeam:
    """One key account's team: who fills each role, and which required roles are missing."""

    account_id: str = attrs.field(validator=v.an_id)
    filled: tuple[tuple[TeamRole, tuple[str, ...]], ...] = attrs.field(converter=v.as_tuple)
    missing: tuple[TeamRole, ...] = attrs.field(converter=v.as_tuple)

    @property
    def complete(self) -> bool:
        return not self.missing

    def people(self, role: TeamRole) -> tuple[str, ...]:
        return next((people for filled, people in self.filled if filled is role), ())


@attrs.frozen
class Overload:
    """A person on more key accounts than the limit allows."""

    person: str = attrs.field(validator=v.an_id)
    account_ids: tuple[str, ...] = attrs.field(converter=v.as_tuple, validator=v.each(v.an_id))
    limit: int = attrs.field(validator=v.positive)
