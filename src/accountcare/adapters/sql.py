"""The SQL server store: PostgreSQL (psycopg 3) and MariaDB/MySQL (PyMySQL) through
SQLAlchemy 2 Core (extras ``sql``, ``postgres``, ``mariadb``).

Each table keeps the record as JSON (``JSONB`` on PostgreSQL) beside real, indexed
columns a host can query and join (names, owners, stages, dates, amounts, statuses:
[`sql_schema`][accountcare.adapters.sql_schema] declares them). Upserts use each
dialect's insert-on-conflict; claiming outbox entries uses ``FOR UPDATE SKIP LOCKED``
so several dispatchers can share one outbox. Table names carry a prefix, so several
books (or test runs) can share one database.

The bulk reads of the read side send a fixed number of statements whatever the size
of the book: per-account order totals are summed by the database (exact ``NUMERIC``),
each account's latest interaction of a kind is picked by it, and a list of ids travels
to PostgreSQL as one array parameter (elsewhere, one ``IN`` list per 5,000 ids).

On MariaDB/MySQL every connection the store uses runs in a strict ``sql_mode``
(`STRICT_MODES` added to the session's own), also the connections of an engine
the host passes in: the server then refuses a value that does not fit its column
instead of cutting it short. Errors are one-line
[`StoreError`][accountcare.ports.store.StoreError] s that never repeat SQL parameters (the values
of the records written).

>>> store = SqlStore("postgresql+psycopg://postgres@127.0.0.1/test")  # doctest: +SKIP
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from contextlib import suppress
from datetime import date, datetime, timedelta
from decimal import Decimal
from operator import attrgetter
from typing import Any, TypeVar

from accountcare._imports import require
from accountcare.adapters._rows import (
    HOLDINGS,
    HOST_COLUMNS,
    HOST_KINDS,
    KEYS,
    as_dicts,
    check,
    check_references,
    check_retired,
    chunks,
    decode_all,
    encode,
    host_values,
    micros,
    outbox_row,
    table_rows,
    with_host_columns,
    write_report,
)
from accountcare.adapters._schema import too_long
from accountcare.adapters._unstorable import unstorable
from accountcare.adapters.sql_schema import MARIADB_COLLATION, MYSQL_COLLATION, metadata
from accountcare.domain.accounts import Account
from accountcare.domain.activity import (
    Complaint,
    Interaction,
    InteractionKind,
    Order,
    OrderTotal,
    order_totals,
    summed,
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
    SchemaVersionError,
    StoreError,
    WriteReport,
    wanted_accounts,
    wanted_keys,
)

__all__ = ["SCHEMA_VERSION", "STRICT_MODES", "SqlStore"]

T = TypeVar("T")

SCHEMA_VERSION = 6
_log = logging.getLogger(__name__)
# Rows read and updated at a time when an upgrade fills the columns a version adds.
_FILL_CHUNK = 1000
# How many values one ``IN (...)`` list carries, where a list of values cannot travel as
# one parameter (every database but PostgreSQL): a bulk read of more ids than this
# sends one statement per this many.
_IN_CHUNK = 5000

#: The ``sql_mode`` flags every MariaDB/MySQL connection of a store runs with, added to
#: the session's own: refuse (never truncate or zero) a value that does not fit.
STRICT_MODES = (
    "STRICT_ALL_TABLES",
    "NO_ZERO_IN_DATE",
    "NO_ZERO_DATE",
    "ERROR_FOR_DIVISION_BY_ZERO",
    "NO_ENGINE_SUBSTITUTION",
)
_STRICT_SQL = "SET SESSION sql_mode = CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), {})".format(
    ", ".join(f"'{mode}'" for mode in STRICT_MODES)
)
_STRICT_KEY = "accountcare.strict_sql_mode"
_SERVERS = {"postgresql": "PostgreSQL", "mysql": "MySQL", "mariadb": "MariaDB", "sqlite": "SQLite"}
_SUPPORTED = "postgresql+psycopg://, mysql+pymysql:// or mariadb+pymysql://"
# How to install each driver SQLAlchemy knows for the supported databases.
_INSTALL = {
    "psycopg": "pip install 'accountcare[postgres]'",
    "psycopg2": "pip install psycopg2-binary (or use postgresql+psycopg:// with "
    "pip install 'accountcare[postgres]')",
    "pg8000": "pip install pg8000",
    "pymysql": "pip install 'accountcare[mariadb]'",
    "mysqldb": "pip install mysqlclient (or use mysql+pymysql:// with "
    "pip install 'accountcare[mariadb]')",
    "mariadbconnector": "pip install mariadb",
    "mysqlconnector": "pip install mysql-connector-python",
}
_ASYNC = frozenset({"asyncpg", "psycopg_async", "aiomysql", "asyncmy", "aiosqlite"})
# The order of each table's reads, sorted in Python: server collations do not sort like str.
_ORDER: dict[str, Callable[[Any], Any]] = {
    "accounts": attrgetter("id"),
    "contacts": attrgetter("id"),
    "orders": attrgetter("ordered_on", "id"),
    "interactions": attrgetter("occurred_us", "id"),
    "complaints": attrgetter("opened_us", "id"),
    "tier_assignments": attrgetter("account_id"),
    "reps": attrgetter("id"),
    "loss_reviews": attrgetter("account_id", "found_on"),
    "outbox": attrgetter("next_attempt_us", "key"),
}


def _strict_session(dbapi_connection: Any, record: Any) -> None:
    """On each new MariaDB/MySQL connection: add `STRICT_MODES` to its session."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(_STRICT_SQL)
    finally:
        cursor.close()
    record.info[_STRICT_KEY] = True


def _unsupported(scheme: str) -> StoreError:
    return StoreError(
        f"the database URL scheme {scheme}:// is not supported; SqlStore takes "
        f"{_SUPPORTED} URLs (and SqliteStore a file path)"
    )


