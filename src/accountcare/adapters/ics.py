"""iCalendar (RFC 5545) export of visit plans, care schedules and reps' worklists (extra
``ics``).

One VEVENT per visit, care task or rep action. UIDs are derived from
[`Visit.id`][accountcare.domain.visits.Visit.id] and
[`CareTask.key`][accountcare.domain.care.CareTask.key], so importing a re-exported file
updates the events instead of duplicating them. ``DTSTAMP`` is a parameter (``stamp``),
never the clock, so the same input gives byte-identical output. Every TZID used gets its
VTIMEZONE.

Every text value written, ``X-ACCOUNTCARE-`` properties and UIDs included, is escaped as
RFC 5545 TEXT (backslash, semicolon, comma and line feed), so no value can end its line
or start a property of its own. A control character RFC 5545 does not allow in a value
(everything below U+0020 but tab, DEL; and the C1 range and the Unicode line and
paragraph separators, which some readers take for line breaks) never reaches the file:
each is written as U+FFFD, the replacement character. Summaries and descriptions keep
their line feeds (escaped); UIDs and ``X-`` properties are one line, so a line feed in
them is replaced too. The domain refuses these characters in ids and names; this guards
what an older store may still hold. CJK text is UTF-8.

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

import functools
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple, Protocol
from zoneinfo import ZoneInfo

from accountcare._imports import require
from accountcare.domain.care import CareKind, CareSchedule, CareTask
from accountcare.domain.visits import Visit, VisitPlan
from accountcare.errors import ConfigurationError

__all__ = [
    "RepAction",
    "care_schedule_calendar",
    "event_uid",
    "visit_plan_calendar",
    "worklist_calendar",
]

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
    CareKind.PRE_SALE: "Pre-sale advice",
    CareKind.CONTRACT_STATUS: "Contract status",
    CareKind.REACTIVATION: "Reactivation",
    CareKind.WIN_BACK: "Win-back",
}


def event_uid(item_id: str, domain: str = "accountcare") -> str:
    """The UID of an exported item: its stable id at ``domain``.

    >>> event_uid("c-1|birthday|2027-03-28|email")
    'c-1|birthday|2027-03-28|email@accountcare'
    """
    return f"{item_id}@{domain}"


# What RFC 5545 forbids in a value (CONTROL: U+0000-U+0008, U+000A-U+001F, U+007F), and
# what some readers take for a line break (C1, U+2028, U+2029). Free text keeps its line
# feeds (written escaped, as ``\n``); a one-line value (a UID, an X- property) does not.
_UNWRITABLE_IN_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_UNWRITABLE_IN_A_LINE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")
# RFC 5545 TEXT escaping (section 3.3.11); each character is replaced once, so the
# backslashes an escape adds are never escaped again.
_ESCAPES = str.maketrans({"\\": "\\\\", ";": "\\;", ",": "\\,", "\n": "\\n"})


def _safe(value: str, one_line: bool = False) -> str:
    r"""``value`` with each character RFC 5545 forbids in a value written as U+FFFD, the
    replacement character; with ``one_line``, line feeds too.

    >>> _safe("acme\rATTENDEE:mailto:evil@example.com")
    'acme\ufffdATTENDEE:mailto:evil@example.com'
    >>> _safe("Wang, Wei;\t王伟\nnext"), _safe("a\nb", one_line=True)
    ('Wang, Wei;\t王伟\nnext', 'a\ufffdb')
    """
    unwritable = _UNWRITABLE_IN_A_LINE if one_line else _UNWRITABLE_IN_TEXT
    return unwritable.sub("\ufffd", value)


def _escape(value: str) -> str:
    r"""``value`` (made safe) as an RFC 5545 TEXT value.

    >>> print(_escape("C:\\New; a, b\nnext"))
    C:\\New\; a\, b\nnext
    """
    return value.translate(_ESCAPES)


def _to_ical(self: str) -> bytes:
    return _escape(self).encode("utf-8")


@functools.cache
def _text_type(vtext: type) -> type:
    r"""icalendar's TEXT value with this module's escaping, exact for every character
    (icalendar's own reads a ``\N`` in the text as a line break)."""
    return type("EscapedText", (vtext,), {"__slots__": (), "to_ical": _to_ical})


def _text(icalendar: Any, *lines: str, one_line: bool = False) -> Any:
    """A TEXT property value of ``lines`` joined by line feeds, each made safe."""
    make = _text_type(icalendar.prop.vText)
    return make("\n".join(_safe(line, one_line) for line in lines))


def _check_stamp(stamp: datetime) -> datetime:
    if not isinstance(stamp, datetime) or stamp.tzinfo is None:
        raise ConfigurationError("stamp must be a timezone-aware datetime (DTSTAMP is UTC)")
    return stamp.astimezone(UTC)


class _Event(NamedTuple):
    """One VEVENT's content: ``when`` its start and end (and transparency),
    ``extra`` the name and value of its own ``X-ACCOUNTCARE-`` property."""

    uid: str
    when: list[tuple[str, Any]]
    summary: str
    lines: list[str]
    category: str
    extra: tuple[str, str]


def _export(
    name: str, stamp: datetime, duration: timedelta, window: tuple[date, date], events: list[_Event]
) -> bytes:
    """The iCalendar file named ``name`` of ``events``, after checking the options both
    exports share."""
    icalendar = require("icalendar", "ics")
    if duration <= timedelta(0):
        raise ConfigurationError("duration must be positive")
    dtstamp = _check_stamp(stamp)
    cal = icalendar.Calendar()
    for key, value in (("prodid", PRODID), ("version", "2.0"), ("calscale", "GREGORIAN"),
                       ("method", "PUBLISH")):  # fmt: skip
        cal.add(key, value)
    # An X- property is TEXT by default; saying so lets every reader unescape it.
    calname = _text(icalendar, name, one_line=True)
    cal.add("x-wr-calname", calname, parameters={"VALUE": "TEXT"})
    for item in events:
        event = icalendar.Event()
        extra, extra_value = item.extra
        uid = _text(icalendar, item.uid, one_line=True)
        for key, value in (("uid", uid), ("dtstamp", dtstamp), *item.when,
                           ("summary", _text(icalendar, item.summary)),
                           ("description", _text(icalendar, *item.lines)),
                           ("categories", [item.category])):  # fmt: skip
            event.add(key, value)
        value = _text(icalendar, extra_value, one_line=True)
        event.add(extra, value, parameters={"VALUE": "TEXT"})
        cal.add_component(event)
    # Transitions from a year before the window to a year after keep VTIMEZONE short.
    first, last = window
    cal.add_missing_timezones(
        first_date=date(first.year - 1, 1, 1), last_date=date(last.year + 1, 12, 31)
    )
    missing = cal.get_missing_tzids()
    if missing:
        raise ConfigurationError(f"no time zone definition for {sorted(missing)}")
    data: bytes = cal.to_ical()
    return data


def _visit_event(
    visit: Visit,
    names: Mapping[str, str],
    start: time | None,
    zone: ZoneInfo | None,
    duration: timedelta,
    domain: str,
) -> _Event:
    if start is not None and zone is not None:
        begins = datetime.combine(visit.on, start, tzinfo=zone)
        when: list[tuple[str, Any]] = [("dtstart", begins), ("dtend", begins + duration)]
    else:
        end = visit.on + timedelta(days=1)
        when = [("dtstart", visit.on), ("dtend", end), ("transp", "TRANSPARENT")]
    account = names.get(visit.account_id, visit.account_id)
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
    summary = f"Visit {account} ({visit.purpose.value.replace('_', ' ')})"
    extra = ("x-accountcare-account", visit.account_id)
    return _Event(event_uid(visit.id, domain), when, summary, lines, visit.purpose.value, extra)


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
    if (start is None) != (time_zone is None):
        raise ConfigurationError("give both start and time_zone for timed visits, or neither")
    zone = ZoneInfo(time_zone) if time_zone is not None else None
    events = [
        _visit_event(visit, account_names or {}, start, zone, duration, uid_domain)
        for visit in sorted(plan.visits, key=lambda v: (v.on, v.account_id))
    ]
    return _export(name, stamp, duration, (plan.start, plan.end), events)


def _task_event(
    task: CareTask,
    contacts: Mapping[str, str],
    duration: timedelta,
    domain: str,
) -> _Event:
    begins = datetime.combine(task.on, task.local_time, tzinfo=ZoneInfo(task.time_zone))
    who = contacts.get(task.contact_id, task.contact_id)
    summary = f"{_KIND_LABEL[task.kind]}: {who}"
    if task.occasion:
        summary += f" ({task.occasion})"
    lines = [f"Contact: {who}", f"Account: {task.account_id}", f"Channel: {task.channel.value}"]
    if task.reason:
        lines.append(f"Why: {task.reason}")
    when = [("dtstart", begins), ("dtend", begins + duration)]
    extra = ("x-accountcare-key", task.key)
    return _Event(event_uid(task.key, domain), when, summary, lines, task.kind.value, extra)


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
    events = [
        _task_event(task, contact_names or {}, duration, uid_domain)
        for task in sorted(schedule.tasks, key=lambda t: (t.due_at, t.key))
    ]
    return _export(name, stamp, duration, (schedule.start, schedule.end), events)


class RepAction(Protocol):
    """What a worklist event needs of one action for a rep (a
    [`WorkItem`][accountcare.services.worklist.WorkItem] is one)."""

    @property
    def task(self) -> CareTask: ...

    @property
    def rep_id(self) -> str: ...

    @property
    def rep_name(self) -> str: ...

    @property
    def account_name(self) -> str: ...

    @property
    def contact_name(self) -> str: ...

    @property
    def phone(self) -> str: ...

    @property
    def what(self) -> str: ...


def _action_event(item: RepAction, duration: timedelta, domain: str) -> _Event:
    task = item.task
    begins = datetime.combine(task.on, task.local_time, tzinfo=ZoneInfo(task.time_zone))
    who = item.contact_name or task.contact_id
    account = item.account_name or task.account_id
    summary = f"{_KIND_LABEL[task.kind]}: {who} ({account})"
    lines = [f"Contact: {who}", f"Account: {account}", f"Channel: {task.channel.value}"]
    if item.phone:
        lines.append(f"Phone: {item.phone}")
    if item.rep_id:
        lines.append(f"Rep: {item.rep_name or item.rep_id}")
    if task.reason:
        lines.append(f"Why: {task.reason}")
    if item.what:
        lines += ["", item.what]
    when = [("dtstart", begins), ("dtend", begins + duration)]
    extra = ("x-accountcare-key", task.key)
    return _Event(event_uid(task.key, domain), when, summary, lines, task.kind.value, extra)


def worklist_calendar(
    items: Iterable[RepAction],
    *,
    stamp: datetime,
    duration: timedelta = timedelta(minutes=30),
    uid_domain: str = "accountcare",
    name: str = "Worklist",
) -> bytes:
    """A worklist as an iCalendar file: one event per action for a rep, at its local time
    with the TZID of the contact's zone, ``duration`` long, its description saying whom
    to reach, how, why and what to do (for a call, the script). The UID is the care
    task's key, as in
    [`care_schedule_calendar`][accountcare.adapters.ics.care_schedule_calendar], so a
    re-exported worklist updates its events.

    >>> from datetime import time
    >>> from accountcare.domain.contacts import Channel
    >>> from accountcare.services.worklist import WorkItem
    >>> call = CareTask("c-1", "acme", date(2027, 3, 2), time(9), "Asia/Shanghai",
    ...                 Channel.PHONE, CareKind.RELATIONSHIP_CALL, "call.A", "tier A")
    >>> item = WorkItem(call, "rep-li", "Li Na", "Acme", "王伟", "+8613800138000",
    ...                 "Ask how the new line runs; note the next order.")
    >>> data = worklist_calendar([item], stamp=datetime(2027, 3, 1, tzinfo=UTC))
    >>> b"UID:c-1|relationship_call|2027-03-02|phone@accountcare" in data
    True
    >>> "SUMMARY:Relationship call: 王伟 (Acme)" in data.decode()
    True
    """
    actions = sorted(items, key=lambda i: (i.task.due_at, i.task.key))
    events = [_action_event(item, duration, uid_domain) for item in actions]
    days = [item.task.on for item in actions] or [_check_stamp(stamp).date()]
    return _export(name, stamp, duration, (min(days), max(days)), events)
