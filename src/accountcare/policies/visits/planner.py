"""The visit planner: which rep sees which account on which day, and what did not fit.

Practitioners plan visits by week from the tier mix, not from a rep's liking for a
customer: visits follow the tier, overdue accounts come first next week, a new account
gets its development visits, leaders join some A visits, and the plan fits each rep's
capacity and working days and says openly what did not fit.

How it decides (see docs/visits.md):

- Accounts are served one after another in this order: priority quadrant (given, or
  from the [PriorityPolicy][accountcare.policies.tiers.priority.PriorityPolicy]: by
  default important = the best tier or a strategic account, urgent = a visit overdue
  or an open complaint), then tier in the cadence's order, then the first due date
  (the more overdue, the earlier), then account id.
- Each account's visits form a chain: an open complaint asks for a follow-up within
  ``cadence.complaint_follow_up_days``; then visits are due every interval after the
  last one (recorded or planned). A visit's window runs from its due day (the plan start
  for an overdue one) for ``interval - min spacing`` days, and never starts less than the
  minimum spacing after the account's previous visit.
- A visit goes on the earliest working day in its window with room under the day
  capacity and the weekly cap; otherwise it is listed with its reason.

>>> from datetime import date
>>> from accountcare.domain import Account
>>> from accountcare.domain.calendars import WorkCalendar
>>> plan = plan_visits([Account("acme", "Acme", owner="rep-li")], {"acme": "A"},
...                    [WorkCalendar("rep-li", "CN")], start=date(2026, 9, 28), weeks=3)
>>> [(v.on.isoformat(), v.purpose.value, v.leader_joins) for v in plan.visits]
[('2026-09-28', 'leader', True), ('2026-10-12', 'routine', False)]
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

import attrs

from accountcare.domain._trusted import trusted
from accountcare.domain.accounts import Account
from accountcare.domain.activity import Complaint, Interaction
from accountcare.domain.cadence import DEFAULT_CADENCE, Cadence, DueDates, TierCadence
from accountcare.domain.calendars import WorkCalendar
from accountcare.domain.tiers import Priority
from accountcare.domain.visits import (
    UnplacedReason,
    UnplacedVisit,
    Visit,
    VisitPlan,
    VisitPurpose,
)
from accountcare.errors import ConfigurationError
from accountcare.policies.tiers.priority import DEFAULT_PRIORITY, PriorityPolicy
from accountcare.policies.visits._capacity import RepDays, rep_days, utilisation
from accountcare.policies.visits.cadence import Tiers, due_dates, tier_labels

__all__ = ["plan_visits"]


def _open_complaints(complaints: Iterable[Complaint], start: date) -> dict[str, list[Complaint]]:
    instant = datetime.combine(start, time(), tzinfo=UTC)
    found: dict[str, list[Complaint]] = {}
    for complaint in complaints:
        if complaint.is_open_at(instant):
            found.setdefault(complaint.account_id, []).append(complaint)
    for items in found.values():
        items.sort(key=lambda c: (c.opened_at, c.id))
    return found


def plan_visits(
    accounts: Iterable[Account],
    tiers: Tiers,
    calendars: Iterable[WorkCalendar] | Mapping[str, WorkCalendar],
    *,
    start: date,
    weeks: int,
    cadence: Cadence = DEFAULT_CADENCE,
    interactions: Iterable[Interaction] = (),
    complaints: Iterable[Complaint] = (),
    priorities: Mapping[str, Priority] | None = None,
    priority_policy: PriorityPolicy = DEFAULT_PRIORITY,
) -> VisitPlan:
    """Plan visits for ``weeks`` weeks from ``start`` (the plan covers ``[start, end)``).

    ``accounts`` are owned by reps (``Account.owner`` is the rep id); ``tiers`` maps
    account ids to tier labels (or is a list of tier assignments); ``calendars`` holds
    one [`WorkCalendar`][accountcare.domain.calendars.WorkCalendar] per rep. Each
    account's quadrant comes from ``priority_policy`` (its tier, whether it is strategic,
    its open complaints and how many days its next visit is overdue at ``start``);
    ``priorities`` overrides the quadrant of the accounts it names. Same input in any
    order gives the same plan.
    """
    accounts = _checked(accounts, start, weeks)
    end = start + timedelta(weeks=weeks)
    reps = rep_days(calendars, start, end)
    dues = due_dates(accounts, tier_labels(tiers), interactions, as_of=start, cadence=cadence)
    open_complaints = _open_complaints(complaints, start)
    planner = _Planner(start.toordinal(), end.toordinal() - 1, cadence, reps)
    given = priorities or {}
    order = _serving_order(accounts, dues, open_complaints, given, priority_policy, cadence, end)
    for account in order:
        planner.serve(account, dues[account.id], open_complaints.get(account.id, []))
    return VisitPlan(
        start=start,
        end=end,
        visits=tuple(sorted(planner.visits, key=lambda v: (v.on, v.rep_id, v.account_id))),
        unplaced=tuple(
            sorted(planner.unplaced, key=lambda u: (u.due_on, u.account_id, u.purpose.value))
        ),
        utilisation=tuple(utilisation(reps, planner.visits, start, end)),
    )


def _checked(accounts: Iterable[Account], start: date, weeks: int) -> list[Account]:
    """The accounts in id order, once the plan's start and length are known to be sound."""
    if not isinstance(start, date) or isinstance(start, datetime):
        raise ConfigurationError(f"a visit plan starts on a date, got {start!r}")
    if isinstance(weeks, bool) or not isinstance(weeks, int) or weeks <= 0:
        raise ConfigurationError(f"a visit plan needs a positive number of weeks, got {weeks!r}")
    ordered = sorted(accounts, key=lambda a: a.id)
    for before, after in itertools.pairwise(ordered):
        if before.id == after.id:
            raise ConfigurationError(f"account {after.id!r} is given twice")
    return ordered


