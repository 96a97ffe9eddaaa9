"""Hypothesis strategies for what a store must keep exactly: Decimal money to the last
digit, dates, aware datetimes in several UTC offsets, enums, sets, CJK text.

Used by the store contract
([`accountcare.testing.store_contract`][accountcare.testing.store_contract]); usable on their
own. Text never holds control characters or lone surrogates (the domain refuses the
first, no database text type stores the second); money stays within the domain's
range.

>>> from hypothesis import given
>>> @given(orders("acme"))
... def test(order):
...     assert order.account_id == "acme"
>>> test()
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import strategies as st

from accountcare.domain._validate import MAX_AMOUNT, MAX_AMOUNT_PLACES
from accountcare.domain.accounts import Account, AccountNote, Address, FinancialInfo
from accountcare.domain.activity import Complaint, ComplaintSeverity, Interaction, Order
from accountcare.domain.contacts import (
    Birthday,
    Channel,
    Contact,
    PhoneNumber,
)
from accountcare.domain.messages import Message, Recipient
from accountcare.domain.team import Company, Rep
from accountcare.domain.warnings import LostAccountReview, RootCause
from accountcare.testing._strategies.book import consent_events
from accountcare.testing._strategies.fields import derived

__all__ = [
    "OFFSETS",
    "accounts",
    "aware_datetimes",
    "companies",
    "complaints",
    "contacts",
    "exactly",
    "ids",
    "interactions",
    "loss_reviews",
    "messages",
    "money",
    "orders",
    "reps",
]

# Offsets seen in the book: UTC, China, Korea, India, Newfoundland, New York, Chatham.
OFFSETS = tuple(
    timezone(timedelta(minutes=m)) if m else UTC for m in (0, 480, 540, 330, -210, -300, 765)
)

_LETTERS = st.characters(
    codec="utf-8", exclude_categories=("Cc", "Zl", "Zp"), max_codepoint=0x2FFFF
)
text = st.text(_LETTERS, max_size=12)
names = st.text(_LETTERS, min_size=1, max_size=12).filter(lambda s: bool(s.strip()))
# Ids mix cases on purpose: "acme" and "ACME" are two accounts in every store.
ids = st.one_of(
    st.text("aAbB-é王", min_size=1, max_size=4).filter(lambda s: bool(s.strip())), names
)
money = st.one_of(
    [st.decimals(-MAX_AMOUNT, MAX_AMOUNT, places=n) for n in range(MAX_AMOUNT_PLACES + 1)]
)


def aware_datetimes() -> st.SearchStrategy[datetime]:
    """Aware datetimes with microseconds in one of `OFFSETS`, 1900-2200."""
    return st.datetimes(
        min_value=datetime(1900, 1, 2),
        max_value=datetime(2200, 1, 1),
        timezones=st.sampled_from(OFFSETS),
    )


dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))


def accounts(account_id: st.SearchStrategy[str] = ids) -> st.SearchStrategy[Account]:
    address = derived(Address, country=st.sampled_from(["CN", "KR", "TW", "DE"]), city=text)
    note = derived(AccountNote, written_at=aware_datetimes(), author=names, text=text)
    return derived(
        Account,
        id=account_id,
        name=names,
        owner=st.none() | st.sampled_from(["rep-li", "rep-kim", "REP-LI"]),
        cooperation_since=st.none() | dates,
        tags=st.frozensets(names, max_size=3),
        addresses=st.lists(address, max_size=2),
        financial=derived(FinancialInfo, bank=text),
        notes=st.lists(note, max_size=2),
        updated_at=st.none() | aware_datetimes(),
    )


def contacts(account_id: str) -> st.SearchStrategy[Contact]:
    birthdays = st.builds(
        Birthday, st.integers(1, 12), st.integers(1, 28), st.none() | st.integers(1900, 2000)
    )
    return derived(
        Contact,
        id=ids,
        account_id=st.just(account_id),
        name=names,
        birthday=st.none() | birthdays,
        time_zone=st.sampled_from(["UTC", "Asia/Shanghai", "Asia/Seoul", "America/St_Johns"]),
        phones=st.lists(derived(PhoneNumber, raw=names), max_size=2),
        channels=st.lists(st.sampled_from(Channel), max_size=3, unique=True),
        hobbies=st.lists(text, max_size=2),
        recorded_on=st.none(),
        consent_log=st.lists(consent_events(), max_size=3),
    )


_NAMES = st.dictionaries(st.sampled_from(["zh", "zh-Hant", "ko", "ja", "de"]), names, max_size=3)


def reps(rep_id: st.SearchStrategy[str] = ids) -> st.SearchStrategy[Rep]:
    """Reps with display names in several languages.

    >>> from hypothesis import given
    >>> @given(reps())
    ... def test(rep):
    ...     assert rep.name_for("en") == rep.name
    >>> test()
    """
    locales = st.sampled_from(["en", "zh", "ko", "zh-Hant"])
    return st.builds(Rep, id=rep_id, name=names, email=text, phone=text, title=text,
                     locale=locales, names=_NAMES)  # fmt: skip


def companies() -> st.SearchStrategy[Company]:
    """Your company, with its name in several languages.

    >>> from hypothesis import given
    >>> @given(companies())
    ... def test(company):
    ...     assert company.name_for("fr") == company.name
    >>> test()
    """
    return st.builds(Company, name=names, names=_NAMES)


def orders(account_id: str) -> st.SearchStrategy[Order]:
    currency = st.sampled_from(["CNY", "KRW", "TWD", "EUR", "USD", "JPY"])
    return derived(Order, id=ids, account_id=st.just(account_id), ordered_on=dates, amount=money,
                   margin=st.none() | money, currency=currency, quantity=st.integers(0, 10**6),
                   product=text)  # fmt: skip


def interactions(account_id: str) -> st.SearchStrategy[Interaction]:
    return derived(Interaction, id=ids, account_id=st.just(account_id),
                   occurred_at=aware_datetimes(), by=names, summary=text)  # fmt: skip


@st.composite
def complaints(draw: st.DrawFn, account_id: str) -> Complaint:
    opened = draw(aware_datetimes())
    closed = draw(st.none() | st.timedeltas(timedelta(0), timedelta(days=400)))
    return Complaint(
        id=draw(ids),
        account_id=account_id,
        opened_at=opened,
        severity=draw(st.sampled_from(ComplaintSeverity)),
        subject=draw(text),
        closed_at=None
        if closed is None
        else (opened + closed).astimezone(draw(st.sampled_from(OFFSETS))),
    )


def loss_reviews(account_id: str) -> st.SearchStrategy[LostAccountReview]:
    """Root-cause records of the lost account ``account_id``, found on any day, with
    evidence in any script.

    >>> from hypothesis import given
    >>> @given(loss_reviews("acme"))
    ... def test(review):
    ...     assert review.account_id == "acme" and review.evidence.strip()
    >>> test()
    """
    return st.builds(LostAccountReview, account_id=st.just(account_id),
                     cause=st.sampled_from(RootCause), evidence=names, found_by=ids,
                     found_on=dates)  # fmt: skip


def messages(key: st.SearchStrategy[str] = ids) -> st.SearchStrategy[Message]:
    recipient = derived(Recipient, contact_id=ids, name=names, address=names)
    return derived(Message, key=key, recipient=recipient, subject=text, text=text,
                   due_at=aware_datetimes(), html=st.none() | text)  # fmt: skip


def exactly(value: Any) -> Any:
    """A form of ``value`` in which equal means *exactly* equal: Decimals keep their
    exponent (``1.10`` is not ``1.1``), datetimes their UTC offset, times their zone.

    >>> from decimal import Decimal
    >>> exactly(Decimal("1.10")) == exactly(Decimal("1.1"))
    False
    """
    if attrs.has(type(value)):
        fields = attrs.fields(type(value))
        return (type(value).__name__, tuple(exactly(getattr(value, f.name)) for f in fields))
    if isinstance(value, Decimal):
        return ("Decimal", str(value))
    if isinstance(value, datetime | time):
        return (type(value).__name__, value.isoformat(), value.utcoffset())
    if isinstance(value, frozenset | set):
        return frozenset(exactly(v) for v in value)
    if isinstance(value, tuple | list):
        return tuple(exactly(v) for v in value)
    return (type(value).__name__, value)


# The kit's strategy for each of these kinds (``strategy_for``, ``st.from_type``).
st.register_type_strategy(Rep, reps())
st.register_type_strategy(Company, companies())
