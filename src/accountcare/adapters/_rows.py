"""What every store adapter does with a batch before it touches storage.

Checks each record's type, keeps the last of records sharing an id, checks that every
record names a known account, and turns records into rows: a few indexed columns plus
the record itself through the one converter (:mod:`accountcare.serialization`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

import attrs

from accountcare._gc import gc_paused
from accountcare.adapters._codec import loads, row_codec
from accountcare.domain._validate import a_kind
from accountcare.domain.accounts import Account
from accountcare.domain.activity import Complaint, Interaction, Order
from accountcare.domain.care import CareSchedule
from accountcare.domain.contacts import Contact
from accountcare.domain.messages import Message
from accountcare.domain.outbox import OutboxEntry
from accountcare.domain.tiers import TierAssignment
from accountcare.domain.visits import VisitPlan
from accountcare.errors import InvalidRecord
from accountcare.ports.store import Batch, StoreError
from accountcare.serialization import converter

T = TypeVar("T")

# The one converter's hooks, leaving out fields equal to their default (as protocol
# buffers do: a field's default is part of the stored format, so changing a default
# needs a migration that rewrites payloads) and without per-field error detail on
# reading, which only ever meets rows this module wrote. Both make a round trip about
# three times faster. The row codecs (:mod:`._codec`) are straight-line versions of
# these hooks, built once per record kind; ``stored`` itself reads what they cannot.
stored = converter.copy(omit_if_default=True, detailed_validation=False)


def encode(value: object) -> Any:
    """A value as the plain data a JSON column holds."""
    return row_codec(type(value)).encode(value)


def encode_json(value: object) -> str:
    """A value as compact JSON text."""
    return row_codec(type(value)).text(value)


_BULK = 1000  # rows from which reading pauses the cyclic garbage collector


def decode_all(payloads: Iterable[Any], kind: type[T], where: str) -> tuple[T, ...]:
    """Stored payloads (JSON text or plain data) back as ``kind`` s, in order.

    Values are rebuilt by the kind's row codec without running validators again (they
    ran before the payload was written: see :mod:`._codec`); a payload the codec cannot
    read goes through the converter, and one nothing can read is a :class:`StoreError`.
    """
    payloads = payloads if isinstance(payloads, list) else list(payloads)
    build = row_codec(kind).decode
    try:
        if len(payloads) < _BULK:
            return tuple([build(loads(p) if isinstance(p, str | bytes) else p) for p in payloads])
        with gc_paused():  # many new values, no cycles: see accountcare._gc
            return tuple([build(loads(p) if isinstance(p, str | bytes) else p) for p in payloads])
    except Exception:
        # Written by another version, or damaged: the converter reads it or says why.
        return tuple([decode(p, kind, where) for p in payloads])


def decode(payload: Any, kind: type[T], where: str) -> T:
    """A stored payload (JSON text or plain data) back as a ``kind``, through the
    converter (validators run)."""
    try:
        data = json.loads(payload) if isinstance(payload, str | bytes) else payload
        return stored.structure(data, kind)
    except Exception as exc:
        raise StoreError(f"{where}: a stored {kind.__name__} cannot be read back: {exc}") from exc


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


def _named(values: Sequence[tuple[Any, Any]], kind: type[T], where: str) -> None:
    for n, pair in enumerate(values):
        name = pair[0] if isinstance(pair, tuple) and len(pair) == 2 else None
        if not isinstance(name, str) or not name.strip():
            raise InvalidRecord(f"batch.{where}[{n}]", "name", "must be a non-empty string")
        if not isinstance(pair[1], kind):
            raise InvalidRecord(
                f"batch.{where}[{n}]",
                "(type)",
                f"must be {a_kind(kind)}, got {type(pair[1]).__name__}",
            )


def check(batch: Batch) -> Checked:
    """Check the types in ``batch`` and keep the last record per id.

    Raises :class:`InvalidRecord` naming the first bad record. References to accounts
    are checked by :func:`check_references`, inside the store's transaction.
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
    ):
        _typed(getattr(batch, where), kind, where)
    for n, pair in enumerate(batch.tiers):
        if not (isinstance(pair, tuple) and len(pair) == 2):
            raise InvalidRecord(f"batch.tiers[{n}]", "(type)", "must be (as_of, assignment)")
        as_of, assignment = pair
        if not isinstance(as_of, date) or isinstance(as_of, datetime):
            raise InvalidRecord(f"batch.tiers[{n}]", "as_of", f"must be a date, got {as_of!r}")
        if not isinstance(assignment, TierAssignment):
            raise InvalidRecord(
                f"batch.tiers[{n}]",
                "(type)",
                f"must be a TierAssignment, got {type(assignment).__name__}",
            )
    _named(batch.visit_plans, VisitPlan, "visit_plans")
    _named(batch.care_schedules, CareSchedule, "care_schedules")
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
    )


def _first_by(messages: Iterable[Message]) -> tuple[Message, ...]:
    # Queuing is idempotent: the first message with a key is the one queued.
    seen: dict[str, Message] = {}
    for message in messages:
        seen.setdefault(message.key, message)
    return tuple(seen.values())


