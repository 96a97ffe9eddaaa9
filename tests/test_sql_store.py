"""The SQL server store beyond the contract, against the real local servers."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from accountcare.adapters.sql import SCHEMA_VERSION, SqlStore
from accountcare.domain import Account, Channel, Message, Recipient
from accountcare.errors import InvalidRecord
from accountcare.ports.store import Batch, SchemaVersionError, StoreError

NOW = datetime(2027, 3, 1, 9, tzinfo=UTC)
pytestmark = pytest.mark.servers


@pytest.fixture(params=["postgres_store", "mariadb_store"])
def server(request: pytest.FixtureRequest) -> Any:
    store = request.getfixturevalue(request.param)
    store.clear()
    return store


def test_an_unreachable_server_is_a_clear_error() -> None:
    with pytest.raises(StoreError, match="cannot reach"):
        SqlStore("postgresql+psycopg://postgres@127.0.0.1:1/test?connect_timeout=2", prefix="none_")


def test_an_unsupported_database_is_a_clear_error() -> None:
    pytest.importorskip("sqlalchemy")
    import sqlalchemy as sa

    engine = sa.create_engine("sqlite://")
    engine.dialect.name = "oracle"
    with pytest.raises(StoreError, match="PostgreSQL and MariaDB"):
        SqlStore(engine)


def test_a_schema_newer_than_the_library_names_both_versions(server: Any) -> None:
    other = SqlStore(server.engine, prefix=f"v{uuid.uuid4().hex[:8]}_")
    try:
        with other.engine.begin() as db:
            db.execute(other._t["schema"].update().values(version=SCHEMA_VERSION + 3))
        with pytest.raises(SchemaVersionError, match=f"version {SCHEMA_VERSION + 3}"):
            SqlStore(server.engine, prefix=other._prefix)
    finally:
        other.drop()


def test_stores_with_different_prefixes_are_independent(server: Any) -> None:
    other = SqlStore(server.engine, prefix=f"p{uuid.uuid4().hex[:8]}_")
    try:
        other.write(Batch(accounts=[Account(id="acme", name="Acme")]))
        assert server.accounts() == ()
        assert [a.id for a in other.accounts()] == ["acme"]
    finally:
        other.drop()


def test_text_with_a_nul_character_is_refused_by_name(server: Any) -> None:
    with pytest.raises(InvalidRecord, match="acme"):
        server.write(Batch(accounts=[Account(id="acme", name="Ac\x00me")]))
    assert server.accounts() == ()


def test_dispatchers_claiming_at_once_never_share_an_entry(server: Any) -> None:
    messages = [
        Message(
            key=f"k-{n:03d}",
            channel=Channel.EMAIL,
            recipient=Recipient("c-1", "Kim", "kim@example.com"),
            subject="s",
            text="t",
            due_at=NOW,
        )
        for n in range(120)
    ]
    server.write(Batch(outbox=messages))
    claimed: list[list[str]] = [[], [], []]

    def claim(into: list[str]) -> None:
        while True:
            got = server.claim_outbox(NOW, 7, timedelta(minutes=5))
            if not got:
                return
            into.extend(e.key for e in got)

    threads = [threading.Thread(target=claim, args=(into,)) for into in claimed]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    every = [key for into in claimed for key in into]
    assert sorted(every) == [m.key for m in messages]


def test_a_lone_surrogate_is_refused_naming_record_and_field(server: Any) -> None:
    from accountcare.domain import Contact

    batch = Batch(
        accounts=[Account(id="acme", name="Acme")],
        contacts=[Contact(id="c-1", account_id="acme", name="Kim \udc80")],
    )
    with pytest.raises(InvalidRecord) as caught:
        server.write(batch)
    assert (caught.value.record, caught.value.field) == ("Contact 'c-1'", "name")
    assert server.accounts() == ()
