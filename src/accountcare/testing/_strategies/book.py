"""Strategies for the values of a book: contacts with their birthdays, orders,
complaints, periods, account metrics, and whole small books whose records all point at
their accounts.

>>> from hypothesis import given
>>> @given(books())
... def test(book):
...     assert {order.account_id for order in book.orders} <= {a.id for a in book.accounts}
>>> test()
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import attrs
from hypothesis import strategies as st

from accountcare.domain.accounts import Account
from accountcare.domain.activity import Complaint, Interaction, Order
from accountcare.domain.book import Book
from accountcare.domain.contacts import (
    Birthday,
    BirthdayCalendar,
    Channel,
    ConsentAction,
    ConsentEvent,
    Contact,
)
from accountcare.domain.metrics import AccountMetrics
from accountcare.domain.periods import Period
from accountcare.testing._strategies.fields import (
    FIRST_DAY,
    LAST_DAY,
    _field_strategies,
    _names,
    days,
    instants,
    money,
    strategy_for,
)


@st.composite
def birthdays(draw: st.DrawFn, recorded_on: date | None = None) -> Birthday:
    """Birthdays with and without a year, 29 February included, lunar ones too; never
    after ``recorded_on``."""
    calendar = draw(st.sampled_from(BirthdayCalendar))
    if calendar is not BirthdayCalendar.GREGORIAN:
        return Birthday(
            draw(st.integers(1, 12)),
            draw(st.integers(1, 30)),
            draw(st.none() | st.integers(1900, 2030)),
            calendar,
            draw(st.booleans()),
        )
    leap_day = draw(st.integers(0, 4)) == 0
    month, day = (2, 29) if leap_day else (draw(st.integers(1, 12)), draw(st.integers(1, 28)))
    latest = (recorded_on or LAST_DAY).year - 1
    year = draw(st.none() | st.integers(1904, max(1904, latest)))
    if year is not None and leap_day:
        year -= year % 4
    return Birthday(month, day, year)


@st.composite
def contacts(draw: st.DrawFn) -> Contact:
    """A contact, born and verified before the day it was recorded."""
    recorded_on = draw(st.none() | days(date(2010, 1, 1)))
    fields = _field_strategies(Contact)
    fields["birthday"] = st.none() | birthdays(recorded_on=recorded_on)
    fields["verified"] = st.dictionaries(_names(), days(FIRST_DAY, recorded_on or LAST_DAY))
    fields["recorded_on"] = st.just(recorded_on)
    fields["consent_log"] = st.lists(consent_events(until=recorded_on), max_size=3)
    return draw(st.builds(Contact, **fields))


@st.composite
def consent_events(draw: st.DrawFn, until: date | None = None) -> ConsentEvent:
    """Evidence of consent: channels given or withdrawn, or an opt-out or opt-in, on a
    day no later than ``until``."""
    action = draw(st.sampled_from(ConsentAction))
    wants = action in (ConsentAction.GIVEN, ConsentAction.WITHDRAWN)
    channels = st.frozensets(st.sampled_from(Channel), min_size=1) if wants else st.just(())
    return ConsentEvent(
        on=draw(days(FIRST_DAY, until or LAST_DAY)),
        action=action,
        source=draw(_names()),
        channels=draw(channels),
    )


@st.composite
def complaints(draw: st.DrawFn) -> Complaint:
    """Open and closed complaints, never closed before opened."""
    opened = draw(instants())
    fields = _field_strategies(Complaint)
    fields["opened_at"] = st.just(opened)
    fields["closed_at"] = st.none() | st.integers(0, 400 * 86400).map(
        lambda s: opened + timedelta(seconds=s)
    )
    return draw(st.builds(Complaint, **fields))


@st.composite
def periods(draw: st.DrawFn, min_days: int = 1, max_days: int = 800) -> Period:
    """A non-empty period of ``min_days`` to ``max_days`` days."""
    start = draw(days())
    return Period(start, start + timedelta(days=draw(st.integers(min_days, max_days))))


@st.composite
def _metrics(draw: st.DrawFn) -> AccountMetrics:
    fields = _field_strategies(AccountMetrics)
    first = draw(st.none() | days())
    fields["first_order"] = st.just(first)
    fields["last_order"] = st.none() if first is None else days(first)
    fields["recency_days"] = st.none() | st.integers(-30, 3000)
    return draw(st.builds(AccountMetrics, **fields))


def orders(account_id: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[Order]:
    """Orders, refunds (negative amounts) and losses (negative margins) included."""
    fields = _field_strategies(Order)
    fields["amount"] = money()
    fields["margin"] = st.none() | money()
    if account_id is not None:
        fields["account_id"] = account_id
    return st.builds(Order, **fields)


@st.composite
def books(draw: st.DrawFn, max_accounts: int = 4) -> Book:
    """A small book whose records all point at its accounts."""
    accounts = draw(
        st.lists(strategy_for(Account), max_size=max_accounts, unique_by=lambda a: a.id)
    )
    if not accounts:
        return Book()
    ids = st.sampled_from([a.id for a in accounts])

    def owned(records: st.SearchStrategy[Any], max_size: int) -> list[Any]:
        return [
            attrs.evolve(r, account_id=draw(ids))
            for r in draw(st.lists(records, max_size=max_size))
        ]

    return Book(
        accounts=accounts,
        contacts=owned(contacts(), 3),
        orders=draw(st.lists(orders(ids), max_size=4)),
        interactions=owned(strategy_for(Interaction), 3),
        complaints=owned(complaints(), 2),
    )