def _serving_order(
    accounts: list[Account],
    dues: Mapping[str, DueDates],
    complaints: Mapping[str, list[Complaint]],
    given: Mapping[str, Priority],
    policy: PriorityPolicy,
    cadence: Cadence,
    end: date,
) -> list[Account]:
    """The accounts in the order they are served: priority quadrant, tier in the
    cadence's order, first due day (the more overdue, the earlier), account id."""
    # The quadrant depends on these facts alone, and few combinations occur in a book.
    known: dict[tuple[str | None, bool, int, int], Priority] = {}

    def key(account: Account) -> tuple[int, int, date, str]:
        due, opened = dues[account.id], complaints.get(account.id, ())
        first_due = due.next_visit_due or end
        if opened:
            first_due = min(first_due, opened[0].opened_at.date())
        priority = given.get(account.id)
        if priority is None:
            facts = (due.tier, account.strategic, len(opened), due.visit_overdue_days)
            if facts not in known:
                known[facts] = policy.prioritise(
                    account.id,
                    tier=due.tier,
                    strategic=account.strategic,
                    open_complaints=len(opened),
                    overdue_days=due.visit_overdue_days,
                ).priority
            priority = known[facts]
        return priority.rank, cadence.tier_rank(due.tier), first_due, account.id

    return sorted(accounts, key=key)


