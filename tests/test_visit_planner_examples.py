"""Example tests of the visit planner on real calendars, plus bad input."""

from __future__ import annotations

import doctest
from datetime import UTC, date, datetime, time, timedelta

import pytest

from accountcare.domain import (
    Account,
    Complaint,
    ComplaintSeverity,
    Interaction,
    InteractionKind,
    LifecycleStage,
    Priority,
    TierAssignment,
    TierReason,
)
from accountcare.domain.calendars import WorkCalendar
from accountcare.domain.visits import UnplacedReason, VisitPlan, VisitPurpose
from accountcare.errors import ConfigurationError
from accountcare.policies.tiers.priority import PriorityPolicy
from accountcare.policies.visits import cadence as cadence_policy
from accountcare.policies.visits import plan_views, workdays
from accountcare.policies.visits import planner as visits
from accountcare.policies.visits.planner import plan_visits


def at(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=UTC)


def visited(account_id: str, day: date, *, leader: bool = False) -> Interaction:
    return Interaction(
        f"{account_id}-{day.isoformat()}",
        account_id,
        at(day),
        InteractionKind.VISIT,
        by="rep",
        leader_joined=leader,
    )


def accounts(n: int, owner: str = "rep-li", **fields: object) -> list[Account]:
    return [Account(f"acct-{k:02d}", f"Account {k}", owner=owner, **fields) for k in range(n)]  # type: ignore[arg-type]


def test_cn_rep_around_spring_festival_2027_plans_no_visit_in_the_holiday() -> None:
    li = WorkCalendar("rep-li", "CN", visits_per_day=2)
    book = accounts(12)
    plan = plan_visits(book, {a.id: "B" for a in book}, [li], start=date(2027, 2, 1), weeks=2)
    days = {v.on for v in plan.visits}
    # Spring Festival 2027 is 6 February (Hong Kong Observatory); 5-10 February are off
    assert not days & {date(2027, 2, d) for d in range(5, 11)}
    assert len(plan.visits) == 12
    assert max(days) == date(2027, 2, 12)
    assert plan.unplaced == ()


def test_cn_rep_around_national_day_uses_the_make_up_saturday() -> None:
    li = WorkCalendar("rep-li", "CN", visits_per_day=1)
    book = accounts(4)
    plan = plan_visits(book, {a.id: "C" for a in book}, [li], start=date(2026, 9, 30), weeks=2)
    assert [v.on.isoformat() for v in plan.visits] == [
        "2026-09-30",
        "2026-10-08",
        "2026-10-09",
        "2026-10-10",  # a Saturday, a make-up working day
    ]


def test_kr_rep_around_chuseok_2026() -> None:
    kim = WorkCalendar("rep-kim", "KR", visits_per_day=1)
    book = accounts(4, owner="rep-kim")
    plan = plan_visits(book, {a.id: "C" for a in book}, [kim], start=date(2026, 9, 23), weeks=1)
    # Chuseok is 25 September 2026 (Korea Astronomy and Space Science Institute); 24-26 off
    assert [v.on.isoformat() for v in plan.visits] == ["2026-09-23", "2026-09-28", "2026-09-29"]
    # the fourth C visit found every working day of the week full
    assert [u.reason for u in plan.unplaced] == [UnplacedReason.CAPACITY]


def test_bavarian_rep_skips_epiphany() -> None:
    huber = WorkCalendar("rep-huber", "DE", "BY", visits_per_day=1)
    schulz = WorkCalendar("rep-schulz", "DE", "BE", visits_per_day=1)
    book = accounts(3, owner="rep-huber") + [
        Account(f"be-{k}", f"Berlin {k}", owner="rep-schulz") for k in range(3)
    ]
    plan = plan_visits(
        book, {a.id: "A" for a in book}, [huber, schulz], start=date(2026, 1, 5), weeks=1
    )
    assert [v.on.day for v in plan.for_rep("rep-huber")] == [5, 7, 8]
    assert [v.on.day for v in plan.for_rep("rep-schulz")] == [5, 6, 7]


def test_overdue_account_comes_first() -> None:
    li = WorkCalendar("rep-li", "CN", visits_per_day=1)
    start = date(2026, 11, 2)
    book = [Account("aaa", "Fresh", owner="rep-li"), Account("zzz", "Late", owner="rep-li")]
    history = [
        visited("aaa", start - timedelta(days=14)),
        visited("zzz", start - timedelta(days=40)),
    ]
    plan = plan_visits(
        book, {"aaa": "B", "zzz": "B"}, [li], start=start, weeks=1, interactions=history
    )
    first = plan.visits[0]
    assert (first.account_id, first.on, first.purpose) == ("zzz", start, VisitPurpose.OVERDUE)
    assert "overdue by 10 days" in first.reason


