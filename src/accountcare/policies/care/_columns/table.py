"""The schedule's columns and the lazy views that build its tasks and drops when read.

:class:`_Table` keeps the sorted candidate columns with each row's channel; a
schedule's tasks, drops and carried touches are
:class:`~accountcare.domain.care.LazySequence` views of its rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from itertools import islice
from typing import Any

import numpy as np

from accountcare.domain.care import (
    CareTask,
    DroppedTask,
    LazySequence,
    trusted_drop,
    trusted_task,
)
from accountcare.domain.care_rules import CareRules
from accountcare.policies.care._columns.candidates import _Candidates
from accountcare.policies.care._columns.codes import (
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
    USAGE,
    Ints,
)


class _Table:
    """The sorted candidate columns a schedule's lazy views build their values from."""

    def __init__(
        self,
        found: _Candidates,
        rules: CareRules,
        contact: Ints,
        day: Ints,
        kind: Ints,
        ref: Ints,
        channel: Ints,
    ) -> None:
        self.found = found
        self.local_time = rules.local_time
        self.contact, self.day, self.kind, self.ref, self.channel = contact, day, kind, ref, channel
        self.extras: list[CareTask] = []
        self.detail = {
            OPTED_OUT: "the contact opted out",
            NO_CHANNEL: "no channel the contact consents to suits this kind of touch",
            DUPLICATE: "the same touch is already scheduled that day",
            CEILING: _ceiling_text(rules),
        }

    def tasks(self, rows: Ints) -> LazySequence[CareTask]:
        return LazySequence(
            range(len(rows)),
            lambda n: self.task(int(rows[n])),
            lambda span: self._build(_part(rows, span)),
        )

    def drops(self, rows: Ints, reasons: Ints) -> LazySequence[DroppedTask]:
        def one(n: int) -> DroppedTask:
            reason = int(reasons[n])
            return trusted_drop(self.task(int(rows[n])), REASONS[reason], self.detail[reason])

        def many(span: range) -> Iterator[DroppedTask]:
            details = self.detail
            for task, reason in zip(
                self._build(_part(rows, span)), _part(reasons, span).tolist(), strict=True
            ):
                yield trusted_drop(task, REASONS[reason], details[reason])

        return LazySequence(range(len(rows)), one, many)

    def task(self, row: int) -> CareTask:
        if row < 0:
            return self.extras[-1 - row]
        return next(self._build(np.array([row], np.int64)))

    def _build(self, rows: Ints) -> Iterator[CareTask]:
        dates: dict[int, date] = {}
        extras = self.extras
        for begin in range(0, len(rows), 65536):
            part = rows[begin : begin + 65536]
            mine = part[part >= 0]
            columns = zip(
                self.contact[mine].tolist(),
                self.day[mine].tolist(),
                self.kind[mine].tolist(),
                self.ref[mine].tolist(),
                self.channel[mine].tolist(),
                strict=True,
            )
            if len(mine) < len(part):  # carried-in tasks among them: keep their places
                for row in part.tolist():
                    if row < 0:
                        yield extras[-1 - row]
                    else:
                        yield from self._made(islice(columns, 1), dates)
                continue
            yield from self._made(columns, dates)

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
                occasion = order.id
                template = "after_sale.usage" if kind == USAGE else "after_sale.feedback"
                reason = said.get(ref) or said.setdefault(
                    ref, f"order {order.id} of {order.ordered_on.isoformat()}"
                )
            elif kind in (BIRTHDAY, SURVEY):
                occasion, template, reason = payload(kind, ref)
            else:
                occasion, template, reason = texts[ref]
            yield trusted_task(
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


def _ceiling_text(rules: CareRules) -> str:
    limits = ", ".join(f"{r.touches} in {r.days} days" for r in rules.ceiling)
    return f"the contact's frequency ceiling ({limits}) is full of higher-priority touches"
