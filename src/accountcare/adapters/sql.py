"""The SQL server store: PostgreSQL (psycopg 3) and MariaDB/MySQL (PyMySQL) through
SQLAlchemy 2 Core (extras ``sql``, ``postgres``, ``mariadb``).

The tables mirror the SQLite store's (see :mod:`accountcare.adapters._schema`): a few
indexed columns and the record as JSON (``JSONB`` on PostgreSQL). Upserts use each
dialect's insert-on-conflict; claiming outbox entries uses ``FOR UPDATE SKIP LOCKED``
so several dispatchers can share one outbox. Table names carry a prefix, so several
books (or test runs) can share one database.

>>> store = SqlStore("postgresql+psycopg://postgres@127.0.0.1/test")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from accountcare._imports import require
from accountcare.adapters._rows import (
    KEYS,
    as_dicts,
    check,
    check_references,
    chunks,
    decode_all,
    encode,
    micros,
    outbox_row,
    table_rows,
    write_report,
)
from accountcare.adapters._unstorable import unstorable
from accountcare.domain._validate import MAX_ID_LENGTH
from accountcare.domain.accounts import Account
from accountcare.domain.activity import Complaint, Interaction, Order
from accountcare.domain.care import CareSchedule
from accountcare.domain.contacts import Contact
from accountcare.domain.outbox import OutboxEntry, OutboxStatus
from accountcare.domain.tiers import TierAssignment
from accountcare.domain.visits import VisitPlan
from accountcare.ports.store import Batch, SchemaVersionError, StoreError, WriteReport

__all__ = ["SCHEMA_VERSION", "SqlStore"]

T = TypeVar("T")

SCHEMA_VERSION = 1
_ID = MAX_ID_LENGTH


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
    table("tier_assignments", sa.Column("policy", text(120), primary_key=True),
          sa.Column("as_of", text(10), primary_key=True), account(primary_key=True),
          sa.Column("tier", text(120), nullable=False),
          sa.Index(f"{prefix}tiers_by_account", "policy", "account_id", "as_of"))  # fmt: skip
    for name in ("visit_plans", "care_schedules"):
        table(name, sa.Column("name", text(_ID), primary_key=True))
    table("outbox", sa.Column("key", text(512), primary_key=True),
          sa.Column("status", text(16), nullable=False),
          sa.Column("next_attempt_us", instant, nullable=False),
          sa.Column("attempts", sa.Integer, nullable=False),
          sa.Index(f"{prefix}outbox_due", "status", "next_attempt_us"))  # fmt: skip
    sa.Table(f"{prefix}schema", meta, sa.Column("version", sa.Integer, nullable=False), **options)
    return meta


class SqlStore:
    """A :class:`~accountcare.ports.store.Store` on PostgreSQL or MariaDB/MySQL.

    ``url`` is an SQLAlchemy URL (``postgresql+psycopg://user@host/db``,
    ``mysql+pymysql://root@host/db``) or an ``Engine`` the host already has. Tables are
    named ``{prefix}accounts`` and so on, and created on first use; ``drop()`` removes
    them.
    """

    def __init__(self, url: Any, *, prefix: str = "accountcare_") -> None:
        sa = require("sqlalchemy", "sql")
        self._sa = sa
        self.engine = sa.create_engine(url) if isinstance(url, str) else url
        self._dialect = self.engine.dialect.name
        if self._dialect not in ("postgresql", "mysql", "mariadb", "sqlite"):
            raise StoreError(f"SqlStore supports PostgreSQL and MariaDB/MySQL, not {url!r}")
        self._prefix = prefix
        self._meta = _tables(sa, prefix)
        self._t = {name[len(prefix) :]: t for name, t in self._meta.tables.items()}
        try:
            self._migrate()
        except sa.exc.OperationalError as exc:
            raise StoreError(f"cannot reach the database at {self.engine.url}: {exc}") from exc

    def _migrate(self) -> None:
        sa = self._sa
        where = f"{self.engine.url.render_as_string()} (tables {self._prefix}*)"
        with self.engine.begin() as db:
            self._meta.create_all(db)
            version = db.execute(sa.select(sa.func.max(self._t["schema"].c.version))).scalar()
            if version is None:
                db.execute(self._t["schema"].insert().values(version=SCHEMA_VERSION))
            elif version > SCHEMA_VERSION:
                raise SchemaVersionError(where, version, SCHEMA_VERSION)

    def drop(self) -> None:
        """Drop this store's tables (and everything in them)."""
        self._meta.drop_all(self.engine)

    def clear(self) -> None:
        """Delete every row of this store's tables, keeping the tables."""
        with self._transaction() as db:
            for table in reversed(self._meta.sorted_tables):
                if table is not self._t["schema"]:
                    db.execute(table.delete())

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        sa = self._sa
        try:
            with self.engine.begin() as db:
                yield db
        except sa.exc.DBAPIError as exc:
            raise StoreError(f"{self._dialect} refused a write: {exc}") from exc

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
        rows = {name: as_dicts(table) for name, table in table_rows(checked, encode).items()}
        queued = {m.key: outbox_row(OutboxEntry.queued(m), encode) for m in checked.outbox}
        # PostgreSQL text holds no NUL, and no database a lone surrogate: say which field.
        problem = unstorable(checked, nul=True)
        if problem is not None:
            raise problem
        with self._transaction() as db:
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
        return write_report(checked, present)

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
        with self.engine.connect() as db:
            rows = db.execute(self._sa.select(table).where(*where)).all()
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
        with self.engine.connect() as db:
            rows = sorted(db.execute(query).all(), key=lambda r: r.id)
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

    # -- outbox -----------------------------------------------------------------

    def outbox_entry(self, key: str) -> OutboxEntry | None:
        return self._one("outbox", OutboxEntry, self._t["outbox"].c.key == key)

    def outbox(self, status: OutboxStatus | None = None) -> tuple[OutboxEntry, ...]:
        c = self._t["outbox"].c
        where = () if status is None else (c.status == status.value,)
        by = lambda r: (r.next_attempt_us, r.key)  # noqa: E731
        return self._select("outbox", OutboxEntry, *where, key=by)

    def claim_outbox(self, now: datetime, limit: int, lease: timedelta) -> tuple[OutboxEntry, ...]:
        sa = self._sa
        t = self._t["outbox"]
        query = (
            sa.select(t)
            .where(t.c.status.in_(("pending", "in_flight")), t.c.next_attempt_us <= micros(now))
            .order_by(t.c.next_attempt_us, t.c.key)
            .limit(max(0, limit))
        )
        if self._dialect != "sqlite":
            query = query.with_for_update(skip_locked=True)
        with self._transaction() as db:
            rows = db.execute(query).all()
            rows.sort(key=lambda r: (r.next_attempt_us, r.key))
            stored = decode_all([r.payload for r in rows], OutboxEntry, "outbox")
            claimed = tuple(entry.claimed(now, lease) for entry in stored)
            for entry in claimed:
                row = outbox_row(entry, encode)
                db.execute(t.update().where(t.c.key == entry.key).values(**row))
        return claimed

    def settle_outbox(self, entry: OutboxEntry) -> bool:
        t = self._t["outbox"]
        row = outbox_row(entry, encode)
        with self._transaction() as db:
            result = db.execute(
                t.update()
                .where(
                    t.c.key == entry.key,
                    t.c.status == OutboxStatus.IN_FLIGHT.value,
                    t.c.attempts == entry.attempts,
                )
                .values(**row)
            )
            return bool(result.rowcount == 1)
