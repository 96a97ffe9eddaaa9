"""The statements each use case sends to a store do not grow with the book.

Each use case runs on a small book and on a book four times larger, on the SQLite store
(the sqlite3 trace callback sees every statement) and on the SQL store on PostgreSQL and
MariaDB (SQLAlchemy's ``before_cursor_execute`` event, once per statement sent): the
counts must be equal. On SQLite, where a statement is a function call and not a round
trip, only the reads are counted (``executemany`` traces one insert per row); on the
servers every statement counts, the writes' too. A write sends one statement per table
it touches, and more only beyond 1,000 rows per table (SQLAlchemy's batches of
``insertmanyvalues``) or, on MariaDB, beyond 5,000 ids checked at once: neither is
reached here, and neither is a statement per account.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from accountcare.adapters.sqlite import SqliteStore
from accountcare.domain import Company, Rep
from accountcare.ports.store import Batch, Store
from accountcare.sample import sample_book
from accountcare.services.book import load_book, save_book
from accountcare.services.care import schedule_and_enqueue
from accountcare.services.importing import import_accounts, import_contacts
from accountcare.services.planning import plan_and_save
from accountcare.services.review import review_book
from accountcare.services.tiering import current_tiers, retier
from accountcare.services.worklist import rep_worklist

AS_OF = date(2026, 11, 2)
SMALL, LARGE = 15, 60

UseCase = Callable[[Store], object]


def _care(store: Store) -> object:
    return schedule_and_enqueue(store, start=AS_OF, end=date(2026, 12, 2), name="december")


def _continued(store: Store) -> object:
    schedule_and_enqueue(store, start=AS_OF, end=date(2026, 12, 2), name="november")
    return schedule_and_enqueue(
        store, start=date(2026, 12, 2), end=date(2027, 1, 2), name="december", after="november"
    )


def _worklist(store: Store) -> object:
    _care(store)
    return rep_worklist(store, name="december")


def _plan(store: Store) -> object:
    tiers = current_tiers(store, as_of=AS_OF)
    return plan_and_save(store, tiers, start=AS_OF, weeks=2, name="current")


REAL = Path(__file__).parent / "fixtures" / "real"


def _import(store: Store) -> object:
    from accountcare.adapters.importers import ImportOptions
    from accountcare.adapters.importers.csv_import import read_contacts_csv

    report = read_contacts_csv(
        REAL / "google.csv", options=ImportOptions(as_of=AS_OF, country="CN")
    )
    return import_contacts(store, report)


def _adopt(store: Store) -> object:
    """Accounts a phone export made, adopted by the ERP's accounts of the same names."""
    from accountcare.adapters.importers import ImportReport
    from accountcare.domain import Account, Contact

    made = [Account(id=f"a-{n:02d}", name=f"Phone Company {n}") for n in range(5)]
    people = [Contact(id=f"p-{n}", account_id=f"a-{n:02d}", name=f"P{n}") for n in range(5)]
    store.write(Batch(accounts=made, contacts=people))
    erp = ImportReport(accounts=tuple(Account(id=f"E{n}", name=f"Phone Company {n} Ltd.")
                                      for n in range(5)))  # fmt: skip
    return import_accounts(store, erp)


def _review_with_plan(store: Store) -> object:
    _plan(store)
    return review_book(store, as_of=AS_OF, plan="current")


def _forecast(store: Store) -> object:
    from accountcare.services.forecast import forecast_book

    return forecast_book(store, as_of=AS_OF)


