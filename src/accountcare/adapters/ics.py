"""iCalendar (RFC 5545) export of visit plans and care schedules (extra ``ics``).

One VEVENT per visit or care task. UIDs are derived from :attr:`Visit.id` and
:attr:`CareTask.key`, so importing a re-exported file updates the events instead of
duplicating them. ``DTSTAMP`` is a parameter (``stamp``), never the clock, so the same
input gives byte-identical output. Every TZID used gets its VTIMEZONE. Text is escaped
by ``icalendar`` (commas, semicolons, backslashes, newlines); CJK text is UTF-8.

Visits are all-day events on their day unless ``start`` and ``time_zone`` are given,
then they are timed events of ``duration`` at that local time. Care tasks are timed at
the task's local time with the TZID of the contact's zone.

>>> from datetime import UTC, date, datetime
>>> from accountcare.domain.visits import Visit, VisitPlan, VisitPurpose
>>> plan = VisitPlan(date(2027, 3, 1), date(2027, 3, 8), visits=[
...     Visit("acme", "rep-li", date(2027, 3, 2), VisitPurpose.ROUTINE, reason="tier A")])
>>> ics = visit_plan_calendar(plan, stamp=datetime(2027, 2, 26, tzinfo=UTC))
>>> b"UID:visit:acme:2027-03-02@accountcare" in ics
True
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from accountcare._imports import require
from accountcare.domain.care import CareKind, CareSchedule, CareTask
from accountcare.domain.visits import Visit, VisitPlan
from accountcare.errors import ConfigurationError

__all__ = ["care_schedule_calendar", "event_uid", "visit_plan_calendar"]

PRODID = "-//accountcare//accountcare calendar export//EN"

_KIND_LABEL: Mapping[CareKind, str] = {
    CareKind.BIRTHDAY: "Birthday greeting",
    CareKind.HOLIDAY_GREETING: "Holiday greeting",
    CareKind.HOLIDAY_GIFT: "Holiday gift",
    CareKind.RELATIONSHIP_CALL: "Relationship call",
    CareKind.AFTER_SALE_USAGE: "Usage check",
    CareKind.AFTER_SALE_FEEDBACK: "Feedback request",
    CareKind.COMPLAINT_FOLLOW_UP: "Complaint follow-up",
    CareKind.SURVEY: "Survey invitation",
    CareKind.REVERIFICATION: "Contact details check",
    CareKind.EVENT: "Event message",
}


def event_uid(item_id: str, domain: str = "accountcare") -> str:
    """The UID of an exported item: its stable id at ``domain``.

    >>> event_uid("c-1|birthday|2027-03-28|email")
    'c-1|birthday|2027-03-28|email@accountcare'
    """
    return f"{item_id}@{domain}"


def _check_stamp(stamp: datetime) -> datetime:
    if not isinstance(stamp, datetime) or stamp.tzinfo is None:
        raise ConfigurationError("stamp must be a timezone-aware datetime (DTSTAMP is UTC)")
    return stamp.astimezone(UTC)


def _calendar(icalendar: Any, name: str) -> Any:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    return cal


def _finish(cal: Any, first: date, last: date) -> bytes:
    # Transitions from a year before the window to a year after keep VTIMEZONE short.
    cal.add_missing_timezones(
        first_date=date(first.year - 1, 1, 1), last_date=date(last.year + 1, 12, 31)
    )
    missing = cal.get_missing_tzids()
    if missing:
        raise ConfigurationError(f"no time zone definition for {sorted(missing)}")
    data: bytes = cal.to_ical()
    return data


def _visit_event(
    icalendar: Any,
    visit: Visit,
    stamp: datetime,
    names: Mapping[str, str],
    start: time | None,
    zone: ZoneInfo | None,
    duration: timedelta,
    domain: str,
) -> Any:
    event = icalendar.Event()
    event.add("uid", event_uid(visit.id, domain))
    event.add("dtstamp", stamp)
    if start is not None and zone is not None:
        begins = datetime.combine(visit.on, start, tzinfo=zone)
        event.add("dtstart", begins)
        event.add("dtend", begins + duration)
    else:
        event.add("dtstart", visit.on)
        event.add("dtend", visit.on + timedelta(days=1))
        event.add("transp", "TRANSPARENT")
    account = names.get(visit.account_id, visit.account_id)
    event.add("summary", f"Visit {account} ({visit.purpose.value.replace('_', ' ')})")
    lines = [f"Account: {account}", f"Rep: {visit.rep_id}"]
    if visit.tier:
        lines.append(f"Tier: {visit.tier}")
    if visit.reason:
        lines.append(f"Why: {visit.reason}")
    if visit.leader_joins:
        lines.append("A leader joins this visit.")
    if visit.checklist.missing:
        lines.append(
            "To prepare: " + ", ".join(m.replace("_", " ") for m in visit.checklist.missing)
        )
    event.add("description", "\n".join(lines))
    event.add("categories", [visit.purpose.value])
    event.add("x-accountcare-account", visit.account_id)
    return event


def visit_plan_calendar(
    plan: VisitPlan,
    *,
    stamp: datetime,
    account_names: Mapping[str, str] | None = None,
    start: time | None = None,
    time_zone: str | None = None,
    duration: timedelta = timedelta(hours=1),
    uid_domain: str = "accountcare",
    name: str = "Visit plan",
) -> bytes:
    """The plan as an iCalendar file (bytes, UTF-8).

    All-day events by default; with ``start`` and ``time_zone`` (an IANA name) each visit
    is a timed event of ``duration`` at that local time. ``account_names`` maps account
    ids to the names shown in summaries.
    """
    icalendar = require("icalendar", "ics")
    if (start is None) != (time_zone is None):
        raise ConfigurationError("give both start and time_zone for timed visits, or neither")
    if duration <= timedelta(0):
        raise ConfigurationError("duration must be positive")
    zone = ZoneInfo(time_zone) if time_zone is not None else None
    dtstamp = _check_stamp(stamp)
    cal = _calendar(icalendar, name)
    for visit in sorted(plan.visits, key=lambda v: (v.on, v.account_id)):
        cal.add_component(
            _visit_event(
                icalendar, visit, dtstamp, account_names or {}, start, zone, duration, uid_domain
            )
        )
    return _finish(cal, plan.start, plan.end)


def _task_event(
    icalendar: Any,
    task: CareTask,
    stamp: datetime,
    contacts: Mapping[str, str],
    duration: timedelta,
    domain: str,
) -> Any:
    event = icalendar.Event()
    event.add("uid", event_uid(task.key, domain))
    event.add("dtstamp", stamp)
    begins = datetime.combine(task.on, task.local_time, tzinfo=ZoneInfo(task.time_zone))
    event.add("dtstart", begins)
    event.add("dtend", begins + duration)
    who = contacts.get(task.contact_id, task.contact_id)
    summary = f"{_KIND_LABEL[task.kind]}: {who}"
    if task.occasion:
        summary += f" ({task.occasion})"
    event.add("summary", summary)
    lines = [f"Contact: {who}", f"Account: {task.account_id}", f"Channel: {task.channel.value}"]
    if task.reason:
        lines.append(f"Why: {task.reason}")
    event.add("description", "\n".join(lines))
    event.add("categories", [task.kind.value])
    event.add("x-accountcare-key", task.key)
    return event


def care_schedule_calendar(
    schedule: CareSchedule,
    *,
    stamp: datetime,
    contact_names: Mapping[str, str] | None = None,
    duration: timedelta = timedelta(minutes=15),
    uid_domain: str = "accountcare",
    name: str = "Care schedule",
) -> bytes:
    """The schedule's tasks as an iCalendar file: each at its local time, TZID of the
    contact's zone, ``duration`` long; dropped tasks are not exported."""
    icalendar = require("icalendar", "ics")
    if duration <= timedelta(0):
        raise ConfigurationError("duration must be positive")
    dtstamp = _check_stamp(stamp)
    cal = _calendar(icalendar, name)
    for task in sorted(schedule.tasks, key=lambda t: (t.due_at, t.key)):
        cal.add_component(
            _task_event(icalendar, task, dtstamp, contact_names or {}, duration, uid_domain)
        )
    return _finish(cal, schedule.start, schedule.end)
