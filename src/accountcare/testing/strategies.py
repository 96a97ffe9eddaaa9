"""Hypothesis strategies for every domain value, registered for ``st.from_type``.

Values are built field by field (no ``.filter`` on whole objects), so they shrink well.
Values with rules across fields (a complaint closed after it opened, a contact born
before it was recorded, a period that ends after it starts) have hand-written
strategies; every other attrs class of :mod:`accountcare.domain` gets one derived from its
field types and validators (:func:`derived`), so a new simple value is covered the day it
is added. :data:`STRATEGIES` maps each class to its strategy.

>>> from hypothesis import given, strategies as st
>>> from accountcare.domain import Contact
>>> @given(st.from_type(Contact))
... def test(contact):
...     assert contact.id
>>> test()
"""

from __future__ import annotations

import collections.abc
import enum
import importlib
import pkgutil
import types
import typing
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import strategies as st
from hypothesis.strategies._internal.types import _global_type_lookup

import accountcare.domain as domain_package
from accountcare.domain.activity import Complaint, Order
from accountcare.domain.book import Book
from accountcare.domain.cadence import Cadence, TierCadence
from accountcare.domain.calendars import WorkCalendar
from accountcare.domain.contacts import Birthday, BirthdayCalendar, Contact
from accountcare.domain.currency import ISO_4217
from accountcare.domain.metrics import AccountMetrics
from accountcare.domain.outbox import RetryPolicy
from accountcare.domain.periods import Period
from accountcare.domain.tiers import TierAssignment, TierCutoffs, TierMigration, TierReason
from accountcare.domain.visits import UnplacedVisit, Utilisation, Visit
from accountcare.testing import visits as _visits  # noqa: F401  (registers visit values)

__all__ = [
    "STRATEGIES",
    "account_ids",
    "birthdays",
    "books",
    "complaints",
    "contacts",
    "days",
    "derived",
    "domain_classes",
    "instants",
    "money",
    "orders",
    "periods",
    "strategy_for",
    "tier_assignments",
    "tier_values",
]

#: Every domain class with its strategy (see :func:`strategy_for`).
STRATEGIES: dict[type, st.SearchStrategy[Any]] = {}

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2035, 12, 31)
_ZONES = ("UTC", "Asia/Shanghai", "Asia/Seoul", "Asia/Taipei", "Europe/Berlin", "America/New_York")
_COUNTRIES = ("CN", "KR", "TW", "JP", "DE", "US", "GB", "FR")
_CURRENCIES = ("CNY", "KRW", "TWD", "JPY", "USD", "EUR", "GBP")
assert set(_CURRENCIES) <= set(ISO_4217)


def account_ids() -> st.SearchStrategy[str]:
    """Short, readable ids (they shrink to ``"a"``)."""
    return st.text(alphabet="abcdefghijk0123456789-", min_size=1, max_size=8)


def _names() -> st.SearchStrategy[str]:
    """Non-blank short text, CJK and accents included."""
    return st.text(alphabet="abcxyzABC 王李김이éß", min_size=1, max_size=10).map(
        lambda s: s if s.strip() else f"n{s}"
    )


def days(first: date = FIRST_DAY, last: date = LAST_DAY) -> st.SearchStrategy[date]:
    return st.dates(min_value=first, max_value=last)


def instants(first: date = FIRST_DAY, last: date = LAST_DAY) -> st.SearchStrategy[datetime]:
    """Timezone-aware instants in UTC, whole seconds."""
    return st.datetimes(
        min_value=datetime.combine(first, time()),
        max_value=datetime.combine(last, time()),
        timezones=st.just(UTC),
    ).map(lambda d: d.replace(microsecond=0))


def money(max_value: int = 10**7, allow_negative: bool = True) -> st.SearchStrategy[Decimal]:
    """Finite Decimals with two places (negative ones are refunds or losses)."""
    low = -max_value * 100 if allow_negative else 0
    return st.integers(low, max_value * 100).map(lambda cents: Decimal(cents).scaleb(-2))


