"""Hypothesis strategies for visit planning: calendars, cadences, visits and whole
planning problems small enough to shrink well.

Importing this module registers a strategy for each value type, so
``st.from_type(WorkCalendar)`` works.
[`planning_inputs`][accountcare.testing.visits.planning_inputs] draws a complete input for
[`accountcare.policies.visits.planner.plan_visits`][accountcare.policies.visits.planner.plan_visits].

>>> from hypothesis import given
>>> @given(work_calendars())
... def test(calendar):
...     assert calendar.working_weekdays
>>> test()
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import attrs
from hypothesis import strategies as st

from accountcare.domain.accounts import Account, LifecycleStage, NewCustomerKind
from accountcare.domain.activity import Complaint, Interaction, InteractionKind
from accountcare.domain.cadence import Cadence, TierCadence
from accountcare.domain.calendars import WorkCalendar
from accountcare.domain.tiers import Priority
from accountcare.domain.visits import (
    UnplacedReason,
    UnplacedVisit,
    Utilisation,
    Visit,
    VisitChecklist,
    VisitPurpose,
)
from accountcare.testing._strategies.fields import days, lines, texts

__all__ = [
    "PLACES",
    "PlanningInputs",
    "cadences",
    "planning_inputs",
    "tier_cadences",
    "unplaced_visits",
    "utilisations",
    "visits",
    "work_calendars",
]

# Countries (and subdivisions) with holidays worth testing against: lunar festivals,
# make-up working days, regional holidays.
PLACES: tuple[tuple[str, str | None], ...] = (
    ("CN", None),
    ("KR", None),
    ("TW", None),
    ("DE", "BY"),
    ("DE", None),
    ("US", None),
)

_IDS = st.text(alphabet="abcdefgh0123456789", min_size=1, max_size=6)


@st.composite
def work_calendars(
    draw: st.DrawFn,
    rep_id: st.SearchStrategy[str] | None = None,
    first: date = date(2026, 1, 1),
    last: date = date(2027, 12, 31),
    max_per_day: int = 4,
) -> WorkCalendar:
    """A rep's calendar in a real country, with leave between ``first`` and ``last``."""
    country, subdivision = draw(st.sampled_from(PLACES))
    weekdays = draw(st.frozensets(st.integers(0, 6), min_size=1, max_size=7))
    return WorkCalendar(
        rep_id=draw(rep_id if rep_id is not None else _IDS.map(lambda s: f"rep-{s}")),
        country=country,
        subdivision=subdivision,
        working_weekdays=weekdays,
        leave=draw(st.frozensets(days(first, last), max_size=6)),
        extra_days_off=draw(st.frozensets(days(first, last), max_size=2)),
        visits_per_day=draw(st.integers(1, max_per_day)),
        weekly_cap=draw(st.none() | st.integers(1, 5 * max_per_day)),
        make_up_workdays=draw(st.booleans()),
    )


@st.composite
def tier_cadences(draw: st.DrawFn, tier: str = "A", max_days: int = 60) -> TierCadence:
    """One tier's rhythm, spacing never above the interval."""
    every = draw(st.integers(1, max_days))
    return TierCadence(
        tier=tier,
        visit_every_days=every,
        call_every_days=draw(st.integers(1, max_days)),
        leader_visit_every_days=draw(st.none() | st.integers(1, 4 * max_days)),
        min_visit_spacing_days=draw(st.integers(1, every)),
    )


@st.composite
def cadences(draw: st.DrawFn, tiers: tuple[str, ...] = ("A", "B", "C")) -> Cadence:
    """A cadence over ``tiers`` (in that order) with small intervals."""
    return Cadence(
        tiers=[draw(tier_cadences(tier=t)) for t in tiers],
        development_visits=draw(st.integers(1, 6)),
        development_window_days=draw(st.integers(7, 120)),
        complaint_follow_up_days=draw(st.integers(1, 14)),
    )


def visits() -> st.SearchStrategy[Visit]:
    """A planned visit (not necessarily from a plan)."""
    return st.builds(
        Visit,
        account_id=_IDS,
        rep_id=_IDS,
        on=days(date(2026, 1, 1), date(2027, 12, 31)),
        purpose=st.sampled_from(VisitPurpose),
        reason=lines(max_size=20),
        tier=st.none() | st.sampled_from(("A", "B", "C")),
        due_on=st.none() | days(date(2025, 6, 1), date(2027, 12, 31)),
        leader_joins=st.booleans(),
        checklist=st.builds(VisitChecklist),
    )


def unplaced_visits() -> st.SearchStrategy[UnplacedVisit]:
    """A visit left out of a plan, with its reason."""
    return st.builds(
        UnplacedVisit,
        account_id=_IDS,
        rep_id=st.none() | _IDS,
        purpose=st.sampled_from(VisitPurpose),
        due_on=days(date(2025, 6, 1), date(2027, 12, 31)),
        reason=st.sampled_from(UnplacedReason),
        detail=texts(max_size=20),
        tier=st.none() | st.sampled_from(("A", "B", "C")),
    )