def test_an_account_seen_yesterday_is_not_visited_tomorrow() -> None:
    li = WorkCalendar("rep-li", "CN")
    start = date(2026, 11, 3)
    book = [Account("acme", "Acme", owner="rep-li")]
    history = [visited("acme", start - timedelta(days=1))]
    plan = plan_visits(book, {"acme": "A"}, [li], start=start, weeks=4, interactions=history)
    assert plan.visits[0].on == start - timedelta(days=1) + timedelta(days=14)


def test_higher_tier_is_served_first_and_the_rest_is_listed() -> None:
    li = WorkCalendar("rep-li", "CN", visits_per_day=1, working_weekdays=[0])
    start = date(2026, 11, 2)  # a Monday; the rep works Mondays only
    book = [Account("c-first", "C", owner="rep-li"), Account("z-a", "A", owner="rep-li")]
    plan = plan_visits(
        book,
        {"c-first": "C", "z-a": "A"},
        [li],
        start=start,
        weeks=1,
        priorities={"c-first": Priority.NEITHER, "z-a": Priority.NEITHER},
    )
    assert [(v.account_id, v.on) for v in plan.visits] == [("z-a", start)]
    (missed,) = plan.unplaced
    assert (missed.account_id, missed.reason) == ("c-first", UnplacedReason.CAPACITY)
    assert "full" in missed.detail


def test_an_account_overdue_by_a_few_days_comes_first_unless_the_policy_waits_longer() -> None:
    li = WorkCalendar("rep-li", "CN", visits_per_day=1, working_weekdays=[0])
    start = date(2026, 11, 2)  # a Monday; the rep works Mondays only
    book = [Account("b-new", "B", owner="rep-li"), Account("c-late", "C", owner="rep-li")]
    # the C account was due 3 days before the plan; the B account is due on its first day
    history = [visited("c-late", start - timedelta(days=94))]
    tiers = {"b-new": "B", "c-late": "C"}
    plan = plan_visits(book, tiers, [li], start=start, weeks=1, interactions=history)
    assert [(v.account_id, v.purpose) for v in plan.visits] == [("c-late", VisitPurpose.OVERDUE)]
    patient = PriorityPolicy(urgent_overdue_days=7)
    plan = plan_visits(
        book, tiers, [li], start=start, weeks=1, interactions=history, priority_policy=patient
    )
    assert [v.account_id for v in plan.visits] == ["b-new"]


def test_weekly_cap_limits_the_week() -> None:
    li = WorkCalendar("rep-li", "US", visits_per_day=5, weekly_cap=3)
    book = accounts(5)
    plan = plan_visits(book, {a.id: "C" for a in book}, [li], start=date(2026, 3, 2), weeks=2)
    per_week = [u.planned for u in plan.utilisation if u.period == "week"]
    assert per_week == [3, 2]
    assert [u.capacity for u in plan.utilisation if u.period == "week"] == [3, 3]


def test_complaint_follow_up_is_first_and_within_a_week() -> None:
    li = WorkCalendar("rep-li", "CN", visits_per_day=1)
    start = date(2026, 11, 2)
    book = [Account("acme", "Acme", owner="rep-li"), Account("beta", "Beta", owner="rep-li")]
    history = [
        visited("acme", start - timedelta(days=3)),
        visited("beta", start - timedelta(days=30)),
    ]
    complaint = Complaint("c-1", "acme", at(start - timedelta(days=1)), ComplaintSeverity.HIGH)
    plan = plan_visits(
        book,
        {"acme": "C", "beta": "B"},
        [li],
        start=start,
        weeks=2,
        interactions=history,
        complaints=[complaint],
    )
    first = plan.visits[0]
    assert (first.account_id, first.purpose, first.on) == (
        "acme",
        VisitPurpose.COMPLAINT_FOLLOW_UP,
        start,
    )
    assert "'c-1' (high)" in first.reason
    closed = Complaint(
        "c-1", "acme", at(start - timedelta(days=9)), closed_at=at(start - timedelta(days=2))
    )
    again = plan_visits(
        book,
        {"acme": "C", "beta": "B"},
        [li],
        start=start,
        weeks=2,
        interactions=history,
        complaints=[closed],
    )
    assert all(v.purpose is not VisitPurpose.COMPLAINT_FOLLOW_UP for v in again.visits)


def test_a_new_account_gets_its_development_visits() -> None:
    li = WorkCalendar("rep-li", "CN")
    prospect = Account("newco", "NewCo", owner="rep-li", stage=LifecycleStage.PROSPECT)
    plan = plan_visits([prospect], {}, [li], start=date(2026, 3, 2), weeks=13)
    development = [v for v in plan.visits if v.purpose is VisitPurpose.DEVELOPMENT]
    assert len(development) == 5
    assert (development[-1].on - development[0].on).days < 90
    assert len(plan.visits) == 5  # untiered: nothing more once developed


