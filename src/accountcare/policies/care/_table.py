"""The schedule's columns and the lazy views that build its tasks and drops when read.

`ScheduleTable` keeps the sorted candidate columns with each row's channel; a
schedule's tasks, drops and carried touches are
[`LazySequence`][accountcare.domain.care.LazySequence] views of its rows. A negative row is a
touch carried in from the previous window (row -1 - n is ``carried_in[n]``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from functools import partial
from itertools import islice
from typing import Any

import numpy as np

from accountcare.domain._trusted import trusted
from accountcare.domain.care import CareTask, DroppedTask, LazySequence
from accountcare.domain.care_rules import CareRules
from accountcare.policies.care._candidates import Candidates, after_sale_reason
from accountcare.policies.care._codes import (
    BIRTHDAY,
    CEILING,
    CHANNELS,
    DUPLICATE,
    FEEDBACK,
    KINDS,
    NO_CHANNEL,
    OPTED_OUT,
    REASONS,
    SURVEY,
    TEMPLATES,
    USAGE,
    Ints,
)

_task = trusted(CareTask)
_drop = trusted(DroppedTask)
_CHUNK = 65536  # rows turned into Python lists at a time


class ScheduleTable:
    """The sorted candidate columns a schedule's lazy views build their values from."""

    def __init__(
        self,
        found: Candidates,
        rules: CareRules,
        columns: tuple[Ints, Ints, Ints, Ints, Ints],
        carried_in: Sequence[CareTask] = (),
    ) -> None:
        self.found = found
        self.local_time = rules.local_time
        self.contact, self.day, self.kind, self.ref, self.channel = columns
        self.carried_in = carried_in
        ceiling = ", ".join(f"{r.touches} in {r.days} days" for r in rules.ceiling)
        self.detail = {
            OPTED_OUT: "the contact opted out",
            NO_CHANNEL: "no channel the contact consents to suits this kind of touch",
            DUPLICATE: "the same touch is already scheduled that day",
            CEILING: f"the contact's frequency ceiling ({ceiling}) is full of higher-priority "
            "touches",
        }

    def tasks(self, rows: Ints) -> LazySequence[CareTask]:
        """The tasks of ``rows``, built when read."""
        return LazySequence(
            range(len(rows)), partial(self._task_at, rows), partial(self._tasks_at, rows)
        )

    def drops(self, rows: Ints, reasons: Ints) -> LazySequence[DroppedTask]:
        """The drops of ``rows`` with their reason codes, built when read."""
        return LazySequence(
            range(len(rows)),
            partial(self._drop_at, rows, reasons),
            partial(self._drops_at, rows, reasons),
        )

    def task(self, row: int) -> CareTask:
        """The task of one row."""
        if row < 0:
            return self.carried_in[-1 - row]
        return next(self._build(np.array([row], np.int64)))

    def _task_at(self, rows: Ints, n: int) -> CareTask:
        return self.task(int(rows[n]))

    def _tasks_at(self, rows: Ints, span: range) -> Iterator[CareTask]:
        return self._build(_part(rows, span))

    def _drop_at(self, rows: Ints, reasons: Ints, n: int) -> DroppedTask:
        reason = int(reasons[n])
        return _drop(self.task(int(rows[n])), REASONS[reason], self.detail[reason])

    def _drops_at(self, rows: Ints, reasons: Ints, span: range) -> Iterator[DroppedTask]:
        details = self.detail
        tasks = self._build(_part(rows, span))
        for task, reason in zip(tasks, _part(reasons, span).tolist(), strict=True):
            yield _drop(task, REASONS[reason], details[reason])

    def _build(self, rows: Ints) -> Iterator[CareTask]:
        dates: dict[int, date] = {}
        for begin in range(0, len(rows), _CHUNK):
            part = rows[begin : begin + _CHUNK]
            mine = part[part >= 0]
            columns = zip(
                self.contact[mine].tolist(),
                self.day[mine].tolist(),
                self.kind[mine].tolist(),
                self.ref[mine].tolist(),
                self.channel[mine].tolist(),
                strict=True,
            )
            if len(mine) == len(part):
                yield from self._made(columns, dates)
                continue
            for row in part.tolist():  # carried-in tasks among them: keep their places
                if row < 0:
                    yield self.carried_in[-1 - row]
                else:
                    yield from self._made(islice(columns, 1), dates)

    def _made(
        self, columns: Iterator[tuple[int, int, int, int, int]], dates: dict[int, date]
    ) -> Iterator[CareTask]:
        people, payload, local_time = self.found.people, self.found.payload, self.local_time
        texts, orders, kinds, channels = self.found.texts, self.found.orders, KINDS, CHANNELS
        said: dict[int, str] = {}  # an order's reason, shared by its two follow-ups
        for number, day, kind, ref, channel in columns:
            on = dates.get(day)
            if on is None:
                on = dates[day] = date.fromordinal(day)
            person = people[number]
            if kind in (USAGE, FEEDBACK):
                order = orders[ref]
                occasion, template = order.id, TEMPLATES[kind]
                reason = said.get(ref) or said.setdefault(ref, after_sale_reason(order))
            elif kind in (BIRTHDAY, SURVEY):
                occasion, template, reason = payload(kind, ref)
            else:
                occasion, template, reason = texts[ref]
            yield _task(
                person.id,
                person.account_id,
                on,
                local_time,
                person.time_zone,
                channels[channel],
                kinds[kind],
                template,
                reason,
                occasion,
            )


def _part(values: Any, span: range) -> Any:
    """``values[span]`` for a numpy array (a reversed range stops before index 0)."""
    return values[span.start : span.stop if span.stop >= 0 else None : span.step]
