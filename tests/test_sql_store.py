"""The SQL server store beyond the contract, against the real local servers."""

from __future__ import annotations

import threading
import traceback
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from accountcare.adapters.sql import SCHEMA_VERSION, SqlStore
from accountcare.domain import Account, Channel, Contact, Message, Recipient
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


def test_a_contact_added_while_its_account_is_retired_keeps_the_account(server: Any) -> None:
    import time

    from accountcare.adapters._rows import encode

    server.write(Batch(accounts=[Account(id="phone-acme", name="Acme")]))
    added = Contact(id="c-9", account_id="phone-acme", name="Li")
    # The batch reads the outbox before it retires: on MariaDB that fixes its snapshot.
    retiring = Batch(outbox=[_queued("k-1", Channel.EMAIL)], retired_accounts=["phone-acme"])
    outcome: list[BaseException | None] = []

    def retire() -> None:
        try:
            server.write(retiring)
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    with server.engine.connect() as other:
        with other.begin():  # another writer adds a contact, and commits only later
            row = {"id": added.id, "account_id": added.account_id, "payload": encode(added)}
            other.execute(server._t["contacts"].insert().values(**row))
            thread = threading.Thread(target=retire)
            thread.start()
            time.sleep(0.5)
        thread.join(timeout=60)
    (error,) = outcome
    assert isinstance(error, InvalidRecord)
    assert "still holds 1 record after the batch (1 contact)" in str(error)
    assert server.contact("c-9") == added
    assert [a.id for a in server.accounts()] == ["phone-acme"]
    assert server.outbox() == ()


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


def test_tables_of_version_one_gain_the_key_in_the_outbox_due_index(server: Any) -> None:
    import sqlalchemy as sa

    other = SqlStore(server.engine, prefix=f"m{uuid.uuid4().hex[:8]}_")
    name, table = f"{other._prefix}outbox_due", f"{other._prefix}outbox"
    try:
        on = f" ON {table}" if other._dialect != "postgresql" else ""
        with other.engine.begin() as db:  # the tables as version 1 made them
            db.execute(sa.text(f"DROP INDEX {name}{on}"))
            db.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN channel"))
            db.execute(sa.text(f"CREATE INDEX {name} ON {table} (status, next_attempt_us)"))
            db.execute(other._t["schema"].update().values(version=1))
        SqlStore(server.engine, prefix=other._prefix).write(
            Batch(accounts=[Account(id="acme", name="Acme")])
        )
        indexes = {
            i["name"]: i["column_names"] for i in sa.inspect(other.engine).get_indexes(table)
        }
        assert indexes[name] == ["status", "channel", "next_attempt_us", "key"]
        with other.engine.connect() as db:
            version = db.execute(sa.select(other._t["schema"].c.version)).scalar()
        assert version == SCHEMA_VERSION == 6
    finally:
        other.drop()


def test_tables_of_version_two_gain_reps_and_the_company(server: Any) -> None:
    import sqlalchemy as sa

    from accountcare.domain.team import Company, Rep

    other = SqlStore(server.engine, prefix=f"v{uuid.uuid4().hex[:8]}_")
    try:
        with other.engine.begin() as db:  # the tables as version 2 made them
            for name in ("reps", "company"):
                other._t[name].drop(db)
            db.execute(other._t["schema"].update().values(version=2))
        other.write(Batch(accounts=[Account(id="acme", name="Acme")]))  # written by version 2
        assert not sa.inspect(other.engine).has_table(f"{other._prefix}reps")
        upgraded = SqlStore(server.engine, prefix=other._prefix)
        li, globex = Rep(id="rep-li", name="Li Na"), Company("Globex", names={"ko": "글로벡스"})
        upgraded.write(Batch(reps=[li], company=globex))
        assert (upgraded.reps(), upgraded.company()) == ((li,), globex)
        assert [a.id for a in upgraded.accounts()] == ["acme"]
        with other.engine.connect() as db:
            version = db.execute(sa.select(other._t["schema"].c.version)).scalar()
        assert version == SCHEMA_VERSION == 6
    finally:
        other.drop()


