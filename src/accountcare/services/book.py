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
from operator import attrgetter

from accountcare.domain.book import Book
from accountcare.domain.calendars import WorkCalendar
from accountcare.domain.periods import Period
from accountcare.errors import ConfigurationError
from accountcare.ports.store import Batch, BookReader, UnitOfWork

__all__ = ["default_calendars", "load_book", "save_book"]

# Orders before this day are not history any store of ours can hold (Python's date.min
# is not stored by every database), so "all orders" asks for this window.
_ALL_TIME = (date(1900, 1, 1), date(9999, 12, 31))
_by_id = attrgetter("id")


def save_book(store: UnitOfWork, book: Book) -> None:
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


def load_book(
    store: BookReader,
    *,
    contacts: bool = True,
    orders: bool | Period = True,
    interactions: bool = True,
    complaints: bool = True,
) -> Book:
    """The store's accounts and what a use case needs of their records, as one
    [`Book`][accountcare.domain.book.Book]: every part asked for (all orders, or those of
    the ``orders`` period only) is one bulk read, so loading costs at most five
    statements, for ten accounts or a hundred thousand.

    >>> from accountcare.adapters.memory import MemoryStore
    >>> from accountcare.domain.periods import Period
    >>> from accountcare.sample import sample_book
    >>> store = MemoryStore()
    >>> save_book(store, sample_book(accounts=10, as_of=date(2026, 11, 2)))
    >>> light = load_book(store, contacts=False, interactions=False,
    ...                   orders=Period(date(2026, 8, 1), date(2026, 11, 2)))
    >>> light.contacts, min(o.ordered_on for o in light.orders) >= date(2026, 8, 1)
    ((), True)
    """
    if orders is True:
        window: tuple[date, date] | None = _ALL_TIME
    elif orders is False:
        window = None
    elif isinstance(orders, Period):
        window = (orders.start, orders.end)
    else:
        raise ConfigurationError(f"orders must be True, False or a Period, got {orders!r}")
    return Book(
        accounts=store.accounts(),
        contacts=sorted(store.contacts_of(), key=_by_id) if contacts else (),
        orders=sorted(store.orders_between(*window), key=_by_id) if window else (),
        interactions=sorted(store.interactions_of(), key=_by_id) if interactions else (),
        complaints=sorted(store.complaints_of(), key=_by_id) if complaints else (),
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
    return min(counts, key=lambda code: (-counts[code], code), default="US")
