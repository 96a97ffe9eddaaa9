"""Tiers: which accounts are the big ones, and why.

A tier is a label ("A", "B", "C"; "invest", "retain", "reduce"; "high"...). Every
assignment carries its reason: the figures that decided it, so a manager can see why
an account is where it is.
"""

from __future__ import annotations

import enum
import math
from datetime import date
from decimal import Decimal
from typing import Any

import attrs

from accountcare.domain import _validate as v
from accountcare.errors import InvalidRecord

__all__ = [
    "Priority",
    "PriorityAssignment",
    "Qualification",
    "ScorecardRating",
    "TierAssignment",
    "TierCutoffs",
    "TierMigration",
    "TierMove",
    "TierReason",
]


def _finite_or_none(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and (not isinstance(value, int | float) or not math.isfinite(value)):
        raise v.fail(instance, attribute, f"must be a finite number, got {value!r}")


@attrs.frozen
class TierReason:
    """The figures behind one assignment.

    ``value`` is the figure tiered (after refunds counted as zero); ``share_before`` the
    share of the population total held by accounts ranked above it; ``rank`` its
    1-based position in the ranking (ties share the best rank); ``cutoff`` the threshold
    it met; ``rule`` says in words what decided it.
    """

    value: float = attrs.field(validator=_finite_or_none)
    rule: str = attrs.field(default="", validator=v.a_text)
    share_before: float | None = attrs.field(default=None, validator=_finite_or_none)
    rank: int | None = None
    population: int | None = None
    cutoff: float | None = attrs.field(default=None, validator=_finite_or_none)


@attrs.frozen
class TierAssignment:
    """One account's tier under one policy, with its reason.

    >>> a = TierAssignment("acme", "A", "abc", TierReason(value=1e6, rule="first 80%"))
    >>> a.tier, a.reason.rule
    ('A', 'first 80%')
    """

    account_id: str = attrs.field(validator=v.an_id)
    tier: str = attrs.field(validator=v.a_name)
    policy: str = attrs.field(validator=v.a_name)
    reason: TierReason = attrs.field(validator=v.typed(TierReason))


class Priority(enum.Enum):
    """Importance x urgency, the practitioners' four quadrants, most pressing first."""

    IMPORTANT_URGENT = "important_urgent"
    IMPORTANT = "important"
    URGENT = "urgent"
    NEITHER = "neither"

    @property
    def rank(self) -> int:
        """0 for the most pressing quadrant, 3 for the least (sort key)."""
        return list(Priority).index(self)


def _floor(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    for floor in value:
        if floor is not None and (not isinstance(floor, Decimal) or not floor.is_finite()):
            raise v.fail(instance, attribute, f"must hold finite Decimals or None, got {floor!r}")


def _labels(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if len(value) < 2 or len(set(value)) != len(value):
        raise v.fail(instance, attribute, f"must name two or more distinct tiers, got {value!r}")
    for label in value:
        v.a_name(instance, attribute, label)


@attrs.frozen
class TierCutoffs:
    """What a population policy learned from a population: enough to tier any value.

    ``floors[i]`` is the least value that reaches tier ``tiers[i]`` or better (None when
    no account reached it); ``limits`` are the policy's own cut-offs (shares) in the same
    order; ``population`` and ``total`` describe the population fitted. Floors are exact
    (a float value is kept as the Decimal it exactly is), so classifying never rounds.

    >>> from decimal import Decimal
    >>> c = TierCutoffs("abc", ("A", "B", "C"), (Decimal(800), Decimal(150)), (0.8, 0.95), 3)
    >>> c.floors[0]
    Decimal('800')
    """

    policy: str = attrs.field(validator=v.a_name)
    tiers: tuple[str, ...] = attrs.field(converter=v.as_tuple, validator=_labels)
    floors: tuple[Decimal | None, ...] = attrs.field(converter=v.as_tuple, validator=_floor)
    limits: tuple[float, ...] = attrs.field(converter=v.as_tuple, validator=v.each(v.finite_number))
    population: int = attrs.field(validator=[v.typed(int), v.not_negative])
    total: float = attrs.field(default=0.0, validator=v.finite_number)

    def __attrs_post_init__(self) -> None:
        if len(self.floors) != len(self.tiers) - 1:
            raise InvalidRecord(
                "TierCutoffs", "floors", "must hold one floor per tier but the last"
            )


@attrs.frozen
class TierMove:
    """One account's tier before and after (None: not tiered then)."""

    account_id: str = attrs.field(validator=v.an_id)
    before: str | None = attrs.field(default=None, validator=v.optional(v.a_line))
    after: str | None = attrs.field(default=None, validator=v.optional(v.a_line))


@attrs.frozen
class TierMigration:
    """Who moved between two assignments: up, down, unchanged, new in, dropped out.

    Each group is sorted by account id; ``tiers`` is the order used (best first).
    """

    tiers: tuple[str, ...] = attrs.field(converter=v.as_tuple, validator=_labels)
    moved_up: tuple[TierMove, ...] = attrs.field(default=(), converter=v.as_tuple)
    moved_down: tuple[TierMove, ...] = attrs.field(default=(), converter=v.as_tuple)
    unchanged: tuple[TierMove, ...] = attrs.field(default=(), converter=v.as_tuple)
    new_in: tuple[TierMove, ...] = attrs.field(default=(), converter=v.as_tuple)
    dropped_out: tuple[TierMove, ...] = attrs.field(default=(), converter=v.as_tuple)


@attrs.frozen
class Qualification:
    """Whether an account qualifies as a key account as of a day, and which rules failed.

    ``failed`` names every rule the account did not meet (empty when it qualifies).
    """

    account_id: str = attrs.field(validator=v.an_id)
    as_of: date = attrs.field(validator=v.plain_date)
    passed: tuple[str, ...] = attrs.field(default=(), converter=v.as_tuple)
    failed: tuple[str, ...] = attrs.field(default=(), converter=v.as_tuple)

    @property
    def qualified(self) -> bool:
        return not self.failed


@attrs.frozen
class PriorityAssignment:
    """One account's importance x urgency quadrant and why."""

    account_id: str = attrs.field(validator=v.an_id)
    priority: Priority = attrs.field(validator=v.in_enum(Priority))
    important: bool = attrs.field(validator=v.typed(bool))
    urgent: bool = attrs.field(validator=v.typed(bool))
    reason: str = attrs.field(default="", validator=v.a_text)


@attrs.frozen
class ScorecardRating:
    """A weighted scorecard: each criterion's score (0-100), the weighted score, the rating."""

    account_id: str = attrs.field(validator=v.an_id)
    scores: tuple[tuple[str, float], ...] = attrs.field(converter=v.as_tuple)
    score: float = attrs.field(validator=[v.finite_number, v.between(0, 100)])
    rating: str = attrs.field(validator=v.a_name)
