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

converter = make_converter(forbid_extra_keys=True)


def _structure_date(value: Any, _: type) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO date string, got {type(value).__name__}")
    return date.fromisoformat(value)


def _structure_datetime(value: Any, _: type) -> datetime:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO datetime string, got {type(value).__name__}")
    return datetime.fromisoformat(value)


def _structure_time(value: Any, _: type) -> time:
    if isinstance(value, time):
        return value
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO time string, got {type(value).__name__}")
    return time.fromisoformat(value)


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


converter.register_unstructure_hook(date, date.isoformat)
converter.register_structure_hook(date, _structure_date)
converter.register_unstructure_hook(datetime, datetime.isoformat)
converter.register_structure_hook(datetime, _structure_datetime)
converter.register_unstructure_hook(time, time.isoformat)
converter.register_structure_hook(time, _structure_time)
converter.register_unstructure_hook(Decimal, str)
converter.register_structure_hook(Decimal, _structure_decimal)
converter.register_unstructure_hook(timedelta, _unstructure_timedelta)
converter.register_structure_hook(timedelta, _structure_timedelta)
converter.register_unstructure_hook(Birthday, _unstructure_birthday)
converter.register_structure_hook(Birthday, _structure_birthday)

#: The types with hooks of their own above (the rest are attrs records, enums, plain
#: JSON values and collections of them); row codecs call these hooks as they are.
LEAF_TYPES: frozenset[type] = frozenset({date, datetime, time, Decimal, timedelta, Birthday})


def unstructure(value: object) -> Any:
    """A domain value as plain dicts, lists and strings (JSON-ready)."""
    return converter.unstructure(value)


def structure(payload: Any, kind: type[T]) -> T:
    """Build a ``kind`` from plain data; errors name the record and the field.

    Raises :class:`~accountcare.errors.InvalidRecord` for data the domain rejects and
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
        inner = _domain_error(exc)
        if inner is not None:
            raise inner from exc
        record = _record(kind, payload)
        extra = _extra_keys(exc)
        if extra:
            raise InvalidRecord(record, extra[0], f"is not a field of {kind.__name__}") from exc
        problems = "; ".join(cattrs.transform_error(exc))
        raise InvalidRecord(record, _first_path(exc), problems) from exc
    except (TypeError, ValueError, KeyError) as exc:
        raise InvalidRecord(_record(kind, payload), "(payload)", str(exc)) from exc


def _record(kind: type, payload: Any) -> str:
    name = getattr(kind, "__name__", str(kind))
    key = payload.get("id") if isinstance(payload, dict) else None
    return f"{name} {key!r}" if isinstance(key, str) and key else name


def _extra_keys(exc: BaseException) -> list[str]:
    if isinstance(exc, cattrs.ForbiddenExtraKeysError):
        return sorted(exc.extra_fields)
    for child in getattr(exc, "exceptions", ()):
        found = _extra_keys(child)
        if found:
            return found
    return []


def _domain_error(exc: BaseException) -> InvalidRecord | None:
    if isinstance(exc, InvalidRecord):
        return exc
    for child in getattr(exc, "exceptions", ()):
        found = _domain_error(child)
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
    """Parse JSON into a ``kind``; see :func:`structure` for errors."""
    import json

    try:
        data = json.loads(payload)
    except ValueError as exc:
        raise InvalidRecord(kind.__name__, "(payload)", f"is not valid JSON: {exc}") from exc
    return structure(data, kind)
