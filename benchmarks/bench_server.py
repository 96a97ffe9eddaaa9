"""The use cases on the server stores against the embedded one: one 5,000-account book
in SQLite, PostgreSQL and MariaDB (both on loopback), the same use cases timed on each,
with the ratio to SQLite (the reference, measured in the same run) and the statements
each sent to PostgreSQL.

The use cases are what the command line runs: ``tier`` (re-tier by ABC and store it),
``health`` (health scores and early warnings), ``plan`` (two weeks of visits) and
``care`` (a month of care, its messages queued). A server that answers each statement
over loopback in a fraction of a millisecond hides per-account queries that a real
network (a millisecond or more a round trip) would not: the statement count is the
figure that carries over.

Run: python benchmarks/bench_server.py [accounts]   (needs the local servers)
"""

from __future__ import annotations

import sys
import tempfile
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from _report import best_of, table
from accountcare.adapters.sql import SqlStore
from accountcare.adapters.sqlite import SqliteStore
from accountcare.sample import sample_book
from accountcare.services.book import save_book
from accountcare.services.care import schedule_and_enqueue
from accountcare.services.planning import plan_and_save
from accountcare.services.review import review_book
from accountcare.services.tiering import current_tiers, retier

ACCOUNTS = int(sys.argv[1]) if len(sys.argv) > 1 else 5_000
AS_OF = date(2026, 11, 2)
SERVERS = {
    "PostgreSQL": "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "MariaDB": "mysql+pymysql://root@127.0.0.1:3306/test",
}
_runs = iter(range(10**6))


def _care(store: Any) -> object:
    name = f"care-{next(_runs)}"  # the messages are queued by the first run only
    return schedule_and_enqueue(store, start=AS_OF, end=date(2026, 12, 2), name=name)


def _plan(store: Any) -> object:
    tiers = current_tiers(store, as_of=AS_OF)
    return plan_and_save(store, tiers, start=AS_OF, weeks=2, name="current")


USE_CASES: dict[str, Callable[[Any], object]] = {
    "tier": lambda s: retier(s, "abc", as_of=AS_OF),
    "health": lambda s: review_book(s, as_of=AS_OF),
    "plan --weeks 2": _plan,
    "care (a month)": _care,
}


def _statements(store: Any, use_case: Callable[[Any], object]) -> int:
    import sqlalchemy as sa

    sent: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        sent.append(statement)

    sa.event.listen(store.engine, "before_cursor_execute", count)
    try:
        use_case(store)
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", count)
    return len(sent)


def main() -> None:
    book = sample_book(accounts=ACCOUNTS, as_of=AS_OF)
    work = Path(tempfile.mkdtemp(prefix="bench_server_"))
    stores: dict[str, Any] = {"SQLite": SqliteStore(work / "book.sqlite3")}
    for name, url in SERVERS.items():
        stores[name] = SqlStore(url, prefix=f"bench{uuid.uuid4().hex[:8]}_")
    try:
        for store in stores.values():
            save_book(store, book)
        rows = []
        for name, use_case in USE_CASES.items():
            seconds = {
                kind: best_of(lambda s=s, u=use_case: u(s), repeat=2)[0]
                for kind, s in stores.items()
            }
            reference = seconds["SQLite"]
            rows.append(
                (
                    name,
                    f"{reference:.2f} s",
                    f"{seconds['PostgreSQL']:.2f} s",
                    f"{seconds['PostgreSQL'] / reference:.1f}x",
                    f"{seconds['MariaDB']:.2f} s",
                    f"{seconds['MariaDB'] / reference:.1f}x",
                    _statements(stores["PostgreSQL"], use_case),
                )
            )
        header = (
            "use case",
            "SQLite",
            "PostgreSQL",
            "ratio",
            "MariaDB",
            "ratio",
            "statements to PostgreSQL",
        )
        print(table(f"The use cases on the server stores, {ACCOUNTS:,} accounts", header, rows))
    finally:
        for name, store in stores.items():
            if name != "SQLite":
                store.drop()
            store.close()


if __name__ == "__main__":
    main()
