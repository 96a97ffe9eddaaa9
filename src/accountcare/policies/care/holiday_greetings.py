"""Which holidays matter to which country: the days a care schedule greets on.

DOMAIN.md section 5: greetings for Spring Festival, Mid-Autumn, Seollal, Chuseok, New
Year and national holidays. Holidays are identified by rule, not by their (translated,
version-dependent) names: a lunar festival is the date the ``holidays`` package's own
lunisolar calendar gives *for that country* (Korea's calendar differs from China's:
Seollal 2027 is 7 February, Spring Festival 6 February), a fixed day is its month and
day. Each candidate counts only in a year where the package lists it as a public holiday
of the country, so the package stays the authority on what is a holiday where.

>>> [(d.on.isoformat(), d.key) for d in greeting_days("KR", 2027)][:2]
[('2027-01-01', 'new_year'), ('2027-02-07', 'lunar_new_year')]
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import NamedTuple

import holidays

from accountcare.domain.care_rules import ExtraHoliday
from accountcare.errors import ConfigurationError
from accountcare.policies.visits.workdays import public_holidays

__all__ = ["GREETING_CATALOGUE", "GreetingDay", "greeting_days"]


class GreetingDay(NamedTuple):
    """A day to greet on: the date, a stable key (template ``holiday.<key>``), a name."""

    on: date
    key: str
    name: str


def _lunar_new_year(calendar: object, year: int) -> date | None:
    found: date | None = calendar.lunar_new_year_date(year)[0]  # type: ignore[attr-defined]
    return found


def _mid_autumn(calendar: object, year: int) -> date | None:
    found: date | None = calendar.mid_autumn_date(year)[0]  # type: ignore[attr-defined]
    return found


def _fixed(month: int, day: int) -> Callable[[object, int], date | None]:
    def rule(calendar: object, year: int) -> date | None:
        return date(year, month, day)

    return rule


def _thanksgiving(calendar: object, year: int) -> date | None:
    first = date(year, 11, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7 + 21)  # fourth Thursday


_Rule = tuple[str, str, Callable[[object, int], date | None]]

_NEW_YEAR: _Rule = ("new_year", "New Year", _fixed(1, 1))
_CHRISTMAS: _Rule = ("christmas", "Christmas", _fixed(12, 25))

# The days that matter per country (DOMAIN.md section 5). A country not listed greets
# on New Year and Christmas where they are public holidays, plus the user's own days.
GREETING_CATALOGUE: dict[str, tuple[_Rule, ...]] = {
    "CN": (
        _NEW_YEAR,
        ("lunar_new_year", "Spring Festival", _lunar_new_year),
        ("mid_autumn", "Mid-Autumn Festival", _mid_autumn),
        ("national_day", "National Day", _fixed(10, 1)),
    ),
    "KR": (
        _NEW_YEAR,
        ("lunar_new_year", "Seollal", _lunar_new_year),
        ("independence_movement_day", "Independence Movement Day", _fixed(3, 1)),
        ("liberation_day", "Liberation Day", _fixed(8, 15)),
        ("mid_autumn", "Chuseok", _mid_autumn),
        ("national_foundation_day", "National Foundation Day", _fixed(10, 3)),
        _CHRISTMAS,
    ),
    "TW": (
        _NEW_YEAR,
        ("lunar_new_year", "Lunar New Year", _lunar_new_year),
        ("mid_autumn", "Mid-Autumn Festival", _mid_autumn),
        ("national_day", "National Day", _fixed(10, 10)),
    ),
    "HK": (
        _NEW_YEAR,
        ("lunar_new_year", "Lunar New Year", _lunar_new_year),
        ("mid_autumn", "Mid-Autumn Festival", _mid_autumn),
        _CHRISTMAS,
    ),
    "JP": (_NEW_YEAR, ("national_foundation_day", "National Foundation Day", _fixed(2, 11))),
    "US": (
        _NEW_YEAR,
        ("independence_day", "Independence Day", _fixed(7, 4)),
        ("thanksgiving", "Thanksgiving", _thanksgiving),
        _CHRISTMAS,
    ),
    "DE": (_NEW_YEAR, ("german_unity_day", "German Unity Day", _fixed(10, 3)), _CHRISTMAS),
}
_DEFAULT_RULES: tuple[_Rule, ...] = (_NEW_YEAR, _CHRISTMAS)


@functools.lru_cache(maxsize=4096)
def _package_days(country: str, year: int) -> tuple[GreetingDay, ...]:
    listed = public_holidays(country, None, date(year, 1, 1), date(year + 1, 1, 1))
    calendar = getattr(holidays.country_holidays(country, years=year), "_chinese_calendar", None)
    found = []
    for key, name, rule in GREETING_CATALOGUE.get(country, _DEFAULT_RULES):
        if rule in (_lunar_new_year, _mid_autumn) and calendar is None:
            continue
        day = rule(calendar, year)
        if day is not None and day in listed:
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