def _engine(sa: Any, url: str) -> Any:
    """An engine for ``url``, or a one-line [`StoreError`][accountcare.ports.store.StoreError]
    naming its scheme and, for a driver that is not installed, the ``pip install`` that fixes it."""
    scheme = url.partition("://")[0] if "://" in url else url[:20]
    # Each error is raised outside the handler of the driver's: neither __cause__ nor
    # __context__ holds it (the URL's password, a statement's parameters).
    parsed = None
    with suppress(sa.exc.ArgumentError):
        parsed = sa.engine.make_url(url)
    if parsed is None:
        raise StoreError(f"{scheme!r} is not a database URL; SqlStore takes {_SUPPORTED} URLs")
    name = parsed.drivername
    backend, _, driver = name.partition("+")
    if backend not in _SERVERS:
        raise _unsupported(name)
    try:
        driver = driver or parsed.get_dialect().driver  # the dialect's default driver
    except sa.exc.NoSuchModuleError:
        driver = "?"
    if driver in _ASYNC:
        raise StoreError(
            f"the database URL scheme {name}:// names the asyncio driver {driver!r}, and "
            f"SqlStore needs a synchronous one; use {_SUPPORTED}"
        )
    problem: str
    try:
        return sa.create_engine(parsed)
    except ImportError as exc:
        install = _INSTALL.get(driver, f"pip install the {driver!r} driver")
        problem = (
            f"the database URL scheme {name}:// needs the {driver!r} driver, which is not "
            f"installed ({exc.name or exc}); install it with: {install}"
        )
    except sa.exc.NoSuchModuleError:
        problem = (
            f"the database URL scheme {name}:// names a driver ({driver!r}) that SQLAlchemy "
            f"does not know; use {_SUPPORTED}"
        )
    except (sa.exc.ArgumentError, TypeError, ValueError) as exc:
        problem = (
            f"the {name}:// database URL has options the driver refuses "
            f"({type(exc).__name__}); check the part after '?'"
        )
    raise StoreError(problem)


def _refusal(error: Any) -> str:
    """What a database said, by error class and code only: a driver's message may
    repeat the values written (``Duplicate entry 'acme'``, ``Key (id)=(acme)``)."""
    original = getattr(error, "orig", None) or error
    code = getattr(original, "sqlstate", None)  # psycopg
    args = getattr(original, "args", ())
    if code is None and args and isinstance(args[0], int):  # PyMySQL
        code = args[0]
    name = type(original).__name__
    return f"{name}, error {code}" if code is not None else name


def _tables(sa: Any, prefix: str) -> Any:
    """The schema as SQLAlchemy ``Table`` s, in a fresh ``MetaData``: see
    [`metadata`][accountcare.adapters.sql_schema.metadata]."""
    return metadata(prefix)


