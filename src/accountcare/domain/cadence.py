"""Cadence: how often each tier is visited and called.

A value, not behaviour: the visit planner, the care scheduler and the health score all read
the same [`Cadence`][accountcare.domain.cadence.Cadence], so "how often is an A account
seen" has one answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import attrs

from accountcare.domain import _validate as v
from accountcare.errors import ConfigurationError

__all__ = ["DEFAULT_CADENCE", "Cadence", "DueDates", "TierCadence"]


@attrs.frozen
class TierCadence:
    """The rhythm for one tier, in days.

    ``min_visit_spacing_days`` is the least gap between two visits to one account
    (defaults to half the visit interval, so a visit can move a few days but an account
    seen yesterday is not due again tomorrow). ``leader_visit_every_days`` is how often
    a supervisor or senior leader joins a visit (None: never).
    """

    tier: str = attrs.field(validator=v.a_name)
    visit_every_days: int = attrs.field(validator=[v.typed(int), v.positive])
    call_every_days: int = attrs.field(validator=[v.typed(int), v.positive])
    leader_visit_every_days: int | None = attrs.field(
        default=None, validator=v.optional(v.typed(int), v.positive)
    )
    min_visit_spacing_days: int = attrs.field(validator=[v.typed(int), v.positive])

    @min_visit_spacing_days.default
    def _half_the_interval(self) -> int:
        return max(1, self.visit_every_days // 2)


def _tiers(values: Iterable[TierCadence]) -> tuple[TierCadence, ...]:
    return tuple(values)


@attrs.frozen
class Cadence:
    """Visit and call rhythm per tier, and how a new account is developed.

    Defaults follow the practitioners' rules of thumb: A visited every 2 weeks with a
    leader visit each quarter, B monthly, C quarterly; relationship calls A weekly,
    B every 2 weeks, C monthly; a new account gets at least 5 development visits
    within ``development_window_days``.

    >>> DEFAULT_CADENCE.for_tier("A").visit_every_days
    14
    >>> DEFAULT_CADENCE.for_tier("Z") is None
    True
    """

    tiers: tuple[TierCadence, ...] = attrs.field(converter=_tiers)
    development_visits: int = attrs.field(default=5, validator=[v.typed(int), v.positive])
    development_window_days: int = attrs.field(default=90, validator=[v.typed(int), v.positive])
    # Complaints are handled quickly: a follow-up visit within a week.
    complaint_follow_up_days: int = attrs.field(default=7, validator=[v.typed(int), v.positive])

    def __attrs_post_init__(self) -> None:
        names = [t.tier for t in self.tiers]
        if len(set(names)) != len(names):
            raise ConfigurationError(f"Cadence names a tier twice: {sorted(names)}")

    @property
    def development_every_days(self) -> int:
        """The interval that fits ``development_visits`` into ``development_window_days``."""
        return max(1, self.development_window_days // self.development_visits)

    def tier_rank(self, tier: str | None) -> int:
        """The tier's place in this cadence's order (0 first); uncovered tiers come last."""
        ranks = (rank for rank, rhythm in enumerate(self.tiers) if rhythm.tier == tier)
        return next(ranks, len(self.tiers))

    def for_tier(self, tier: str | None) -> TierCadence | None:
        """The rhythm of ``tier``, or None when the cadence does not cover it."""
        return next((rhythm for rhythm in self.tiers if rhythm.tier == tier), None)


@attrs.frozen
class DueDates:
    """When an account is next due for a visit, a call and a leader visit, as of a day.

    Computed by [`due_dates`][accountcare.policies.visits.cadence.due_dates] from the interaction
    history: next visit due = last visit + interval, so an overdue account is due now
    and one seen yesterday is not due again tomorrow; never visited means due at
    ``as_of``. ``None`` means the cadence asks for nothing (an untiered account, a tier
    without leader visits). ``development_visits_needed`` counts the development visits
    still missing for a new account (0 when it is not being developed).
    """

    account_id: str = attrs.field(validator=v.an_id)
    as_of: date = attrs.field(validator=v.plain_date)
    tier: str | None = attrs.field(default=None, validator=v.optional(v.a_line))
    last_visit: date | None = attrs.field(default=None, validator=v.optional(v.plain_date))
    last_call: date | None = attrs.field(default=None, validator=v.optional(v.plain_date))
    last_leader_visit: date | None = attrs.field(default=None, validator=v.optional(v.plain_date))
    next_visit_due: date | None = attrs.field(default=None, validator=v.optional(v.plain_date))
    next_call_due: date | None = attrs.field(default=None, validator=v.optional(v.plain_date))
    next_leader_visit_due: date | None = attrs.field(
        default=None, validator=v.optional(v.plain_date)
    )
    visit_every_days: int | None = None
    min_visit_spacing_days: int = attrs.field(default=1, validator=[v.typed(int), v.positive])
    developing: bool = False
    development_visits_needed: int = attrs.field(default=0, validator=v.not_negative)

    @property
    def visit_overdue_days(self) -> int:
        """Days the next visit is overdue at ``as_of`` (0 when not yet due or not due)."""
        if self.next_visit_due is None:
            return 0
        return max(0, (self.as_of - self.next_visit_due).days)

    def visit_due_on(self, day: date) -> bool:
        """True when a visit is due on ``day`` (on or after the next due date)."""
        return self.next_visit_due is not None and self.next_visit_due <= day


# Practitioners' rules of thumb: A fortnightly with a leader each quarter, B monthly,
# C quarterly; calls A weekly, B fortnightly, C monthly; 5 visits to develop an account.
DEFAULT_CADENCE = Cadence(
    tiers=(
        TierCadence("A", visit_every_days=14, call_every_days=7, leader_visit_every_days=91),
        TierCadence("B", visit_every_days=30, call_every_days=14),
        TierCadence("C", visit_every_days=91, call_every_days=30),
    )
)
"""Practitioners' rhythm: A visited every 2 weeks (a leader each quarter), B monthly, C
quarterly; calls A weekly, B fortnightly, C monthly; 5 visits to develop a new account."""
