"""The collector pause around bulk steps: state restored, survivors promoted, a host's
frozen objects left frozen, and cycles still freed."""

from __future__ import annotations

import gc
import weakref

import pytest

from accountcare._gc import gc_paused


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def _in_generation(value: object, generation: int) -> bool:
    return any(o is value for o in gc.get_objects(generation=generation))


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_state_is_restored(enabled: bool) -> None:
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        with gc_paused():
            assert not gc.isenabled()
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_the_state_is_restored_when_the_block_raises() -> None:
    assert gc.isenabled()
    with pytest.raises(ValueError, match="bad row"), gc_paused():
        raise ValueError("bad row")
    assert gc.isenabled()


def test_what_the_block_keeps_is_moved_to_the_oldest_generation() -> None:
    with gc_paused():
        kept = [_Node() for _ in range(10)]
        assert _in_generation(kept[0], 0)
    assert _in_generation(kept[0], 2)
    assert not _in_generation(kept[0], 0)


def test_cycles_made_in_the_block_are_still_freed() -> None:
    with gc_paused():
        first, second = _Node(), _Node()
        first.other, second.other = second, first
        gone = weakref.ref(first)
        del first, second
    assert gone() is not None  # a cycle: reference counting alone cannot free it
    gc.collect()
    assert gone() is None


def test_a_hosts_frozen_objects_stay_frozen() -> None:
    frozen = _Node()
    gc.freeze()
    try:
        count = gc.get_freeze_count()
        assert count > 0
        with gc_paused():
            made = _Node()
        assert gc.get_freeze_count() == count
        assert not any(_in_generation(frozen, g) for g in range(3))
        assert _in_generation(made, 0)  # nothing was moved
    finally:
        gc.unfreeze()
