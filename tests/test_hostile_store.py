"""Stores against hostile conditions: damaged and read-only files, a full disk, ids too
long to keep, a non-strict MariaDB session, and database URLs that cannot work.

Every case must end in one line saying what is wrong and what was (not) changed, never a
traceback, and leave what was stored exactly as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import traceback
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from accountcare.adapters.sqlite import SqliteStore
from accountcare.domain import MAX_ID_LENGTH, Account, Contact
from accountcare.domain._trusted import trusted
from accountcare.ports.store import Batch, StoreError

POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions and rlimits")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _one_line(text: str) -> bool:
    return "\n" not in text.strip() and "Traceback" not in text


def _book(path: Path, accounts: int = 400) -> tuple[Account, ...]:
    """A store at ``path`` holding ``accounts`` accounts (a few pages' worth)."""
    book = [Account(id=f"acct-{n:04d}", name=f"Company {n} " + "x" * 120) for n in range(accounts)]
    with SqliteStore(path) as store:
        store.write(Batch(accounts=book))
        return store.accounts()


def accountcare(*args: str, cwd: Path, **how: Any) -> subprocess.CompletedProcess[str]:
    """Run ``python -m accountcare ARGS`` as a user does."""
    environment = {**os.environ, "COLUMNS": "200"}
    environment.pop("ACCOUNTCARE_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "accountcare", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        **how,
    )


def _fails_in_one_line(result: subprocess.CompletedProcess[str], *words: str) -> str:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert _one_line(result.stderr), result.stderr
    assert result.stderr.startswith("accountcare: error: "), result.stderr
    for word in words:
        assert word in result.stderr, result.stderr
    return result.stderr


# -- damaged files -----------------------------------------------------------------------


def _damage(path: Path, how: str) -> None:
    size = path.stat().st_size
    with path.open("r+b") as handle:
        if how == "truncated":
            handle.truncate(size // 2)
        elif how == "page size overwritten":
            handle.seek(16)  # the header's page size: 3 is no power of two
            handle.write(b"\x00\x03")
        else:  # pages past the schema overwritten with other bytes
            for page in sorted(set(range(4, size // 4096 + 1)) - _schema_pages(path)):
                handle.seek(4096 * (page - 1))
                handle.write(bytes(range(256)) * 16)


def _schema_pages(path: Path) -> set[int]:
    """The pages of the file's schema table (the first, and any it grew into)."""
    db = sqlite3.connect(path)
    try:
        sql = "SELECT pageno FROM dbstat WHERE name = 'sqlite_schema'"
        return {page for (page,) in db.execute(sql)}
    finally:
        db.close()


@pytest.mark.parametrize(
    ("how", "said"),
    [
        ("truncated", "database disk image is malformed"),
        ("page size overwritten", "file is not a database"),
        ("pages overwritten", "database disk image is malformed"),
    ],
)
def test_a_damaged_store_file_is_one_line_and_left_untouched(
    tmp_path: Path, how: str, said: str
) -> None:
    path = tmp_path / "book.sqlite3"
    _book(path)
    _damage(path, how)
    before = _digest(path)
    with pytest.raises(StoreError) as caught, SqliteStore(path) as store:  # noqa: PT012
        store.accounts()  # opening fails, or else the first read does
        store.write(Batch(accounts=[Account(id="new", name="New")]))
    message = str(caught.value)
    assert _one_line(message), message
    assert f"the store file {path} is damaged ({said})" in message
    assert message.endswith(("nothing was changed", "nothing was written", "left untouched"))
    assert _digest(path) == before


def test_a_damaged_store_file_is_one_line_from_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "book.sqlite3"
    _book(path)
    _damage(path, "truncated")
    before = _digest(path)
    result = accountcare("--db", str(path), "health", cwd=tmp_path)
    _fails_in_one_line(result, "--db:", "is damaged", "database disk image is malformed")
    _damage(path, "page size overwritten")
    changed = _digest(path)
    result = accountcare("--db", str(path), "alerts", cwd=tmp_path)
    _fails_in_one_line(result, "is damaged", "file is not a database")
    assert _digest(path) == changed != before


def test_pages_damaged_after_opening_fail_the_read_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "book.sqlite3"
    _book(path)
    _damage(path, "pages overwritten")
    result = accountcare("--db", str(path), "health", cwd=tmp_path)
    _fails_in_one_line(result, "is damaged", "nothing was changed")


# -- read-only stores --------------------------------------------------------------------


def test_a_store_opened_read_only_reads_and_refuses_writes(tmp_path: Path) -> None:
    path = tmp_path / "book.sqlite3"
    stored = _book(path)
    before = _digest(path)
    with SqliteStore(path, read_only=True) as store:
        assert store.read_only
        assert store.accounts() == stored
        with pytest.raises(StoreError) as caught:
            store.write(Batch(accounts=[Account(id="new", name="New")]))
        assert str(caught.value) == f"the store file {path} is open read-only; nothing was written"
        assert store.account("new") is None
    assert _digest(path) == before


def test_sqlites_read_only_mode_refuses_writes_inside_sqlite_too(tmp_path: Path) -> None:
    """The refusal is SQLite's, not only the store's check: claims write through SQL."""
    from datetime import UTC, datetime, timedelta

    from accountcare.domain import Channel, Message, Recipient

    path = tmp_path / "book.sqlite3"
    due = datetime(2027, 3, 1, tzinfo=UTC)
    message = Message(
        "k-1", Channel.EMAIL, Recipient("c-1", "Kim", "kim@example.com"), "s", "t", due
    )
    with SqliteStore(path) as store:
        store.write(Batch(outbox=[message]))
    before = _digest(path)
    with SqliteStore(path, read_only=True) as store:
        with pytest.raises(StoreError) as caught:
            store.claim_outbox(due, 10, timedelta(minutes=5))
        assert _one_line(str(caught.value))
        assert "cannot be written (attempt to write a readonly database)" in str(caught.value)
        assert [e.attempts for e in store.outbox()] == [0]
    assert _digest(path) == before


def test_opening_a_missing_file_read_only_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"no store file at .*none was made"):
        SqliteStore(tmp_path / "missing.sqlite3", read_only=True)
    assert list(tmp_path.iterdir()) == []


def test_an_old_schema_is_not_upgraded_read_only(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE host_notes (text TEXT)")
    db.commit()
    db.close()
    before = _digest(path)
    with pytest.raises(StoreError) as caught:
        SqliteStore(path, read_only=True)
    assert "schema version 0 and needs upgrading" in str(caught.value)
    assert _one_line(str(caught.value))
    assert _digest(path) == before


def test_the_command_line_opens_sqlites_read_only_uri(tmp_path: Path) -> None:
    path = tmp_path / "book.sqlite3"
    _book(path, accounts=3)
    before = _digest(path)
    uri = f"file:{path.as_posix()}?mode=ro"
    result = accountcare("--db", uri, "--format", "json", "health", "--top", "0", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 3
    result = accountcare("--db", uri, "tier", cwd=tmp_path)
    _fails_in_one_line(result, "is open read-only; nothing was written")
    _fails_in_one_line(accountcare("--db", f"{uri}&cache=x", "health", cwd=tmp_path), "--db:")
    assert _digest(path) == before


# Run the rest of a command line with "$0" bind-mounted read-only onto itself.
_REMOUNT = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'


def read_only_prefix(path: Path, what: str) -> list[str]:
    """The command prefix that runs a child with ``path`` bind-mounted read-only onto
    itself in a mount namespace of its own (for root, whom permissions do not stop);
    skips where this machine cannot make such a namespace."""
    unshare = shutil.which("unshare")
    probe = [unshare or "unshare", "-m", "sh", "-c", _REMOUNT, str(path), "true"]
    if unshare is None or subprocess.run(probe, capture_output=True).returncode != 0:
        pytest.skip(f"cannot make a {what} read-only for root here (no mount namespace)")
    return [unshare, "-m", "sh", "-c", _REMOUNT, str(path)]


def _run_read_only(
    path: Path, mode: int, what: str, argv: list[str], **run: Any
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` in a child for which ``path`` cannot be written: ``path`` given
    ``mode``, or, for root, mounted read-only (see `read_only_prefix`)."""
    if os.geteuid() != 0:
        before = path.stat().st_mode & 0o777
        path.chmod(mode)
        try:
            return subprocess.run(argv, **run)
        finally:
            path.chmod(before)
    return subprocess.run([*read_only_prefix(path, what), *argv], **run)


def in_read_only_folder(
    folder: Path, argv: list[str], **how: Any
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` in a child, in ``folder``, for which ``folder`` cannot be written."""
    run = {"capture_output": True, "text": True, "timeout": 300, "cwd": folder, **how}
    return _run_read_only(folder, 0o555, "folder", argv, **run)


READER = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from accountcare.adapters.sqlite import SqliteStore
    from accountcare.domain import Account
    from accountcare.ports.store import Batch, StoreError

    try:
        Path(sys.argv[1]).with_name("probe").write_text("x")
        folder_writable = True
    except OSError:
        folder_writable = False
    with SqliteStore(sys.argv[1]) as store:
        ids = [a.id for a in store.accounts()]
        try:
            store.write(Batch(accounts=[Account(id="new", name="New")]))
            refused = None
        except StoreError as error:
            refused = str(error)
        print(json.dumps({"folder_writable": folder_writable, "read_only": store.read_only,
                          "ids": ids, "refused": refused}))
    """
)


@POSIX
def test_a_store_in_a_read_only_folder_opens_for_reading(tmp_path: Path) -> None:
    path = tmp_path / "book.sqlite3"
    stored = _book(path, accounts=5)
    assert not Path(f"{path}-wal").exists()  # the last writer checkpointed and removed it
    before = _digest(path)
    child = in_read_only_folder(tmp_path, [sys.executable, "-c", READER, str(path)])
    assert child.returncode == 0, child.stderr
    seen = json.loads(child.stdout)
    assert seen["folder_writable"] is False
    assert seen["read_only"] is True
    assert seen["ids"] == [a.id for a in stored]
    assert seen["refused"] == f"the store file {path} is open read-only; nothing was written"
    assert _digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.sqlite3"]


@POSIX
def test_read_commands_work_on_a_read_only_store_and_writes_fail_in_one_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "book.sqlite3"
    _book(path, accounts=4)
    before = _digest(path)
    command = [sys.executable, "-m", "accountcare", "--db", str(path)]
    environment = {**os.environ, "COLUMNS": "200"}
    environment.pop("ACCOUNTCARE_DB", None)
    read = in_read_only_folder(
        tmp_path, [*command, "--format", "json", "health", "--top", "0"], env=environment
    )
    assert read.returncode == 0, read.stderr
    assert sorted(row["account"] for row in json.loads(read.stdout)) == [
        f"acct-{n:04d}" for n in range(4)
    ]
    write = in_read_only_folder(tmp_path, [*command, "tier"], env=environment)
    _fails_in_one_line(write, "is open read-only; nothing was written")
    new = [sys.executable, "-m", "accountcare", "--db", str(tmp_path / "new.sqlite3"), "health"]
    _fails_in_one_line(
        in_read_only_folder(tmp_path, new, env=environment),
        "--db:",
        "cannot open the store file",
        "nothing was changed",
    )
    assert _digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.sqlite3"]


# -- a full disk -------------------------------------------------------------------------

FILLER = textwrap.dedent(
    """
    import json, resource, signal, sys
    from accountcare.adapters.sqlite import SqliteStore
    from accountcare.domain import Account
    from accountcare.ports.store import Batch, StoreError

    path, limit = sys.argv[1], int(sys.argv[2])
    if sys.argv[3] == "create":
        with SqliteStore(path) as store:
            store.write(Batch(accounts=[Account(id=f"a-{n}", name="Kept") for n in range(20)]))
    with SqliteStore(path) as store:
        before = store.accounts()
        if limit:
            # Past this size a file cannot grow: the write fails with EFBIG, not a signal.
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        big = [Account(id=f"b-{n:05d}", name="y" * 400) for n in range(4000)]
        try:
            store.write(Batch(accounts=[Account(id="a-0", name="Renamed"), *big]))
            error = None
        except StoreError as failed:
            error = str(failed)
        print(json.dumps({"error": error, "unchanged": store.accounts() == before}))
    """
)


@POSIX
def test_a_write_past_the_file_size_limit_is_one_line_and_all_or_nothing(tmp_path: Path) -> None:
    path = tmp_path / "book.sqlite3"
    with SqliteStore(path) as store:
        store.write(Batch(accounts=[Account(id=f"a-{n}", name="Kept") for n in range(20)]))
        before = store.accounts()
    child = subprocess.run(
        [sys.executable, "-c", FILLER, str(path), str(256 * 1024), "open"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == 0, child.stderr
    seen = json.loads(child.stdout)
    assert seen["unchanged"] is True
    assert seen["error"] is not None
    assert _one_line(seen["error"])
    assert seen["error"].startswith(f"the store file {path} could not be read or written (")
    assert seen["error"].endswith("; nothing was written")
    with SqliteStore(path) as store:
        assert store.accounts() == before


@POSIX
def test_a_write_to_a_full_disk_is_one_line_and_all_or_nothing(tmp_path: Path) -> None:
    """A real ENOSPC: a 1 MiB tmpfs, mounted in a user namespace of its own."""
    unshare = shutil.which("unshare")
    probe = subprocess.run(
        [unshare or "unshare", "-rm", "sh", "-c", f"mount -t tmpfs -o size=64k tmpfs {tmp_path}"],
        capture_output=True,
    )
    if unshare is None or probe.returncode != 0:
        pytest.skip("unprivileged user namespaces with tmpfs mounts are not available here")
    disk = tmp_path / "disk"
    disk.mkdir()
    script = tmp_path / "filler.py"
    script.write_text(FILLER)
    mount = f"mount -t tmpfs -o size=1m tmpfs {disk}"
    command = f'{mount} && exec "{sys.executable}" {script} {disk}/book.sqlite3 0 create'
    child = subprocess.run(
        [unshare, "-rm", "sh", "-c", command], capture_output=True, text=True, timeout=120
    )
    assert child.returncode == 0, child.stderr
    seen = json.loads(child.stdout)
    assert seen["unchanged"] is True
    assert seen["error"] == (
        f"the disk holding the store file {disk}/book.sqlite3 is full "
        "(database or disk is full); nothing was written"
    )


# -- ids longer than a store keeps -------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """Every store, the MariaDB one on a session that is not strict at all."""
    if request.param == "sqlite":
        with SqliteStore(tmp_path / "book.sqlite3") as store:
            yield store
        return
    from accountcare.adapters.sql import SqlStore

    server = request.getfixturevalue(
        f"{'postgres' if request.param == 'postgresql' else 'mariadb'}_store"
    )
    url = server.engine.url
    if request.param == "mariadb":
        url = url.update_query_dict({"init_command": "SET SESSION sql_mode = ''"})
    store = SqlStore(url.render_as_string(hide_password=False), prefix=f"h{uuid.uuid4().hex[:8]}_")
    try:
        yield store
    finally:
        store.drop()
        store.close()


def test_ids_longer_than_a_store_keeps_are_refused_by_name_and_nothing_is_written(
    any_store: Any,
) -> None:
    make = trusted(Contact)  # bypasses the domain's own check, as a bulk path may
    any_store.write(Batch(accounts=[Account(id="acme", name="Acme")]))
    before = any_store.accounts()
    long_ids = [f"{n}" + "c" * MAX_ID_LENGTH for n in range(3)]  # 256 characters each
    assert {len(i) for i in long_ids} == {MAX_ID_LENGTH + 1}
    contacts = [make(id=i, account_id="acme", name=f"Kim {n}") for n, i in enumerate(long_ids)]
    batch = Batch(accounts=[Account(id="acme", name="Renamed")], contacts=contacts)
    with pytest.raises(StoreError) as caught:
        any_store.write(batch)
    assert any_store.contacts("acme") == ()
    assert any_store.accounts() == before
    for i in long_ids:
        assert any_store.contact(i) is None
        assert any_store.contact(i[:MAX_ID_LENGTH]) is None  # nothing kept cut short
    from accountcare.ports.store import UnstorableRecord

    error = caught.value
    assert isinstance(error, UnstorableRecord)
    assert (error.record, error.field) == (f"Contact {long_ids[0]!r}", "id")
    assert "has 256 characters; a store keeps at most 255" in str(error)
    assert _one_line(str(error))


def test_ids_of_the_longest_length_are_kept_whole(any_store: Any) -> None:
    account_id = "a" * MAX_ID_LENGTH
    ids = [f"{n}" + "會" * (MAX_ID_LENGTH - 1) for n in range(3)]  # CJK counts as one each
    contacts = [Contact(id=i, account_id=account_id, name=f"Kim {i[0]}") for i in ids]
    account = Account(id=account_id, name="Acme", owner="r" * MAX_ID_LENGTH)
    any_store.write(Batch(accounts=[account], contacts=contacts))
    assert any_store.account(account_id) == account
    assert any_store.contacts(account_id) == tuple(contacts)
    assert [any_store.contact(i) for i in ids] == contacts


@pytest.mark.servers
def test_every_mariadb_connection_of_a_store_is_strict(mariadb_store: Any) -> None:
    import sqlalchemy as sa

    from accountcare.adapters.sql import SqlStore

    lax = mariadb_store.engine.url.update_query_dict({"init_command": "SET SESSION sql_mode = ''"})
    host = sa.create_engine(lax)  # a host's engine, with a connection opened before the store
    try:
        with host.connect() as db:
            assert db.exec_driver_sql("SELECT @@SESSION.sql_mode").scalar() == ""
        store = SqlStore(host, prefix=f"s{uuid.uuid4().hex[:8]}_")
        try:
            store.write(Batch(accounts=[Account(id="acme", name="Acme")]))
            with host.connect() as db, host.connect() as second:  # the old one and a new one
                seen = [
                    c.exec_driver_sql("SELECT @@SESSION.sql_mode").scalar() for c in (db, second)
                ]
            assert all("STRICT_ALL_TABLES" in modes.split(",") for modes in seen), seen
            # The server itself now refuses an id too long, instead of cutting it short.
            contacts = store._t["contacts"]
            row = {"id": "x" * (MAX_ID_LENGTH + 1), "account_id": "acme", "payload": {}}
            with pytest.raises(sa.exc.DataError), host.begin() as db:
                db.execute(contacts.insert(), row)
            with host.connect() as db:
                assert db.execute(sa.select(contacts.c.id)).all() == []
            from accountcare.adapters.sql import STRICT_MODES

            assert all(set(STRICT_MODES) <= set(modes.split(",")) for modes in seen)
        finally:
            store.drop()
    finally:
        host.dispose()


@pytest.mark.servers
@pytest.mark.parametrize("server", ["postgres_store", "mariadb_store"])
def test_a_refused_write_never_shows_the_values_written(
    request: pytest.FixtureRequest, server: str
) -> None:
    import sqlalchemy as sa

    from accountcare.adapters.sql import SqlStore

    engine = request.getfixturevalue(server).engine
    store = SqlStore(engine, prefix=f"r{uuid.uuid4().hex[:8]}_")
    try:
        store.write(Batch(accounts=[Account(id="acme", name="Acme")]))
        with engine.begin() as db:  # the table disappears behind the store's back
            db.execute(sa.text(f"DROP TABLE {store._prefix}contacts"))
        secret = Contact(id="c-secret-id", account_id="acme", name="Private Person Name")
        with pytest.raises(StoreError) as caught:
            store.write(
                Batch(accounts=[Account(id="acme", name="Other Customer")], contacts=[secret])
            )
        shown = "".join(traceback.format_exception(caught.value))
        for private in ("Private Person Name", "c-secret-id", "Other Customer", "parameters"):
            assert private not in shown
        assert _one_line(str(caught.value))
        assert str(caught.value).endswith("; nothing was written")
        assert "refused the write" in str(caught.value)
        assert store.account("acme") == Account(id="acme", name="Acme")
    finally:
        store.drop()


# -- database URLs that cannot work ------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("foo://bar", "the database URL scheme foo:// is not supported; SqlStore takes "
         "postgresql+psycopg://, mysql+pymysql:// or mariadb+pymysql:// URLs"),
        ("mariadb+mariadbconnector://root@127.0.0.1/test",
         "mariadb+mariadbconnector:// needs the 'mariadbconnector' driver, which is not "
         "installed (mariadb); install it with: pip install mariadb"),
        ("postgresql+asyncpg://postgres:s3cret@127.0.0.1/test",
         "postgresql+asyncpg:// names the asyncio driver 'asyncpg'"),
        ("postgresql+nosuchdriver://postgres:s3cret@127.0.0.1/test",
         "names a driver ('nosuchdriver') that SQLAlchemy does not know"),
        ("mysql://root:s3cret@127.0.0.1/test",
         "mysql:// needs the 'mysqldb' driver, which is not installed (MySQLdb); install it "
         "with: pip install mysqlclient (or use mysql+pymysql:// with pip install "
         "'accountcare[mariadb]')"),
    ],
)  # fmt: skip
def test_a_url_that_cannot_work_names_its_scheme_and_the_fix(url: str, said: str) -> None:
    from accountcare.adapters.sql import SqlStore

    with pytest.raises(StoreError) as caught:
        SqlStore(url)
    message = str(caught.value)
    assert said in message
    assert _one_line(message)
    assert "s3cret" not in message
    assert caught.value.__cause__ is None


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("foo://bar", "foo:// is not supported"),
        ("mariadb+mariadbconnector://root@127.0.0.1/test", "pip install mariadb"),
        ("postgresql+asyncpg://postgres@127.0.0.1/test", "asyncio driver 'asyncpg'"),
    ],
)
def test_a_url_that_cannot_work_is_one_line_from_the_command_line(
    tmp_path: Path, url: str, said: str
) -> None:
    result = accountcare("--db", url, "health", cwd=tmp_path)
    _fails_in_one_line(result, "--db: ", said)


# -- records another program wrote --------------------------------------------------------

HUGE = "1E+999999999"


def _book_with_an_order(path: Path) -> None:
    from datetime import date
    from decimal import Decimal

    from accountcare.domain import Order

    orders = [
        Order("o-1", "acme", date(2026, 5, 4), Decimal("120.50")),
        Order("o-2", "acme", date(2026, 6, 1), Decimal("80")),
    ]
    with SqliteStore(path) as store:
        store.write(Batch(accounts=[Account(id="acme", name="Acme")], orders=orders))


def _edit(path: Path, sql: str) -> None:
    db = sqlite3.connect(path)
    try:
        assert db.execute(sql).rowcount == 1
        db.commit()
    finally:
        db.close()


def test_a_hostile_amount_edited_into_the_file_is_refused_naming_record_field_and_store(
    tmp_path: Path,
) -> None:
    from accountcare.errors import InvalidRecord

    path = tmp_path / "evil.sqlite3"
    _book_with_an_order(path)
    _edit(
        path,
        f"UPDATE orders SET payload = json_set(payload, '$.amount', '{HUGE}') WHERE id = 'o-1'",
    )
    before = _digest(path)
    with SqliteStore(path) as store:
        for read in (
            lambda: store.orders("acme"),
            lambda: store.orders_between(date_(2026, 1, 1), date_(2027, 1, 1)),
        ):
            with pytest.raises(StoreError) as caught:
                read()
            error = caught.value
            assert isinstance(error, InvalidRecord)
            assert (error.record, error.field) == ("Order 'o-1'", "amount")
            assert _one_line(str(error))
            assert str(path) in str(error)
            assert "must be at most 1E+15" in str(error)
            assert error.__cause__ is None
            assert error.__context__ is None
        assert [a.id for a in store.accounts()] == ["acme"]  # the rest still reads
    assert _digest(path) == before


def date_(year: int, month: int, day: int) -> Any:
    from datetime import date

    return date(year, month, day)


@pytest.mark.parametrize(
    ("table", "field", "value", "record"),
    [
        ("accounts", "id", "acme\\rATTENDEE", "Account 'acme\\rATTENDEE'"),
        ("accounts", "owner", "rep\\nli", "Account 'acme'"),
        ("orders", "account_id", "acme\\u2028x", "Order 'o-2'"),
    ],
)
def test_a_stored_id_with_a_line_break_is_refused_on_reading(
    tmp_path: Path, table: str, field: str, value: str, record: str
) -> None:
    from accountcare.errors import InvalidRecord

    path = tmp_path / "evil.sqlite3"
    _book_with_an_order(path)
    key = "acme" if table == "accounts" else "o-2"
    _edit(
        path,
        f"""UPDATE {table} SET payload = json_set(payload, '$.{field}', json('"{value}"'))
                    WHERE id = '{key}'""",
    )
    with SqliteStore(path) as store, pytest.raises(InvalidRecord) as caught:
        store.accounts() if table == "accounts" else store.orders("acme")
    assert isinstance(caught.value, StoreError)
    assert (caught.value.record, caught.value.field) == (record, field)
    assert "must not contain control characters or line breaks" in str(caught.value)
    assert _one_line(str(caught.value))


def test_the_command_line_tier_refuses_a_hostile_stored_amount_in_one_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "evil.sqlite3"
    _book_with_an_order(path)
    _edit(
        path,
        f"UPDATE orders SET payload = json_set(payload, '$.amount', '{HUGE}') WHERE id = 'o-1'",
    )
    result = accountcare("--db", str(path), "tier", cwd=tmp_path)
    _fails_in_one_line(result, "Order 'o-1'", "'amount'", str(path), "must be at most 1E+15")
    assert "Overflow" not in result.stderr


# -- read-only files, older schemas --------------------------------------------------------

PROBE = textwrap.dedent(
    """
    import json, sys
    from accountcare.adapters.sqlite import SqliteStore
    from accountcare.domain import Account
    from accountcare.ports.store import Batch, StoreError

    with SqliteStore(sys.argv[1]) as store:
        ids = [a.id for a in store.accounts()]
        try:
            store.write(Batch(accounts=[Account(id="new", name="New")]))
            refused = None
        except StoreError as error:
            refused = str(error)
        print(json.dumps({"read_only": store.read_only, "ids": ids, "refused": refused}))
    """
)


def with_read_only_file(
    path: Path, argv: list[str], **how: Any
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` in a child for which the file at ``path`` cannot be written but its
    folder can."""
    run = {"capture_output": True, "text": True, "timeout": 300, "cwd": path.parent, **how}
    return _run_read_only(path, 0o444, "file", argv, **run)


@POSIX
def test_a_read_only_file_in_a_writable_folder_says_it_is_read_only(tmp_path: Path) -> None:
    path = tmp_path / "book.sqlite3"
    stored = _book(path, accounts=3)
    before = _digest(path)
    child = with_read_only_file(path, [sys.executable, "-c", PROBE, str(path)])
    assert child.returncode == 0, child.stderr
    seen = json.loads(child.stdout)
    assert seen["read_only"] is True
    assert seen["ids"] == [a.id for a in stored]
    assert seen["refused"] == f"the store file {path} is open read-only; nothing was written"
    assert _digest(path) == before


def _version_one(path: Path) -> None:
    """A file as accountcare with schema version 1 left it: one account, one message."""
    from accountcare.adapters._schema import MIGRATIONS

    db = sqlite3.connect(path)
    for statement in MIGRATIONS[0]:
        db.execute(statement)
    db.execute(
        """INSERT INTO accounts VALUES ('acme', NULL, NULL, '{"id":"acme","name":"Acme"}')"""
    )
    db.execute("PRAGMA user_version = 1")
    db.execute("PRAGMA journal_mode = WAL")
    db.commit()
    db.close()


def test_a_version_one_file_reads_read_only_without_being_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    _version_one(path)
    before = _digest(path)
    with SqliteStore(path, read_only=True) as store:
        assert store.read_only
        assert [a.id for a in store.accounts()] == ["acme"]
        assert store.outbox() == ()
    assert _digest(path) == before
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 1
    db.close()


@POSIX
def test_a_version_one_file_in_a_read_only_folder_reads(tmp_path: Path) -> None:
    path = tmp_path / "book.sqlite3"
    _version_one(path)
    before = _digest(path)
    child = in_read_only_folder(tmp_path, [sys.executable, "-c", READER, str(path)])
    assert child.returncode == 0, child.stderr
    seen = json.loads(child.stdout)
    assert (seen["read_only"], seen["ids"]) == (True, ["acme"])
    assert _digest(path) == before


WATCHER = textwrap.dedent(
    """
    import sys
    from accountcare.adapters.sqlite import SqliteStore

    with SqliteStore(sys.argv[1]) as store:
        print(store.read_only, len(store.accounts()), flush=True)
        sys.stdin.readline()  # another process with write access changes the file
        print(len(store.accounts()), flush=True)
    """
)


@POSIX
def test_a_read_only_folder_sees_another_writer_when_sqlite_can_lock(tmp_path: Path) -> None:
    """A rollback-journal file needs no WAL index: it is opened ``mode=ro``, not
    immutable, so what a writer with access changes meanwhile is read, not read past."""
    path = tmp_path / "book.sqlite3"
    _book(path, accounts=2)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = DELETE")
    db.close()
    if os.geteuid() != 0:
        pytest.skip("needs a writer the read-only folder does not stop (root, outside)")
    child = subprocess.Popen(
        [*read_only_prefix(tmp_path, "folder"), sys.executable, "-c", WATCHER, str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert child.stdout is not None
        assert child.stdin is not None
        assert child.stdout.readline().split() == ["True", "2"]
        with SqliteStore(path) as writer:  # outside the namespace: the folder is writable
            writer.write(Batch(accounts=[Account(id="late", name="Late")]))
        db = sqlite3.connect(path)
        db.execute("PRAGMA journal_mode = DELETE")  # as the watcher found it
        db.close()
        child.stdin.write("go\n")
        child.stdin.flush()
        out, err = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 0, err
    assert out.split() == ["3"]


def test_an_unknown_scheme_is_named_even_without_sqlalchemy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without the sql extra, ``foo://bar`` is still an unknown scheme, not a missing
    package: installing SQLAlchemy would not make it work."""
    from accountcare.adapters.sql import SqlStore

    monkeypatch.setitem(sys.modules, "sqlalchemy", None)
    with pytest.raises(StoreError, match=r"scheme foo:// is not supported") as caught:
        SqlStore("foo://bar")
    assert "\n" not in str(caught.value)