@st.composite
def tier_values(
    draw: st.DrawFn, kind: str = "any", max_size: int = 12, min_size: int = 0
) -> dict[str, Any]:
    """A population for tier policies: account id -> value, with ties, zeros and refunds.

    ``kind`` is ``"int"``, ``"float"``, ``"decimal"`` or ``"any"`` (mixed in one book).
    Half the books draw every value from a pool of at most four, so that many accounts
    tie, across tier boundaries too: the case where a policy that ranks by position
    instead of by value goes wrong.
    """
    small = st.integers(-5, 60)  # a narrow range makes ties and zeros common
    ints = st.one_of(small, st.integers(-(10**6), 10**9))
    floats = st.one_of(small.map(float), st.floats(-1e3, 1e9, allow_nan=False))
    decimals = st.one_of(small.map(Decimal), money(10**6))
    number = {"int": ints, "float": floats, "decimal": decimals}.get(
        kind, st.one_of(ints, floats, decimals)
    )
    ids = draw(st.lists(account_ids(), min_size=min_size, max_size=max_size, unique=True))
    if draw(st.booleans()):
        number = st.sampled_from(draw(st.lists(number, min_size=1, max_size=4)))
    return {account_id: draw(number) for account_id in ids}


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
    return draw(st.builds(Contact, **fields))


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
def periods(draw: st.DrawFn) -> Period:
    start = draw(days())
    return Period(start, start + timedelta(days=draw(st.integers(1, 800))))


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
        st.lists(strategy_for(_account_class()), max_size=max_accounts, unique_by=lambda a: a.id)
    )
    if not accounts:
        return Book()
    ids = st.sampled_from([a.id for a in accounts])
    return Book(
        accounts=accounts,
        contacts=[
            attrs.evolve(c, account_id=draw(ids)) for c in draw(st.lists(contacts(), max_size=3))
        ],
        orders=draw(st.lists(orders(ids), max_size=4)),
        interactions=[
            attrs.evolve(i, account_id=draw(ids))
            for i in draw(st.lists(strategy_for(_interaction_class()), max_size=3))
        ],
        complaints=[
            attrs.evolve(c, account_id=draw(ids)) for c in draw(st.lists(complaints(), max_size=2))
        ],
    )


def _account_class() -> type:
    from accountcare.domain.accounts import Account

    return Account


def _interaction_class() -> type:
    from accountcare.domain.activity import Interaction

    return Interaction


@st.composite
def _reasons(draw: st.DrawFn) -> TierReason:
    finite = st.floats(-1e12, 1e12, allow_nan=False)
    return TierReason(
        value=draw(finite),
        rule=draw(st.text(max_size=20)),
        share_before=draw(st.none() | st.floats(0, 1)),
        rank=draw(st.none() | st.integers(1, 10**6)),
        population=draw(st.none() | st.integers(0, 10**6)),
        cutoff=draw(st.none() | st.floats(0, 1)),
    )


def tier_assignments(tiers: tuple[str, ...] = ("A", "B", "C")) -> st.SearchStrategy[TierAssignment]:
    return st.builds(
        TierAssignment,
        account_id=account_ids(),
        tier=st.sampled_from(tiers),
        policy=st.sampled_from(("abc", "rank_bands", "profitability", "value_labels")),
        reason=_reasons(),
    )


@st.composite
def _cutoffs(draw: st.DrawFn) -> TierCutoffs:
    tiers = draw(st.lists(_names(), min_size=2, max_size=4, unique=True))
    floors = draw(st.lists(st.none() | money(), min_size=len(tiers) - 1, max_size=len(tiers) - 1))
    limits = draw(st.lists(st.floats(0.01, 1), min_size=len(tiers) - 1, max_size=len(tiers) - 1))
    return TierCutoffs(
        policy=draw(account_ids()),
        tiers=tuple(tiers),
        floors=tuple(floors),
        limits=tuple(limits),
        population=draw(st.integers(0, 10**6)),
        total=draw(st.floats(0, 1e12)),
    )


@st.composite
def _migrations(draw: st.DrawFn) -> TierMigration:
    fields = _field_strategies(TierMigration)
    fields["tiers"] = st.lists(_names(), min_size=2, max_size=4, unique=True).map(tuple)
    return draw(st.builds(TierMigration, **fields))


_retry_policies = st.builds(
    RetryPolicy,
    max_attempts=st.integers(1, 10),
    first_delay=st.integers(1, 3600).map(lambda s: timedelta(seconds=s)),
    factor=st.floats(1, 4),
    max_delay=st.integers(1, 86400).map(lambda s: timedelta(seconds=s)),
)


# -- strategies derived from field types --------------------------------------------

_BY_NAME: dict[str, st.SearchStrategy[Any]] = {
    "time_zone": st.sampled_from(_ZONES),
    "country": st.sampled_from(_COUNTRIES),
    "currency": st.sampled_from(_CURRENCIES),
    "locale": st.sampled_from(("en", "zh-CN", "ko", "de")),
    "subdivision": st.none(),
}


def _options(validator: Any) -> tuple[Any, ...] | None:
    """The allowed values of an ``attrs.validators.in_`` among a field's validators."""
    if validator is None:
        return None
    options = getattr(validator, "options", None)
    if options is not None:
        return tuple(options)
    for inner in getattr(validator, "_validators", ()):
        found = _options(inner)
        if found is not None:
            return found
    return None


def _bounds(validator: Any) -> tuple[Any, Any] | None:
    """``(low, high)`` of a ``between(low, high)`` validator among a field's validators."""
    if validator is None:
        return None
    code = getattr(validator, "__code__", None)
    if code is not None and {"low", "high"} <= set(code.co_freevars):
        cells = dict(zip(code.co_freevars, validator.__closure__ or (), strict=True))
        return cells["low"].cell_contents, cells["high"].cell_contents
    for inner in getattr(validator, "_validators", ()):
        found = _bounds(inner)
        if found is not None:
            return found
    return None


