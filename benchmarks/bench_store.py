"""Storage and dispatch: 100,000 accounts through the SQLite store against raw sqlite3,
and the outbox's enqueue and dispatch rates with a no-op notifier.

The raw reference writes the very rows the store writes (same table, indexes and
pragmas, payloads serialised beforehand) with ``executemany`` and selects them back as
tuples, so the ratio is the price of the store: checking, serialising and rebuilding
validated domain values. Target: write + read within 3x of the reference. The store is
measured as the library runs it (the garbage collector left alone) and inside
``paused_collector()``, the opt-in a host that owns its process may take.

Run: python benchmarks/bench_store.py
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).parent))

from _report import best_of, recipients, table
from accountcare.adapters._rows import check, encode_json, table_rows
from accountcare.adapters._schema import CACHE_KIB, MIGRATIONS
from accountcare.adapters.sqlite import SqliteStore
from accountcare.domain import Account, Channel, Delivery, Message, Recipient
from accountcare.ports.store import Batch
from accountcare.services import paused_collector
from accountcare.services.outbox import Dispatcher, enqueue

T = TypeVar("T")
ACCOUNTS = 100_000
MESSAGES = 10_000
DISPATCHED = 3_000
NOW = datetime(2027, 3, 1, 9, tzinfo=UTC)
WORK = Path(tempfile.mkdtemp(prefix="bench_store_"))
_files = iter(range(10**6))


def fresh() -> Path:
    return WORK / f"db-{next(_files)}.sqlite3"


def book() -> list[Account]:
    return [
        Account(
            id=f"acct-{n:06d}",
            name=f"Company {n} Trading Co.",
            owner=f"rep-{n % 50}",
            industry=("retail", "machinery", "logistics")[n % 3],
            region=("East", "North", "South")[n % 3],
            tags={"important customer"} if n % 10 == 0 else frozenset(),
            updated_at=NOW - timedelta(minutes=n),
        )
        for n in range(ACCOUNTS)
    ]


def store_write(accounts: list[Account]) -> Path:
    path = fresh()
    with SqliteStore(path) as store:
        store.write(Batch(accounts=accounts))
    return path


def store_read(path: Path) -> int:
    with SqliteStore(path) as store:
        return len(store.accounts())


def paused(work: Callable[[], T]) -> Callable[[], T]:
    """``work`` inside the host's opt-in collector pause."""

    def run() -> T:
        with paused_collector():
            return work()

    return run


def raw_rows(accounts: list[Account]) -> list[tuple[object, ...]]:
    columns, rows = table_rows(check(Batch(accounts=accounts)), encode_json)["accounts"]
    assert columns == ("id", "owner", "updated_us", "payload")
    return rows


def raw_write(rows: list[tuple[object, ...]]) -> Path:
    path = fresh()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = FULL")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")  # the store's page cache
    for statement in MIGRATIONS[0]:
        db.execute(statement)
    db.execute("BEGIN IMMEDIATE")
    db.executemany("INSERT INTO accounts VALUES (?, ?, ?, ?)", rows)
    db.execute("COMMIT")
    db.close()
    return path


def raw_read(path: Path) -> int:
    db = sqlite3.connect(path, isolation_level=None)
    rows = db.execute("SELECT id, owner, updated_us, payload FROM accounts ORDER BY id").fetchall()
    db.close()
    return len(rows)


def construct(accounts: list[Account]) -> int:
    """Building the same validated values from keyword arguments: the floor under any
    store that returns checked domain values."""
    fields = [
        {
            "id": a.id,
            "name": a.name,
            "owner": a.owner,
            "industry": a.industry,
            "region": a.region,
            "tags": a.tags,
            "updated_at": a.updated_at,
        }
        for a in accounts
    ]
    return len([Account(**f) for f in fields])


class NoOp:
    channels = frozenset({Channel.EMAIL})

    def send(self, message: Message) -> Delivery:
        return Delivery(key=message.key, ok=True)


def messages(count: int) -> list[Message]:
    return [
        Message(
            key=f"c-{n}|birthday|2027-03-01|email",
            channel=Channel.EMAIL,
            recipient=Recipient(f"c-{n}", "Wang Wei", "wang@example.com"),
            subject="Happy birthday",
            text="Best wishes from all of us.",
            due_at=NOW,
        )
        for n in range(count)
    ]


def dispatch(count: int, durable: bool) -> int:
    path = fresh()
    with SqliteStore(path, durable=durable) as store:
        queued = messages(count)
        store.write(recipients(queued))
        enqueue(store, queued)
        report = Dispatcher(store, NoOp(), clock=lambda: NOW).dispatch_due()
    return len(report.sent)


