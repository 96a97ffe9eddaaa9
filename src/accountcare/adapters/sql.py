"""The SQL server store: PostgreSQL (psycopg 3) and MariaDB/MySQL (PyMySQL) through
SQLAlchemy 2 Core (extras ``sql``, ``postgres``, ``mariadb``).

The tables mirror the SQLite store's (see :mod:`accountcare.adapters._schema`): a few
indexed columns and the record as JSON (``JSONB`` on PostgreSQL). Upserts use each
dialect's insert-on-conflict; claiming outbox entries uses ``FOR UPDATE SKIP LOCKED``
so several dispatchers can share one outbox. Table names carry a prefix, so several
books (or test runs) can share one database.

On MariaDB/MySQL every connection the store uses runs in a strict ``sql_mode``
(:data:`STRICT_MODES` added to the session's own), also the connections of an engine
the host passes in: the server then refuses a value that does not fit its column
instead of cutting it short. Errors are one-line :class:`StoreError` s that never
repeat SQL parameters (the values of the records written).

>>> store = SqlStore("postgresql+psycopg://postgres@127.0.0.1/test")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import suppress
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from accountcare._imports import require
from accountcare.adapters._rows import (
    HOLDINGS,
    KEYS,
    as_dicts,
    check,
    check_references,
    check_retired,
    chunks,
    decode_all,
    encode,
    micros,
    outbox_row,
    table_rows,
    write_report,
)
from accountcare.adapters._schema import LIMITS, too_long
from accountcare.adapters._unstorable import unstorable
from accountcare.domain.accounts import Account
from accountcare.domain.activity import Complaint, Interaction, Order
from accountcare.domain.care import CareSchedule
from accountcare.domain.contacts import Channel, Contact
from accountcare.domain.outbox import OutboxEntry, OutboxStatus
from accountcare.domain.team import Company, Rep
from accountcare.domain.tiers import TierAssignment
from accountcare.domain.visits import VisitPlan
from accountcare.domain.warnings import LostAccountReview
from accountcare.ports.store import Batch, SchemaVersionError, StoreError, WriteReport

__all__ = ["SCHEMA_VERSION", "STRICT_MODES", "SqlStore"]

T = TypeVar("T")

SCHEMA_VERSION = 5
_ID = LIMITS["id"]

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


def _strict_session(dbapi_connection: Any, record: Any) -> None:
    """On each new MariaDB/MySQL connection: add :data:`STRICT_MODES` to its session."""
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
    """An engine for ``url``, or a one-line :class:`StoreError` naming its scheme and,
    for a driver that is not installed, the ``pip install`` that fixes it."""
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
    """The schema as SQLAlchemy ``Table`` s, in a fresh ``MetaData``; every table but
    ``schema`` ends with the record's ``payload``."""
    from sqlalchemy.dialects.postgresql import JSONB

    meta = sa.MetaData()
    payload = sa.JSON().with_variant(JSONB(), "postgresql")
    # Binary collation on MariaDB: ids are case-sensitive, as everywhere else.
    options = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin"}
    text, instant = sa.String, sa.BigInteger

    def table(name: str, *columns: Any) -> None:
        last = sa.Column("payload", payload, nullable=False)
        sa.Table(f"{prefix}{name}", meta, *columns, last, **options)

    def account(**how: bool) -> Any:
        key = sa.ForeignKey(f"{prefix}accounts.id", ondelete="CASCADE")
        return sa.Column("account_id", text(_ID), key, **how)

    table("accounts", sa.Column("id", text(_ID), primary_key=True),
          sa.Column("owner", text(_ID), index=True),
          sa.Column("updated_us", instant, index=True))  # fmt: skip
    for name, extra in (
        ("contacts", ()),
        ("orders", (sa.Column("ordered_on", text(10), nullable=False, index=True),)),
        ("interactions", (sa.Column("occurred_us", instant, nullable=False),)),
        ("complaints", (sa.Column("opened_us", instant, nullable=False),)),
    ):
        id_column = sa.Column("id", text(_ID), primary_key=True)
        table(name, id_column, account(nullable=False, index=True), *extra)
    table("tier_assignments", sa.Column("policy", text(LIMITS["policy"]), primary_key=True),
          sa.Column("as_of", text(10), primary_key=True), account(primary_key=True),
          sa.Column("tier", text(LIMITS["tier"]), nullable=False),
          sa.Index(f"{prefix}tiers_by_account", "policy", "account_id", "as_of"))  # fmt: skip
    for name in ("visit_plans", "care_schedules"):
        table(name, sa.Column("name", text(_ID), primary_key=True))
    table("reps", sa.Column("id", text(_ID), primary_key=True))
    table("loss_reviews", account(primary_key=True),
          sa.Column("found_on", text(10), primary_key=True))  # fmt: skip
    # One company per store: the row in slot 1.
    table("company", sa.Column("slot", sa.Integer, primary_key=True, autoincrement=False),
          sa.CheckConstraint("slot = 1", name=f"{prefix}company_slot"))  # fmt: skip
    table("outbox", sa.Column("key", text(LIMITS["key"]), primary_key=True),
          sa.Column("status", text(16), nullable=False),
          sa.Column("channel", text(16), nullable=False),
          sa.Column("next_attempt_us", instant, nullable=False),
          sa.Column("attempts", sa.Integer, nullable=False),
          sa.Index(f"{prefix}outbox_due", "status", "channel", "next_attempt_us",
                   "key"))  # fmt: skip
    sa.Table(f"{prefix}schema", meta, sa.Column("version", sa.Integer, nullable=False), **options)
    return meta