def test_a_leaders_visit_each_quarter_for_a_accounts() -> None:
    li = WorkCalendar("rep-li", "DE")
    start = date(2026, 3, 2)
    history = [visited("acme", start - timedelta(days=7), leader=True)]
    book = [Account("acme", "Acme", owner="rep-li")]
    plan = plan_visits(book, {"acme": "A"}, [li], start=start, weeks=30, interactions=history)
    led = [v for v in plan.visits if v.leader_joins]
    assert len(led) == 2
    assert all(v.purpose is VisitPurpose.LEADER for v in led)
    assert (led[1].on - led[0].on).days >= 91
    assert led[0].on >= start - timedelta(days=7) + timedelta(days=91)


def test_accounts_without_owner_or_calendar_are_listed() -> None:
    book = [Account("orphan", "Orphan"), Account("lost", "Lost", owner="rep-gone")]
    plan = plan_visits(book, {"orphan": "C", "lost": "C"}, [], start=date(2026, 3, 2), weeks=2)
    assert plan.visits == ()
    assert {(u.account_id, u.reason) for u in plan.unplaced} == {
        ("orphan", UnplacedReason.NO_OWNER),
        ("lost", UnplacedReason.NO_CALENDAR),
    }


def test_a_rep_on_leave_for_the_whole_window_has_no_working_day() -> None:
    start = date(2026, 3, 2)
    li = WorkCalendar("rep-li", "CN", leave=[start + timedelta(days=n) for n in range(14)])
    book = accounts(1)
    plan = plan_visits(book, {book[0].id: "A"}, [li], start=start, weeks=2)
    (missed,) = plan.unplaced
    assert missed.reason is UnplacedReason.NO_WORKING_DAY
    assert "rep-li has no working day" in missed.detail


def test_tier_assignments_are_accepted() -> None:
    li = WorkCalendar("rep-li", "CN")
    book = accounts(1)
    assignment = TierAssignment(book[0].id, "A", "abc", TierReason(value=1.0))
    plan = plan_visits(book, [assignment], [li], start=date(2026, 3, 2), weeks=1)
    assert plan.visits[0].tier == "A"


def test_each_visit_carries_a_checklist_the_host_can_tick() -> None:
    li = WorkCalendar("rep-li", "CN")
    book = accounts(1)
    visit = plan_visits(book, {book[0].id: "A"}, [li], start=date(2026, 3, 2), weeks=1).visits[0]
    assert visit.checklist.missing == (
        "appointment_made",
        "materials_ready",
        "decision_maker_known",
        "objections_prepared",
    )
    assert visit.checklist.tick("appointment_made").tick("materials_ready").missing == (
        "decision_maker_known",
        "objections_prepared",
    )


def test_plans_round_trip_through_json() -> None:
    from accountcare.serialization import from_json, to_json

    li = WorkCalendar("rep-li", "CN", visits_per_day=1)
    book = accounts(8)
    plan = plan_visits(book, {a.id: "A" for a in book}, [li], start=date(2026, 3, 2), weeks=2)
    assert plan.unplaced
    assert from_json(to_json(plan), VisitPlan) == plan
    assert from_json(to_json(li), WorkCalendar) == li


# --- bad input ---------------------------------------------------------------


def test_bad_plan_parameters_are_refused() -> None:
    li = WorkCalendar("rep-li", "CN")
    book = accounts(1)
    for weeks in (0, -1, True):
        with pytest.raises(ConfigurationError, match="positive number of weeks"):
            plan_visits(book, {}, [li], start=date(2026, 3, 2), weeks=weeks)
    with pytest.raises(ConfigurationError, match="starts on a date"):
        plan_visits(book, {}, [li], start=datetime(2026, 3, 2, tzinfo=UTC), weeks=1)
    with pytest.raises(ConfigurationError, match="two work calendars"):
        plan_visits(book, {}, [li, li], start=date(2026, 3, 2), weeks=1)
    with pytest.raises(ConfigurationError, match="given twice"):
        plan_visits(book * 2, {}, [li], start=date(2026, 3, 2), weeks=1)
    with pytest.raises(ConfigurationError, match="unknown country 'XA'"):
        plan_visits(book, {}, [WorkCalendar("r", "XA")], start=date(2026, 3, 2), weeks=1)


@pytest.mark.parametrize("module", [cadence_policy, workdays, visits, plan_views])
def test_docstring_examples_run(module: object) -> None:
    failures, tried = doctest.testmod(module)  # type: ignore[arg-type]
    assert tried
    assert not failures
