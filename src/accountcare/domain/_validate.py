"""Small named validators for domain values.

Each raises [`InvalidRecord`][accountcare.errors.InvalidRecord] naming the record (its class and
id) and the field, so a bad value is traced to its source at once. attrs runs validators
after every field is set, so the record's id is known when any of them fails.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Context, Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from accountcare.domain.currency import ISO_4217
from accountcare.errors import InvalidRecord

Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]

MAX_ID_LENGTH = 255
"""The longest id any record may have, in characters: every store keeps ids of this
length whole (a MariaDB ``utf8mb4`` index holds 255 characters)."""

MAX_AMOUNT = Decimal("1e15")
"""The largest money amount (in absolute value) one order or one margin may carry, in
the units of its currency: a thousand trillion, beyond any real order in any currency,
and far enough inside what every policy computes with (sums of millions of such
amounts, floats, the default decimal context) that none of them can overflow."""

MAX_AMOUNT_PLACES = 6
"""The most decimal places a money amount may have (micro-units: enough for prices per
unit in any currency, and it keeps every amount within 21 significant digits)."""

MAX_TOTAL = Decimal("1e24")
"""The largest total (in absolute value) a computed figure such as an account's revenue
may reach: a billion orders of [`MAX_AMOUNT`][accountcare.domain.MAX_AMOUNT] each."""

# One pattern per kind of text field, searched at C speed (bulk imports check several
# fields per contact). Ids and single-line texts refuse every control character: C0
# (tab, line feed and carriage return included), DEL and C1, and the Unicode line and
# paragraph separators, since any of them can end a line in a file, a header or a log
# we write. Multi-line free text keeps line feed and tab and refuses the rest.
_LINE_BREAKERS = "\x00-\x1f\x7f-\x9f\u2028\u2029"
_NOT_IN_A_LINE = re.compile(f"[{_LINE_BREAKERS}]")
_NOT_IN_AN_ID = _NOT_IN_A_LINE
_NOT_IN_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BREAKER_RUNS = re.compile(f"[{_LINE_BREAKERS} ]*[{_LINE_BREAKERS}][{_LINE_BREAKERS} ]*")


def one_line(text: str) -> str:
    r"""``text`` as one clean line, the way a one-line field must be: each run of the
    characters such a field refuses (C0, C1, DEL, line and paragraph separators), with
    the spaces around it, becomes one space, and a cleaned text is stripped of spaces at
    its ends. Text without them comes back as it is (the same object), so
    ``one_line(s) is not s`` tells that something was cleaned. Other spaces, U+3000 (the
    ideographic space) included, stay.

    >>> one_line("Ann\x0bLee "), one_line("王\u3000伟"), one_line(" \r\nAcme \tTrading\n")
    ('Ann Lee', '王\u3000伟', 'Acme Trading')
    """
    if _NOT_IN_A_LINE.search(text) is None:
        return text
    return _BREAKER_RUNS.sub(" ", text).strip(" ")


def as_tuple(values: Iterable[Any]) -> tuple[Any, ...]:
    """Converter for tuple fields: any iterable in, a tuple out (typed for mypy's attrs
    plugin, which cannot see through the bare ``tuple`` builtin)."""
    return tuple(values)


def record_label(instance: object) -> str:
    """``"Order 'o-17'"`` for a record with an id, else the class name.

    The id is quoted with its control characters escaped, so the label is one line; an
    id too long to be one is cut short and marked.

    >>> from accountcare.domain import Account
    >>> record_label(Account(id="acme", name="Acme"))
    "Account 'acme'"
    """
    name = type(instance).__name__
    for key in ("id", "account_id", "contact_id"):
        value = getattr(instance, key, None)
        if isinstance(value, str) and value:
            return f"{name} {shown(value)}"
    return name


def shown(value: str, limit: int = 80) -> str:
    r"""``value`` quoted for an error message: one line, at most about ``limit`` characters.

    >>> print(shown("acme\rATTENDEE"))
    'acme\rATTENDEE'
    >>> print(shown("x" * 300, limit=10))
    'xxxxxxxxxx'... (300 characters)
    """
    if len(value) <= limit:
        return repr(value)
    return f"{value[:limit]!r}... ({len(value)} characters)"


def fail(instance: object, attribute: attrs.Attribute[Any], problem: str) -> InvalidRecord:
    return InvalidRecord(record_label(instance), attribute.name, problem)


def typed(kind: type | tuple[type, ...]) -> Validator:
    """Like ``attrs.validators.instance_of`` but raising
    [`InvalidRecord`][accountcare.errors.InvalidRecord].

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


def _found(value: str, match: re.Match[str]) -> str:
    at = match.start()
    return f"U+{ord(match.group()):04X} at position {at + 1} of {len(value)}"