class SqlStore:
    """A :class:`~accountcare.ports.store.Store` on PostgreSQL or MariaDB/MySQL.

    ``url`` is an SQLAlchemy URL (``postgresql+psycopg://user@host/db``,
    ``mysql+pymysql://root@host/db``) or an ``Engine`` the host already has. Tables are
    named ``{prefix}accounts`` and so on, and created on first use; ``drop()`` removes
    them. On MariaDB/MySQL the store adds :data:`STRICT_MODES` to the session
    ``sql_mode`` of every connection it uses, a host's engine's included. A
    ``sqlite:///book.db`` URL works too: each write then holds the file's write lock.

    Tables an older version made are upgraded when the store opens them, all or nothing
    on PostgreSQL and SQLite; MariaDB/MySQL commit each DDL statement by itself, so an
    upgrade cut short there is completed by the next open.

    An unknown URL scheme, an asyncio driver, or a driver that is not installed is a
    one-line :class:`StoreError` naming the scheme (and the ``pip install`` that fixes
    it); so is an unreachable server.

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
        if self._dialect not in ("postgresql", "mysql", "mariadb", "sqlite"):
            raise StoreError(
                f"SqlStore supports PostgreSQL and MariaDB/MySQL, not {self._dialect!r}"
            )
        self._server = _SERVERS[self._dialect]
        self._strict = self._dialect in ("mysql", "mariadb")
        if self._strict and not sa.event.contains(self.engine, "connect", _strict_session):
            sa.event.listen(self.engine, "connect", _strict_session)
        self._prefix = prefix
        self._meta = _tables(sa, prefix)
        self._t = {name[len(prefix) :]: t for name, t in self._meta.tables.items()}
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

    def _migrate(self) -> None:
        sa = self._sa
        where = f"{self.engine.url.render_as_string()} (tables {self._prefix}*)"
        with self.engine.begin() as db:
            self._session(db)
            self._begin(db)
            self._meta.create_all(db)
            schema = self._t["schema"]
            version = db.execute(sa.select(sa.func.max(schema.c.version))).scalar()
            if version is None:
                db.execute(schema.insert().values(version=SCHEMA_VERSION))
            elif version > SCHEMA_VERSION:
                raise SchemaVersionError(where, version, SCHEMA_VERSION)
            elif version < SCHEMA_VERSION:
                self._upgrade(db, version)
                db.execute(schema.update().values(version=SCHEMA_VERSION))

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
        the outbox's channel) is added here."""
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
        found = {c["name"] for c in sa.inspect(db).get_columns(outbox.name)}
        if "channel" not in found:
            try:
                add = f"ALTER TABLE {table} ADD COLUMN channel VARCHAR(16) NOT NULL DEFAULT ''"
                db.execute(sa.text(add))
            except sa.exc.DBAPIError:
                # Another process added it between the look and the statement: fine.
                columns = {c["name"] for c in sa.inspect(db).get_columns(outbox.name)}
                if "channel" not in columns:
                    raise
        if self._dialect == "postgresql":
            fill = "payload -> 'message' ->> 'channel'"
        else:
            fill = "JSON_UNQUOTE(JSON_EXTRACT(payload, '$.message.channel'))"
        db.execute(sa.text(f"UPDATE {table} SET channel = COALESCE({fill}, '') WHERE channel = ''"))
        db.execute(sa.text(f"ALTER TABLE {table} ALTER COLUMN channel DROP DEFAULT"))

    def _remake_index(self, db: Any, index: Any) -> None:
        """Make ``index`` as the schema declares it, unless it already is: an index of
        that name on other columns is dropped first."""
        wanted = [column.name for column in index.columns]
        found = self._index_columns(db, index)
        if found == wanted:
            return
        quote = self.engine.dialect.identifier_preparer.quote
        on = f" ON {quote(index.table.name)}" if self._dialect in ("mysql", "mariadb") else ""
        mariadb = bool(getattr(self.engine.dialect, "is_mariadb", False))
        if self._dialect in ("postgresql", "sqlite") or mariadb:
            db.execute(self._sa.text(f"DROP INDEX IF EXISTS {quote(index.name)}{on}"))
        elif found is not None:  # MySQL has no IF EXISTS here
            db.execute(self._sa.text(f"DROP INDEX {quote(index.name)}{on}"))
        if self._dialect in ("postgresql", "sqlite"):  # DDL in the transaction
            index.create(db, checkfirst=True)
            return
        try:
            index.create(db, checkfirst=True)
        except self._sa.exc.DBAPIError:
            # Another process made it between the check and the statement: fine if it
            # is the index wanted (MariaDB's failed DDL leaves the transaction usable).
            if self._index_columns(db, index) != wanted:
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
        :class:`StoreError`, raised after the driver's error was handled, so that neither
        its ``__cause__`` nor its ``__context__`` holds SQLAlchemy's error, which repeats
        the statement's parameters."""
        refusal: str
        try:
            with self.engine.begin() as db:
                self._begin(self._session(db))
                return work(db)
        except self._sa.exc.DBAPIError as exc:
            refusal = _refusal(exc)
        raise StoreError(f"{self._server} refused the write ({refusal}); nothing was written")

    def _reading(self, work: Callable[[Any], T]) -> T:
        """``work(db)`` on a connection; a refusal is a one-line :class:`StoreError`
        chaining nothing, as for :meth:`_transaction`."""
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
        rows_ = table_rows(checked, encode)
        rows = {name: as_dicts(table) for name, table in rows_.items()}
        queued = {m.key: outbox_row(OutboxEntry.queued(m), encode) for m in checked.outbox}
        # PostgreSQL text holds no NUL, and no database a lone surrogate: say which field.
        problem = unstorable(checked, nul=True) or too_long(rows_, queued)
        if problem is not None:
            raise problem

        def work(db: Any) -> set[str]:
            accounts = self._t["accounts"].c.id
            check_references(checked, lambda ids: self._existing(db, accounts, ids))
            for name, table_rows_ in rows.items():
                if table_rows_:
                    db.execute(self._upsert(name, table_rows_), table_rows_)
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
            # Only ids stored exactly as given: MariaDB compares "acme " equal to "acme".
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
        for part in chunks(sorted(values)):
            found.update(db.execute(self._sa.select(column).where(column.in_(part))).scalars())
        return found

    # -- reads ------------------------------------------------------------------

    def _select(
        self, name: str, kind: type[T], *where: Any, key: Callable[[Any], Any] | None = None
    ) -> tuple[T, ...]:
        table = self._t[name]
        query = self._sa.select(table).where(*where)
        rows = self._reading(lambda db: db.execute(query).all())
        if key is not None:
            rows.sort(key=key)  # in Python: server collations do not sort like str
        return decode_all([row.payload for row in rows], kind, f"{self._dialect} {name}")

    def _one(self, name: str, kind: type[T], *where: Any) -> T | None:
        found = self._select(name, kind, *where)
        return found[0] if found else None

    def account(self, account_id: str) -> Account | None:
        return self._one("accounts", Account, self._t["accounts"].c.id == account_id)

    def accounts(self) -> tuple[Account, ...]:
        return self._select("accounts", Account, key=lambda r: r.id)

    def accounts_by_owner(self, owner: str) -> tuple[Account, ...]:
        c = self._t["accounts"].c
        return self._select("accounts", Account, c.owner == owner, key=lambda r: r.id)

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
        rows = sorted(self._reading(lambda db: db.execute(query).all()), key=lambda r: r.id)
        return decode_all([r.payload for r in rows], Account, f"{self._dialect} accounts")

    def accounts_changed_since(self, instant: datetime) -> tuple[Account, ...]:
        c = self._t["accounts"].c
        since = c.updated_us >= micros(instant)
        return self._select("accounts", Account, since, key=lambda r: r.id)

    def contact(self, contact_id: str) -> Contact | None:
        return self._one("contacts", Contact, self._t["contacts"].c.id == contact_id)

    def contacts(self, account_id: str) -> tuple[Contact, ...]:
        c = self._t["contacts"].c
        return self._select("contacts", Contact, c.account_id == account_id, key=lambda r: r.id)

    def orders(self, account_id: str) -> tuple[Order, ...]:
        c = self._t["orders"].c
        by = lambda r: (r.ordered_on, r.id)  # noqa: E731
        return self._select("orders", Order, c.account_id == account_id, key=by)

    def orders_between(self, start: date, end: date) -> tuple[Order, ...]:
        c = self._t["orders"].c
        inside = (c.ordered_on >= start.isoformat(), c.ordered_on < end.isoformat())
        return self._select("orders", Order, *inside, key=lambda r: (r.ordered_on, r.id))

    def interactions(self, account_id: str) -> tuple[Interaction, ...]:
        c = self._t["interactions"].c
        by = lambda r: (r.occurred_us, r.id)  # noqa: E731
        return self._select("interactions", Interaction, c.account_id == account_id, key=by)

    def complaints(self, account_id: str) -> tuple[Complaint, ...]:
        c = self._t["complaints"].c
        by = lambda r: (r.opened_us, r.id)  # noqa: E731
        return self._select("complaints", Complaint, c.account_id == account_id, key=by)

    def tier_assignments(self, policy: str, as_of: date) -> tuple[TierAssignment, ...]:
        c = self._t["tier_assignments"].c
        where = (c.policy == policy, c.as_of == as_of.isoformat())
        return self._select("tier_assignments", TierAssignment, *where, key=lambda r: r.account_id)

    def visit_plan(self, name: str) -> VisitPlan | None:
        return self._one("visit_plans", VisitPlan, self._t["visit_plans"].c.name == name)

    def care_schedule(self, name: str) -> CareSchedule | None:
        c = self._t["care_schedules"].c
        return self._one("care_schedules", CareSchedule, c.name == name)

    def rep(self, rep_id: str) -> Rep | None:
        return self._one("reps", Rep, self._t["reps"].c.id == rep_id)

    def reps(self) -> tuple[Rep, ...]:
        return self._select("reps", Rep, key=lambda r: r.id)

    def company(self) -> Company | None:
        return self._one("company", Company, self._t["company"].c.slot == 1)

    def loss_reviews(self, account_id: str | None = None) -> tuple[LostAccountReview, ...]:
        c = self._t["loss_reviews"].c
        where = () if account_id is None else (c.account_id == account_id,)
        by = lambda r: (r.account_id, r.found_on)  # noqa: E731
        return self._select("loss_reviews", LostAccountReview, *where, key=by)

    # -- outbox -----------------------------------------------------------------

    def outbox_entry(self, key: str) -> OutboxEntry | None:
        return self._one("outbox", OutboxEntry, self._t["outbox"].c.key == key)

    def outbox(self, status: OutboxStatus | None = None) -> tuple[OutboxEntry, ...]:
        c = self._t["outbox"].c
        where = () if status is None else (c.status == status.value,)
        by = lambda r: (r.next_attempt_us, r.key)  # noqa: E731
        return self._select("outbox", OutboxEntry, *where, key=by)

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
            rows = db.execute(query).all()
            rows.sort(key=lambda r: (r.next_attempt_us, r.key))
            stored = decode_all([r.payload for r in rows], OutboxEntry, f"{self._dialect} outbox")
            claimed = tuple(entry.claimed(now, lease) for entry in stored)
            if claimed:  # one statement for the whole claim, however many it takes
                db.execute(self._claim_update(), [self._claim_row(e) for e in claimed])
            return claimed

        return self._transaction(work)

    def _claim_update(self) -> Any:
        """The UPDATE a claim runs once per entry, with the ``claim_*`` parameters of
        :meth:`_claim_row`."""
        sa, t = self._sa, self._t["outbox"]
        columns = ("status", "next_attempt_us", "attempts", "payload")
        return (
            t.update()
            .where(t.c.key == sa.bindparam("claim_key"))
            .values({c: sa.bindparam(f"claim_{c}") for c in columns})
        )

    @staticmethod
    def _claim_row(entry: OutboxEntry) -> dict[str, Any]:
        return {f"claim_{c}": value for c, value in outbox_row(entry, encode).items()}

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
