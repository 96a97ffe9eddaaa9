"""On MariaDB the store's tables compare ids exactly, as PostgreSQL and SQLite do: ids
that differ only by trailing spaces (``"acme"``, ``"acme "``) are different records, and
the foreign keys to the accounts match them exactly too."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accountcare.adapters.sql import SqlStore
from accountcare.adapters.sql_schema import MARIADB_COLLATION, MYSQL_COLLATION, metadata
from accountcare.domain.accounts import Account
from accountcare.domain.contacts import Channel, Contact
from accountcare.domain.messages import Message, Recipient
from accountcare.domain.tiers import TierAssignment, TierReason
from accountcare.errors import InvalidRecord
from accountcare.ports.store import Batch

sa = pytest.importorskip("sqlalchemy")

DAY = date(2026, 12, 1)


def collations(engine: Any, prefix: str) -> dict[str, tuple[str, dict[str, str]]]:
    """Each table of ``prefix``: its collation and those of its text columns."""
    found: dict[str, tuple[str, dict[str, str]]] = {}
    like = prefix.replace("_", "\\_") + "%"
    with engine.connect() as db:
        tables = db.execute(
            sa.text(
                "SELECT TABLE_NAME, TABLE_COLLATION FROM information_schema.TABLES "
                "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE :like"
            ),
            {"like": like},
        )
        for name, collation in tables:
            found[name[len(prefix) :]] = (collation, {})
        columns = db.execute(
            sa.text(
                "SELECT TABLE_NAME, COLUMN_NAME, COLLATION_NAME FROM information_schema.COLUMNS "
                "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE :like "
                "AND COLLATION_NAME IS NOT NULL"
            ),
            {"like": like},
        )
        for name, column, collation in columns:
            found[name[len(prefix) :]][1][column] = collation
    return found


def assert_no_pad(engine: Any, prefix: str) -> None:
    """Every table of ``prefix`` and each text column but the JSON payload is NO PAD
    binary; the payload keeps the collation MariaDB gives a JSON column."""
    found = collations(engine, prefix)
    assert len(found) == len(metadata(prefix).tables)
    for name, (collation, columns) in found.items():
        assert collation == MARIADB_COLLATION, name
        for column, kept in columns.items():
            wanted = "utf8mb4_bin" if column == "payload" else MARIADB_COLLATION
            assert kept == wanted, (name, column)


def account_keys(engine: Any, prefix: str) -> dict[str, list[tuple[Any, ...]]]:
    """The foreign keys of each table of ``prefix``, without their names."""
    inspector = sa.inspect(engine)
    return {
        name[len(prefix) :]: sorted(
            (
                tuple(k["constrained_columns"]),
                k["referred_table"][len(prefix) :],
                tuple(k["referred_columns"]),
                k["options"].get("ondelete"),
            )
            for k in inspector.get_foreign_keys(name)
        )
        for name in metadata(prefix).tables
    }


def message(key: str) -> Message:
    return Message(
        key=key,
        channel=Channel.EMAIL,
        recipient=Recipient("c1", "Li Na", "li.na@example.com"),
        subject="Hello",
        text="Dear Li Na",
        due_at=datetime(2027, 1, 1, 9, tzinfo=UTC),
    )


def tier(account_id: str, name: str) -> tuple[date, TierAssignment]:
    return DAY, TierAssignment(account_id, name, "abc", TierReason(1.0, rank=1))


# ----------------------------------------------------------------------------- no server


def test_the_tables_are_declared_no_pad_on_mariadb_unless_told_otherwise() -> None:
    from sqlalchemy.dialects import mysql
    from sqlalchemy.schema import CreateTable

    accounts = metadata("p_").tables["p_accounts"]
    assert f"COLLATE {MARIADB_COLLATION}" in str(
        CreateTable(accounts).compile(dialect=mysql.dialect())
    )
    other = metadata("p_", mysql_collation=MYSQL_COLLATION).tables["p_outbox"]
    assert f"COLLATE {MYSQL_COLLATION}" in str(CreateTable(other).compile(dialect=mysql.dialect()))
    # Other databases ignore it.
    from sqlalchemy.dialects import postgresql

    assert "COLLATE" not in str(CreateTable(accounts).compile(dialect=postgresql.dialect()))


def test_sqlite_keeps_ids_differing_by_trailing_spaces_apart() -> None:
    store = SqlStore("sqlite://", prefix="t_nopad_")
    store.write(Batch(accounts=[Account(id="acme", name="A"), Account(id="acme ", name="B")]))
    assert [(a.id, a.name) for a in store.accounts()] == [("acme", "A"), ("acme ", "B")]
    store.close()


# ----------------------------------------------------------------------------- MariaDB


@pytest.fixture
def store(mariadb_store: SqlStore) -> Iterator[SqlStore]:
    """A store on MariaDB with tables of its own, dropped afterwards."""
    mine = SqlStore(mariadb_store.engine, prefix=f"t_nopad_{uuid.uuid4().hex[:8]}_")
    try:
        yield mine
    finally:
        mine.drop()


@pytest.mark.servers
def test_new_mariadb_tables_are_no_pad_with_their_foreign_keys(store: SqlStore) -> None:
    assert_no_pad(store.engine, store._prefix)
    keys = account_keys(store.engine, store._prefix)
    cascade = [(("account_id",), "accounts", ("id",), "CASCADE")]
    for name in ("contacts", "orders", "interactions", "complaints", "tier_assignments",
                 "loss_reviews"):  # fmt: skip
        assert keys[name] == cascade, name
    assert sum(map(len, keys.values())) == 6


@pytest.mark.servers
def test_ids_differing_only_by_trailing_spaces_are_distinct_records(store: SqlStore) -> None:
    store.write(
        Batch(
            accounts=[Account(id="acme", name="Acme"), Account(id="acme ", name="Acme, spaced")],
            contacts=[
                Contact(id="c1", account_id="acme", name="Li Na"),
                Contact(id="c1 ", account_id="acme ", name="Kim Seo"),
            ],
            tiers=[tier("acme", "A"), tier("acme ", "B")],
            outbox=[message("k")],
        )
    )
    report = store.write(Batch(outbox=[message("k "), message("k")]))
    assert (report.enqueued, report.already_queued) == (("k ",), ("k",))
    assert [(a.id, a.name) for a in store.accounts()] == [
        ("acme", "Acme"),
        ("acme ", "Acme, spaced"),
    ]
    assert store.account("acme ") == Account(id="acme ", name="Acme, spaced")
    assert [c.id for c in store.contacts("acme")] == ["c1"]
    assert [c.id for c in store.contacts("acme ")] == ["c1 "]
    assert store.contact("c1 ") == Contact(id="c1 ", account_id="acme ", name="Kim Seo")
    assert [(t.account_id, t.tier) for t in store.tier_assignments("abc", DAY)] == [
        ("acme", "A"),
        ("acme ", "B"),
    ]
    assert [e.key for e in store.outbox()] == ["k", "k "]
    assert store.queued_keys(["k ", "k  "]) == frozenset({"k "})
    assert store.account("acme  ") is None


@pytest.mark.servers
def test_retiring_the_spaced_account_leaves_the_other_and_its_records(store: SqlStore) -> None:
    store.write(
        Batch(
            accounts=[Account(id="acme", name="Acme"), Account(id="acme ", name="Spaced")],
            contacts=[
                Contact(id="c1", account_id="acme", name="Li Na"),
                Contact(id="c2", account_id="acme ", name="Kim Seo"),
            ],
            tiers=[tier("acme", "A"), tier("acme ", "B")],
        )
    )
    with pytest.raises(InvalidRecord, match="1 contact"):  # its own contact only
        store.write(Batch(retired_accounts=["acme "]))
    moved = Contact(id="c2", account_id="acme", name="Kim Seo")
    store.write(Batch(contacts=[moved], retired_accounts=["acme "]))
    assert [a.id for a in store.accounts()] == ["acme"]
    assert [c.id for c in store.contacts("acme")] == ["c1", "c2"]
    assert [(t.account_id, t.tier) for t in store.tier_assignments("abc", DAY)] == [("acme", "A")]


@pytest.mark.servers
def test_deleting_an_account_cascades_to_its_records_only(store: SqlStore) -> None:
    store.write(
        Batch(
            accounts=[Account(id="acme", name="Acme"), Account(id="acme ", name="Spaced")],
            contacts=[
                Contact(id="c1", account_id="acme", name="Li Na"),
                Contact(id="c2", account_id="acme ", name="Kim Seo"),
            ],
        )
    )
    accounts = store.metadata.tables[f"{store._prefix}accounts"]
    with store.engine.begin() as db:  # the database's own cascade, as a host's delete
        db.execute(accounts.delete().where(accounts.c.id == "acme "))
    assert [a.id for a in store.accounts()] == ["acme"]
    assert [c.id for c in store.contacts_of()] == ["c1"]


@pytest.mark.servers
def test_a_contact_of_a_missing_spaced_account_is_refused(store: SqlStore) -> None:
    store.write(Batch(accounts=[Account(id="ghost", name="Ghost")]))
    with pytest.raises(InvalidRecord, match="'ghost '"):
        store.write(Batch(contacts=[Contact(id="c1", account_id="ghost ", name="Li Na")]))
    assert store.contacts_of() == ()
    contacts = store.metadata.tables[f"{store._prefix}contacts"]
    row = {"id": "c1", "account_id": "ghost ", "name": "", "opted_out": False, "payload": {}}
    with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as db:  # nor the key
        db.execute(contacts.insert().values(row))


_BASE = st.text(alphabet="aA é字-_.", min_size=1, max_size=6).filter(lambda s: bool(s.strip()))


@pytest.mark.servers
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(bases=st.lists(_BASE, min_size=1, max_size=4, unique=True), pads=st.integers(1, 3))
def test_every_id_and_its_spaced_twins_are_kept_apart(
    store: SqlStore, bases: list[str], pads: int
) -> None:
    store.clear()
    ids = sorted({base + " " * n for base in bases for n in range(pads + 1)})
    store.write(Batch(accounts=[Account(id=i, name=f"<{i}>") for i in ids]))
    assert [(a.id, a.name) for a in store.accounts()] == [(i, f"<{i}>") for i in ids]
    for i in ids:
        assert store.account(i) == Account(id=i, name=f"<{i}>")


@pytest.mark.servers
def test_a_host_table_in_utf8mb4_bin_joins_with_the_collation_named(store: SqlStore) -> None:
    store.write(Batch(accounts=[Account(id="acme", name="A"), Account(id="acme ", name="B")]))
    host = f"{store._prefix}crm_customers"
    with store.engine.begin() as db:
        db.exec_driver_sql(
            f"CREATE TABLE {host} (id VARCHAR(255) PRIMARY KEY) CHARSET=utf8mb4 COLLATE utf8mb4_bin"
        )
    try:
        with store.engine.begin() as db:
            db.exec_driver_sql(f"INSERT INTO {host} VALUES ('acme')")
            join = (
                f"SELECT a.name FROM {host} AS c JOIN {store._prefix}accounts AS a "
                f"ON a.id = c.id COLLATE {MARIADB_COLLATION}"
            )
            assert db.exec_driver_sql(join).scalars().all() == ["A"]
    finally:
        with store.engine.begin() as db:
            db.exec_driver_sql(f"DROP TABLE {host}")
