"""Small named validators for domain values.

Each raises :class:`~accountcare.errors.InvalidRecord` naming the record (its class and
id) and the field, so a bad value is traced to its source at once. attrs runs validators
after every field is set, so the record's id is known when any of them fails.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from accountcare.domain.currency import ISO_4217
from accountcare.errors import InvalidRecord

Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]

#: The longest id any record may have, in characters: every store keeps ids of this
#: length whole (a MariaDB ``utf8mb4`` index holds 255 characters).
MAX_ID_LENGTH = 255


def as_tuple(values: Iterable[Any]) -> tuple[Any, ...]:
    """Converter for tuple fields: any iterable in, a tuple out (typed for mypy's attrs
    plugin, which cannot see through the bare ``tuple`` builtin)."""
    return tuple(values)


def record_label(instance: object) -> str:
    """``"Order 'o-17'"`` for a record with an id, else the class name."""
    name = type(instance).__name__
    for key in ("id", "account_id", "contact_id"):
        value = getattr(instance, key, None)
        if isinstance(value, str) and value:
            return f"{name} {value!r}"
    return name


def fail(instance: object, attribute: attrs.Attribute[Any], problem: str) -> InvalidRecord:
    return InvalidRecord(record_label(instance), attribute.name, problem)


def typed(kind: type | tuple[type, ...]) -> Validator:
    """Like ``attrs.validators.instance_of`` but raising :class:`InvalidRecord`.

    ``bool`` is never accepted where a number is expected.
    """

    bool_allowed = bool in _as_tuple(kind)

    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if isinstance(value, bool) and not bool_allowed:
            raise fail(instance, attribute, f"must be {_kind_name(kind)}, got a bool")
        if not isinstance(value, kind):
            raise fail(
                instance, attribute, f"must be {_kind_name(kind)}, got {type(value).__name__}"
            )

    return check


def a_kind(kind: type) -> str:
    """The kind's name with its article: ``"an Account"``, ``"a Contact"``.

    >>> a_kind(int), a_kind(OverflowError)
    ('an int', 'an OverflowError')
    """
    name = kind.__name__
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    return " or ".join(k.__name__ for k in _as_tuple(kind))


def optional(*validators: Validator) -> Validator:
    """Run ``validators`` in order unless the value is None."""

    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is not None:
            for validator in validators:
                validator(instance, attribute, value)

    return check


def each(validator: Validator) -> Validator:
    """Apply ``validator`` to each member of a tuple or frozenset field."""

    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        for member in value:
            validator(instance, attribute, member)

    return check


def non_empty(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """A non-blank string."""
    if not isinstance(value, str):
        raise fail(instance, attribute, f"must be a string, got {type(value).__name__}")
    if not value.strip():
        raise fail(instance, attribute, "must not be empty")


def aware(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """A timezone-aware datetime (naive datetimes are ambiguous and rejected)."""
    if not isinstance(value, datetime):
        raise fail(instance, attribute, f"must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise fail(instance, attribute, f"must be timezone-aware, got naive {value.isoformat()}")


def plain_date(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """A ``date`` that is not a ``datetime`` (a datetime would carry a hidden time)."""
    if not isinstance(value, date) or isinstance(value, datetime):
        raise fail(instance, attribute, f"must be a date, got {type(value).__name__}")


def finite_decimal(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """A finite ``Decimal`` (floats lose cents; NaN and infinity are never money)."""
    if not isinstance(value, Decimal):
        raise fail(instance, attribute, f"must be a Decimal, got {type(value).__name__}")
    if not value.is_finite():
        raise fail(instance, attribute, f"must be finite, got {value}")


def finite_number(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """A finite int, float or Decimal (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise fail(instance, attribute, f"must be a number, got {type(value).__name__}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise fail(instance, attribute, f"must be finite, got {value}")
    if isinstance(value, float) and not math.isfinite(value):
        raise fail(instance, attribute, f"must be finite, got {value}")


def not_negative(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value < 0:
        raise fail(instance, attribute, f"must not be negative, got {value}")


def positive(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value <= 0:
        raise fail(instance, attribute, f"must be positive, got {value}")


def between(low: float, high: float) -> Validator:
    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not low <= value <= high:
            raise fail(instance, attribute, f"must be between {low} and {high}, got {value}")

    return check


def birth_year(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """A plausible birth year (1900 and later: lunar tables and care make no sense before)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise fail(instance, attribute, f"must be an int, got {type(value).__name__}")
    if not 1900 <= value <= 9999:
        raise fail(instance, attribute, f"must be a year from 1900, got {value}")


def currency(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """An ISO 4217 currency code such as ``"CNY"``, ``"KRW"`` or ``"EUR"``."""
    if not isinstance(value, str) or value not in ISO_4217:
        raise fail(instance, attribute, f"must be an ISO 4217 currency code, got {value!r}")


_COUNTRY = re.compile(r"^[A-Z]{2}$")


# Every shape the pattern accepts, looked up before matching (a set lookup is a fraction
# of a regex match, and bulk imports check one code per contact).
_TWO_LETTERS = frozenset(a + b for a in string.ascii_uppercase for b in string.ascii_uppercase)


def country_code(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """An upper-case ISO 3166-1 alpha-2 code (checked for shape; calendars check support)."""
    if value.__class__ is str and value in _TWO_LETTERS:
        return
    if not isinstance(value, str) or not _COUNTRY.match(value):
        raise fail(instance, attribute, f"must be an ISO 3166 alpha-2 country code, got {value!r}")


def time_zone(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """An IANA time zone name known to ``zoneinfo`` (``"Asia/Shanghai"``)."""
    if not isinstance(value, str) or not value:
        raise fail(instance, attribute, f"must be an IANA time zone name, got {value!r}")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise fail(instance, attribute, f"names an unknown time zone {value!r}") from exc


def in_enum(enum_type: type) -> Validator:
    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, enum_type):
            raise fail(
                instance,
                attribute,
                f"must be {a_kind(enum_type)}, got {value!r}",
            )

    return check


def not_before(other_field: str) -> Validator:
    """The value is None or not earlier than the record's ``other_field``."""

    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        other = getattr(instance, other_field)
        if value is not None and other is not None and value < other:
            raise fail(instance, attribute, f"must not be before {other_field} ({other})")

    return check
