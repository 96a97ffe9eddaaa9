"""The SQLite store: accountcare's embedded default, one file per book.

Every connection runs in autocommit mode (``isolation_level=None``) with WAL, a busy
timeout and ``foreign_keys=ON``; every write is one ``BEGIN IMMEDIATE`` transaction, so
two processes writing at once wait for each other instead of failing, and a write that
still meets a lock after the timeout is retried a few times. Nothing is registered with
the ``sqlite3`` module: values go through the one converter as JSON text.

>>> import tempfile, pathlib
>>> from accountcare.domain import Account
>>> from accountcare.ports.store import Batch
>>> path = pathlib.Path(tempfile.mkdtemp()) / "book.sqlite3"
>>> with SqliteStore(path) as store:
...     _ = store.write(Batch(accounts=[Account(id="acme", name="Acme")]))
...     store.account("acme").name
'Acme'
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from datetime import date, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from accountcare.adapters._rows import (
    HOLDINGS,
    Checked,
    check,
    check_references,
    check_retired,
    chunks,
    decode_all,
    encode_json,
    micros,
    outbox_row,
    table_rows,
    write_report,
)
from accountcare.adapters._schema import (
    LOSS_VERSION,
    TEAM_VERSION,
    connect,
    failure,
    insert_new,
    migrate,
    too_long,
    upsert,
)
from accountcare.adapters._unstorable import unstorable
from accountcare.domain.accounts import Account
from accountcare.domain.activity import (
    Complaint,
    Interaction,
    InteractionKind,
    Order,
    OrderTotal,
    order_totals,
)
from accountcare.domain.care import CareSchedule
from accountcare.domain.contacts import Channel, Contact
from accountcare.domain.outbox import OutboxEntry, OutboxStatus
from accountcare.domain.team import Company, Rep
from accountcare.domain.tiers import TierAssignment
from accountcare.domain.visits import VisitPlan
from accountcare.domain.warnings import LostAccountReview
from accountcare.ports.store import (
    Batch,
    StoreError,
    WriteReport,
    wanted_accounts,
    wanted_keys,
)

__all__ = ["SqliteStore", "default_path", "from_uri"]

T = TypeVar("T")

_WAITING = ("database is locked", "database table is locked", "database is busy")
_DRIVE = re.compile(r"/[A-Za-z]:(?:[/\\]|$)")
# A claimed or revived entry, stored with the values of its ``outbox_row``.
_UPDATE_ENTRY = """UPDATE outbox SET status = :status, next_attempt_us = :next_attempt_us,
    attempts = :attempts, payload = :payload WHERE key = :key"""


def default_path() -> Path:
    """Where the store lives when no path is given: the user's data directory.

    ``$XDG_DATA_HOME/accountcare/accountcare.sqlite3`` (``~/.local/share`` when unset) on
    Linux and BSD, ``~/Library/Application Support/accountcare`` on macOS and
    ``%LOCALAPPDATA%\\accountcare`` on Windows.

    >>> default_path().name
    'accountcare.sqlite3'
    """
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        xdg = os.environ.get("XDG_DATA_HOME", "")
        base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".local" / "share"
    return base / "accountcare" / "accountcare.sqlite3"


def from_uri(uri: str) -> tuple[Path, bool]:
    """The path in SQLite's ``file:PATH`` URI, and whether it asks for ``mode=ro``: how
    a command line names a store to open read-only
    ([`SqliteStore`][accountcare.adapters.sqlite.SqliteStore] with ``read_only=True``).

    >>> path, read_only = from_uri("file:book.sqlite3?mode=ro")
    >>> path.as_posix(), read_only
    ('book.sqlite3', True)
    >>> path, read_only = from_uri("file:///srv/books/east%20coast.sqlite3")
    >>> path.as_posix(), read_only
    ('/srv/books/east coast.sqlite3', False)
    >>> from_uri("file:book.sqlite3?cache=shared")
    Traceback (most recent call last):
    ...
    accountcare.ports.store.StoreError: 'file:book.sqlite3?cache=shared': the only option understood is mode, one of ro, rw or rwc

    On Windows, ``file:///C:/books/x.sqlite3`` names ``C:/books/x.sqlite3``.
    """  # noqa: E501
    from urllib.parse import parse_qs, unquote

    location, _, query = uri.removeprefix("file:").partition("?")
    if location.startswith("//"):  # file:///abs/path or file://localhost/abs/path
        host, _, rest = location[2:].partition("/")
        if host not in ("", "localhost"):
            raise StoreError(f"{uri!r} names the host {host!r}; give a local file")
        location = "/" + rest
    options = parse_qs(query, keep_blank_values=True)
    modes = options.pop("mode", ["rw"])
    if options or len(modes) != 1 or modes[0] not in ("ro", "rw", "rwc"):
        raise StoreError(f"{uri!r}: the only option understood is mode, one of ro, rw or rwc")
    location = unquote(location)
    if sys.platform == "win32" and _DRIVE.match(location):  # /C:/books -> C:/books
        location = location[1:]
    if not location:
        raise StoreError(f"{uri!r} names no file")
    return Path(location), modes[0] == "ro"


class SqliteStore:
    """A [`Store`][accountcare.ports.store.Store] in one SQLite file.

    ``path`` defaults to [`default_path`][accountcare.adapters.sqlite.default_path] (its directory
    is created). ``timeout`` is how long a write waits for another writer, in seconds; ``retries``
    how many times a write that still found the database locked is tried again. ``durable=False``
    trades the last commits on power loss (never on a crash of the process) for speed.

    ``read_only=True`` opens an existing file with SQLite's ``mode=ro`` and never writes
    to it: reads work, a write is a [`StoreError`][accountcare.ports.store.StoreError]. Opening
    writes nothing when the file's schema is current, so a file, or a folder, that cannot be written
    opens for reading in either mode; ``read_only`` is then True, from asking the operating system
    whether this process may write the file and its folder (a read-only mount included). A file of
    an older schema that differs in indexes only (version 1) is read as it is when it cannot be
    written; an older one needs opening once with write access. In a folder SQLite cannot create its
    WAL index in, a file without a pending write-ahead log is read as immutable, which assumes no
    other process writes it while it is open.

    Raises [`StoreError`][accountcare.ports.store.StoreError], one line saying what is wrong and
    that nothing was changed, when the path is a directory or a file that is not an SQLite database
    (left untouched), a damaged file, or one that cannot be opened;
    [`SchemaVersionError`][accountcare.ports.store.SchemaVersionError] when the file was written by
    a newer accountcare. Reads and writes that meet a damaged file, a full disk or a file they
    cannot write raise [`StoreError`][accountcare.ports.store.StoreError] too; a write that fails
    leaves the store exactly as it was.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "book.sqlite3"
    >>> SqliteStore(path).close()
    >>> with SqliteStore(path, read_only=True) as store:
    ...     store.accounts(), store.read_only
    ((), True)
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        timeout: float = 30.0,
        retries: int = 5,
        durable: bool = True,
        read_only: bool = False,
    ) -> None:
        self.path = Path(path) if path is not None else default_path()
        self._retries = retries
        self._lock = threading.RLock()
        self._db, self.read_only = connect(self.path, timeout, read_only=read_only)
        try:
            where, writable = str(self.path), not self.read_only
            upgrade = lambda: migrate(self._db, where, self._transaction, writable=writable)  # noqa: E731
            # A file of an older schema read as it is lacks the tables added since: none.
            version = self._retrying(upgrade, "nothing was changed")
            self._team, self._losses = version >= TEAM_VERSION, version >= LOSS_VERSION
            self._db.execute(f"PRAGMA synchronous = {'FULL' if durable else 'NORMAL'}")
        except sqlite3.Error as exc:
            self._db.close()
            raise failure(exc, self.path, "nothing was changed") from exc
        except BaseException:
            self._db.close()
            raise

    # -- plumbing ---------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
            db.execute("COMMIT")  # a commit that fails (a full disk) is rolled back too
        except BaseException:
            # SQLite has already rolled back after some errors (an I/O error, a full
            # disk); a failing ROLLBACK must not hide the error that caused it.
            if db.in_transaction:
                with suppress(sqlite3.Error):
                    db.execute("ROLLBACK")
            raise

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError(f"the store file {self.path} is open read-only; nothing was written")

    def _retrying(self, work: Callable[[], T], outcome: str = "nothing was written") -> T:
        """Run ``work`` (one transaction) again when the database stayed locked; any
        other SQLite error is a one-line [`StoreError`][accountcare.ports.store.StoreError] ending
        with ``outcome``."""
        with self._lock:
            for attempt in range(self._retries + 1):
                try:
                    return work()
                except sqlite3.Error as exc:
                    waiting = any(text in str(exc) for text in _WAITING)
                    if not waiting or attempt == self._retries:
                        raise failure(exc, self.path, outcome) from exc
                    time.sleep(0.05 * 2**attempt)
            raise AssertionError("unreachable")

    def _rows(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise failure(exc, self.path, "nothing was changed") from exc

    def _select(self, sql: str, params: tuple[Any, ...], kind: type[T]) -> tuple[T, ...]:
        rows = self._rows(sql, params)
        return decode_all([row[0] for row in rows], kind, str(self.path))

    def _one(self, sql: str, params: tuple[Any, ...], kind: type[T]) -> T | None:
        found = self._select(sql, params, kind)
        return found[0] if found else None

    # -- writes -----------------------------------------------------------------

    def write(self, batch: Batch) -> WriteReport:
        self._writable()
        checked = check(batch)
        rows = table_rows(checked, encode_json)
        queued = {m.key: outbox_row(OutboxEntry.queued(m), encode_json) for m in checked.outbox}
        # Every store keeps the same lengths (SQLite itself would keep any).
        overlong = too_long(rows, queued)
        if overlong is not None:
            raise overlong

        def work() -> WriteReport:
            with self._transaction() as db:
                check_references(checked, lambda ids: self._existing("accounts", "id", ids))
                for table, (columns, values) in rows.items():
                    if not values:
                        continue
                    # Inserting is twice as fast as upserting into a table with foreign
                    # keys; only when some keys were stored already is the upsert run.
                    added = db.executemany(insert_new(table, columns), values).rowcount
                    if added != len(values):
                        db.executemany(upsert(table, columns), values)
                report = self._enqueue(checked, queued)
                self._retire(checked.retired_accounts)
                return report

        try:
            return self._retrying(work)
        except UnicodeEncodeError as exc:
            # Text that is not valid Unicode (a lone surrogate) cannot be encoded as
            # UTF-8; the transaction was rolled back: name the record and the field.
            problem = unstorable(checked)
            if problem is None:
                raise StoreError(f"{self.path}: {exc}") from exc
            raise problem from exc

    def _retire(self, retired: tuple[str, ...]) -> None:
        """Delete the ``retired`` accounts, their tier assignments and loss reviews, or
        raise (inside the batch's transaction) for the first that still holds records."""
        if not retired:
            return
        held: dict[str, dict[str, int]] = {}
        for table, _ in HOLDINGS:
            counts = held.setdefault(table, {})
            for part in chunks(retired):
                marks = ", ".join("?" * len(part))
                sql = f"""SELECT account_id, COUNT(*) FROM {table}
                          WHERE account_id IN ({marks}) GROUP BY account_id"""
                counts.update(self._db.execute(sql, tuple(part)).fetchall())
        check_retired(retired, held)
        for part in chunks(retired):
            marks = ", ".join("?" * len(part))
            self._db.execute(f"DELETE FROM tier_assignments WHERE account_id IN ({marks})", part)
            self._db.execute(f"DELETE FROM loss_reviews WHERE account_id IN ({marks})", part)
            self._db.execute(f"DELETE FROM accounts WHERE id IN ({marks})", part)

    def _existing(self, table: str, column: str, values: Iterable[str]) -> set[str]:
        """Those of ``values`` stored in ``column`` of ``table``."""
        found: set[str] = set()
        for part in chunks(sorted(values)):
            marks = ", ".join("?" * len(part))
            sql = f"SELECT {column} FROM {table} WHERE {column} IN ({marks})"
            found.update(row[0] for row in self._db.execute(sql, tuple(part)))
        return found

    def _enqueue(self, checked: Checked, queued: dict[str, dict[str, Any]]) -> WriteReport:
        present = self._existing("outbox", "key", queued)
        new = [row for key, row in queued.items() if key not in present]
        if new:
            columns = tuple(new[0])
            marks = ", ".join(f":{c}" for c in columns)
            self._db.executemany(f"INSERT INTO outbox ({', '.join(columns)}) VALUES ({marks})", new)
        return write_report(checked, present)

    # -- reads ------------------------------------------------------------------

    def account(self, account_id: str) -> Account | None:
        return self._one("SELECT payload FROM accounts WHERE id = ?", (account_id,), Account)

    def accounts(self) -> tuple[Account, ...]:
        return self._select("SELECT payload FROM accounts ORDER BY id", (), Account)

    def accounts_by_owner(self, owner: str) -> tuple[Account, ...]:
        sql = "SELECT payload FROM accounts WHERE owner = ? ORDER BY id"
        return self._select(sql, (owner,), Account)

    def accounts_in_tier(
        self, policy: str, tier: str, as_of: date | None = None
    ) -> tuple[Account, ...]:
        limit = as_of.isoformat() if as_of is not None else "9999-12-31"
        sql = """
            SELECT a.payload FROM accounts a JOIN tier_assignments t ON t.account_id = a.id
            WHERE t.policy = ? AND t.tier = ? AND t.as_of = (
                SELECT MAX(l.as_of) FROM tier_assignments l
                WHERE l.policy = t.policy AND l.account_id = t.account_id AND l.as_of <= ?)
            ORDER BY a.id"""
        return self._select(sql, (policy, tier, limit), Account)

    def accounts_changed_since(self, instant: datetime) -> tuple[Account, ...]:
        sql = "SELECT payload FROM accounts WHERE updated_us >= ? ORDER BY id"
        return self._select(sql, (micros(instant),), Account)

    def contact(self, contact_id: str) -> Contact | None:
        return self._one("SELECT payload FROM contacts WHERE id = ?", (contact_id,), Contact)

    def contacts(self, account_id: str) -> tuple[Contact, ...]:
        sql = "SELECT payload FROM contacts WHERE account_id = ? ORDER BY id"
        return self._select(sql, (account_id,), Contact)

    def _of_accounts(
        self, table: str, order: str, account_ids: Iterable[str] | None, kind: type[T]
    ) -> tuple[T, ...]:
        """The rows of ``table`` of ``account_ids`` (all when None), in one query however
        many ids: they travel as one JSON array parameter."""
        wanted = wanted_accounts(account_ids)
        if wanted is None:
            return self._select(f"SELECT payload FROM {table} ORDER BY {order}", (), kind)
        sql = f"""SELECT payload FROM {table}
                  WHERE account_id IN (SELECT value FROM json_each(?)) ORDER BY {order}"""
        return self._select(sql, (json.dumps(sorted(wanted)),), kind)

    def contacts_of(self, account_ids: Iterable[str] | None = None) -> tuple[Contact, ...]:
        return self._of_accounts("contacts", "id", account_ids, Contact)

    def accounts_page(self, after: str | None, limit: int) -> tuple[Account, ...]:
        if after is None:
            sql = "SELECT payload FROM accounts ORDER BY id LIMIT ?"
            return self._select(sql, (max(0, limit),), Account)
        sql = "SELECT payload FROM accounts WHERE id > ? ORDER BY id LIMIT ?"
        return self._select(sql, (after, max(0, limit)), Account)

    def orders_of(self, account_ids: Iterable[str] | None = None) -> tuple[Order, ...]:
        return self._of_accounts("orders", "ordered_on, id", account_ids, Order)

    def order_totals(self, start: date, end: date) -> tuple[OrderTotal, ...]:
        # Summed here, not by SQLite: its SUM adds floats, and money is exact. The file
        # is local, so reading the window's orders costs no round trips.
        return order_totals(self.orders_between(start, end))

    def interactions_of(self, account_ids: Iterable[str] | None = None) -> tuple[Interaction, ...]:
        return self._of_accounts("interactions", "occurred_us, id", account_ids, Interaction)

    def last_interactions(self, kind: InteractionKind) -> tuple[Interaction, ...]:
        # A payload that is not JSON (a damaged row) is read too, and named when it
        # fails to decode: it might have been the latest.
        sql = """
            SELECT payload, account_id FROM (
                SELECT payload, account_id, ROW_NUMBER() OVER (
                    PARTITION BY account_id ORDER BY occurred_us DESC, id DESC) AS latest
                FROM interactions
                WHERE json_valid(payload) AND json_extract(payload, '$.kind') = ?)
            WHERE latest = 1
            UNION ALL SELECT payload, account_id FROM interactions WHERE NOT json_valid(payload)
            ORDER BY 2"""
        return self._select(sql, (kind.value,), Interaction)

    def complaints_of(self, account_ids: Iterable[str] | None = None) -> tuple[Complaint, ...]:
        return self._of_accounts("complaints", "opened_us, id", account_ids, Complaint)

    def orders(self, account_id: str) -> tuple[Order, ...]:
        sql = "SELECT payload FROM orders WHERE account_id = ? ORDER BY ordered_on, id"
        return self._select(sql, (account_id,), Order)

    def orders_between(self, start: date, end: date) -> tuple[Order, ...]:
        sql = """SELECT payload FROM orders WHERE ordered_on >= ? AND ordered_on < ?
                 ORDER BY ordered_on, id"""
        return self._select(sql, (start.isoformat(), end.isoformat()), Order)

    def interactions(self, account_id: str) -> tuple[Interaction, ...]:
        sql = "SELECT payload FROM interactions WHERE account_id = ? ORDER BY occurred_us, id"
        return self._select(sql, (account_id,), Interaction)

    def complaints(self, account_id: str) -> tuple[Complaint, ...]:
        sql = "SELECT payload FROM complaints WHERE account_id = ? ORDER BY opened_us, id"
        return self._select(sql, (account_id,), Complaint)

    def tier_assignments(self, policy: str, as_of: date) -> tuple[TierAssignment, ...]:
        sql = """SELECT payload FROM tier_assignments WHERE policy = ? AND as_of = ?
                 ORDER BY account_id"""
        return self._select(sql, (policy, as_of.isoformat()), TierAssignment)

    def visit_plan(self, name: str) -> VisitPlan | None:
        return self._one("SELECT payload FROM visit_plans WHERE name = ?", (name,), VisitPlan)

    def care_schedule(self, name: str) -> CareSchedule | None:
        sql = "SELECT payload FROM care_schedules WHERE name = ?"
        return self._one(sql, (name,), CareSchedule)

    def rep(self, rep_id: str) -> Rep | None:
        if not self._team:
            return None
        return self._one("SELECT payload FROM reps WHERE id = ?", (rep_id,), Rep)

    def reps(self) -> tuple[Rep, ...]:
        if not self._team:
            return ()
        return self._select("SELECT payload FROM reps ORDER BY id", (), Rep)

    def company(self) -> Company | None:
        if not self._team:
            return None
        return self._one("SELECT payload FROM company WHERE slot = 1", (), Company)

    def loss_reviews(self, account_id: str | None = None) -> tuple[LostAccountReview, ...]:
        if not self._losses:
            return ()
        if account_id is None:
            sql = "SELECT payload FROM loss_reviews ORDER BY account_id, found_on"
            return self._select(sql, (), LostAccountReview)
        sql = "SELECT payload FROM loss_reviews WHERE account_id = ? ORDER BY found_on"
        return self._select(sql, (account_id,), LostAccountReview)

    # -- outbox -----------------------------------------------------------------

    def outbox_entry(self, key: str) -> OutboxEntry | None:
        return self._one("SELECT payload FROM outbox WHERE key = ?", (key,), OutboxEntry)

    def outbox(self, status: OutboxStatus | None = None) -> tuple[OutboxEntry, ...]:
        if status is None:
            sql = "SELECT payload FROM outbox ORDER BY next_attempt_us, key"
            return self._select(sql, (), OutboxEntry)
        sql = "SELECT payload FROM outbox WHERE status = ? ORDER BY next_attempt_us, key"
        return self._select(sql, (status.value,), OutboxEntry)

    def queued_keys(self, keys: Iterable[str]) -> frozenset[str]:
        asked = sorted(wanted_keys(keys))
        if not asked:
            return frozenset()
        sql = "SELECT key FROM outbox WHERE key IN (SELECT value FROM json_each(?))"
        return frozenset(row[0] for row in self._rows(sql, (json.dumps(asked),)))

    def claim_outbox(
        self,
        now: datetime,
        limit: int,
        lease: timedelta,
        *,
        channels: frozenset[Channel] | None = None,
    ) -> tuple[OutboxEntry, ...]:
        wanted = sorted({Channel(c).value for c in (Channel if channels is None else channels)})
        size = max(0, limit)
        if not wanted or not size:
            return ()
        # Each status and channel read in the index's order, LIMIT rows each, and only
        # those merged: a claim costs the same however many entries wait.
        one = """SELECT * FROM (SELECT next_attempt_us, key, payload FROM outbox
                   WHERE status = ? AND channel = ? AND next_attempt_us <= ?
                   ORDER BY next_attempt_us, key LIMIT ?)"""
        pairs = [(s, c) for s in ("pending", "in_flight") for c in wanted]
        sql = f"""SELECT payload FROM ({" UNION ALL ".join([one] * len(pairs))})
                  ORDER BY next_attempt_us, key LIMIT ?"""
        due = micros(now)
        params = (*(p for s, c in pairs for p in (s, c, due, size)), size)

        def work() -> tuple[OutboxEntry, ...]:
            with self._transaction() as db:
                rows = db.execute(sql, params).fetchall()
                stored = decode_all([row[0] for row in rows], OutboxEntry, str(self.path))
                claimed = tuple(entry.claimed(now, lease) for entry in stored)
                db.executemany(_UPDATE_ENTRY, [outbox_row(e, encode_json) for e in claimed])
                return claimed

        return self._retrying(work)

    def retry_outbox(self, key: str, now: datetime) -> OutboxEntry | None:
        self._writable()

        def work() -> OutboxEntry | None:
            with self._transaction() as db:
                sql = "SELECT payload FROM outbox WHERE key = ? AND status = 'dead'"
                rows = db.execute(sql, (key,)).fetchall()
                if not rows:
                    return None
                (dead,) = decode_all([rows[0][0]], OutboxEntry, str(self.path))
                revived = dead.revived(now)
                db.execute(_UPDATE_ENTRY, outbox_row(revived, encode_json))
                return revived

        return self._retrying(work)

    def settle_outbox(self, entry: OutboxEntry) -> bool:
        row = outbox_row(entry, encode_json)

        def work() -> bool:
            with self._transaction() as db:
                cursor = db.execute(
                    """UPDATE outbox SET status = :status, next_attempt_us = :next_attempt_us,
                       payload = :payload
                       WHERE key = :key AND status = 'in_flight' AND attempts = :attempts""",
                    row,
                )
                return cursor.rowcount == 1

        try:
            return self._retrying(work)
        except UnicodeEncodeError as exc:  # a lone surrogate in an error text, say
            raise (unstorable(entry) or StoreError(f"{self.path}: {exc}")) from exc
