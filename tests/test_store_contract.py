"""The store contract on every store the library ships: memory, SQLite, PostgreSQL and
MariaDB (the last two against the real local servers; see conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from accountcare.adapters.memory import MemoryStore
from accountcare.adapters.sqlite import SqliteStore
from accountcare.testing.store_contract import StoreContract


class TestMemoryStore(StoreContract):
    @pytest.fixture
    def store(self) -> MemoryStore:
        return MemoryStore()


class TestSqliteStore(StoreContract):
    @pytest.fixture
    def store(self, sqlite_path: Path) -> Iterator[SqliteStore]:
        with SqliteStore(sqlite_path) as store:
            yield store


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
