"""The SQL store's public schema: its tables as a host sees them, the columns beside
each payload (filled by every write, always what the payload says), the Alembic filter
that keeps a host's autogenerate away from them, and the host queries of
docs/sql-schema.md, run on PostgreSQL."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accountcare.adapters._rows import HOST_COLUMNS, HOST_KINDS, decode, host_values
from accountcare.adapters.sql import SqlStore
from accountcare.adapters.sql_schema import include_object, metadata
from accountcare.domain.accounts import Account, LifecycleStage
from accountcare.domain.activity import Interaction, InteractionKind, Order
from accountcare.domain.contacts import Contact
from accountcare.ports.store import Batch
from accountcare.testing import storable

sa = pytest.importorskip("sqlalchemy")

PAGE = (Path(__file__).parent.parent / "docs" / "sql-schema.md").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", PAGE, flags=re.S)


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres_store", marks=pytest.mark.servers),
        pytest.param("mariadb_store", marks=pytest.mark.servers),
    ]
)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    """A store with tables of its own, on each database."""
    if request.param == "sqlite":
        engine = sa.create_engine(f"sqlite:///{tmp_path / 'book.db'}")
    else:
        engine = request.getfixturevalue(request.param).engine
    made = SqlStore(engine, prefix=f"t_schema_{uuid.uuid4().hex[:8]}_")
    try:
        yield made
    finally:
        made.drop()


def _columns(store: SqlStore, name: str) -> dict[str, tuple[Any, ...]]:
    """The host columns of table ``name``, by id, with naive datetimes read as UTC."""
    t = store.metadata.tables[f"{store._prefix}{name}"]

    def utc(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value

    query = sa.select(t.c.id, *(t.c[c] for c in HOST_COLUMNS[name]))
    with store.engine.connect() as db:
        return {r[0]: tuple(utc(v) for v in r[1:]) for r in db.execute(query)}


def test_the_store_and_the_module_declare_the_same_tables() -> None:
    store = SqlStore("sqlite://", prefix="crm_")
    declared = metadata("crm_")
    assert sorted(store.metadata.tables) == sorted(declared.tables)
    for name, table in declared.tables.items():
        mine = store.metadata.tables[name]
        assert [(c.name, str(c.type), c.nullable) for c in mine.columns] == [
            (c.name, str(c.type), c.nullable) for c in table.columns
        ]
        assert sorted(str(i.name) for i in mine.indexes) == sorted(
            str(i.name) for i in table.indexes
        )
    assert all(name.startswith("crm_") for name in declared.tables)
    store.close()


def test_the_columns_a_host_queries_have_the_types_it_joins_on() -> None:
    tables = metadata().tables
    orders, interactions = tables["accountcare_orders"], tables["accountcare_interactions"]
    assert (str(orders.c.amount.type), orders.c.amount.nullable) == ("NUMERIC(22, 6)", False)
    assert (str(orders.c.margin.type), orders.c.margin.nullable) == ("NUMERIC(22, 6)", True)
    assert (str(orders.c.currency.type), orders.c.currency.nullable) == ("VARCHAR(3)", False)
    by_account = {tuple(c.name for c in i.columns) for i in orders.indexes}
    assert ("account_id", "ordered_on") in by_account
    assert (str(interactions.c.kind.type), interactions.c.kind.nullable) == ("VARCHAR(16)", False)
    by_kind = {tuple(c.name for c in i.columns) for i in interactions.indexes}
    assert ("kind", "account_id", "occurred_us") in by_kind
    accounts = tables["accountcare_accounts"]
    assert ("name",) in {tuple(c.name for c in i.columns) for i in accounts.indexes}
    assert isinstance(accounts.c.cooperation_since.type, sa.Date)
    assert isinstance(accounts.c.updated_at.type, sa.DateTime)
    assert accounts.c.updated_at.type.timezone
    assert isinstance(tables["accountcare_contacts"].c.opted_out.type, sa.Boolean)


def test_every_write_fills_the_columns_and_a_rewrite_replaces_them(store: SqlStore) -> None:
    acme = Account(id="acme", name="Acme", owner="rep-li", cooperation_since=date(2019, 3, 1))
    kim = Contact(id="kim", account_id="acme", name="김서")
    order = Order("o-1", "acme", date(2027, 1, 5), Decimal("100.50"), currency="CNY")
    call = Interaction("i-1", "acme", datetime(2027, 1, 6, tzinfo=UTC), InteractionKind.CALL, "li")
    store.write(Batch(accounts=[acme], contacts=[kim], orders=[order], interactions=[call]))
    assert _columns(store, "accounts") == {"acme": ("Acme", "customer", date(2019, 3, 1), None)}
    assert _columns(store, "contacts") == {"kim": ("김서", False)}
    assert _columns(store, "orders") == {"o-1": (Decimal("100.5"), None, "CNY")}
    assert _columns(store, "interactions") == {"i-1": ("call", None)}
    at = datetime(2027, 2, 1, 8, tzinfo=UTC)
    renamed = Account(id="acme", name="Acme Ltd", stage=LifecycleStage.DORMANT, updated_at=at)
    store.write(
        Batch(
            accounts=[renamed],
            contacts=[Contact(id="kim", account_id="acme", name="Kim Seo", opted_out=True)],
            orders=[Order("o-1", "acme", date(2027, 1, 5), Decimal(-3), Decimal(1), "KRW")],
        )
    )
    assert _columns(store, "accounts") == {"acme": ("Acme Ltd", "dormant", None, at)}
    assert _columns(store, "contacts") == {"kim": ("Kim Seo", True)}
    assert _columns(store, "orders") == {"o-1": (Decimal(-3), Decimal(1), "KRW")}


def _columns_say_what_payloads_say(store: SqlStore) -> None:
    """Each row's host columns are what a write makes of the record in its payload."""
    real = store.engine.dialect.name == "sqlite"
    with store.engine.connect() as db:
        for name, kind in HOST_KINDS.items():
            t = store.metadata.tables[f"{store._prefix}{name}"]
            columns = [t.c[c] for c in HOST_COLUMNS[name]]
            for row in db.execute(sa.select(t.c.payload, *columns)):
                wanted = host_values(decode(row[0], kind, "test"))
                for got, want in zip(tuple(row[1:]), wanted, strict=True):
                    if isinstance(want, Decimal) and real:  # SQLite's NUMERIC is a REAL
                        assert float(got) == float(want)
                    elif isinstance(want, datetime) and got.tzinfo is None:
                        assert got.replace(tzinfo=UTC) == want  # UTC, without a zone
                    else:
                        assert got == want


