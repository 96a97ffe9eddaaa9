"""Strategies field by field: the plain values records are made of (short ids, names,
days, instants, money) and, for any attrs class of `accountcare.domain` without a
hand-written strategy, one derived from its field types and validators.

`STRATEGIES` maps each class to its strategy: the hand-written ones are entered by
[`accountcare.testing.strategies`][accountcare.testing.strategies],
[`strategy_for`][accountcare.testing.strategies.strategy_for] adds the others on first use.

>>> from hypothesis import given, strategies as st
>>> from accountcare.domain.accounts import Account
>>> @given(derived(Account, name=st.just("Acme")))
... def test(account):
...     assert account.name == "Acme" and account.id
>>> test()
"""

from __future__ import annotations

import collections.abc
import enum
import importlib
import pkgutil
import types
import typing
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import strategies as st
from hypothesis.strategies._internal.types import _global_type_lookup

import accountcare.domain as domain_package
from accountcare.domain._validate import MAX_AMOUNT, MAX_AMOUNT_PLACES
from accountcare.domain.currency import ISO_4217

#: Every domain class with its strategy (see
#: [`strategy_for`][accountcare.testing.strategies.strategy_for]).
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


def lines(min_size: int = 0, max_size: int = 40) -> st.SearchStrategy[str]:
    """One line of text as names, titles and other single-line fields accept it: any
    script, the ideographic space, full-width forms, emoji, combining marks; no control
    character, no line or paragraph separator, no lone surrogate. With ``min_size`` above
    0 the line is never blank."""
    line = st.text(
        st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp")),
        min_size=min_size,
        max_size=max_size,
    )
    return line.map(lambda s: f"n{s}" if min_size and s.isspace() else s)


def texts(max_size: int = 40) -> st.SearchStrategy[str]:
    """Free text as multi-line fields accept it: any script, line feeds and tabs, no other
    control character (and no lone surrogate, which no encoding can write)."""
    return st.text(
        st.characters(exclude_categories=("Cs", "Cc"), include_characters="\n\t"),
        max_size=max_size,
    )


def amounts(places: int = MAX_AMOUNT_PLACES) -> st.SearchStrategy[Decimal]:
    """Every money amount an order accepts: up to
    [`MAX_AMOUNT`][accountcare.domain.MAX_AMOUNT] either way, with 0 to ``places``
    decimal places (trailing zeros kept, so ``1.10`` and ``1.1`` both come up), the
    extremes and the smallest fractions included.

    >>> from hypothesis import given
    >>> @given(amounts())
    ... def test(value):
    ...     assert abs(value) <= MAX_AMOUNT and value.as_tuple().exponent >= -6
    >>> test()
    """
    extremes = st.sampled_from(
        [MAX_AMOUNT, -MAX_AMOUNT, Decimal(0), Decimal("1e-6"), Decimal("-1e-6")]
    )

    @st.composite
    def scaled(draw: st.DrawFn) -> Decimal:
        exponent = draw(st.integers(0, places))
        limit = int(MAX_AMOUNT.scaleb(exponent))
        return Decimal(draw(st.integers(-limit, limit))).scaleb(-exponent)

    return extremes | scaled()


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


# -- strategies derived from field types --------------------------------------------

_BY_NAME: dict[str, st.SearchStrategy[Any]] = {
    "time_zone": st.sampled_from(_ZONES),
    "country": st.sampled_from(_COUNTRIES),
    "currency": st.sampled_from(_CURRENCIES),
    "locale": st.sampled_from(("en", "zh-CN", "ko", "de")),
    "subdivision": st.none(),
}


def _validators(validator: Any) -> Iterator[Any]:
    """A field's validator and, depth first, the validators it combines (``and_``)."""
    if validator is not None:
        yield validator
        for inner in getattr(validator, "_validators", ()):
            yield from _validators(inner)


def _options(validator: Any) -> tuple[Any, ...] | None:
    """The allowed values of an ``attrs.validators.in_`` among a field's validators."""
    for each in _validators(validator):
        if getattr(each, "options", None) is not None:
            return tuple(each.options)
    return None


def _bounds(validator: Any) -> tuple[Any, Any] | None:
    """``(low, high)`` of a ``between(low, high)`` validator among a field's validators."""
    for each in _validators(validator):
        code = getattr(each, "__code__", None)
        if code is not None and {"low", "high"} <= set(code.co_freevars):
            cells = dict(zip(code.co_freevars, each.__closure__ or (), strict=True))
            return cells["low"].cell_contents, cells["high"].cell_contents
    return None


def _for_type(tp: Any) -> st.SearchStrategy[Any]:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(_for_type(a) for a in args))
    if origin is typing.Literal:
        return st.sampled_from(args)
    variadic = origin is tuple and len(args) == 2 and args[1] is Ellipsis
    if variadic or origin in (typing.Sequence, collections.abc.Sequence):  # built as a tuple
        return st.lists(_for_type(args[0]), max_size=3).map(tuple)
    if origin is tuple:
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
        if tp in simple:
            return simple[tp]
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
            whole = hints[field.name] is int
            fields[name] = st.integers(int(low), int(high)) if whole else st.floats(low, high)
        elif field.name in _BY_NAME:
            fields[name] = _BY_NAME[field.name]
        elif field.name == "id" or field.name.endswith("_id"):
            optional = type(None) in typing.get_args(hints[field.name])
            fields[name] = st.none() | account_ids() if optional else account_ids()
        else:
            fields[name] = _for_type(hints[field.name])
    return fields


def derived(cls: type, **overrides: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A strategy for the attrs class ``cls`` built field by field from its types
    (``id``/``*_id`` fields get short ids, ``in_`` validators their options)."""
    return st.builds(cls, **{**_field_strategies(cls), **overrides})


def domain_classes() -> list[type]:
    """Every attrs class defined in the modules of `accountcare.domain`."""
    found = []
    for info in pkgutil.iter_modules(domain_package.__path__):
        module = importlib.import_module(f"accountcare.domain.{info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and attrs.has(value) and value.__module__ == module.__name__:
                found.append(value)
    return sorted(found, key=lambda c: (c.__module__, c.__name__))


def strategy_for(cls: type) -> st.SearchStrategy[Any]:
    """The strategy of a domain class: hand-written in
    [`accountcare.testing.strategies`][accountcare.testing.strategies] or a sibling module
    of `accountcare.testing` (care, relationships...), else derived from its fields."""
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
