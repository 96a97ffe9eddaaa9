"""The SQLite store beyond the contract: files, versions, pragmas, two processes."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from accountcare.adapters._schema import SCHEMA_VERSION
from accountcare.adapters.sqlite import SqliteStore, default_path
from accountcare.domain import Account
from accountcare.ports.store import Batch, SchemaVersionError, StoreError


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_file_that_is_not_sqlite_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text("name,phone\n王伟,+8613800000000\n", encoding="utf-8")
    before = _digest(path)
    with pytest.raises(StoreError, match="not an SQLite database"):
        SqliteStore(path)
    assert _digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["contacts.csv"]


def test_a_schema_newer_than_the_library_names_both_versions(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    with SqliteStore(path) as store:
        store.write(Batch(accounts=[Account(id="acme", name="Acme")]))
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 7}")
    db.close()
    before = _digest(path)
    with pytest.raises(SchemaVersionError) as caught:
        SqliteStore(path)
    message = str(caught.value)
    assert str(SCHEMA_VERSION + 7) in message
    assert f"up to {SCHEMA_VERSION}" in message
    assert _digest(path) == before


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a directory"):
        SqliteStore(tmp_path)


def test_default_path_is_under_the_users_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if sys.platform in ("win32", "darwin"):
        pytest.skip("XDG applies to Linux and BSD")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_path() == tmp_path / "data" / "accountcare" / "accountcare.sqlite3"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/ignored")  # the spec: absolute only
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_path() == tmp_path / ".local" / "share" / "accountcare" / "accountcare.sqlite3"


def test_the_default_path_is_created_when_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if sys.platform in ("win32", "darwin"):
        pytest.skip("XDG applies to Linux and BSD")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "nested" / "data"))
    with SqliteStore() as store:
        assert store.path.exists()


def test_wal_foreign_keys_and_version_are_set(sqlite_path: Path) -> None:
    with SqliteStore(sqlite_path) as store:
        assert store._db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert store._db.execute("PRAGMA busy_timeout").fetchone()[0] > 0
    db = sqlite3.connect(sqlite_path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    db.close()


def test_an_empty_database_of_version_zero_is_migrated_forward(sqlite_path: Path) -> None:
    db = sqlite3.connect(sqlite_path)
    db.execute("CREATE TABLE host_notes (text TEXT)")  # a host's own table survives
    db.execute("INSERT INTO host_notes VALUES ('kept')")
    db.commit()
    db.close()
    with SqliteStore(sqlite_path) as store:
        store.write(Batch(accounts=[Account(id="acme", name="Acme")]))
    with SqliteStore(sqlite_path) as again:
        assert [a.id for a in again.accounts()] == ["acme"]
        assert again._db.execute("SELECT text FROM host_notes").fetchall() == [("kept",)]


def test_no_global_sqlite3_adapters_are_registered(sqlite_path: Path) -> None:
    before = dict(sqlite3.adapters), dict(sqlite3.converters)
    with SqliteStore(sqlite_path) as store:
        store.write(Batch(accounts=[Account(id="acme", name="Acme")]))
        store.accounts()
    assert (dict(sqlite3.adapters), dict(sqlite3.converters)) == before


WRITER = textwrap.dedent(
    """
    import sys
    from accountcare.adapters.sqlite import SqliteStore
    from accountcare.domain import Account
    from accountcare.ports.store import Batch

    path, name = sys.argv[1], sys.argv[2]
    store = SqliteStore(path, timeout=20)
    for batch in range(40):
        accounts = [Account(id=f"{name}-{batch}-{n}", name="Co") for n in range(25)]
        store.write(Batch(accounts=accounts))
        store.accounts_by_owner("nobody")  # reads between writes, as a real process does
    store.close()
    """
)


def test_two_processes_writing_at_once_both_succeed(sqlite_path: Path) -> None:
    SqliteStore(sqlite_path).close()  # created and migrated once, then raced
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(sqlite_path), name], stderr=subprocess.PIPE
        )
        for name in ("left", "right")
    ]
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err.decode()
    with SqliteStore(sqlite_path) as store:
        ids = [a.id for a in store.accounts()]
    assert len(ids) == 2 * 40 * 25
    assert {i.split("-")[0] for i in ids} == {"left", "right"}


def test_two_processes_creating_a_new_file_at_once_both_succeed(sqlite_path: Path) -> None:
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(sqlite_path), name], stderr=subprocess.PIPE
        )
        for name in ("left", "right")
    ]
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err.decode()
    with SqliteStore(sqlite_path) as store:
        assert len(store.accounts()) == 2 * 40 * 25


def test_a_locked_database_is_waited_for_then_reported(sqlite_path: Path) -> None:
    with SqliteStore(sqlite_path, timeout=0.2, retries=1) as store:
        blocker = sqlite3.connect(sqlite_path, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(StoreError, match="locked"):
                store.write(Batch(accounts=[Account(id="acme", name="Acme")]))
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        store.write(Batch(accounts=[Account(id="acme", name="Acme")]))
        assert [a.id for a in store.accounts()] == ["acme"]


def test_a_path_under_a_file_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot create the folder"):
        SqliteStore(blocker / "book.sqlite3")


def test_a_lone_surrogate_is_refused_naming_record_and_field_and_nothing_is_written(
    sqlite_path: Path,
) -> None:
    from accountcare.domain import Contact
    from accountcare.domain.contacts import PhoneNumber
    from accountcare.errors import InvalidRecord

    with SqliteStore(sqlite_path) as store:
        store.write(Batch(accounts=[Account(id="acme", name="Acme")]))
        before = store.accounts()
        bad = Contact(
            id="c-2",
            account_id="acme",
            name="Kim",
            phones=[PhoneNumber("+82 10 \udcff", None)],  # undecodable byte, surrogate-escaped
        )
        batch = Batch(
            accounts=[Account(id="hanbit", name="Hanbit"), Account(id="acme", name="Renamed")],
            contacts=[Contact(id="c-1", account_id="hanbit", name="Lee"), bad],
        )
        with pytest.raises(InvalidRecord) as caught:
            store.write(batch)
        assert caught.value.record == "Contact 'c-2'"
        assert caught.value.field == "phones[0].raw"
        assert "not valid Unicode" in caught.value.problem
        assert store.accounts() == before  # neither the new account nor the rename
        assert store.contact("c-1") is None
        with pytest.raises(InvalidRecord) as in_id:
            store.write(Batch(accounts=[Account(id="acme\ud800", name="Acme")]))
        assert in_id.value.field == "id"
        assert store.accounts() == before


def test_a_batch_of_new_and_stored_ids_inserts_the_new_and_replaces_the_stored(
    sqlite_path: Path,
) -> None:
    with SqliteStore(sqlite_path) as store:
        store.write(Batch(accounts=[Account(id="a", name="A"), Account(id="b", name="B")]))
        store.write(
            Batch(accounts=[Account(id="b", name="B2", owner="rep-1"), Account(id="c", name="C")])
        )
        assert [(a.id, a.name) for a in store.accounts()] == [("a", "A"), ("b", "B2"), ("c", "C")]
        assert [a.id for a in store.accounts_by_owner("rep-1")] == ["b"]
        store.write(Batch(accounts=[Account(id="b", name="B2", owner="rep-1")]))  # unchanged
        assert store.account("b") == Account(id="b", name="B2", owner="rep-1")


def test_thousands_of_records_come_back_equal_and_validated_ones_stay_valid(
    sqlite_path: Path,
) -> None:
    from datetime import UTC, datetime, timedelta

    accounts = [
        Account(
            id=f"acct-{n:05d}",
            name=f"Company {n}",
            owner=f"rep-{n % 7}",
            tags={"vip"} if n % 3 == 0 else (),
            updated_at=datetime(2027, 3, 1, tzinfo=UTC) - timedelta(minutes=n),
        )
        for n in range(3000)
    ]
    with SqliteStore(sqlite_path) as store:
        store.write(Batch(accounts=accounts))
        back = store.accounts()
    assert back == tuple(accounts)
    assert all(type(a.tags) is frozenset for a in back)
    assert [a.updated_at for a in back] == [a.updated_at for a in accounts]


def test_a_version_one_file_gains_the_key_in_the_outbox_due_index(sqlite_path: Path) -> None:
    from accountcare.adapters._schema import MIGRATIONS

    db = sqlite3.connect(sqlite_path)
    for statement in MIGRATIONS[0]:
        db.execute(statement)
    db.execute(
        'INSERT INTO accounts VALUES (\'acme\', NULL, NULL, \'{"id":"acme","name":"Acme"}\')'
    )
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    with SqliteStore(sqlite_path) as store:
        assert [a.id for a in store.accounts()] == ["acme"]
    db = sqlite3.connect(sqlite_path)
    columns = [row[2] for row in db.execute("PRAGMA index_info(outbox_due)")]
    assert columns == ["status", "channel", "next_attempt_us", "key"]
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 5
    db.close()


_DEAD = (
    '{"message":{"key":"k-1","channel":"email","recipient":{"contact_id":"c-1","name":"Li",'
    '"address":"li@example.com"},"subject":"s","text":"t","due_at":"2027-03-01T00:00:00+00:00"},'
    '"next_attempt_at":"2027-03-01T00:05:00+00:00","status":"dead","attempts":6,'
    '"last_error":"550 no such user"}'
)


def _version_two(path: Path) -> None:
    """A file as accountcare with schema version 2 left it: an account, a contact with
    no consent log, a dead letter."""
    from accountcare.adapters._schema import MIGRATIONS

    db = sqlite3.connect(path)
    for statement in (*MIGRATIONS[0], *MIGRATIONS[1]):
        db.execute(statement)
    db.execute(
        """INSERT INTO accounts VALUES ('acme', NULL, NULL, '{"id":"acme","name":"Acme"}')"""
    )
    db.execute(
        """INSERT INTO contacts VALUES ('c-1', 'acme', '{"id":"c-1","account_id":"acme",'
        || '"name":"Li","consents":["email"]}')"""
    )
    db.execute("INSERT INTO outbox VALUES ('k-1', 'dead', 0, 6, ?)", (_DEAD,))
    db.execute("PRAGMA user_version = 2")
    db.commit()
    db.close()


def test_a_version_two_file_gains_the_tables_of_reps_and_the_company(sqlite_path: Path) -> None:
    from datetime import UTC, datetime

    from accountcare.domain import Channel
    from accountcare.domain.outbox import OutboxStatus
    from accountcare.domain.team import Company, Rep

    _version_two(sqlite_path)
    with SqliteStore(sqlite_path) as store:
        (contact,) = store.contacts("acme")
        assert contact.consents == frozenset({Channel.EMAIL})
        assert contact.consent_log == ()
        assert (store.reps(), store.company()) == ((), None)
        li, globex = Rep(id="rep-li", name="Li Na"), Company("Globex", names={"zh": "环球"})
        store.write(Batch(reps=[li], company=globex))
        at = datetime(2027, 3, 2, tzinfo=UTC)
        revived = store.retry_outbox("k-1", at)
        assert revived is not None
        assert (revived.status, revived.attempts, revived.last_error) == (
            OutboxStatus.PENDING,
            0,
            "550 no such user",
        )
    with SqliteStore(sqlite_path) as again:
        assert (again.reps(), again.company()) == ((li,), globex)
        assert again.outbox_entry("k-1") == revived
    db = sqlite3.connect(sqlite_path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 5
    assert db.execute("SELECT key, channel FROM outbox").fetchall() == [("k-1", "email")]
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"reps", "company"} <= tables
    db.close()


def test_a_version_two_file_reads_read_only_with_no_team_and_unchanged(
    sqlite_path: Path,
) -> None:
    from datetime import UTC, datetime

    _version_two(sqlite_path)
    before = _digest(sqlite_path)
    with SqliteStore(sqlite_path, read_only=True) as store:
        assert [a.id for a in store.accounts()] == ["acme"]
        assert (store.reps(), store.rep("rep-li"), store.company()) == ((), None, None)
        with pytest.raises(StoreError, match="open read-only; nothing was written"):
            store.retry_outbox("k-1", datetime(2027, 3, 2, tzinfo=UTC))
    assert _digest(sqlite_path) == before
    db = sqlite3.connect(sqlite_path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 2
    db.close()


def _version_three(path: Path) -> None:
    """A file as accountcare with schema version 3 left it: pending email and SMS entries
    (one of each due, one SMS later), and a row whose payload is not JSON."""
    from accountcare.adapters._schema import MIGRATIONS

    db = sqlite3.connect(path)
    for statement in (*MIGRATIONS[0], *MIGRATIONS[1], *MIGRATIONS[2]):
        db.execute(statement)
    now, later = 1_803_859_500_000_000, 1_893_456_000_000_000  # 2027-03-01T00:05, 2030-01-01
    for key, channel, due in (("e-1", "email", now), ("s-1", "sms", now), ("s-2", "sms", later)):
        payload = _DEAD.replace('"k-1","channel":"email"', f'"{key}","channel":"{channel}"')
        payload = payload.replace('"status":"dead","attempts":6,', "")
        if due == later:
            payload = payload.replace("2027-03-01T00:05:00", "2030-01-01T00:00:00")
        db.execute("INSERT INTO outbox VALUES (?, 'pending', ?, 0, ?)", (key, due, payload))
    db.execute("INSERT INTO outbox VALUES ('x-1', 'sent', 0, 1, 'not json')")
    db.execute("PRAGMA user_version = 3")
    db.commit()
    db.close()


def test_a_version_three_file_gains_the_outbox_channel_from_each_payload(
    sqlite_path: Path,
) -> None:
    from datetime import UTC, datetime, timedelta

    from accountcare.domain import Channel

    _version_three(sqlite_path)
    at, lease = datetime(2027, 3, 2, tzinfo=UTC), timedelta(minutes=5)
    with SqliteStore(sqlite_path) as store:
        sms = frozenset({Channel.SMS})
        assert [e.key for e in store.claim_outbox(at, 10, lease, channels=sms)] == ["s-1"]
        assert [e.key for e in store.claim_outbox(at, 10, lease)] == ["e-1"]
    db = sqlite3.connect(sqlite_path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 5
    rows = db.execute("SELECT key, channel FROM outbox ORDER BY key").fetchall()
    assert rows == [("e-1", "email"), ("s-1", "sms"), ("s-2", "sms"), ("x-1", "")]
    columns = [row[2] for row in db.execute("PRAGMA index_info(outbox_due)")]
    assert columns == ["status", "channel", "next_attempt_us", "key"]
    db.close()


def _version_four(path: Path) -> None:
    """A file as accountcare with schema version 4 left it: a lost account and another."""
    from accountcare.adapters._schema import MIGRATIONS

    db = sqlite3.connect(path)
    for statement in (*MIGRATIONS[0], *MIGRATIONS[1], *MIGRATIONS[2], *MIGRATIONS[3]):
        db.execute(statement)
    db.execute(
        """INSERT INTO accounts VALUES ('acme', NULL, NULL,
           '{"id":"acme","name":"Acme","stage":"lost"}')"""
    )
    db.execute(
        """INSERT INTO accounts VALUES ('beta', NULL, NULL, '{"id":"beta","name":"Beta"}')"""
    )
    db.execute("PRAGMA user_version = 4")
    db.commit()
    db.close()


def test_a_version_four_file_gains_the_table_of_loss_reviews(sqlite_path: Path) -> None:
    from datetime import date

    from accountcare.domain.accounts import LifecycleStage
    from accountcare.domain.warnings import LostAccountReview, RootCause

    _version_four(sqlite_path)
    review = LostAccountReview(
        "acme", RootCause.PRICE, "a cheaper offer", "rep-li", date(2027, 2, 1)
    )
    with SqliteStore(sqlite_path) as store:
        assert store.loss_reviews() == ()
        assert [a.stage for a in store.accounts()] == [LifecycleStage.LOST, LifecycleStage.CUSTOMER]
        store.write(Batch(loss_reviews=[review]))
    with SqliteStore(sqlite_path) as again:
        assert again.loss_reviews() == (review,)
        assert again.loss_reviews("beta") == ()
        # Retiring the account takes its review, also through the table's foreign key.
        again.write(Batch(retired_accounts=["acme"]))
        assert again.loss_reviews() == ()
    db = sqlite3.connect(sqlite_path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 5
    keys = [row[1] for row in db.execute("PRAGMA table_info(loss_reviews)") if row[5]]
    assert keys == ["account_id", "found_on"]
    (reference,) = db.execute("PRAGMA foreign_key_list(loss_reviews)").fetchall()
    assert (reference[2], reference[3], reference[6]) == ("accounts", "account_id", "CASCADE")
    db.close()


def test_a_version_four_file_reads_read_only_with_no_loss_reviews_and_unchanged(
    sqlite_path: Path,
) -> None:
    _version_four(sqlite_path)
    before = _digest(sqlite_path)
    with SqliteStore(sqlite_path, read_only=True) as store:
        assert [a.id for a in store.accounts()] == ["acme", "beta"]
        assert (store.loss_reviews(), store.loss_reviews("acme")) == ((), ())
    assert _digest(sqlite_path) == before


def test_a_claim_by_channel_is_one_indexed_query_with_no_sort_of_the_outbox(
    sqlite_path: Path,
) -> None:
    from datetime import UTC, datetime, timedelta

    from accountcare.domain import Channel

    at, lease, sms = datetime(2027, 3, 2, tzinfo=UTC), timedelta(minutes=5), {Channel.SMS}
    with SqliteStore(sqlite_path) as store:
        statements: list[str] = []
        store._db.set_trace_callback(statements.append)
        store.claim_outbox(at, 1, lease, channels=frozenset(sms))
        store._db.set_trace_callback(None)
        (select,) = [s for s in statements if s.lstrip().startswith("SELECT")]
        plan = " ".join(row[3] for row in store._db.execute(f"EXPLAIN QUERY PLAN {select}"))
    assert plan.count("USING INDEX outbox_due") == 2  # pending and in flight
    assert "SCAN outbox" not in plan
    assert "TEMP B-TREE" not in plan.replace("USE TEMP B-TREE FOR ORDER BY", "", 1)


def test_the_company_table_holds_one_row(sqlite_path: Path) -> None:
    from accountcare.domain.team import Company

    with SqliteStore(sqlite_path) as store:
        store.write(Batch(company=Company("Globex")))
        store.write(Batch(company=Company("Initech")))
        rows = store._db.execute("SELECT slot FROM company").fetchall()
        assert rows == [(1,)]
        with pytest.raises(sqlite3.IntegrityError):
            store._db.execute("INSERT INTO company VALUES (2, '{}')")


def test_a_uri_with_an_option_it_does_not_understand_names_every_mode() -> None:
    from accountcare.adapters.sqlite import from_uri

    assert from_uri("file:book.sqlite3?mode=rwc") == (Path("book.sqlite3"), False)
    with pytest.raises(StoreError) as caught:
        from_uri("file:book.sqlite3?mode=memory")
    assert str(caught.value) == (
        "'file:book.sqlite3?mode=memory': the only option understood is mode, one of ro, rw or rwc"
    )


def test_a_windows_file_uri_names_the_drive_not_a_root_folder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from accountcare.adapters.sqlite import from_uri

    monkeypatch.setattr(sys, "platform", "win32")
    path, read_only = from_uri("file:///C:/books/east%20coast.sqlite3?mode=ro")
    assert (path.as_posix(), read_only) == ("C:/books/east coast.sqlite3", True)
    monkeypatch.setattr(sys, "platform", "linux")
    assert from_uri("file:///C:/books/x.sqlite3")[0].as_posix() == "/C:/books/x.sqlite3"


def test_a_dead_letter_retried_by_two_stores_at_once_is_queued_again_once(
    sqlite_path: Path,
) -> None:
    import threading
    from datetime import UTC, datetime

    _version_two(sqlite_path)
    stores = [SqliteStore(sqlite_path), SqliteStore(sqlite_path)]
    barrier, revived = threading.Barrier(6), []

    def retry(store: SqliteStore) -> None:
        barrier.wait()
        revived.append(store.retry_outbox("k-1", datetime(2027, 3, 2, tzinfo=UTC)))

    threads = [threading.Thread(target=retry, args=(s,)) for s in stores * 3]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(entry is not None for entry in revived) == 1
    assert len(revived) == 6
    for store in stores:
        store.close()