# Ids unique even without trailing spaces: MariaDB's utf8mb4_bin compares "a " equal to
# "a" (a limit of the key columns, not of the columns tested here).
_BOOK = {
    "account": storable.accounts(st.just("acme")),
    "contacts": st.lists(storable.contacts("acme"), max_size=3, unique_by=lambda c: c.id.rstrip()),
    "orders": st.lists(storable.orders("acme"), max_size=3, unique_by=lambda o: o.id.rstrip()),
    "interactions": st.lists(
        storable.interactions("acme"), max_size=3, unique_by=lambda i: i.id.rstrip()
    ),
    "complaints": st.lists(
        storable.complaints("acme"), max_size=3, unique_by=lambda k: k.id.rstrip()
    ),
}
_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@_SETTINGS
@given(**_BOOK)
def test_the_columns_always_say_what_the_payload_says(
    account: Account, contacts: Any, orders: Any, interactions: Any, complaints: Any
) -> None:
    store = SqlStore("sqlite://")
    store.write(Batch(accounts=[account], contacts=contacts, orders=orders,
                      interactions=interactions, complaints=complaints))  # fmt: skip
    _columns_say_what_payloads_say(store)
    store.close()


@pytest.mark.servers
@pytest.mark.parametrize("server", ["postgres_store", "mariadb_store"])
def test_the_columns_always_say_what_the_payload_says_on_a_server(
    server: str, request: pytest.FixtureRequest
) -> None:
    shared = request.getfixturevalue(server)
    store = SqlStore(shared.engine, prefix=f"t_schema_{uuid.uuid4().hex[:8]}_")

    @_SETTINGS
    @given(**_BOOK)
    def check(
        account: Account, contacts: Any, orders: Any, interactions: Any, complaints: Any
    ) -> None:
        store.clear()
        store.write(Batch(accounts=[account], contacts=contacts, orders=orders,
                          interactions=interactions, complaints=complaints))  # fmt: skip
        _columns_say_what_payloads_say(store)

    try:
        check()
    finally:
        store.drop()


