"""Visit plans: which rep sees which account on which day, and what did not fit.

The planner ([`planner`][accountcare.policies.visits.planner]) produces these values; hosts store,
show and export them. Every visit and every visit left out carries its reason.
"""

from __future__ import annotations

import enum
from datetime import date, timedelta

import attrs

from accountcare.domain import _validate as v
from accountcare.domain._html import html_table

__all__ = [
    "PlanPeriod",
    "PlanView",
    "PurposeCount",
    "UnplacedReason",
    "UnplacedVisit",
    "Utilisation",
    "Visit",
    "VisitChecklist",
    "VisitPlan",
    "VisitPurpose",
]


class VisitPurpose(enum.Enum):
    ROUTINE = "routine"
    DEVELOPMENT = "development"  # developing a new account: at least 5 visits
    LEADER = "leader"  # a supervisor or senior leader joins
    OVERDUE = "overdue"  # the account was due before the plan starts
    COMPLAINT_FOLLOW_UP = "complaint_follow_up"


@attrs.frozen
class VisitChecklist:
    """Before a visit: appointment made, materials ready, decision maker known,
    objections prepared. The host ticks items as they are done.

    >>> c = VisitChecklist().tick("appointment_made")
    >>> c.appointment_made, c.complete, c.missing
    (True, False, ('materials_ready', 'decision_maker_known', 'objections_prepared'))
    """

    appointment_made: bool = False
    materials_ready: bool = False
    decision_maker_known: bool = False
    objections_prepared: bool = False

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(a.name for a in attrs.fields(VisitChecklist) if not getattr(self, a.name))

    @property
    def complete(self) -> bool:
        return not self.missing

    def tick(self, item: str) -> VisitChecklist:
        """A copy with ``item`` done; an unknown item is an error."""
        if item not in attrs.fields_dict(VisitChecklist):
            raise ValueError(f"VisitChecklist has no item {item!r}")
        return attrs.evolve(self, **{item: True})


@attrs.frozen
class Visit:
    """One planned visit. ``due_on`` is when the cadence made it due (it may be before
    the plan starts, for an overdue account); ``on`` is the day it was placed."""

    account_id: str = attrs.field(validator=v.an_id)
    rep_id: str = attrs.field(validator=v.an_id)
    on: date = attrs.field(validator=v.plain_date)
    purpose: VisitPurpose = attrs.field(validator=v.in_enum(VisitPurpose))
    reason: str = attrs.field(default="", validator=v.a_line)
    tier: str | None = attrs.field(default=None, validator=v.optional(v.a_line))
    due_on: date | None = attrs.field(default=None, validator=v.optional(v.plain_date))
    leader_joins: bool = False
    checklist: VisitChecklist = attrs.field(factory=VisitChecklist)
    # The days the visit could go on (inclusive), after spacing; None when set by hand.
    window_start: date | None = attrs.field(default=None, validator=v.optional(v.plain_date))
    window_end: date | None = attrs.field(default=None, validator=v.optional(v.plain_date))

    @property
    def id(self) -> str:
        """A stable id: one account is never visited twice on one day."""
        return f"visit:{self.account_id}:{self.on.isoformat()}"


class UnplacedReason(enum.Enum):
    CAPACITY = "capacity"  # every working day in the window was full
    NO_WORKING_DAY = "no_working_day"  # no working day of the rep falls in the window
    SPACING = "spacing"  # placing it would break the account's minimum interval
    NO_OWNER = "no_owner"  # the account has no rep
    NO_CALENDAR = "no_calendar"  # the owner has no work calendar
    # the window runs past the plan's end and no day inside the plan could take it
    NEXT_PLAN = "next_plan"


@attrs.frozen
class UnplacedVisit:
    """A required visit that did not fit, and why."""

    account_id: str = attrs.field(validator=v.an_id)
    rep_id: str | None = attrs.field(validator=v.optional(v.an_id))
    purpose: VisitPurpose = attrs.field(validator=v.in_enum(VisitPurpose))
    due_on: date = attrs.field(validator=v.plain_date)
    reason: UnplacedReason = attrs.field(validator=v.in_enum(UnplacedReason))
    detail: str = attrs.field(default="", validator=v.a_text)
    tier: str | None = attrs.field(default=None, validator=v.optional(v.a_line))
    # The days searched (inclusive): for CAPACITY every working day in it was full.
    window_start: date | None = attrs.field(default=None, validator=v.optional(v.plain_date))
    window_end: date | None = attrs.field(default=None, validator=v.optional(v.plain_date))


@attrs.frozen
class Utilisation:
    """Planned visits against capacity for one rep over one week or month."""

    rep_id: str = attrs.field(validator=v.an_id)
    period: str = attrs.field(validator=attrs.validators.in_(("week", "month")))
    starts_on: date = attrs.field(validator=v.plain_date)
    planned: int = attrs.field(validator=v.not_negative)
    capacity: int = attrs.field(validator=v.not_negative)

    @property
    def ratio(self) -> float:
        """Planned over capacity (0.0 when there is no capacity)."""
        return self.planned / self.capacity if self.capacity else 0.0


