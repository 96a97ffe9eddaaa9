"""Use cases for the book as a whole: store a book, load it back, pick rep calendars.

>>> from datetime import date
>>> from accountcare.adapters.memory import MemoryStore
>>> from accountcare.sample import sample_book
>>> store = MemoryStore()
>>> book = sample_book(accounts=10, as_of=date(2026, 11, 2))
>>> save_book(store, book)
>>> load_book(store) == book
True
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from accountcare.domain.activity import Complaint, Interaction
from accountcare.domain.book import Book
from accountcare.domain.calendars import WorkCalendar
from accountcare.domain.contacts import Contact
from accountcare.ports.store import Batch, Store

__all__ = ["default_calendars", "load_book", "save_book"]

# Orders before this day are not history any store of ours can hold (Python's date.min
# is not stored by every database), so "all orders" asks for this window.
_ALL_TIME = (date(1900, 1, 1), date(9999, 12, 31))


def save_book(store: Store, book: Book) -> None:
    """Write every record of ``book`` to ``store`` in one transaction (all or nothing)."""
    store.write(
        Batch(
            accounts=book.accounts,
            contacts=book.contacts,
            orders=book.orders,
            interactions=book.interactions,
            complaints=book.complaints,
        )
    )


def load_book(store: Store) -> Book:
    """Everything the store holds about its accounts, as one :class:`Book`."""
    accounts = store.accounts()
    contacts: list[Contact] = []
    interactions: list[Interaction] = []
    complaints: list[Complaint] = []
    for account in accounts:
        contacts.extend(store.contacts(account.id))
        interactions.extend(store.interactions(account.id))
        complaints.extend(store.complaints(account.id))
    orders = store.orders_between(*_ALL_TIME)
    return Book(
        accounts=accounts,
        contacts=sorted(contacts, key=lambda c: c.id),
        orders=sorted(orders, key=lambda o: o.id),
        interactions=sorted(interactions, key=lambda i: i.id),
        complaints=sorted(complaints, key=lambda k: k.id),
    )


def default_calendars(
    book: Book, *, visits_per_day: int = 4, country: str | None = None
) -> tuple[WorkCalendar, ...]:
    """A Monday-to-Friday calendar per rep of the book.

    The country (for public holidays) is ``country`` when given, else the country most
    of the rep's contacts live in (ties by code), else ``"US"``.
    """
    owner_of = {a.id: a.owner for a in book.accounts if a.owner is not None}
    countries: dict[str, Counter[str]] = {rep: Counter() for rep in book.reps}
    for contact in book.contacts:
        rep = owner_of.get(contact.account_id)
        if rep is not None:
            countries[rep][contact.country] += 1
    return tuple(
        WorkCalendar(rep, country or _most_common(countries[rep]), visits_per_day=visits_per_day)
        for rep in book.reps
    )


def _most_common(counts: Counter[str]) -> str:
    if not counts:
        return "US"
    best = max(counts.values())
    return min(code for code, n in counts.items() if n == best)
