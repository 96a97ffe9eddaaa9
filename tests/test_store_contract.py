"""The store contract on every store the library ships: memory, SQLite, PostgreSQL and
MariaDB (the last two against the real local servers; see conftest.py), and the read
suite alone on a read-only adapter, as a host over its own tables runs it."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from accountcare.adapters.memory import MemoryStore
from accountcare.adapters.sqlite import SqliteStore
from accountcare.domain import (
    Account,
    CareSchedule,
    Company,
    Complaint,
    Contact,
    Interaction,
    InteractionKind,
    LostAccountReview,
    Order,
    OrderTotal,
    Rep,
    TierAssignment,
    VisitPlan,
)
from accountcare.ports.store import Batch, BookReader, OutboxStore, Store, UnitOfWork
from accountcare.testing.store_contract import BookReaderContract, ReaderOf, StoreContract


class TestMemoryStore(StoreContract):
    @pytest.fixture
    def store(self) -> MemoryStore:
        return MemoryStore()

    def emptied(self, store: Store) -> Store:
        return MemoryStore()


class TestSqliteStore(StoreContract):
    @pytest.fixture
    def store(self, sqlite_path: Path) -> Iterator[SqliteStore]:
        with contextlib.ExitStack() as opened:
            self._opened, self._folder = opened, sqlite_path.parent
            yield opened.enter_context(SqliteStore(sqlite_path))

    def emptied(self, store: Store) -> Store:
        if callable(getattr(store, "clear", None)):
            return super().emptied(store)
        path = self._folder / f"reader-{uuid.uuid4().hex}.sqlite3"  # a new, empty file
        return self._opened.enter_context(SqliteStore(path))


@pytest.mark.servers
class TestPostgresStore(StoreContract):
    @pytest.fixture
    def store(self, postgres_store: Any) -> Any:
        postgres_store.clear()
        return postgres_store


@pytest.mark.servers
class TestMariadbStore(StoreContract):
    @pytest.fixture
    def store(self, mariadb_store: Any) -> Any:
        mariadb_store.clear()
        return mariadb_store


class ReadOnlyBook:
    """A host's read-only adapter: the read side only, here over a memory store that
    stands for the host's own tables."""

    def __init__(self, tables: MemoryStore) -> None:
        self._tables = tables

    def account(self, account_id: str) -> Account | None:
        return self._tables.account(account_id)

    def accounts(self) -> tuple[Account, ...]:
        return self._tables.accounts()

    def accounts_by_owner(self, owner: str) -> tuple[Account, ...]:
        return self._tables.accounts_by_owner(owner)

    def accounts_in_tier(
        self, policy: str, tier: str, as_of: date | None = None
    ) -> tuple[Account, ...]:
        return self._tables.accounts_in_tier(policy, tier, as_of)

    def accounts_changed_since(self, instant: datetime) -> tuple[Account, ...]:
        return self._tables.accounts_changed_since(instant)

    def accounts_page(self, after: str | None, limit: int) -> tuple[Account, ...]:
        return self._tables.accounts_page(after, limit)

    def contact(self, contact_id: str) -> Contact | None:
        return self._tables.contact(contact_id)

    def contacts(self, account_id: str) -> tuple[Contact, ...]:
        return self._tables.contacts(account_id)

    def contacts_of(self, account_ids: Iterable[str] | None = None) -> tuple[Contact, ...]:
        return self._tables.contacts_of(account_ids)

    def orders(self, account_id: str) -> tuple[Order, ...]:
        return self._tables.orders(account_id)

    def orders_of(self, account_ids: Iterable[str] | None = None) -> tuple[Order, ...]:
        return self._tables.orders_of(account_ids)

    def orders_between(self, start: date, end: date) -> tuple[Order, ...]:
        return self._tables.orders_between(start, end)

    def order_totals(self, start: date, end: date) -> tuple[OrderTotal, ...]:
        return self._tables.order_totals(start, end)

    def interactions(self, account_id: str) -> tuple[Interaction, ...]:
        return self._tables.interactions(account_id)

    def interactions_of(self, account_ids: Iterable[str] | None = None) -> tuple[Interaction, ...]:
        return self._tables.interactions_of(account_ids)

    def last_interactions(self, kind: InteractionKind) -> tuple[Interaction, ...]:
        return self._tables.last_interactions(kind)

    def complaints(self, account_id: str) -> tuple[Complaint, ...]:
        return self._tables.complaints(account_id)

    def complaints_of(self, account_ids: Iterable[str] | None = None) -> tuple[Complaint, ...]:
        return self._tables.complaints_of(account_ids)

    def tier_assignments(self, policy: str, as_of: date) -> tuple[TierAssignment, ...]:
        return self._tables.tier_assignments(policy, as_of)

    def visit_plan(self, name: str) -> VisitPlan | None:
        return self._tables.visit_plan(name)

    def care_schedule(self, name: str) -> CareSchedule | None:
        return self._tables.care_schedule(name)

    def rep(self, rep_id: str) -> Rep | None:
        return self._tables.rep(rep_id)

    def reps(self) -> tuple[Rep, ...]:
        return self._tables.reps()

    def company(self) -> Company | None:
        return self._tables.company()

    def loss_reviews(self, account_id: str | None = None) -> tuple[LostAccountReview, ...]:
        return self._tables.loss_reviews(account_id)


class TestReadOnlyBook(BookReaderContract):
    """The read suite needs nothing but a reader: no writes, no outbox."""

    @pytest.fixture
    def reader_of(self) -> ReaderOf:
        def reader_of(batch: Batch) -> BookReader:
            tables = MemoryStore()  # the host loads its own tables its own way
            tables.write(batch)
            return ReadOnlyBook(tables)

        return reader_of

    def test_the_adapter_is_a_reader_only(self, reader_of: ReaderOf) -> None:
        reader = reader_of(Batch())
        assert isinstance(reader, BookReader)
        assert not isinstance(reader, UnitOfWork | OutboxStore | Store)
        assert not hasattr(reader, "write")
