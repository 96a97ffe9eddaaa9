"""The decision: sorted candidates routed, dropped, refused by the ceiling, carried.

`decide` turns the candidate columns into a schedule in named steps: sort (ties
ordered by their texts), route each touch to a channel through the contact's own
consent ([`Contact.channel_for`][accountcare.domain.contacts.Contact.channel_for]), drop opt-outs,
unreachable touches and duplicates, let the ceiling
([`refuse`][accountcare.policies.care.ceiling.refuse]) refuse, and keep the touches the
next window's ceiling must see.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from datetime import date
from typing import Any, NamedTuple

import numpy as np

from accountcare.domain.care import CareKind, CareSchedule, CareState, CareTask
from accountcare.domain.care_rules import CareRules
from accountcare.domain.contacts import Channel, Contact
from accountcare.policies.care._candidates import Candidates, expand
from accountcare.policies.care._codes import (
    CARRY_ORDER,
    CEILING,
    CHANNEL_INDEX,
    DUPLICATE,
    FEEDBACK,
    INDEX,
    KINDS,
    NO_CHANNEL,
    OPTED_OUT,
    RANKS,
    USAGE,
    Bools,
    Ints,
)
from accountcare.policies.care._table import ScheduleTable
from accountcare.policies.care.ceiling import refuse


class _Sorted(NamedTuple):
    """The candidates by contact, day and priority, as columns."""

    contact: Ints
    day: Ints
    kind: Ints
    ref: Ints
    same: Bools  # same[i]: row i + 1 has the contact, day and kind of row i


def decide(
    found: Candidates,
    start: date,
    end: date,
    horizon: int,
    rules: CareRules,
    state: CareState | None,
) -> CareSchedule:
    """The schedule of ``[start, end)`` from the candidates up to day ``horizon``."""
    last = end.toordinal()
    internal = np.array([kind in rules.internal_kinds for kind in KINDS], bool)
    rows = _sort(found, start.toordinal(), horizon)
    channel, reason = _route(found.people, rows, rules)
    reason[_refused(rows, reason, internal, _past(state, found.people, internal), rules)] = CEILING
    within = rows.day < last
    tasks = np.flatnonzero(within & (reason == 0))
    drops = np.flatnonzero(within & (reason > 0))
    # Per contact, the drops met on the way come first, the ceiling's after them.
    order = np.argsort(rows.contact[drops] * 2 + (reason[drops] == CEILING), kind="stable")
    drops = drops[order]
    keep_from = last - (rules.longest_ceiling_days - 1)
    carried_in = [
        task
        for task in (state.recent if state is not None else ())
        if not internal[INDEX[task.kind]] and task.on.toordinal() >= keep_from
    ]
    table = ScheduleTable(found, rules, (*rows[:4], channel), carried_in)
    carried = tasks[(rows.day[tasks] >= keep_from) & ~internal[rows.kind[tasks]]]
    return CareSchedule(
        start=start,
        end=end,
        tasks=table.tasks(tasks),
        dropped=table.drops(drops, reason[drops]),
        carry=CareState(through=end, recent=_carry(table, carried, keep_from)),
    )


def _refused(
    rows: _Sorted, reason: Ints, internal: Bools, past: tuple[Ints, Ints], rules: CareRules
) -> Bools:
    """Which rows the ceiling refuses, of those it counts (not dropped, not internal)."""
    counted = np.flatnonzero((reason == 0) & ~internal[rows.kind])
    refused = np.zeros(len(rows.contact), bool)
    refused[counted] = refuse(
        rows.contact[counted], rows.day[counted], RANKS[rows.kind[counted]], past, rules.ceiling
    )
    return refused


def _sort(found: Candidates, first: int, horizon: int) -> _Sorted:
    contact, day, kind, ref, same = found.sort(first, horizon)
    if same.any():
        ref = _order_ties(found, kind, ref, same)
    return _Sorted(contact, day, kind, ref, same)


def _runs(same: Bools) -> tuple[Ints, Ints]:
    """Begin and stop of each run of equal neighbours (``same[i]``: row i + 1 equals i)."""
    at = np.flatnonzero(same)
    breaks = at[1:] != at[:-1] + 1
    return at[np.r_[True, breaks]], at[np.r_[breaks, True]] + 2


def _order_ties(found: Candidates, kind: Ints, ref: Ints, same: Bools) -> Ints:
    """``ref`` with the candidates of one contact, day and kind ordered by their texts
    (occasion, template, reason): the same one is kept, and the same one listed as a
    duplicate, whatever the order of the input.

    Follow-ups of two orders on one day (most ties) compare by order id, then by the day
    the reason names, without formatting the reason; other kinds by their texts.
    """
    begins, stops = _runs(same)
    run, rows = expand(begins, stops - begins)
    orders = found.orders
    primary: list[Any] = []
    secondary = np.zeros(len(rows), np.int64)
    for n, (k, r) in enumerate(zip(kind[rows].tolist(), ref[rows].tolist(), strict=True)):
        if k in (USAGE, FEEDBACK):
            primary.append(orders[r].id)
            secondary[n] = orders[r].ordered_on.toordinal()
        else:
            primary.append(found.payload(k, r))
    ids = sorted({value for value in primary if isinstance(value, str)})
    texts = sorted({value for value in primary if not isinstance(value, str)})
    rank = {value: n for n, value in enumerate([*ids, *texts])}  # a run holds one kind
    ranked = np.fromiter(map(rank.__getitem__, primary), np.int64, len(primary))
    ordered = ref.copy()
    ordered[rows] = ref[rows][np.lexsort((secondary, ranked, run))]
    return ordered


def _route(people: list[Contact], rows: _Sorted, rules: CareRules) -> tuple[Ints, Ints]:
    """Each row's channel and the code of why it is dropped before the ceiling (0: it
    is not): the contact opted out, no channel it consents to suits the kind, or the
    same kind is already on that day. A dropped row keeps the channel it would have."""
    route, fallback, route_of = _routes(people, rules)
    opted = np.array([c.opted_out for c in people], bool)[rows.contact]
    channel = route[route_of[rows.contact], rows.kind]
    reachable = channel >= 0
    duplicate = np.zeros(len(rows.contact), bool)
    duplicate[1:] = rows.same
    reason = np.zeros(len(rows.contact), np.int64)
    reason[duplicate & reachable] = DUPLICATE
    reason[~reachable] = NO_CHANNEL
    reason[opted] = OPTED_OUT
    channel = np.where(reachable, channel, fallback[route_of[rows.contact], rows.kind])
    return channel, reason


def _routes(people: list[Contact], rules: CareRules) -> tuple[Ints, Ints, Ints]:
    """Per distinct (channels, consents, opt-out): the channel of each kind (-1: none)
    and the channel a dropped touch records; and each contact's route number."""
    seen: dict[tuple[tuple[Channel, ...], frozenset[Channel], bool], int] = {}
    route: list[list[int]] = []
    fallback: list[list[int]] = []
    numbers = []
    for contact in people:
        key = (contact.channels, contact.consents, contact.opted_out)
        number = seen.get(key)
        if number is None:
            number = seen[key] = len(route)
            chosen = [contact.channel_for(rules.channels[kind]) for kind in KINDS]
            route.append([-1 if c is None else CHANNEL_INDEX[c] for c in chosen])
            fallback.append([CHANNEL_INDEX[_recorded(contact, k, rules)] for k in KINDS])
        numbers.append(number)
    return (
        np.array(route, np.int64).reshape(-1, len(KINDS)),
        np.array(fallback, np.int64).reshape(-1, len(KINDS)),
        np.array(numbers, np.int64),
    )


