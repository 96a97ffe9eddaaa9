"""Care schedules: whom to greet, call or follow up, when, how, and what was dropped.

The care scheduler (:mod:`accountcare.policies.care`) produces these values; the outbox
turns due tasks into messages. A task is due at a local time in the contact's IANA time
zone; :attr:`CareTask.due_at` is that instant in UTC.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import attrs

from accountcare.domain import _validate as v
from accountcare.domain.contacts import Channel

__all__ = ["CareKind", "CareSchedule", "CareState", "CareTask", "DropReason", "DroppedTask"]


class CareKind(enum.Enum):
    BIRTHDAY = "birthday"
    HOLIDAY_GREETING = "holiday_greeting"
    HOLIDAY_GIFT = "holiday_gift"
    RELATIONSHIP_CALL = "relationship_call"
    AFTER_SALE_USAGE = "after_sale_usage"
    AFTER_SALE_FEEDBACK = "after_sale_feedback"
    COMPLAINT_FOLLOW_UP = "complaint_follow_up"
    SURVEY = "survey"
    REVERIFICATION = "reverification"
    EVENT = "event"  # price change, seminar invitation: marketing


@attrs.frozen
class CareTask:
    """One touch for one contact.

    ``occasion`` names what it is for (the holiday's name, the order or event id);
    ``template_key`` selects the message template.

    >>> from datetime import date, time
    >>> t = CareTask(contact_id="c-1", account_id="acme", on=date(2027, 3, 28),
    ...              local_time=time(9), time_zone="Europe/Berlin", channel=Channel.EMAIL,
    ...              kind=CareKind.BIRTHDAY, template_key="birthday", reason="born 1980-03-28")
    >>> t.due_at.isoformat()  # Berlin moved to summer time that morning: UTC+2
    '2027-03-28T07:00:00+00:00'
    >>> t.key
    'c-1|birthday|2027-03-28|email'
    """

    contact_id: str = attrs.field(validator=v.non_empty)
    account_id: str = attrs.field(validator=v.non_empty)
    on: date = attrs.field(validator=v.plain_date)
    local_time: time = attrs.field(validator=v.typed(time))
    time_zone: str = attrs.field(validator=v.time_zone)
    channel: Channel = attrs.field(validator=v.in_enum(Channel))
    kind: CareKind = attrs.field(validator=v.in_enum(CareKind))
    template_key: str = attrs.field(validator=v.non_empty)
    reason: str = ""
    occasion: str = ""

    @property
    def key(self) -> str:
        """The idempotency key: contact, kind, date and channel."""
        return f"{self.contact_id}|{self.kind.value}|{self.on.isoformat()}|{self.channel.value}"

    @property
    def due_at(self) -> datetime:
        """The UTC instant of ``local_time`` on ``on`` in the contact's zone.

        A local time skipped by a spring-forward change is read with the offset before
        the change (02:30 becomes 03:30); a repeated autumn hour takes its first
        occurrence.
        """
        local = datetime.combine(self.on, self.local_time, tzinfo=ZoneInfo(self.time_zone))
        return local.astimezone(UTC)


class DropReason(enum.Enum):
    OPTED_OUT = "opted_out"
    NO_CONSENTED_CHANNEL = "no_consented_channel"
    FREQUENCY_CEILING = "frequency_ceiling"
    DUPLICATE = "duplicate"
    OUTSIDE_WINDOW = "outside_window"


@attrs.frozen
class DroppedTask:
    """A touch that was considered and not scheduled, and why."""

    task: CareTask
    reason: DropReason = attrs.field(validator=v.in_enum(DropReason))
    detail: str = ""


def _tasks(values: Iterable[CareTask]) -> tuple[CareTask, ...]:
    return tuple(values)


def _drops(values: Iterable[DroppedTask]) -> tuple[DroppedTask, ...]:
    return tuple(values)


@attrs.frozen
class CareState:
    """What one scheduling window hands to the next, so that ``[a, b)`` then ``[b, c)``
    equals ``[a, c)``.

    ``through`` is the end of the window already scheduled; ``recent`` holds the touches
    scheduled in the last days before it that the frequency ceiling still sees (the
    ceiling's windows span the boundary). Pass ``schedule.carry`` to the next call.

    >>> CareState(through=date(2027, 1, 1)).recent
    ()
    """

    through: date = attrs.field(validator=v.plain_date)
    recent: tuple[CareTask, ...] = attrs.field(
        default=(), converter=_tasks, validator=v.each(v.typed(CareTask))
    )


@attrs.frozen
class CareSchedule:
    """The care tasks in ``[start, end)`` and the ones dropped, and the state to carry
    into the next window (``carry``)."""

    start: date = attrs.field(validator=v.plain_date)
    end: date = attrs.field(validator=v.plain_date)
    tasks: tuple[CareTask, ...] = attrs.field(default=(), converter=_tasks)
    dropped: tuple[DroppedTask, ...] = attrs.field(default=(), converter=_drops)
    carry: CareState | None = attrs.field(default=None, validator=v.optional(v.typed(CareState)))

    def for_contact(self, contact_id: str) -> tuple[CareTask, ...]:
        return tuple(task for task in self.tasks if task.contact_id == contact_id)


def trusted_task(
    contact_id: str,
    account_id: str,
    on: date,
    local_time: time,
    time_zone: str,
    channel: Channel,
    kind: CareKind,
    template_key: str,
    reason: str,
    occasion: str,
) -> CareTask:
    """A :class:`CareTask` from values the scheduler took from validated records.

    Skips validation (the hot path of the care scheduler builds a million of these);
    never use it for outside input. A test pins that it equals the validating
    constructor.
    """
    task = _new(CareTask)
    _set_contact(task, contact_id)
    _set_account(task, account_id)
    _set_on(task, on)
    _set_local_time(task, local_time)
    _set_zone(task, time_zone)
    _set_channel(task, channel)
    _set_kind(task, kind)
    _set_template(task, template_key)
    _set_reason(task, reason)
    _set_occasion(task, occasion)
    return task


def trusted_drop(task: CareTask, reason: DropReason, detail: str) -> DroppedTask:
    """A :class:`DroppedTask` without re-validation (see :func:`trusted_task`)."""
    drop = _new(DroppedTask)
    _set_drop_task(drop, task)
    _set_drop_reason(drop, reason)
    _set_drop_detail(drop, detail)
    return drop


_new = object.__new__
# Slot descriptors of the frozen classes: setting through them bypasses the frozen
# __setattr__ (the same thing attrs' generated __init__ does).
_set_contact = CareTask.contact_id.__set__  # type: ignore[attr-defined]
_set_account = CareTask.account_id.__set__  # type: ignore[attr-defined]
_set_on = CareTask.on.__set__  # type: ignore[attr-defined]
_set_local_time = CareTask.local_time.__set__  # type: ignore[attr-defined]
_set_zone = CareTask.time_zone.__set__  # type: ignore[attr-defined]
_set_channel = CareTask.channel.__set__  # type: ignore[attr-defined]
_set_kind = CareTask.kind.__set__  # type: ignore[attr-defined]
_set_template = CareTask.template_key.__set__  # type: ignore[attr-defined]
_set_reason = CareTask.reason.__set__  # type: ignore[attr-defined]
_set_occasion = CareTask.occasion.__set__  # type: ignore[attr-defined]
_set_drop_task = DroppedTask.task.__set__  # type: ignore[attr-defined]
_set_drop_reason = DroppedTask.reason.__set__  # type: ignore[attr-defined]
_set_drop_detail = DroppedTask.detail.__set__  # type: ignore[attr-defined]
