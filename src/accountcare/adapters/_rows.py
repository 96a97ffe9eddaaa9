"""What every store adapter does with a batch before it touches storage.

Checks each record's type, keeps the last of records sharing an id, checks that every
record names a known account, and turns records into rows: a few indexed columns plus
the record itself through the one converter
([`accountcare.serialization`][accountcare.serialization]).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

import attrs

from accountcare.adapters._codec import loads, row_codec, stored
from accountcare.domain._validate import MAX_ID_LENGTH, a_kind
from accountcare.domain.accounts import Account
from accountcare.domain.activity import Complaint, Interaction, Order
from accountcare.domain.care import CareSchedule
from accountcare.domain.contacts import Contact
from accountcare.domain.messages import Message
from accountcare.domain.outbox import OutboxEntry
from accountcare.domain.team import Company, Rep
from accountcare.domain.tiers import TierAssignment
from accountcare.domain.visits import VisitPlan
from accountcare.domain.warnings import LostAccountReview
from accountcare.errors import InvalidRecord
from accountcare.ports.store import Batch, StoreError, UnreadableRecord, WriteReport

T = TypeVar("T")


def encode(value: object) -> Any:
    """A value as the plain data a JSON column holds."""
    return row_codec(type(value)).encode(value)


def encode_json(value: object) -> str:
    """A value as compact JSON text."""
    return row_codec(type(value)).text(value)


def decode_all(payloads: Iterable[Any], kind: type[T], where: str) -> tuple[T, ...]:
    """Stored payloads (JSON text or plain data) back as ``kind`` s, in order.

    Values are rebuilt by the kind's row codec, which runs the domain's checks on money
    and ids only (the rest ran before the payload was written: see `_codec`); a
    payload the codec cannot read goes through the converter, and one nothing can read,
    or one breaking a rule of its kind, is a [`StoreError`][accountcare.ports.store.StoreError]
    ([`UnreadableRecord`][accountcare.ports.store.UnreadableRecord], naming the record,
    the field and the store, for a broken rule).
    """
    payloads = payloads if isinstance(payloads, list) else list(payloads)
    build = row_codec(kind).decode
    refused: InvalidRecord | None = None
    try:
        return tuple([build(loads(p) if isinstance(p, str | bytes) else p) for p in payloads])
    except InvalidRecord as exc:
        refused = exc
    except Exception:  # written by another version, or damaged: read below
        pass
    if refused is not None:  # raised outside the handler: nothing else is chained
        raise unreadable(refused, where)
    # Written by another version, or damaged: the converter reads it or says why.
    return tuple([decode(p, kind, where) for p in payloads])


def decode(payload: Any, kind: type[T], where: str) -> T:
    """A stored payload (JSON text or plain data) back as a ``kind``, through the
    converter (validators run)."""
    failed: Exception
    try:
        data = json.loads(payload) if isinstance(payload, str | bytes) else payload
        return stored.structure(data, kind)
    except Exception as exc:
        failed = exc
    refused = _invalid(failed)
    if refused is not None:
        raise unreadable(refused, where)
    raise StoreError(
        f"{where}: a stored {kind.__name__} cannot be read back: {' '.join(str(failed).split())}"
    )


def _invalid(error: BaseException) -> InvalidRecord | None:
    """The [`InvalidRecord`][accountcare.errors.InvalidRecord] that ``error`` is, or that the
    converter wrapped."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, InvalidRecord):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def unreadable(error: InvalidRecord, where: str) -> UnreadableRecord:
    """The one-line [`UnreadableRecord`][accountcare.ports.store.UnreadableRecord] for a stored
    record that failed ``error``'s check, in the store at ``where``.

    >>> error = InvalidRecord("Order 'o-1'", "amount", "must be finite, got NaN")
    >>> print(unreadable(error, "book.sqlite3"))
    Order 'o-1': field 'amount' must be finite, got NaN, as stored in book.sqlite3; correct or remove that record there (nothing was changed)
    """  # noqa: E501
    problem = " ".join(error.problem.split())
    return UnreadableRecord(
        error.record,
        error.field,
        f"{problem}, as stored in {where}; correct or remove that record there "
        "(nothing was changed)",
    )


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


