"""Care schedules: whom to greet, call or follow up, when, how, and what was dropped.

The care scheduler
([`accountcare.policies.care.schedule_care`][accountcare.policies.care.schedule.schedule_care])
produces these values; the outbox turns due tasks into messages. A task is due at a local
time in the contact's IANA time zone;
[`CareTask.due_at`][accountcare.domain.care.CareTask.due_at] is that instant in UTC.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, time
from operator import attrgetter
from typing import Any, TypeVar, overload
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
    PRE_SALE = "pre_sale"  # answer questions, personalised advice
    CONTRACT_STATUS = "contract_status"  # resolve doubts, payment and stock status
    REACTIVATION = "reactivation"  # a dormant account
    WIN_BACK = "win_back"  # a lost account, once the cause of the loss is known


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

    contact_id: str = attrs.field(validator=v.an_id)
    account_id: str = attrs.field(validator=v.an_id)
    on: date = attrs.field(validator=v.plain_date)
    local_time: time = attrs.field(validator=v.typed(time))
    time_zone: str = attrs.field(validator=v.time_zone)
    channel: Channel = attrs.field(validator=v.in_enum(Channel))
    kind: CareKind = attrs.field(validator=v.in_enum(CareKind))
    template_key: str = attrs.field(validator=v.a_name)
    reason: str = attrs.field(default="", validator=v.a_line)
    occasion: str = attrs.field(default="", validator=v.a_line)

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
        return _due_at(self.on, self.local_time, self.time_zone)


@functools.lru_cache(maxsize=65536)
def _due_at(on: date, local_time: time, time_zone: str) -> datetime:
    # A million tasks share a few thousand (day, time, zone) triples: convert each once.
    local = datetime.combine(on, local_time, tzinfo=ZoneInfo(time_zone))
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
    detail: str = attrs.field(default="", validator=v.a_text)


_T = TypeVar("_T")


class LazySequence(Sequence[_T]):
    """A read-only sequence whose items are built when they are read.

    The care scheduler returns its tasks this way: it keeps compact columns and builds a
    [`CareTask`][accountcare.domain.care.CareTask] only when one is read (``item(i)`` for
    one, ``items(range)`` for a run), so a schedule of a million tasks costs no million
    objects until someone reads them. Items are built again on every read: they are equal,
    not identical. The sequence compares, hashes, prints and pickles like the tuple of its
    items. Only the library constructs these (its items are built with `trusted` from
    validated parts).

    >>> squares = LazySequence(range(4), lambda i: i * i, lambda r: (i * i for i in r))
    >>> len(squares), squares[3], list(squares[1:3])
    (4, 9, [1, 4])
    >>> squares == (0, 1, 4, 9)
    True
    """

    __slots__ = ("_item", "_items", "_rows")

    def __init__(
        self,
        rows: range,
        item: Callable[[int], _T],
        items: Callable[[range], Iterator[_T]],
    ) -> None:
        self._rows, self._item, self._items = rows, item, items

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> _T: ...

    @overload
    def __getitem__(self, index: slice) -> LazySequence[_T]: ...

    def __getitem__(self, index: int | slice) -> _T | LazySequence[_T]:
        if isinstance(index, slice):
            return LazySequence(self._rows[index], self._item, self._items)
        return self._item(self._rows[index])

    def __iter__(self) -> Iterator[_T]:
        return self._items(self._rows)

    def __reversed__(self) -> Iterator[_T]:
        return self._items(self._rows[::-1])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, tuple | LazySequence):
            return NotImplemented
        if len(self) != len(other):
            return False
        if isinstance(other, LazySequence) and (
            (other._rows, other._item) == (self._rows, self._item)
        ):
            return True
        return all(a == b for a, b in zip(self, other, strict=True))

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))

    def __reduce__(self) -> tuple[Any, ...]:
        return (tuple, (tuple(self),))


def _tasks(values: Iterable[CareTask]) -> Sequence[CareTask]:
    return values if isinstance(values, LazySequence) else tuple(values)


def _drops(values: Iterable[DroppedTask]) -> Sequence[DroppedTask]:
    return values if isinstance(values, LazySequence) else tuple(values)


_EACH_TASK = v.each(v.typed(CareTask))


def _each_task(instance: Any, attribute: Any, value: Sequence[CareTask]) -> None:
    if not isinstance(value, LazySequence):  # built by the scheduler from checked values
        _EACH_TASK(instance, attribute, value)


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
    recent: Sequence[CareTask] = attrs.field(default=(), converter=_tasks, validator=_each_task)


_TASK_ROW = attrgetter(
    "on", "local_time", "time_zone", "contact_id", "account_id", "kind", "channel", "reason"
)


@attrs.frozen
class CareSchedule:
    """The care tasks in ``[start, end)`` and the ones dropped, and the state to carry
    into the next window (``carry``).

    ``tasks`` and ``dropped`` are read-only sequences: tuples when given, or (from the
    care scheduler) a [`LazySequence`][accountcare.domain.care.LazySequence] that builds
    each value when it is read.

    >>> CareSchedule(date(2027, 1, 1), date(2027, 2, 1)).tasks
    ()
    """

    start: date = attrs.field(validator=v.plain_date)
    end: date = attrs.field(validator=v.plain_date)
    tasks: Sequence[CareTask] = attrs.field(default=(), converter=_tasks)
    dropped: Sequence[DroppedTask] = attrs.field(default=(), converter=_drops)
    carry: CareState | None = attrs.field(default=None, validator=v.optional(v.typed(CareState)))

    def for_contact(self, contact_id: str) -> tuple[CareTask, ...]:
        return tuple(task for task in self.tasks if task.contact_id == contact_id)

    def _repr_html_(self) -> str:
        """The schedule as two tables in Jupyter: the tasks, and those dropped."""
        from accountcare.domain._html import html_table

        head = f"Care schedule {self.start} to {self.end} (end excluded)"
        tasks = html_table(
            ("day", "local time", "time zone", "contact", "account", "kind", "channel", "reason"),
            map(_TASK_ROW, self.tasks),
            caption=f"{head}: {len(self.tasks):,} tasks, {len(self.dropped):,} dropped",
            total=len(self.tasks),
        )
        dropped = html_table(
            ("day", "contact", "kind", "why", "detail"),
            ((d.task.on, d.task.contact_id, d.task.kind, d.reason, d.detail) for d in self.dropped),
            caption=f"{len(self.dropped):,} touches dropped, with the reason",
            total=len(self.dropped),
        )
        return f"{tasks}\n{dropped}" if self.dropped else tasks
