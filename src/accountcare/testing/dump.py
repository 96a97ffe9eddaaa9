"""A store's contents as one canonical text, to compare stores by what they hold.

`store_dump` lists everything the store port can list and writes it as JSON lines
through the one converter ([`accountcare.serialization`][accountcare.serialization]),
every field spelled out, keys sorted and the items of every set in a fixed order. Two
stores holding the same records give byte-identical dumps, whatever order the records
were written in and whichever kind of store holds them: "importing the same file twice
equals importing it once" is ``store_dump(twice) == store_dump(once)``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from accountcare.ports.store import Store
from accountcare.serialization import unstructure

__all__ = ["store_dump"]

#: The name under which a dump looks for a stored visit plan and care schedule.
CURRENT = "current"


def store_dump(store: Store) -> str:
    """Everything ``store`` holds that the port can list, one JSON object a line.

    In this order: the company, the reps (by id), then each account (by id) followed by
    its contacts, orders, interactions, complaints and loss reviews (in the port's
    order), then the
    outbox entries, and the visit plan and care schedule stored as ``"current"`` when
    there are. Each line is ``{"kind": ..., "value": ...}`` with the value as the
    converter writes it; an empty store gives ``""``. Tier assignments are not listed
    (the port finds them by policy and date only).

    >>> from accountcare.adapters.memory import MemoryStore
    >>> from accountcare.domain import Account, Channel, Contact
    >>> from accountcare.domain.team import Company, Rep
    >>> from accountcare.ports.store import Batch
    >>> acme = Account(id="acme", name="Acme", tags={"vip", "group", "east"})
    >>> li = Contact(id="c-1", account_id="acme", name="Li", consents=[Channel.SMS, Channel.EMAIL])
    >>> one, other = MemoryStore(), MemoryStore()
    >>> _ = one.write(Batch(accounts=[acme], contacts=[li], company=Company("Globex")))
    >>> _ = other.write(Batch(reps=[Rep(id="rep-li", name="Li Na")]))
    >>> _ = other.write(Batch(accounts=[acme], contacts=[li], company=Company("Globex")))
    >>> [json.loads(line)["kind"] for line in store_dump(other).splitlines()]
    ['company', 'rep', 'account', 'contact']
    >>> _ = one.write(Batch(reps=[Rep(id="rep-li", name="Li Na")]))
    >>> store_dump(one) == store_dump(other)
    True
    >>> json.loads(store_dump(one).splitlines()[2])["value"]["tags"]
    ['east', 'group', 'vip']
    >>> store_dump(MemoryStore())
    ''
    """
    return "".join(
        json.dumps({"kind": kind, "value": _canonical(value, unstructure(value))},
                   ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
        for kind, value in _records(store)
    )  # fmt: skip


def _records(store: Store) -> Iterator[tuple[str, object]]:
    company = store.company()
    if company is not None:
        yield "company", company
    for rep in store.reps():
        yield "rep", rep
    for account in store.accounts():
        yield "account", account
        for kind, read in (
            ("contact", store.contacts),
            ("order", store.orders),
            ("interaction", store.interactions),
            ("complaint", store.complaints),
            ("loss_review", store.loss_reviews),
        ):
            for record in read(account.id):
                yield kind, record
    for entry in store.outbox():
        yield "outbox_entry", entry
    plan, schedule = store.visit_plan(CURRENT), store.care_schedule(CURRENT)
    if plan is not None:
        yield "visit_plan", plan
    if schedule is not None:
        yield "care_schedule", schedule


def _key(plain: Any) -> str:
    return json.dumps(plain, ensure_ascii=False, sort_keys=True)


def _canonical(value: Any, plain: Any) -> Any:
    """``plain`` (the converter's form of ``value``) with the items of every set sorted:
    the converter writes them in iteration order, which varies with string hashing."""
    if isinstance(value, frozenset | set):
        # The converter walked the same set: its items come in the same order.
        return sorted((_canonical(v, p) for v, p in zip(value, plain, strict=True)), key=_key)
    if attrs.has(type(value)) and isinstance(plain, dict):
        return {name: _canonical(getattr(value, name), item) for name, item in plain.items()}
    if isinstance(value, tuple | list) and isinstance(plain, list):
        return [_canonical(v, p) for v, p in zip(value, plain, strict=True)]
    if isinstance(value, Mapping) and isinstance(plain, dict):
        return {
            key: _canonical(item, plain_item)
            for item, (key, plain_item) in zip(value.values(), plain.items(), strict=True)
        }
    return plain
