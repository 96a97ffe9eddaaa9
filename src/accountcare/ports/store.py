"""The store ports: where a host keeps accounts, their activity, plans and the outbox.

The port has three sides, each a protocol of its own, so a host implements only what
it needs:

- [`BookReader`][accountcare.ports.store.BookReader], the read side: single records by
  id, and bulk reads over many accounts at once (every contact, every interaction, the
  orders of a window, per-account order totals, accounts a page at a time), each one
  query however large the book;
- [`UnitOfWork`][accountcare.ports.store.UnitOfWork], the writes: a
  [`Batch`][accountcare.ports.store.Batch] is one transaction, all of it or nothing;
- [`OutboxStore`][accountcare.ports.store.OutboxStore], the queue of messages to send.

[`Store`][accountcare.ports.store.Store] is all three, which the library's memory,
SQLite and SQL stores are. A host whose accounts live in its own tables may implement
only the read side and run the policies and read-only use cases over it. Run the
suites of [`accountcare.testing.store_contract`][accountcare.testing.store_contract] against an
implementation to check it behaves like ours.

>>> from accountcare.adapters.memory import MemoryStore
>>> from accountcare.domain import Account
>>> store = MemoryStore()
>>> _ = store.write(Batch(accounts=[Account(id="acme", name="Acme", owner="rep-li")]))
>>> [a.id for a in store.accounts_by_owner("rep-li")]
['acme']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Protocol, runtime_checkable

import attrs

from accountcare.domain._validate import as_tuple
from accountcare.domain.accounts import Account
from accountcare.domain.activity import (
    Complaint,
    Interaction,
    InteractionKind,
    Order,
    OrderTotal,
)
from accountcare.domain.care import CareSchedule
from accountcare.domain.contacts import Channel, Contact
from accountcare.domain.messages import Message
from accountcare.domain.outbox import OutboxEntry, OutboxStatus
from accountcare.domain.team import Company, Rep
from accountcare.domain.tiers import TierAssignment
from accountcare.domain.visits import VisitPlan
from accountcare.domain.warnings import LostAccountReview
from accountcare.errors import AccountcareError, ConfigurationError, InvalidRecord

__all__ = [
    "Batch",
    "BookReader",
    "OutboxStore",
    "SchemaVersionError",
    "Store",
    "StoreError",
    "UnitOfWork",
    "UnreadableRecord",
    "UnstorableRecord",
    "WriteReport",
    "wanted_accounts",
    "wanted_keys",
]


class StoreError(AccountcareError):
    """A store cannot be opened or used: not a database, a directory, unreachable,
    damaged, read-only, full... Its message is one line saying what is wrong and what
    was, or was not, changed; it never repeats the values of the records involved (a
    database driver's own error, which may, is not chained to it)."""


class UnstorableRecord(StoreError, InvalidRecord):
    """A record the store cannot keep as it is (an id longer than every store keeps),
    named by ``record`` and ``field``; nothing of its batch was written.

    >>> error = UnstorableRecord("Contact 'c-1'", "id", "has 256 characters")
    >>> isinstance(error, StoreError), isinstance(error, InvalidRecord), error.field
    (True, True, 'id')
    """


class UnreadableRecord(StoreError, InvalidRecord):
    """A stored record that breaks a rule of its kind (an amount out of range, an id
    with a line break), written into the store by another program or a damaged copy:
    named by ``record`` and ``field``, with the store in the message. Nothing is
    returned from the read, and nothing stored is changed.

    >>> error = UnreadableRecord("Order 'o-1'", "amount", "must be finite, got NaN")
    >>> isinstance(error, StoreError), isinstance(error, InvalidRecord), error.field
    (True, True, 'amount')
    """


class SchemaVersionError(StoreError):
    """The stored schema is newer than this version of accountcare understands."""

    def __init__(self, where: str, found: int, supported: int) -> None:
        self.found = found
        self.supported = supported
        super().__init__(
            f"{where} has schema version {found}, but this accountcare understands versions "
            f"up to {supported}; upgrade accountcare to open it (nothing was changed)"
        )


def _plans(
    value: Mapping[str, VisitPlan] | Iterable[tuple[str, VisitPlan]],
) -> tuple[tuple[str, VisitPlan], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    return tuple((name, plan) for name, plan in items)


def _schedules(
    value: Mapping[str, CareSchedule] | Iterable[tuple[str, CareSchedule]],
) -> tuple[tuple[str, CareSchedule], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    return tuple((name, schedule) for name, schedule in items)


def _ids(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        raise InvalidRecord(
            "batch", "retired_accounts", f"must be a collection of account ids, got {value!r}"
        )
    return tuple(value)


def _tiers(
    value: Mapping[date, Iterable[TierAssignment]] | Iterable[tuple[date, TierAssignment]],
) -> tuple[tuple[date, TierAssignment], ...]:
    if isinstance(value, Mapping):
        return tuple((as_of, a) for as_of, group in value.items() for a in group)
    return tuple(value)


def wanted_accounts(account_ids: Iterable[str] | None) -> frozenset[str] | None:
    """The account ids a bulk read asks for, as a set (None for every account): what
    an implementation of the read side starts from. A single id given where a
    collection is expected is refused, rather than read as its characters.

    >>> sorted(wanted_accounts(["b", "a", "b"])), wanted_accounts(None)
    (['a', 'b'], None)
    >>> wanted_accounts("acme")
    Traceback (most recent call last):
    ...
    accountcare.errors.ConfigurationError: account_ids must be a collection of ids, got the string 'acme'
    """  # noqa: E501
    if account_ids is None:
        return None
    return wanted_keys(account_ids, "account_ids")


def wanted_keys(keys: Iterable[str], name: str = "keys") -> frozenset[str]:
    """``keys`` as a set, refusing a single string (whose characters are not keys).

    >>> sorted(wanted_keys(["k-2", "k-1"]))
    ['k-1', 'k-2']
    """
    if isinstance(keys, str):
        raise ConfigurationError(f"{name} must be a collection of ids, got the string {keys!r}")
    return frozenset(keys)


@attrs.frozen
class Batch:
    """Everything one transaction writes.

    Records with an id replace the stored record with the same id (an upsert); a later
    record in the batch wins over an earlier one with the same id. ``tiers`` maps the
    as-of date of a tier run to its assignments (keyed by policy, date and account);
    ``visit_plans`` and ``care_schedules`` are stored under a name the host chooses
    ("east-2027-w05"). ``outbox`` messages are queued unless their key is already in the
    outbox, whatever its state: queuing is idempotent. ``reps`` are the team members
    (by id, like accounts); ``company``, when given, replaces the one stored company
    whose name signs the care. ``loss_reviews`` are the root-cause records of lost
    accounts, kept by account and the day the cause was found: a review of the same
    account found on the same day replaces the stored one, reviews found on other days
    are kept beside it (the care scheduler follows each account's latest).

    Contacts, orders, interactions, complaints, tier assignments and loss reviews must
    name an account that is stored or in the same batch.

    ``retired_accounts`` are the ids of accounts deleted once the rest of the batch is
    applied, in the same transaction, with their tier assignments and loss reviews: an
    account whose
    records the batch moves to another one (its contacts, say, to the account of the same
    company in the ERP) is retired by that batch. One that still holds contacts, orders,
    interactions or complaints after the batch is an
    [`InvalidRecord`][accountcare.errors.InvalidRecord] naming it and how many it holds, and
    nothing of the batch is written; an id that is not stored is ignored.

    >>> from datetime import date
    >>> Batch(tiers={date(2027, 1, 1): []}).is_empty
    True
    >>> from accountcare.adapters.memory import MemoryStore
    >>> from accountcare.domain import Account, Contact
    >>> store = MemoryStore()
    >>> _ = store.write(Batch(accounts=[Account(id="phone-acme", name="Acme"),
    ...     Account(id="erp-1001", name="Acme")], contacts=[Contact(id="c-1",
    ...     account_id="phone-acme", name="Li")]))
    >>> _ = store.write(Batch(retired_accounts=["phone-acme"]))
    Traceback (most recent call last):
    ...
    accountcare.errors.InvalidRecord: Account 'phone-acme': field 'retired_accounts' cannot retire it: it still holds 1 record after the batch (1 contact); move them to another account in the same batch (nothing of the batch was written)
    >>> _ = store.write(Batch(contacts=[Contact(id="c-1", account_id="erp-1001", name="Li")],
    ...     retired_accounts=["phone-acme"]))
    >>> [a.id for a in store.accounts()], store.contact("c-1").account_id
    (['erp-1001'], 'erp-1001')
    """  # noqa: E501

    accounts: tuple[Account, ...] = attrs.field(default=(), converter=as_tuple)
    contacts: tuple[Contact, ...] = attrs.field(default=(), converter=as_tuple)
    orders: tuple[Order, ...] = attrs.field(default=(), converter=as_tuple)
    interactions: tuple[Interaction, ...] = attrs.field(default=(), converter=as_tuple)
    complaints: tuple[Complaint, ...] = attrs.field(default=(), converter=as_tuple)
    tiers: tuple[tuple[date, TierAssignment], ...] = attrs.field(default=(), converter=_tiers)
    visit_plans: tuple[tuple[str, VisitPlan], ...] = attrs.field(default=(), converter=_plans)
    care_schedules: tuple[tuple[str, CareSchedule], ...] = attrs.field(
        default=(), converter=_schedules
    )
    outbox: tuple[Message, ...] = attrs.field(default=(), converter=as_tuple)
    reps: tuple[Rep, ...] = attrs.field(default=(), converter=as_tuple)
    company: Company | None = None
    loss_reviews: tuple[LostAccountReview, ...] = attrs.field(default=(), converter=as_tuple)
    retired_accounts: tuple[str, ...] = attrs.field(default=(), converter=_ids)

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, a.name) for a in attrs.fields(Batch))


@attrs.frozen
class WriteReport:
    """What a write did to the outbox: keys newly queued, and keys already there."""

    enqueued: tuple[str, ...] = ()
    already_queued: tuple[str, ...] = ()


@runtime_checkable
class BookReader(Protocol):
    """The read side of a store: what the use cases read.

    Reads return tuples in a stable order: accounts and contacts by id, orders by
    (date, id), interactions and complaints by (instant, id), tier assignments by
    account id. Values come back equal to what was written: Decimal money to the last
    digit, dates, aware datetimes with their offset, enums and sets.

    The bulk reads (``contacts_of``, ``orders_of``, ``interactions_of``,
    ``complaints_of``, ``orders_between``, ``order_totals``, ``last_interactions``,
    ``accounts_page``) each cost one query whatever the number of accounts: a use case
    over the whole book makes the same few round trips to a server for ten accounts
    as for a hundred thousand. (Given a list of ids, a store may send one statement
    per several thousand ids, as the SQL store does on MariaDB: one per 5,000.)
    """

    def account(self, account_id: str) -> Account | None: ...

    def accounts(self) -> tuple[Account, ...]:
        """Every account, by id."""
        ...

    def accounts_by_owner(self, owner: str) -> tuple[Account, ...]: ...

    def accounts_in_tier(
        self, policy: str, tier: str, as_of: date | None = None
    ) -> tuple[Account, ...]:
        """Accounts whose latest assignment under ``policy`` (on or before ``as_of``,
        when given) is ``tier``."""
        ...

    def accounts_changed_since(self, instant: datetime) -> tuple[Account, ...]:
        """Accounts whose ``updated_at`` is at or after ``instant``."""
        ...

    def contact(self, contact_id: str) -> Contact | None: ...

    def contacts(self, account_id: str) -> tuple[Contact, ...]: ...

    def contacts_of(self, account_ids: Iterable[str] | None = None) -> tuple[Contact, ...]:
        """The contacts of the accounts ``account_ids`` (of every account when None), by
        id, in one read.

        >>> from accountcare.adapters.memory import MemoryStore
        >>> from accountcare.domain import Account, Contact
        >>> store = MemoryStore()
        >>> _ = store.write(Batch(accounts=[Account(id="a", name="A"), Account(id="b", name="B")],
        ...     contacts=[Contact(id="c-2", account_id="b", name="Li"),
        ...               Contact(id="c-1", account_id="a", name="Wang")]))
        >>> [c.id for c in store.contacts_of()], [c.id for c in store.contacts_of(["b"])]
        (['c-1', 'c-2'], ['c-2'])
        """
        ...

    def accounts_page(self, after: str | None, limit: int) -> tuple[Account, ...]:
        """At most ``limit`` accounts whose id comes after ``after`` (from the first when
        None), by id: the book a page at a time, each page one query.

        >>> from accountcare.adapters.memory import MemoryStore
        >>> from accountcare.domain import Account
        >>> store = MemoryStore()
        >>> _ = store.write(Batch(accounts=[Account(id=i, name=i) for i in "dcba"]))
        >>> first = store.accounts_page(None, 3)
        >>> [a.id for a in first], [a.id for a in store.accounts_page(first[-1].id, 3)]
        (['a', 'b', 'c'], ['d'])
        """
        ...

    def orders(self, account_id: str) -> tuple[Order, ...]: ...

    def orders_of(self, account_ids: Iterable[str] | None = None) -> tuple[Order, ...]:
        """The orders of ``account_ids`` (of every account when None), by (date, id), in
        one read."""
        ...

    def orders_between(self, start: date, end: date) -> tuple[Order, ...]:
        """Orders of every account placed in ``[start, end)``."""
        ...

    def order_totals(self, start: date, end: date) -> tuple[OrderTotal, ...]:
        """Each account's orders placed in ``[start, end)``, summed per currency, by
        (account id, currency): exactly
        [`order_totals`][accountcare.domain.activity.order_totals] of those orders. A
        server store computes them in the database and sends one row per account and
        currency, not the orders.

        >>> from datetime import date
        >>> from decimal import Decimal
        >>> from accountcare.adapters.memory import MemoryStore
        >>> from accountcare.domain import Account, Order
        >>> store = MemoryStore()
        >>> _ = store.write(Batch(accounts=[Account(id="a", name="A")], orders=[
        ...     Order("o-1", "a", date(2027, 1, 5), Decimal("100.50"), margin=Decimal(20)),
        ...     Order("o-2", "a", date(2027, 2, 5), Decimal("99.50"))]))
        >>> (total,) = store.order_totals(date(2027, 1, 1), date(2028, 1, 1))
        >>> total.amount, total.margin, total.orders, total.last_on
        (Decimal('200'), Decimal('20'), 2, datetime.date(2027, 2, 5))
        """
        ...

    def interactions(self, account_id: str) -> tuple[Interaction, ...]: ...

    def interactions_of(self, account_ids: Iterable[str] | None = None) -> tuple[Interaction, ...]:
        """The interactions of ``account_ids`` (of every account when None), by
        (instant, id), in one read."""
        ...

    def last_interactions(self, kind: InteractionKind) -> tuple[Interaction, ...]:
        """Each account's latest interaction of ``kind`` (the latest instant; of two at
        the same instant, the greater id), by account id: one row per account.

        >>> from datetime import UTC, datetime
        >>> from accountcare.adapters.memory import MemoryStore
        >>> from accountcare.domain import Account, Interaction, InteractionKind
        >>> store = MemoryStore()
        >>> call = InteractionKind.CALL
        >>> _ = store.write(Batch(accounts=[Account(id="a", name="A")], interactions=[
        ...     Interaction("i-1", "a", datetime(2027, 1, 5, tzinfo=UTC), call, by="li"),
        ...     Interaction("i-2", "a", datetime(2027, 3, 5, tzinfo=UTC), call, by="li"),
        ...     Interaction("i-3", "a", datetime(2027, 4, 5, tzinfo=UTC), InteractionKind.VISIT,
        ...                 by="li")]))
        >>> [i.id for i in store.last_interactions(call)]
        ['i-2']
        """
        ...

    def complaints(self, account_id: str) -> tuple[Complaint, ...]: ...

    def complaints_of(self, account_ids: Iterable[str] | None = None) -> tuple[Complaint, ...]:
        """The complaints of ``account_ids`` (of every account when None), by
        (instant, id), in one read."""
        ...

    def tier_assignments(self, policy: str, as_of: date) -> tuple[TierAssignment, ...]:
        """The assignments of the run of ``policy`` dated ``as_of``."""
        ...

    def visit_plan(self, name: str) -> VisitPlan | None: ...

    def care_schedule(self, name: str) -> CareSchedule | None: ...

    def rep(self, rep_id: str) -> Rep | None: ...

    def reps(self) -> tuple[Rep, ...]:
        """Every rep, by id."""
        ...

    def company(self) -> Company | None:
        """The company whose name signs the care, when one was stored."""
        ...

    def loss_reviews(self, account_id: str | None = None) -> tuple[LostAccountReview, ...]:
        """The root-cause records of lost accounts (of ``account_id`` only, when given),
        by account id, then the day found.

        >>> from datetime import date
        >>> from accountcare.adapters.memory import MemoryStore
        >>> from accountcare.domain import Account, LostAccountReview, RootCause
        >>> store = MemoryStore()
        >>> _ = store.write(Batch(accounts=[Account(id="acme", name="Acme")],
        ...     loss_reviews=[LostAccountReview("acme", RootCause.PRICE,
        ...                   "moved to a cheaper supplier", "rep-li", date(2027, 2, 1))]))
        >>> [(r.account_id, r.cause.value) for r in store.loss_reviews("acme")]
        [('acme', 'price')]
        """
        ...


@runtime_checkable
class UnitOfWork(Protocol):
    """The write side of a store: each [`Batch`][accountcare.ports.store.Batch] is one transaction.

    ``write`` raises [`InvalidRecord`][accountcare.errors.InvalidRecord] naming the first bad
    record and stores nothing of the batch; [`StoreError`][accountcare.ports.store.StoreError] when
    the store fails.
    """

    def write(self, batch: Batch) -> WriteReport:
        """Apply ``batch`` in one transaction."""
        ...


@runtime_checkable
class OutboxStore(Protocol):
    """The outbox of a store: messages queued (by a [`Batch`][accountcare.ports.store.Batch]'s
    ``outbox``), claimed by dispatchers and settled. Entries are read by (next attempt,
    key)."""

    def outbox_entry(self, key: str) -> OutboxEntry | None: ...

    def outbox(self, status: OutboxStatus | None = None) -> tuple[OutboxEntry, ...]:
        """Entries in ``status`` (all when None)."""
        ...

    def queued_keys(self, keys: Iterable[str]) -> frozenset[str]:
        """Which of ``keys`` are in the outbox, in any state: one read (or one per
        several thousand keys), however many are asked.

        >>> from datetime import UTC, datetime
        >>> from accountcare.adapters.memory import MemoryStore
        >>> from accountcare.domain import Channel, Message, Recipient
        >>> store = MemoryStore()
        >>> _ = store.write(Batch(outbox=[Message(key="k", channel=Channel.EMAIL,
        ...     recipient=Recipient("c", "Li", "li@x.cn"), subject="s", text="t",
        ...     due_at=datetime(2027, 3, 1, tzinfo=UTC))]))
        >>> sorted(store.queued_keys(["k", "other"]))
        ['k']
        """
        ...

    def claim_outbox(
        self,
        now: datetime,
        limit: int,
        lease: timedelta,
        *,
        channels: frozenset[Channel] | None = None,
    ) -> tuple[OutboxEntry, ...]:
        """Atomically take up to ``limit`` due entries on ``channels`` (every channel when
        None), oldest first, and store each as
        [`OutboxEntry.claimed`][accountcare.domain.outbox.OutboxEntry.claimed] returns
        it: in flight until ``now + lease``, with one attempt more.

        Due means [`OutboxEntry.is_due`][accountcare.domain.outbox.OutboxEntry.is_due]:
        pending and due, or in flight with its lease run out. Taking over such an entry
        counts the crash of the claim that never settled it (``claimed`` records it in
        ``last_error``), so a message whose send kills its dispatcher runs out of
        attempts. Every entry taken is charged an attempt: a dispatcher takes only what
        it is about to send (the [`Dispatcher`][accountcare.services.outbox.Dispatcher]
        takes one at a time), so that no entry pays for another's crash, and only on the
        channels it can send (an entry on another channel is not touched: it keeps its
        attempts and its place for a dispatcher that can).

        >>> from datetime import UTC, datetime, timedelta
        >>> from accountcare.adapters.memory import MemoryStore
        >>> from accountcare.domain import Channel, Message, Recipient
        >>> at = datetime(2027, 3, 1, tzinfo=UTC)
        >>> store = MemoryStore()
        >>> _ = store.write(Batch(outbox=[Message(key="k", channel=Channel.EMAIL,
        ...     recipient=Recipient("c", "Li", "li@x.cn"), subject="s", text="t", due_at=at)]))
        >>> lease = timedelta(minutes=5)
        >>> [(e.key, e.attempts) for e in store.claim_outbox(at, 10, lease)]
        [('k', 1)]
        >>> store.claim_outbox(at, 10, lease)  # in flight until its lease runs out
        ()
        >>> [(e.attempts, e.last_error) for e in store.claim_outbox(at + lease, 10, lease)]
        [(2, 'crashed during send 1 time')]
        >>> store.claim_outbox(at + 2 * lease, 10, lease, channels=frozenset({Channel.SMS}))
        ()
        """
        ...

    def retry_outbox(self, key: str, now: datetime) -> OutboxEntry | None:
        """Queue the dead letter ``key`` again: pending, due at ``now``, its attempts
        back to 0 and its last error kept. Returns the entry as stored, or None (and
        changes nothing) when ``key`` is not a dead letter.
        """
        ...

    def settle_outbox(self, entry: OutboxEntry) -> bool:
        """Record the outcome of a claimed entry. Returns False (and changes nothing)
        when the stored entry is no longer the claim this outcome belongs to (its lease
        ran out and another dispatcher claimed it again): the stored entry must still be
        in flight with the outcome's ``attempts``.

        >>> from datetime import UTC, datetime, timedelta
        >>> from accountcare.adapters.memory import MemoryStore
        >>> from accountcare.domain import Channel, Message, Recipient
        >>> at = datetime(2027, 3, 1, tzinfo=UTC)
        >>> store = MemoryStore()
        >>> _ = store.write(Batch(outbox=[Message(key="k", channel=Channel.EMAIL,
        ...     recipient=Recipient("c", "Li", "li@x.cn"), subject="s", text="t", due_at=at)]))
        >>> lease = timedelta(minutes=5)
        >>> (late,) = store.claim_outbox(at, 1, lease)
        >>> (taken_over,) = store.claim_outbox(at + lease, 1, lease)
        >>> store.settle_outbox(late.delivered(at)), store.settle_outbox(taken_over.delivered(at))
        (False, True)
        """
        ...


@runtime_checkable
class Store(BookReader, UnitOfWork, OutboxStore, Protocol):
    """A whole store: the read side, the writes and the outbox, as the library's memory,
    SQLite and SQL stores are.

    >>> from accountcare.adapters.memory import MemoryStore
    >>> isinstance(MemoryStore(), Store), isinstance(MemoryStore(), BookReader)
    (True, True)
    """
