"""The SQLite store's file: opening it safely, its schema and forward migrations, and
the statements that write rows.

``MIGRATIONS[n]`` takes a database from version ``n`` to ``n + 1``; the version lives in
``PRAGMA user_version`` (0 for a new file). Migrations only move forward, and keep every
record: a database written by an older accountcare opens in a newer one, never the
other way round. A step may drop what it remakes (1 -> 2 drops the outbox's due index
and creates it with one more column, 3 -> 4 adds the outbox's channel and fills it from
each entry's payload, 4 -> 5 adds the table of loss reviews); every step runs in the one
``BEGIN IMMEDIATE`` transaction that also sets the new version, so it is applied whole
or not at all, and a second process waiting for the lock finds the file migrated and
does nothing.

Every table keeps the record whole in ``payload`` (JSON from the one converter) beside
the few columns the queries need; instants are microseconds since 1970 UTC, dates ISO
text, so both sort correctly. The statements are written out in full: a migration is
history, and never changes once released.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from operator import itemgetter
from pathlib import Path
from typing import Any

from accountcare.adapters._rows import KEYS, Rows, review_label
from accountcare.domain._validate import MAX_ID_LENGTH
from accountcare.ports.store import SchemaVersionError, StoreError, UnstorableRecord

__all__ = [
    "LIMITS",
    "LOSS_VERSION",
    "MIGRATIONS",
    "READS_AS_IS",
    "SCHEMA_VERSION",
    "TEAM_VERSION",
    "connect",
    "failure",
    "insert_new",
    "migrate",
    "too_long",
    "upsert",
]

log = logging.getLogger(__name__)

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE accounts (
            id TEXT PRIMARY KEY,
            owner TEXT,
            updated_us INTEGER,
            payload TEXT NOT NULL)""",
        "CREATE INDEX accounts_by_owner ON accounts (owner)",
        "CREATE INDEX accounts_by_update ON accounts (updated_us)",
        """CREATE TABLE contacts (
            id TEXT PRIMARY KEY,
            account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
            payload TEXT NOT NULL)""",
        "CREATE INDEX contacts_by_account ON contacts (account_id)",
        """CREATE TABLE orders (
            id TEXT PRIMARY KEY,
            account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
            ordered_on TEXT NOT NULL,
            payload TEXT NOT NULL)""",
        "CREATE INDEX orders_by_account ON orders (account_id, ordered_on)",
        "CREATE INDEX orders_by_date ON orders (ordered_on)",
        """CREATE TABLE interactions (
            id TEXT PRIMARY KEY,
            account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
            occurred_us INTEGER NOT NULL,
            payload TEXT NOT NULL)""",
        "CREATE INDEX interactions_by_account ON interactions (account_id, occurred_us)",
        """CREATE TABLE complaints (
            id TEXT PRIMARY KEY,
            account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
            opened_us INTEGER NOT NULL,
            payload TEXT NOT NULL)""",
        "CREATE INDEX complaints_by_account ON complaints (account_id, opened_us)",
        """CREATE TABLE tier_assignments (
            policy TEXT NOT NULL,
            as_of TEXT NOT NULL,
            account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
            tier TEXT NOT NULL,
            payload TEXT NOT NULL,
            PRIMARY KEY (policy, as_of, account_id))""",
        "CREATE INDEX tiers_by_account ON tier_assignments (policy, account_id, as_of)",
        "CREATE TABLE visit_plans (name TEXT PRIMARY KEY, payload TEXT NOT NULL)",
        "CREATE TABLE care_schedules (name TEXT PRIMARY KEY, payload TEXT NOT NULL)",
        """CREATE TABLE outbox (
            key TEXT PRIMARY KEY,
            status TEXT NOT NULL,
            next_attempt_us INTEGER NOT NULL,
            attempts INTEGER NOT NULL,
            payload TEXT NOT NULL)""",
        "CREATE INDEX outbox_due ON outbox (status, next_attempt_us)",
    ),
    # 1 -> 2: the dispatcher claims one entry at a time, in (next attempt, key) order; the
    # key in the index spares each claim a sort of every entry due at the same instant.
    # The index is dropped and made again, inside the migration's transaction.
    (
        "DROP INDEX outbox_due",
        "CREATE INDEX outbox_due ON outbox (status, next_attempt_us, key)",
    ),
    # 2 -> 3: the account team and your company. Reps by id; the company is the one row
    # of its table, in slot 1.
    (
        "CREATE TABLE reps (id TEXT PRIMARY KEY, payload TEXT NOT NULL)",
        """CREATE TABLE company (
            slot INTEGER PRIMARY KEY CHECK (slot = 1),
            payload TEXT NOT NULL)""",
    ),
    # 3 -> 4: a dispatcher claims only the channels its notifiers deliver. The channel
    # of each entry's message, from its payload, joins the due index before the instant,
    # so each channel's due entries are read in order. A payload that is not JSON (a
    # damaged row) gets no channel and is never claimed.
    (
        "ALTER TABLE outbox ADD COLUMN channel TEXT NOT NULL DEFAULT ''",
        """UPDATE outbox SET channel = coalesce(json_extract(payload, '$.message.channel'), '')
           WHERE json_valid(payload)""",
        "DROP INDEX outbox_due",
        "CREATE INDEX outbox_due ON outbox (status, channel, next_attempt_us, key)",
    ),
    # 4 -> 5: the root-cause records of lost accounts, one per account and day found,
    # deleted with their account.
    (
        """CREATE TABLE loss_reviews (
            account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
            found_on TEXT NOT NULL,
            payload TEXT NOT NULL,
            PRIMARY KEY (account_id, found_on))""",
    ),
)

