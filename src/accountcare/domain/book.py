"""A book of business: everything one organisation knows about its accounts.

A plain container that services load from a store and hand to policies. It checks that
every record points at an account in the book, so a policy never meets an orphan.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from accountcare.domain import _validate as v
from accountcare.domain.accounts import Account
from accountcare.domain.activity import Complaint, Interaction, Order
from accountcare.domain.contacts import Contact
from accountcare.errors import InvalidRecord

__all__ = ["Book"]


def _accounts(values: Iterable[Account]) -> tuple[Account, ...]:
    return tuple(values)


@attrs.frozen
class Book:
    """Accounts and everything linked to them.

    >>> from accountcare.domain import Account
    >>> book = Book(accounts=[Account(id="acme", name="Acme")])
    >>> book.account("acme").name
    'Acme'
    """

    accounts: tuple[Account, ...] = attrs.field(default=(), converter=_accounts)
    contacts: tuple[Contact, ...] = attrs.field(default=(), converter=v.as_tuple)
    orders: tuple[Order, ...] = attrs.field(default=(), converter=v.as_tuple)
    interactions: tuple[Interaction, ...] = attrs.field(default=(), converter=v.as_tuple)
    complaints: tuple[Complaint, ...] = attrs.field(default=(), converter=v.as_tuple)

    def __attrs_post_init__(self) -> None:
        known = set()
        for account in self.accounts:
            if account.id in known:
                raise InvalidRecord(f"Account {account.id!r}", "id", "appears twice in the book")
            known.add(account.id)
        for kind, records in (
            ("Contact", self.contacts),
            ("Order", self.orders),
            ("Interaction", self.interactions),
            ("Complaint", self.complaints),
        ):
            for record in records:
                if record.account_id not in known:
                    raise InvalidRecord(
                        f"{kind} {record.id!r}",
                        "account_id",
                        f"names account {record.account_id!r}, which is not in the book",
                    )

    def account(self, account_id: str) -> Account:
        """The account with ``account_id``; KeyError when there is none."""
        for account in self.accounts:
            if account.id == account_id:
                return account
        raise KeyError(account_id)

    @property
    def reps(self) -> tuple[str, ...]:
        """The owners of the book's accounts, sorted."""
        return tuple(sorted({a.owner for a in self.accounts if a.owner is not None}))