@attrs.define
class _Chain:
    """Where one account's chain of visits stands while it is placed (days as ordinals):
    the last visit, recorded or planned; the next due day; the interval and minimum
    spacing in force; development visits still needed; the day a leader is next due."""

    last: int | None
    next_due: int | None
    every: int | None
    spacing: int
    needed: int
    leader_due: int | None

    @classmethod
    def of(cls, due: DueDates) -> _Chain:
        return cls(
            _ordinal(due.last_visit),
            _ordinal(due.next_visit_due),
            due.visit_every_days,
            due.min_visit_spacing_days,
            due.development_visits_needed,
            _ordinal(due.next_leader_visit_due),
        )

    def next_window(self, first_day: int, last_day: int) -> tuple[int, int, int] | None:
        """The next visit's due day and window, or None when none falls due by
        ``last_day``. The window runs from the due day (``first_day`` for an overdue
        visit) for the interval less the minimum spacing, so that the visit after it can
        still keep the spacing."""
        if self.every is None or self.next_due is None or self.next_due > last_day:
            return None
        lo = max(self.next_due, first_day)
        return self.next_due, lo, lo + max(self.every - self.spacing, 0)

    def visited(self, day: int, leader: bool, rhythm: TierCadence | None) -> None:
        """A visit was placed on ``day``; once developed, the tier's own rhythm applies."""
        self.last = day
        if leader and rhythm is not None and rhythm.leader_visit_every_days is not None:
            self.leader_due = day + rhythm.leader_visit_every_days
        if self.needed:
            self.needed -= 1
            if not self.needed:
                self.every = rhythm.visit_every_days if rhythm else None
                self.spacing = rhythm.min_visit_spacing_days if rhythm else self.spacing

    def move_on(self, base: int) -> None:
        """The next visit is due an interval after ``base``: the day this one was placed,
        or the day its window opened when it did not fit."""
        if self.every is not None:
            self.next_due = base + self.every


def _ordinal(day: date | None) -> int | None:
    return None if day is None else day.toordinal()


class _Wanted(NamedTuple):
    """One visit to place: due on ``due_on``, looked for in ``[lo, until]`` but not before
    ``spacing`` days after the visit on ``after`` (ordinals)."""

    purpose: VisitPurpose
    why: str
    due_on: int
    lo: int
    until: int
    after: int | None = None
    spacing: int = 0
    leader: bool = False


@attrs.define
class _Planner:
    first_day: int
    last_day: int
    cadence: Cadence
    reps: dict[str, RepDays]
    visits: list[Visit] = attrs.Factory(list)
    unplaced: list[UnplacedVisit] = attrs.Factory(list)

    def serve(self, account: Account, due: DueDates, complaints: list[Complaint]) -> None:
        """Place the account's visits of the plan, one after the other: the follow-up of
        its oldest open complaint, then every visit the cadence makes due."""
        chain = _Chain.of(due)
        if complaints:
            self._follow_up(account, due, complaints, chain)
        rhythm = self.cadence.for_tier(due.tier)
        while (window := chain.next_window(self.first_day, self.last_day)) is not None:
            wanted = self._next(due, chain, *window)
            placed = self._place(account, due, wanted)
            if placed is not None:
                chain.visited(placed, wanted.leader, rhythm)
            chain.move_on(wanted.lo if placed is None else placed)

    def _follow_up(
        self, account: Account, due: DueDates, complaints: list[Complaint], chain: _Chain
    ) -> None:
        """Handle complaints quickly: a visit within the follow-up days of the oldest open
        complaint, unless a visit recorded since it opened was its follow-up."""
        first, follow_up = complaints[0], self.cadence.complaint_follow_up_days
        opened = first.opened_at.date().toordinal()
        if (chain.last is not None and chain.last >= opened) or opened > self.last_day:
            return
        why = (
            f"open complaint {first.id!r} ({first.severity.value}) since "
            f"{first.opened_at.date().isoformat()}; follow up within {follow_up} days"
        )
        if len(complaints) > 1:
            why += f" ({len(complaints)} open complaints)"
        # it waits for no spacing after the last recorded visit (planned ones keep theirs)
        lo = max(opened, self.first_day)
        wanted = _Wanted(VisitPurpose.COMPLAINT_FOLLOW_UP, why, opened, lo, lo + follow_up)
        placed = self._place(account, due, wanted)
        if placed is not None:
            chain.last = placed
            chain.needed = max(0, chain.needed - 1)
            if chain.every is not None:
                chain.next_due = placed + chain.every

    def _next(self, due: DueDates, chain: _Chain, due_on: int, lo: int, until: int) -> _Wanted:
        """The visit the chain makes due next, with its purpose and reason."""
        leader = chain.leader_due is not None and lo >= chain.leader_due
        purpose, why = _purpose(due, chain, self.first_day - due_on, leader)
        return _Wanted(purpose, why, due_on, lo, until, chain.last, chain.spacing, leader)

    def _place(self, account: Account, due: DueDates, wanted: _Wanted) -> int | None:
        """Put ``wanted`` on the owner's earliest day with room, or list it with its reason."""
        hi = min(wanted.until, self.last_day)
        lo = wanted.lo if wanted.after is None else max(wanted.lo, wanted.after + wanted.spacing)
        owner = account.owner
        days = self.reps.get(owner) if owner is not None else None
        result: int | UnplacedReason
        if days is None:
            result = UnplacedReason.NO_OWNER if owner is None else UnplacedReason.NO_CALENDAR
        else:
            result = days.place(wanted.lo, lo, hi)
            if wanted.until > self.last_day and result in _CARRIED:
                result = UnplacedReason.NEXT_PLAN
        if isinstance(result, int):
            # Every part is checked already: ids by their records, days by the calendar.
            visit = _trusted_visit(
                account_id=account.id,
                rep_id=owner,
                on=date.fromordinal(result),
                purpose=wanted.purpose,
                reason=wanted.why,
                tier=due.tier,
                due_on=date.fromordinal(wanted.due_on),
                leader_joins=wanted.leader,
                window_start=date.fromordinal(lo),
                window_end=date.fromordinal(hi),
            )
            self.visits.append(visit)
            return result
        searched = lo if result is UnplacedReason.CAPACITY else wanted.lo
        self.unplaced.append(
            UnplacedVisit(
                account_id=account.id,
                rep_id=owner,
                purpose=wanted.purpose,
                due_on=date.fromordinal(wanted.due_on),
                reason=result,
                detail=f"{_DETAILS[result].format(owner=owner)}; {wanted.why}",
                tier=due.tier,
                window_start=date.fromordinal(searched),
                window_end=date.fromordinal(hi),
            )
        )
        return None