@attrs.frozen
class VisitPlan:
    """The visits placed in ``[start, end)``, those left out, and each rep's load."""

    start: date = attrs.field(validator=v.plain_date)
    end: date = attrs.field(validator=v.plain_date)
    visits: tuple[Visit, ...] = attrs.field(default=(), converter=v.as_tuple)
    unplaced: tuple[UnplacedVisit, ...] = attrs.field(default=(), converter=v.as_tuple)
    utilisation: tuple[Utilisation, ...] = attrs.field(default=(), converter=v.as_tuple)

    def for_rep(self, rep_id: str) -> tuple[Visit, ...]:
        return tuple(visit for visit in self.visits if visit.rep_id == rep_id)

    @property
    def coverage(self) -> float:
        """Placed visits over required ones (1.0 when nothing was required)."""
        required = len(self.visits) + len(self.unplaced)
        return len(self.visits) / required if required else 1.0

    def _repr_html_(self) -> str:
        """The plan as two tables in Jupyter: visits placed, and those left out."""
        last = self.end - timedelta(days=1)
        placed = html_table(
            ("day", "rep", "account", "tier", "purpose", "leader joins", "reason"),
            (
                (x.on, x.rep_id, x.account_id, x.tier, x.purpose, x.leader_joins, x.reason)
                for x in self.visits
            ),
            caption=f"Visit plan {self.start} to {last}: {len(self.visits):,} visits placed, "
            f"{len(self.unplaced):,} left out (coverage {self.coverage:.1%})",
            total=len(self.visits),
        )
        if not self.unplaced:
            return placed
        left_out = html_table(
            ("due", "rep", "account", "tier", "purpose", "reason", "detail"),
            (
                (u.due_on, u.rep_id, u.account_id, u.tier, u.purpose, u.reason, u.detail)
                for u in self.unplaced
            ),
            caption=f"{len(self.unplaced):,} visits left out, with the reason",
            total=len(self.unplaced),
        )
        return f"{placed}\n{left_out}"


@attrs.frozen
class PurposeCount:
    """How many visits of one purpose a period holds."""

    purpose: VisitPurpose = attrs.field(validator=v.in_enum(VisitPurpose))
    visits: int = attrs.field(validator=v.not_negative)


@attrs.frozen
class PlanPeriod:
    """One row of a plan view: one rep (or tier) over one week or month.

    ``placed`` counts the visits planned on days of the period (the workload, also by
    purpose); ``required`` the visits falling due in it (overdue ones at the plan start),
    and ``covered`` how many of those the plan places (on any day). ``accounts_due`` and
    ``accounts_covered`` count the accounts with a visit due in the period and those
    whose every such visit is placed. ``capacity`` is the rep's capacity in the period
    (None for a tier row).
    """

    key: str = attrs.field(validator=v.a_name)
    period: str = attrs.field(validator=attrs.validators.in_(("week", "month")))
    starts_on: date = attrs.field(validator=v.plain_date)
    placed: int = attrs.field(validator=v.not_negative)
    required: int = attrs.field(validator=v.not_negative)
    covered: int = attrs.field(default=0, validator=v.not_negative)
    by_purpose: tuple[PurposeCount, ...] = attrs.field(default=(), converter=v.as_tuple)
    accounts_due: int = attrs.field(default=0, validator=v.not_negative)
    accounts_covered: int = attrs.field(default=0, validator=v.not_negative)
    capacity: int | None = attrs.field(default=None, validator=v.optional(v.not_negative))

    @property
    def coverage(self) -> float:
        """Visits due in the period that the plan places, as a share (1.0 when none)."""
        return self.covered / self.required if self.required else 1.0

    @property
    def utilisation(self) -> float | None:
        """Placed visits over capacity (None for a tier row, 0.0 without capacity)."""
        if self.capacity is None:
            return None
        return self.placed / self.capacity if self.capacity else 0.0

    def count(self, purpose: VisitPurpose) -> int:
        """Visits of ``purpose`` placed in the period."""
        return sum(c.visits for c in self.by_purpose if c.purpose is purpose)


@attrs.frozen
class PlanView:
    """A weekly or monthly view of a plan, per rep or per tier, rows ordered by key and
    period start (see [`plan_view`][accountcare.policies.visits.plan_views.plan_view])."""

    by: str = attrs.field(validator=attrs.validators.in_(("rep", "tier")))
    period: str = attrs.field(validator=attrs.validators.in_(("week", "month")))
    rows: tuple[PlanPeriod, ...] = attrs.field(default=(), converter=v.as_tuple)

    @property
    def keys(self) -> tuple[str, ...]:
        """The reps or tiers shown, in order."""
        return tuple(dict.fromkeys(row.key for row in self.rows))

    def for_key(self, key: str) -> tuple[PlanPeriod, ...]:
        """The rows of one rep or tier."""
        return tuple(row for row in self.rows if row.key == key)
