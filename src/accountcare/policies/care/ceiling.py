"""The contact frequency ceiling: at most N touches in any D days, per contact.

Practitioners cap how often one customer is contacted
([`DEFAULT_CEILING`][accountcare.domain.care_rules.DEFAULT_CEILING]: 2 in 7 days, 4 in 30). Touches
are admitted greedily by priority, then by day, then by their place in the contact's
order: a touch is admitted when, with the touches admitted before it and the ones an
earlier window already scheduled, every rule still holds, that is when no D consecutive
days around its day would hold more than N touches. Refused touches are dropped, not
moved: moving a touch across a window's end would make one window's content depend on
the next.

[`refuse`][accountcare.policies.care.ceiling.refuse] decides this for every contact at once,
on columns: a touch breaks a rule of N in D days exactly when N taken touches next to it
span less than D days with it.

>>> import numpy as np
>>> from accountcare.domain.care_rules import CeilingRule
>>> one = np.zeros(4, np.int64)  # four touches of contact 0, the last one a birthday
>>> refuse(one, np.array([1, 2, 3, 5]), np.array([4, 4, 4, 0]), (one[:0], one[:0]),
...        [CeilingRule(2, 7)]).tolist()
[False, True, True, False]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from accountcare.domain.care_rules import CeilingRule
from accountcare.policies.care._codes import Bools, Ints

__all__ = ["refuse"]

_FAR = 1 << 40  # farther than any day from any other


_Ceiling = list[tuple[int, int]]  # (touches, days) per rule


def refuse(
    contact: Ints,
    day: Ints,
    rank: Ints,
    past: tuple[Ints, Ints],
    rules: Sequence[CeilingRule],
) -> Bools:
    """Which counted touches (``contact`` numbers and ``day`` ordinals, sorted by contact
    and day, with their priority ``rank``, 0 first) the ceiling ``rules`` refuse, given
    the ``past`` touches (contact, day) that stand.

    Only a contact with a window that breaks a rule when every touch counts can lose
    any; then, rank by rank, only touches inside such a window (with the touches taken
    so far and the rank's own) can be refused, and those are decided by `_greedy`.
    """
    ceiling = [(rule.touches, rule.days) for rule in rules]
    refused = np.zeros(len(contact), bool)
    if not len(contact):
        return refused
    span, key, carried = _keys(contact, day, past, ceiling)
    crowded = _crowded_contacts(key, carried, span, ceiling)
    rows = np.flatnonzero(crowded[contact])
    if not len(rows):
        return refused
    carried = carried[crowded[carried // span]]
    keys, ranks, owner = _with_carried(key[rows], rank[rows], rows, carried)
    standing = np.ones(len(keys), bool)  # a refused touch stops counting
    for level in np.unique(ranks[ranks >= 0]).tolist():
        hot, admitted = _admit_rank(keys, ranks, standing, level, span, ceiling)
        standing[hot[~admitted]] = False
        refused[owner[hot[~admitted]]] = True
    return refused


def _keys(
    contact: Ints, day: Ints, past: tuple[Ints, Ints], ceiling: _Ceiling
) -> tuple[int, Ints, Ints]:
    """Each touch as one integer: day d of contact n is n * span + d - base, with span
    longer than the days plus the longest rule, so touches of two contacts never fall
    within one rule's days. (span, the candidates' keys, the carried keys sorted)."""
    past_contact, past_day = past
    days = np.concatenate([day, past_day])
    base = int(days.min())
    span = int(days.max()) - base + 1 + max(days for _, days in ceiling)
    return span, contact * span + (day - base), np.sort(past_contact * span + (past_day - base))


def _crowded_contacts(key: Ints, carried: Ints, span: int, ceiling: _Ceiling) -> Bools:
    """Per contact number: some of its touches (candidates and carried) break a rule.
    Only such a contact can lose a touch."""
    everything = np.sort(np.concatenate([key, carried]), kind="stable") if len(carried) else key
    crowded = np.zeros(int(everything.max()) // span + 1, bool)
    crowded[everything[_crowded(everything, ceiling)] // span] = True
    return crowded


def _with_carried(keys: Ints, ranks: Ints, owner: Ints, carried: Ints) -> tuple[Ints, Ints, Ints]:
    """The touches in one sorted column with the carried ones among them (rank and owner
    -1: they always stand)."""
    if not len(carried):
        return keys, ranks, owner
    everything = np.concatenate([carried, keys])
    order = np.argsort(everything, kind="stable")
    none = np.full(len(carried), -1, np.int64)
    return (
        everything[order],
        np.concatenate([none, ranks])[order],
        np.concatenate([none, owner])[order],
    )


def _admit_rank(
    keys: Ints, ranks: Ints, standing: Bools, level: int, span: int, ceiling: _Ceiling
) -> tuple[Ints, Bools]:
    """The touches of rank ``level`` that could be refused (their places in ``keys``)
    and which of them are admitted, against the touches still standing above them."""
    mine = ranks == level
    counted = (standing & (ranks < level)) | mine  # taken so far, and this rank
    at = np.flatnonzero(counted)
    hot = at[_crowded(keys[at], ceiling) & mine[at]]
    if not len(hot):
        return hot, np.ones(0, bool)
    steady = counted.copy()
    steady[hot] = False
    return hot, _greedy(keys[hot], span, keys[steady], ceiling)


def _crowded(keys: Ints, ceiling: _Ceiling) -> Bools:
    """Which of the sorted touch keys are inside a window that breaks a ceiling rule:
    N + 1 consecutive touches (of one contact, as keys of two are far apart) within D
    days."""
    inside = np.zeros(len(keys), bool)
    for touches, days in ceiling:
        if len(keys) > touches:
            first = keys[touches:] - keys[:-touches] < days  # the window starting here
            for shift in range(touches + 1):
                inside[shift : shift + len(first)] |= first
    return inside


def _greedy(key: Ints, span: int, taken: Ints, ceiling: _Ceiling) -> Bools:
    """The greedy admission of one rank's candidates (sorted by contact, then day)
    against the sorted ``taken`` touches, every contact at once: step j decides the
    j-th candidate of every contact that has one."""
    day = key % span
    left, right = _neighbours(key, span, taken, max(touches for touches, _ in ceiling))
    admitted = _fits(day, left, right, ceiling)  # refused by the taken touches alone: final
    open_ = np.flatnonzero(admitted)
    if len(open_):
        layout, counts = _layout(key // span, open_)
        admitted[layout] = _steps(day[layout], left[:, layout], right[:, layout], counts, ceiling)
    return admitted


def _neighbours(key: Ints, span: int, taken: Ints, widest: int) -> tuple[Ints, Ints]:
    """Row j: each candidate's j-th nearest taken touch of its own contact on or before
    its day (``left``) and after it (``right``), as days of the contact (or -FAR, FAR).
    They stay the same while a rank is decided."""
    floor = key - key % span
    at = np.searchsorted(taken, key, side="right")
    left = np.full((widest, len(key)), -_FAR, np.int64)
    right = np.full((widest, len(key)), _FAR, np.int64)
    if len(taken):
        for j in range(widest):
            p = at - 1 - j
            value = taken[np.maximum(p, 0)] - floor
            left[j] = np.where((p >= 0) & (value >= 0), value, -_FAR)
            p = at + j
            value = taken[np.minimum(p, len(taken) - 1)] - floor
            right[j] = np.where((p < len(taken)) & (value < span), value, _FAR)
    return left, right


def _layout(contact: Ints, open_: Ints) -> tuple[Ints, list[int]]:
    """The open candidates step by step: step j holds the j-th open candidate of every
    contact that has one, contacts with the most first, so the contacts still deciding
    at a step are a prefix and each step works on a slice. (rows, contacts per step)."""
    fresh = np.ones(len(open_), bool)
    fresh[1:] = contact[open_[1:]] != contact[open_[:-1]]
    starts = np.flatnonzero(fresh)
    sizes = np.diff(np.append(starts, len(open_)))
    by_size = np.argsort(-sizes, kind="stable")
    starts, sizes = starts[by_size], sizes[by_size]
    counts: list[int] = (len(sizes) - np.cumsum(np.bincount(sizes)))[:-1].tolist()
    return open_[np.concatenate([starts[:count] + j for j, count in enumerate(counts)])], counts


def _steps(day: Ints, left: Ints, right: Ints, counts: list[int], ceiling: _Ceiling) -> Bools:
    """Decide the laid-out candidates step by step; each contact's candidates admitted
    so far count for its next one (``own`` row j: its j-th latest admitted)."""
    widest = len(left)
    own = np.full((widest, counts[0]), -_FAR, np.int64)
    decided = np.empty(len(day), bool)
    done = 0
    for count in counts:
        now = slice(done, done + count)
        x, mine = day[now], own[:, :count]
        ok = _fits(x, _nearest(left[:, now], mine), right[:, now], ceiling)
        decided[now] = ok
        for j in range(widest - 1, 0, -1):
            mine[j] = np.where(ok, mine[j - 1], mine[j])
        mine[0] = np.where(ok, x, mine[0])
        done += count
    return decided


def _nearest(a: Ints, b: Ints) -> Ints:
    """The largest values of two columns of values sorted largest first (row 0 first),
    largest first: the k-th is the largest of a[k], b[k] and min(a[i], b[k - 1 - i])."""
    merged = np.maximum(a, b)
    for k in range(1, len(a)):
        row = merged[k]
        for i in range(k):
            np.maximum(row, np.minimum(a[i], b[k - 1 - i]), out=row)
    return merged


def _fits(day: Ints, left: Ints, right: Ints, ceiling: _Ceiling) -> Bools:
    """Whether a touch on ``day`` keeps every rule with the taken touches nearest to it
    (``left[j]``: the j-th nearest on or before it; ``right[j]``: after it): a rule of N
    in D days breaks when a of them before and N - a after span under D days with it."""
    ok = np.ones(len(day), bool)
    for touches, days in ceiling:
        for a in range(touches + 1):
            low = day if a == 0 else left[a - 1]
            high = day if a == touches else right[touches - a - 1]
            ok &= high - low >= days
    return ok
