"""The visit planner: which rep sees which account on which day, and what did not fit.

DOMAIN.md section 4: visits follow the tier, overdue accounts come first, a new account
gets its development visits, leaders join some A visits, and the plan fits each rep's
capacity and working days and says openly what did not fit.

How it decides (see docs/visits.md):

- Accounts are served one after another in this order: priority quadrant (given, or
  derived: important = first tier of the cadence or a strategic account, urgent =
  overdue or an open complaint), then tier in the cadence's order, then the first due
  date (the more overdue, the earlier), then account id.
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

import bisect
import itertools
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta

import attrs

from accountcare.domain.accounts import Account
from accountcare.domain.activity import Complaint, Interaction
from accountcare.domain.cadence import DEFAULT_CADENCE, Cadence, DueDates
from accountcare.domain.calendars import WorkCalendar
from accountcare.domain.tiers import Priority
from accountcare.domain.visits import (
    UnplacedReason,
    UnplacedVisit,
    Utilisation,
    Visit,
    VisitPlan,
    VisitPurpose,
)
from accountcare.errors import ConfigurationError
from accountcare.policies.visits.cadence import Tiers, due_dates, tier_labels
from accountcare.policies.visits.plan_views import period_start, periods
from accountcare.policies.visits.workdays import working_days

__all__ = ["derive_priority", "plan_visits"]


class _RepDays:
    """One rep's working days in the plan and the room left on each (ordinals inside)."""

    def __init__(self, calendar: WorkCalendar, start: date, end: date) -> None:
        self.calendar = calendar
        self.days = working_days(calendar, start, end)
        self.ords = [day.toordinal() for day in self.days]
        self.left = [calendar.visits_per_day] * len(self.ords)
        # ordinal of the Monday of each day's ISO week (ordinal 1 is a Monday)
        self.week = [o - (o - 1) % 7 for o in self.ords]
        self.week_left: dict[int, int] = {}
        if calendar.weekly_cap is not None:
            self.week_left = dict.fromkeys(self.week, calendar.weekly_cap)
        self.next_free = list(range(len(self.ords) + 1))  # union-find over full days

    def _find(self, i: int) -> int:
        root = i
        parent = self.next_free
        while parent[root] != root:
            root = parent[root]
        while parent[i] != root:
            parent[i], i = root, parent[i]
        return root

    def place(self, raw_lo: int, lo: int, hi: int) -> int | UnplacedReason:
        """Take the earliest day with room in ``[lo, hi]`` (ordinals, inclusive);
        ``raw_lo`` is the window start before spacing pushed it to ``lo``."""
        ords = self.ords
        end = bisect.bisect_right(ords, hi)
        if bisect.bisect_left(ords, raw_lo) >= end:
            return UnplacedReason.NO_WORKING_DAY
        first = bisect.bisect_left(ords, lo)
        if first >= end:
            return UnplacedReason.SPACING
        i = self._find(first)
        if i >= end:
            return UnplacedReason.CAPACITY
        self.left[i] -= 1
        if not self.left[i]:
            self.next_free[i] = i + 1
        if self.week_left:
            week = self.week[i]
            self.week_left[week] -= 1
            if not self.week_left[week]:
                for j in range(bisect.bisect_left(self.week, week), len(ords)):
                    if self.week[j] != week:
                        break
                    self.next_free[j] = j + 1
        return ords[i]


def derive_priority(account: Account, due: DueDates, cadence: Cadence, complaint: bool) -> Priority:
    """Importance x urgency when none is given: important = the cadence's first tier or a
    strategic account; urgent = the next visit is overdue or a complaint is open."""
    first = cadence.tiers[0].tier if cadence.tiers else None
    important = account.strategic or (due.tier is not None and due.tier == first)
    urgent = complaint or due.visit_overdue_days > 0
    if important:
        return Priority.IMPORTANT_URGENT if urgent else Priority.IMPORTANT
    return Priority.URGENT if urgent else Priority.NEITHER


