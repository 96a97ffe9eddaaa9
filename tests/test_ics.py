"""iCalendar export, read back with independent parsers (vobject, recurring_ical_events)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import attrs
import icalendar
import pytest
import recurring_ical_events
import vobject
from hypothesis import given, settings
from hypothesis import strategies as st

from accountcare.adapters.ics import (
    care_schedule_calendar,
    event_uid,
    visit_plan_calendar,
    worklist_calendar,
)
from accountcare.domain.care import CareKind, CareSchedule, CareTask
from accountcare.domain.contacts import Channel
from accountcare.domain.visits import Visit, VisitPlan, VisitPurpose
from accountcare.errors import ConfigurationError
from accountcare.services.worklist import WorkItem
from accountcare.testing import strategy_for

STAMP = datetime(2027, 1, 15, 8, 0, tzinfo=UTC)
TRICKY = 'Wang, Wei; "VIP"\nsecond line \\ 王伟 김민준'


def _plan() -> VisitPlan:
    return VisitPlan(
        date(2027, 3, 1),
        date(2027, 3, 8),
        visits=[
            Visit("acme", "rep-li", date(2027, 3, 2), VisitPurpose.ROUTINE, reason="tier A; due"),
            Visit("globex", "rep-li", date(2027, 3, 3), VisitPurpose.LEADER, leader_joins=True),
        ],
    )


def _task(contact: str, zone: str, day: date, at: time, occasion: str = "") -> CareTask:
    return CareTask(
        contact_id=contact,
        account_id="acme",
        on=day,
        local_time=at,
        time_zone=zone,
        channel=Channel.EMAIL,
        kind=CareKind.HOLIDAY_GREETING,
        template_key="holiday_greeting",
        occasion=occasion,
    )


def _schedule() -> CareSchedule:
    return CareSchedule(
        date(2027, 3, 1),
        date(2027, 4, 1),
        tasks=(
            _task("c-1", "Asia/Shanghai", date(2027, 3, 8), time(9), "Women's Day, 三八"),
            _task("c-2", "Europe/Berlin", date(2027, 3, 28), time(9), "Easter; spring"),
            _task("c-3", "America/New_York", date(2027, 3, 14), time(2, 30)),
        ),
    )


def _vevents(data: bytes) -> list[vobject.base.Component]:
    parsed = vobject.readOne(data.decode("utf-8"))
    return list(parsed.contents.get("vevent", []))


def test_visit_plan_events_are_all_day_with_stable_uids() -> None:
    data = visit_plan_calendar(_plan(), stamp=STAMP, account_names={"acme": TRICKY})
    events = _vevents(data)
    assert [e.uid.value for e in events] == [
        "visit:acme:2027-03-02@accountcare",
        "visit:globex:2027-03-03@accountcare",
    ]
    first = events[0]
    assert first.dtstart.value == date(2027, 3, 2)
    assert first.dtend.value == date(2027, 3, 3)
    assert first.summary.value == f"Visit {TRICKY} (routine)"
    assert "tier A; due" in first.description.value
    assert first.dtstamp.value == STAMP


def test_timed_visits_carry_a_tzid_with_its_vtimezone() -> None:
    data = visit_plan_calendar(_plan(), stamp=STAMP, start=time(10), time_zone="Asia/Seoul")
    assert b"DTSTART;TZID=Asia/Seoul:20270302T100000" in data
    assert b"BEGIN:VTIMEZONE\r\nTZID:Asia/Seoul" in data
    [occurrence] = recurring_ical_events.of(vobject_free_calendar(data)).at(date(2027, 3, 2))
    assert occurrence["DTSTART"].dt.astimezone(UTC) == datetime(2027, 3, 2, 1, tzinfo=UTC)


def vobject_free_calendar(data: bytes) -> icalendar.Calendar:
    """The file read by icalendar, as recurring_ical_events expects it."""
    return icalendar.Calendar.from_ical(data)


def test_care_tasks_are_timed_in_the_contacts_zone_with_utc_instants_right() -> None:
    schedule = _schedule()
    data = care_schedule_calendar(schedule, stamp=STAMP, contact_names={"c-1": "王伟"})
    events = {e.uid.value: e for e in _vevents(data)}
    assert set(events) == {event_uid(t.key) for t in schedule.tasks}
    for task in schedule.tasks:
        start = events[event_uid(task.key)].dtstart.value
        assert start.astimezone(UTC) == task.due_at
    # Berlin moved to summer time at 02:00 that morning: 09:00 is 07:00 UTC.
    berlin = events[event_uid(schedule.tasks[1].key)].dtstart.value
    assert berlin.astimezone(UTC) == datetime(2027, 3, 28, 7, tzinfo=UTC)
    # Every TZID used has its VTIMEZONE.
    for zone in ("Asia/Shanghai", "Europe/Berlin", "America/New_York"):
        assert f"BEGIN:VTIMEZONE\r\nTZID:{zone}".encode() in data
    summary = events[event_uid(schedule.tasks[0].key)].summary.value
    assert summary == "Holiday greeting: 王伟 (Women's Day, 三八)"


def test_recurring_ical_events_finds_each_task_once_in_the_window() -> None:
    data = care_schedule_calendar(_schedule(), stamp=STAMP)
    found = recurring_ical_events.of(vobject_free_calendar(data)).between(
        date(2027, 3, 1), date(2027, 4, 1)
    )
    assert sorted(str(e["UID"]) for e in found) == sorted(
        event_uid(t.key) for t in _schedule().tasks
    )


def test_two_exports_of_the_same_plan_are_identical() -> None:
    assert visit_plan_calendar(_plan(), stamp=STAMP) == visit_plan_calendar(_plan(), stamp=STAMP)
    schedule = _schedule()
    reordered = attrs.evolve(schedule, tasks=schedule.tasks[::-1])
    assert care_schedule_calendar(reordered, stamp=STAMP) == care_schedule_calendar(
        _schedule(), stamp=STAMP
    )


def test_a_later_export_keeps_the_uids_so_calendars_update() -> None:
    first = {e.uid.value for e in _vevents(visit_plan_calendar(_plan(), stamp=STAMP))}
    later = visit_plan_calendar(_plan(), stamp=STAMP + timedelta(days=3))
    assert {e.uid.value for e in _vevents(later)} == first


@settings(max_examples=60, deadline=None)
@given(
    summary=st.text(
        st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="\r"), min_size=1
    ).filter(str.strip),
    items=st.lists(strategy_for(Visit), max_size=5, unique_by=lambda v: v.id),
)
def test_text_round_trips_and_uids_are_stable(summary: str, items: list[Visit]) -> None:
    plan = VisitPlan(date(2026, 1, 1), date(2028, 1, 1), visits=items)
    names = {v.account_id: summary for v in items}
    data = visit_plan_calendar(plan, stamp=STAMP, account_names=names)
    parsed = vobject_free_calendar(data)
    events = list(parsed.walk("VEVENT"))
    assert sorted(str(e["UID"]) for e in events) == sorted(event_uid(v.id) for v in items)
    for event in events:
        assert str(event["SUMMARY"]).startswith(f"Visit {summary} (")
    assert visit_plan_calendar(plan, stamp=STAMP, account_names=names) == data


def test_a_naive_stamp_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="stamp"):
        visit_plan_calendar(_plan(), stamp=datetime(2027, 1, 1))


def test_timed_visits_need_both_start_and_zone() -> None:
    with pytest.raises(ConfigurationError, match="both"):
        visit_plan_calendar(_plan(), stamp=STAMP, start=time(9))


def test_an_empty_schedule_is_a_valid_calendar() -> None:
    data = care_schedule_calendar(CareSchedule(date(2027, 1, 1), date(2027, 2, 1)), stamp=STAMP)
    assert _vevents(data) == []
    assert b"VERSION:2.0" in data


def _actions() -> list[WorkItem]:
    call = CareTask(
        "c-1",
        "acme",
        date(2027, 3, 2),
        time(10),
        "Asia/Seoul",
        Channel.PHONE,
        CareKind.RELATIONSHIP_CALL,
        "call.A",
        "call every 14 days; tier A",
    )
    visit = attrs.evolve(
        call,
        contact_id="c-2",
        kind=CareKind.WIN_BACK,
        channel=Channel.VISIT,
        template_key="win_back",
        time_zone="Asia/Shanghai",
        local_time=time(9),
    )
    return [
        WorkItem(call, "rep-kim", "Kim Minji", "한빛, Co.", "김민준", "+821012345678", TRICKY),
        WorkItem(visit, "rep-li", "", "Acme", "", "", ""),
    ]


def test_a_worklist_is_one_event_per_action_with_the_script_read_back_exact() -> None:
    items = _actions()
    data = worklist_calendar(items[::-1], stamp=STAMP)
    events = {e.uid.value: e for e in vobject.readOne(data.decode()).vevent_list}
    assert list(events) == [event_uid(i.key) for i in items]  # by when they are due
    call = events[event_uid(items[0].key)]
    assert call.summary.value == "Relationship call: 김민준 (한빛, Co.)"
    assert call.description.value.endswith("\n\n" + TRICKY)
    assert "Phone: +821012345678" in call.description.value
    assert "Rep: Kim Minji" in call.description.value
    assert call.dtstart.value == datetime(2027, 3, 2, 10, tzinfo=ZoneInfo("Asia/Seoul"))
    visit = events[event_uid(items[1].key)]
    assert visit.summary.value == "Win-back: c-2 (Acme)"
    assert "Rep: rep-li" in visit.description.value
    assert worklist_calendar(items, stamp=STAMP) == data


def test_an_empty_worklist_is_a_valid_calendar() -> None:
    calendar = icalendar.Calendar.from_ical(worklist_calendar([], stamp=STAMP))
    assert list(calendar.walk("VEVENT")) == []
