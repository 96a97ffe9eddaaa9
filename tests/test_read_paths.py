"""A use case gives the same answer from a loaded book as from the store it came from.

The services read a store through its bulk reads (order totals summed by the database,
each account's last call picked by it); given a ``book``, they compute the same figures
from its records. Both paths must agree, on every store, for books whose orders are in
several currencies and whose interactions carry several UTC offsets.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

from accountcare.adapters.memory import MemoryStore
from accountcare.adapters.sqlite import SqliteStore
from accountcare.domain import Account, Contact, Interaction, InteractionKind, Order
from accountcare.domain.book import Book
from accountcare.errors import ConfigurationError
from accountcare.ports.store import Batch, Store
from accountcare.sample import sample_book
from accountcare.services.book import load_book, save_book
from accountcare.services.care import schedule_and_enqueue
from accountcare.services.importing import import_accounts
from accountcare.services.tiering import tier_values

AS_OF = date(2026, 11, 2)
RATES = {"USD": Decimal(1), "CNY": Decimal("0.138"), "KRW": Decimal("0.00072")}
SEOUL, SHANGHAI = timezone(timedelta(hours=9)), timezone(timedelta(hours=8))


def _book() -> Book:
    """A sample book with orders in three currencies and calls made in Seoul and
    Shanghai, some late in the evening UTC (the next morning there)."""
    book = sample_book(accounts=40, as_of=AS_OF)
    orders = [
        attrs.evolve(o, currency=("USD", "CNY", "KRW")[n % 3], amount=o.amount * (n % 3 + 1))
        for n, o in enumerate(book.orders)
    ]
    zones = (SEOUL, SHANGHAI, UTC)
    interactions = [
        attrs.evolve(i, occurred_at=i.occurred_at.astimezone(zones[n % 3]))
        for n, i in enumerate(book.interactions)
    ]
    late = [
        Interaction(
            f"late-{a.id}",
            a.id,
            datetime(2026, 10, 30, 23, 30, tzinfo=UTC).astimezone(SEOUL),
            InteractionKind.CALL,
            by="rep-01",
        )
        for a in book.accounts[::4]
    ]
    return attrs.evolve(book, orders=orders, interactions=[*interactions, *late])


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "memory":
        yield MemoryStore()
    elif request.param == "sqlite":
        with SqliteStore(tmp_path / "book.sqlite3") as sqlite:
            yield sqlite
    else:
        server: Any = request.getfixturevalue("postgres_store")
        server.clear()
        yield server
        server.clear()


@pytest.mark.parametrize("method", ["abc", "rank", "profit", "score"])
def test_tier_values_from_the_store_equal_those_from_the_book(store: Store, method: str) -> None:
    book = _book()
    save_book(store, book)
    from_store = tier_values(store, method, as_of=AS_OF, rates=RATES)
    from_book = tier_values(book, method, as_of=AS_OF, rates=RATES)
    assert from_store == from_book
    assert len(from_store) == len(book.accounts)


def test_several_currencies_without_rates_fail_alike_from_store_and_book(store: Store) -> None:
    book = _book()
    save_book(store, book)
    with pytest.raises(ConfigurationError) as from_store:
        tier_values(store, "abc", as_of=AS_OF)
    with pytest.raises(ConfigurationError) as from_book:
        tier_values(book, "abc", as_of=AS_OF)
    assert str(from_store.value) == str(from_book.value)
    assert "give rates" in str(from_store.value)


def test_care_from_the_store_equals_care_from_the_loaded_book(store: Store) -> None:
    book = _book()
    save_book(store, book)
    tiers = {a.id: "A" for a in book.accounts}
    loaded = load_book(store)
    assert loaded == book
    kwargs: dict[str, Any] = {"start": AS_OF, "end": date(2026, 12, 2), "tiers": tiers}
    given = schedule_and_enqueue(store, name="with-book", book=loaded, enqueue=False, **kwargs)
    read = schedule_and_enqueue(store, name="from-store", enqueue=False, **kwargs)
    assert read.schedule.tasks == given.schedule.tasks
    assert read.schedule.dropped == given.schedule.dropped
    calls = [t for t in read.schedule.tasks if t.kind.value == "relationship_call"]
    assert calls, "the book's calls anchor relationship calls in the window"


def test_adopting_many_accounts_moves_every_record_in_one_read_of_each_kind(
    tmp_path: Path,
) -> None:
    """An ERP file adopting the accounts a phone export made moves all their records."""
    with SqliteStore(tmp_path / "book.sqlite3") as store:
        phone = [Account(id=f"a-{n:03d}", name=f"Company {n}") for n in range(30)]
        store.write(
            Batch(
                accounts=phone,
                contacts=[
                    Contact(id=f"c-{n}", account_id=f"a-{n:03d}", name=f"P{n}") for n in range(30)
                ],
                orders=[
                    Order(f"o-{n}", f"a-{n:03d}", date(2026, 5, 1), Decimal(n)) for n in range(30)
                ],
            )
        )
        statements: list[str] = []
        store._db.set_trace_callback(statements.append)
        from accountcare.adapters.importers import ImportReport

        erp = ImportReport(
            accounts=tuple(Account(id=f"C{n:04d}", name=f"Company {n} Ltd.") for n in range(30))
        )
        result = import_accounts(store, erp)
        store._db.set_trace_callback(None)
        assert len(result.adopted) == 30
        assert [a.id for a in store.accounts()] == [f"C{n:04d}" for n in range(30)]
        assert {c.account_id for c in store.contacts_of()} == {f"C{n:04d}" for n in range(30)}
        assert len(store.orders_of([f"C{n:04d}" for n in range(30)])) == 30
        reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
        assert len(reads) < 20, f"{len(reads)} reads for 30 adopted accounts"


def test_an_id_longer_than_any_stored_is_not_cut_to_one_that_is(store: Store) -> None:
    long = "x" * 255
    store.write(
        Batch(
            accounts=[Account(id=long, name="Long")],
            contacts=[Contact(id="c-1", account_id=long, name="Li")],
        )
    )
    assert store.contacts_of([long + "b"]) == ()
    assert [c.id for c in store.contacts_of([long])] == ["c-1"]
    assert store.queued_keys(["k" * 512 + "x"]) == frozenset()
