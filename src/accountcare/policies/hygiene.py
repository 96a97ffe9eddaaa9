"""Data hygiene: re-verification of stale contact fields and a retention purge plan.

>>> from datetime import date
>>> from accountcare.domain import Contact
>>> c = Contact(id="c1", account_id="acme", name="Wang", emails=["w@acme.cn"],
...             verified={"emails": date(2024, 1, 1)})
>>> [i.reason for i in reverification_items([c], as_of=date(2026, 1, 1))]
['emails last verified 2024-01-01, 731 days ago (limit 365)']
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date
from types import MappingProxyType
from typing import Any

import attrs
from dateutil.relativedelta import relativedelta

from accountcare.domain.accounts import Account
from accountcare.domain.activity import Complaint, Interaction, Order
from accountcare.domain.contacts import Contact
from accountcare.domain.hygiene import PurgeItem, PurgePlan, ReverificationItem
from accountcare.errors import ConfigurationError

__all__ = [
    "DEFAULT_RETENTION_YEARS",
    "DEFAULT_VERIFY_DAYS",
    "purge_plan",
    "reverification_items",
]

_CONTACT_FIELDS = frozenset(f.name for f in attrs.fields(Contact))

# Reachability changes fastest (people change phones and jobs); birthdays never change.
DEFAULT_VERIFY_DAYS: Mapping[str, int] = MappingProxyType(
    {"phones": 365, "emails": 365, "title": 180, "channels": 365, "consents": 365, "birthday": 3650}
)
"""How often each contact field is verified again, in days."""

# Behavioural notes go after 3 years; interactions and closed complaints after 5;
# financial records (orders) are kept 10 years. Kinds not named are never purged.
DEFAULT_RETENTION_YEARS: Mapping[str, int] = MappingProxyType(
    {"note:behaviour": 3, "interaction": 5, "complaint": 5, "order": 10}
)
"""How long each kind of record is kept before it is purged as out of date, in years."""
_RECORD_KINDS = ("order", "interaction", "complaint")


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == () or value == frozenset()


def reverification_items(
    contacts: Iterable[Contact],
    *,
    as_of: date,
    max_age_days: Mapping[str, int] = DEFAULT_VERIFY_DAYS,
) -> tuple[ReverificationItem, ...]:
    """Fields (by kind: a Contact field name) holding a value that was verified more than
    its limit of days before ``as_of``, or never; sorted by contact then field."""
    for name, days in max_age_days.items():
        if name not in _CONTACT_FIELDS:
            raise ConfigurationError(f"{name!r} is not a Contact field that can be verified")
        if isinstance(days, bool) or not isinstance(days, int) or days < 1:
            raise ConfigurationError(f"days for {name!r} must be a positive int, got {days!r}")
    items = []
    for contact in sorted(contacts, key=lambda c: c.id):
        for name in sorted(max_age_days):
            if _empty(getattr(contact, name)):
                continue
            limit = max_age_days[name]
            checked = contact.verified_on(name)
            if checked is None:
                reason = f"{name} never verified (limit {limit})"
            elif (as_of - checked).days > limit:
                reason = (
                    f"{name} last verified {checked}, {(as_of - checked).days} days ago "
                    f"(limit {limit})"
                )
            else:
                continue
            items.append(
                ReverificationItem(contact.id, contact.account_id, name, checked, limit, reason)
            )
    return tuple(items)


def purge_plan(
    accounts: Iterable[Account] = (),
    orders: Iterable[Order] = (),
    interactions: Iterable[Interaction] = (),
    complaints: Iterable[Complaint] = (),
    *,
    as_of: date,
    keep_years: Mapping[str, int] = DEFAULT_RETENTION_YEARS,
) -> PurgePlan:
    """Everything past its retention as of ``as_of``, with the rule that expired it.

    Kinds: ``note:<AccountNote.kind>``, ``order`` (by day ordered), ``interaction``
    (by day it occurred), ``complaint`` (closed ones, by day closed; open ones are kept).
    A record expires on its day plus the years (29 February -> 28 February). Nothing is
    deleted here. Items are sorted by kind, account, record id.
    """
    _check_retention(keep_years)
    items = []
    for kind, record_id, account_id, dated in _dated(accounts, orders, interactions, complaints):
        years = keep_years.get(kind)
        if years is None:
            continue
        expired = dated + relativedelta(years=years)
        if expired <= as_of:
            reason = f"{kind} dated {dated} is kept {years} years; expired {expired}"
            items.append(PurgeItem(kind, record_id, account_id, dated, expired, reason))
    items.sort(key=lambda i: (i.record_kind, i.account_id, i.record_id))
    return PurgePlan(as_of, tuple(items))


def _check_retention(keep_years: Mapping[str, int]) -> None:
    for kind, years in keep_years.items():
        if not (kind.startswith("note:") and len(kind) > 5) and kind not in _RECORD_KINDS:
            raise ConfigurationError(
                f"unknown record kind {kind!r}; use note:<kind>, order, interaction or complaint"
            )
        if isinstance(years, bool) or not isinstance(years, int) or years < 1:
            raise ConfigurationError(f"years for {kind!r} must be a positive int, got {years!r}")


def _dated(
    accounts: Iterable[Account],
    orders: Iterable[Order],
    interactions: Iterable[Interaction],
    complaints: Iterable[Complaint],
) -> Iterator[tuple[str, str, str, date]]:
    """Every record that can expire: its kind, id, account and the day it counts from."""
    for account in accounts:
        for n, note in enumerate(account.notes):
            written = note.written_at.astimezone(UTC).date()
            yield f"note:{note.kind}", f"{account.id}/notes/{n}", account.id, written
    for order in orders:
        yield "order", order.id, order.account_id, order.ordered_on
    for touch in interactions:
        yield "interaction", touch.id, touch.account_id, touch.occurred_at.astimezone(UTC).date()
    for complaint in complaints:
        if complaint.closed_at is not None:  # an open complaint is kept
            closed = complaint.closed_at.astimezone(UTC).date()
            yield "complaint", complaint.id, complaint.account_id, closed
