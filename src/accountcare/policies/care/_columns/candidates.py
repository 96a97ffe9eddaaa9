"""The book in columns and the candidate touches as columns, with their one sort.

:class:`_Book` numbers the contacts and accounts and keeps what the occasion rules
share; :class:`_Candidates` collects the touches they find and sorts them into the
reference's order.
"""

from __future__ import annotations

from operator import attrgetter

import numpy as np

from accountcare.domain.activity import Order
from accountcare.domain.care import CareKind
from accountcare.domain.care_rules import CareRules
from accountcare.domain.contacts import Contact, RelationshipLayer
from accountcare.policies.care._columns.codes import (
    BIRTHDAY,
    FEEDBACK,
    INDEX,
    KEY_BITS,
    KIND_OF_ORDER,
    KIND_ORDER,
    SURVEY,
    USAGE,
    YEARS,
    Bools,
    Ints,
)
from accountcare.policies.care.occasions import AFTER_SALE_ROLES

# Roles by identity: an enum member's hash runs Python code, an id() does not.
_ROLE_RANK = {id(role): n for n, role in enumerate(AFTER_SALE_ROLES)}


class _Book:
    """Per-contact columns the occasion rules share (contacts numbered by id order)."""

    def __init__(self, people: list[Contact], ids: list[str], rules: CareRules) -> None:
        self.people, self.ids = people, ids
        self.size = size = len(people)
        self.account_of = list(map(attrgetter("account_id"), people))
        self.account_ids = list(dict.fromkeys(self.account_of))
        self.account_code = codes = {a: n for n, a in enumerate(self.account_ids)}
        self.account = np.fromiter(map(codes.__getitem__, self.account_of), np.int64, size)
        # Layers by identity (an enum member's hash runs Python code, its id() does not).
        layers = list(map(id, map(attrgetter("layer"), people)))
        wanted = {id(layer) for layer in rules.call_layers}
        self.in_layers = np.fromiter(map(wanted.__contains__, layers), bool, size)
        self.is_key = np.fromiter(map(id(RelationshipLayer.KEY).__eq__, layers), bool, size)
        self._members: tuple[Ints, Ints] | None = None
        self._after_sale: Ints | None = None
        self._index: dict[str, int] | None = None

    def members(self, account: int) -> Ints:
        """The numbers of the account's contacts, in id order."""
        if self._members is None:
            order = np.argsort(self.account, kind="stable")
            bounds = np.searchsorted(self.account[order], np.arange(len(self.account_ids) + 1))
            self._members = (order, bounds)
        order, bounds = self._members
        return order[bounds[account] : bounds[account + 1]]

    @property
    def after_sale(self) -> Ints:
        """Each account's after-sale contact: by role (users first), then by id."""
        if self._after_sale is None:
            role = np.array([_ROLE_RANK[id(c.role)] for c in self.people], np.int64)
            order = np.lexsort((np.arange(self.size), role, self.account))
            firsts = np.ones(self.size, bool)
            firsts[1:] = self.account[order[1:]] != self.account[order[:-1]]
            chosen = np.empty(len(self.account_ids), np.int64)
            chosen[self.account[order[firsts]]] = order[firsts]
            self._after_sale = chosen
        return self._after_sale

    def number(self, contact_id: str) -> int:
        """The contact's number, or -1 for an id not among the contacts."""
        if self._index is None:
            self._index = dict(zip(self.ids, range(self.size), strict=True))
        return self._index.get(contact_id, -1)


