"""The contact frequency ceiling: at most N touches in any D days, per contact.

DOMAIN.md section 5: "do not burden the customer: contact frequency has a ceiling".
Touches are admitted greedily by priority (birthday > complaint follow-up > after-sale >
holiday > call > survey > marketing), then by date: a touch is refused only when a
ceiling window around its day is already full of touches that rank at least as high
(or that an earlier window already scheduled). Refused touches are dropped, not moved:
moving a touch across a window's end would make one window's content depend on the next.

Days are ``date.toordinal()`` integers, so the checks are integer arithmetic.

>>> fits([1, 2, 9], [(2, 7)])
True
>>> fits([1, 2, 3], [(2, 7)])
False
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Sequence

__all__ = ["admit", "fits"]

Rules = Sequence[tuple[int, int]]  # (touches, days)


def fits(days: Sequence[int], rules: Rules) -> bool:
    """True when the sorted ``days`` keep every ``(touches, days)`` rule."""
    for touches, span in rules:
        if len(days) <= touches:
            continue
        low = 0
        for high, day in enumerate(days):
            floor = day - span
            while days[low] <= floor:
                low += 1
            if high - low >= touches:
                return False
    return True


def admit(
    fixed: Sequence[int], days: Sequence[int], ranks: Sequence[int], rules: Rules
) -> list[bool]:
    """Which candidate touches (``days``, with priority ``ranks``, 0 first) are admitted.

    ``fixed`` are touches already scheduled (they always stand). Candidates are taken by
    rank, then day, then their order in ``days``; each is admitted when, with the
    touches admitted before it, every rule still holds.

    >>> admit([], [1, 2, 3, 5], [1, 1, 1, 0], [(2, 7)])
    [True, False, False, True]
    """
    taken = sorted(fixed)
    if fits(sorted([*taken, *days]), rules):
        return [True] * len(days)
    decided = [False] * len(days)
    for n in sorted(range(len(days)), key=lambda i: (ranks[i], days[i], i)):
        day = days[n]
        ok = True
        for touches, span in rules:
            low = bisect_left(taken, day - span + 1)
            high = bisect_right(taken, day + span - 1)
            # Adding ``day`` breaks the rule when ``touches`` consecutive taken days and
            # ``day`` all fit inside ``span`` days.
            for j in range(low, high - touches + 1):
                first, last = taken[j], taken[j + touches - 1]
                if max(last, day) - min(first, day) < span:
                    ok = False
                    break
            if not ok:
                break
        if ok:
            insort(taken, day)
        decided[n] = ok
    return decided
