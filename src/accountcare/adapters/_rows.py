"""What every store adapter does with a batch before it touches storage.

Checks each record's type, keeps the last of records sharing an id, checks that every
record names a known account, and turns records into rows: a few indexed columns plus
the record itself through the one converter (:mod:`accountcare.serialization`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

import attrs

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
# three times faster.
stored = converter.copy(omit_if_default=True, detailed_validation=False)


def encode(value: object) -> Any:
    """A value as the plain data a JSON column holds."""
    return stored.unstructure(value)


def encode_json(value: object) -> str:
    """A value as compact JSON text."""
    return json.dumps(stored.unstructure(value), ensure_ascii=False, separators=(",", ":"))


def decode_all(payloads: Iterable[Any], kind: type[T], where: str) -> tuple[T, ...]:
    """Stored payloads (JSON text or plain data) back as ``kind`` s, in order."""
    hook, loads = stored.get_structure_hook(kind), json.loads
    try:
        return tuple([hook(loads(p) if isinstance(p, str | bytes) else p, kind) for p in payloads])
    except Exception:
        # Find the first bad payload and say what is wrong with it.
        for payload in payloads:
            decode(payload, kind, where)
        raise


def decode(payload: Any, kind: type[T], where: str) -> T:
    """A stored payload (JSON text or plain data) back as a ``kind``."""
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
                f"must be a {kind.__name__}, got {type(value).__name__}",
            )


def _last_by(values: Iterable[T], key: Callable[[T], Any]) -> tuple[T, ...]:
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
                f"must be a {kind.__name__}, got {type(pair[1]).__name__}",
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
    wanted = {account for _, account in referring} - in_batch
    if not wanted:
        return
    missing = wanted - known_accounts(wanted)
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


def outbox_row(entry: OutboxEntry, encode: Callable[[object], Any]) -> Row:
    return {
        "key": entry.key,
        "status": entry.status.value,
        "next_attempt_us": micros(entry.next_attempt_at),
        "attempts": entry.attempts,
        "payload": encode(entry),
    }


def table_rows(checked: Checked, encode: Callable[[object], Any]) -> dict[str, list[Row]]:
    """The rows each table receives, in the order that keeps references valid;
    ``encode`` turns a value into the payload column (JSON text or plain dicts)."""
    return {
        "accounts": [
            {
                "id": a.id,
                "owner": a.owner,
                "updated_us": None if a.updated_at is None else micros(a.updated_at),
                "payload": encode(a),
            }
            for a in checked.accounts
        ],
        "contacts": [
            {"id": c.id, "account_id": c.account_id, "payload": encode(c)} for c in checked.contacts
        ],
        "orders": [
            {
                "id": o.id,
                "account_id": o.account_id,
                "ordered_on": o.ordered_on.isoformat(),
                "payload": encode(o),
            }
            for o in checked.orders
        ],
        "interactions": [
            {
                "id": i.id,
                "account_id": i.account_id,
                "occurred_us": micros(i.occurred_at),
                "payload": encode(i),
            }
            for i in checked.interactions
        ],
        "complaints": [
            {
                "id": c.id,
                "account_id": c.account_id,
                "opened_us": micros(c.opened_at),
                "payload": encode(c),
            }
            for c in checked.complaints
        ],
        "tier_assignments": [
            {
                "policy": t.policy,
                "as_of": as_of.isoformat(),
                "account_id": t.account_id,
                "tier": t.tier,
                "payload": encode(t),
            }
            for as_of, t in checked.tiers
        ],
        "visit_plans": [{"name": n, "payload": encode(p)} for n, p in checked.visit_plans],
        "care_schedules": [{"name": n, "payload": encode(s)} for n, s in checked.care_schedules],
    }


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
