"""The tables of the SQL server store, for a host that joins, reports on, or migrates
beside them (extra ``sql``).

[`metadata`][accountcare.adapters.sql_schema.metadata] gives the tables of
[`SqlStore`][accountcare.adapters.sql.SqlStore] as SQLAlchemy ``Table`` s: each holds the
record as JSON in ``payload`` (``JSONB`` on PostgreSQL), which stays the record, and
beside it the indexed columns a host queries (an account's ``name``, ``owner`` and
``stage``, an order's ``amount``, ``margin`` and ``currency``, an interaction's
``kind``...). Every write fills them from the record it writes; the store itself reads
records from ``payload`` only, so a column can never contradict a record the library
returns.

[`include_object`][accountcare.adapters.sql_schema.include_object] keeps a host's Alembic
autogenerate away from these tables: the store creates and upgrades them itself.

>>> orders = metadata("crm_").tables["crm_orders"]
>>> [c.name for c in orders.columns]
['id', 'account_id', 'ordered_on', 'amount', 'margin', 'currency', 'payload']
>>> str(orders.c.amount.type), orders.c.margin.nullable
('NUMERIC(22, 6)', True)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from accountcare._imports import require
from accountcare.adapters._schema import LIMITS

if TYPE_CHECKING:
    from sqlalchemy import MetaData

__all__ = [
    "DEFAULT_PREFIX",
    "MARIADB_COLLATION",
    "MYSQL_COLLATION",
    "IncludeObject",
    "include_object",
    "metadata",
]

#: The prefix of the store's table names unless the host chooses another.
DEFAULT_PREFIX = "accountcare_"
#: The collation of the tables on MariaDB: binary and NO PAD, so that ids compare exactly
#: (``"acme "`` is not ``"acme"``, nor ``"ACME"``), as on PostgreSQL and SQLite.
MARIADB_COLLATION = "utf8mb4_nopad_bin"
#: The same on MySQL 8, whose binary ``utf8mb4_0900_bin`` is NO PAD.
MYSQL_COLLATION = "utf8mb4_0900_bin"

#: Alembic's ``include_object`` hook: ``(object, name, type_, reflected, compare_to)``.
IncludeObject = Callable[[Any, str | None, str, bool, Any], bool]

_ID = LIMITS["id"]
#: Money columns: every amount the domain accepts (at most 1e15, six places) fits.
_MONEY = (22, 6)


def metadata(prefix: str = DEFAULT_PREFIX, *, mysql_collation: str = MARIADB_COLLATION) -> MetaData:
    """The store's tables, named ``{prefix}accounts`` and so on, in a fresh ``MetaData``.

    On MariaDB/MySQL the tables are ``utf8mb4`` with the collation ``mysql_collation``:
    ``MARIADB_COLLATION`` (``utf8mb4_nopad_bin``) unless told, ``MYSQL_COLLATION``
    (``utf8mb4_0900_bin``) for MySQL 8
    ([`SqlStore`][accountcare.adapters.sql.SqlStore] picks the one of its server). Both
    are binary and NO PAD: ids that differ only by case or by trailing spaces are
    different keys, as on PostgreSQL and SQLite. (A PAD SPACE collation such as
    ``utf8mb4_bin`` would make ``"acme "`` the row of ``"acme"``.) Other databases ignore
    the argument.

    Every table but ``{prefix}schema`` ends with the record's ``payload``. Besides the
    keys, the columns a host queries:

    - ``accounts``: ``name`` (the first 255 characters of the name, indexed), ``owner``
      (indexed), ``stage``, ``cooperation_since`` (a ``DATE``), ``updated_at`` (a
      ``TIMESTAMP WITH TIME ZONE``, ``DATETIME(6)`` in UTC on MariaDB/MySQL) and
      ``updated_us`` (microseconds since 1970 UTC, indexed);
    - ``contacts``: ``account_id``, ``name`` (first 255 characters), ``opted_out``;
    - ``orders``: ``account_id``, ``ordered_on`` (ISO text), ``amount`` and ``margin``
      (``NUMERIC(22, 6)``; ``margin`` is NULL when unknown), ``currency``; indexed by
      (``account_id``, ``ordered_on``);
    - ``interactions``: ``account_id``, ``occurred_us``, ``kind``, ``contact_id``;
      indexed by (``kind``, ``account_id``, ``occurred_us``);
    - ``complaints``: ``account_id``, ``opened_us``, ``severity``, ``closed_us`` (NULL
      while open);
    - ``tier_assignments``: ``policy``, ``as_of``, ``account_id``, ``tier``;
    - ``outbox``: ``key``, ``status``, ``channel``, ``next_attempt_us``, ``attempts``.

    Instants named ``*_us`` are whole microseconds since 1970 UTC; dates named ``*_on``
    and ``as_of`` are ISO ``YYYY-MM-DD`` text. New NOT NULL columns carry a server
    default (``''``, ``0``, false) only so that older tables can gain them in one
    statement on every database; every write fills them.

    >>> meta = metadata()
    >>> accounts = meta.tables["accountcare_accounts"]
    >>> [c.name for c in accounts.columns]
    ['id', 'owner', 'updated_us', 'name', 'stage', 'cooperation_since', 'updated_at', 'payload']
    >>> sorted(i.name for i in meta.tables["accountcare_interactions"].indexes)
    ['ix_accountcare_interactions_account_id', 'ix_accountcare_interactions_by_kind']
    >>> accounts.kwargs["mysql_collate"]
    'utf8mb4_nopad_bin'
    >>> mysql = metadata(mysql_collation=MYSQL_COLLATION)
    >>> mysql.tables["accountcare_accounts"].kwargs["mysql_collate"]
    'utf8mb4_0900_bin'
    """
    sa = require("sqlalchemy", "sql")
    from sqlalchemy.dialects.mysql import DATETIME
    from sqlalchemy.dialects.postgresql import JSONB

    meta: MetaData = sa.MetaData()
    payload = sa.JSON().with_variant(JSONB(), "postgresql")
    # MariaDB/MySQL keep no zone: the instant is stored in UTC, to the microsecond.
    instant_at = sa.DateTime(timezone=True).with_variant(DATETIME(fsp=6), "mysql", "mariadb")
    # A binary NO PAD collation on MariaDB/MySQL: ids compare exactly, as everywhere else.
    options = {"mysql_charset": "utf8mb4", "mysql_collate": mysql_collation}
    text, instant = sa.String, sa.BigInteger
    blank, zero = sa.text("''"), sa.text("0")

    def table(name: str, *columns: Any) -> None:
        last = sa.Column("payload", payload, nullable=False)
        sa.Table(f"{prefix}{name}", meta, *columns, last, **options)

    def account(**how: bool) -> Any:
        key = sa.ForeignKey(f"{prefix}accounts.id", ondelete="CASCADE")
        return sa.Column("account_id", text(_ID), key, **how)

    def required(name: str, kind: Any, default: Any) -> Any:
        return sa.Column(name, kind, nullable=False, server_default=default)

    table("accounts", sa.Column("id", text(_ID), primary_key=True),
          sa.Column("owner", text(_ID), index=True),
          sa.Column("updated_us", instant, index=True),
          required("name", text(_ID), blank),
          required("stage", text(16), blank),
          sa.Column("cooperation_since", sa.Date),
          sa.Column("updated_at", instant_at),
          sa.Index(f"ix_{prefix}accounts_name", "name"))  # fmt: skip
    for name, extra in (
        ("contacts", (required("name", text(_ID), blank),
                      required("opted_out", sa.Boolean, sa.false()))),
        ("orders", (sa.Column("ordered_on", text(10), nullable=False, index=True),
                    required("amount", sa.Numeric(*_MONEY), zero),
                    sa.Column("margin", sa.Numeric(*_MONEY)),
                    required("currency", text(3), blank),
                    sa.Index(f"ix_{prefix}orders_by_account", "account_id", "ordered_on"))),
        ("interactions", (sa.Column("occurred_us", instant, nullable=False),
                          required("kind", text(16), blank),
                          sa.Column("contact_id", sa.Text),
                          sa.Index(f"ix_{prefix}interactions_by_kind", "kind", "account_id",
                                   "occurred_us"))),
        ("complaints", (sa.Column("opened_us", instant, nullable=False),
                        required("severity", text(16), blank),
                        sa.Column("closed_us", instant))),
    ):  # fmt: skip
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


def include_object(prefix: str = DEFAULT_PREFIX) -> IncludeObject:
    """A filter for Alembic's ``include_object`` hook that leaves out the store's tables
    of ``prefix`` and everything on them (columns, indexes, constraints), so that a
    host's autogenerate never proposes to drop or alter them.

    A table is the store's when its name starts with ``prefix`` (the tables of this
    version, of an older one, or of a newer one) or is one of
    [`metadata`][accountcare.adapters.sql_schema.metadata]'s; a column, index or
    constraint when its table is, or when it is an index or constraint
    [`metadata`][accountcare.adapters.sql_schema.metadata] declares. Anything else is
    left to the host. In the host's ``env.py``:
    ``context.configure(..., include_object=include_object("accountcare_"))``.

    >>> keep = include_object()
    >>> keep(None, "accountcare_orders", "table", True, None)
    False
    >>> keep(None, "invoices", "table", True, None)
    True
    """
    ours = metadata(prefix)
    tables = frozenset(ours.tables)
    owned = frozenset(
        str(name)
        for table in ours.tables.values()
        for name in (
            *(index.name for index in table.indexes),
            *(constraint.name for constraint in table.constraints),
        )
        if name
    )

    def mine(table: str | None) -> bool:
        return table is not None and (table.startswith(prefix) or table in tables)

    def include(
        object_: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
    ) -> bool:
        if type_ == "table":
            return not mine(name)
        table = getattr(getattr(object_, "table", None), "name", None)
        if mine(table):
            return False
        return not (type_ != "column" and name is not None and name in owned)

    return include