def _calendars(
    calendars: Iterable[WorkCalendar] | Mapping[str, WorkCalendar],
) -> list[WorkCalendar]:
    items = list(calendars.values()) if isinstance(calendars, Mapping) else list(calendars)
    seen: set[str] = set()
    for calendar in items:
        if not isinstance(calendar, WorkCalendar):
            raise ConfigurationError(f"calendars must be WorkCalendars, got {calendar!r}")
        if calendar.rep_id in seen:
            raise ConfigurationError(f"rep {calendar.rep_id!r} has two work calendars")
        seen.add(calendar.rep_id)
    return sorted(items, key=lambda c: c.rep_id)


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
) -> VisitPlan:
    """Plan visits for ``weeks`` weeks from ``start`` (the plan covers ``[start, end)``).

    ``accounts`` are owned by reps (``Account.owner`` is the rep id); ``tiers`` maps
    account ids to tier labels (or is a list of tier assignments); ``calendars`` holds
    one :class:`WorkCalendar` per rep. ``priorities`` overrides the derived quadrant of
    the accounts it names. Same input in any order gives the same plan.
    """
    if not isinstance(start, date) or isinstance(start, datetime):
        raise ConfigurationError(f"a visit plan starts on a date, got {start!r}")
    if isinstance(weeks, bool) or not isinstance(weeks, int) or weeks <= 0:
        raise ConfigurationError(f"a visit plan needs a positive number of weeks, got {weeks!r}")
    accounts = sorted(accounts, key=lambda a: a.id)
    for before, after in itertools.pairwise(accounts):
        if before.id == after.id:
            raise ConfigurationError(f"account {after.id!r} is given twice")
    end = start + timedelta(weeks=weeks)
    reps = {c.rep_id: _RepDays(c, start, end) for c in _calendars(calendars)}
    dues = due_dates(accounts, tier_labels(tiers), interactions, as_of=start, cadence=cadence)
    open_complaints = _open_complaints(complaints, start)
    given = priorities or {}
    ranked = []
    for account in accounts:
        due = dues[account.id]
        complained = account.id in open_complaints
        priority = given.get(account.id) or derive_priority(account, due, cadence, complained)
        first_due = due.next_visit_due or end
        if complained:
            first_due = min(first_due, open_complaints[account.id][0].opened_at.date())
        ranked.append((priority.rank, cadence.tier_rank(due.tier), first_due, account.id, account))
    ranked.sort(key=lambda r: r[:4])
    planner = _Planner(start, end, cadence, reps)
    for *_, account in ranked:
        planner.serve(account, dues[account.id], open_complaints.get(account.id, []))
    return VisitPlan(
        start=start,
        end=end,
        visits=tuple(sorted(planner.visits, key=lambda v: (v.on, v.rep_id, v.account_id))),
        unplaced=tuple(
            sorted(planner.unplaced, key=lambda u: (u.due_on, u.account_id, u.purpose.value))
        ),
        utilisation=tuple(_utilisation(reps, planner.visits, start, end)),
    )


@attrs.define
class _Planner:
    start: date
    end: date
    cadence: Cadence
    reps: dict[str, _RepDays]
    visits: list[Visit] = attrs.Factory(list)
    unplaced: list[UnplacedVisit] = attrs.Factory(list)

    def serve(self, account: Account, due: DueDates, complaints: list[Complaint]) -> None:
        """Place the account's visits of the plan, one after the other."""
        start, last_day = self.start.toordinal(), self.end.toordinal() - 1
        rhythm = self.cadence.for_tier(due.tier)
        owner = account.owner
        days = self.reps.get(owner) if owner is not None else None
        missing = None
        if owner is None:
            missing = UnplacedReason.NO_OWNER
        elif days is None:
            missing = UnplacedReason.NO_CALENDAR
        last = due.last_visit.toordinal() if due.last_visit else None
        spacing, every = due.min_visit_spacing_days, due.visit_every_days
        needed = due.development_visits_needed
        leader_every = rhythm.leader_visit_every_days if rhythm else None
        leader_due = due.next_leader_visit_due.toordinal() if due.next_leader_visit_due else None
        next_due = due.next_visit_due.toordinal() if due.next_visit_due else None

        def attempt(
            due_on: int,
            lo: int,
            until: int,
            purpose: VisitPurpose,
            why: str,
            after: int | None,
            leader: bool = False,
        ) -> int | None:
            """Place one visit due on ``due_on`` in ``[lo, until]``, at least the spacing
            after the visit on ``after``; list it with its reason when it does not fit."""
            hi = min(until, last_day)
            eff = lo if after is None else max(lo, after + spacing)
            result: int | UnplacedReason
            if missing is not None or days is None:
                result = missing or UnplacedReason.NO_CALENDAR
            else:
                result = days.place(lo, eff, hi)
                if until > last_day and result in _CARRIED:
                    result = UnplacedReason.NEXT_PLAN
            if isinstance(result, int):
                self.visits.append(
                    Visit(
                        account_id=account.id,
                        rep_id=owner or "",
                        on=date.fromordinal(result),
                        purpose=purpose,
                        reason=why,
                        tier=due.tier,
                        due_on=date.fromordinal(due_on),
                        leader_joins=leader,
                        window_start=date.fromordinal(eff),
                        window_end=date.fromordinal(hi),
                    )
                )
                return result
            searched = eff if result is UnplacedReason.CAPACITY else lo
            self.unplaced.append(
                UnplacedVisit(
                    account_id=account.id,
                    rep_id=owner,
                    purpose=purpose,
                    due_on=date.fromordinal(due_on),
                    reason=result,
                    detail=_detail(result, why, owner),
                    tier=due.tier,
                    window_start=date.fromordinal(searched),
                    window_end=date.fromordinal(hi),
                )
            )
            return None

        first = complaints[0] if complaints else None
        opened = first.opened_at.date().toordinal() if first else last_day + 1
        # a visit recorded since the complaint opened was its follow-up
        if first is not None and (last is None or last < opened) and opened <= last_day:
            lo = max(opened, start)
            hi = lo + self.cadence.complaint_follow_up_days
            why = (
                f"open complaint {first.id!r} ({first.severity.value}) since "
                f"{first.opened_at.date().isoformat()}; follow up within "
                f"{self.cadence.complaint_follow_up_days} days"
            )
            if len(complaints) > 1:
                why += f" ({len(complaints)} open complaints)"
            # handle complaints quickly: the follow-up waits for no spacing after the
            # last recorded visit (planned visits keep their spacing from it)
            placed = attempt(opened, lo, hi, VisitPurpose.COMPLAINT_FOLLOW_UP, why, None)
            if placed is not None:
                last = placed
                needed = max(0, needed - 1)
                if every is not None:
                    next_due = placed + every
        while every is not None and next_due is not None and next_due <= last_day:
            lo = max(next_due, start)
            hi = lo + max(every - spacing, 0)
            leader = leader_due is not None and lo >= leader_due
            purpose, why = _purpose(due, next_due, start, every, needed, leader, last)
            placed = attempt(next_due, lo, hi, purpose, why, last, leader)
            base = lo
            if placed is not None:
                base = last = placed
                if leader and leader_every is not None:
                    leader_due = placed + leader_every
                if needed:
                    needed -= 1
                    if not needed:
                        every = rhythm.visit_every_days if rhythm else None
                        spacing = rhythm.min_visit_spacing_days if rhythm else spacing
            if every is not None:
                next_due = base + every