def an_id(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    r"""A record id, or a field naming one: not blank, at most
    [`MAX_ID_LENGTH`][accountcare.domain.MAX_ID_LENGTH] characters, and no control
    character (C0, DEL, C1) or line or paragraph separator. Any script is welcome.

    >>> from accountcare.domain import Account
    >>> Account(id="客户-001", name="Acme").id
    '客户-001'
    >>> Account(id="acme\rATTENDEE:mailto:evil@example.com", name="Acme")
    Traceback (most recent call last):
    ...
    accountcare.errors.InvalidRecord: Account 'acme\rATTENDEE:mailto:evil@example.com': field 'id' must not contain control characters or line breaks, found U+000D at position 5 of 37
    """  # noqa: E501
    if value.__class__ is str and 0 < len(value) <= MAX_ID_LENGTH:
        found = _NOT_IN_AN_ID.search(value)
        if found is None and not value.isspace():
            return
    non_empty(instance, attribute, value)
    if len(value) > MAX_ID_LENGTH:
        raise fail(
            instance,
            attribute,
            f"must be at most {MAX_ID_LENGTH} characters long, got {len(value)}",
        )
    found = _NOT_IN_AN_ID.search(value)
    if found is not None:
        problem = "must not contain control characters or line breaks"
        raise fail(instance, attribute, f"{problem}, found {_found(value, found)}")


def a_line(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    r"""A single line of text (a name, a title, an address line), empty allowed: no
    control character (tab and line breaks included) and no line or paragraph separator.
    Every printable script, the ideographic space, full-width forms, emoji, combining
    marks and Hangul jamo are welcome.

    >>> from accountcare.domain import Account
    >>> Account(id="acme", name="株式会社\u3000ＡＣＭＥ 🚀").name
    '株式会社\u3000ＡＣＭＥ 🚀'
    >>> Account(id="acme", name="Acme\nTrading")
    Traceback (most recent call last):
    ...
    accountcare.errors.InvalidRecord: Account 'acme': field 'name' must be one line without control characters, found U+000A at position 5 of 12
    """  # noqa: E501
    if value.__class__ is str:
        found = _NOT_IN_A_LINE.search(value)
        if found is None:
            return
        problem = "must be one line without control characters"
        raise fail(instance, attribute, f"{problem}, found {_found(value, found)}")
    if not isinstance(value, str):
        raise fail(instance, attribute, f"must be a string, got {type(value).__name__}")
    a_line(instance, attribute, str(value))  # a str subclass: check its characters


def a_name(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """A non-blank single line of text (see [`a_line`][accountcare.domain._validate.a_line])."""
    a_line(instance, attribute, value)
    if value.isspace() or not value:
        raise fail(instance, attribute, "must not be empty")


def a_text(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    r"""Free text of any length (a note, a message body): line feeds and tabs are kept,
    every other control character (carriage return included) is refused.

    >>> from datetime import UTC, datetime
    >>> from accountcare.domain import AccountNote
    >>> AccountNote(datetime(2026, 5, 4, tzinfo=UTC), "rep-li", "Met Wang.\n\tOrder due.").text
    'Met Wang.\n\tOrder due.'
    """
    if value.__class__ is str:
        found = _NOT_IN_TEXT.search(value)
        if found is None:
            return
        problem = "must not contain control characters other than line feed and tab"
        raise fail(instance, attribute, f"{problem}, found {_found(value, found)}")
    if not isinstance(value, str):
        raise fail(instance, attribute, f"must be a string, got {type(value).__name__}")
    a_text(instance, attribute, str(value))


def amount(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """A money amount: a finite ``Decimal`` of at most
    [`MAX_AMOUNT`][accountcare.domain.MAX_AMOUNT] in absolute value, with at most
    [`MAX_AMOUNT_PLACES`][accountcare.domain.MAX_AMOUNT_PLACES] decimal places (trailing
    zeros, as ERP exports write them, do not count).

    >>> from datetime import date
    >>> from decimal import Decimal
    >>> from accountcare.domain import Order
    >>> Order("o-1", "acme", date(2026, 5, 4), Decimal("1E+999999999"))
    Traceback (most recent call last):
    ...
    accountcare.errors.InvalidRecord: Order 'o-1': field 'amount' must be at most 1E+15 in absolute value, got 1E+999999999
    >>> Order("o-1", "acme", date(2026, 5, 4), Decimal("12.3400000")).amount
    Decimal('12.3400000')
    """  # noqa: E501
    finite_decimal(instance, attribute, value)
    problem = decimal_problem(value, MAX_AMOUNT, MAX_AMOUNT_PLACES)
    if problem is not None:
        raise fail(instance, attribute, problem)


def total(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """A computed money figure (a sum, an average): a finite ``Decimal`` of at most
    [`MAX_TOTAL`][accountcare.domain.MAX_TOTAL] in absolute value."""
    finite_decimal(instance, attribute, value)
    problem = decimal_problem(value, MAX_TOTAL)
    if problem is not None:
        raise fail(instance, attribute, problem)


def decimal_problem(value: Decimal, limit: Decimal, places: int | None = None) -> str | None:
    """What makes the finite ``value`` more than ``limit`` in absolute value or, with
    ``places``, give it more decimal places than that (trailing zeros do not count);
    None when nothing does. The one statement of the range of money, used by the domain's
    validators and by the tier policies' exact arithmetic.

    >>> decimal_problem(Decimal("12.3400000"), MAX_AMOUNT, 6) is None
    True
    >>> decimal_problem(Decimal("0.0000001"), MAX_AMOUNT, 6)
    'must have at most 6 decimal places, got 1E-7'
    """
    if value.copy_abs() > limit:  # copy_abs, unlike abs(), never rounds nor overflows
        return f"must be at most {limit} in absolute value, got {_short(value)}"
    exponent = value.as_tuple().exponent
    if places is not None and isinstance(exponent, int) and exponent < -places:
        # Within the limit, a context of this precision quantizes exactly.
        exact = Context(prec=limit.adjusted() + places + 2)
        if value != value.quantize(Decimal(1).scaleb(-places), context=exact):
            return f"must have at most {places} decimal places, got {_short(value)}"
    return None


def _short(value: Decimal) -> str:
    text = str(value)
    return text if len(text) <= 40 else f"{text[:20]}...{text[-10:]} ({len(text)} characters)"


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
