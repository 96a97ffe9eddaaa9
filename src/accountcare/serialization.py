"""One cattrs converter for every domain value: to plain dicts and JSON, and back.

Values never know how they are stored; the hooks live here. Dates and times are ISO
8601 strings, datetimes keep their offset, money is a Decimal string (never a float),
enums are their values, birthdays are ``1988-02-29`` or ``--02-29``.

>>> from decimal import Decimal
>>> from datetime import date
>>> from accountcare.domain import Order
>>> order = Order(id="o-1", account_id="acme", ordered_on=date(2026, 5, 4),
...               amount=Decimal("19.90"), currency="EUR")
>>> payload = to_json(order)
>>> from_json(payload, Order) == order
True
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import cattrs
from cattrs.preconf.json import make_converter

from accountcare.domain.contacts import Birthday, BirthdayCalendar
from accountcare.errors import InvalidRecord

__all__ = ["converter", "from_json", "structure", "to_json", "unstructure"]

T = TypeVar("T")
E = TypeVar("E", bound=BaseException)

converter = make_converter(forbid_extra_keys=True)


def _structure_iso(value: Any, kind: type[date | time]) -> Any:
    """An ISO 8601 string (or a value already of ``kind``) as a date, datetime or time."""
    if isinstance(value, kind) and not (kind is date and isinstance(value, datetime)):
        return value
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO {kind.__name__} string, got {type(value).__name__}")
    return kind.fromisoformat(value)


def _structure_decimal(value: Any, _: type) -> Decimal:
    if isinstance(value, bool | float):
        raise TypeError("money must be a string or an integer, never a float")
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError) as exc:
        raise TypeError(f"{value!r} is not a decimal number") from exc


_DURATION = re.compile(r"^P(?P<days>-?\d+)DT(?P<seconds>\d+)(?:\.(?P<micro>\d{6}))?S$")


def _unstructure_timedelta(value: timedelta) -> str:
    """ISO 8601 duration in days and seconds: ``P1DT3600S`` (``P-1DT82800S`` for -1 hour)."""
    micro = f".{value.microseconds:06d}" if value.microseconds else ""
    return f"P{value.days}DT{value.seconds}{micro}S"


def _structure_timedelta(value: Any, _: type) -> timedelta:
    if isinstance(value, timedelta):
        return value
    match = _DURATION.match(value) if isinstance(value, str) else None
    if match is None:
        raise TypeError(f"expected a duration like P0DT60S, got {value!r}")
    micro = int(match["micro"] or 0)
    return timedelta(days=int(match["days"]), seconds=int(match["seconds"]), microseconds=micro)


_BIRTHDAY = re.compile(r"^(?P<year>\d{4}|-)-(?P<month>\d{2})-(?P<day>\d{2})$")


def _unstructure_birthday(value: Birthday) -> Any:
    if value.calendar is BirthdayCalendar.GREGORIAN:
        return value.isoformat()
    return {
        "date": value.isoformat(),
        "calendar": value.calendar.value,
        "leap": value.leap,
    }


def _structure_birthday(value: Any, _: type) -> Birthday:
    calendar, leap = BirthdayCalendar.GREGORIAN, False
    if isinstance(value, dict):
        calendar = BirthdayCalendar(value["calendar"])
        leap = bool(value.get("leap", False))
        value = value["date"]
    match = _BIRTHDAY.match(value) if isinstance(value, str) else None
    if match is None:
        raise TypeError(f"expected YYYY-MM-DD or --MM-DD, got {value!r}")
    year = None if match["year"] == "-" else int(match["year"])
    return Birthday(int(match["month"]), int(match["day"]), year, calendar, leap)


_LEAVES: tuple[tuple[type, Any, Any], ...] = (
    (date, date.isoformat, _structure_iso),
    (datetime, datetime.isoformat, _structure_iso),
    (time, time.isoformat, _structure_iso),
    (Decimal, str, _structure_decimal),
    (timedelta, _unstructure_timedelta, _structure_timedelta),
    (Birthday, _unstructure_birthday, _structure_birthday),
)
for _kind, _out, _in in _LEAVES:
    converter.register_unstructure_hook(_kind, _out)
    converter.register_structure_hook(_kind, _in)

#: The types with hooks of their own above (the rest are attrs records, enums, plain
#: JSON values and collections of them); row codecs call these hooks as they are.
LEAF_TYPES: frozenset[type] = frozenset(kind for kind, _, _ in _LEAVES)


def unstructure(value: object) -> Any:
    """A domain value as plain dicts, lists and strings (JSON-ready)."""
    return converter.unstructure(value)


def structure(payload: Any, kind: type[T]) -> T:
    """Build a ``kind`` from plain data; errors name the record and the field.

    Raises [`InvalidRecord`][accountcare.errors.InvalidRecord] for data the domain rejects and
    for payloads of the wrong shape: a missing or mistyped field is named by its path
    (``recipient.address``), an unexpected key by its own name.

    >>> structure({"id": "o-1", "colour": "red"}, dict[str, str])["colour"]
    'red'
    """
    try:
        return converter.structure(payload, kind)
    except InvalidRecord:
        raise
    except cattrs.BaseValidationError as exc:
        inner = _inner(exc, InvalidRecord)
        if inner is not None:
            raise inner from exc
        record = _record(kind, payload)
        extra = _inner(exc, cattrs.ForbiddenExtraKeysError)
        if extra is not None:
            name = sorted(extra.extra_fields)[0]
            raise InvalidRecord(record, name, f"is not a field of {kind.__name__}") from exc
        problems = "; ".join(cattrs.transform_error(exc))
        raise InvalidRecord(record, _first_path(exc), problems) from exc
    except (TypeError, ValueError, KeyError) as exc:
        raise InvalidRecord(_record(kind, payload), "(payload)", str(exc)) from exc


def _record(kind: type, payload: Any) -> str:
    name = getattr(kind, "__name__", str(kind))
    key = payload.get("id") if isinstance(payload, dict) else None
    return f"{name} {key!r}" if isinstance(key, str) and key else name


def _inner(exc: BaseException, kind: type[E]) -> E | None:
    """The first ``kind`` among ``exc`` and the exceptions grouped in it."""
    if isinstance(exc, kind):
        return exc
    for child in getattr(exc, "exceptions", ()):
        found = _inner(child, kind)
        if found is not None:
            return found
    return None


def _first_path(exc: cattrs.BaseValidationError) -> str:
    messages = cattrs.transform_error(exc)
    if messages and " @ " in messages[0]:
        path = messages[0].rsplit(" @ ", 1)[1]
        return path.removeprefix("$.").removeprefix("$") or "(payload)"
    return "(payload)"


def to_json(value: object) -> str:
    """A domain value as a JSON string."""
    return converter.dumps(value)


def from_json(payload: str | bytes, kind: type[T]) -> T:
    """Parse JSON into a ``kind``; see [`structure`][accountcare.serialization.structure] for
    errors."""
    import json

    try:
        data = json.loads(payload)
    except ValueError as exc:
        raise InvalidRecord(kind.__name__, "(payload)", f"is not valid JSON: {exc}") from exc
    return structure(data, kind)