def _for_type(tp: Any) -> st.SearchStrategy[Any]:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(_for_type(a) for a in args))
    if origin is typing.Literal:
        return st.sampled_from(args)
    if origin in (typing.Sequence, collections.abc.Sequence):  # built as a tuple
        return st.lists(_for_type(args[0]), max_size=3).map(tuple)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return st.lists(_for_type(args[0]), max_size=3).map(tuple)
        return st.tuples(*(_for_type(a) for a in args))
    if origin in (frozenset, set):
        return st.frozensets(_for_type(args[0]), max_size=3)
    if origin in (dict, typing.Mapping, collections.abc.Mapping):
        return st.dictionaries(_for_type(args[0]), _for_type(args[1]), max_size=3)
    if tp is type(None):
        return st.none()
    if isinstance(tp, type):
        if attrs.has(tp):
            return st.deferred(lambda: strategy_for(tp))
        if issubclass(tp, enum.Enum):
            return st.sampled_from(tp)
        simple: dict[type, st.SearchStrategy[Any]] = {
            bool: st.booleans(),
            int: st.integers(1, 40),
            float: st.floats(0, 100),
            Decimal: money(allow_negative=False),
            str: _names(),
            datetime: instants(),
            date: days(),
            time: st.times().map(lambda t: t.replace(microsecond=0)),
            timedelta: st.integers(1, 86400 * 30).map(lambda s: timedelta(seconds=s)),
        }
        for kind, strategy in simple.items():
            if tp is kind:
                return strategy
    raise TypeError(f"no strategy for the field type {tp!r}")


def _field_strategies(cls: type) -> dict[str, st.SearchStrategy[Any]]:
    hints = typing.get_type_hints(cls)
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for field in attrs.fields(cls):
        if not field.init:
            continue
        name = field.alias or field.name
        options = _options(field.validator)
        bounds = _bounds(field.validator)
        if options is not None:
            fields[name] = st.sampled_from(options)
        elif bounds is not None and hints[field.name] in (int, float):
            low, high = bounds
            number = st.integers if hints[field.name] is int else st.floats
            fields[name] = number(
                int(low) if number is st.integers else low,
                int(high) if number is st.integers else high,
            )
        elif field.name in _BY_NAME:
            fields[name] = _BY_NAME[field.name]
        elif field.name == "id" or field.name.endswith("_id"):
            strategy = account_ids()
            fields[name] = (
                st.none() | strategy
                if type(None) in typing.get_args(hints[field.name])
                else strategy
            )
        else:
            fields[name] = _for_type(hints[field.name])
    return fields


def derived(cls: type, **overrides: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A strategy for the attrs class ``cls`` built field by field from its types
    (``id``/``*_id`` fields get short ids, ``in_`` validators their options)."""
    return st.builds(cls, **{**_field_strategies(cls), **overrides})


def domain_classes() -> list[type]:
    """Every attrs class defined in the modules of :mod:`accountcare.domain`."""
    found = []
    for info in pkgutil.iter_modules(domain_package.__path__):
        module = importlib.import_module(f"accountcare.domain.{info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and attrs.has(value) and value.__module__ == module.__name__:
                found.append(value)
    return sorted(found, key=lambda c: (c.__module__, c.__name__))


def strategy_for(cls: type) -> st.SearchStrategy[Any]:
    """The strategy of a domain class: hand-written here or in a sibling module of
    :mod:`accountcare.testing` (care, relationships...), else derived from its fields."""
    if cls not in STRATEGIES:
        _load_siblings()
        if cls in _global_type_lookup:
            STRATEGIES[cls] = st.from_type(cls)
        else:
            STRATEGIES[cls] = derived(cls)
            st.register_type_strategy(cls, STRATEGIES[cls])
    return STRATEGIES[cls]


def _load_siblings() -> None:
    """Import the other strategy modules of the kit, so their registrations count."""
    import accountcare.testing as kit

    for info in pkgutil.iter_modules(kit.__path__):
        if info.name not in ("strategies", "laws") and not info.name.endswith("_contract"):
            importlib.import_module(f"accountcare.testing.{info.name}")


_HAND_WRITTEN: dict[type, st.SearchStrategy[Any]] = {
    Birthday: birthdays(),
    Contact: contacts(),
    Complaint: complaints(),
    Order: orders(),
    Period: periods(),
    AccountMetrics: _metrics(),
    RetryPolicy: _retry_policies,
    Book: books(),
    TierReason: _reasons(),
    TierAssignment: tier_assignments(),
    TierCutoffs: _cutoffs(),
    TierMigration: _migrations(),
}
for _cls, _strategy in _HAND_WRITTEN.items():
    STRATEGIES[_cls] = _strategy
    st.register_type_strategy(_cls, _strategy)
for _cls in (WorkCalendar, TierCadence, Cadence, Visit, UnplacedVisit, Utilisation):
    STRATEGIES[_cls] = st.from_type(_cls)
