"""The decision: candidates in the reference's order, routed, dropped, refused, carried.

:func:`_decide` turns the sorted candidate columns into a schedule: ties ordered by
their texts, opt-outs, channels and duplicates as table look-ups, the ceiling's
refusals (:mod:`accountcare.policies.care._columns.ceiling`), and the touches carried to
the next window.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np

from accountcare.domain.care import CareSchedule, CareState, CareTask
from accountcare.domain.care_rules import CareRules
from accountcare.domain.contacts import Channel, Contact
from accountcare.policies.care._columns.candidates import _Candidates, _expand
from accountcare.policies.care._columns.ceiling import _refuse
from accountcare.policies.care._columns.codes import (
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
from accountcare.policies.care._columns.table import _Table
from accountcare.policies.care.schedule import _fallback
from accountcare.policies.care.schedule import _routes as _channel_routes


def _decide(
    found: _Candidates,
    start: date,
    end: date,
    limits: list[int],
    rules: CareRules,
    state: CareState | None,
) -> CareSchedule:
    first, last = start.toordinal(), end.toordinal()
    keep_from = last - (rules.longest_ceiling_days - 1)
    internal = np.array([kind in rules.internal_kinds for kind in KINDS], bool)
    contact, day, kind, ref, same = found.sort(first, max(limits))
    if same.any():
        _order_ties(found, kind, ref, same)
    people = found.people
    route, fallback, route_of = _routes(people, rules)
    opted = np.array([c.opted_out for c in people], bool)[contact]
    channel = route[route_of[contact], kind]
    reachable = channel >= 0
    duplicate = np.zeros(len(contact), bool)
    duplicate[1:] = same
    duplicate &= reachable & ~opted
    kept = ~opted & reachable & ~duplicate
    counted = np.flatnonzero(kept & ~internal[kind])
    past = _past(state, people, internal)
    refused = np.zeros(len(contact), bool)
    refused[counted] = _refuse(
        contact[counted], day[counted], np.array(RANKS)[kind[counted]], past, rules
    )
    within = day < last
    tasks = np.flatnonzero(kept & ~refused & within)
    channel = np.where(opted | ~reachable, fallback[route_of[contact], kind], channel)
    reason = np.zeros(len(contact), np.int64)
    reason[duplicate] = DUPLICATE
    reason[refused] = CEILING
    reason[~reachable] = NO_CHANNEL
    reason[opted] = OPTED_OUT
    drops = np.flatnonzero(within & (reason > 0))
    # Per contact, the reference lists opt-outs, channel and duplicate drops as it meets
    # them, then the ceiling's.
    drops = drops[np.argsort(contact[drops] * 2 + refused[drops], kind="stable")]
    table = _Table(found, rules, contact, day, kind, ref, channel)
    carried = tasks[(day[tasks] >= keep_from) & ~internal[kind[tasks]]]
    carry = _carry(table, state, carried, keep_from, internal, rules)
    return CareSchedule(
        start=start,
        end=end,
        tasks=table.tasks(tasks),
        dropped=table.drops(drops, reason[drops]),
        carry=CareState(through=end, recent=carry),
    )


def _runs(same: Bools) -> tuple[Ints, Ints]:
    """Begin and stop of each run of equal neighbours (``same[i]``: row i + 1 equals i)."""
    at = np.flatnonzero(same)
    breaks = at[1:] != at[:-1] + 1
    return at[np.r_[True, breaks]], at[np.r_[breaks, True]] + 2


def _order_ties(found: _Candidates, kind: Ints, ref: Ints, same: Bools) -> None:
    """Order candidates of one contact, day and kind by their texts, as the reference.

    Follow-ups of two orders on one day (most ties) compare by order id, then by the day
    the reason names; other kinds by their texts. Texts are ranked once, without a tuple
    per row (thousands of new tuples would wake the garbage collector).
    """
    begins, stops = _runs(same)
    run, rows = _expand(begins, stops - begins)
    kinds, refs = kind[rows].tolist(), ref[rows].tolist()
    orders = found.orders
    primary: list[Any] = []
    secondary = np.zeros(len(rows), np.int64)
    for n, (k, r) in enumerate(zip(kinds, refs, strict=True)):
        if k in (USAGE, FEEDBACK):
            primary.append(orders[r].id)
            secondary[n] = orders[r].ordered_on.toordinal()
        else:
            primary.append(found.payload(k, r))
    ids = sorted({value for value in primary if isinstance(value, str)})
    texts = sorted({value for value in primary if not isinstance(value, str)})
    rank = {value: n for n, value in enumerate([*ids, *texts])}  # a run holds one kind
    ranked = np.fromiter(map(rank.__getitem__, primary), np.int64, len(primary))
    ref[rows] = ref[rows][np.lexsort((secondary, ranked, run))]


def _routes(people: list[Contact], rules: CareRules) -> tuple[Ints, Ints, Ints]:
    """Channel per (route, kind) (-1: none), the fallback channel, and each contact's route."""
    seen: dict[tuple[tuple[Channel, ...], frozenset[Channel]], int] = {}
    route: list[list[int]] = []
    fallback: list[list[int]] = []
    numbers = []
    for contact in people:
        key = (contact.channels, contact.consents)
        number = seen.get(key)
        if number is None:
            number = seen[key] = len(route)
            route.append(
                [-1 if c is None else CHANNEL_INDEX[c] for c in _channel_routes(contact, rules)]
            )
            fallback.append([CHANNEL_INDEX[_fallback(contact, k, rules)] for k in KINDS])
        numbers.append(number)
    return (
        np.array(route, np.int64).reshape(-1, len(KINDS)),
        np.array(fallback, np.int64).reshape(-1, len(KINDS)),
        np.array(numbers, np.int64),
    )


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


