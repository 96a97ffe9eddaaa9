"""Property tests: the visit-plan laws, on small random planning problems."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar

import attrs
import holidays
from hypothesis import given
from hypothesis import strategies as st

from accountcare.domain.tiers import Priority
from accountcare.domain.visits import UnplacedReason, VisitPlan, VisitPurpose
from accountcare.policies.tiers.priority import PriorityPolicy
from accountcare.policies.visits.cadence import due_dates, is_developing
from accountcare.policies.visits.planner import plan_visits
from accountcare.policies.visits.workdays import working_days
from accountcare.testing.visits import PlanningInputs, planning_inputs

T = TypeVar("T")


def plan_of(inputs: PlanningInputs) -> VisitPlan:
    return plan_visits(**inputs.kwargs())


@given(planning_inputs())
def test_planner_never_exceeds_day_capacity_or_weekly_cap(inputs: PlanningInputs) -> None:
    plan = plan_of(inputs)
    per_day = Counter((v.rep_id, v.on) for v in plan.visits)
    per_week = Counter((v.rep_id, v.on.isocalendar()[:2]) for v in plan.visits)
    calendars = {c.rep_id: c for c in inputs.calendars}
    for (rep, _), count in per_day.items():
        assert count <= calendars[rep].visits_per_day
    for (rep, _), count in per_week.items():
        cap = calendars[rep].weekly_cap
        assert cap is None or count <= cap


@given(planning_inputs())
def test_planner_never_places_a_visit_on_a_non_working_day(inputs: PlanningInputs) -> None:
    plan = plan_of(inputs)
    calendars = {c.rep_id: c for c in inputs.calendars}
    for visit in plan.visits:
        calendar = calendars[visit.rep_id]
        public = holidays.country_holidays(
            calendar.country, subdiv=calendar.subdivision, years=visit.on.year
        )
        assert visit.on not in public, f"{visit.on} is a public holiday"
        assert visit.on not in calendar.leave
        assert visit.on not in calendar.extra_days_off
        make_up = calendar.make_up_workdays and visit.on in getattr(public, "weekend_workdays", ())
        assert visit.on.weekday() in calendar.working_weekdays or make_up
        assert visit.on in working_days(calendar, plan.start, plan.end)


@given(planning_inputs())
def test_planner_keeps_each_accounts_minimum_spacing(inputs: PlanningInputs) -> None:
    plan = plan_of(inputs)
    dues = due_dates(
        inputs.accounts,
        inputs.tiers,
        inputs.interactions,
        as_of=inputs.start,
        cadence=inputs.cadence,
    )
    accounts = {a.id: a for a in inputs.accounts}
    for account_id, due in dues.items():
        own = [v for v in plan.visits if v.account_id == account_id]
        if not own:
            continue
        # the least spacing that can apply to the account: its tier's, or the
        # development spacing while it is being developed
        rhythm = inputs.cadence.for_tier(due.tier)
        spacing = [rhythm.min_visit_spacing_days] if rhythm else []
        if is_developing(accounts[account_id]):
            spacing.append(max(1, inputs.cadence.development_every_days // 2))
        if not spacing:  # no rhythm: at most the follow-up of an open complaint
            assert [v.purpose for v in own] == [VisitPurpose.COMPLAINT_FOLLOW_UP]
            continue
        least = min(spacing)
        days = [v.on for v in own]
        assert days == sorted(days)
        for before, after in itertools.pairwise(days):
            assert (after - before).days >= least
        routine = [v for v in own if v.purpose is not VisitPurpose.COMPLAINT_FOLLOW_UP]
        if due.last_visit is not None and routine:
            assert (routine[0].on - due.last_visit).days >= least


@given(planning_inputs())
def test_every_visit_is_placed_inside_its_window_and_the_plan(inputs: PlanningInputs) -> None:
    plan = plan_of(inputs)
    for visit in plan.visits:
        assert visit.window_start is not None
        assert visit.window_end is not None
        assert plan.start <= visit.window_start <= visit.on <= visit.window_end < plan.end
        assert visit.due_on is not None
        assert visit.due_on <= visit.on


@given(planning_inputs(max_per_day=1))
def test_when_capacity_suffices_every_required_visit_is_placed(inputs: PlanningInputs) -> None:
    roomy = tuple(
        attrs.evolve(c, visits_per_day=len(inputs.accounts) + 1, weekly_cap=None)
        for c in inputs.calendars
    )
    plan = plan_of(attrs.evolve(inputs, calendars=roomy))
    for missed in plan.unplaced:
        # only reasons that no amount of capacity could fix remain (the strategy keeps
        # each tier's spacing within its interval, so spacing never blocks a visit)
        assert missed.reason in _NOT_CAPACITY, missed


_NOT_CAPACITY = {
    UnplacedReason.NO_OWNER,
    UnplacedReason.NO_CALENDAR,
    UnplacedReason.NO_WORKING_DAY,
    UnplacedReason.NEXT_PLAN,
}


@given(planning_inputs(max_accounts=16, max_per_day=1, with_priorities=True))
def test_higher_ranked_visits_are_served_first_when_capacity_is_short(
    inputs: PlanningInputs,
) -> None:
    plan = plan_of(inputs)
    assert inputs.priorities is not None
    rank = {
        a.id: (inputs.priorities[a.id].rank, inputs.cadence.tier_rank(inputs.tiers.get(a.id)))
        for a in inputs.accounts
    }
    for missed in plan.unplaced:
        if missed.reason is not UnplacedReason.CAPACITY:
            continue
        assert missed.window_start is not None
        assert missed.window_end is not None
        for visit in plan.for_rep(missed.rep_id or ""):
            if missed.window_start <= visit.on <= missed.window_end:
                assert rank[visit.account_id] <= rank[missed.account_id], (visit, missed)


@given(
    planning_inputs(max_accounts=16, max_per_day=1),
    st.builds(
        PriorityPolicy,
        important_tiers=st.frozensets(st.sampled_from(["A", "B", "C"])),
        urgent_overdue_days=st.integers(0, 20),
        strategic_is_important=st.booleans(),
    ),
)
def test_the_planners_quadrants_are_the_priority_policys(
    inputs: PlanningInputs, policy: PriorityPolicy
) -> None:
    # The planner has no rule of its own: its order is the policy's quadrant of each
    # account's tier, strategic flag, open complaints and overdue days at the start.
    dues = due_dates(
        inputs.accounts,
        inputs.tiers,
        inputs.interactions,
        as_of=inputs.start,
        cadence=inputs.cadence,
    )
    opening = datetime.combine(inputs.start, time(), tzinfo=UTC)
    complaints = Counter(c.account_id for c in inputs.complaints if c.is_open_at(opening))
    quadrants = {
        a.id: policy.prioritise(
            a.id,
            tier=dues[a.id].tier,
            strategic=a.strategic,
            open_complaints=complaints[a.id],
            overdue_days=dues[a.id].visit_overdue_days,
        ).priority
        for a in inputs.accounts
    }
    derived = plan_visits(**inputs.kwargs(), priority_policy=policy)
    assert derived == plan_of(attrs.evolve(inputs, priorities=quadrants))


@given(planning_inputs(max_accounts=16, max_per_day=1))
def test_higher_tiers_are_served_first_among_equal_priorities(inputs: PlanningInputs) -> None:
    same = {a.id: Priority.NEITHER for a in inputs.accounts}
    plan = plan_of(attrs.evolve(inputs, priorities=same))
    for missed in plan.unplaced:
        if missed.reason is not UnplacedReason.CAPACITY:
            continue
        assert missed.window_start is not None
        assert missed.window_end is not None
        missed_rank = inputs.cadence.tier_rank(missed.tier)
        for visit in plan.for_rep(missed.rep_id or ""):
            if missed.window_start <= visit.on <= missed.window_end:
                assert inputs.cadence.tier_rank(visit.tier) <= missed_rank


@given(planning_inputs())
def test_every_visit_left_out_is_listed_with_its_reason(inputs: PlanningInputs) -> None:
    plan = plan_of(inputs)
    reps = {c.rep_id for c in inputs.calendars}
    for missed in plan.unplaced:
        assert missed.detail
        assert missed.window_start is None or missed.window_start < plan.end
        account = next(a for a in inputs.accounts if a.id == missed.account_id)
        if account.owner is None:
            assert missed.reason is UnplacedReason.NO_OWNER
        elif account.owner not in reps:
            assert missed.reason is UnplacedReason.NO_CALENDAR
    # an account with a visit due at the plan start is never silently forgotten
    dues = due_dates(
        inputs.accounts,
        inputs.tiers,
        inputs.interactions,
        as_of=inputs.start,
        cadence=inputs.cadence,
    )
    seen = {v.account_id for v in plan.visits} | {u.account_id for u in plan.unplaced}
    for account_id, due in dues.items():
        if due.next_visit_due is not None and due.next_visit_due <= inputs.start:
            assert account_id in seen


@given(planning_inputs(), st.randoms(use_true_random=False))
def test_plan_is_independent_of_input_order(inputs: PlanningInputs, rng: random.Random) -> None:
    def shuffled(items: Iterable[T]) -> list[T]:
        copy = list(items)
        rng.shuffle(copy)
        return copy

    reordered = attrs.evolve(
        inputs,
        accounts=tuple(shuffled(inputs.accounts)),
        calendars=tuple(shuffled(inputs.calendars)),
        interactions=tuple(shuffled(inputs.interactions)),
        complaints=tuple(shuffled(inputs.complaints)),
        tiers=dict(shuffled(inputs.tiers.items())),
    )
    assert plan_of(reordered) == plan_of(inputs)


@given(planning_inputs())
def test_utilisation_counts_the_plan_and_never_exceeds_capacity(inputs: PlanningInputs) -> None:
    plan = plan_of(inputs)
    for row in plan.utilisation:
        if row.period == "week":
            placed = [
                v
                for v in plan.for_rep(row.rep_id)
                if row.starts_on <= v.on < row.starts_on + timedelta(days=7)
            ]
        else:
            placed = [
                v
                for v in plan.for_rep(row.rep_id)
                if (v.on.year, v.on.month) == (row.starts_on.year, row.starts_on.month)
            ]
        assert row.planned == len(placed)
        assert row.planned <= row.capacity
    weeks = {(u.rep_id, u.starts_on) for u in plan.utilisation if u.period == "week"}
    assert len(weeks) == len(plan.utilisation) - sum(
        1 for u in plan.utilisation if u.period == "month"
    )
    assert all(u.starts_on.weekday() == 0 for u in plan.utilisation if u.period == "week")
    assert all(isinstance(u.starts_on, date) for u in plan.utilisation)