class _Candidates:
    """Candidate touches as columns; texts stay references until a task is built.

    A reference is the contact's number for birthdays, the order's for after-sale
    follow-ups, the account's and the year for surveys (their texts are made when read:
    a text per touch would be a Python object per touch), else a place in ``texts``.
    """

    def __init__(self, people: list[Contact]) -> None:
        self.people = people
        self.orders: list[Order] = []
        self.account_ids: list[str] = []
        self.texts: list[tuple[str, str, str]] = []
        self.parts: list[tuple[Ints, Ints, int | Ints, Ints]] = []
        self.rows: tuple[list[int], list[int], list[int], list[int]] = ([], [], [], [])

    def add(self, contact: Ints, day: Ints, kind: int | Ints, ref: Ints) -> None:
        if len(contact):
            self.parts.append((contact, day, kind, ref))

    def add_one(self, contact: int, day: int, kind: CareKind, texts: tuple[str, str, str]) -> None:
        self.texts.append(texts)
        for column, value in zip(
            self.rows, (contact, day, INDEX[kind], len(self.texts) - 1), strict=True
        ):
            column.append(value)

    def text(self, occasion: str, template: str, reason: str) -> int:
        self.texts.append((occasion, template, reason))
        return len(self.texts) - 1

    def sort(self, first: int, horizon: int) -> tuple[Ints, Ints, Ints, Ints, Bools]:
        """(contact, day, kind, ref) in the reference's order, and which rows repeat
        the contact, day and kind of the row before (``same[i]``: row i + 1 does).

        Days are in ``[first, horizon)``. One sort of one integer column: contact, day,
        kind order and row number packed into 63 bits (separate keys when they do not
        fit). The candidates arrive in a few runs already in order, which the stable
        sort (timsort) merges.
        """
        parts = [*self.parts]
        if self.rows[0]:
            parts.append(tuple(np.array(column, np.int64) for column in self.rows))  # type: ignore[arg-type]
        total = sum(len(part[0]) for part in parts)
        row_bits = max(1, total.bit_length())
        day_bits = max(1, (horizon - first).bit_length())
        contact_bits = max(1, len(self.people).bit_length())
        if not parts:
            empty = np.zeros(0, np.int64)
            return empty, empty, empty, empty, np.zeros(0, bool)
        if row_bits + day_bits + 4 + contact_bits > KEY_BITS:
            contact, day, kind, ref = (
                np.concatenate([np.broadcast_to(part[n], len(part[0])) for part in parts])
                for n in range(4)
            )
            order = np.lexsort((KIND_ORDER[kind], day, contact))
            contact, day, kind, ref = contact[order], day[order], kind[order], ref[order]
            same = (contact[1:] == contact[:-1]) & (day[1:] == day[:-1]) & (kind[1:] == kind[:-1])
            return contact, day, kind, ref, same
        keys = np.empty(total, np.int64)
        refs = np.empty(total, np.int64)
        done = 0
        for part_contact, part_day, part_kind, part_ref in parts:
            size = len(part_contact)
            keys[done : done + size] = (
                (part_contact << (day_bits + 4 + row_bits))
                | ((part_day - first) << (4 + row_bits))
                | (KIND_ORDER[part_kind] << row_bits)
                | np.arange(done, done + size)
            )
            refs[done : done + size] = part_ref
            done += size
        keys.sort(kind="stable")
        group = keys >> row_bits
        kind = KIND_OF_ORDER[group & 15]
        day = ((group >> 4) & ((1 << day_bits) - 1)) + first
        contact = group >> (day_bits + 4)
        ref = refs[keys & ((1 << row_bits) - 1)]
        return contact, day, kind, ref, group[1:] == group[:-1]

    def payload(self, kind: int, ref: int) -> tuple[str, str, str]:
        """(occasion, template, reason) of a candidate."""
        if kind == BIRTHDAY:
            birthday = self.people[ref].birthday
            assert birthday is not None
            return "", "birthday", f"birthday {birthday.isoformat()}"
        if kind in (USAGE, FEEDBACK):
            order = self.orders[ref]
            template = "after_sale.usage" if kind == USAGE else "after_sale.feedback"
            return order.id, template, f"order {order.id} of {order.ordered_on.isoformat()}"
        if kind == SURVEY:
            account_id, year = self.account_ids[ref // YEARS], ref % YEARS
            return str(year), "survey", f"annual survey of key account {account_id}"
        return self.texts[ref]


def _expand(starts: Ints, sizes: Ints) -> tuple[Ints, Ints]:
    """Owner n gets rows ``starts[n] .. starts[n] + sizes[n]``: (owners, rows), by owner."""
    owners = np.repeat(np.arange(len(sizes)), sizes)
    offsets = np.cumsum(sizes) - sizes
    return owners, np.arange(int(sizes.sum())) + np.repeat(starts - offsets, sizes)