def check_references(checked: Checked, known_accounts: Callable[[set[str]], set[str]]) -> None:
    """Raise :class:`InvalidRecord` for the first record naming an unknown account;
    ``known_accounts(ids)`` returns those of ``ids`` already stored."""
    in_batch = {a.id for a in checked.accounts}
    wanted = {
        record.account_id
        for records in (checked.contacts, checked.orders, checked.interactions, checked.complaints)
        for record in records
    }
    wanted.update(t.account_id for _, t in checked.tiers)
    wanted -= in_batch
    if not wanted:
        return
    missing = wanted - known_accounts(wanted)
    if not missing:
        return
    referring: list[tuple[str, str]] = []  # (record label, account id)
    for kind, records in (
        ("Contact", checked.contacts),
        ("Order", checked.orders),
        ("Interaction", checked.interactions),
        ("Complaint", checked.complaints),
    ):
        referring.extend((f"{kind} {r.id!r}", r.account_id) for r in records)
    referring.extend(
        (f"TierAssignment {t.policy!r}/{as_of.isoformat()}/{t.account_id!r}", t.account_id)
        for as_of, t in checked.tiers
    )
    for label, account in referring:
        if account in missing:
            raise InvalidRecord(
                label,
                "account_id",
                f"names account {account!r}, which is neither stored nor in this batch",
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
        "next_attempt_us": micros(entry.next_attempt_at),
        "attempts": entry.attempts,
        "payload": encode(entry),
    }


def _instant(value: datetime | None) -> int | None:
    return None if value is None else micros(value)


def table_rows(checked: Checked, encode: Callable[[object], Any]) -> dict[str, Rows]:
    """The rows each table receives, in the order that keeps references valid;
    ``encode`` turns a value into the payload column (JSON text or plain dicts).

    Rows are tuples (SQLite binds them faster than mappings); :func:`as_dicts` gives
    the mappings SQLAlchemy wants.
    """
    size = sum(len(records) for records in attrs.astuple(checked, recurse=False))
    if size < _BULK:
        return _table_rows(checked, encode)
    with gc_paused():  # many new rows, no cycles: see accountcare._gc
        return _table_rows(checked, encode)


def _table_rows(checked: Checked, encode: Callable[[object], Any]) -> dict[str, Rows]:
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
    }


def as_dicts(rows: Rows) -> list[Row]:
    """``rows`` as one mapping per row, column name to value."""
    columns, values = rows
    return [dict(zip(columns, row, strict=True)) for row in values]


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
}


def unencodable(*values: object) -> InvalidRecord | None:
    """An :class:`InvalidRecord` naming the first record (in a :class:`Checked` batch or
    among ``values``) and field holding text that is not valid Unicode: a lone
    surrogate, such as ``os.fsdecode`` or ``errors="surrogateescape"`` leave for bytes
    they cannot decode. No database can store it as UTF-8. None when all text is valid.

    Stores call this only after an encoding error, so valid batches pay nothing.

    >>> from accountcare.domain import Account
    >>> unencodable(Account(id="acme", name="Acme \\udcff")).field
    'name'
    >>> unencodable(Account(id="acme", name="Acme")) is None
    True
    """
    for label, value in _labelled(values):
        found = _bad_text(value, "")
        if found is not None:
            field, text, at = found
            return InvalidRecord(
                label,
                field,
                f"holds text that is not valid Unicode (a lone surrogate "
                f"{ascii(text[at])[1:-1]} at position {at}), which cannot be stored; "
                "decode the source text correctly",
            )
    return None


def _labelled(values: Sequence[object]) -> Iterator[tuple[str, object]]:
    for value in values:
        if not isinstance(value, Checked):
            yield _label(value), value
            continue
        for records in (
            value.accounts,
            value.contacts,
            value.orders,
            value.interactions,
            value.complaints,
        ):
            for record in records:
                yield _label(record), record
        for as_of, tier in value.tiers:
            yield f"TierAssignment {tier.policy!r}/{as_of.isoformat()}/{tier.account_id!r}", tier
        for name, plan in value.visit_plans:
            yield f"VisitPlan {name!r}", _Named(name, plan)
        for name, schedule in value.care_schedules:
            yield f"CareSchedule {name!r}", _Named(name, schedule)
        for message in value.outbox:
            yield f"Message {message.key!r}", message


def _label(record: object) -> str:
    """``"Contact 'c-1'"``: the kind and the id (or key) a user knows the record by."""
    for name in ("id", "key", "account_id"):
        key = getattr(record, name, None)
        if isinstance(key, str):
            return f"{type(record).__name__} {key!r}"
    return type(record).__name__


@attrs.frozen
class _Named:
    """A visit plan or care schedule with the name it is stored under."""

    name: str
    value: object


def _bad_text(value: object, path: str) -> tuple[str, str, int] | None:
    """``(field path, text, position)`` of the first string in ``value`` that UTF-8
    cannot encode."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            return path or "(text)", value, exc.start
        return None
    kind: Any = type(value)
    if attrs.has(kind):
        for field in attrs.fields(kind):
            # A named record's own fields are named as the record's, not "value.x".
            name = "" if isinstance(value, _Named) and field.name == "value" else field.name
            where = f"{path}.{name}" if path and name else path or name
            found = _bad_text(getattr(value, field.name), where)
            if found is not None:
                return found
    elif isinstance(value, tuple | list):
        for n, item in enumerate(value):
            found = _bad_text(item, f"{path}[{n}]")
            if found is not None:
                return found
    elif isinstance(value, frozenset | set):
        for item in sorted(value, key=repr):
            found = _bad_text(item, f"{path}[{item!r}]" if not isinstance(item, str) else path)
            if found is not None:
                return found
    elif isinstance(value, dict):
        for key, item in value.items():
            found = _bad_text(key, path) or _bad_text(item, f"{path}[{key!r}]")
            if found is not None:
                return found
    return None
