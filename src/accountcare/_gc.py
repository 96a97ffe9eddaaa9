"""Pausing the cyclic garbage collector around one bulk step.

Bulk policies (early warning, health scores) and bulk adapter steps (importing a file,
reading a book back) allocate hundreds of thousands of small acyclic values and keep
most of them; the cyclic collector would scan the growing heap again and again without
finding anything to free (a quarter to a third of the time at 100,000 records).
Reference counting still frees everything as usual, and the collector's previous state
is always restored, so a host's own settings are left as they were.

What a bulk step keeps is long-lived (an imported book, a year of scores). Left in the
youngest generation, all of it would be examined by the first collection after the
step, only to be moved on: a tenth of a second per 100,000 records, for nothing. On the
way out the step therefore moves every tracked object to the oldest generation at once
(:func:`gc.freeze` then :func:`gc.unfreeze`, which is what that pair does), where the
collector's next full collection examines it like any other old object. Objects the
host made just before the step are moved with them: any cycle among them is freed at
that full collection instead of a young one. A host that froze objects itself
(:func:`gc.get_freeze_count` is not 0, as a pre-fork server does) keeps them frozen:
nothing is moved then.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["gc_paused"]

# CPython has the pair; an interpreter without it (PyPy) only pauses.
_CAN_PROMOTE = all(hasattr(gc, name) for name in ("freeze", "unfreeze", "get_freeze_count"))


@contextmanager
def gc_paused() -> Iterator[None]:
    """Disable the cyclic collector inside the block; the previous state is restored and
    what the block made is moved to the oldest generation.

    >>> with gc_paused():
    ...     gc.isenabled()
    False
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if _CAN_PROMOTE and gc.get_freeze_count() == 0:  # a host's frozen objects stay so
            gc.freeze()
            gc.unfreeze()  # everything tracked is now in the oldest generation
        if was_enabled:
            gc.enable()