def test_a_name_longer_than_the_column_is_cut_there_and_kept_whole(store: SqlStore) -> None:
    long = "Umbrella Industries Holding " * 12
    store.write(Batch(accounts=[Account(id="u", name=long)]))
    assert _columns(store, "accounts")["u"][0] == long[:255]
    assert store.account("u") == Account(id="u", name=long)


# -- Alembic ------------------------------------------------------------------


def _host_metadata(name: str) -> Any:
    """A host's own tables, as its models declare them."""
    meta = sa.MetaData()
    sa.Table(name, meta, sa.Column("id", sa.String(255), primary_key=True),
             sa.Column("credit_limit", sa.Numeric(12, 2)),
             sa.Column("region", sa.String(40), index=True))  # fmt: skip
    return meta


def _touched(ops: list[Any]) -> set[str]:
    """The tables a list of Alembic diffs touches."""
    names: set[str] = set()

    def walk(op: Any) -> None:
        if isinstance(op, list):
            for item in op:
                walk(item)
            return
        for part in op[1:] if isinstance(op, tuple) else ():
            table = getattr(part, "table", None)
            if isinstance(part, sa.Table):
                names.add(part.name)
            elif table is not None and getattr(table, "name", None):
                names.add(table.name)
            elif isinstance(part, str) and part.startswith(("t_schema_", "t_host_")):
                names.add(part)

    walk(ops)
    return names


def test_autogenerate_with_the_filter_never_touches_the_stores_tables(store: SqlStore) -> None:
    alembic = pytest.importorskip("alembic.autogenerate")
    from alembic.runtime.migration import MigrationContext

    host = f"t_host_{uuid.uuid4().hex[:8]}"
    made = _host_metadata(host)
    made.create_all(store.engine)
    # The host's models changed since: one more column, and a table it lacks.
    wanted = _host_metadata(host)
    wanted.tables[host].append_column(sa.Column("tier_note", sa.String(80)))
    sa.Table(f"{host}_visits", wanted, sa.Column("id", sa.Integer, primary_key=True))
    ours = set(store.metadata.tables)
    try:
        with store.engine.connect() as db:
            plain = MigrationContext.configure(db)
            without = alembic.compare_metadata(plain, wanted)
            keep = include_object(store._prefix)
            filtered = MigrationContext.configure(db, opts={"include_object": keep})
            with_filter = alembic.compare_metadata(filtered, wanted)
        assert ours <= _touched(without)  # unfiltered, it would drop every table of ours
        assert not (_touched(with_filter) & ours)
        assert not any(name.startswith(store._prefix) for name in _touched(with_filter))
        # The host's own changes still show (the shared test database holds other
        # tables too, which a real host's filter would name as well).
        hosts = {host, f"{host}_visits"}
        kinds = sorted(
            op[0] if isinstance(op, tuple) else op[0][0]
            for op in with_filter
            if _touched([op]) & hosts
        )
        assert kinds == ["add_column", "add_table"]
    finally:
        made.drop_all(store.engine)