def _recorded(contact: Contact, kind: CareKind, rules: CareRules) -> Channel:
    """The channel recorded with a touch dropped before routing: the first of the
    contact's channels the kind may use, else the kind's first channel. Consent and
    opt-out are not asked here: they are often why the touch was dropped."""
    allowed = rules.channels[kind]
    for channel in contact.channels:
        if channel in allowed:
            return channel
    return min(allowed, key=CHANNEL_INDEX.__getitem__) if allowed else Channel.EMAIL


def _past(state: CareState | None, people: list[Contact], internal: Bools) -> tuple[Ints, Ints]:
    """(contact number, day) of the carried touches the ceiling counts."""
    if state is None or not state.recent:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    index = {c.id: n for n, c in enumerate(people)}
    numbers, days = [], []
    for task in state.recent:
        number = index.get(task.contact_id)
        if number is not None and not internal[INDEX[task.kind]]:
            numbers.append(number)
            days.append(task.on.toordinal())
    return np.array(numbers, np.int64), np.array(days, np.int64)


def _carry(table: ScheduleTable, rows: Ints, keep_from: int) -> Sequence[CareTask]:
    """The touches the next window's ceiling sees: the scheduled ``rows`` and the
    carried-in ones still inside its reach, by contact id, day, priority, kind, occasion."""
    contact, day, kind = table.contact[rows], table.day[rows], table.kind[rows]
    if not table.carried_in:
        span = int(day.max()) - keep_from + 1 if len(day) else 1
        key = (contact * span + day - keep_from) * 16 + CARRY_ORDER[kind]
        return table.tasks(rows[np.argsort(key, kind="stable")])
    carried_in = table.carried_in
    # Contact ids compare as strings: number the carried-in ones among the scheduled
    # contacts (2n + 1 for contact n, an even number between two of them).
    ids = [c.id for c in table.found.people]
    numbers = []
    for task in carried_in:
        n = bisect_left(ids, task.contact_id)
        numbers.append(2 * n + 1 if n < len(ids) and ids[n] == task.contact_id else 2 * n)
    all_contact = np.concatenate([np.array(numbers, np.int64), contact * 2 + 1])
    all_day = np.concatenate([np.array([t.on.toordinal() for t in carried_in], np.int64), day])
    all_kind = CARRY_ORDER[np.concatenate([[INDEX[t.kind] for t in carried_in], kind])]
    order = np.lexsort((all_kind, all_day, all_contact))
    entries = np.concatenate([-1 - np.arange(len(carried_in)), rows])[order]
    sort_key = np.stack([all_contact, all_day, all_kind])[:, order]
    same = (sort_key[:, 1:] == sort_key[:, :-1]).all(axis=0)
    if same.any():  # one contact, day and kind twice: by occasion, carried-in first
        for begin, stop in zip(*_runs(same), strict=True):
            group = entries[begin:stop].tolist()
            entries[begin:stop] = sorted(group, key=lambda e: table.task(e).occasion)
    return table.tasks(entries)