def _purpose(
    due: DueDates, due_on: int, start: int, every: int, needed: int, leader: bool, last: int | None
) -> tuple[VisitPurpose, str]:
    seen = "never visited" if last is None else f"last visit {date.fromordinal(last).isoformat()}"
    rhythm = f"tier {due.tier}, every {every} days" if due.tier else f"every {every} days"
    if due_on < start:
        purpose = VisitPurpose.OVERDUE
        why = f"overdue by {start - due_on} days ({rhythm}; {seen})"
    elif leader:
        purpose = VisitPurpose.LEADER
        why = f"a leader joins ({rhythm}; {seen})"
    elif needed:
        purpose = VisitPurpose.DEVELOPMENT
        why = f"developing a new account: {needed} more development visits needed ({seen})"
    else:
        purpose = VisitPurpose.ROUTINE
        why = f"{rhythm}; {seen}"
    if leader and purpose is not VisitPurpose.LEADER:
        why += "; a leader joins"
    return purpose, why


_CARRIED = (UnplacedReason.NO_WORKING_DAY, UnplacedReason.SPACING)


def _detail(reason: UnplacedReason, why: str, owner: str | None) -> str:
    if reason is UnplacedReason.CAPACITY:
        return f"every working day of {owner} in the window is full; {why}"
    if reason is UnplacedReason.NO_WORKING_DAY:
        return f"{owner} has no working day in the window inside the plan; {why}"
    if reason is UnplacedReason.SPACING:
        return f"the window closes before the minimum spacing after the last visit; {why}"
    if reason is UnplacedReason.NEXT_PLAN:
        return f"no day inside the plan could take it and its window runs on; plan it next; {why}"
    if reason is UnplacedReason.NO_OWNER:
        return f"the account has no owner; {why}"
    return f"rep {owner} has no work calendar; {why}"


def _utilisation(
    reps: dict[str, _RepDays], visits: list[Visit], start: date, end: date
) -> list[Utilisation]:
    planned: dict[tuple[str, str, date], int] = {}
    for visit in visits:
        for period in ("week", "month"):
            key = (visit.rep_id, period, period_start(visit.on, period))
            planned[key] = planned.get(key, 0) + 1
    rows = []
    for rep_id, days in reps.items():
        cap, weekly = days.calendar.visits_per_day, days.calendar.weekly_cap
        # capacity of each (week, month) part: the day capacity, at most the weekly cap
        parts: dict[tuple[date, date], int] = {}
        for day in days.days:
            part = (period_start(day, "week"), period_start(day, "month"))
            parts[part] = parts.get(part, 0) + cap
        capacity: dict[tuple[str, date], int] = {}
        for (_, month), room in parts.items():
            room = room if weekly is None else min(room, weekly)
            capacity[("month", month)] = capacity.get(("month", month), 0) + room
        for week in {w for w, _ in parts}:
            room = sum(r for (w, _), r in parts.items() if w == week)
            capacity[("week", week)] = room if weekly is None else min(room, weekly)
        for period, starts_on in [
            (p, s) for p in ("week", "month") for s in periods(start, end, p)
        ]:
            used = planned.get((rep_id, period, starts_on), 0)
            room = capacity.get((period, starts_on), 0)
            rows.append(Utilisation(rep_id, period, starts_on, used, room))
    return rows