@st.composite
def utilisations(draw: st.DrawFn) -> Utilisation:
    """A rep's load over a week or month (planned never above capacity)."""
    capacity = draw(st.integers(0, 40))
    return Utilisation(
        rep_id=draw(_IDS),
        period=draw(st.sampled_from(("week", "month"))),
        starts_on=draw(days(date(2026, 1, 1), date(2027, 12, 31))),
        planned=draw(st.integers(0, capacity)),
        capacity=capacity,
    )


@attrs.frozen
class PlanningInputs:
    """Everything [`plan_visits`][accountcare.policies.visits.planner.plan_visits] takes."""

    accounts: tuple[Account, ...]
    tiers: dict[str, str] = attrs.field(hash=False)
    calendars: tuple[WorkCalendar, ...]
    interactions: tuple[Interaction, ...]
    complaints: tuple[Complaint, ...]
    cadence: Cadence
    start: date
    weeks: int
    priorities: dict[str, Priority] | None = attrs.field(default=None, hash=False)

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``plan_visits``."""
        return attrs.asdict(self, recurse=False)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=UTC)


@st.composite
def planning_inputs(
    draw: st.DrawFn,
    max_accounts: int = 12,
    max_reps: int = 3,
    max_weeks: int = 6,
    max_per_day: int = 3,
    with_priorities: bool = False,
) -> PlanningInputs:
    """A small planning problem: accounts owned by a few reps (some without an owner or
    without a calendar), tiers (some missing), history, open complaints."""
    start = draw(days(date(2026, 1, 1), date(2027, 10, 1)))
    weeks = draw(st.integers(1, max_weeks))
    end = start + timedelta(weeks=weeks)
    reps = [f"rep-{n}" for n in range(draw(st.integers(1, max_reps)))]
    calendars = tuple(
        draw(work_calendars(rep_id=st.just(rep), first=start, last=end, max_per_day=max_per_day))
        for rep in reps
        if draw(st.integers(0, 9))  # now and then a rep has no calendar
    )
    owners = st.none() | st.sampled_from(reps) if draw(st.booleans()) else st.sampled_from(reps)
    book = [draw(_account(n, owners, start)) for n in range(draw(st.integers(1, max_accounts)))]
    accounts = tuple(account for account, _, _, _ in book)
    priorities = None
    if with_priorities:
        priorities = {a.id: draw(st.sampled_from(Priority)) for a in accounts}
    return PlanningInputs(
        accounts=accounts,
        tiers={account.id: tier for account, tier, _, _ in book if tier is not None},
        calendars=calendars,
        interactions=tuple(touch for _, _, touches, _ in book for touch in touches),
        complaints=tuple(complaint for *_, complaint in book if complaint is not None),
        cadence=draw(cadences()),
        start=start,
        weeks=weeks,
        priorities=priorities,
    )


@st.composite
def _account(
    draw: st.DrawFn, n: int, owners: st.SearchStrategy[str | None], start: date
) -> tuple[Account, str | None, list[Interaction], Complaint | None]:
    """One account of a planning problem: its tier (or none), visits and calls before
    ``start``, and now and then an open complaint."""
    account_id = f"acct-{n:02d}"
    account = Account(
        account_id,
        f"Account {n}",
        owner=draw(owners),
        stage=draw(st.sampled_from(LifecycleStage)),
        new_customer_kind=draw(st.none() | st.sampled_from(NewCustomerKind)),
        strategic=draw(st.booleans()),
    )
    tier = draw(st.none() | st.sampled_from(("A", "B", "C")))
    touches = [
        Interaction(
            f"{account_id}-i{k}",
            account_id,
            _at(start - timedelta(days=ago)),
            draw(st.sampled_from((InteractionKind.VISIT, InteractionKind.CALL))),
            by="rep",
            leader_joined=draw(st.booleans()),
        )
        for k, ago in enumerate(draw(st.lists(st.integers(1, 200), max_size=3)))
    ]
    complaint = None
    if draw(st.integers(0, 4)) == 0:
        opened = start - timedelta(days=draw(st.integers(0, 40)))
        complaint = Complaint(f"{account_id}-c", account_id, _at(opened))
    return account, tier, touches, complaint


st.register_type_strategy(WorkCalendar, work_calendars())
st.register_type_strategy(TierCadence, tier_cadences())
st.register_type_strategy(Cadence, cadences())
st.register_type_strategy(Visit, visits())
st.register_type_strategy(UnplacedVisit, unplaced_visits())
st.register_type_strategy(Utilisation, utilisations())
st.register_type_strategy(VisitChecklist, st.builds(VisitChecklist))