def micros(instant: datetime) -> int:
    """An aware instant as whole microseconds since 1970 UTC (sortable in every database)."""
    return (instant - _EPOCH) // _MICRO


@attrs.frozen
class Checked:
    """A batch after checking: last record per id wins, every reference resolved."""

    accounts: tuple[Account, ...]
    contacts: tuple[Contact, ...]
    orders: tuple[Order, ...]
    interactions: tuple[Interaction, ...]
    complaints: tuple[Complaint, ...]
    tiers: tuple[tuple[date, TierAssignment], ...]
    visit_plans: tuple[tuple[str, VisitPlan], ...]
    care_schedules: tuple[tuple[str, CareSchedule], ...]
    outbox: tuple[Message, ...]
    reps: tuple[Rep, ...] = ()
    company: Company | None = None
    loss_reviews: tuple[LostAccountReview, ...] = ()
    retired_accounts: tuple[str, ...] = ()


def _typed(values: Sequence[Any], kind: type[T], where: str) -> None:
    for n, value in enumerate(values):
        if not isinstance(value, kind):
            raise InvalidRecord(
                f"batch.{where}[{n}]",
                "(type)",
                f"must be {a_kind(kind)}, got {type(value).__name__}",
            )


def _last_by(values: Sequence[T], key: Callable[[T], Any]) -> tuple[T, ...]:
    unique = {key(value): value for value in values}
    if len(unique) == len(values):  # no repeated id: the batch as it is
        return tuple(values)
    latest: dict[Any, T] = {}
    for value in values:
        latest.pop(key(value), None)
        latest[key(value)] = value
    return tuple(latest.values())


def _a_name(name: object) -> bool:
    return isinstance(name, str) and bool(name.strip())


def _a_date(day: object) -> bool:
    return isinstance(day, date) and not isinstance(day, datetime)


# The batch's pairs: where, the kind of the second, and what the first must be.
_PAIRS: tuple[tuple[str, type, str, str, Callable[[object], bool]], ...] = (
    ("tiers", TierAssignment, "as_of", "a date", _a_date),
    ("visit_plans", VisitPlan, "name", "a non-empty string", _a_name),
    ("care_schedules", CareSchedule, "name", "a non-empty string", _a_name),
)


def check(batch: Batch) -> Checked:
    """Check the types in ``batch`` and keep the last record per id.

    Raises [`InvalidRecord`][accountcare.errors.InvalidRecord] naming the first bad record.
    References to accounts are checked by `check_references`, inside the store's transaction.
    """
    if not isinstance(batch, Batch):
        raise InvalidRecord("batch", "(type)", f"must be a Batch, got {type(batch).__name__}")
    for where, kind in (
        ("accounts", Account),
        ("contacts", Contact),
        ("orders", Order),
        ("interactions", Interaction),
        ("complaints", Complaint),
        ("outbox", Message),
        ("reps", Rep),
        ("loss_reviews", LostAccountReview),
    ):
        _typed(getattr(batch, where), kind, where)
    if batch.company is not None and not isinstance(batch.company, Company):
        kind = type(batch.company).__name__
        raise InvalidRecord("batch.company", "(type)", f"must be a Company, got {kind}")
    for n, retired in enumerate(batch.retired_accounts):
        if not _a_name(retired):
            raise InvalidRecord(
                f"batch.retired_accounts[{n}]", "(type)", f"must be an account id, got {retired!r}"
            )
    for where, second, field, wanted, right in _PAIRS:
        pairs = getattr(batch, where)
        for n, pair in enumerate(pairs):
            if not (isinstance(pair, tuple) and len(pair) == 2 and right(pair[0])):
                first = pair[0] if isinstance(pair, tuple) and pair else pair
                raise InvalidRecord(
                    f"batch.{where}[{n}]", field, f"must be {wanted}, got {first!r}"
                )
        _typed([pair[1] for pair in pairs], second, where)
    return Checked(
        accounts=_last_by(batch.accounts, lambda a: a.id),
        contacts=_last_by(batch.contacts, lambda c: c.id),
        orders=_last_by(batch.orders, lambda o: o.id),
        interactions=_last_by(batch.interactions, lambda i: i.id),
        complaints=_last_by(batch.complaints, lambda c: c.id),
        tiers=_last_by(batch.tiers, lambda t: (t[1].policy, t[0], t[1].account_id)),
        visit_plans=_last_by(batch.visit_plans, lambda p: p[0]),
        care_schedules=_last_by(batch.care_schedules, lambda s: s[0]),
        outbox=_first_by(batch.outbox),
        reps=_last_by(batch.reps, lambda r: r.id),
        company=batch.company,
        loss_reviews=_last_by(batch.loss_reviews, lambda r: (r.account_id, r.found_on)),
        retired_accounts=tuple(a for a in dict.fromkeys(batch.retired_accounts) if _storable(a)),
    )


