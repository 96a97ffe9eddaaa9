"""Weekly and monthly views of a visit plan, per rep or per tier.

Visits are planned by week and month from the number of accounts to see and the tier
mix, so a plan is read the same way. A view is a
[`PlanView`][accountcare.domain.visits.PlanView] of rows, one per rep (or tier) and period:
visits placed by purpose, coverage of the visits due (placed / required) and, for reps,
utilisation of their capacity.

Workload (``placed``, visits by purpose, utilisation) counts each visit in the period of
the day it is placed on. Coverage counts each required visit, placed or left out, in the
period it falls due (an overdue one at the plan start): of the visits due that week, how
many does the plan place.
Weeks start on Monday (ISO weeks); months on the 1st. Periods are all those touching
the plan, even those only partly inside it.

>>> from datetime import date
>>> from accountcare.domain import Account
>>> from accountcare.domain.calendars import WorkCalendar
>>> from accountcare.policies.visits.planner import plan_visits
>>> plan = plan_visits([Account("acme", "Acme", owner="rep-li")], {"acme": "A"},
...                    [WorkCalendar("rep-li", "CN")], start=date(2026, 11, 2), weeks=4)
>>> view = plan_view(plan, by="tier", period="month")
>>> [(r.key, r.starts_on.isoformat(), r.placed, r.required) for r in view.rows]
[('A', '2026-11-01', 2, 2)]
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from accountcare.domain.visits import (
    PlanPeriod,
    PlanView,
    PurposeCount,
    UnplacedVisit,
    Visit,
    VisitPlan,
    VisitPurpose,
)
from accountcare.errors import ConfigurationError

__all__ = ["NO_OWNER_KEY", "UNTIERED_KEY", "period_start", "periods", "plan_view"]

# Row keys for visits without a rep (an account with no owner) or without a tier.
NO_OWNER_KEY = "(no owner)"
UNTIERED_KEY = "(untiered)"


def period_start(day: date, period: str) -> date:
    """The Monday of ``day``'s week, or the first of its month.

    >>> period_start(date(2026, 11, 5), "week"), period_start(date(2026, 11, 5), "month")
    (datetime.date(2026, 11, 2), datetime.date(2026, 11, 1))
    """
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    raise ConfigurationError(f"a plan period is 'week' or 'month', not {period!r}")


def periods(start: date, end: date, period: str) -> tuple[date, ...]:
    """The starts of every week or month touching ``[start, end)``."""
    found = []
    current = period_start(start, period)
    while current < end:
        found.append(current)
        current = period_start(current + timedelta(days=7 if period == "week" else 32), period)
    return tuple(found)


def plan_view(plan: VisitPlan, *, by: str = "rep", period: str = "week") -> PlanView:
    """Rows per rep (``by="rep"``) or tier (``by="tier"``) and per week or month.

    Rep rows cover every rep with a work calendar in the plan, and any rep named by a
    visit; tier rows every tier named by a visit. Rows are ordered by key, then period.
    """
    if by not in ("rep", "tier"):
        raise ConfigurationError(f"a plan view is by 'rep' or 'tier', not {by!r}")
    tally = _Tally(plan, by, period)
    for visit in plan.visits:
        tally.placed_visit(visit)
    for missed in plan.unplaced:
        tally.left_out(missed)
    if by == "rep":
        for row in plan.utilisation:
            if row.period == period:
                tally.keys.add(row.rep_id)
                tally.capacity[(row.rep_id, row.starts_on)] = row.capacity
    starts = periods(plan.start, plan.end, period)
    rows = [tally.row(key, starts_on) for key in sorted(tally.keys) for starts_on in starts]
    return PlanView(by=by, period=period, rows=rows)


class _Tally:
    """Visits placed per (key, period) by purpose, and per account the visits falling due
    in each (key, period): [due, due and placed]."""

    def __init__(self, plan: VisitPlan, by: str, period: str) -> None:
        self.start, self.by, self.period = plan.start, by, period
        self.keys: set[str] = set()
        self.placed: dict[tuple[str, date], list[VisitPurpose]] = {}
        self.due: dict[tuple[str, date], dict[str, list[int]]] = {}
        self.capacity: dict[tuple[str, date], int] = {}

    def placed_visit(self, visit: Visit) -> None:
        key = self._key(visit.rep_id, visit.tier)
        self.placed.setdefault((key, period_start(visit.on, self.period)), []).append(visit.purpose)
        self._count_due(key, visit.account_id, visit.due_on, 1)

    def left_out(self, missed: UnplacedVisit) -> None:
        key = self._key(missed.rep_id or NO_OWNER_KEY, missed.tier)
        self._count_due(key, missed.account_id, missed.due_on, 0)

    def _key(self, rep_id: str, tier: str | None) -> str:
        key = rep_id if self.by == "rep" else tier or UNTIERED_KEY
        self.keys.add(key)
        return key

    def _count_due(self, key: str, account_id: str, due_on: date | None, placed: int) -> None:
        # an overdue visit falls due at the plan start
        when = period_start(max(due_on or self.start, self.start), self.period)
        tally = self.due.setdefault((key, when), {}).setdefault(account_id, [0, 0])
        tally[0] += 1
        tally[1] += placed

    def row(self, key: str, starts_on: date) -> PlanPeriod:
        done = self.placed.get((key, starts_on), [])
        tallies = self.due.get((key, starts_on), {})
        counts = Counter(done)
        return PlanPeriod(
            key=key,
            period=self.period,
            starts_on=starts_on,
            placed=len(done),
            required=sum(t[0] for t in tallies.values()),
            covered=sum(t[1] for t in tallies.values()),
            by_purpose=tuple(PurposeCount(p, counts[p]) for p in VisitPurpose),
            accounts_due=len(tallies),
            accounts_covered=sum(1 for t in tallies.values() if t[0] == t[1]),
            capacity=self.capacity.get((key, starts_on), 0) if self.by == "rep" else None,
        )
