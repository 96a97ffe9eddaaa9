"""Dates as contact exports and ERP systems write them.

Birthdays come as ``1988-02-29`` and ``19880229`` (ISO, vCard), ``--02-29`` and ``--0229``
(no year: Android, Google, vCard 4), ``1604-02-29`` with ``X-APPLE-OMIT-YEAR=1604`` (iOS,
no year), ``1988-02-29T00:00:00Z`` (a date-time; the date is kept), in the Chinese and
Korean forms ``1988年2月29日``, ``1988년 2월 29일``, ``1988. 2. 29.`` and their year-less
``2月29日`` and ``2월 29일``, year first with any separator (``1988-2-29``, ``1988/2/29``,
``1988.2.29``), and year last (``2/29/1988``, ``29.02.1988``). Full-width digits
(``１９８８年２月２９日``) are read as digits. Outlook writes ``0/0/00`` for "no birthday".

Year last is where day and month can swap: ``13/03/1980`` and ``3/13/1980`` can only be
read one way and are, but ``02/03/1980`` is 2 March in Europe and 3 February in the US,
so it is a problem asking for the date order, never a guess, unless the import gives one
(``"DMY"``, ``"MDY"`` or ``"YMD"``; then every year-last date is read in that order and a
value that does not fit it is a problem). Dotted year-last dates (``02.03.1980``) are day
first wherever they are written, and are read so unless the import says otherwise.

Lunar birthdays (`parse_lunar`) are written with digits (``1980-04-15``,
``4月15日``, ``--0415``) or in Chinese (``四月十五``, ``正月初一``, ``腊月廿三``), a leap
month marked ``闰``/``閏``/``윤`` (``闰4月15日``, ``윤4월 15일``), and in the form iOS writes
for ``X-ALTBDAY;CALSCALE=chinese`` (``007800021101``: cycle 78, year 2 of it, month 11,
day 1, which is the lunar year 1985; a leap month marked ``L``).
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from accountcare.domain.contacts import Birthday, BirthdayCalendar
from accountcare.errors import InvalidRecord

__all__ = ["AMBIGUOUS", "DATE_ORDERS", "parse_birthday", "parse_day", "parse_lunar"]

#: The date orders an import may give for dates written with the year last.
DATE_ORDERS = ("DMY", "MDY", "YMD")

_ISO = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})(?:T[0-9:.]*(?:Z|[+-]\d{2}:?\d{2})?)?$")
_NO_YEAR = re.compile(r"^--(\d{2})-?(\d{2})$")
_CJK = re.compile(r"^(?:(\d{4})\s*[年년]\s*)?(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일号號]?$")
_YEAR_FIRST = re.compile(r"^(\d{4})\s*([./-])\s*(\d{1,2})\s*\2\s*(\d{1,2})\s*\.?$")
_YEAR_LAST = re.compile(r"^(\d{1,2})\s*([./-])\s*(\d{1,2})\s*\2\s*(\d{4})$")
_EMPTY = frozenset({"", "0/0/00", "0/0/0000", "00/00/0000"})
# Full-width digits and the punctuation dates are written with, as ASCII.
_NARROW = str.maketrans(
    {**{chr(0xFF10 + d): str(d) for d in range(10)}, "\uff0f": "/", "\uff0e": ".",
     "\uff0d": "-", "\u3000": " "}
)  # fmt: skip
_FORMS = "1988-02-29, 19880229, --02-29, 1988年2月29日, 1988년 2월 29일, 1988. 2. 29., 2/29/1988"

#: The problem of a year-last date whose day and month could be either.
AMBIGUOUS = "could be day/month or month/day: give the date order (DMY, MDY or YMD)"


def parse_birthday(
    text: str, omit_year: int | None = None, order: str | None = None
) -> Birthday | None:
    """A [`Birthday`][accountcare.domain.contacts.Birthday] from an export's text; None
    when the export says "none".

    Raises ``ValueError`` with a problem in words for a value that is not a real day, or
    whose day and month could be swapped and ``order`` does not say which is which.

    >>> parse_birthday("--0229").isoformat(), parse_birthday("2/29/1988").isoformat()
    ('--02-29', '1988-02-29')
    >>> parse_birthday("1980年3月2日").isoformat(), parse_birthday("3월 2일").isoformat()
    ('1980-03-02', '--03-02')
    >>> parse_birthday("02/03/1980", order="DMY").isoformat()
    '1980-03-02'
    >>> parse_birthday("1604-07-14", omit_year=1604).isoformat()
    '--07-14'
    >>> parse_birthday("02/03/1980")
    Traceback (most recent call last):
    ...
    ValueError: could be day/month or month/day: give the date order (DMY, MDY or YMD)
    """
    value = text.strip()
    if value in _EMPTY:
        return None
    year, month, day = _year_month_day(value, order, year_needed=False)
    if omit_year is not None and year == omit_year:
        year = None
    return _birthday(year, month, day)


def parse_day(text: str, order: str | None = None) -> date:
    """A calendar day (``2027-03-01``, ``20270301``, ``2027/3/1``, ``2027年3月1日``,
    ``3/13/2027``; ``3/1/2027`` only with an ``order``).

    >>> parse_day("2027/3/1"), parse_day("01/03/2027", order="DMY")
    (datetime.date(2027, 3, 1), datetime.date(2027, 3, 1))
    """
    year, month, day = _year_month_day(text.strip(), order, year_needed=True)
    if year is None:
        raise ValueError("has no year")
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise ValueError(f"is not a real day: {exc}") from exc


def _year_month_day(
    value: str, order: str | None, *, year_needed: bool
) -> tuple[int | None, int, int]:
    value = value.translate(_NARROW)
    for pattern, groups in ((_ISO, (1, 2, 3)), (_YEAR_FIRST, (1, 3, 4))):
        found = pattern.match(value)
        if found:
            year, month, day = map(int, found.group(*groups))
            return year, month, day
    found = _CJK.match(value)
    if found and (found.group(1) or not year_needed):
        year_text = found.group(1)
        return (int(year_text) if year_text else None), int(found.group(2)), int(found.group(3))
    found = _NO_YEAR.match(value)
    if found and not year_needed:
        return None, int(found.group(1)), int(found.group(2))
    found = _YEAR_LAST.match(value)
    if found:
        first, second, year = int(found.group(1)), int(found.group(3)), int(found.group(4))
        if order in ("DMY", "MDY"):
            return (year, second, first) if order == "DMY" else (year, first, second)
        if found.group(2) == "." and order is None:
            return year, second, first  # dotted: day first
        if order == "YMD":
            raise ValueError("is written with the year last, not in the date order YMD")
        if first > 12 or second > 12 or first == second:
            return (year, second, first) if first > 12 else (year, first, second)
        raise ValueError(AMBIGUOUS)
    raise ValueError(f"is not a date in a known form ({_FORMS})")


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


_LEAP = re.compile(r"^(?:闰|閏|윤|\(윤\)|leap\s*)", re.IGNORECASE)
_LUNAR_WORDS = re.compile(r"^(?:农历|農曆|农暦|阴历|陰曆|음력|\(음\)|lunar\s*)", re.IGNORECASE)
_IOS_LUNAR = re.compile(r"^(\d{4})(\d{4})(L?)(\d{2})(L?)(\d{2})$", re.IGNORECASE)
_NUMERALS = {c: n for n, c in enumerate("〇一二三四五六七八九十", start=0)}
_MONTH_NAMES = {"正": 1, "冬": 11, "腊": 12, "臘": 12}
_HANZI = re.compile(
    r"^(?:(\d{4})\s*年\s*)?(闰|閏)?([正冬腊臘一二三四五六七八九十]{1,3})月\s*([初十廿卅一二三四五六七八九]{2,3})日?$"
)


def _hanzi_number(text: str) -> int | None:
    """一 .. 三十 and the day words 初一 .. 初十, 廿一, 卅 (None for anything else)."""
    text = text.removeprefix("初")
    if text == "卅":
        return 30
    if text[:1] == "廿":  # 廿 is 二十
        text = "二十" + text[1:]
    elif text[:1] == "十" and len(text) <= 2:  # 十 and 十五 are 一十 and 一十五
        text = "一" + text
    tens, units = text[:1], text[2:]
    if text[1:2] == "十" and tens in _NUMERALS and (units in _NUMERALS or not units):
        return _NUMERALS[tens] * 10 + _NUMERALS.get(units, 0)
    return _NUMERALS.get(text)


def parse_lunar(text: str, calendar: BirthdayCalendar) -> Birthday | None:
    """A lunar birthday in ``calendar`` from the text of an export; None for an empty one.

    Raises ``ValueError`` with a problem in words for a value that is no lunar day.

    >>> chinese = BirthdayCalendar.CHINESE_LUNAR
    >>> b = parse_lunar("闰4月15日", chinese)
    >>> (b.month, b.day, b.year, b.leap)
    (4, 15, None, True)
    >>> b = parse_lunar("腊月廿三", chinese)
    >>> (b.month, b.day)
    (12, 23)
    >>> b = parse_lunar("007800021101", chinese)
    >>> (b.year, b.month, b.day, b.leap)
    (1985, 11, 1, False)
    >>> parse_lunar("음력 윤4월 15일", BirthdayCalendar.KOREAN_LUNAR).leap
    True
    """
    value = text.strip().translate(_NARROW)
    if not value:
        return None
    value = _LUNAR_WORDS.sub("", value).strip()
    found = _IOS_LUNAR.match(value)
    if found:
        cycle, in_cycle = int(found.group(1)), int(found.group(2))
        leap = bool(found.group(3) or found.group(5))
        year = 60 * (cycle - 1) + in_cycle - 2637 if cycle and in_cycle else None
        return _lunar(year, int(found.group(4)), int(found.group(6)), leap, calendar)
    found = _HANZI.match(value)
    if found:
        month_text = found.group(3)
        month = _MONTH_NAMES.get(month_text) or _hanzi_number(month_text)
        day = _hanzi_number(found.group(4))
        if month is None or day is None:
            raise ValueError("is not a lunar day (月 and 日 in Chinese numerals: 四月十五)")
        year = int(found.group(1)) if found.group(1) else None
        return _lunar(year, month, day, bool(found.group(2)), calendar)
    leap = False
    marked = _LEAP.match(value)
    if marked is None:
        # a leap mark may follow the year: 1980年闰4月15日, 1980년 윤4월 15일
        parts = re.match(r"^(\d{4}\s*[年년]\s*)(闰|閏|윤)(.*)$", value)
        if parts:
            value, leap = parts.group(1) + parts.group(3), True
    else:
        value, leap = value[marked.end() :].strip(), True
    try:
        year, month, day = _year_month_day(value, "YMD", year_needed=False)
    except ValueError:
        raise ValueError(
            "is not a lunar day in a known form (1980-04-15, --0415, 4月15日, 闰4月15日, "
            "四月十五, 윤4월 15일)"
        ) from None
    return _lunar(year, month, day, leap, calendar)


def _lunar(
    year: int | None, month: int, day: int, leap: bool, calendar: BirthdayCalendar
) -> Birthday:
    if not 1 <= month <= 12:
        raise ValueError(f"is not a lunar day: month {month} does not exist")
    if not 1 <= day <= 30:
        raise ValueError(f"is not a lunar day: a lunar month has no day {day}")
    try:
        return Birthday(month, day, year, calendar=calendar, leap=leap)
    except InvalidRecord as exc:
        raise ValueError(exc.problem) from exc