SCHEMA_VERSION = len(MIGRATIONS)

#: The oldest schema version a store opened read-only reads as it is: every later
#: migration changes indexes, which the queries do not depend on (1 -> 2), adds tables
#: a file without them reads as empty (2 -> 3: no reps, no company; 4 -> 5: no loss
#: reviews), or adds a column only claiming reads, which a read-only store never does
#: (3 -> 4: the outbox channel).
READS_AS_IS = 1

#: The first schema version with the tables of reps and the company.
TEAM_VERSION = 3

#: The first schema version with the table of loss reviews.
LOSS_VERSION = 5

_HEADER = b"SQLite format 3\x00"
# Page cache per connection, in KiB (SQLite's default is 2 MiB). A batch of 100,000
# records dirties more pages than that; they are then spilled to the WAL in the middle of
# the transaction, which made bulk writes half again as slow. Pages are only allocated as
# they are used.
CACHE_KIB = 32 * 1024


# SQLite's primary result codes (the low byte of every extended code).
_PERM, _BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _AUTH, _NOTADB = (
    3, 5, 6, 8, 10, 11, 13, 14, 23, 26
)  # fmt: skip
# A connection that could not create the WAL index (the ``-shm`` file) beside the file.
_NO_INDEX = (_READONLY, _CANTOPEN)


