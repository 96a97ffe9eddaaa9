"""The collector pause a host may take around one bulk step (an opt-in, off by default).

Public as [`accountcare.services.paused_collector`][accountcare.services.paused_collector].
Nothing else in accountcare
touches the garbage collector: the library never changes process-wide state unasked.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused_collector"]

# CPython has the pair; an interpreter without it (PyPy) only pauses.
_CAN_PROMOTE = all(hasattr(gc, name) for name in ("freeze", "unfreeze", "get_freeze_count"))
_lock = threading.Lock()
_depth = 0  # blocks open at once, in any thread: the last one out restores the collector
_was_enabled = True


@contextmanager
def paused_collector() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one bulk step, such as importing a
    phone's 100,000 contacts or reading a whole book back from a store.

    What it does to the process (all of it, not only accountcare): on entry,
    `gc.disable`; on leaving the last open block, every object the collector
    tracks is moved to its oldest generation (`gc.freeze` then
    `gc.unfreeze`), unless the host froze objects itself (a pre-fork server:
    `gc.get_freeze_count` is not 0), and the collector is enabled again if it was
    enabled before. Reference counting frees everything as usual meanwhile; only
    reference cycles made inside the block wait, until the next full collection.

    Why: a bulk step makes hundreds of thousands of small values, most of them kept and
    none in a cycle. The collector scans the growing heap again and again for nothing
    (a third of the CPU time of a 100,000-contact import), and afterwards examines
    everything kept once more only to move it on; the pause saves both.

    Use it in a process you own (a script, a command line, a batch job) around one
    bounded bulk call. Do not use it in a server whose other threads keep working
    meanwhile (they are paused too, and their cycles pile up), around long or unbounded
    work, around code that makes many reference cycles, or where the host tunes the
    collector itself. Nested and concurrent blocks are safe: the collector comes back
    when the last of them ends, also when the block raises.

    >>> with paused_collector():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                if _CAN_PROMOTE and gc.get_freeze_count() == 0:  # a host's frozen objects stay so
                    gc.freeze()
                    gc.unfreeze()  # everything tracked is now in the oldest generation
                if _was_enabled:
                    gc.enable()