USE_CASES: dict[str, UseCase] = {
    "load_book": load_book,
    "retier abc": lambda s: retier(s, "abc", as_of=AS_OF),
    "retier abc again": lambda s: (retier(s, "abc", as_of=AS_OF), retier(s, "abc", as_of=AS_OF)),
    "retier profit": lambda s: retier(s, "profit", as_of=AS_OF),
    "retier score": lambda s: retier(s, "score", as_of=AS_OF),
    "current_tiers": lambda s: current_tiers(s, as_of=AS_OF),
    "review_book": lambda s: review_book(s, as_of=AS_OF),
    "plan_and_save": _plan,
    "schedule_and_enqueue": _care,
    "schedule_and_enqueue, continued": _continued,
    "rep_worklist": _worklist,
    "import_contacts": _import,
    "import_accounts, adopting": _adopt,
    "review_book with a plan": _review_with_plan,
    "forecast_book": _forecast,
}


class Counted:
    """A store and the statements it sent since ``reset``."""

    def __init__(self, store: Store, statements: list[str], reads_only: bool) -> None:
        self.store, self.statements, self.reads_only = store, statements, reads_only

    def reset(self) -> None:
        self.statements.clear()

    def count(self) -> int:
        if not self.reads_only:
            return len(self.statements)
        return sum(1 for s in self.statements if re.match(r"\s*(SELECT|WITH)\b", s, re.I))


def _fill(store: Store, accounts: int) -> None:
    book = sample_book(accounts=accounts, as_of=AS_OF)
    save_book(store, book)
    reps = [Rep(id=rep, name=f"Rep {rep}") for rep in book.reps]
    store.write(Batch(reps=reps, company=Company("Acme Trading")))


@pytest.fixture
def sqlite_counted(tmp_path: Path) -> Iterator[Callable[[], Counted]]:
    made: list[SqliteStore] = []

    def fresh() -> Counted:
        store = SqliteStore(tmp_path / f"book-{len(made)}.sqlite3")
        made.append(store)
        statements: list[str] = []
        store._db.set_trace_callback(statements.append)  # the store's one connection
        return Counted(store, statements, reads_only=True)

    yield fresh
    for store in made:
        store.close()


def _server_counted(store: Any) -> Iterator[Callable[[], Counted]]:
    import sqlalchemy as sa

    statements: list[str] = []

    def sent(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    sa.event.listen(store.engine, "before_cursor_execute", sent)

    def fresh() -> Counted:
        store.clear()
        statements.clear()
        return Counted(store, statements, reads_only=False)

    try:
        yield fresh
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", sent)
        store.clear()


@pytest.fixture
def postgres_counted(
    postgres_store: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[], Counted]]:
    # Ids travel to PostgreSQL as one array: a list cut every 7 ids would show here.
    monkeypatch.setattr("accountcare.adapters.sql._IN_CHUNK", 7)
    yield from _server_counted(postgres_store)


@pytest.fixture
def mariadb_counted(mariadb_store: Any) -> Iterator[Callable[[], Counted]]:
    yield from _server_counted(mariadb_store)


def _statements(fresh: Callable[[], Counted], accounts: int, use_case: UseCase) -> int:
    counted = fresh()
    _fill(counted.store, accounts)
    counted.reset()
    use_case(counted.store)
    return counted.count()


@pytest.mark.parametrize("store_kind", ["sqlite_counted", "postgres_counted", "mariadb_counted"])
@pytest.mark.parametrize("name", list(USE_CASES))
def test_a_use_case_sends_as_many_statements_for_a_large_book_as_for_a_small_one(
    store_kind: str, name: str, request: pytest.FixtureRequest
) -> None:
    fresh = request.getfixturevalue(store_kind)
    small = _statements(fresh, SMALL, USE_CASES[name])
    large = _statements(fresh, LARGE, USE_CASES[name])
    assert small == large, f"{name}: {small} statements for {SMALL} accounts, {large} for {LARGE}"
    assert small <= 40, f"{name} sends {small} statements"


def test_the_count_sees_a_statement_per_account(
    sqlite_counted: Callable[[], Counted],
) -> None:
    """The counter itself can fail: reading contacts account by account is caught."""

    def per_account(store: Store) -> None:
        for account in store.accounts():
            store.contacts(account.id)

    assert _statements(sqlite_counted, SMALL, per_account) == SMALL + 1
