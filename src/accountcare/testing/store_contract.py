"""The store contract: the test suites a store must pass, one for each side of the port.

Each suite is a class a test module subclasses; pytest runs its tests against the
fixture the subclass gives:

- [`BookReaderContract`][accountcare.testing.store_contract.BookReaderContract], the
  read side ([`BookReader`][accountcare.ports.store.BookReader]): every record kind
  read back equal and in its stable order, the queries, and the bulk reads
  (``contacts_of``, ``orders_of``, ``interactions_of``, ``complaints_of``, ``order_totals``,
  ``last_interactions``, ``accounts_page``). Its one fixture, ``reader_of``, takes a
  [`Batch`][accountcare.ports.store.Batch] and returns a reader holding exactly its
  records; it is called once for each example of the Hypothesis tests, so each call
  starts from nothing;
- [`UnitOfWorkContract`][accountcare.testing.store_contract.UnitOfWorkContract], the
  writes ([`UnitOfWork`][accountcare.ports.store.UnitOfWork]): upserts, batches all
  or nothing, references, retiring accounts, records refused by name. Fixture
  ``store``, an empty [`Store`][accountcare.ports.store.Store];
- [`OutboxContract`][accountcare.testing.store_contract.OutboxContract], the outbox
  ([`OutboxStore`][accountcare.ports.store.OutboxStore]): idempotent queuing,
  ``queued_keys``, claims with a lease, settling, retrying dead letters, crashes
  charged to the entry that made them. Fixture ``store``, an empty store;
- [`StoreContract`][accountcare.testing.store_contract.StoreContract], all three, from
  a ``store`` fixture alone.

A whole store (the library runs this on its memory, SQLite, PostgreSQL and MariaDB
stores)::

    import pytest
    from accountcare.testing.store_contract import StoreContract

    class TestMyCrmStore(StoreContract):
        @pytest.fixture
        def store(self):
            store = MyCrmStore(...)   # empty
            yield store
            store.wipe()

[`StoreContract`][accountcare.testing.store_contract.StoreContract] makes
``reader_of`` from ``store``: the first reader is the store itself with the batch
written; before each later one the store is emptied with its ``clear()`` method. A
store without one overrides
[`emptied`][accountcare.testing.store_contract.StoreContract.emptied] to return an
empty store (a new in-memory one, a new file, the same tables truncated).

A host whose accounts live in its own tables, read through a read-only adapter, runs
the read suite alone: ``reader_of`` loads the batch into its tables the way its own
programs write them, and returns its adapter over them::

    import pytest
    from accountcare.testing.store_contract import BookReaderContract

    class TestMyCrmReader(BookReaderContract):
        @pytest.fixture
        def reader_of(self, crm_database):
            def reader_of(batch):
                crm_database.truncate_all()         # each call starts from nothing
                load_into_crm_tables(crm_database, batch)
                return MyCrmBookReader(crm_database)
            return reader_of

Needs pytest and Hypothesis (the ``dev`` extra).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from operator import attrgetter
from typing import Any, TypeAlias

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accountcare.domain.accounts import Account
from accountcare.domain.activity import (
    Complaint,
    Interaction,
    InteractionKind,
    Order,
    OrderTotal,
    order_totals,
)
from accountcare.domain.care import CareKind, CareSchedule, CareTask
from accountcare.domain.contacts import Channel, ConsentAction, ConsentEvent, Contact
from accountcare.domain.messages import Delivery, Message, Recipient
from accountcare.domain.outbox import OutboxEntry, OutboxStatus, RetryPolicy, crash_report
from accountcare.domain.team import Company, Rep
from accountcare.domain.tiers import TierAssignment, TierReason
from accountcare.domain.visits import Visit, VisitPlan, VisitPurpose
from accountcare.domain.warnings import LostAccountReview, RootCause
from accountcare.errors import InvalidRecord
from accountcare.ports.store import Batch, BookReader, OutboxStore, Store, UnitOfWork
from accountcare.services.outbox import Dispatcher
from accountcare.testing import storable

__all__ = [
    "BookReaderContract",
    "OutboxContract",
    "ReaderOf",
    "StoreContract",
    "UnitOfWorkContract",
]

#: What the ``reader_of`` fixture of
#: [`BookReaderContract`][accountcare.testing.store_contract.BookReaderContract] is: a
#: callable taking a [`Batch`][accountcare.ports.store.Batch] and returning a reader that
#: holds exactly its records.
ReaderOf: TypeAlias = Callable[[Batch], BookReader]

NOW = datetime(2027, 3, 1, 9, tzinfo=UTC)
LEASE = timedelta(minutes=5)
# The writes' and the outbox's Hypothesis tests reuse one store for all examples, the
# reads' call ``reader_of`` once per example (hence function_scoped_fixture), and each
# subclass runs the same test methods (hence differing_executors): both on purpose.
_CONTRACT = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.differing_executors],
)

# Ids that sort differently by UTF-8 bytes, by case-insensitive or accent-aware
# collations and by Python: the port orders by Python's str order (code points).
_SORTS_APART = ("B", "a", "é", "ä", "Z1", "z", "A", "王", "𝔸", "a-1")
# Ids no record of _SORTS_APART has, but that a database comparing case-insensitively,
# without accents or ignoring trailing spaces would mistake for one.
_LOOKALIKES = ("nobody", "a ", "b", "e", "Ä", "z1")
_CURRENCIES = ("CNY", "USD", "KRW")
# The first and last micro-unit amounts the domain allows: 1e15 - 0.000001.
_LARGEST = Decimal("999999999999999.999999")


def _account(account_id: str, **fields: Any) -> Account:
    return Account(id=account_id, name=f"{account_id} Ltd.", **fields)


def _order(order_id: str, account_id: str, on: date, amount: str = "10.00") -> Order:
    return Order(
        id=order_id, account_id=account_id, ordered_on=on, amount=Decimal(amount), currency="CNY"
    )


def _touch(
    touch_id: str, account_id: str, at: datetime, kind: InteractionKind = InteractionKind.CALL
) -> Interaction:
    return Interaction(id=touch_id, account_id=account_id, occurred_at=at, kind=kind, by="li")


def _message(key: str, due_at: datetime = NOW) -> Message:
    return Message(
        key=key,
        channel=Channel.EMAIL,
        recipient=Recipient("c-1", "王伟", "wang@example.com", "zh-Hans"),
        subject="生日快乐",
        text="...",
        due_at=due_at,
    )


# The recipient of _message, consenting to email: the dispatcher asks its consent.
_RECIPIENTS = {"c-1": Contact(id="c-1", account_id="acme", name="王伟", consents=[Channel.EMAIL])}


def _tier(account_id: str, tier: str, policy: str = "abc") -> TierAssignment:
    return TierAssignment(account_id, tier, policy, TierReason(value=1.5, rule="test"))


def _plan_and_schedule() -> tuple[VisitPlan, CareSchedule]:
    """A visit plan and a care schedule of account ``acme``."""
    plan = VisitPlan(
        start=date(2027, 3, 1),
        end=date(2027, 3, 8),
        visits=[Visit("acme", "li", date(2027, 3, 2), VisitPurpose.ROUTINE, tier="A")],
    )
    task = CareTask(
        contact_id="c-1",
        account_id="acme",
        on=date(2027, 3, 2),
        local_time=time(9),
        time_zone="Asia/Seoul",
        channel=Channel.SMS,
        kind=CareKind.BIRTHDAY,
        template_key="birthday",
    )
    return plan, CareSchedule(start=date(2027, 3, 1), end=date(2027, 4, 1), tasks=(task,))


def _review(
    account_id: str, on: date, cause: RootCause = RootCause.PRICE, evidence: str = "lost the tender"
) -> LostAccountReview:
    return LostAccountReview(account_id, cause, evidence, "rep-li", on)


# The port's order of each kind of record (and a record's id, for ``unique_by``).
_id = attrgetter("id")
_by_day = attrgetter("ordered_on", "id")
_by_instant = attrgetter("occurred_at", "id")
_by_opening = attrgetter("opened_at", "id")
# Each kind of record an account holds: its field of a Batch and its read of a reader (the
# bulk read adds "_of"), its strategy and the port's order.
_RECORDS: tuple[tuple[str, Callable[[str], st.SearchStrategy[Any]], Callable[..., Any]], ...] = (
    ("contacts", storable.contacts, _id),
    ("orders", storable.orders, _by_day),
    ("interactions", storable.interactions, _by_instant),
    ("complaints", storable.complaints, _by_opening),
)


def _latest(touches: Iterable[Interaction], kind: InteractionKind) -> tuple[Interaction, ...]:
    """What ``last_interactions(kind)`` means, said in Python."""
    latest: dict[str, Interaction] = {}
    for touch in touches:
        best = latest.get(touch.account_id)
        if touch.kind is kind and (best is None or _by_instant(touch) > _by_instant(best)):
            latest[touch.account_id] = touch
    return tuple(latest[a] for a in sorted(latest))


def _pages(reader: BookReader, limit: int, after: str | None = None) -> Iterator[Account]:
    """Every account after ``after``, read ``limit`` at a time."""
    for _ in range(10_000):  # a store that never ends a walk fails, it does not hang
        page = reader.accounts_page(after, limit)
        assert type(page) is tuple
        assert len(page) <= limit
        if not page:
            return
        yield from page
        after = page[-1].id
    raise AssertionError(f"paging by {limit} never came to an end")


class BookReaderContract:
    """What every [`BookReader`][accountcare.ports.store.BookReader] must do.

    Subclasses provide a ``reader_of`` fixture: a callable taking a
    [`Batch`][accountcare.ports.store.Batch] (accounts, contacts, orders, interactions,
    complaints, tiers, plans, schedules, reps, the company, loss reviews) and returning
    a reader that holds exactly those records. The Hypothesis tests call it once per
    example, so each call must start from nothing. For example, over the memory store:

    >>> from accountcare.adapters.memory import MemoryStore
    >>> def reader_of(batch):
    ...     store = MemoryStore()
    ...     _ = store.write(batch)
    ...     return store
    >>> reader = reader_of(Batch(accounts=[Account(id="acme", name="Acme")]))
    >>> isinstance(reader, BookReader), [a.id for a in reader.accounts_page(None, 10)]
    (True, ['acme'])
    """

    # -- the port ---------------------------------------------------------------

    def test_reader_satisfies_the_read_port(self, reader_of: ReaderOf) -> None:
        assert isinstance(reader_of(Batch()), BookReader)

    def test_every_kind_of_record_comes_back_equal(self, reader_of: ReaderOf) -> None:
        acme = _account("acme", owner="rep-li", tags={"important", "group"})
        contact = Contact(id="c-1", account_id="acme", name="김민준", consents=[Channel.SMS])
        order = _order("o-1", "acme", date(2027, 1, 5), "1234.50")
        visit = _touch("i-1", "acme", NOW, InteractionKind.VISIT)
        complaint = Complaint(id="q-1", account_id="acme", opened_at=NOW, subject="late")
        plan, schedule = _plan_and_schedule()
        store = reader_of(
            Batch(
                accounts=[acme],
                contacts=[contact],
                orders=[order],
                interactions=[visit],
                complaints=[complaint],
                tiers={date(2027, 1, 1): [_tier("acme", "A")]},
                visit_plans={"east": plan},
                care_schedules={"march": schedule},
            )
        )
        assert store.account("acme") == acme
        assert store.accounts() == (acme,)
        assert store.contact("c-1") == contact
        assert store.contacts("acme") == (contact,)
        assert store.orders("acme") == (order,)
        assert store.interactions("acme") == (visit,)
        assert store.complaints("acme") == (complaint,)
        assert store.tier_assignments("abc", date(2027, 1, 1)) == (_tier("acme", "A"),)
        assert store.visit_plan("east") == plan
        assert store.care_schedule("march") == schedule

    def test_missing_records_are_none_or_empty(self, reader_of: ReaderOf) -> None:
        store = reader_of(Batch())
        assert store.rep("nobody") is None
        assert store.reps() == ()
        assert store.company() is None
        assert store.loss_reviews() == ()
        assert store.loss_reviews("nobody") == ()
        assert store.account("nobody") is None
        assert store.contact("nobody") is None
        assert store.visit_plan("nothing") is None
        assert store.care_schedule("nothing") is None
        assert store.accounts() == ()
        assert store.orders("nobody") == ()
        # The outbox half of this test is OutboxContract.test_a_key_never_queued_has_no_entry.

    def test_bulk_reads_of_an_empty_book_are_empty(self, reader_of: ReaderOf) -> None:
        reader = reader_of(Batch())
        bulks = (reader.contacts_of, reader.orders_of, reader.interactions_of, reader.complaints_of)
        for bulk in bulks:
            assert bulk() == ()
            assert bulk(None) == ()
            assert bulk(["nobody"]) == ()
            assert bulk([]) == ()
        assert reader.orders_between(date(1900, 1, 1), date(2200, 1, 1)) == ()
        assert reader.order_totals(date(1900, 1, 1), date(2200, 1, 1)) == ()
        assert all(reader.last_interactions(kind) == () for kind in InteractionKind)
        assert reader.accounts_page(None, 10) == ()
        assert reader.accounts_page("a", 10) == ()

    def test_ids_are_case_sensitive(self, reader_of: ReaderOf) -> None:
        store = reader_of(Batch(accounts=[_account("acme"), _account("ACME"), _account("Acme")]))
        assert [a.id for a in store.accounts()] == ["ACME", "Acme", "acme"]

    # -- the team and the company ----------------------------------------------

    def test_the_consent_log_comes_back_in_order(self, reader_of: ReaderOf) -> None:
        kim = Contact(id="c-1", account_id="acme", name="김민준")
        for event in (
            ConsentEvent(date(2026, 5, 2), ConsentAction.GIVEN, "contacts.csv line 7",
                         channels={Channel.EMAIL, Channel.SMS, Channel.MESSENGER}),
            ConsentEvent(date(2026, 6, 1), ConsentAction.WITHDRAWN, "reply",
                         channels={Channel.SMS}),
            ConsentEvent(date(2026, 7, 9), ConsentAction.OPTED_OUT, "a call with rep-li"),
            ConsentEvent(date(2026, 8, 3), ConsentAction.OPTED_IN, "web form"),
        ):  # fmt: skip
            kim = kim.recording(event)
        store = reader_of(Batch(accounts=[_account("acme")], contacts=[kim]))
        back = store.contact("c-1")
        assert back == kim
        assert back is not None
        assert [e.action for e in back.consent_log] == list(ConsentAction)
        assert back.consent_log[0].channels == {Channel.EMAIL, Channel.SMS, Channel.MESSENGER}
        assert back.consents == {Channel.EMAIL, Channel.MESSENGER}
        assert type(back.consent_log[0].channels) is frozenset

    @_CONTRACT
    @given(data=st.data())
    def test_reps_and_the_company_round_trip_exactly(self, reader_of: ReaderOf, data: Any) -> None:
        reps = data.draw(st.lists(storable.reps(), min_size=1, max_size=3, unique_by=_id))
        company = data.draw(storable.companies())
        store = reader_of(Batch(reps=reps, company=company))
        assert storable.exactly(store.company()) == storable.exactly(company)
        for rep in reps:
            assert storable.exactly(store.rep(rep.id)) == storable.exactly(rep)
        stored = [r.id for r in store.reps()]
        assert stored == sorted(stored)
        assert stored == sorted(r.id for r in reps)

    # -- loss reviews ------------------------------------------------------------

    def test_loss_reviews_come_back_by_account_then_the_day_found(
        self, reader_of: ReaderOf
    ) -> None:
        first, later = date(2026, 11, 2), date(2027, 1, 15)
        reviews = [
            _review("kr-001", later, RootCause.RELATIONSHIP, "김 부장님이 퇴사하셨습니다"),
            _review("acme", later, RootCause.COMPETITOR, "signed with Initech\nfor 2 years"),
            _review("kr-001", first),
            _review("acme", first, RootCause.DELIVERY, "three late shipments in a row"),
        ]
        store = reader_of(
            Batch(accounts=[_account("acme"), _account("kr-001")], loss_reviews=reviews)
        )
        keys = [(r.account_id, r.found_on) for r in store.loss_reviews()]
        assert keys == [("acme", first), ("acme", later), ("kr-001", first), ("kr-001", later)]
        assert store.loss_reviews("acme") == (reviews[3], reviews[1])
        assert store.loss_reviews("ACME") == ()
        assert set(store.loss_reviews()) == set(reviews)

    @_CONTRACT
    @given(data=st.data())
    def test_loss_reviews_round_trip_exactly(self, reader_of: ReaderOf, data: Any) -> None:
        account = data.draw(storable.accounts())
        reviews = data.draw(
            st.lists(storable.loss_reviews(account.id), max_size=4, unique_by=lambda r: r.found_on)
        )
        store = reader_of(Batch(accounts=[account], loss_reviews=reviews))
        back = {r.found_on: r for r in store.loss_reviews(account.id)}
        for review in reviews:
            assert storable.exactly(back[review.found_on]) == storable.exactly(review)
        days = [r.found_on for r in store.loss_reviews(account.id)]
        assert days == sorted(r.found_on for r in reviews)
        everything = [(r.account_id, r.found_on) for r in store.loss_reviews()]
        assert everything == sorted(everything)

    # -- queries ----------------------------------------------------------------

    def test_accounts_by_owner(self, reader_of: ReaderOf) -> None:
        store = reader_of(
            Batch(accounts=[_account("b", owner="li"), _account("a", owner="li"), _account("c")])
        )
        assert [a.id for a in store.accounts_by_owner("li")] == ["a", "b"]
        assert store.accounts_by_owner("LI") == ()

    def test_accounts_in_tier_follow_each_accounts_latest_assignment(
        self, reader_of: ReaderOf
    ) -> None:
        store = reader_of(
            Batch(
                accounts=[_account("x"), _account("y"), _account("z")],
                tiers={
                    date(2026, 1, 1): [_tier("x", "A"), _tier("y", "A"), _tier("z", "B")],
                    date(2027, 1, 1): [_tier("x", "B"), _tier("z", "A", policy="rank")],
                },
            )
        )
        assert [a.id for a in store.accounts_in_tier("abc", "A")] == ["y"]
        assert [a.id for a in store.accounts_in_tier("abc", "B")] == ["x", "z"]
        assert [a.id for a in store.accounts_in_tier("abc", "A", date(2026, 6, 1))] == ["x", "y"]
        assert store.accounts_in_tier("abc", "A", date(2025, 12, 31)) == ()
        assert [a.id for a in store.accounts_in_tier("rank", "A")] == ["z"]

    def test_accounts_changed_since_compare_instants_not_wall_clocks(
        self, reader_of: ReaderOf
    ) -> None:
        seoul = timezone(timedelta(hours=9))
        store = reader_of(
            Batch(
                accounts=[
                    _account("before", updated_at=datetime(2027, 3, 1, 17, 59, tzinfo=seoul)),
                    _account("at", updated_at=datetime(2027, 3, 1, 9, tzinfo=UTC)),
                    _account(
                        "after",
                        updated_at=datetime(2027, 3, 1, 4, 1, tzinfo=timezone(timedelta(hours=-5))),
                    ),
                    _account("never"),
                ]
            )
        )
        assert [a.id for a in store.accounts_changed_since(NOW)] == ["after", "at"]

    def test_orders_between_is_half_open_and_ordered(self, reader_of: ReaderOf) -> None:
        days = [date(2027, 1, 31), date(2027, 1, 1), date(2027, 1, 15), date(2026, 12, 31)]
        orders = [_order(f"o-{n}", "acme", day) for n, day in enumerate(days)]
        store = reader_of(Batch(accounts=[_account("acme")], orders=orders))
        found = store.orders_between(date(2027, 1, 1), date(2027, 1, 31))
        assert [o.id for o in found] == ["o-1", "o-2"]
        assert [o.id for o in store.orders("acme")] == ["o-3", "o-1", "o-2", "o-0"]

    def test_activity_is_ordered_by_instant_then_id(self, reader_of: ReaderOf) -> None:
        tokyo = timezone(timedelta(hours=9))
        late = _touch("a", "acme", datetime(2027, 1, 1, 12, tzinfo=UTC))
        # Later on the wall clock, earlier as an instant.
        early = _touch("b", "acme", datetime(2027, 1, 1, 20, tzinfo=tokyo))
        store = reader_of(Batch(accounts=[_account("acme")], interactions=[late, early]))
        assert store.interactions("acme") == (early, late)

    # -- bulk reads: contacts, interactions, complaints of many accounts -----------

    def test_bulk_reads_take_the_accounts_asked_for(self, reader_of: ReaderOf) -> None:
        seoul, new_york = timezone(timedelta(hours=9)), timezone(timedelta(hours=-5))
        at = datetime(2027, 1, 4, 9, tzinfo=UTC)
        ids = ("acme", "globex", "idle", "Acme")
        contacts = [
            Contact(id=contact_id, account_id=owner, name="Li")
            for contact_id, owner in (("B", "acme"), ("a", "globex"), ("é", "acme"),
                                      ("ä", "Acme"), ("Z1", "globex"), ("z", "acme"))
        ]  # fmt: skip
        touches = [
            _touch("i-2", "acme", at.astimezone(seoul)),  # one instant, three offsets
            _touch("i-10", "globex", at.astimezone(new_york), InteractionKind.VISIT),
            _touch("i-1", "acme", at),
            _touch("i-0", "Acme", at + timedelta(microseconds=1)),
            _touch("i-9", "globex", at - timedelta(days=400)),
        ]
        complaints = [
            Complaint(id="q-b", account_id="globex", opened_at=at.astimezone(seoul), subject="x"),
            Complaint(id="q-a", account_id="acme", opened_at=at, subject="late"),
            Complaint(id="q-0", account_id="Acme", opened_at=at - timedelta(hours=1), subject="y"),
        ]
        reader = reader_of(
            Batch(
                accounts=[_account(a) for a in ids],
                contacts=contacts,
                interactions=touches,
                complaints=complaints,
            )
        )
        assert [c.id for c in reader.contacts_of()] == ["B", "Z1", "a", "z", "ä", "é"]
        assert [c.id for c in reader.contacts_of(["globex", "idle", "globex"])] == ["Z1", "a"]
        assert [c.id for c in reader.contacts_of(iter(["acme"]))] == ["B", "z", "é"]
        assert reader.contacts_of(["idle", "ACME", "acme "]) == ()
        assert reader.contacts_of(()) == ()
        assert [i.id for i in reader.interactions_of()] == ["i-9", "i-1", "i-10", "i-2", "i-0"]
        assert [i.id for i in reader.interactions_of({"acme", "globex"})] == [
            "i-9", "i-1", "i-10", "i-2"
        ]  # fmt: skip
        assert reader.interactions_of(["Acme"]) == (touches[3],)
        assert [c.id for c in reader.complaints_of()] == ["q-0", "q-a", "q-b"]
        assert [c.id for c in reader.complaints_of(a for a in ("globex", "acme"))] == [
            "q-a", "q-b"
        ]  # fmt: skip
        assert reader.complaints_of([]) == ()
        got = reader.interactions_of(["globex"])
        assert storable.exactly(got) == storable.exactly((touches[4], touches[1]))

    @_CONTRACT
    @given(data=st.data())
    def test_bulk_reads_equal_the_reads_of_each_account(
        self, reader_of: ReaderOf, data: Any
    ) -> None:
        ids = data.draw(
            st.lists(st.sampled_from(_SORTS_APART), min_size=1, max_size=5, unique=True)
        )
        owner = st.sampled_from(ids)
        batch = Batch(
            accounts=[_account(a) for a in ids],
            **{
                kind: data.draw(st.lists(owner.flatmap(records), max_size=6, unique_by=_id))
                for kind, records, _ in _RECORDS
            },
        )
        asked = data.draw(st.lists(st.sampled_from((*_SORTS_APART, *_LOOKALIKES)), max_size=8))
        reader = reader_of(batch)
        for kind, _, order in _RECORDS:
            bulk, one = getattr(reader, f"{kind}_of"), getattr(reader, kind)
            everything = tuple(sorted(getattr(batch, kind), key=order))
            assert bulk() == everything
            assert storable.exactly(bulk(None)) == storable.exactly(everything)
            expected = tuple(sorted((r for a in set(asked) for r in one(a)), key=order))
            assert expected == tuple(r for r in everything if r.account_id in asked)
            assert storable.exactly(bulk(asked)) == storable.exactly(expected)
            assert bulk(iter(asked)) == expected  # any iterable, read once
            assert bulk([]) == ()

    def test_bulk_reads_of_many_accounts_in_one_call(self, reader_of: ReaderOf) -> None:
        at = datetime(2027, 1, 4, 9, tzinfo=UTC)
        reader = reader_of(
            Batch(
                accounts=[_account("acme")],
                contacts=[Contact(id="c-1", account_id="acme", name="Li")],
                orders=[_order("o-1", "acme", date(2027, 1, 4))],
                interactions=[_touch("i-1", "acme", at)],
                complaints=[Complaint(id="q-1", account_id="acme", opened_at=at, subject="x")],
            )
        )
        asked = [f"nobody-{n:05d}" for n in range(12_000)]
        asked.insert(6_000, "acme")
        assert [c.id for c in reader.contacts_of(asked)] == ["c-1"]
        assert [o.id for o in reader.orders_of(asked)] == ["o-1"]
        assert [i.id for i in reader.interactions_of(asked)] == ["i-1"]
        assert [c.id for c in reader.complaints_of(asked)] == ["q-1"]

    # -- bulk reads: order totals ----------------------------------------------------

    def test_order_totals_add_money_exactly(self, reader_of: ReaderOf) -> None:
        on = date(2027, 1, 5)

        def order(n: int, account: str, amount: Decimal | str, **fields: Any) -> Order:
            return Order(f"o-{n}", account, on, Decimal(amount), **fields)

        orders = [
            order(1, "acme", "98651.37", currency="CNY", margin=Decimal("0.10")),
            order(2, "acme", "0.63", currency="CNY"),
            order(3, "acme", "0.10", currency="KRW"),
            order(4, "acme", "-0.10", currency="KRW"),  # a refund
            order(5, "Globex", _LARGEST, currency="CNY", margin=_LARGEST),
            order(6, "Globex", _LARGEST, currency="CNY", margin=-_LARGEST + Decimal("0.000001")),
            order(7, "Globex", _LARGEST, currency="CNY"),
            order(8, "Globex", _LARGEST, currency="USD"),
            order(9, "Globex", "-999999999999999.999998", currency="USD"),
            Order("o-late", "acme", on + timedelta(days=1), Decimal(1), currency="CNY"),
        ]
        reader = reader_of(Batch(accounts=[_account("acme"), _account("Globex")], orders=orders))
        got = reader.order_totals(on, on + timedelta(days=1))

        def total(account: str, currency: str, n: int, amount: str, margin: str, m: int) -> Any:
            figures = OrderTotal(account, currency, n, Decimal(amount), Decimal(margin), m, on, on)
            return storable.exactly(figures)

        assert storable.exactly(got) == (
            total("Globex", "CNY", 3, "2999999999999999.999997", "0.000001", 2),
            total("Globex", "USD", 2, "0.000001", "0", 0),
            total("acme", "CNY", 2, "98652", "0.1", 1),
            total("acme", "KRW", 2, "0", "0", 0),
        )
        assert got == order_totals(orders[:-1])
        (late,) = reader.order_totals(on + timedelta(days=1), on + timedelta(days=2))
        assert (late.account_id, late.amount, late.orders) == ("acme", Decimal(1), 1)

    @_CONTRACT
    @given(data=st.data())
    def test_order_totals_are_the_totals_of_the_orders_in_the_window(
        self, reader_of: ReaderOf, data: Any
    ) -> None:
        start = date(2027, 1, 1) + timedelta(days=data.draw(st.integers(-20, 20), label="start"))
        end = start + timedelta(days=data.draw(st.integers(-2, 30), label="days"))
        edges = [start - timedelta(days=1), start, end - timedelta(days=1), end]
        days = st.sampled_from(edges) | st.dates(start - timedelta(days=40), end + timedelta(40))
        money = storable.money | st.decimals(-1000, 1000, places=2) | st.decimals(-5, 5, places=6)
        ids = data.draw(
            st.lists(st.sampled_from(_SORTS_APART), min_size=1, max_size=3, unique=True)
        )
        order = st.builds(
            Order,
            id=storable.ids,
            account_id=st.sampled_from(ids),
            ordered_on=days,
            amount=money,
            margin=st.none() | money,
            currency=st.sampled_from(_CURRENCIES),
        )
        orders = data.draw(st.lists(order, max_size=12, unique_by=_id))
        reader = reader_of(Batch(accounts=[_account(a) for a in ids], orders=orders))
        expected = order_totals(o for o in orders if start <= o.ordered_on < end)
        got = reader.order_totals(start, end)
        assert got == expected
        assert storable.exactly(got) == storable.exactly(expected)

    # -- bulk reads: each account's latest interaction -----------------------------

    def test_last_interactions_are_each_accounts_latest_of_the_kind(
        self, reader_of: ReaderOf
    ) -> None:
        call, visit = InteractionKind.CALL, InteractionKind.VISIT
        seoul, new_york = timezone(timedelta(hours=9)), timezone(timedelta(hours=-5))
        at = datetime(2027, 1, 4, 9, tzinfo=UTC)
        touches = [
            _touch("i-1", "acme", at),
            # Later as an instant, earlier on the wall clock of the other entry.
            _touch("i-2", "acme", (at + timedelta(minutes=1)).astimezone(new_york)),
            _touch("i-3", "acme", at + timedelta(days=9), visit),  # another kind
            # One instant, two offsets: the greater id ("i-9" after "i-10") wins.
            _touch("i-10", "globex", at.astimezone(seoul)),
            _touch("i-9", "globex", at.astimezone(new_york)),
            # Python's str order, not a case-insensitive one: "a" comes after "B".
            _touch("B", "Initech", at),
            _touch("a", "Initech", at.astimezone(seoul)),
            _touch("v-1", "umbrella", at, visit),  # no call: absent from the calls
        ]
        reader = reader_of(
            Batch(
                accounts=[_account(a) for a in ("acme", "globex", "Initech", "umbrella", "idle")],
                interactions=touches,
            )
        )
        calls = reader.last_interactions(call)
        assert [(i.account_id, i.id) for i in calls] == [
            ("Initech", "a"),
            ("acme", "i-2"),
            ("globex", "i-9"),
        ]
        assert storable.exactly(calls) == storable.exactly((touches[6], touches[1], touches[4]))
        assert calls[1].occurred_at.utcoffset() == timedelta(hours=-5)  # its offset kept
        visits = reader.last_interactions(visit)
        assert storable.exactly(visits) == storable.exactly((touches[2], touches[7]))
        assert reader.last_interactions(InteractionKind.GREETING) == ()

    @_CONTRACT
    @given(data=st.data())
    def test_last_interactions_are_the_latest_by_instant_then_id(
        self, reader_of: ReaderOf, data: Any
    ) -> None:
        ids = data.draw(
            st.lists(st.sampled_from(_SORTS_APART), min_size=1, max_size=4, unique=True)
        )
        base = datetime(2027, 1, 4, 9, tzinfo=UTC)
        instants = st.builds(
            lambda hours, offset: (base + timedelta(hours=hours)).astimezone(offset),
            st.integers(-2, 2),  # few instants: ties are common
            st.sampled_from(storable.OFFSETS),
        )
        touch = st.builds(
            Interaction,
            id=st.sampled_from(_SORTS_APART) | storable.ids,
            account_id=st.sampled_from(ids),
            occurred_at=instants,
            kind=st.sampled_from([InteractionKind.CALL, InteractionKind.VISIT]),
            by=st.just("li"),
        )
        touches = data.draw(st.lists(touch, max_size=10, unique_by=_id))
        reader = reader_of(Batch(accounts=[_account(a) for a in ids], interactions=touches))
        for kind in InteractionKind:
            expected = _latest(touches, kind)
            got = reader.last_interactions(kind)
            assert got == expected
            assert storable.exactly(got) == storable.exactly(expected)

    # -- bulk reads: the book a page at a time -----------------------------------

    def test_accounts_come_a_page_at_a_time_in_python_order(self, reader_of: ReaderOf) -> None:
        book = [_account(a, owner="rep-li", tags={"key"}) for a in reversed(_SORTS_APART)]
        reader = reader_of(Batch(accounts=book))
        everything = reader.accounts()
        assert [a.id for a in everything] == sorted(_SORTS_APART)
        assert [a.id for a in everything] == [
            "A", "B", "Z1", "a", "a-1", "z", "ä", "é", "王", "𝔸"
        ]  # fmt: skip
        for limit in (1, 2, 3, 4, len(book) - 1, len(book), len(book) + 1, 1000):
            assert tuple(_pages(reader, limit)) == everything, limit
        assert reader.accounts_page(None, 3) == everything[:3]
        assert reader.accounts_page("a", 2) == everything[4:6]
        assert reader.accounts_page("Z", 2) == everything[2:4]  # "Z" is not an id
        assert reader.accounts_page("𝔸", 5) == ()  # after the last id
        assert reader.accounts_page("a ", 1) == everything[4:5]  # "a " after "a", before "a-1"

    @_CONTRACT
    @given(data=st.data())
    def test_paging_through_the_book_gives_every_account_once_in_order(
        self, reader_of: ReaderOf, data: Any
    ) -> None:
        ids = st.sampled_from((*_SORTS_APART, *_LOOKALIKES)) | storable.ids
        book = data.draw(st.lists(ids, max_size=12, unique=True))
        reader = reader_of(Batch(accounts=[_account(a) for a in book]))
        everything = reader.accounts()
        assert [a.id for a in everything] == sorted(book)
        limit = data.draw(st.integers(1, 5), label="limit")
        assert tuple(_pages(reader, limit)) == everything
        after = data.draw(ids, label="after")
        later = tuple(a for a in everything if a.id > after)
        assert reader.accounts_page(after, limit) == later[:limit]
        assert tuple(_pages(reader, limit, after)) == later
        if everything:
            assert reader.accounts_page(everything[-1].id, limit) == ()

    # -- laws -------------------------------------------------------------------

    @_CONTRACT
    @given(data=st.data())
    def test_values_round_trip_exactly_through_the_store(
        self, reader_of: ReaderOf, data: Any
    ) -> None:
        account = data.draw(storable.accounts())
        aid = account.id
        batch = Batch(
            accounts=[account],
            **{
                kind: data.draw(st.lists(records(aid), max_size=size, unique_by=_id))
                for (kind, records, _), size in zip(_RECORDS, (2, 3, 2, 2), strict=True)
            },
        )
        store = reader_of(batch)
        assert storable.exactly(store.account(aid)) == storable.exactly(account)
        for contact in batch.contacts:
            assert storable.exactly(store.contact(contact.id)) == storable.exactly(contact)
        for kind, _, _ in _RECORDS[1:]:
            stored = {r.id: r for r in getattr(store, kind)(aid)}
            assert set(stored) == {r.id for r in getattr(batch, kind)}
            for record in getattr(batch, kind):
                assert storable.exactly(stored[record.id]) == storable.exactly(record)


class UnitOfWorkContract:
    """What every [`UnitOfWork`][accountcare.ports.store.UnitOfWork] must do.

    Subclasses provide a ``store`` fixture returning an empty
    [`Store`][accountcare.ports.store.Store] (the tests read back what they wrote).
    The Hypothesis tests reuse that store for all their examples, so they only assume
    what the port promises: the last write of an id wins.

    >>> "test_a_batch_naming_an_unknown_account_stores_nothing" in vars(UnitOfWorkContract)
    True
    """

    def test_store_is_a_unit_of_work(self, store: Store) -> None:
        assert isinstance(store, UnitOfWork)

    # -- upserts ------------------------------------------------------------------

    @pytest.mark.parametrize("together", [False, True], ids=["later batch", "same batch"])
    def test_writing_an_id_again_replaces_the_record(self, store: Store, together: bool) -> None:
        first, last = _account("acme", owner="rep-li"), _account("acme", owner="rep-kim")
        for accounts in [[first, last]] if together else [[first], [last]]:
            store.write(Batch(accounts=accounts))
        assert store.accounts() == (last,)

    def test_ids_differing_only_in_trailing_spaces_are_different_records(
        self, store: Store
    ) -> None:
        li = Contact(id="c-1", account_id="acme", name="Li")
        kim = Contact(id="c-1 ", account_id="acme ", name="Kim")
        store.write(Batch(accounts=[_account("acme")], contacts=[li]))
        store.write(Batch(accounts=[_account("acme ", owner="rep-kim")], contacts=[kim]))
        assert store.accounts() == (_account("acme"), _account("acme ", owner="rep-kim"))
        assert store.account("acme") == _account("acme")
        assert (store.contact("c-1"), store.contact("c-1 ")) == (li, kim)
        assert (store.contacts("acme"), store.contacts("acme ")) == ((li,), (kim,))

    # -- the team and the company ----------------------------------------------

    def test_reps_come_back_by_id_and_a_write_replaces_one(self, store: Store) -> None:
        li = Rep(id="rep-li", name="Li Na", names={"zh": "李娜"}, title="Key account manager")
        kim = Rep(id="rep-kim", name="Kim Minji", email="minji@globex.example", locale="ko")
        store.write(Batch(reps=[li, kim]))
        assert store.reps() == (kim, li)
        assert store.rep("rep-li") == li
        assert store.rep("REP-LI") is None
        moved = attrs.evolve(li, phone="+86 138 0013 8000", names={"zh": "李娜", "ko": "리나"})
        store.write(Batch(reps=[moved]))
        assert store.reps() == (kim, moved)
        assert store.rep("rep-li") == moved

    def test_one_company_replaced_only_by_a_batch_that_carries_one(self, store: Store) -> None:
        globex = Company("Globex Trading", names={"ko": "글로벡스"})
        store.write(Batch(company=globex))
        assert store.company() == globex
        store.write(Batch(accounts=[_account("acme")]))  # no company: the stored one stays
        assert store.company() == globex
        renamed = Company("Globex Group", names={"zh": "环球集团"})
        store.write(Batch(company=renamed))
        assert store.company() == renamed

    def test_reps_and_the_company_are_written_with_the_batch_or_not_at_all(
        self, store: Store
    ) -> None:
        bad = Batch(
            reps=[Rep(id="rep-li", name="Li Na")],
            company=Company("Globex Trading"),
            orders=[_order("o-1", "ghost", date(2027, 1, 1))],
        )
        with pytest.raises(InvalidRecord, match="o-1"):
            store.write(bad)
        assert (store.reps(), store.company()) == ((), None)

    def test_a_rep_or_company_of_the_wrong_kind_is_named(self, store: Store) -> None:
        wrong: Any = [Rep(id="rep-li", name="Li Na"), _account("acme")]
        with pytest.raises(InvalidRecord, match=r"reps\[1\]"):
            store.write(Batch(reps=wrong))
        with pytest.raises(InvalidRecord, match=r"batch\.company"):
            store.write(Batch(company=_account("acme")))  # type: ignore[arg-type]
        assert (store.reps(), store.company(), store.accounts()) == ((), None, ())

    # -- loss reviews ------------------------------------------------------------

    def test_a_review_of_the_same_account_and_day_replaces_the_stored_one(
        self, store: Store
    ) -> None:
        on = date(2027, 1, 15)
        store.write(Batch(accounts=[_account("acme")], loss_reviews=[_review("acme", on)]))
        corrected = _review("acme", on, RootCause.QUALITY, "the bearings failed early")
        store.write(Batch(loss_reviews=[corrected]))
        assert store.loss_reviews() == (corrected,)
        last = _review("acme", on, RootCause.SERVICE, "no one answered for a week")
        store.write(Batch(loss_reviews=[_review("acme", on), last]))  # the last one wins
        assert store.loss_reviews("acme") == (last,)

    def test_a_review_must_name_a_stored_account_or_one_in_its_batch(self, store: Store) -> None:
        on = date(2027, 1, 15)
        bad = Batch(
            accounts=[_account("acme")],
            loss_reviews=[_review("acme", on), _review("ghost", on)],
            outbox=[_message("m-1")],
        )
        with pytest.raises(InvalidRecord) as caught:
            store.write(bad)
        assert (caught.value.record, caught.value.field) == (
            "LostAccountReview 'ghost'/2027-01-15",
            "account_id",
        )
        assert (store.accounts(), store.loss_reviews(), store.outbox()) == ((), (), ())
        store.write(Batch(accounts=[_account("acme")], loss_reviews=[_review("acme", on)]))
        store.write(Batch(loss_reviews=[_review("acme", date(2027, 2, 1))]))  # stored: fine
        assert len(store.loss_reviews("acme")) == 2

    def test_a_review_of_the_wrong_kind_is_named_and_nothing_stored(self, store: Store) -> None:
        wrong: Any = [_review("acme", date(2027, 1, 15)), _account("acme")]
        with pytest.raises(InvalidRecord, match=r"batch\.loss_reviews\[1\]"):
            store.write(Batch(accounts=[_account("acme")], loss_reviews=wrong))
        assert (store.accounts(), store.loss_reviews()) == ((), ())

    def test_a_retired_account_takes_its_loss_reviews_with_it(self, store: Store) -> None:
        on = date(2027, 1, 15)
        store.write(
            Batch(
                accounts=[_account("phone-acme"), _account("erp-1001")],
                loss_reviews=[_review("phone-acme", on), _review("erp-1001", on)],
            )
        )
        store.write(Batch(retired_accounts=["phone-acme"]))  # reviews never hold an account
        assert store.accounts() == (_account("erp-1001"),)
        assert store.loss_reviews("phone-acme") == ()
        assert store.loss_reviews() == (_review("erp-1001", on),)
        store.write(Batch(accounts=[_account("phone-acme")]))  # the id used again: no review
        assert store.loss_reviews("phone-acme") == ()

    # -- retiring accounts -------------------------------------------------------

    def test_an_account_emptied_by_its_batch_is_retired_with_its_tiers(self, store: Store) -> None:
        on = date(2027, 1, 1)
        store.write(
            Batch(
                accounts=[_account("phone-acme"), _account("erp-1001")],
                contacts=[Contact(id="c-1", account_id="phone-acme", name="王伟")],
                tiers={on: [_tier("phone-acme", "B"), _tier("erp-1001", "A")]},
            )
        )
        moved = Contact(id="c-1", account_id="erp-1001", name="王伟")
        store.write(Batch(contacts=[moved], retired_accounts=["phone-acme"]))
        assert store.accounts() == (_account("erp-1001"),)
        assert store.contacts("erp-1001") == (moved,)
        assert store.contacts("phone-acme") == ()
        assert [t.account_id for t in store.tier_assignments("abc", on)] == ["erp-1001"]
        assert store.accounts_in_tier("abc", "B") == ()

    def test_an_account_still_holding_records_is_not_retired_and_nothing_written(
        self, store: Store
    ) -> None:
        store.write(
            Batch(
                accounts=[_account("phone-acme"), _account("erp-1001")],
                contacts=[
                    Contact(id="c-1", account_id="phone-acme", name="王伟"),
                    Contact(id="c-2", account_id="phone-acme", name="李娜"),
                ],
                orders=[_order("o-1", "phone-acme", date(2027, 1, 5))],
            )
        )
        bad = Batch(
            accounts=[_account("erp-2002")],
            contacts=[Contact(id="c-1", account_id="erp-1001", name="王伟")],
            outbox=[_message("m-1")],
            retired_accounts=["phone-acme"],
        )
        with pytest.raises(InvalidRecord) as caught:
            store.write(bad)
        assert caught.value.record == "Account 'phone-acme'"
        assert caught.value.field == "retired_accounts"
        assert "still holds 2 records after the batch (1 contact, 1 order)" in str(caught.value)
        assert [a.id for a in store.accounts()] == ["erp-1001", "phone-acme"]
        assert [c.id for c in store.contacts("phone-acme")] == ["c-1", "c-2"]
        assert store.outbox() == ()

    def test_records_the_batch_adds_keep_an_account_from_retiring(self, store: Store) -> None:
        store.write(Batch(accounts=[_account("phone-acme")]))
        call = attrs.evolve(_touch("i-1", "phone-acme", NOW), by="rep-li")
        with pytest.raises(InvalidRecord, match=r"1 record after the batch \(1 interaction\)"):
            store.write(Batch(interactions=[call], retired_accounts=["phone-acme"]))
        assert store.interactions("phone-acme") == ()
        assert store.account("phone-acme") == _account("phone-acme")

    def test_retiring_an_id_that_is_not_stored_is_ignored(self, store: Store) -> None:
        never = ["ghost", "ghost", "ACME", "acme ", "acme\n", "a" * 300, "acme\udcff", "acme\x00"]
        store.write(Batch(accounts=[_account("acme")], retired_accounts=never))
        assert store.accounts() == (_account("acme"),)
        with pytest.raises(InvalidRecord, match=r"retired_accounts"):
            store.write(Batch(retired_accounts="acme"))
        with pytest.raises(InvalidRecord, match=r"retired_accounts\[0\]"):
            store.write(Batch(retired_accounts=[7]))  # type: ignore[list-item]
        assert store.accounts() == (_account("acme"),)

    @_CONTRACT
    @given(data=st.data())
    def test_a_batch_retires_all_its_emptied_accounts_or_writes_nothing(
        self, store: Store, data: Any
    ) -> None:
        run = uuid.uuid4().hex[:8]  # ids of earlier examples never collide with these
        ids = [f"{run}-{n}" for n in range(4)]
        before = data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=5))
        contacts = [
            Contact(id=f"{run}-c{n}", account_id=a, name="Li") for n, a in enumerate(before)
        ]
        store.write(Batch(accounts=[_account(a) for a in ids], contacts=contacts))
        size = len(before)
        moves = data.draw(st.lists(st.sampled_from(ids), min_size=size, max_size=size))
        moved = [attrs.evolve(c, account_id=a) for c, a in zip(contacts, moves, strict=True)]
        retired = data.draw(st.lists(st.sampled_from(ids), unique=True, max_size=4))
        batch = Batch(contacts=moved, retired_accounts=retired)
        blocked = [a for a in retired if a in moves]
        if blocked:
            with pytest.raises(InvalidRecord) as caught:
                store.write(batch)
            assert caught.value.record == f"Account {blocked[0]!r}"
            assert [a.id for a in store.accounts() if a.id.startswith(run)] == ids
            assert [store.contact(c.id) for c in contacts] == contacts
        else:
            store.write(batch)
            kept = [a for a in ids if a not in retired]
            assert [a.id for a in store.accounts() if a.id.startswith(run)] == kept
            assert [store.contact(c.id) for c in contacts] == moved

    # -- bad input --------------------------------------------------------------

    def test_a_batch_naming_an_unknown_account_stores_nothing(self, store: Store) -> None:
        store.write(Batch(accounts=[_account("old")]))
        bad = Batch(
            accounts=[_account("new")],
            orders=[
                _order("o-1", "new", date(2027, 1, 1)),
                _order("o-2", "ghost", date(2027, 1, 1)),
            ],
            outbox=[_message("m-1")],
        )
        with pytest.raises(InvalidRecord, match="o-2") as caught:
            store.write(bad)
        assert caught.value.field == "account_id"
        assert store.accounts() == (_account("old"),)
        assert store.orders("new") == ()
        assert store.outbox() == ()

    def test_a_record_of_the_wrong_kind_is_named_and_nothing_stored(self, store: Store) -> None:
        bad: Any = [_account("acme"), _order("o-1", "acme", date(2027, 1, 1))]
        with pytest.raises(InvalidRecord, match=r"accounts\[1\]"):
            store.write(Batch(accounts=bad))
        assert store.accounts() == ()


class OutboxContract:
    """What every [`OutboxStore`][accountcare.ports.store.OutboxStore] must do.

    Subclasses provide a ``store`` fixture returning an empty
    [`Store`][accountcare.ports.store.Store] (messages are queued by its writes). The
    Hypothesis tests reuse that store for all their examples; their keys are new in
    each example.

    >>> "test_queued_keys_count_every_state_and_no_other_key" in vars(OutboxContract)
    True
    """

    def test_store_is_an_outbox_store(self, store: Store) -> None:
        assert isinstance(store, OutboxStore)

    def test_a_key_never_queued_has_no_entry(self, store: Store) -> None:
        assert store.outbox_entry("nothing") is None
        assert store.outbox() == ()
        assert store.queued_keys(["nothing"]) == frozenset()

    def test_queuing_a_key_twice_never_duplicates(self, store: Store) -> None:
        first = store.write(Batch(outbox=[_message("k-1"), _message("k-2"), _message("k-1")]))
        again = store.write(Batch(outbox=[_message("k-2"), _message("k-3")]))
        assert first.enqueued == ("k-1", "k-2")
        assert again.enqueued == ("k-3",)
        assert again.already_queued == ("k-2",)
        assert sorted(e.key for e in store.outbox()) == ["k-1", "k-2", "k-3"]

    def test_queuing_never_resets_a_sent_entry(self, store: Store) -> None:
        store.write(Batch(outbox=[_message("k-1")]))
        (claimed,) = store.claim_outbox(NOW, 10, LEASE)
        assert store.settle_outbox(claimed.delivered(NOW))
        store.write(Batch(outbox=[_message("k-1")]))
        entry = store.outbox_entry("k-1")
        assert entry is not None
        assert entry.status is OutboxStatus.SENT

    def test_keys_differing_only_in_trailing_spaces_are_different_entries(
        self, store: Store
    ) -> None:
        first = store.write(Batch(outbox=[_message("k")]))
        second = store.write(Batch(outbox=[_message("k "), _message("k")]))
        assert (first.enqueued, second.enqueued, second.already_queued) == (("k",), ("k ",), ("k",))
        assert [e.key for e in store.outbox()] == ["k", "k "]
        assert store.queued_keys(["k ", "k  "]) == {"k "}

    # -- which keys are queued ------------------------------------------------------

    def test_queued_keys_count_every_state_and_no_other_key(self, store: Store) -> None:
        later = NOW + timedelta(days=1)
        keys = ["pending", "flying", "sent", "dead", "Sent", "王", "𝔸"]
        due = [_message(k, NOW - timedelta(minutes=4 - n)) for n, k in enumerate(keys[1:4])]
        store.write(Batch(outbox=[*due, *(_message(k, later) for k in keys[:1] + keys[4:])]))
        claimed = {e.key: e for e in store.claim_outbox(NOW, 10, LEASE)}
        assert set(claimed) == {"flying", "sent", "dead"}
        assert store.settle_outbox(claimed["sent"].delivered(NOW))
        failed = claimed["dead"].failed(NOW, "550", RetryPolicy(max_attempts=3), retryable=False)
        assert store.settle_outbox(failed)
        states = {e.key: e.status for e in store.outbox()}
        assert [states[k] for k in keys[:4]] == list(OutboxStatus)
        asked = [*keys, "pending", "unknown", "PENDING", "sent ", "Dead", "王 ", "A", "flying"]
        found = store.queued_keys(asked)
        assert type(found) is frozenset
        assert found == frozenset(keys)
        lower = store.queued_keys(k for k in asked if k.islower())  # any iterable, read once
        assert lower == {"pending", "flying", "sent", "dead"}
        assert store.queued_keys(["unknown", "PENDING", "sent "]) == frozenset()

    def test_queued_keys_of_nothing_is_an_empty_frozenset(self, store: Store) -> None:
        store.write(Batch(outbox=[_message("k-1")]))
        nothing: tuple[Iterable[str], ...] = ([], (), set(), iter([]))
        for keys in nothing:
            found = store.queued_keys(keys)
            assert (type(found), found) == (frozenset, frozenset())

    def test_queued_keys_answer_twelve_thousand_keys_in_one_call(self, store: Store) -> None:
        asked = [f"k-{n:05d}" for n in range(12_000)]
        queued = asked[::97]
        store.write(Batch(outbox=[_message(k) for k in queued]))
        assert store.queued_keys(asked) == frozenset(queued)
        assert store.queued_keys([*asked, *asked]) == frozenset(queued)

    # -- claims, leases, settling ------------------------------------------------------

    def test_claims_take_due_entries_oldest_first(self, store: Store) -> None:
        store.write(
            Batch(
                outbox=[
                    _message("late", NOW + timedelta(hours=1)),
                    _message("b", NOW - timedelta(minutes=1)),
                    _message("a", NOW - timedelta(minutes=1)),
                    _message("first", NOW - timedelta(days=1)),
                ]
            )
        )
        claimed = store.claim_outbox(NOW, 2, LEASE)
        assert [e.key for e in claimed] == ["first", "a"]
        assert all(e.status is OutboxStatus.IN_FLIGHT and e.attempts == 1 for e in claimed)
        assert [e.key for e in store.claim_outbox(NOW, 10, LEASE)] == ["b"]
        assert store.claim_outbox(NOW, 10, LEASE) == ()

    def test_a_claim_by_channel_takes_only_those_channels_and_touches_no_other(
        self, store: Store
    ) -> None:
        sms = attrs.evolve(_message("sms", NOW - timedelta(days=1)), channel=Channel.SMS)
        chat = attrs.evolve(_message("chat", NOW - timedelta(hours=1)), channel=Channel.MESSENGER)
        store.write(Batch(outbox=[sms, _message("email"), chat]))
        email = frozenset({Channel.EMAIL})
        assert [e.key for e in store.claim_outbox(NOW, 10, LEASE, channels=email)] == ["email"]
        assert store.outbox_entry("sms") == OutboxEntry.queued(sms)
        assert store.claim_outbox(NOW, 10, LEASE, channels=frozenset()) == ()
        (taken,) = store.claim_outbox(NOW, 1, LEASE, channels=frozenset(Channel) - email)
        assert (taken.key, taken.attempts) == ("sms", 1)
        assert [e.key for e in store.claim_outbox(NOW, 10, LEASE)] == ["chat"]
        # An email whose lease ran out is due again, but not to a claim of SMS.
        after = NOW + LEASE
        sms_only = frozenset({Channel.SMS})
        assert [e.key for e in store.claim_outbox(after, 10, LEASE, channels=sms_only)] == ["sms"]
        assert [e.attempts for e in store.outbox() if e.key == "email"] == [1]

    @_CONTRACT
    @given(
        drawn=st.lists(
            st.tuples(st.sampled_from(Channel), st.integers(-3, 3)), min_size=1, max_size=8
        ),
        channels=st.frozensets(st.sampled_from(Channel)),
    )
    def test_a_claim_takes_exactly_the_due_entries_on_its_channels(
        self, store: Store, drawn: list[tuple[Channel, int]], channels: frozenset[Channel]
    ) -> None:
        run = uuid.uuid4().hex  # keys of earlier examples never collide with these
        queued = [
            attrs.evolve(_message(f"{run}-{n}", NOW + timedelta(hours=h)), channel=channel)
            for n, (channel, h) in enumerate(drawn)
        ]
        store.write(Batch(outbox=queued))
        claimed = store.claim_outbox(NOW, 1000, LEASE, channels=channels)
        mine = [e.key for e in claimed if e.key.startswith(run)]
        due = sorted((m.due_at, m.key) for m in queued if m.channel in channels and m.due_at <= NOW)
        assert mine == [key for _, key in due]
        for message in queued:
            if message.key not in mine:
                assert store.outbox_entry(message.key) == OutboxEntry.queued(message)

    def test_an_entry_in_flight_is_claimed_again_only_after_its_lease(self, store: Store) -> None:
        store.write(Batch(outbox=[_message("k")]))
        (first,) = store.claim_outbox(NOW, 1, LEASE)
        assert store.claim_outbox(NOW + LEASE - timedelta(microseconds=1), 1, LEASE) == ()
        (second,) = store.claim_outbox(NOW + LEASE, 1, LEASE)
        assert second.attempts == 2
        # The first claim's outcome comes too late: it no longer belongs to the entry.
        assert not store.settle_outbox(first.delivered(NOW))
        assert store.settle_outbox(second.delivered(NOW + LEASE))
        assert store.outbox(OutboxStatus.SENT) == (second.delivered(NOW + LEASE),)

    def test_settled_outcomes_are_recorded(self, store: Store) -> None:
        store.write(Batch(outbox=[_message("ok"), _message("retry"), _message("dead")]))
        claimed = {e.key: e for e in store.claim_outbox(NOW, 10, LEASE)}
        retry = RetryPolicy(max_attempts=3)
        store.settle_outbox(claimed["ok"].delivered(NOW, provider_id="250 queued"))
        store.settle_outbox(claimed["retry"].failed(NOW, "timeout", retry))
        store.settle_outbox(claimed["dead"].failed(NOW, "no such user", retry, retryable=False))
        assert [e.key for e in store.outbox(OutboxStatus.SENT)] == ["ok"]
        assert [e.key for e in store.outbox(OutboxStatus.DEAD)] == ["dead"]
        (waiting,) = store.outbox(OutboxStatus.PENDING)
        assert (waiting.key, waiting.last_error) == ("retry", "timeout")
        assert waiting.next_attempt_at == NOW + retry.delay(1)
        assert store.claim_outbox(NOW + retry.delay(1), 10, LEASE)[0].key == "retry"

    def test_taking_over_an_unsettled_claim_counts_a_crash(self, store: Store) -> None:
        store.write(Batch(outbox=[_message("k")]))
        retry = RetryPolicy(max_attempts=5)
        (first,) = store.claim_outbox(NOW, 1, LEASE)
        (second,) = store.claim_outbox(NOW + LEASE, 1, LEASE)
        (third,) = store.claim_outbox(NOW + 2 * LEASE, 1, LEASE)
        assert [(e.attempts, e.last_error) for e in (first, second, third)] == [
            (1, ""),
            (2, crash_report(1)),
            (3, crash_report(2)),
        ]
        assert store.outbox_entry("k") == third
        # An outcome settles the count: the next crash is the first in a row again.
        assert store.settle_outbox(third.failed(NOW + 2 * LEASE, "421 try later", retry))
        later = NOW + 2 * LEASE + retry.delay(3)
        (fourth,) = store.claim_outbox(later, 1, LEASE)
        (fifth,) = store.claim_outbox(later + LEASE, 1, LEASE)
        assert (fourth.attempts, fourth.last_error) == (4, "421 try later")
        assert (fifth.attempts, fifth.last_error) == (5, crash_report(1))
        assert not store.settle_outbox(fourth.delivered(later))

    def test_a_poison_message_runs_out_of_attempts_and_its_neighbour_is_sent(
        self, store: Store
    ) -> None:
        # The poison is due first; its send kills the dispatcher. Restarted 15 times,
        # the dispatcher must retire it after max_attempts sends, and send the next one.
        store.write(Batch(outbox=[_message("poison", NOW - LEASE), _message("next")]))
        clock, notifier = _Clock(NOW), _Crashing({"poison": ["crash"] * 99})
        retry = RetryPolicy(max_attempts=6)
        for _restart in range(15):
            _dispatch_once(store, notifier, clock, retry)
            clock.now += LEASE
        poison, neighbour = store.outbox_entry("poison"), store.outbox_entry("next")
        assert poison is not None
        assert neighbour is not None
        assert notifier.tries["poison"] == 6
        assert (poison.status, poison.last_error) == (OutboxStatus.DEAD, crash_report(6))
        assert notifier.tries["next"] == 1
        assert (neighbour.status, neighbour.attempts) == (OutboxStatus.SENT, 1)

    def test_a_crash_on_the_first_due_entry_charges_no_other(self, store: Store) -> None:
        keys = ["poison", "n-1", "n-2", "n-3", "n-4"]
        due = [_message(key, NOW - timedelta(seconds=5 - n)) for n, key in enumerate(keys)]
        store.write(Batch(outbox=due))
        notifier = _Crashing({"poison": ["crash"]})
        dispatcher = Dispatcher(
            store, notifier, clock=_Clock(NOW), lease=LEASE, batch=5, contacts=_RECIPIENTS.get
        )
        with pytest.raises(_Crash):
            dispatcher.dispatch_due()
        assert notifier.tries == {"poison": 1}
        for key in keys[1:]:
            entry = store.outbox_entry(key)
            assert entry is not None
            assert (entry.status, entry.attempts) == (OutboxStatus.PENDING, 0), key

    def test_a_dead_letter_is_queued_again_with_its_last_error(self, store: Store) -> None:
        store.write(Batch(outbox=[_message("dead"), _message("next")]))
        claimed = {e.key: e for e in store.claim_outbox(NOW, 10, LEASE)}
        retry = RetryPolicy(max_attempts=3)
        store.settle_outbox(claimed["dead"].failed(NOW, "550 no such user", retry, retryable=False))
        store.settle_outbox(claimed["next"].delivered(NOW))
        later = NOW + timedelta(days=2)
        revived = store.retry_outbox("dead", later)
        assert revived is not None
        assert (revived.status, revived.attempts) == (OutboxStatus.PENDING, 0)
        assert (revived.next_attempt_at, revived.last_error) == (later, "550 no such user")
        assert revived.message == _message("dead")
        assert store.outbox_entry("dead") == revived
        assert store.claim_outbox(later - timedelta(microseconds=1), 10, LEASE) == ()
        (again,) = store.claim_outbox(later, 10, LEASE)
        assert (again.key, again.attempts) == ("dead", 1)

    def test_only_a_dead_letter_is_queued_again(self, store: Store) -> None:
        minute = timedelta(minutes=1)
        store.write(
            Batch(
                outbox=[
                    _message("sent", NOW - 2 * minute),
                    _message("flying", NOW - minute),
                    _message("waiting", NOW + minute),
                ]
            )
        )
        sent, _flying = store.claim_outbox(NOW, 10, LEASE)
        assert store.settle_outbox(sent.delivered(NOW))
        before = store.outbox()
        for key in ("sent", "flying", "waiting", "nothing"):
            assert store.retry_outbox(key, NOW + LEASE) is None, key
        assert store.outbox() == before
        assert store.outbox_entry("nothing") is None

    @_CONTRACT
    @given(
        scripts=st.lists(
            st.lists(st.sampled_from(["crash", "fail", "final", "ok"]), max_size=8),
            min_size=1,
            max_size=4,
        ),
        max_attempts=st.integers(1, 5),
    )
    def test_every_attempt_is_charged_to_the_entry_that_made_it(
        self, store: Store, scripts: list[list[str]], max_attempts: int
    ) -> None:
        run = uuid.uuid4().hex
        keys = [f"{run}|{n}" for n in range(len(scripts))]
        store.write(
            Batch(outbox=[_message(k, NOW + timedelta(seconds=n)) for n, k in enumerate(keys)])
        )
        clock = _Clock(NOW + timedelta(seconds=len(keys)))
        notifier = _Crashing(dict(zip(keys, scripts, strict=True)))
        retry = RetryPolicy(max_attempts=max_attempts, first_delay=timedelta(minutes=1))
        for _restart in range(4 * len(keys) * (max_attempts + 1)):
            _dispatch_once(store, notifier, clock, retry)
            waiting = [e for e in _entries(store, keys) if e.status in _WAITING]
            if not waiting:
                break
            clock.now = max(clock.now, min(e.next_attempt_at for e in waiting))
        for key, script in zip(keys, scripts, strict=True):
            tries, status, error = _expected(script, max_attempts)
            entry = store.outbox_entry(key)
            assert entry is not None
            assert notifier.tries.get(key, 0) == tries, (key, script)
            assert (entry.status, entry.last_error) == (status, error), (key, script)
            spent_claim = error.startswith("crashed")
            assert entry.attempts == tries + spent_claim, (key, script)

    # -- laws -------------------------------------------------------------------

    @_CONTRACT
    @given(drawn=st.lists(storable.messages(), min_size=1, max_size=6))
    def test_queued_messages_round_trip_and_never_duplicate(
        self, store: Store, drawn: list[Message]
    ) -> None:
        run = uuid.uuid4().hex  # keys of earlier examples never collide with these
        found = [attrs.evolve(m, key=f"{run}|{m.key}") for m in drawn]
        store.write(Batch(outbox=found))
        store.write(Batch(outbox=list(reversed(found))))
        first: dict[str, Message] = {}
        for message in found:
            first.setdefault(message.key, message)
        for key, message in first.items():
            entry = store.outbox_entry(key)
            assert entry is not None
            assert storable.exactly(entry.message) == storable.exactly(message)
            assert (entry.status, entry.attempts) == (OutboxStatus.PENDING, 0)
        keys = [e.key for e in store.outbox() if e.key.startswith(run)]
        assert sorted(keys) == sorted(first)


class StoreContract(BookReaderContract, UnitOfWorkContract, OutboxContract):
    """What every [`Store`][accountcare.ports.store.Store] must do: the three suites.

    Subclasses provide a ``store`` fixture returning an empty store. The read suite's
    ``reader_of`` is made from it: the first call writes its batch into ``store`` and
    returns it; each later one (the read suite's Hypothesis tests call it once per
    example) writes into [`emptied`][accountcare.testing.store_contract.StoreContract.emptied]
    of the store before.

    >>> issubclass(StoreContract, (BookReaderContract, UnitOfWorkContract, OutboxContract))
    True
    """

    @pytest.fixture
    def reader_of(self, store: Store) -> ReaderOf:
        """Readers made from ``store``, each holding exactly the batch it was given."""
        current: list[Store] = []

        def reader_of(batch: Batch) -> BookReader:
            target = self.emptied(current[-1]) if current else store
            current.append(target)
            target.write(batch)
            return target

        return reader_of

    def emptied(self, store: Store) -> Store:
        """An empty store for the next reader, once ``store`` has been written: ``store``
        itself, after its ``clear()``. Override it for a store without one (return a new
        store, or ``store`` after deleting every record of it some other way).

        >>> from accountcare.adapters.memory import MemoryStore
        >>> class TestMemoryStore(StoreContract):
        ...     def emptied(self, store):
        ...         return MemoryStore()
        >>> TestMemoryStore().emptied(MemoryStore()).accounts()
        ()
        """
        clear = getattr(store, "clear", None)
        if not callable(clear):
            pytest.fail(
                f"{type(store).__name__} has no clear() to empty it between the examples of "
                "a read test: give it one, or override StoreContract.emptied to return an "
                "empty store"
            )
        clear()
        return store

    def test_store_satisfies_the_port(self, store: Store) -> None:
        assert isinstance(store, Store)


# -- dispatching with crashes -------------------------------------------------------

_WAITING = (OutboxStatus.PENDING, OutboxStatus.IN_FLIGHT)


class _Crash(BaseException):
    """What a process that dies in a send leaves behind: the send never returns, the
    entry stays in flight (a BaseException passes the dispatcher's ``except
    Exception``, as a real kill passes everything)."""


class _Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class _Crashing:
    """A notifier following a script of outcomes per key ("crash", "fail" for a
    failure worth a retry, "final" for one that is not, "ok"); past its script, or for
    a key without one, a send succeeds. ``tries`` counts the sends of each key."""

    channels = frozenset({Channel.EMAIL})

    def __init__(self, scripts: dict[str, list[str]]) -> None:
        self.scripts = scripts
        self.tries: dict[str, int] = {}

    def send(self, message: Message) -> Delivery:
        n = self.tries.get(message.key, 0)
        self.tries[message.key] = n + 1
        script = self.scripts.get(message.key, [])
        outcome = script[n] if n < len(script) else "ok"
        if outcome == "crash":
            raise _Crash(message.key)
        if outcome == "ok":
            return Delivery(key=message.key, ok=True)
        return Delivery(key=message.key, ok=False, detail=outcome, retryable=outcome == "fail")


def _dispatch_once(store: Store, notifier: _Crashing, clock: _Clock, retry: RetryPolicy) -> None:
    """Start a dispatcher and let it run until nothing is due or its process dies."""
    with contextlib.suppress(_Crash):
        Dispatcher(
            store, notifier, clock=clock, retry=retry, lease=LEASE, contacts=_RECIPIENTS.get
        ).dispatch_due()


def _entries(store: Store, keys: list[str]) -> list[OutboxEntry]:
    return [e for e in (store.outbox_entry(k) for k in keys) if e is not None]


def _expected(script: list[str], max_attempts: int) -> tuple[int, OutboxStatus, str]:
    """Sends, final status and last error of an entry whose sends go as ``script`` says."""
    crashes = 0
    for tries in range(1, max_attempts + 1):
        outcome = script[tries - 1] if tries <= len(script) else "ok"
        if outcome == "ok":
            return tries, OutboxStatus.SENT, ""
        if outcome == "final":
            return tries, OutboxStatus.DEAD, "final"
        crashes = crashes + 1 if outcome == "crash" else 0
    error = crash_report(crashes) if crashes else "fail"
    return max_attempts, OutboxStatus.DEAD, error