_trusted_visit = trusted(Visit)


def _purpose(
    due: DueDates, chain: _Chain, overdue_by: int, leader: bool
) -> tuple[VisitPurpose, str]:
    """What the chain's next visit is for, and why, in words."""
    last, every = chain.last, chain.every
    seen = "never visited" if last is None else f"last visit {date.fromordinal(last).isoformat()}"
    rhythm = f"tier {due.tier}, every {every} days" if due.tier else f"every {every} days"
    if overdue_by > 0:
        purpose = VisitPurpose.OVERDUE
        why = f"overdue by {overdue_by} days ({rhythm}; {seen})"
    elif leader:
        purpose = VisitPurpose.LEADER
        why = f"a leader joins ({rhythm}; {seen})"
    elif chain.needed:
        purpose = VisitPurpose.DEVELOPMENT
        why = f"developing a new account: {chain.needed} more development visits needed ({seen})"
    else:
        purpose = VisitPurpose.ROUTINE
        why = f"{rhythm}; {seen}"
    if leader and purpose is not VisitPurpose.LEADER:
        why += "; a leader joins"
    return purpose, why


_CARRIED = (UnplacedReason.NO_WORKING_DAY, UnplacedReason.SPACING)


# Why a visit was left out, in words ({owner}: the rep), put before the visit's reason.
_DETAILS = {
    UnplacedReason.CAPACITY: "every working day of {owner} in the window is full",
    UnplacedReason.NO_WORKING_DAY: "{owner} has no working day in the window inside the plan",
    UnplacedReason.SPACING: "the window closes before the minimum spacing after the last visit",
    UnplacedReason.NEXT_PLAN: (
        "no day inside the plan could take it and its window runs on; plan it next"
    ),
    UnplacedReason.NO_OWNER: "the account has no owner",
    UnplacedReason.NO_CALENDAR: "rep {owner} has no work calendar",
}
