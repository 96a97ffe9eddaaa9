"""The collector pause is the host's opt-in: the library never touches the collector,
and ``paused_collector`` restores it, promotes survivors, leaves a host's frozen objects
frozen, still frees cycles, and nests safely."""

from __future__ import annotations

import gc
import re
import threading
import weakref
from datetime import date
from pathlib import Path

import pytest

import accountcare
from accountcare.adapters.importers import GOOGLE_CONTACTS, ImportOptions, read_contacts_csv
from accountcare.adapters.sqlite import SqliteStore
from accountcare.domain import Account
from accountcare.ports.store import Batch
from accountcare.services import paused_collector

PACKAGE = Path(accountcare.__file__).parent
# The opt-in itself, and the shell that chooses to use it.
ALLOWED = {PACKAGE / "_gc.py", *(PACKAGE / "cli").glob("*.py")}


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def _in_generation(value: object, generation: int) -> bool:
    return any(o is value for o in gc.get_objects(generation=generation))


@pytest.fixture
def collector_untouched(monkeypatch: pytest.MonkeyPatch) -> None:
    def touched(*_: object) -> None:
        raise AssertionError("library code changed the garbage collector")

    for name in ("disable", "enable", "freeze", "unfreeze"):
        monkeypatch.setattr(gc, name, touched)


def test_no_library_module_pauses_the_collector_or_calls_the_opt_in() -> None:
    calls = re.compile(r"gc\.(disable|freeze|unfreeze)\(|paused_collector\(|gc_paused|_gc\b")
    offending = [
        f"{path.relative_to(PACKAGE)}:{n}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path not in ALLOWED
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if calls.search(line) and not line.lstrip().startswith("#")
    ]
    # The services package re-exports the opt-in for hosts; it never calls it.
    offending = [o for o in offending if not o.startswith("services/__init__.py")]
    assert offending == []


@pytest.mark.usefixtures("collector_untouched")
def test_a_bulk_import_and_a_bulk_store_round_trip_leave_the_collector_alone(
    tmp_path: Path,
) -> None:
    rows = "".join(f"P{n},Lee,+86 138 0013 {n:04d},Company {n % 7}\n" for n in range(1500))
    data = ("First Name,Last Name,Phone 1 - Value,Organization Name\n" + rows).encode()
    options = ImportOptions(as_of=date(2026, 11, 22), country="CN")
    assert len(read_contacts_csv(data, GOOGLE_CONTACTS, options=options).contacts) == 1500
    accounts = [Account(id=f"a-{n:05d}", name=f"A {n}") for n in range(1500)]
    with SqliteStore(tmp_path / "book.sqlite3") as store:
        store.write(Batch(accounts=accounts))
        assert store.accounts() == tuple(accounts)


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_state_is_restored(enabled: bool) -> None:
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        with paused_collector():
            assert not gc.isenabled()
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_the_state_is_restored_when_the_block_raises() -> None:
    assert gc.isenabled()
    with pytest.raises(ValueError, match="bad row"), paused_collector():
        raise ValueError("bad row")
    assert gc.isenabled()


def test_nested_and_concurrent_blocks_restore_the_collector_when_the_last_ends() -> None:
    inside, leave = threading.Event(), threading.Event()

    def other() -> None:
        with paused_collector():
            inside.set()
            leave.wait(5)

    worker = threading.Thread(target=other)
    with paused_collector():
        worker.start()
        assert inside.wait(5)
        with paused_collector():
            pass
        assert not gc.isenabled()  # the inner block does not end the outer one
    assert not gc.isenabled()  # the other thread's block is still open
    leave.set()
    worker.join(5)
    assert gc.isenabled()


def test_what_the_block_keeps_is_moved_to_the_oldest_generation() -> None:
    with paused_collector():
        kept = [_Node() for _ in range(10)]
        assert _in_generation(kept[0], 0)
    assert _in_generation(kept[0], 2)
    assert not _in_generation(kept[0], 0)


def test_cycles_made_in_the_block_are_still_freed() -> None:
    with paused_collector():
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
        with paused_collector():
            made = _Node()
        assert gc.get_freeze_count() == count
        assert not any(_in_generation(frozen, g) for g in range(3))
        assert _in_generation(made, 0)  # nothing was moved
    finally:
        gc.unfreeze()