def _storable(account_id: str) -> bool:
    """Whether an account can be stored under ``account_id``: one that cannot (a line
    break, a lone surrogate) is not stored, so retiring it does nothing."""
    try:
        Account(id=account_id, name="-")
        account_id.encode("utf-8")
    except (InvalidRecord, UnicodeEncodeError):
        return False
    return len(account_id) <= MAX_ID_LENGTH


def _first_by(messages: Iterable[Message]) -> tuple[Message, ...]:
    # Queuing is idempotent: the first message with a key is the one queued.
    seen: dict[str, Message] = {}
    for message in messages:
        seen.setdefault(message.key, message)
    return tuple(seen.values())


def check_references(checked: Checked, known_accounts: Callable[[set[str]], set[str]]) -> None:
    """Raise [`InvalidRecord`][accountcare.errors.InvalidRecord] for the first record naming an
    unknown account; ``known_accounts(ids)`` returns those of ``ids`` already stored."""
    in_batch = {a.id for a in checked.accounts}
    wanted = {
        record.account_id
        for records in (checked.contacts, checked.orders, checked.interactions, checked.complaints)
        for record in records
    }
    wanted.update(t.account_id for _, t in checked.tiers)
    wanted.update(r.account_id for r in checked.loss_reviews)
    wanted -= in_batch
    if not wanted:
        return
    missing = wanted - known_accounts(wanted)
    if not missing:
        return
    for label, record in labelled(checked):
        account = getattr(record, "account_id", None)
        if account in missing:
            raise InvalidRecord(
                label,
                "account_id",
                f"names account {account!r}, which is neither stored nor in this batch",
            )


#: The tables whose rows keep an account from being retired, each with its record's name.
HOLDINGS: tuple[tuple[str, str], ...] = (
    ("contacts", "contact"),
    ("orders", "order"),
    ("interactions", "interaction"),
    ("complaints", "complaint"),
)


def check_retired(retired: Iterable[str], held: Mapping[str, Mapping[str, int]]) -> None:
    """Raise [`InvalidRecord`][accountcare.errors.InvalidRecord] for the first ``retired`` account
    that still holds records after the batch; ``held`` maps each table of `HOLDINGS` to the number
    of its rows, after the batch, of each retired account that holds any.

    >>> check_retired(["phone-acme"], {"contacts": {"phone-acme": 2}, "orders": {"phone-acme": 1}})
    Traceback (most recent call last):
    ...
    accountcare.errors.InvalidRecord: Account 'phone-acme': field 'retired_accounts' cannot retire it: it still holds 3 records after the batch (2 contacts, 1 order); move them to another account in the same batch (nothing of the batch was written)
    >>> check_retired(["phone-acme"], {"contacts": {}})
    """  # noqa: E501
    for account_id in retired:
        counts = [(held.get(t, {}).get(account_id, 0), name) for t, name in HOLDINGS]
        total = sum(n for n, _ in counts)
        if not total:
            continue
        parts = ", ".join(f"{n} {name}{'s' if n > 1 else ''}" for n, name in counts if n)
        raise InvalidRecord(
            f"Account {account_id!r}",
            "retired_accounts",
            f"cannot retire it: it still holds {total} record{'s' if total > 1 else ''} "
            f"after the batch ({parts}); move them to another account in the same batch "
            "(nothing of the batch was written)",
        )


