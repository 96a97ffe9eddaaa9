"""Fixtures for stores and the database servers they run on.

PostgreSQL and MariaDB tests need the local servers (127.0.0.1:5432 and :3306, database
``test``); without them they skip, saying what to start, unless
``ACCOUNTCARE_REQUIRE_SERVERS=1`` (CI) makes a missing server a failure. Each run uses
its own table prefix and drops its tables at the end.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

SERVERS = {
    "postgresql": (
        os.environ.get("ACCOUNTCARE_POSTGRES_URL", ""),
        (
            "postgresql+psycopg://postgres@127.0.0.1:5432/test",
            "postgresql+psycopg://root@127.0.0.1:5432/test",
        ),
        "start PostgreSQL on 127.0.0.1:5432 with trust auth and a database 'test'",
    ),
    "mariadb": (
        os.environ.get("ACCOUNTCARE_MARIADB_URL", ""),
        ("mysql+pymysql://root@127.0.0.1:3306/test",),
        "start MariaDB on 127.0.0.1:3306 (user root, empty password, database 'test')",
    ),
}


def _reachable(urls: tuple[str, ...]) -> tuple[str | None, str]:
    import sqlalchemy as sa

    problem = ""
    for url in urls:
        engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
        try:
            with engine.connect() as db:
                db.execute(sa.text("SELECT 1"))
            return url, ""
        except Exception as exc:
            problem = str(exc).splitlines()[0]
        finally:
            engine.dispose()
    return None, problem


def _server_store(name: str) -> Iterator[Any]:
    override, defaults, advice = SERVERS[name]
    url, problem = _reachable((override,) if override else defaults)
    if url is None:
        message = f"{name} is not reachable ({problem}): {advice}"
        if os.environ.get("ACCOUNTCARE_REQUIRE_SERVERS") == "1":
            pytest.fail(f"ACCOUNTCARE_REQUIRE_SERVERS=1 but {message}")
        pytest.skip(message)
    from accountcare.adapters.sql import SqlStore

    store = SqlStore(url, prefix=f"t{uuid.uuid4().hex[:10]}_")
    try:
        yield store
    finally:
        store.drop()
        store.close()


@pytest.fixture(scope="session")
def postgres_store() -> Iterator[Any]:
    """A session-wide SqlStore on PostgreSQL with tables of its own."""
    yield from _server_store("postgresql")


@pytest.fixture(scope="session")
def mariadb_store() -> Iterator[Any]:
    """A session-wide SqlStore on MariaDB with tables of its own."""
    yield from _server_store("mariadb")


@pytest.fixture
def sqlite_path(tmp_path: Path) -> Path:
    return tmp_path / "book.sqlite3"
