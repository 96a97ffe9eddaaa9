"""The SQLite store's file: opening it safely, its schema and forward migrations, and
the statements that write rows.

``MIGRATIONS[n]`` takes a database from version ``n`` to ``n + 1``; the version lives in
``PRAGMA user_version`` (0 for a new file). Migrations only ever add: a database written
by an older accountcare opens in a newer one, never the other way round.

Every table keeps the record whole in ``payload`` (JSON from the one converter) beside
the few columns the queries need; instants are microseconds since 1970 UTC, dates ISO
text, so both sort correctly. The statements are written out in full: a migration is
history, and never changes once released.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from accountcare.adapters._rows import KEYS
from accountcare.ports.store import SchemaVersionError, StoreError

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "connect", "insert_new", "migrate", "upsert"]

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
)

SCHEMA_VERSION = len(MIGRATIONS)

_HEADER = b"SQLite format 3\x00"
# Page cache per connection, in KiB (SQLite's default is 2 MiB). A batch of 100,000
# records dirties more pages than that; they are then spilled to the WAL in the middle of
# the transaction, which made bulk writes half again as slow. Pages are only allocated as
# they are used.
CACHE_KIB = 32 * 1024


def connect(path: Path, timeout: float) -> sqlite3.Connection:
    """A connection to the SQLite file at ``path`` (created with its folder if need be),
    in autocommit mode with a busy timeout, foreign keys on and a large page cache.

    A directory, or a file that is not an SQLite database, is a :class:`StoreError`
    and is left untouched.
    """
    if path.is_dir():
        raise StoreError(f"{path} is a directory; give the path of a database file")
    if path.exists() and path.stat().st_size > 0:
        with path.open("rb") as handle:
            header = handle.read(len(_HEADER))
        if header != _HEADER:
            raise StoreError(
                f"{path} is not an SQLite database (its header is {header[:16]!r}); "
                "it was left untouched"
            )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the folder of {path}: {exc}") from exc
    try:
        db = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open {path} as an SQLite database: {exc}") from exc
    try:
        for pragma in (f"busy_timeout = {int(timeout * 1000)}", "foreign_keys = ON"):
            db.execute(f"PRAGMA {pragma}")
        db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    except BaseException:
        db.close()
        raise
    return db


def _version(db: sqlite3.Connection, where: str) -> int:
    try:
        row = db.execute("PRAGMA user_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{where} is not a usable SQLite database: {exc}") from exc
    return int(row[0])


def migrate(
    db: sqlite3.Connection, where: str, transaction: Callable[[], AbstractContextManager[Any]]
) -> None:
    """Bring the file to :data:`SCHEMA_VERSION` in one ``transaction`` (two processes
    opening a new file at once both succeed); a newer file is a
    :class:`SchemaVersionError`."""
    found = _version(db, where)
    if found > SCHEMA_VERSION:
        raise SchemaVersionError(where, found, SCHEMA_VERSION)
    if found == SCHEMA_VERSION:
        return
    db.execute("PRAGMA journal_mode = WAL")
    with transaction():
        found = _version(db, where)  # another process may have migrated meanwhile
        if found > SCHEMA_VERSION:
            raise SchemaVersionError(where, found, SCHEMA_VERSION)
        for version in range(found, SCHEMA_VERSION):
            for statement in MIGRATIONS[version]:
                db.execute(statement)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


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