def _carry(
    table: _Table,
    state: CareState | None,
    rows: Ints,
    keep_from: int,
    internal: Bools,
    rules: CareRules,
) -> Sequence[CareTask]:
    """The touches the next window's ceiling sees, in the reference's order."""
    kept = [
        task
        for task in (state.recent if state is not None else ())
        if not internal[INDEX[task.kind]] and task.on.toordinal() >= keep_from
    ]
    contact, day, kind = table.contact[rows], table.day[rows], table.kind[rows]
    if not kept:
        span = int(day.max()) - keep_from + 1 if len(day) else 1
        order = np.argsort(
            (contact * span + day - keep_from) * 16 + CARRY_ORDER[kind], kind="stable"
        )
        return table.tasks(rows[order])
    # Merge the carried-in tasks: contact ids compare as strings, so number them among
    # the scheduled contacts (2n + 1 for contact n, an even number between them).
    ids = [c.id for c in table.found.people]
    from bisect import bisect_left

    numbers = []
    for task in kept:
        n = bisect_left(ids, task.contact_id)
        numbers.append(2 * n + 1 if n < len(ids) and ids[n] == task.contact_id else 2 * n)
    all_contact = np.concatenate([np.array(numbers, np.int64), contact * 2 + 1])
    all_day = np.concatenate([np.array([t.on.toordinal() for t in kept], np.int64), day])
    all_kind = np.concatenate([np.array([INDEX[t.kind] for t in kept], np.int64), kind])
    entries = np.concatenate([-1 - np.arange(len(kept)), rows])
    order = np.lexsort((CARRY_ORDER[all_kind], all_day, all_contact))
    entries = entries[order]
    sort_key = np.stack([all_contact, all_day, CARRY_ORDER[all_kind]])[:, order]
    same = (sort_key[:, 1:] == sort_key[:, :-1]).all(axis=0)
    table.extras = kept
    if same.any():  # one contact, day and kind twice: by occasion, carried-in first
        for begin, stop in zip(*_runs(same), strict=True):
            group = entries[begin:stop].tolist()
            entries[begin:stop] = sorted(group, key=lambda e: table.task(e).occasion)
    return table.tasks(entries)
