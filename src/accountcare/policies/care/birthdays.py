"""Birthday occurrences inside a window, computed directly.

Expanding a yearly rule from the birth date replays every year since birth (it took
over 200 s for 100,000 contacts); here each year of the window is looked at once.
A 29 February birthday falls on 28 February in common years
([`LEAP_DAY_FALLBACK`][accountcare.domain.care_rules.LEAP_DAY_FALLBACK]), or on 1 March by choice:
[`celebrated_on`][accountcare.policies.care.birthdays.celebrated_on] is that rule. Lunar
birthdays (Chinese or Korean calendar) are converted per lunar year with the optional
``lunar`` extra: a lunar day 30 in a 29-day month falls on the month's last day, a
leap-month birthday in a year without that leap month on the ordinary month. A conversion
the tables cannot do raises [`ConfigurationError`][accountcare.errors.ConfigurationError],
never a skip.

>>> from datetime import date
>>> from accountcare.domain.contacts import Birthday
>>> birthday_occurrences(Birthday(2, 29, 1988), date(2026, 1, 1), date(2029, 1, 1))
(datetime.date(2026, 2, 28), datetime.date(2027, 2, 28), datetime.date(2028, 2, 29))
"""

from __future__ import annotations

import calendar
import functools
from datetime import date

from accountcare._imports import require
from accountcare.domain.care_rules import LEAP_DAY_FALLBACK
from accountcare.domain.contacts import Birthday, BirthdayCalendar
from accountcare.errors import ConfigurationError

__all__ = ["birthday_occurrences", "celebrated_on", "lunar_to_solar"]


def celebrated_on(
    year: int, month: int, day: int, leap_day: tuple[int, int] = LEAP_DAY_FALLBACK
) -> date:
    """The day a Gregorian birthday on ``month``/``day`` is celebrated in ``year``.

    ``leap_day`` is where 29 February goes in common years: ``(2, 28)`` or ``(3, 1)``.

    >>> celebrated_on(2027, 2, 29), celebrated_on(2027, 2, 29, (3, 1))
    (datetime.date(2027, 2, 28), datetime.date(2027, 3, 1))
    """
    if month == 2 and day == 29 and not calendar.isleap(year):
        return date(year, *leap_day)
    return date(year, month, day)


def birthday_occurrences(
    birthday: Birthday, start: date, end: date, leap_day: tuple[int, int] = LEAP_DAY_FALLBACK
) -> tuple[date, ...]:
    """The days in ``[start, end)`` the birthday is celebrated, in order (29 February
    on ``leap_day`` in common years, see
    [`celebrated_on`][accountcare.policies.care.birthdays.celebrated_on])."""
    if end <= start:
        return ()
    if birthday.calendar is not BirthdayCalendar.GREGORIAN:
        return _lunar_occurrences(birthday, start, end)
    found = (
        celebrated_on(year, birthday.month, birthday.day, leap_day)
        for year in range(start.year, end.year + 1)
    )
    return tuple(on for on in found if start <= on < end)


def _lunar_occurrences(birthday: Birthday, start: date, end: date) -> tuple[date, ...]:
    korean = birthday.calendar is BirthdayCalendar.KOREAN_LUNAR
    # A lunar year starts in late January or February: its days fall in Gregorian
    # ``year`` or ``year + 1``, so the lunar year before the window's first is looked at.
    found = (
        lunar_to_solar(year, birthday.month, birthday.day, birthday.leap, korean=korean)
        for year in range(start.year - 1, end.year + 1)
    )
    return tuple(on for on in found if start <= on < end)


@functools.lru_cache(maxsize=65536)
def lunar_to_solar(
    year: int, month: int, day: int, leap: bool = False, *, korean: bool = False
) -> date:
    """The Gregorian day of lunar ``year``/``month``/``day`` (Chinese or Korean tables).

    >>> lunar_to_solar(2027, 1, 1)  # Spring Festival in China
    datetime.date(2027, 2, 6)
    >>> lunar_to_solar(2027, 1, 1, korean=True)  # Seollal in Korea
    datetime.date(2027, 2, 7)
    """
    if korean:
        return _korean(year, month, day, leap)
    lunardate = require("lunardate", "lunar")
    if not 1900 <= year <= 2099:
        raise ConfigurationError(
            f"Chinese lunar dates are known for 1900-2099 only, not for lunar year {year}"
        )
    if leap and lunardate.LunarDate.leap_month_for_year(year) != month:
        leap = False
    for candidate in (day, 29) if day == 30 else (day,):
        try:
            found: date = lunardate.LunarDate(year, month, candidate, leap).to_solar_date()
            return found
        except ValueError:
            continue
    raise ConfigurationError(
        f"lunar {year}-{month:02d}-{day:02d} cannot be converted to a Gregorian date"
    )


def _korean(year: int, month: int, day: int, leap: bool) -> date:
    module = require("korean_lunar_calendar", "lunar")
    if not 1000 <= year <= 2050:
        raise ConfigurationError(
            f"Korean lunar dates are known for 1000-2050 only, not for lunar year {year}"
        )
    converter = module.KoreanLunarCalendar()
    for is_leap in (True, False) if leap else (False,):
        for candidate in (day, 29) if day == 30 else (day,):
            if converter.setLunarDate(year, month, candidate, is_leap):
                return date.fromisoformat(converter.SolarIsoFormat())
    raise ConfigurationError(
        f"Korean lunar {year}-{month:02d}-{day:02d} cannot be converted to a Gregorian date"
    )