def labelled(checked: Checked) -> Iterator[tuple[str, object]]:
    """Every record of the batch with the label a user knows it by (``"Contact 'c-1'"``;
    visit plans and care schedules by the name they are stored under)."""
    for records in (
        checked.accounts,
        checked.contacts,
        checked.orders,
        checked.interactions,
        checked.complaints,
        checked.reps,
    ):
        for record in records:
            yield f"{type(record).__name__} {record.id!r}", record
    for as_of, tier in checked.tiers:
        yield f"TierAssignment {tier.policy!r}/{as_of.isoformat()}/{tier.account_id!r}", tier
    for review in checked.loss_reviews:
        yield review_label(review.account_id, review.found_on.isoformat()), review
    for name, plan in checked.visit_plans:
        yield f"VisitPlan {name!r}", plan
    for name, schedule in checked.care_schedules:
        yield f"CareSchedule {name!r}", schedule
    for message in checked.outbox:
        yield f"Message {message.key!r}", message
    if checked.company is not None:
        yield f"Company {checked.company.name!r}", checked.company


def review_label(account_id: str, found_on: str) -> str:
    """The label a user knows a loss review by: its account and the day it was found.

    >>> review_label("acme", "2027-02-01")
    "LostAccountReview 'acme'/2027-02-01"
    """
    return f"LostAccountReview {account_id!r}/{found_on}"


def write_report(checked: Checked, present: set[str]) -> WriteReport:
    """What a write did to the outbox, given the keys of the batch already ``present``."""
    keys = [m.key for m in checked.outbox]
    return WriteReport(
        tuple(k for k in keys if k not in present), tuple(k for k in keys if k in present)
    )