class SqlStore:
    """A [`Store`][accountcare.ports.store.Store] on PostgreSQL or MariaDB/MySQL.

    ``url`` is an SQLAlchemy URL (``postgresql+psycopg://user@host/db``,
    ``mysql+pymysql://root@host/db``) or an ``Engine`` the host already has. Tables are
    named ``{prefix}accounts`` and so on, and created on first use; ``drop()`` removes
    them. On MariaDB/MySQL the store adds `STRICT_MODES` to the session
    ``sql_mode`` of every connection it uses, a host's engine's included. A
    ``sqlite:///book.db`` URL works too: each write then holds the file's write lock.

    Tables an older version made are upgraded when the store opens them, all or nothing
    on PostgreSQL and SQLite; MariaDB/MySQL commit each DDL statement by itself, so an
    upgrade cut short there is completed by the next open.

    An unknown URL scheme, an asyncio driver, or a driver that is not installed is a
    one-line [`StoreError`][accountcare.ports.store.StoreError] naming the scheme (and the ``pip
    install`` that fixes it); so is an unreachable server.

    >>> SqlStore("foo://bar")
    Traceback (most recent call last):
    ...
    accountcare.ports.store.StoreError: the database URL scheme foo:// is not supported; ...
    """

    def __init__(self, url: Any, *, prefix: str = "accountcare_") -> None:
        scheme = url.partition("://")[0] if isinstance(url, str) and "://" in url else ""
        if scheme and scheme.partition("+")[0].lower() not in _SERVERS:
            raise _unsupported(scheme)  # before asking for SQLAlchemy, which cannot help
        sa = require("sqlalchemy", "sql")
        self._sa = sa
        self.engine = _engine(sa, url) if isinstance(url, str) else url
        self._dialect = self.engine.dialect.name
        if self._dialect not in _SERVERS:
            raise StoreError(
                f"SqlStore supports PostgreSQL and MariaDB/MySQL, not {self._dialect!r}"
            )
        self._server = _SERVERS[self._dialect]
        self._strict = self._dialect in ("mysql", "mariadb")
        if self._strict and not sa.event.contains(self.engine, "connect", _strict_session):
            sa.event.listen(self.engine, "connect", _strict_session)
        self._prefix = prefix
        self._declare(MARIADB_COLLATION)  # MySQL's once the first connection tells
        problem: str
        try:
            self._migrate()
            return
        except TypeError as exc:
            if not isinstance(url, str) or "unexpected keyword" not in str(exc):
                raise
            problem = f"the {self._dialect} driver refused an option of the database URL ({exc})"
        except sa.exc.OperationalError as exc:
            said = " ".join(str(getattr(exc, "orig", None) or _refusal(exc)).split())
            problem = f"cannot reach the database at {self.engine.url}: {said}"
        except sa.exc.DBAPIError as exc:
            problem = (
                f"cannot create or read the tables {prefix}* at {self.engine.url} "
                f"({_refusal(exc)}); nothing was changed"
            )
        # Outside the handler: the driver's error (with the statement's parameters) is
        # neither the cause nor the context of the one raised.
        raise StoreError(problem)

    def _declare(self, collation: str) -> None:
        """Build this store's tables, with ``collation`` on MariaDB/MySQL."""
        self._collation = collation
        self._meta = metadata(self._prefix, mysql_collation=collation)
        self._t = {name[len(self._prefix) :]: t for name, t in self._meta.tables.items()}

    @property
    def metadata(self) -> Any:
        """This store's tables, as
        [`metadata`][accountcare.adapters.sql_schema.metadata] declares them for its
        prefix (a ``sqlalchemy.MetaData``): for a host's joins, reports and Alembic
        ``target_metadata``; the store creates and upgrades them itself.

        >>> store = SqlStore("sqlite://", prefix="crm_")
        >>> "crm_orders" in store.metadata.tables
        True
        """
        return self._meta

    def _migrate(self) -> None:
        sa = self._sa
        url = self.engine.url.render_as_string(hide_password=True)
        where = f"{url} (tables {self._prefix}*)"
        with self.engine.begin() as db:
            self._session(db)
            self._begin(db)
            # A mysql:// URL may reach MariaDB or MySQL: the dialect knows once connected.
            if self._strict and not getattr(db.dialect, "is_mariadb", False):
                self._declare(MYSQL_COLLATION)
            self._creating(db).create_all(db)
            if self._dialect == "postgresql":
                self._index_code_points(db)
            schema = self._t["schema"]
            version = db.execute(sa.select(sa.func.max(schema.c.version))).scalar()
            if version is None:
                db.execute(schema.insert().values(version=SCHEMA_VERSION))
            elif version > SCHEMA_VERSION:
                raise SchemaVersionError(where, version, SCHEMA_VERSION)
            elif version < SCHEMA_VERSION:
                _log.info(
                    "upgrading tables %s* at %s from schema %d to %d",
                    self._prefix, url, version, SCHEMA_VERSION,
                )  # fmt: skip
                self._upgrade(db, version)
                db.execute(schema.update().values(version=SCHEMA_VERSION))
                _log.info("upgraded tables %s* to schema %d", self._prefix, SCHEMA_VERSION)

    def _index_code_points(self, db: Any) -> None:
        """On PostgreSQL, the index that pages accounts in Python's order of ids
        ([`accounts_page`][accountcare.adapters.sql.SqlStore.accounts_page] sorts by
        ``id COLLATE "C"``, which the primary key's index, in the database's collation,
        cannot serve). Made when missing, by the first open that finds it missing."""
        sa, quote = self._sa, self.engine.dialect.identifier_preparer.quote
        table, index = self._t["accounts"].name, f"{self._prefix}accounts_by_code_point"
        find = "SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() AND indexname = :i"
        if db.execute(sa.text(find), {"i": index}).first() is not None:
            return
        # Two processes making it at once would both write the catalogue and one fail:
        # a lock that conflicts with itself (and not with reads) puts them in a row.
        db.execute(sa.text(f"LOCK TABLE {quote(table)} IN SHARE ROW EXCLUSIVE MODE"))
        create = f'CREATE INDEX IF NOT EXISTS {quote(index)} ON {quote(table)} (id COLLATE "C")'
        db.execute(sa.text(create))

    def _creating(self, db: Any) -> Any:
        """The tables to make those missing from: the store's, but on MariaDB/MySQL in
        the collation of the stored accounts table while an upgrade has yet to convert
        it (the foreign key of a new table must match the column it references; the
        upgrade then converts the new table with the others)."""
        if not self._strict:
            return self._meta
        sa = self._sa
        found = db.execute(
            sa.text(
                "SELECT TABLE_COLLATION FROM information_schema.TABLES "
                "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = :name"
            ),
            {"name": self._t["accounts"].name},
        ).scalar()
        if found is None or found == self._collation:
            return self._meta
        return metadata(self._prefix, mysql_collation=str(found))

    def _begin(self, db: Any) -> None:
        """On SQLite, open the transaction of ``db`` now, taking the write lock: pysqlite
        opens one only before an INSERT, UPDATE or DELETE, and would commit DDL (and
        what a SELECT read) on its own. A second writer waits for the first."""
        raw = db.connection.driver_connection if self._dialect == "sqlite" else None
        if raw is not None and not raw.in_transaction:
            db.exec_driver_sql("BEGIN IMMEDIATE")

    def _upgrade(self, db: Any, version: int) -> None:
        """Bring tables of schema ``version`` to ``SCHEMA_VERSION``, in the transaction
        that reads the version and writes the new one: on PostgreSQL and SQLite the
        upgrade is all or nothing. Each step looks at what is there before it changes
        anything, so running it again is harmless, as is a second process upgrading the
        same tables at once (MariaDB commits each DDL statement by itself, so a half-done
        upgrade is visible to the other, and the next open completes it). The tables
        a version adds (2 -> 3: reps and the company, 4 -> 5: the loss reviews) were made
        by ``create_all``, which makes any that are missing; a column it adds (3 -> 4:
        the outbox's channel; 5 -> 6: the columns a host queries) is added here."""
        outbox = self._t["outbox"]
        if version < 4:  # 3 -> 4: the channel of each entry's message, from its payload
            if self._dialect == "sqlite":
                self._remake_outbox(db, outbox)
            else:
                self._add_channel(db, outbox)
            # 1 -> 2 and 3 -> 4: the key, then the channel, join the outbox's due index
            # (dropped, remade as declared).
            (due,) = (i for i in outbox.indexes if i.name == f"{self._prefix}outbox_due")
            self._remake_index(db, due)
        if version < 6:  # 5 -> 6: MariaDB/MySQL's NO PAD collation; the host's columns
            if self._strict:
                self._convert_collation(db)
            for name in HOST_COLUMNS:
                self._add_host_columns(db, self._t[name])
            for name in HOST_COLUMNS:
                self._fill_host_columns(db, name)
            for name in HOST_COLUMNS:  # each index as declared (most are there already)
                for index in sorted(self._t[name].indexes, key=lambda i: str(i.name)):
                    self._remake_index(db, index)

    def _convert_collation(self, db: Any) -> None:
        """Convert every table (and its text columns) that is not in the store's NO PAD
        collation to it, on MariaDB/MySQL. The server refuses to change a column a
        foreign key uses, so the keys that reference the accounts are dropped first and
        made again after, as the schema declares them. Each DDL statement commits by
        itself: every part looks first, so an upgrade cut short at any statement is
        completed by the next, and one of another process meanwhile is fine."""
        pending = self._unconverted(db)
        if pending:
            _log.info(
                "converting tables %s to the collation %s",
                ", ".join(sorted(pending)), self._collation,
            )  # fmt: skip
        referring = [t for t in self._meta.sorted_tables if self._account_keys(t)]
        touched = {self._t["accounts"].name, *(t.name for t in referring)}
        if touched & pending.keys():
            for table in referring:
                self._drop_account_keys(db, table)
        for name, columns in sorted(pending.items()):
            self._convert_table(db, self._meta.tables[name], columns)
        for table in referring:
            self._add_account_keys(db, table)

    def _unconverted(self, db: Any) -> dict[str, list[str]]:
        """Each table not wholly in the store's collation, with its text columns (the
        JSON ``payload`` aside) that are not in it: read from ``information_schema``."""
        sa = self._sa
        names = sorted(self._meta.tables)
        found_tables = sa.text(
            "SELECT TABLE_NAME, TABLE_COLLATION FROM information_schema.TABLES "
            "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN :names"
        ).bindparams(sa.bindparam("names", expanding=True))
        found_columns = sa.text(
            "SELECT TABLE_NAME, COLUMN_NAME, COLLATION_NAME FROM information_schema.COLUMNS "
            "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN :names "
            "AND COLLATION_NAME IS NOT NULL"
        ).bindparams(sa.bindparam("names", expanding=True))
        pending: dict[str, list[str]] = {}
        for name, collation in db.execute(found_tables, {"names": names}):
            if collation != self._collation:
                pending.setdefault(str(name), [])
        for name, column, collation in db.execute(found_columns, {"names": names}):
            declared = self._meta.tables[str(name)].c.get(str(column))
            if declared is None or isinstance(declared.type, sa.JSON):
                continue  # a JSON column keeps the collation the server gives it
            if collation != self._collation:
                pending.setdefault(str(name), []).append(str(column))
        return pending

    def _convert_table(self, db: Any, table: Any, columns: list[str]) -> None:
        """Give ``table`` the store's collation by default and to each of ``columns``,
        each declared as the schema declares it, in one statement."""
        sa, dialect = self._sa, self.engine.dialect
        quote = dialect.identifier_preparer.quote
        parts = [f"DEFAULT CHARACTER SET utf8mb4 COLLATE {self._collation}"]
        for column in columns:
            spec = sa.schema.CreateColumn(table.c[column]).compile(dialect=dialect)
            parts.append(f"MODIFY {spec}")
        try:
            db.execute(sa.text(f"ALTER TABLE {quote(table.name)} {', '.join(parts)}"))
        except sa.exc.DBAPIError:
            # Another process converted it meanwhile (and has made the keys again).
            if table.name in self._unconverted(db):
                raise
        _log.info("converted table %s to the collation %s", table.name, self._collation)

    def _account_keys(self, table: Any) -> list[Any]:
        """The foreign keys of ``table`` the schema declares to the accounts."""
        accounts = self._t["accounts"]
        return sorted(
            (k for k in table.foreign_key_constraints if k.referred_table is accounts),
            key=lambda k: list(k.column_keys),
        )

    def _stored_keys(self, db: Any, table: Any) -> list[dict[str, Any]]:
        """The foreign keys of the stored ``table`` that reference the accounts."""
        accounts = self._t["accounts"].name
        keys = self._sa.inspect(db).get_foreign_keys(table.name)
        return [k for k in keys if k["referred_table"] == accounts]

    def _drop_account_keys(self, db: Any, table: Any, keep: int = 0) -> None:
        """Drop the foreign keys of ``table`` that reference the accounts, all but the
        first ``keep`` of them (by the number the server named each with)."""
        sa, quote = self._sa, self.engine.dialect.identifier_preparer.quote

        def names() -> list[str]:
            found = [str(k["name"]) for k in self._stored_keys(db, table)]
            return sorted(found, key=lambda name: (len(name), name))

        for name in names()[keep:]:
            try:
                db.execute(
                    sa.text(f"ALTER TABLE {quote(table.name)} DROP FOREIGN KEY {quote(name)}")
                )
            except sa.exc.DBAPIError:
                # Another process dropped it between the look and the statement: fine.
                if name in names():
                    raise
            _log.info("dropped a foreign key of table %s to the accounts", table.name)

    def _add_account_keys(self, db: Any, table: Any) -> None:
        """Make the foreign key of ``table`` to the accounts, as the schema declares it,
        unless it is there. It is added unnamed, as ``create_all`` makes it (the server
        names it and keeps the index it made for the first one); should two processes
        both add one, both then drop all but the first."""
        sa = self._sa
        keys = self._account_keys(table)
        if not keys or self._stored_keys(db, table):
            return
        for key in keys:
            spec = sa.schema.AddConstraint(key).compile(dialect=self.engine.dialect)
            try:
                db.execute(sa.text(str(spec)))
            except sa.exc.DBAPIError:
                if not self._stored_keys(db, table):  # not another process's, meanwhile
                    raise
            _log.info("made the foreign key of table %s to the accounts again", table.name)
        self._drop_account_keys(db, table, keep=len(keys))

    def _add_host_columns(self, db: Any, table: Any) -> None:
        """Add the `HOST_COLUMNS` of ``table`` that are not there, each as the
        schema declares it (a NOT NULL one with its server default, which SQLite, too,
        can add in place); another process adding one meanwhile is fine."""
        sa = self._sa
        quote = self.engine.dialect.identifier_preparer.quote
        name = table.name[len(self._prefix) :]
        # PostgreSQL and MariaDB skip a column another process added meanwhile (on
        # PostgreSQL once that process committed); SQLite's upgrade holds the write lock.
        mariadb = bool(getattr(self.engine.dialect, "is_mariadb", False))
        skips = self._dialect == "postgresql" or mariadb
        add = "ADD COLUMN IF NOT EXISTS" if skips else "ADD COLUMN"
        present = self._columns(db, table)
        for column in HOST_COLUMNS[name]:
            if column in present:
                continue
            spec = sa.schema.CreateColumn(table.c[column]).compile(dialect=self.engine.dialect)
            try:
                db.execute(sa.text(f"ALTER TABLE {quote(table.name)} {add} {spec}"))
            except sa.exc.DBAPIError:
                # MySQL: another process added it between the look and the statement.
                if self._dialect in ("postgresql", "sqlite"):
                    raise
                if column not in self._columns(db, table):
                    raise

    def _fill_host_columns(self, db: Any, name: str) -> None:
        """Fill the `HOST_COLUMNS` of table ``name`` for every row, from its
        payload, in chunks by primary key. The record is decoded in Python and its
        values made by the function every write uses, so the columns agree with the
        payload exactly (defaults omitted from a payload, money to the last digit). A
        row whose payload cannot be read keeps the server defaults and is counted in a
        warning (by number only: never a value); reading it still reports it."""
        sa, t = self._sa, self._t[name]
        kind, columns = HOST_KINDS[name], HOST_COLUMNS[name]
        where = f"{self._dialect} {name}"
        last: str | None = None
        unreadable = 0
        while True:
            query = sa.select(t.c.id, t.c.payload).order_by(t.c.id).limit(_FILL_CHUNK)
            if last is not None:
                query = query.where(t.c.id > last)
            rows = db.execute(query).all()
            if not rows:
                break
            last = rows[-1].id
            records = self._decoded([row.payload for row in rows], kind, where)
            fills = []
            for row, record in zip(rows, records, strict=True):
                if record is None:
                    unreadable += 1
                    continue
                fills.append({"id": row.id, **dict(zip(columns, host_values(record), strict=True))})
            if fills:
                self._update_each(db, name, "id", fills)
        if unreadable:
            _log.warning(
                "%d rows of %s could not be read while upgrading; their new columns keep "
                "the defaults until each is written again",
                unreadable, t.name,
            )  # fmt: skip

    @staticmethod
    def _decoded(payloads: list[Any], kind: type, where: str) -> list[object | None]:
        """Each of ``payloads`` as a ``kind``, or None for one that cannot be read."""
        try:
            return list(decode_all(payloads, kind, where))
        except StoreError:
            pass
        records: list[object | None] = []
        for payload in payloads:
            try:
                records.append(decode_all([payload], kind, where)[0])
            except StoreError:
                records.append(None)
        return records

    def _remake_outbox(self, db: Any, outbox: Any) -> None:
        """SQLite's upgrade of the outbox to the table declared (SQLite alters no column):
        the old table is renamed, the new one made, and each entry copied with the
        ``channel`` of its payload."""
        sa, quote = self._sa, self.engine.dialect.identifier_preparer.quote
        table, old = quote(outbox.name), quote(f"{outbox.name}_upgrading")
        db.execute(sa.text(f"DROP INDEX IF EXISTS {quote(f'{self._prefix}outbox_due')}"))
        db.execute(sa.text(f"ALTER TABLE {table} RENAME TO {old}"))
        outbox.create(db)
        channel = "COALESCE(json_extract(payload, '$.message.channel'), '')"
        columns = '"key", status, next_attempt_us, attempts, payload'
        copy = f"SELECT {columns}, {channel} FROM {old}"
        db.execute(sa.text(f"INSERT INTO {table} ({columns}, channel) {copy}"))
        db.execute(sa.text(f"DROP TABLE {old}"))

    def _add_channel(self, db: Any, outbox: Any) -> None:
        """Add the outbox's ``channel`` column, unless it is there, and fill it from each
        entry's payload where it is empty."""
        sa = self._sa
        quote = self.engine.dialect.identifier_preparer.quote
        table = quote(outbox.name)
        if "channel" not in self._columns(db, outbox):
            try:
                add = f"ALTER TABLE {table} ADD COLUMN channel VARCHAR(16) NOT NULL DEFAULT ''"
                db.execute(sa.text(add))
            except sa.exc.DBAPIError:
                # Another process added it between the look and the statement: fine.
                if "channel" not in self._columns(db, outbox):
                    raise
        if self._dialect == "postgresql":
            fill = "payload -> 'message' ->> 'channel'"
        else:
            fill = "JSON_UNQUOTE(JSON_EXTRACT(payload, '$.message.channel'))"
        db.execute(sa.text(f"UPDATE {table} SET channel = COALESCE({fill}, '') WHERE channel = ''"))
        db.execute(sa.text(f"ALTER TABLE {table} ALTER COLUMN channel DROP DEFAULT"))

    def _columns(self, db: Any, table: Any) -> set[str]:
        """The names of the columns of the stored ``table``."""
        return {str(c["name"]) for c in self._sa.inspect(db).get_columns(table.name)}

    def _remake_index(self, db: Any, index: Any) -> None:
        """Make ``index`` as the schema declares it, unless it already is: an index of
        that name on other columns is dropped first."""
        wanted = [column.name for column in index.columns]
        found = self._index_columns(db, index)
        if found == wanted:
            return
        quote = self.engine.dialect.identifier_preparer.quote
        if self._dialect in ("postgresql", "sqlite"):  # DDL in the transaction
            db.execute(self._sa.text(f"DROP INDEX IF EXISTS {quote(index.name)}"))
            index.create(db, checkfirst=True)
            return
        # MariaDB/MySQL commit each statement: another process may make (or drop) the
        # index between a look and a statement, so a failed one looks again. Only an
        # index on other columns is dropped, never one that is missing or as wanted.
        drop = f"DROP INDEX {quote(index.name)} ON {quote(index.table.name)}"
        for attempt in range(3):
            try:
                if found is not None:
                    db.execute(self._sa.text(drop))
                index.create(db)
                return
            except self._sa.exc.DBAPIError:
                # MariaDB's failed DDL leaves the transaction usable.
                found = self._index_columns(db, index)
                if found == wanted:
                    return
                if attempt == 2:
                    raise

    def _index_columns(self, db: Any, index: Any) -> list[str] | None:
        """The columns of the stored index named like ``index``, or None if none is."""
        for found in self._sa.inspect(db).get_indexes(index.table.name):
            if found["name"] == index.name:
                return [str(name) for name in found["column_names"]]
        return None

    def drop(self) -> None:
        """Drop this store's tables (and everything in them)."""
        self._meta.drop_all(self.engine)

    def clear(self) -> None:
        """Delete every row of this store's tables, keeping the tables."""

        def work(db: Any) -> None:
            for table in reversed(self._meta.sorted_tables):
                if table is not self._t["schema"]:
                    db.execute(table.delete())

        self._transaction(work)

    def close(self) -> None:
        self.engine.dispose()

    def _session(self, db: Any) -> Any:
        """``db``, made strict if it is a MariaDB/MySQL connection the ``connect`` hook
        has not seen (one a host's engine opened before this store existed)."""
        if self._strict and not db.info.get(_STRICT_KEY):
            db.exec_driver_sql(_STRICT_SQL)
            db.info[_STRICT_KEY] = True
        return db

    def _transaction(self, work: Callable[[Any], T]) -> T:
        """``work(db)`` in one transaction; the database refusing it is a one-line
        [`StoreError`][accountcare.ports.store.StoreError], raised after the driver's error was
        handled, so that neither its ``__cause__`` nor its ``__context__`` holds SQLAlchemy's error,
        which repeats the statement's parameters."""
        refusal: str
        try:
            with self.engine.begin() as db:
                self._begin(self._session(db))
                return work(db)
        except self._sa.exc.DBAPIError as exc:
            refusal = _refusal(exc)
        raise StoreError(f"{self._server} refused the write ({refusal}); nothing was written")

    def _reading(self, work: Callable[[Any], T]) -> T:
        """``work(db)`` on a connection; a refusal is a one-line
        [`StoreError`][accountcare.ports.store.StoreError] chaining nothing, as for
        `_transaction`."""
        refusal: str
        try:
            with self.engine.connect() as db:
                return work(self._session(db))
        except self._sa.exc.DBAPIError as exc:
            refusal = _refusal(exc)
        raise StoreError(f"{self._server} refused a read ({refusal}); nothing was changed")

    def _insert(self, table: Any) -> Any:
        dialects = {"postgresql": "postgresql", "sqlite": "sqlite"}
        module = require(f"sqlalchemy.dialects.{dialects.get(self._dialect, 'mysql')}", "sql")
        return module.insert(table)

    def _upsert(self, name: str, rows: list[dict[str, Any]]) -> Any:
        table = self._t[name]
        statement = self._insert(table)
        keys = KEYS[name]
        if self._dialect in ("mysql", "mariadb"):
            return statement.on_duplicate_key_update(
                {c: statement.inserted[c] for c in rows[0] if c not in keys}
            )
        return statement.on_conflict_do_update(
            index_elements=list(keys),
            set_={c: statement.excluded[c] for c in rows[0] if c not in keys},
        )

    # -- writes -----------------------------------------------------------------

    def write(self, batch: Batch) -> WriteReport:
        checked = check(batch)
        plain = table_rows(checked, encode)
        rows = {name: as_dicts(t) for name, t in with_host_columns(plain, checked).items()}
        queued = {m.key: outbox_row(OutboxEntry.queued(m), encode) for m in checked.outbox}
        # PostgreSQL text holds no NUL, and no database a lone surrogate: say which field.
        problem = unstorable(checked, nul=True) or too_long(plain, queued)
        if problem is not None:
            raise problem

        def work(db: Any) -> set[str]:
            accounts = self._t["accounts"].c.id
            check_references(checked, lambda ids: self._existing(db, accounts, ids))
            for name, values in rows.items():
                if values:
                    db.execute(self._upsert(name, values), values)
            present = self._existing(db, self._t["outbox"].c.key, queued)
            new = [row for key, row in queued.items() if key not in present]
            if new:
                insert = self._insert(self._t["outbox"])
                if self._dialect in ("mysql", "mariadb"):
                    insert = insert.on_duplicate_key_update(key=insert.inserted.key)
                else:
                    insert = insert.on_conflict_do_nothing(index_elements=["key"])
                db.execute(insert, new)
            self._retire(db, checked.retired_accounts)
            return present

        return write_report(checked, self._transaction(work))

    def _retire(self, db: Any, retired: tuple[str, ...]) -> None:
        """Delete the ``retired`` accounts, their tier assignments and loss reviews, or
        raise (inside the batch's transaction) for the first that still holds records.
        The accounts are
        locked first, so a record another writer adds to one meanwhile is counted (on
        MariaDB by locking reads, which see what committed after the snapshot)."""
        if not retired:
            return
        sa, accounts = self._sa, self._t["accounts"]
        held: dict[str, dict[str, int]] = {}
        stored: list[str] = []
        for part in chunks(retired):
            lock = sa.select(accounts.c.id).where(accounts.c.id.in_(part))
            found = db.execute(lock.with_for_update() if self._dialect != "sqlite" else lock)
            # Only ids stored exactly as given (a server collation that pads would match
            # "acme " to "acme").
            wanted = set(part)
            part = [i for i in found.scalars() if i in wanted]
            stored += part
            if not part:
                continue
            for name, _ in HOLDINGS:
                t = self._t[name]
                count = (
                    sa.select(t.c.account_id, sa.func.count())
                    .where(t.c.account_id.in_(part))
                    .group_by(t.c.account_id)
                )
                if self._strict:
                    count = count.with_for_update(read=True)
                held.setdefault(name, {}).update((a, n) for a, n in db.execute(count))
        check_retired(retired, held)
        tiers, reviews = self._t["tier_assignments"], self._t["loss_reviews"]
        for part in chunks(stored):
            db.execute(tiers.delete().where(tiers.c.account_id.in_(part)))
            db.execute(reviews.delete().where(reviews.c.account_id.in_(part)))
            db.execute(accounts.delete().where(accounts.c.id.in_(part)))

    def _existing(self, db: Any, column: Any, values: Iterable[str]) -> set[str]:
        """Those of ``values`` stored in ``column``."""
        found: set[str] = set()
        for among in self._among(column, values):
            found.update(db.execute(self._sa.select(column).where(among)).scalars())
        return found

    # -- reads ------------------------------------------------------------------

    def _rows(self, query: Any) -> list[Any]:
        """The rows ``query`` reads."""
        rows: list[Any] = self._reading(lambda db: db.execute(query).all())
        return rows

    def _records(self, rows: list[Any], kind: type[T], name: str) -> tuple[T, ...]:
        """The ``kind`` s in ``rows`` of table ``name``, in the order of its reads."""
        if name in _ORDER:
            rows.sort(key=_ORDER[name])
        return decode_all([row.payload for row in rows], kind, f"{self._dialect} {name}")

    def _select(self, name: str, kind: type[T], *where: Any) -> tuple[T, ...]:
        return self._records(self._rows(self._sa.select(self._t[name]).where(*where)), kind, name)

    def _one(self, name: str, kind: type[T], *where: Any) -> T | None:
        found = self._select(name, kind, *where)
        return found[0] if found else None

    def account(self, account_id: str) -> Account | None:
        return self._one("accounts", Account, self._t["accounts"].c.id == account_id)

    def accounts(self) -> tuple[Account, ...]:
        return self._select("accounts", Account)

    def accounts_by_owner(self, owner: str) -> tuple[Account, ...]:
        return self._select("accounts", Account, self._t["accounts"].c.owner == owner)

    def accounts_in_tier(
        self, policy: str, tier: str, as_of: date | None = None
    ) -> tuple[Account, ...]:
        sa = self._sa
        a, t = self._t["accounts"], self._t["tier_assignments"]
        latest = sa.alias(t, "latest")
        limit = (as_of or date.max).isoformat()
        newest = (
            sa.select(sa.func.max(latest.c.as_of))
            .where(
                latest.c.policy == t.c.policy,
                latest.c.account_id == t.c.account_id,
                latest.c.as_of <= limit,
            )
            .scalar_subquery()
        )
        query = (
            sa.select(a.c.id, a.c.payload)
            .join(t, t.c.account_id == a.c.id)
            .where(t.c.policy == policy, t.c.tier == tier, t.c.as_of == newest)
        )
        return self._records(self._rows(query), Account, "accounts")

    def accounts_changed_since(self, instant: datetime) -> tuple[Account, ...]:
        since = self._t["accounts"].c.updated_us >= micros(instant)
        return self._select("accounts", Account, since)

    def contact(self, contact_id: str) -> Contact | None:
        return self._one("contacts", Contact, self._t["contacts"].c.id == contact_id)

    def contacts(self, account_id: str) -> tuple[Contact, ...]:
        return self._select("contacts", Contact, self._t["contacts"].c.account_id == account_id)

    def orders(self, account_id: str) -> tuple[Order, ...]:
        return self._select("orders", Order, self._t["orders"].c.account_id == account_id)

    def orders_between(self, start: date, end: date) -> tuple[Order, ...]:
        c = self._t["orders"].c
        inside = (c.ordered_on >= start.isoformat(), c.ordered_on < end.isoformat())
        return self._select("orders", Order, *inside)

    def interactions(self, account_id: str) -> tuple[Interaction, ...]:
        c = self._t["interactions"].c
        return self._select("interactions", Interaction, c.account_id == account_id)

    def complaints(self, account_id: str) -> tuple[Complaint, ...]:
        c = self._t["complaints"].c
        return self._select("complaints", Complaint, c.account_id == account_id)

    # -- bulk reads: a fixed number of statements, whatever the size of the book ---

    def _among(self, column: Any, values: Iterable[str]) -> list[Any]:
        """Conditions ``column IN values``, one per statement to send: a single one on
        PostgreSQL (the values travel as one array), one per `_IN_CHUNK` values
        elsewhere. No condition at all for no values."""
        sa, asked = self._sa, sorted(set(values))
        if not asked:
            return []
        if self._dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import ARRAY

            # Text, not the column's type: a VARCHAR(n)[] cast would cut a longer value
            # asked for down to one that is stored.
            array = sa.bindparam("among", asked, type_=ARRAY(sa.Text()), unique=True)
            return [column == sa.any_(array)]
        return [column.in_(part) for part in chunks(asked, _IN_CHUNK)]

    def _of_accounts(
        self, name: str, kind: type[T], account_ids: Iterable[str] | None
    ) -> tuple[T, ...]:
        wanted = wanted_accounts(account_ids)
        if wanted is None:
            return self._select(name, kind)
        table = self._t[name]
        rows: list[Any] = []
        for among in self._among(table.c.account_id, wanted):
            rows.extend(self._rows(self._sa.select(table).where(among)))
        return self._records(rows, kind, name)

    def contacts_of(self, account_ids: Iterable[str] | None = None) -> tuple[Contact, ...]:
        return self._of_accounts("contacts", Contact, account_ids)

    def orders_of(self, account_ids: Iterable[str] | None = None) -> tuple[Order, ...]:
        return self._of_accounts("orders", Order, account_ids)

    def interactions_of(self, account_ids: Iterable[str] | None = None) -> tuple[Interaction, ...]:
        return self._of_accounts("interactions", Interaction, account_ids)

    def complaints_of(self, account_ids: Iterable[str] | None = None) -> tuple[Complaint, ...]:
        return self._of_accounts("complaints", Complaint, account_ids)

    def accounts_page(self, after: str | None, limit: int) -> tuple[Account, ...]:
        sa, c = self._sa, self._t["accounts"].c
        # Ids page in Python's order (by code point), as accounts() sorts them: the
        # binary collation on MariaDB and SQLite, "C" on PostgreSQL.
        ident = c.id.collate("C") if self._dialect == "postgresql" else c.id
        query = sa.select(c.payload).order_by(ident).limit(max(0, limit))
        if after is not None:
            query = query.where(ident > after)
        return decode_all(
            [r.payload for r in self._rows(query)], Account, f"{self._dialect} accounts"
        )

    def order_totals(self, start: date, end: date) -> tuple[OrderTotal, ...]:
        if self._dialect == "sqlite":
            # SQLite adds NUMERIC columns as floats, and money is exact: summed here.
            return order_totals(self.orders_between(start, end))
        sa, o = self._sa, self._t["orders"].c
        query = (
            sa.select(
                o.account_id,
                o.currency,
                sa.func.count(),
                sa.func.sum(o.amount),
                sa.func.sum(o.margin),
                sa.func.count(o.margin),
                sa.func.min(o.ordered_on),
                sa.func.max(o.ordered_on),
            )
            .where(o.ordered_on >= start.isoformat(), o.ordered_on < end.isoformat())
            .group_by(o.account_id, o.currency)
        )
        rows = self._rows(query)
        totals = [
            OrderTotal(
                account_id=account_id,
                currency=currency,
                orders=int(count),
                amount=summed([Decimal(amount)]),
                margin=summed([] if margin is None else [Decimal(margin)]),
                margined=int(margined),
                first_on=date.fromisoformat(first),
                last_on=date.fromisoformat(last),
            )
            for account_id, currency, count, amount, margin, margined, first, last in rows
        ]
        return tuple(sorted(totals, key=lambda t: (t.account_id, t.currency)))

    def last_interactions(self, kind: InteractionKind) -> tuple[Interaction, ...]:
        sa, i = self._sa, self._t["interactions"].c
        latest = (
            sa.select(i.account_id, sa.func.max(i.occurred_us).label("at"))
            .where(i.kind == kind.value)
            .group_by(i.account_id)
            .subquery()
        )
        query = (
            sa.select(i.account_id, i.id, i.payload)
            .join(
                latest, sa.and_(i.account_id == latest.c.account_id, i.occurred_us == latest.c.at)
            )
            .where(i.kind == kind.value)
        )
        best: dict[str, Any] = {}
        for row in self._rows(
            query
        ):  # of two at the latest instant, the greater id (Python's order)
            if row.account_id not in best or row.id > best[row.account_id].id:
                best[row.account_id] = row
        chosen = [best[a].payload for a in sorted(best)]
        return decode_all(chosen, Interaction, f"{self._dialect} interactions")

    def tier_assignments(self, policy: str, as_of: date) -> tuple[TierAssignment, ...]:
        c = self._t["tier_assignments"].c
        where = (c.policy == policy, c.as_of == as_of.isoformat())
        return self._select("tier_assignments", TierAssignment, *where)

    def visit_plan(self, name: str) -> VisitPlan | None:
        return self._one("visit_plans", VisitPlan, self._t["visit_plans"].c.name == name)

    def care_schedule(self, name: str) -> CareSchedule | None:
        c = self._t["care_schedules"].c
        return self._one("care_schedules", CareSchedule, c.name == name)

    def rep(self, rep_id: str) -> Rep | None:
        return self._one("reps", Rep, self._t["reps"].c.id == rep_id)

    def reps(self) -> tuple[Rep, ...]:
        return self._select("reps", Rep)

    def company(self) -> Company | None:
        return self._one("company", Company, self._t["company"].c.slot == 1)

    def loss_reviews(self, account_id: str | None = None) -> tuple[LostAccountReview, ...]:
        c = self._t["loss_reviews"].c
        where = () if account_id is None else (c.account_id == account_id,)
        return self._select("loss_reviews", LostAccountReview, *where)

    # -- outbox -----------------------------------------------------------------

    def outbox_entry(self, key: str) -> OutboxEntry | None:
        return self._one("outbox", OutboxEntry, self._t["outbox"].c.key == key)

    def outbox(self, status: OutboxStatus | None = None) -> tuple[OutboxEntry, ...]:
        c = self._t["outbox"].c
        where = () if status is None else (c.status == status.value,)
        return self._select("outbox", OutboxEntry, *where)

    def queued_keys(self, keys: Iterable[str]) -> frozenset[str]:
        column = self._t["outbox"].c.key
        found: set[str] = set()
        for among in self._among(column, wanted_keys(keys)):
            found.update(row.key for row in self._rows(self._sa.select(column).where(among)))
        return frozenset(found)

    def claim_outbox(
        self,
        now: datetime,
        limit: int,
        lease: timedelta,
        *,
        channels: frozenset[Channel] | None = None,
    ) -> tuple[OutboxEntry, ...]:
        sa = self._sa
        t = self._t["outbox"]
        wanted = sorted({Channel(c).value for c in (Channel if channels is None else channels)})
        if not wanted or limit < 1:
            return ()
        query = (
            sa.select(t)
            .where(
                t.c.status.in_(("pending", "in_flight")),
                t.c.channel.in_(wanted),
                t.c.next_attempt_us <= micros(now),
            )
            .order_by(t.c.next_attempt_us, t.c.key)
            .limit(limit)
        )
        if self._dialect != "sqlite":
            query = query.with_for_update(skip_locked=True)

        def work(db: Any) -> tuple[OutboxEntry, ...]:
            stored = self._records(db.execute(query).all(), OutboxEntry, "outbox")
            claimed = tuple(entry.claimed(now, lease) for entry in stored)
            if claimed:  # one statement for the whole claim, however many it takes
                self._update_each(db, "outbox", "key", [outbox_row(e, encode) for e in claimed])
            return claimed

        return self._transaction(work)

    def _update_each(self, db: Any, name: str, key: str, rows: list[dict[str, Any]]) -> None:
        """Give the row of table ``name`` whose ``key`` each of ``rows`` names the other
        values of that row: one UPDATE, executed for all of ``rows`` at once."""
        sa, t = self._sa, self._t[name]
        # Parameters named like a column are reserved for its value: these are "new_*".
        update = (
            t.update()
            .where(t.c[key] == sa.bindparam(f"new_{key}"))
            .values({c: sa.bindparam(f"new_{c}") for c in rows[0] if c != key})
        )
        db.execute(update, [{f"new_{c}": v for c, v in row.items()} for row in rows])

    def retry_outbox(self, key: str, now: datetime) -> OutboxEntry | None:
        t = self._t["outbox"]
        query = self._sa.select(t.c.payload).where(
            t.c.key == key, t.c.status == OutboxStatus.DEAD.value
        )
        if self._dialect != "sqlite":
            query = query.with_for_update()

        def work(db: Any) -> OutboxEntry | None:
            rows = db.execute(query).all()
            if not rows:
                return None
            (dead,) = decode_all([rows[0].payload], OutboxEntry, f"{self._dialect} outbox")
            revived = dead.revived(now)
            row = outbox_row(revived, encode)
            db.execute(t.update().where(t.c.key == key).values(**row))
            return revived

        return self._transaction(work)

    def settle_outbox(self, entry: OutboxEntry) -> bool:
        t = self._t["outbox"]
        row = outbox_row(entry, encode)
        update = (
            t.update()
            .where(
                t.c.key == entry.key,
                t.c.status == OutboxStatus.IN_FLIGHT.value,
                t.c.attempts == entry.attempts,
            )
            .values(**row)
        )
        return self._transaction(lambda db: bool(db.execute(update).rowcount == 1))
