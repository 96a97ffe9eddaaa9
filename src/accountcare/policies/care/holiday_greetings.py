"""Which holidays matter to which country: the days a care schedule greets on.

Practitioners greet customers on the holidays of their own culture: Spring Festival,
Mid-Autumn, Seollal, Chuseok, New Year and the national days. :data:`GREETING_CATALOGUE`
lists them per country. A fixed day is its month and day (Thanksgiving the fourth
Thursday of November); a lunar festival is the day the ``holidays`` package lists under
its own name for that festival in that country, in the country's language (Korea's
calendar differs from China's: Seollal 2027 is 7 February, Spring Festival 6 February).
Each day counts only in a year where the package lists it as a public holiday of the
country, so the package stays the authority on what is a holiday where.

>>> [(d.on.isoformat(), d.key) for d in greeting_days("KR", 2027)][:2]
[('2027-01-01', 'new_year'), ('2027-02-07', 'lunar_new_year')]
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from types import MappingProxyType
from typing import NamedTuple

import holidays

from accountcare.domain.care_rules import ExtraHoliday
from accountcare.errors import ConfigurationError
from accountcare.policies.visits.workdays import public_holidays

__all__ = ["GREETING_CATALOGUE", "GreetingDay", "GreetingRule", "greeting_days"]


class GreetingDay(NamedTuple):
    """A day to greet on: the date, a stable key (template ``holiday.<key>``), a name."""

    on: date
    key: str
    name: str


class Fixed(NamedTuple):
    """The same month and day every year."""

    month: int
    day: int

    def day_in(self, country: str, year: int) -> date | None:
        return date(year, self.month, self.day)


class FourthThursday(NamedTuple):
    """The fourth Thursday of a month (Thanksgiving in November)."""

    month: int

    def day_in(self, country: str, year: int) -> date | None:
        first = date(year, self.month, 1)
        return first + timedelta(days=(3 - first.weekday()) % 7 + 21)


class Listed(NamedTuple):
    """The first day a country's holidays list under one of ``names`` in a year: the
    ``holidays`` package's own names, in that country's language. ``calendar_of`` names
    another country whose list holds the same festival every year (Hong Kong's list keeps
    only the day after Mid-Autumn, and drops it when it meets National Day; Taiwan's, on
    the same lunisolar calendar, lists the festival itself)."""

    names: tuple[str, ...]
    calendar_of: str | None = None

    def day_in(self, country: str, year: int) -> date | None:
        calendar = _in_own_language(self.calendar_of or country, year)
        found = [day for name in self.names for day in calendar.get_named(name, lookup="exact")]
        return min((day for day in found if day.year == year), default=None)


class GreetingRule(NamedTuple):
    """A day to greet on: its key, its name in greetings, and when it falls."""

    key: str
    name: str
    when: Fixed | FourthThursday | Listed


_NEW_YEAR = GreetingRule("new_year", "New Year", Fixed(1, 1))
_CHRISTMAS = GreetingRule("christmas", "Christmas", Fixed(12, 25))

# The days that matter per country. A country not listed greets on New Year and
# Christmas where they are public holidays, plus the user's own days.
GREETING_CATALOGUE: Mapping[str, tuple[GreetingRule, ...]] = MappingProxyType(
    {
        "CN": (
            _NEW_YEAR,
            GreetingRule("lunar_new_year", "Spring Festival", Listed(("春节",))),
            GreetingRule("mid_autumn", "Mid-Autumn Festival", Listed(("中秋节",))),
            GreetingRule("national_day", "National Day", Fixed(10, 1)),
        ),
        "KR": (
            _NEW_YEAR,
            # Seollal was the "folk day" (민속의 날) from 1985 to 1988.
            GreetingRule("lunar_new_year", "Seollal", Listed(("설날", "민속의 날"))),
            GreetingRule("independence_movement_day", "Independence Movement Day", Fixed(3, 1)),
            GreetingRule("liberation_day", "Liberation Day", Fixed(8, 15)),
            GreetingRule("mid_autumn", "Chuseok", Listed(("추석",))),
            GreetingRule("national_foundation_day", "National Foundation Day", Fixed(10, 3)),
            _CHRISTMAS,
        ),
        "TW": (
            _NEW_YEAR,
            GreetingRule("lunar_new_year", "Lunar New Year", Listed(("春節",))),
            GreetingRule("mid_autumn", "Mid-Autumn Festival", Listed(("中秋節",))),
            GreetingRule("national_day", "National Day", Fixed(10, 10)),
        ),
        "HK": (
            _NEW_YEAR,
            GreetingRule("lunar_new_year", "Lunar New Year", Listed(("農曆年初一",))),
            GreetingRule("mid_autumn", "Mid-Autumn Festival", Listed(("中秋節",), "TW")),
            _CHRISTMAS,
        ),
        "JP": (
            _NEW_YEAR,
            GreetingRule("national_foundation_day", "National Foundation Day", Fixed(2, 11)),
        ),
        "US": (
            _NEW_YEAR,
            GreetingRule("independence_day", "Independence Day", Fixed(7, 4)),
            GreetingRule("thanksgiving", "Thanksgiving", FourthThursday(11)),
            _CHRISTMAS,
        ),
        "DE": (
            _NEW_YEAR,
            GreetingRule("german_unity_day", "German Unity Day", Fixed(10, 3)),
            _CHRISTMAS,
        ),
    }
)
"""The days greeted per country, with the festival's name in greetings and how its day is
found."""
_DEFAULT_RULES: tuple[GreetingRule, ...] = (_NEW_YEAR, _CHRISTMAS)


@functools.lru_cache(maxsize=1024)
def _in_own_language(country: str, year: int) -> holidays.HolidayBase:
    """The country's holidays of ``year`` named in its own language (never in the
    language of the process's environment)."""
    language = holidays.country_holidays(country).default_language
    return holidays.country_holidays(country, years=year, language=language)


@functools.lru_cache(maxsize=4096)
def _package_days(country: str, year: int) -> tuple[GreetingDay, ...]:
    listed = public_holidays(country, None, date(year, 1, 1), date(year + 1, 1, 1))
    found = []
    for key, name, when in GREETING_CATALOGUE.get(country, _DEFAULT_RULES):
        day = when.day_in(country, year)
        # A listed festival is its own authority; a fixed day counts where it is a holiday.
        if day is not None and (isinstance(when, Listed) or day in listed):
            found.append(GreetingDay(day, key, name))
    return tuple(sorted(found))


def greeting_days(
    country: str, year: int, extra: Iterable[ExtraHoliday] = ()
) -> tuple[GreetingDay, ...]:
    """The days to greet contacts in ``country`` on in ``year``, in date order.

    An unknown country, or a year the package's tables do not cover (the Chinese
    lunisolar tables end in 2099), raises :class:`ConfigurationError` naming it.

    >>> [d.name for d in greeting_days("CN", 2027)]
    ['New Year', 'Spring Festival', 'Mid-Autumn Festival', 'National Day']
    """
    if not isinstance(country, str):
        raise ConfigurationError(f"a country code must be a string, got {country!r}")
    found = list(_package_days(country, year))
    for holiday in extra:
        if holiday.countries and country not in holiday.countries:
            continue
        day = holiday.on(year)
        if day is not None:
            found.append(GreetingDay(day, holiday.key, holiday.name))
    return tuple(sorted(set(found)))