def chunks(values: Sequence[T], size: int = 500) -> Iterable[Sequence[T]]:
    """Slices of at most ``size`` (keeps IN lists under every database's limits)."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


Row = dict[str, Any]
#: A table's rows: the column names, and one tuple of values per row in that order.
Rows = tuple[tuple[str, ...], list[tuple[Any, ...]]]


def outbox_row(entry: OutboxEntry, encode: Callable[[object], Any]) -> Row:
    return {
        "key": entry.key,
        "status": entry.status.value,
        "channel": entry.message.channel.value,
        "next_attempt_us": micros(entry.next_attempt_at),
        "attempts": entry.attempts,
        "payload": encode(entry),
    }


def _instant(value: datetime | None) -> int | None:
    return None if value is None else micros(value)


def table_rows(checked: Checked, encode: Callable[[object], Any]) -> dict[str, Rows]:
    """The rows each table receives, in the order that keeps references valid;
    ``encode`` turns a value into the payload column (JSON text or plain dicts).

    Rows are tuples (SQLite binds them faster than mappings); `as_dicts` gives
    the mappings SQLAlchemy wants.
    """
    return {
        "accounts": (
            ("id", "owner", "updated_us", "payload"),
            [(a.id, a.owner, _instant(a.updated_at), encode(a)) for a in checked.accounts],
        ),
        "contacts": (
            ("id", "account_id", "payload"),
            [(c.id, c.account_id, encode(c)) for c in checked.contacts],
        ),
        "orders": (
            ("id", "account_id", "ordered_on", "payload"),
            [(o.id, o.account_id, o.ordered_on.isoformat(), encode(o)) for o in checked.orders],
        ),
        "interactions": (
            ("id", "account_id", "occurred_us", "payload"),
            [(i.id, i.account_id, micros(i.occurred_at), encode(i)) for i in checked.interactions],
        ),
        "complaints": (
            ("id", "account_id", "opened_us", "payload"),
            [(c.id, c.account_id, micros(c.opened_at), encode(c)) for c in checked.complaints],
        ),
        "tier_assignments": (
            ("policy", "as_of", "account_id", "tier", "payload"),
            [
                (t.policy, as_of.isoformat(), t.account_id, t.tier, encode(t))
                for as_of, t in checked.tiers
            ],
        ),
        "visit_plans": (("name", "payload"), [(n, encode(p)) for n, p in checked.visit_plans]),
        "care_schedules": (
            ("name", "payload"),
            [(n, encode(s)) for n, s in checked.care_schedules],
        ),
        "reps": (("id", "payload"), [(r.id, encode(r)) for r in checked.reps]),
        # One company per store: the row in slot 1.
        "company": (
            ("slot", "payload"),
            [] if checked.company is None else [(1, encode(checked.company))],
        ),
        "loss_reviews": (
            ("account_id", "found_on", "payload"),
            [(r.account_id, r.found_on.isoformat(), encode(r)) for r in checked.loss_reviews],
        ),
    }


def as_dicts(rows: Rows) -> list[Row]:
    """``rows`` as one mapping per row, column name to value."""
    columns, values = rows
    return [dict(zip(columns, row, strict=True)) for row in values]


#: Every kind of record the stores keep (messages inside outbox entries).
STORED_KINDS: tuple[type, ...] = (Account, Contact, Order, Interaction, Complaint,
                                  TierAssignment, VisitPlan, CareSchedule, OutboxEntry, Rep,
                                  Company, LostAccountReview)  # fmt: skip

# The primary key of each table (upserts replace every other column).
KEYS: dict[str, tuple[str, ...]] = {
    "accounts": ("id",),
    "contacts": ("id",),
    "orders": ("id",),
    "interactions": ("id",),
    "complaints": ("id",),
    "tier_assignments": ("policy", "as_of", "account_id"),
    "visit_plans": ("name",),
    "care_schedules": ("name",),
    "outbox": ("key",),
    "reps": ("id",),
    "company": ("slot",),
    "loss_reviews": ("account_id", "found_on"),
}


#: The columns beside the payload that the SQL server store fills for a host to query
#: (see [`accountcare.adapters.sql_schema`][accountcare.adapters.sql_schema]), per table, in the
#: order of `host_values`.
HOST_COLUMNS: dict[str, tuple[str, ...]] = {
    "accounts": ("name", "stage", "cooperation_since", "updated_at"),
    "contacts": ("name", "opted_out"),
    "orders": ("amount", "margin", "currency"),
    "interactions": ("kind", "contact_id"),
    "complaints": ("severity", "closed_us"),
}

#: The kind of record each table of `HOST_COLUMNS` holds.
HOST_KINDS: dict[str, type] = {
    "accounts": Account,
    "contacts": Contact,
    "orders": Order,
    "interactions": Interaction,
    "complaints": Complaint,
}


def _cut(text: str) -> str:
    """``text`` as a name column keeps it: its first
    [`MAX_ID_LENGTH`][accountcare.domain.MAX_ID_LENGTH] characters (every name in practice; the
    payload keeps it whole)."""
    return text[:MAX_ID_LENGTH]


def _utc(instant: datetime | None) -> datetime | None:
    """``instant`` in UTC, or None for None and for an instant whose UTC day falls
    outside the years 1-9999 (which no database column holds)."""
    if instant is None:
        return None
    try:
        return instant.astimezone(UTC)
    except OverflowError:
        return None


def host_values(record: object) -> tuple[Any, ...]:
    """The values of ``record``'s `HOST_COLUMNS`, in their order.

    >>> from decimal import Decimal
    >>> host_values(Order("o-1", "acme", date(2027, 1, 5), Decimal("100.50"), currency="CNY"))
    (Decimal('100.50'), None, 'CNY')
    >>> host_values(Account(id="acme", name="Acme"))
    ('Acme', 'customer', None, None)
    """
    if isinstance(record, Account):
        return (_cut(record.name), record.stage.value, record.cooperation_since,
                _utc(record.updated_at))  # fmt: skip
    if isinstance(record, Contact):
        return _cut(record.name), record.opted_out
    if isinstance(record, Order):
        return record.amount, record.margin, record.currency
    if isinstance(record, Interaction):
        return record.kind.value, record.contact_id
    if isinstance(record, Complaint):
        return record.severity.value, _instant(record.closed_at)
    raise TypeError(f"no host columns for a {type(record).__name__}")


def with_host_columns(rows: Mapping[str, Rows], checked: Checked) -> dict[str, Rows]:
    """``rows`` (from `table_rows` for ``checked``) with the `HOST_COLUMNS`
    of each record appended to its row (the tables are named like the batch's fields)."""
    grown = dict(rows)
    for name, extra in HOST_COLUMNS.items():
        columns, values = rows[name]
        records = getattr(checked, name)
        grown[name] = (
            columns + extra,
            [row + host_values(r) for row, r in zip(values, records, strict=True)],
        )
    return grown
