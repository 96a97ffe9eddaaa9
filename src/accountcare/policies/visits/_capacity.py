"""Each rep's room in a visit plan: working days, what is left on each, and utilisation.

The planner asks `RepDays` for the earliest day with room in a window, many
thousand times a plan, so the days are ordinals and full days are skipped at once (a
union-find over the days: each full day points at the next one that may have room).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from datetime import date

from accountcare.domain.calendars import WorkCalendar
from accountcare.domain.visits import UnplacedReason, Utilisation, Visit
from accountcare.errors import ConfigurationError
from accountcare.policies.visits.plan_views import period_start, periods
from accountcare.policies.visits.workdays import working_days


class RepDays:
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


def rep_days(
    calendars: Iterable[WorkCalendar] | Mapping[str, WorkCalendar], start: date, end: date
) -> dict[str, RepDays]:
    """Each rep's days in ``[start, end)``, by rep id in id order; one calendar a rep."""
    items = list(calendars.values()) if isinstance(calendars, Mapping) else list(calendars)
    seen: set[str] = set()
    for calendar in items:
        if not isinstance(calendar, WorkCalendar):
            raise ConfigurationError(f"calendars must be WorkCalendars, got {calendar!r}")
        if calendar.rep_id in seen:
            raise ConfigurationError(f"rep {calendar.rep_id!r} has two work calendars")
        seen.add(calendar.rep_id)
    return {c.rep_id: RepDays(c, start, end) for c in sorted(items, key=lambda c: c.rep_id)}


def utilisation(
    reps: dict[str, RepDays], visits: list[Visit], start: date, end: date
) -> list[Utilisation]:
    """Planned visits against capacity per rep, week and month of the plan: the day
    capacity over the working days, at most the weekly cap in each week."""
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
        for period in ("week", "month"):
            for starts_on in periods(start, end, period):
                used = planned.get((rep_id, period, starts_on), 0)
                room = capacity.get((period, starts_on), 0)
                rows.append(Utilisation(rep_id, period, starts_on, used, room))
    return rows
