"""The book in columns and the candidate touches as columns, with their one sort.

`BookColumns` numbers the contacts and accounts and keeps what the occasion rules
share; `Candidates` collects the touches they find and sorts them: by contact,
then day, then priority.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from operator import attrgetter

import numpy as np

from accountcare.domain.activity import Order
from accountcare.domain.care import CareKind
from accountcare.domain.care_rules import AFTER_SALE_ROLES, CONTRACT_ROLES, CareRules
from accountcare.domain.contacts import Contact, RelationshipLayer
from accountcare.errors import ConfigurationError
from accountcare.policies.care._codes import (
    BIRTHDAY,
    INDEX,
    KIND_OF_ORDER,
    KIND_ORDER,
    SURVEY,
    TEMPLATES,
    YEARS,
    Bools,
    Ints,
)

# Roles and layers by identity: an enum member's hash runs Python code, an id() does not.
_ROLE_RANK = {id(role): n for n, role in enumerate(AFTER_SALE_ROLES)}
_CONTRACT_RANK = {id(role): n for n, role in enumerate(CONTRACT_ROLES)}


class BookColumns:
    """Per-contact columns the occasion rules share (contacts numbered by id order)."""

    def __init__(self, people: list[Contact], ids: list[str], rules: CareRules) -> None:
        self.people, self.ids = people, ids
        self.size = size = len(people)
        self.account_of = list(map(attrgetter("account_id"), people))
        self.account_ids = list(dict.fromkeys(self.account_of))
        self.account_code = codes = {a: n for n, a in enumerate(self.account_ids)}
        self.account = np.fromiter(map(codes.__getitem__, self.account_of), np.int64, size)
        layers = list(map(id, map(attrgetter("layer"), people)))
        wanted = {id(layer) for layer in rules.call_layers}
        self.in_layers = np.fromiter(map(wanted.__contains__, layers), bool, size)
        self.is_key = np.fromiter(map(id(RelationshipLayer.KEY).__eq__, layers), bool, size)

    @functools.cached_property
    def _by_account(self) -> tuple[Ints, Ints]:
        order = np.argsort(self.account, kind="stable")
        return order, np.searchsorted(self.account[order], np.arange(len(self.account_ids) + 1))

    def members(self, account: int) -> Ints:
        """The numbers of the account's contacts, in id order."""
        order, bounds = self._by_account
        return order[bounds[account] : bounds[account + 1]]

    @functools.cached_property
    def after_sale(self) -> Ints:
        """Each account's after-sale contact: by role (users first), then by id."""
        return self._first_by(_ROLE_RANK)

    @functools.cached_property
    def contract_contact(self) -> Ints:
        """Each account's contract contact: by role (purchasing first), then by id."""
        return self._first_by(_CONTRACT_RANK)

    def _first_by(self, ranks: dict[int, int]) -> Ints:
        role = np.array([ranks[id(c.role)] for c in self.people], np.int64)
        order = np.lexsort((np.arange(self.size), role, self.account))
        firsts = np.ones(self.size, bool)
        firsts[1:] = self.account[order[1:]] != self.account[order[:-1]]
        chosen = np.empty(len(self.account_ids), np.int64)
        chosen[self.account[order[firsts]]] = order[firsts]
        return chosen

    @functools.cached_property
    def _numbers(self) -> dict[str, int]:
        return dict(zip(self.ids, range(self.size), strict=True))

    def number(self, contact_id: str) -> int:
        """The contact's number, or -1 for an id not among the contacts."""
        return self._numbers.get(contact_id, -1)


class Candidates:
    """Candidate touches as columns; texts stay references until a task is built.

    A reference is the contact's number for birthdays, the order's for after-sale
    follow-ups, the account's and the year for surveys (their texts are made when read:
    a text per touch would be a Python object per touch), else a place in ``texts``.
    """

    def __init__(self, people: list[Contact]) -> None:
        self.people = people
        self.orders: Sequence[Order] = ()
        self.account_ids: list[str] = []
        self.texts: list[tuple[str, str, str]] = []
        self.parts: list[tuple[Ints, Ints, int | Ints, Ints]] = []
        self.rows: tuple[list[int], list[int], list[int], list[int]] = ([], [], [], [])

    def add(self, contact: Ints, day: Ints, kind: int | Ints, ref: Ints) -> None:
        """Touches of ``kind`` (one, or one per row) for many contacts."""
        if len(contact):
            self.parts.append((contact, day, kind, ref))

    def add_one(self, contact: int, day: int, kind: CareKind, texts: tuple[str, str, str]) -> None:
        """One touch with its (occasion, template, reason)."""
        for column, value in zip(
            self.rows, (contact, day, INDEX[kind], self.text(*texts)), strict=True
        ):
            column.append(value)

    def text(self, occasion: str, template: str, reason: str) -> int:
        """The reference of the texts shared by some touches."""
        self.texts.append((occasion, template, reason))
        return len(self.texts) - 1

    def sort(self, first: int, horizon: int) -> tuple[Ints, Ints, Ints, Ints, Bools]:
        """(contact, day, kind, ref) by contact, day and priority, and which rows repeat
        the contact, day and kind of the row before (``same[i]``: row i + 1 does).

        Days are in ``[first, horizon)``. One stable sort of one integer column (contact,
        day and kind order packed into 63 bits): ties keep the order they were added in.
        The candidates arrive in a few runs already in order, which the sort merges.
        """
        parts = [*self.parts]
        if self.rows[0]:
            contact, day, kind, ref = (np.array(column, np.int64) for column in self.rows)
            parts.append((contact, day, kind, ref))
        if not parts:
            empty = np.zeros(0, np.int64)
            return empty, empty, empty, empty, np.zeros(0, bool)
        day_bits = max(1, (horizon - first).bit_length())
        if len(self.people).bit_length() + day_bits + 4 > 63:
            raise ConfigurationError("the window is too long for this many contacts")
        group = np.concatenate(
            [
                (part_contact << (day_bits + 4))
                | ((part_day - first) << 4)
                | np.broadcast_to(KIND_ORDER[part_kind], len(part_contact))
                for part_contact, part_day, part_kind, _ in parts
            ]
        )
        order = np.argsort(group, kind="stable")
        group = group[order]
        kind = KIND_OF_ORDER[group & 15]
        day = ((group >> 4) & ((1 << day_bits) - 1)) + first
        ref = np.concatenate([part[3] for part in parts])[order]
        return group >> (day_bits + 4), day, kind, ref, group[1:] == group[:-1]

    def payload(self, kind: int, ref: int) -> tuple[str, str, str]:
        """(occasion, template, reason) of a candidate other than an after-sale follow-up."""
        if kind == BIRTHDAY:
            birthday = self.people[ref].birthday
            assert birthday is not None
            return "", TEMPLATES[kind], f"birthday {birthday.isoformat()}"
        if kind == SURVEY:
            account_id, year = self.account_ids[ref // YEARS], ref % YEARS
            return str(year), TEMPLATES[kind], f"annual survey of key account {account_id}"
        return self.texts[ref]


def after_sale_reason(order: Order) -> str:
    """Why an after-sale follow-up is due: its order."""
    return f"order {order.id} of {order.ordered_on.isoformat()}"


def expand(starts: Ints, sizes: Ints) -> tuple[Ints, Ints]:
    """Owner n gets rows ``starts[n] .. starts[n] + sizes[n]``: (owners, rows), by owner."""
    owners = np.repeat(np.arange(len(sizes)), sizes)
    offsets = np.cumsum(sizes) - sizes
    return owners, np.arange(int(sizes.sum())) + np.repeat(starts - offsets, sizes)