def test_tables_of_version_three_gain_the_outbox_channel_from_each_payload(server: Any) -> None:
    import sqlalchemy as sa

    other = SqlStore(server.engine, prefix=f"c{uuid.uuid4().hex[:8]}_")
    name, table = f"{other._prefix}outbox_due", f"{other._prefix}outbox"
    try:
        entries = [_queued("e-1", Channel.EMAIL), _queued("s-1", Channel.SMS)]
        entries.append(_queued("s-2", Channel.SMS, NOW + timedelta(days=1)))
        other.write(Batch(outbox=entries))
        on = f" ON {table}" if other._dialect != "postgresql" else ""
        with other.engine.begin() as db:  # the tables as version 3 made them
            db.execute(sa.text(f"DROP INDEX {name}{on}"))
            db.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN channel"))
            key = other.engine.dialect.identifier_preparer.quote("key")
            db.execute(sa.text(f"CREATE INDEX {name} ON {table} (status, next_attempt_us, {key})"))
            db.execute(other._t["schema"].update().values(version=3))
        upgraded = SqlStore(server.engine, prefix=other._prefix)
        for _ in range(2):  # a second process that read version 3 upgrades again
            with other.engine.begin() as db:
                other._upgrade(db, 3)
        lease, sms = timedelta(minutes=5), frozenset({Channel.SMS})
        assert [e.key for e in upgraded.claim_outbox(NOW, 10, lease, channels=sms)] == ["s-1"]
        assert [e.key for e in upgraded.claim_outbox(NOW, 10, lease)] == ["e-1"]
        indexes = {
            i["name"]: i["column_names"] for i in sa.inspect(other.engine).get_indexes(table)
        }
        assert indexes[name] == ["status", "channel", "next_attempt_us", "key"]
        c = other._t["outbox"].c
        with other.engine.connect() as db:
            rows = db.execute(sa.select(c.key, c.channel).order_by(c.key)).all()
            version = db.execute(sa.select(other._t["schema"].c.version)).scalar()
        assert [tuple(row) for row in rows] == [("e-1", "email"), ("s-1", "sms"), ("s-2", "sms")]
        assert version == SCHEMA_VERSION == 6
    finally:
        other.drop()


def test_tables_of_version_four_gain_the_loss_reviews(server: Any) -> None:
    import sqlalchemy as sa

    from accountcare.domain.warnings import LostAccountReview, RootCause

    other = SqlStore(server.engine, prefix=f"l{uuid.uuid4().hex[:8]}_")
    try:
        with other.engine.begin() as db:  # the tables as version 4 made them
            other._t["loss_reviews"].drop(db)
            db.execute(other._t["schema"].update().values(version=4))
        other.write(Batch(accounts=[Account(id="acme", name="Acme")]))  # written by version 4
        assert not sa.inspect(other.engine).has_table(f"{other._prefix}loss_reviews")
        upgraded = SqlStore(server.engine, prefix=other._prefix)
        review = LostAccountReview(
            "acme", RootCause.COMPETITOR, "signed with Initech", "rep-li", date(2027, 2, 1)
        )
        assert upgraded.loss_reviews() == ()
        upgraded.write(Batch(loss_reviews=[review]))
        assert upgraded.loss_reviews("acme") == (review,)
        with other.engine.connect() as db:
            version = db.execute(sa.select(other._t["schema"].c.version)).scalar()
        assert version == SCHEMA_VERSION == 6
        upgraded.write(Batch(retired_accounts=["acme"]))
        assert (upgraded.accounts(), upgraded.loss_reviews()) == ((), ())
    finally:
        other.drop()


def _queued(key: str, channel: Channel, due_at: datetime = NOW) -> Message:
    return Message(
        key=key,
        channel=channel,
        recipient=Recipient("c-1", "Li", "li@example.com"),
        subject="s",
        text="t",
        due_at=due_at,
    )


def test_a_dead_letter_retried_at_once_is_queued_again_once(server: Any) -> None:
    from accountcare.domain.outbox import RetryPolicy

    message = Message(
        key="k-dead",
        channel=Channel.EMAIL,
        recipient=Recipient("c-1", "Kim", "kim@example.com"),
        subject="s",
        text="t",
        due_at=NOW,
    )
    server.write(Batch(outbox=[message]))
    (claimed,) = server.claim_outbox(NOW, 1, timedelta(minutes=5))
    dead = claimed.failed(NOW, "550 no such user", RetryPolicy(), retryable=False)
    assert server.settle_outbox(dead)
    url = server.engine.url.render_as_string(hide_password=False)
    other = SqlStore(url, prefix=server._prefix)  # a pool of its own, as another process
    barrier, revived = threading.Barrier(6), []

    def retry(store: Any) -> None:
        barrier.wait()
        revived.append(store.retry_outbox("k-dead", NOW + timedelta(hours=1)))

    threads = [threading.Thread(target=retry, args=(s,)) for s in [server, other] * 3]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    other.close()
    assert sum(entry is not None for entry in revived) == 1
    entry = server.outbox_entry("k-dead")
    assert entry is not None
    assert (entry.status.value, entry.attempts, entry.last_error) == ("pending", 0, dead.last_error)


