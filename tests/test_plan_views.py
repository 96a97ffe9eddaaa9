"""Weekly and monthly plan views per rep and per tier."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accountcare.domain import Account
from accountcare.domain.calendars import WorkCalendar
from accountcare.domain.visits import VisitPurpose
from accountcare.errors import ConfigurationError
from accountcare.policies.visits.plan_views import NO_OWNER_KEY, period_start, periods, plan_view
from accountcare.policies.visits.planner import plan_visits
from accountcare.testing.visits import PlanningInputs, planning_inputs


def small_plan() -> object:
    li = WorkCalendar("rep-li", "CN", visits_per_day=1)
    kim = WorkCalendar("rep-kim", "KR", visits_per_day=2)
    book = [Account(f"li-{k}", f"Li {k}", owner="rep-li") for k in range(8)]
    book += [Account(f"kim-{k}", f"Kim {k}", owner="rep-kim") for k in range(3)]
    book += [Account("orphan", "Orphan")]
    tiers = {a.id: "AB"[k % 2] for k, a in enumerate(book)}
    return plan_visits(book, tiers, [li, kim], start=date(2026, 11, 2), weeks=6)


def test_weekly_rep_view_counts_visits_coverage_and_utilisation() -> None:
    plan = small_plan()
    view = plan_view(plan, by="rep", period="week")  # type: ignore[arg-type]
    assert view.keys == (NO_OWNER_KEY, "rep-kim", "rep-li")
    li = view.for_key("rep-li")
    assert [row.starts_on for row in li] == list(
        periods(date(2026, 11, 2), date(2026, 12, 14), "week")
    )
    first = li[0]
    assert first.capacity == 5
    assert first.placed == 5
    assert first.utilisation == 1.0
    # eight accounts due at the start, five placed this week and three the next
    assert (first.required, first.covered, first.accounts_due) == (8, 8, 8)
    assert first.coverage == 1.0
    assert sum(c.visits for c in first.by_purpose) == first.placed
    orphan = view.for_key(NO_OWNER_KEY)
    assert orphan[0].placed == 0
    assert orphan[0].required >= 1
    assert orphan[0].capacity == 0


def test_monthly_tier_view_has_no_capacity() -> None:
    plan = small_plan()
    view = plan_view(plan, by="tier", period="month")  # type: ignore[arg-type]
    assert view.keys == ("A", "B")
    assert [row.starts_on for row in view.for_key("A")] == [date(2026, 11, 1), date(2026, 12, 1)]
    assert all(row.capacity is None and row.utilisation is None for row in view.rows)
    assert sum(row.count(VisitPurpose.ROUTINE) for row in view.rows) > 0
    november_b = view.for_key("B")[0]
    assert november_b.covered == november_b.required - 1  # the orphan has no rep
    assert november_b.accounts_covered == november_b.accounts_due - 1
    assert november_b.coverage < 1.0


def test_bad_view_parameters_are_refused() -> None:
    plan = small_plan()
    with pytest.raises(ConfigurationError, match="'account'"):
        plan_view(plan, by="account")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="'day'"):
        plan_view(plan, period="day")  # type: ignore[arg-type]


@given(
    st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)),
    st.integers(1, 120),
    st.sampled_from(("week", "month")),
)
def test_periods_cover_the_window_without_gaps(start: date, length: int, period: str) -> None:
    end = date.fromordinal(start.toordinal() + length)
    starts = periods(start, end, period)
    assert starts[0] == period_start(start, period) <= start
    assert starts[-1] == period_start(date.fromordinal(end.toordinal() - 1), period)
    for before, after in itertools.pairwise(starts):
        assert after == period_start(date.fromordinal(before.toordinal() + 31), period) or (
            period == "week" and (after - before).days == 7
        )


@given(planning_inputs(), st.sampled_from(("rep", "tier")), st.sampled_from(("week", "month")))
def test_views_account_for_every_visit_of_the_plan(
    inputs: PlanningInputs, by: str, period: str
) -> None:
    plan = plan_visits(**inputs.kwargs())
    view = plan_view(plan, by=by, period=period)
    assert sum(row.placed for row in view.rows) == len(plan.visits)
    assert sum(row.required for row in view.rows) == len(plan.visits) + len(plan.unplaced)
    assert sum(row.covered for row in view.rows) == len(plan.visits)
    for row in view.rows:
        assert 0.0 <= row.coverage <= 1.0
        assert row.accounts_covered <= row.accounts_due
        assert sum(c.visits for c in row.by_purpose) == row.placed
        if by == "rep":
            assert row.utilisation is not None
            assert row.utilisation <= 1.0
    rows = [(row.key, row.starts_on) for row in view.rows]
    assert rows == sorted(rows)
