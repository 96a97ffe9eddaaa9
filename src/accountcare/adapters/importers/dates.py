"""Dates as contact exports write them.

Birthdays come as ``1988-02-29`` and ``19880229`` (ISO, vCard), ``--02-29`` and ``--0229``
(no year: Android, Google, vCard 4), ``1604-02-29`` with ``X-APPLE-OMIT-YEAR=1604`` (iOS,
no year), ``2/29/1988`` (Outlook, month first), ``29.02.1988`` (day first, European
exports) and ``1988-02-29T00:00:00Z`` (a date-time; the date is kept). Outlook writes
``0/0/00`` for "no birthday". Anything else is a problem, never a guess.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from accountcare.domain.contacts import Birthday
from accountcare.errors import InvalidRecord

__all__ = ["parse_birthday", "parse_day"]

_ISO = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})(?:T[0-9:.]*(?:Z|[+-]\d{2}:?\d{2})?)?$")
_NO_YEAR = re.compile(r"^--(\d{2})-?(\d{2})$")
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_SLASHED_ISO = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")
_EMPTY = frozenset({"", "0/0/00", "0/0/0000", "00/00/0000"})


def parse_birthday(text: str, omit_year: int | None = None) -> Birthday | None:
    """A :class:`Birthday` from an export's text; None when the export says "none".

    Raises ``ValueError`` with a problem in words for a value that is not a real day.

    >>> parse_birthday("--0229").isoformat(), parse_birthday("2/29/1988").isoformat()
    ('--02-29', '1988-02-29')
    >>> parse_birthday("1604-07-14", omit_year=1604).isoformat()
    '--07-14'
    >>> parse_birthday("2027-02-30")
    Traceback (most recent call last):
    ...
    ValueError: is not a real day: 30 does not exist in month 2
    """
    value = text.strip()
    if value in _EMPTY:
        return None
    found = _NO_YEAR.match(value)
    if found:
        return _birthday(None, int(found.group(1)), int(found.group(2)))
    year, month, day = _year_month_day(value)
    if omit_year is not None and year == omit_year:
        return _birthday(None, month, day)
    return _birthday(year, month, day)


def parse_day(text: str) -> date:
    """A calendar day (``2027-03-01``, ``20270301``, ``2027/3/1``, ``3/1/2027``).

    >>> parse_day("2027/3/1")
    datetime.date(2027, 3, 1)
    """
    year, month, day = _year_month_day(text.strip())
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise ValueError(f"is not a real day: {exc}") from exc


def _year_month_day(value: str) -> tuple[int, int, int]:
    forms = ((_ISO, "ymd"), (_SLASHED_ISO, "ymd"), (_SLASHED, "mdy"), (_DOTTED, "dmy"))
    for pattern, order in forms:
        found = pattern.match(value)
        if found:
            parts = dict(zip(order, (int(g) for g in found.groups()), strict=True))
            return parts["y"], parts["m"], parts["d"]
    raise ValueError(
        "is not a date in a known form (1988-02-29, 19880229, --02-29, 2/29/1988, 29.02.1988)"
    )


def _birthday(year: int | None, month: int, day: int) -> Birthday:
    if not 1 <= month <= 12:
        raise ValueError(f"is not a real day: month {month} does not exist")
    last = calendar.monthrange(year if year is not None else 2000, month)[1]
    if not 1 <= day <= last:
        raise ValueError(f"is not a real day: {day} does not exist in month {month}")
    try:
        return Birthday(month, day, year)
    except InvalidRecord as exc:
        raise ValueError(exc.problem) from exc