def test_a_hostile_amount_written_with_raw_sql_is_refused_naming_record_and_field(
    server: Any,
) -> None:
    import sqlalchemy as sa

    from accountcare.domain import Order

    good = Order("o-1", "acme", date(2026, 5, 4), Decimal("120.50"))
    server.write(Batch(accounts=[Account(id="acme", name="Acme")], orders=[good]))
    table = server._t["orders"].name
    if server._dialect == "postgresql":
        edit = f"""UPDATE {table} SET payload = jsonb_set(payload, '{{amount}}',
                   '"1E+999999999"') WHERE id = 'o-1'"""
    else:
        edit = f"UPDATE {table} SET payload = JSON_SET(payload, '$.amount', '1E+999999999')"
    with server.engine.begin() as db:
        assert db.execute(sa.text(edit)).rowcount == 1
    with pytest.raises(InvalidRecord) as caught:
        server.orders("acme")
    assert isinstance(caught.value, StoreError)
    assert (caught.value.record, caught.value.field) == ("Order 'o-1'", "amount")
    assert f"{server._dialect} orders" in str(caught.value)
    assert "\n" not in str(caught.value)
    with pytest.raises(InvalidRecord):
        server.orders_between(date(2026, 1, 1), date(2027, 1, 1))


def test_a_refused_write_chains_no_driver_error(server: Any) -> None:
    """Neither ``__cause__`` nor ``__context__`` holds SQLAlchemy's error, whose text
    repeats the statement's parameters."""
    import sqlalchemy as sa

    secret = "s3cret-name-7f"
    server.write(Batch(accounts=[Account(id="acme", name="Acme")]))
    table = server._t["contacts"].name
    with server.engine.begin() as db:  # a trigger-free way to make the write fail
        db.execute(sa.text(f"ALTER TABLE {table} ADD COLUMN extra INTEGER NOT NULL"))
    try:
        with pytest.raises(StoreError) as caught:
            server.write(Batch(contacts=[Contact(id="c-1", account_id="acme", name=secret)]))
    finally:
        with server.engine.begin() as db:
            db.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN extra"))
    error = caught.value
    assert error.__cause__ is None
    assert error.__context__ is None
    shown = "".join(traceback.format_exception(error))
    assert secret not in shown
    assert "refused the write" in str(error)


def test_an_unreachable_server_chains_no_driver_error() -> None:
    with pytest.raises(StoreError) as caught:
        SqlStore("postgresql+psycopg://postgres:pw-9q@127.0.0.1:1/test?connect_timeout=2")
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None
    assert "pw-9q" not in str(caught.value)


def test_upgrading_tables_to_version_two_twice_is_harmless(server: Any) -> None:
    import sqlalchemy as sa

    other = SqlStore(server.engine, prefix=f"u{uuid.uuid4().hex[:8]}_")
    name, table = f"{other._prefix}outbox_due", f"{other._prefix}outbox"
    try:
        on = f" ON {table}" if other._dialect != "postgresql" else ""
        with other.engine.begin() as db:  # the tables as version 1 made them
            db.execute(sa.text(f"DROP INDEX {name}{on}"))
            db.execute(sa.text(f"CREATE INDEX {name} ON {table} (status, next_attempt_us)"))
        for _ in range(2):  # a second process that read version 1 upgrades again
            with other.engine.begin() as db:
                other._upgrade(db, 1)
        with other.engine.begin() as db:  # and one that finds the index gone midway
            db.execute(sa.text(f"DROP INDEX {name}{on}"))
            other._upgrade(db, 1)
        indexes = {
            i["name"]: i["column_names"] for i in sa.inspect(other.engine).get_indexes(table)
        }
        assert indexes[name] == ["status", "channel", "next_attempt_us", "key"]
    finally:
        other.drop()