def raw_settle(count: int) -> int:
    """The floor under dispatching: one committed UPDATE per message."""
    path = fresh()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("CREATE TABLE outbox (key TEXT PRIMARY KEY, status TEXT)")
    db.executemany("INSERT INTO outbox VALUES (?, 'pending')", ((str(n),) for n in range(count)))
    for n in range(count):
        db.execute("BEGIN IMMEDIATE")
        db.execute("UPDATE outbox SET status = 'sent' WHERE key = ?", (str(n),))
        db.execute("COMMIT")
    db.close()
    return count


def main() -> None:
    accounts = book()
    rows = raw_rows(accounts)
    write_s, stored = best_of(lambda: store_write(accounts))
    read_s, count = best_of(lambda: store_read(stored))
    assert count == ACCOUNTS
    paused_write_s, _ = best_of(paused(lambda: store_write(accounts)))
    paused_read_s, _ = best_of(paused(lambda: store_read(stored)))
    raw_write_s, raw_path = best_of(lambda: raw_write(rows))
    raw_read_s, raw_count = best_of(lambda: raw_read(raw_path))
    assert raw_count == ACCOUNTS
    construct_s, _ = best_of(lambda: construct(accounts))
    enqueue_s, _ = best_of(lambda: enqueue(SqliteStore(fresh()), messages(MESSAGES)))
    dispatch_s, sent = best_of(lambda: dispatch(DISPATCHED, durable=True), repeat=1)
    fast_s, _ = best_of(lambda: dispatch(DISPATCHED, durable=False), repeat=1)
    settle_s, _ = best_of(lambda: raw_settle(DISPATCHED), repeat=1)
    assert sent == DISPATCHED
    total, raw_total = write_s + read_s, raw_write_s + raw_read_s
    paused_total = paused_write_s + paused_read_s
    n = f"{ACCOUNTS:,}"
    print(
        table(
            "Store",
            ["case", "seconds", "rate", "store / raw sqlite3", "target"],
            [
                [
                    f"SqliteStore: write {n} accounts (one batch)",
                    write_s,
                    f"{ACCOUNTS / write_s:,.0f}/s",
                    f"{write_s / raw_write_s:.2f}",
                    "",
                ],
                [
                    f"SqliteStore: read {n} accounts back",
                    read_s,
                    f"{ACCOUNTS / read_s:,.0f}/s",
                    f"{read_s / raw_read_s:.2f}",
                    "",
                ],
                [
                    f"SqliteStore: write + read {n}",
                    total,
                    "",
                    f"{total / raw_total:.2f}",
                    f"within 3x: {'yes' if total <= 3 * raw_total else 'no'}",
                ],
                [
                    "the same write, inside paused_collector() (the host's opt-in)",
                    paused_write_s,
                    f"{ACCOUNTS / paused_write_s:,.0f}/s",
                    f"{paused_write_s / raw_write_s:.2f}",
                    "",
                ],
                [
                    "the same read, inside paused_collector() (the host's opt-in)",
                    paused_read_s,
                    f"{ACCOUNTS / paused_read_s:,.0f}/s",
                    f"{paused_read_s / raw_read_s:.2f}",
                    "",
                ],
                [
                    f"the same write + read {n}, inside paused_collector()",
                    paused_total,
                    "",
                    f"{paused_total / raw_total:.2f}",
                    f"within 3x: {'yes' if paused_total <= 3 * raw_total else 'no'}",
                ],
                [
                    "reference: raw sqlite3 executemany of the same rows",
                    raw_write_s,
                    f"{ACCOUNTS / raw_write_s:,.0f}/s",
                    "1.00",
                    "",
                ],
                [
                    "reference: raw sqlite3 select of the same rows",
                    raw_read_s,
                    f"{ACCOUNTS / raw_read_s:,.0f}/s",
                    "1.00",
                    "",
                ],
                [
                    f"reference: constructing the same {n} Account values",
                    construct_s,
                    f"{ACCOUNTS / construct_s:,.0f}/s",
                    f"{construct_s / raw_read_s:.2f}",
                    "",
                ],
                [
                    f"outbox: enqueue {MESSAGES:,} messages (one batch)",
                    enqueue_s,
                    f"{MESSAGES / enqueue_s:,.0f} msg/s",
                    "",
                    "",
                ],
                [
                    f"outbox: dispatch {DISPATCHED:,}, no-op notifier, durable",
                    dispatch_s,
                    f"{DISPATCHED / dispatch_s:,.0f} msg/s",
                    f"{dispatch_s / settle_s:.2f}",
                    "",
                ],
                [
                    f"outbox: dispatch {DISPATCHED:,}, no-op notifier, durable=False",
                    fast_s,
                    f"{DISPATCHED / fast_s:,.0f} msg/s",
                    f"{fast_s / settle_s:.2f}",
                    "",
                ],
                [
                    f"reference: raw sqlite3, one committed UPDATE per message x{DISPATCHED:,}",
                    settle_s,
                    f"{DISPATCHED / settle_s:,.0f} msg/s",
                    "1.00",
                    "",
                ],
            ],
        )
    )


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
