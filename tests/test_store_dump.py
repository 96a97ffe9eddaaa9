"""store_dump: one canonical text of what a store holds, the same for the same records
whatever their order of writing, the kind of store, or the process's string hashing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accountcare.adapters.memory import MemoryStore
from accountcare.adapters.sqlite import SqliteStore
from accountcare.domain import Account, Channel, Contact, Message, Order, Recipient
from accountcare.domain.care import CareKind, CareSchedule, CareTask
from accountcare.domain.contacts import ConsentAction, ConsentEvent
from accountcare.domain.team import Company, Rep
from accountcare.domain.visits import Visit, VisitPlan, VisitPurpose
from accountcare.domain.warnings import LostAccountReview, RootCause
from accountcare.ports.store import Batch
from accountcare.testing import storable, store_dump

AT = datetime(2027, 3, 1, 9, tzinfo=UTC)


def _book() -> Batch:
    task = CareTask("c-1", "acme", date(2027, 3, 2), time(9), "Asia/Seoul", Channel.SMS,
                    CareKind.BIRTHDAY, "birthday")  # fmt: skip
    given = ConsentEvent(date(2026, 5, 2), ConsentAction.GIVEN, "contacts.csv line 7",
                         channels={Channel.EMAIL, Channel.SMS, Channel.MESSENGER})  # fmt: skip
    return Batch(
        accounts=[
            Account(id="acme", name="Acme", tags={"vip", "east", "group", "王"}),
            Account(id="beta", name="Beta"),
        ],
        contacts=[
            Contact(id="c-2", account_id="acme", name="Kim").recording(given),
            Contact(id="c-1", account_id="beta", name="王伟", consents={Channel.EMAIL}),
        ],
        orders=[
            Order(id="o-2", account_id="acme", ordered_on=date(2027, 1, 2), amount=Decimal("1.10")),
            Order(id="o-1", account_id="acme", ordered_on=date(2027, 1, 2), amount=Decimal("3")),
        ],
        visit_plans={
            "current": VisitPlan(
                date(2027, 3, 1),
                date(2027, 3, 8),
                visits=[Visit("acme", "rep-li", date(2027, 3, 2), VisitPurpose.ROUTINE)],
            ),
            "other": VisitPlan(date(2027, 4, 1), date(2027, 4, 8)),
        },
        care_schedules={"current": CareSchedule(date(2027, 3, 1), date(2027, 4, 1), tasks=[task])},
        outbox=[
            Message("k-2", Channel.EMAIL, Recipient("c-2", "Kim", "kim@x.kr"), "s", "t", AT),
            Message("k-1", Channel.SMS, Recipient("c-1", "王伟", "+86 138"), "s", "t", AT),
        ],
        reps=[Rep(id="rep-li", name="Li Na", names={"zh": "李娜", "ko": "리나"})],
        company=Company("Globex", names={"ko": "글로벡스", "zh": "环球"}),
        loss_reviews=[
            LostAccountReview(
                "beta", RootCause.SERVICE, "no reply for a week", "rep-li", date(2027, 2, 1)
            ),
            LostAccountReview(
                "beta", RootCause.PRICE, "a cheaper offer", "rep-li", date(2027, 1, 5)
            ),
        ],
    )


def _pieces(batch: Batch) -> list[Batch]:
    """The records of ``batch`` as batches of one record each (accounts first)."""
    out = [Batch(accounts=[a]) for a in batch.accounts]
    out += [Batch(contacts=[c]) for c in batch.contacts]
    out += [Batch(orders=[o]) for o in batch.orders]
    out += [Batch(outbox=[m]) for m in batch.outbox]
    out += [Batch(reps=[r]) for r in batch.reps]
    out += [Batch(visit_plans=[p]) for p in batch.visit_plans]
    out += [Batch(care_schedules=[s]) for s in batch.care_schedules]
    out += [Batch(loss_reviews=[r]) for r in batch.loss_reviews]
    return [*out, Batch(company=batch.company)]


def test_the_dump_lists_everything_in_its_order_with_sets_sorted() -> None:
    store = MemoryStore()
    store.write(_book())
    lines = [json.loads(line) for line in store_dump(store).splitlines()]
    named = [(line["kind"], line["value"].get("id")) for line in lines]
    assert named == [
        ("company", None),
        ("rep", "rep-li"),
        ("account", "acme"),
        ("contact", "c-2"),
        ("order", "o-1"),
        ("order", "o-2"),
        ("account", "beta"),
        ("contact", "c-1"),
        ("loss_review", None),
        ("loss_review", None),
        ("outbox_entry", None),
        ("outbox_entry", None),
        ("visit_plan", None),
        ("care_schedule", None),
    ]  # fmt: skip
    acme, kim = lines[2]["value"], lines[3]["value"]
    assert acme["tags"] == ["east", "group", "vip", "王"]
    assert kim["consents"] == ["email", "messenger", "sms"]
    assert kim["consent_log"][0]["channels"] == ["email", "messenger", "sms"]
    assert [line["value"]["amount"] for line in lines[4:6]] == ["3", "1.10"]
    assert [line["value"]["found_on"] for line in lines[8:10]] == ["2027-01-05", "2027-02-01"]
    assert [line["value"]["message"]["key"] for line in lines[10:12]] == ["k-1", "k-2"]
    assert lines[12]["value"]["end"] == "2027-03-08"  # "current", not "other"
    assert lines[0]["value"] == {"name": "Globex", "names": {"ko": "글로벡스", "zh": "环球"}}


def test_a_record_that_differs_changes_the_dump() -> None:
    one, other = MemoryStore(), MemoryStore()
    one.write(_book())
    other.write(_book())
    assert store_dump(one) == store_dump(other)
    (order, *_) = _book().orders
    other.write(Batch(orders=[attrs.evolve(order, amount=Decimal("1.1"))]))  # 1.10 was stored
    assert store_dump(one) != store_dump(other)


def test_memory_and_sqlite_holding_the_same_book_dump_alike(tmp_path: Path) -> None:
    memory = MemoryStore()
    memory.write(_book())
    pieces, first = _pieces(_book()), len(_book().accounts)
    with SqliteStore(tmp_path / "book.sqlite3") as sqlite:
        for piece in [*pieces[:first], *reversed(pieces[first:])]:
            sqlite.write(piece)
        assert store_dump(sqlite) == store_dump(memory)


def test_the_dump_is_the_same_whatever_the_string_hashing(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import sys
        sys.path.insert(0, sys.argv[1])
        from test_store_dump import _book
        from accountcare.adapters.memory import MemoryStore
        from accountcare.testing import store_dump
        store = MemoryStore()
        store.write(_book())
        sys.stdout.write(store_dump(store))
        """
    )
    dumps = set()
    for seed in ("0", "1", "2", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        child = subprocess.run(
            [sys.executable, "-c", script, str(Path(__file__).parent)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        dumps.add(child.stdout)
    assert len(dumps) == 1
    store = MemoryStore()
    store.write(_book())
    assert dumps == {store_dump(store)}


_SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))


@st.composite
def _books(draw: st.DrawFn) -> Batch:
    accounts = draw(st.lists(storable.accounts(), min_size=1, max_size=3, unique_by=_id))
    contacts: list[Contact] = []
    orders: list[Order] = []
    for account in accounts:
        contacts += draw(st.lists(storable.contacts(account.id), max_size=2, unique_by=_id))
        orders += draw(st.lists(storable.orders(account.id), max_size=2, unique_by=_id))
    # Ids unique across accounts: a later record with an id replaces an earlier one.
    contacts = list({c.id: c for c in contacts}.values())
    orders = list({o.id: o for o in orders}.values())
    return Batch(
        accounts=accounts,
        contacts=contacts,
        orders=orders,
        outbox=draw(st.lists(storable.messages(), max_size=3, unique_by=lambda m: m.key)),
        reps=draw(st.lists(storable.reps(), max_size=3, unique_by=_id)),
        company=draw(st.none() | storable.companies()),
    )


def _id(record: Any) -> str:
    return str(record.id)


@_SETTINGS
@given(book=_books(), data=st.data())
def test_the_same_records_in_any_order_of_writing_dump_alike(book: Batch, data: Any) -> None:
    at_once, one_by_one = MemoryStore(), MemoryStore()
    at_once.write(book)
    accounts, rest = (pieces := _pieces(book))[: len(book.accounts)], pieces[len(book.accounts) :]
    for piece in [*data.draw(st.permutations(accounts)), *data.draw(st.permutations(rest))]:
        one_by_one.write(piece)
    assert store_dump(one_by_one) == store_dump(at_once)


@_SETTINGS
@given(book=_books())
def test_writing_a_book_twice_dumps_as_writing_it_once(book: Batch) -> None:
    once, twice = MemoryStore(), MemoryStore()
    once.write(book)
    twice.write(book)
    twice.write(book)
    assert store_dump(twice) == store_dump(once)


def test_instants_keep_their_offset_in_the_dump() -> None:
    from datetime import timezone

    due = AT.astimezone(timezone(timedelta(hours=9)))
    store = MemoryStore()
    message = Message("k", Channel.EMAIL, Recipient("c", "Li", "li@x.cn"), "s", "t", due)
    store.write(Batch(outbox=[message]))
    (line,) = store_dump(store).splitlines()
    assert json.loads(line)["value"]["next_attempt_at"] == "2027-03-01T18:00:00+09:00"
