"""The frequency ceiling on columns: which counted candidates it refuses.

The reference's greedy admission by rank, then day
(:mod:`accountcare.policies.care.ceiling`), decided for every contact at once: a touch breaks
a rule of N in D days exactly when N taken touches next to it span less than D days
with it.
"""

from __future__ import annotations

import numpy as np

from accountcare.domain.care_rules import CareRules
from accountcare.policies.care._columns.codes import Bools, Ints

_FAR = 1 << 40  # farther than any day from any other


def _refuse(
    contact: Ints, day: Ints, rank: Ints, past: tuple[Ints, Ints], rules: CareRules
) -> Bools:
    """Which counted candidates (sorted by contact and day) the ceiling refuses.

    The reference's greedy admission by rank, then day. Only a contact with a window
    that breaks a rule when every candidate counts can lose any; then, rank by rank,
    only candidates inside such a window (with the touches taken so far and the rank's
    own) can be refused, and those are decided by :func:`_greedy`.
    """
    ceiling = [(rule.touches, rule.days) for rule in rules.ceiling]
    refused = np.zeros(len(contact), bool)
    if not len(contact):
        return refused
    past_contact, past_day = past
    base = int(min(day.min(), past_day.min())) if len(past_day) else int(day.min())
    # Days of contact n become n * span + day - base, with span longer than the days
    # plus the longest rule: touches of two contacts never fall within one rule's days.
    longest = max(days for _, days in ceiling)
    last = int(max(day.max(), past_day.max()) if len(past_day) else day.max())
    span = last - base + 1 + longest
    key = contact * span + (day - base)
    carried = np.sort(past_contact * span + (past_day - base))
    everything = _merge(key, carried) if len(carried) else key
    crowded = np.zeros(int(max(contact.max(), past_contact.max(initial=0))) + 1, bool)
    for touches, days in ceiling:  # N + 1 touches within D days: the contact is crowded
        if len(everything) > touches:
            low = everything[:-touches]
            crowded[low[everything[touches:] - low < days] // span] = True
    rows = np.flatnonzero(crowded[contact])
    if not len(rows):
        return refused
    # The crowded contacts' touches in one sorted column: carried-in ones (rank -1, they
    # always stand) and candidates. A refused candidate stops counting.
    keys, ranks, owner = key[rows], rank[rows], rows
    carried = carried[crowded[carried // span]]
    if len(carried):
        order = np.argsort(np.concatenate([carried, keys]), kind="stable")
        keys = np.concatenate([carried, keys])[order]
        ranks = np.concatenate([np.full(len(carried), -1, np.int64), ranks])[order]
        owner = np.concatenate([np.full(len(carried), -1, np.int64), owner])[order]
    standing = np.ones(len(keys), bool)
    for level in np.unique(ranks[ranks >= 0]).tolist():
        mine = ranks == level
        counted = (standing & (ranks < level)) | mine  # taken so far, and this rank
        at = np.flatnonzero(counted)
        hot = at[_crowded(keys[at], ceiling) & mine[at]]
        if not len(hot):
            continue
        steady = counted.copy()
        steady[hot] = False
        rows = owner[hot]
        admitted = _greedy(keys[hot], contact[rows], span, keys[steady], ceiling)
        standing[hot[~admitted]] = False
        refused[rows[~admitted]] = True
    return refused


def _merge(a: Ints, b: Ints) -> Ints:
    """Two sorted arrays as one (a stable sort finds and merges the two runs)."""
    return np.sort(np.concatenate([a, b]), kind="stable")


def _crowded(keys: Ints, ceiling: list[tuple[int, int]]) -> Bools:
    """Which of the sorted touch keys are inside a window that breaks a ceiling rule:
    N + 1 consecutive touches (of one contact, as keys of two are far apart) within D
    days."""
    inside = np.zeros(len(keys), bool)
    for touches, days in ceiling:
        if len(keys) > touches:
            first = keys[touches:] - keys[:-touches] < days  # the window starting here
            if touches <= 8:
                for shift in range(touches + 1):
                    inside[shift : shift + len(first)] |= first
            else:
                edges = np.zeros(len(keys) + 1, np.int64)
                starts = np.flatnonzero(first)
                edges += np.bincount(starts, minlength=len(edges))
                edges -= np.bincount(starts + touches + 1, minlength=len(edges))
                inside |= np.cumsum(edges[:-1]) > 0
    return inside


def _greedy(
    key: Ints, contact: Ints, span: int, taken: Ints, ceiling: list[tuple[int, int]]
) -> Bools:
    """The greedy admission of one rank's candidates (sorted by contact, then in the
    reference's order) against the sorted ``taken`` touches, every contact at once:
    step j decides the j-th candidate of every contact that has one."""
    widest = max(touches for touches, _ in ceiling)
    floor = contact * span
    day = key - floor
    # The taken touches nearest on each side (on or before the day; after it) stay the
    # same while this rank is decided; the rank's own admitted touches come before.
    # Row j of ``left`` and ``right`` holds each candidate's j-th nearest.
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
    admitted = _fits(day, left, right, ceiling)  # refused by the taken touches alone: final
    open_ = np.flatnonzero(admitted)
    if not len(open_):
        return admitted
    # Contacts by their number of open candidates, most first: the contacts still
    # deciding at step j are a prefix, so each step works on slices.
    fresh = np.ones(len(open_), bool)
    fresh[1:] = contact[open_[1:]] != contact[open_[:-1]]
    starts = np.flatnonzero(fresh)
    sizes = np.diff(np.append(starts, len(open_)))
    by_size = np.argsort(-sizes, kind="stable")
    starts, sizes = starts[by_size], sizes[by_size]
    counts = (len(sizes) - np.cumsum(np.bincount(sizes)))[:-1].tolist()
    layout = open_[np.concatenate([starts[:count] + j for j, count in enumerate(counts)])]
    day, left, right = day[layout], left[:, layout], right[:, layout]
    own = np.full((widest, len(sizes)), -_FAR, np.int64)  # admitted, latest first
    decided = np.empty(len(layout), bool)
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
    admitted[layout] = decided
    return admitted


def _nearest(a: Ints, b: Ints) -> Ints:
    """The largest values of two columns of values sorted largest first (row 0 first),
    largest first: the k-th is the largest of a[k], b[k] and min(a[i], b[k - 1 - i])."""
    merged = np.maximum(a, b)
    for k in range(1, len(a)):
        row = merged[k]
        for i in range(k):
            np.maximum(row, np.minimum(a[i], b[k - 1 - i]), out=row)
    return merged


def _fits(day: Ints, left: Ints, right: Ints, ceiling: list[tuple[int, int]]) -> Bools:
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