def test_the_filter_leaves_the_hosts_objects_in_and_ours_out() -> None:
    keep = include_object("crm_")
    ours = metadata("crm_")
    for table in ours.tables.values():
        assert not keep(table, table.name, "table", False, None)
        for column in table.columns:
            assert not keep(column, column.name, "column", True, None)
        for index in table.indexes:
            assert not keep(index, index.name, "index", True, None)
        for constraint in table.foreign_key_constraints:
            assert not keep(constraint, constraint.name, "foreign_key_constraint", True, None)
    # A table of an older or newer version of the store is ours too, by its prefix.
    assert not keep(None, "crm_upgrading", "table", True, None)
    host = _host_metadata("invoices")
    invoices = host.tables["invoices"]
    assert keep(invoices, "invoices", "table", True, None)
    assert keep(invoices.c.region, "region", "column", True, None)
    (index,) = invoices.indexes
    assert keep(index, index.name, "index", True, None)
    # The default prefix leaves a host table named like another prefix's alone.
    assert include_object()(invoices, "crm_accounts", "table", True, None)


# -- docs/sql-schema.md -------------------------------------------------------


def test_the_pages_python_runs_as_shown() -> None:
    (first, *_) = _blocks("python")
    printed: list[str] = []
    exec(first, {"print": lambda *a: printed.append(" ".join(map(str, a)))})
    shown = re.search(r"# (\[.*\])", first)
    assert shown is not None
    assert printed == [shown.group(1)]


@pytest.mark.servers
def test_the_pages_host_queries_run_on_postgresql(postgres_store: Any) -> None:
    prefix = f"t_schema_{uuid.uuid4().hex[:8]}_"
    host = f"t_host_{uuid.uuid4().hex[:8]}"
    store = SqlStore(postgres_store.engine, prefix=prefix)
    customers = sa.Table(host, sa.MetaData(), sa.Column("id", sa.String(255), primary_key=True),
                         sa.Column("credit_limit", sa.Numeric(12, 2)))  # fmt: skip
    customers.create(store.engine)
    try:
        store.write(
            Batch(
                accounts=[
                    Account(id="acme", name="Acme", owner="rep-li"),
                    Account(
                        id="globex", name="Globex", owner="rep-kim", stage=LifecycleStage.DORMANT
                    ),
                    Account(id="hooli", name="Hooli", owner="rep-li"),
                ],
                orders=[
                    Order("o-1", "acme", date(2027, 1, 5), Decimal("100.50"), currency="CNY"),
                    Order("o-2", "hooli", date(2027, 1, 6), Decimal("0.25"), currency="CNY"),
                    Order("o-3", "hooli", date(2027, 1, 7), Decimal("7"), currency="USD"),
                    Order(
                        "o-4",
                        "globex",
                        date(2027, 1, 8),
                        Decimal("999999999999999.999999"),
                        currency="USD",
                    ),
                ],
            )
        )
        with store.engine.begin() as db:
            limits = [("acme", Decimal(5000)), ("globex", Decimal(10)), ("not-in-the-book", None)]
            db.execute(customers.insert(), [{"id": i, "credit_limit": c} for i, c in limits])
        join, totals = _blocks("sql")

        def run(query: str) -> list[tuple[Any, ...]]:
            query = query.replace("accountcare_", prefix).replace("crm_customers", host)
            with store.engine.connect() as db:
                return [tuple(r) for r in db.execute(sa.text(query))]

        assert run(join) == [
            ("acme", Decimal("5000.00"), "Acme", "customer", "rep-li"),
            ("globex", Decimal("10.00"), "Globex", "dormant", "rep-kim"),
        ]
        assert run(totals) == [
            ("rep-kim", "USD", 1, Decimal("999999999999999.999999")),
            ("rep-li", "CNY", 2, Decimal("100.750000")),
            ("rep-li", "USD", 1, Decimal("7.000000")),
        ]
    finally:
        customers.drop(store.engine)
        store.drop()