def failure(error: sqlite3.Error, path: Path | str, outcome: str) -> StoreError:
    """The [`StoreError`][accountcare.ports.store.StoreError] for ``error``, met while using the
    store file at ``path``: one line saying what is wrong, then ``outcome`` (what was, or was not,
    changed).

    >>> import sqlite3
    >>> try:
    ...     sqlite3.connect(":memory:").execute("SELEC")
    ... except sqlite3.Error as error:
    ...     print(failure(error, "book.sqlite3", "nothing was written"))
    the store file book.sqlite3 could not be used (near "SELEC": syntax error); nothing was written
    """
    code = getattr(error, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    said = " ".join(str(error).split()) or type(error).__name__
    if primary in (_CORRUPT, _NOTADB):
        what = f"the store file {path} is damaged ({said}); restore it from a backup"
    elif primary == _READONLY:
        what = (
            f"the store file {path} cannot be written ({said}): it, or its folder, is "
            "read-only, or the store was opened read-only"
        )
    elif primary in (_CANTOPEN, _PERM, _AUTH):
        what = (
            f"cannot open the store file {path} ({said}): check that its folder exists "
            "and that you may read it (and write it, to change the store)"
        )
    elif primary == _FULL:
        what = f"the disk holding the store file {path} is full ({said})"
    elif primary == _IOERR:
        what = (
            f"the store file {path} could not be read or written ({said}): the disk may be "
            "full, failing, or over a file size limit"
        )
    elif primary in (_BUSY, _LOCKED):
        what = f"the store file {path} stayed locked by another process ({said})"
    else:
        what = f"the store file {path} could not be used ({said})"
    return StoreError(f"{what}; {outcome}")


def _log_is_empty(path: Path) -> bool:
    """Whether the file has no write-ahead log with content (all of it is in the file)."""
    try:
        return Path(f"{path}-wal").stat().st_size == 0
    except FileNotFoundError:
        return True


def connect(
    path: Path, timeout: float, *, read_only: bool = False
) -> tuple[sqlite3.Connection, bool]:
    """A connection to the SQLite file at ``path`` in autocommit mode with a busy
    timeout, foreign keys on and a large page cache, and whether it is read-only.

    The file is created (with its folder) if need be, unless ``read_only``: then it must
    exist and is opened with SQLite's ``mode=ro``. The flag returned is True too when
    this process may not write the file, or the folder SQLite keeps its write-ahead log
    in (asked of the operating system, which knows about read-only mounts). When SQLite
    cannot make the WAL index beside a file in such a folder, the file is opened with
    ``mode=ro`` if SQLite can read it so, else, when it has no pending write-ahead log,
    as immutable: SQLite then reads it without an index or locks, which assumes that no
    other process writes the file meanwhile (one that did could make reads wrong, or
    fail as "malformed"). A directory, a missing file opened read-only, or a file that
    is not an SQLite database is a [`StoreError`][accountcare.ports.store.StoreError] and is left
    untouched.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "book.sqlite3"
    >>> db, read_only = connect(path, 1.0)
    >>> read_only, path.exists()
    (False, True)
    >>> db.close()
    """
    if path.is_dir():
        raise StoreError(f"{path} is a directory; give the path of a database file")
    exists = path.exists()
    if exists and path.stat().st_size > 0:
        with path.open("rb") as handle:
            header = handle.read(len(_HEADER))
        if header != _HEADER:
            raise StoreError(
                f"{path} is not an SQLite database (its header is {header[:16]!r}); "
                "it was left untouched"
            )
    if read_only and not exists:
        raise StoreError(f"there is no store file at {path} (opened read-only, none was made)")
    if not exists:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the folder of {path}: {exc}") from exc
    uri = path.absolute().as_uri()
    try:
        db = _open(uri + "?mode=ro" if read_only else uri, timeout)
    except sqlite3.Error as exc:
        raise failure(exc, path, "nothing was changed") from exc
    try:
        db, read_only = _checked(db, path, uri, timeout, read_only)
    except BaseException:
        db.close()
        raise
    return db, read_only or not _writable(path)


def _writable(path: Path) -> bool:
    """Whether this process may write the file at ``path`` and what SQLite writes beside
    it: the folder, or else a write-ahead log and its index that are there already."""
    if not os.access(path, os.W_OK):
        return False
    if os.access(path.parent, os.W_OK):
        return True
    return all(os.access(f"{path}{suffix}", os.W_OK) for suffix in ("-wal", "-shm"))


def _open(uri: str, timeout: float) -> sqlite3.Connection:
    db = sqlite3.connect(
        uri, timeout=timeout, isolation_level=None, check_same_thread=False, uri=True
    )
    try:
        db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
    except BaseException:
        db.close()
        raise
    return db


def _configured(db: sqlite3.Connection, path: Path) -> sqlite3.Connection:
    # These read the schema, so they follow the first read.
    try:
        db.execute("PRAGMA foreign_keys = ON")
        db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    except sqlite3.Error as exc:
        raise failure(exc, path, "it was left untouched") from exc
    return db


def _checked(
    db: sqlite3.Connection, path: Path, uri: str, timeout: float, read_only: bool
) -> tuple[sqlite3.Connection, bool]:
    """``db`` after a first read; reopened read-only when its folder cannot be written."""
    try:
        db.execute("PRAGMA user_version").fetchone()
        return _configured(db, path), read_only
    except sqlite3.Error as exc:
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        if code not in _NO_INDEX or not _log_is_empty(path):
            raise failure(exc, path, "it was left untouched") from exc
        problem = exc
    db.close()
    # Read-only with locking first (it sees another process's writes); immutable only
    # where SQLite cannot read the file so, documented as assuming no concurrent writer.
    tries = [] if read_only else ["mode=ro"]
    for options in [*tries, "mode=ro&immutable=1"]:
        try:
            again = _open(f"{uri}?{options}", timeout)
        except sqlite3.Error as exc:
            problem = exc
            continue
        try:
            again.execute("PRAGMA user_version").fetchone()
            return _configured(again, path), True
        except sqlite3.Error as exc:
            again.close()
            problem = exc
        except BaseException:
            again.close()
            raise
    raise failure(problem, path, "it was left untouched")


def _version(db: sqlite3.Connection, where: str) -> int:
    try:
        row = db.execute("PRAGMA user_version").fetchone()
    except sqlite3.Error as exc:
        raise failure(exc, where, "it was left untouched") from exc
    return int(row[0])


def migrate(
    db: sqlite3.Connection,
    where: str,
    transaction: Callable[[], AbstractContextManager[Any]],
    *,
    writable: bool = True,
) -> int:
    """Bring the file to `SCHEMA_VERSION` in one ``transaction`` (two processes
    opening a new file at once both succeed), and return the version it then has; a
    newer file is a [`SchemaVersionError`][accountcare.ports.store.SchemaVersionError]. A file of
    the current version is only read, so a store that cannot be written opens for reading; so does
    one that is not ``writable`` and of a version from `READS_AS_IS` on (its version is returned: a
    file older than `TEAM_VERSION` has no reps and no company, one older than `LOSS_VERSION` no loss
    reviews); an older one that is not ``writable`` is a
    [`StoreError`][accountcare.ports.store.StoreError] saying to open it once with write access. An
    upgrade is logged at INFO on ``accountcare.adapters._schema``, before and after, naming the file
    (``where``) and the versions."""
    found = _version(db, where)
    if found > SCHEMA_VERSION:
        raise SchemaVersionError(where, found, SCHEMA_VERSION)
    if found == SCHEMA_VERSION or (not writable and found >= READS_AS_IS):
        return found
    if not writable:
        raise StoreError(
            f"{where} has schema version {found} and needs upgrading to {SCHEMA_VERSION}, "
            "which a read-only store cannot do: open it once with write access "
            "(nothing was changed)"
        )
    db.execute("PRAGMA journal_mode = WAL")
    with transaction():
        found = _version(db, where)  # another process may have migrated meanwhile
        if found > SCHEMA_VERSION:
            raise SchemaVersionError(where, found, SCHEMA_VERSION)
        if found == 0:
            log.info("creating schema %d in %s", SCHEMA_VERSION, where)
        else:
            log.info("upgrading %s from schema %d to %d", where, found, SCHEMA_VERSION)
        for version in range(found, SCHEMA_VERSION):
            for statement in MIGRATIONS[version]:
                db.execute(statement)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    if found == 0:
        log.info("created %s with schema %d", where, SCHEMA_VERSION)
    else:
        log.info("upgraded %s to schema %d", where, SCHEMA_VERSION)
    return SCHEMA_VERSION


#: The longest text each key column keeps, in characters: the sizes of the SQL servers'
#: ``VARCHAR`` columns, which every store applies so a book moves between them whole.
LIMITS: Mapping[str, int] = {
    "id": MAX_ID_LENGTH,
    "account_id": MAX_ID_LENGTH,
    "owner": MAX_ID_LENGTH,
    "name": MAX_ID_LENGTH,
    "policy": 120,
    "tier": 120,
    "key": 512,
}

_NULLABLE = frozenset({"owner"})
_KINDS = {
    "accounts": "Account",
    "contacts": "Contact",
    "orders": "Order",
    "interactions": "Interaction",
    "complaints": "Complaint",
    "visit_plans": "VisitPlan",
    "care_schedules": "CareSchedule",
    "reps": "Rep",
    "company": "Company",
}


def _label(table: str, row: tuple[Any, ...]) -> str:
    if table == "tier_assignments":
        policy, as_of, account_id = row[:3]
        return f"TierAssignment {policy!r}/{as_of}/{account_id!r}"
    if table == "loss_reviews":
        return review_label(*row[:2])
    return f"{_KINDS[table]} {row[0]!r}"


def too_long(rows: Mapping[str, Rows], outbox_keys: Iterable[str] = ()) -> UnstorableRecord | None:
    """An [`UnstorableRecord`][accountcare.ports.store.UnstorableRecord] naming the first record (of
    ``rows``, from ``table_rows``) whose key text is longer than its column keeps (`LIMITS`), or
    None. Each column is measured at C speed; rows are only walked to name the record.

    >>> rows = {"accounts": (("id", "owner", "updated_us", "payload"), [("a" * 256, None, 0, "")])}
    >>> print(too_long(rows))  # doctest: +ELLIPSIS
    Account 'aaa...a': field 'id' has 256 characters; a store keeps at most 255, so nothing ...
    >>> too_long({"accounts": (("id",), [("acme",)])}) is None
    True
    """
    for table, (columns, values) in rows.items():
        if not values:
            continue
        for index, column in enumerate(columns):
            limit = LIMITS.get(column)
            if limit is None:
                continue
            texts: Iterable[Any] = map(itemgetter(index), values)
            if column in _NULLABLE:
                texts = filter(None, texts)
            if max(map(len, texts), default=0) <= limit:
                continue
            for row in values:
                text = row[index]
                if text and len(text) > limit:
                    return _too_long(_label(table, row), column, len(text), limit)
    keys = tuple(outbox_keys)
    if keys and max(map(len, keys)) > LIMITS["key"]:
        key = next(k for k in keys if len(k) > LIMITS["key"])
        return _too_long(f"Message {key!r}", "key", len(key), LIMITS["key"])
    return None


def _too_long(label: str, field: str, length: int, limit: int) -> UnstorableRecord:
    return UnstorableRecord(
        label,
        field,
        f"has {length} characters; a store keeps at most {limit}, "
        "so nothing of the batch was written",
    )


def insert_new(table: str, columns: tuple[str, ...]) -> str:
    """An insert of the rows whose key is not stored yet, with positional parameters in
    the order of ``columns``."""
    marks = ", ".join("?" * len(columns))
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) ON CONFLICT DO NOTHING"


def upsert(table: str, columns: tuple[str, ...]) -> str:
    """An upsert with positional parameters in the order of ``columns``; a stored row
    with the same payload is left alone (every other column derives from the payload)."""
    keys = KEYS[table]
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in keys)
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates} "
        f"WHERE {table}.payload IS NOT excluded.payload"
    )
