"""Working days of a rep in a window: weekdays, minus public holidays, minus leave.

Public holidays come from the ``holidays`` package for the calendar's country and
subdivision (it knows the lunar ones too: Spring Festival, Chuseok). Where a country
declares weekend make-up working days (China's 调休), those count as working days
unless the calendar says otherwise. Windows are half-open, ``[start, end)``.

>>> from datetime import date
>>> from accountcare.domain.calendars import WorkCalendar
>>> li = WorkCalendar("rep-li", "CN")
>>> days = working_days(li, date(2026, 9, 28), date(2026, 10, 12))
>>> [d.isoformat() for d in days]  # National Day week off; Saturday 10 October is worked
['2026-09-28', '2026-09-29', '2026-09-30', '2026-10-08', '2026-10-09', '2026-10-10']
"""

from __future__ import annotations

import functools
from datetime import date, timedelta

import holidays
from holidays.groups.chinese import ChineseCalendarHolidays

from accountcare.domain.calendars import WorkCalendar
from accountcare.errors import ConfigurationError

__all__ = ["check_window", "public_holidays", "supported_years", "working_days"]

# The Chinese lunisolar tables of the holidays package cover 1901-2099; outside them the
# package silently leaves the lunar festivals out, so such years are refused.
_LUNAR_LAST_YEAR = 2099


def check_window(start: date, end: date) -> None:
    """Raise [`ConfigurationError`][accountcare.errors.ConfigurationError] unless
    ``[start, end)`` is a real window."""
    if end < start:
        raise ConfigurationError(
            f"the window ends on {end.isoformat()}, before it starts on {start.isoformat()}"
        )


@functools.lru_cache(maxsize=512)
def _holiday_class(country: str, subdivision: str | None) -> type[holidays.HolidayBase]:
    supported = holidays.list_supported_countries()
    if country not in supported:
        raise ConfigurationError(
            f"unknown country {country!r}: the holidays package has no calendar for it"
        )
    if subdivision is not None and subdivision not in supported[country]:
        raise ConfigurationError(
            f"unknown subdivision {subdivision!r} of country {country!r}; "
            f"known ones: {', '.join(supported[country])}"
        )
    return type(holidays.country_holidays(country, subdiv=subdivision))


def supported_years(country: str, subdivision: str | None = None) -> tuple[int, int]:
    """The first and last year for which ``country``'s holidays are known.

    >>> supported_years("KR")
    (1948, 2099)
    """
    cls = _holiday_class(country, subdivision)
    last = int(cls.end_year)
    if issubclass(cls, ChineseCalendarHolidays):
        last = min(last, _LUNAR_LAST_YEAR)
    return int(cls.start_year), last


@functools.lru_cache(maxsize=1024)
def _year(
    country: str, subdivision: str | None, year: int
) -> tuple[dict[date, str], frozenset[date]]:
    first, last = supported_years(country, subdivision)
    if not first <= year <= last:
        where = country if subdivision is None else f"{country}-{subdivision}"
        raise ConfigurationError(
            f"public holidays of {where} are known for {first}-{last} only, "
            f"not for {year}: choose a window inside those years"
        )
    calendar = holidays.country_holidays(country, subdiv=subdivision, years=year)
    days = {day: str(name) for day, name in calendar.items()}
    make_up = frozenset(
        day for day in getattr(calendar, "weekend_workdays", ()) if day.year == year
    )
    return days, make_up


def _years(start: date, end: date) -> range:
    if end <= start:
        return range(0)
    return range(start.year, (end - timedelta(days=1)).year + 1)


def public_holidays(
    country: str, subdivision: str | None, start: date, end: date
) -> dict[date, str]:
    """Public holidays of ``country`` (and ``subdivision``) in ``[start, end)``, by name.

    An unknown country or subdivision, or a year the package does not cover, raises
    [`ConfigurationError`][accountcare.errors.ConfigurationError] naming it.

    >>> from datetime import date
    >>> public_holidays("DE", "BY", date(2026, 1, 1), date(2026, 1, 10))
    {datetime.date(2026, 1, 1): "New Year's Day", datetime.date(2026, 1, 6): 'Epiphany'}
    """
    check_window(start, end)
    found: dict[date, str] = {}
    for year in _years(start, end):
        days, _ = _year(country, subdivision, year)
        found.update((day, name) for day, name in days.items() if start <= day < end)
    return dict(sorted(found.items()))


def _make_up_days(country: str, subdivision: str | None, start: date, end: date) -> set[date]:
    found: set[date] = set()
    for year in _years(start, end):
        found.update(day for day in _year(country, subdivision, year)[1] if start <= day < end)
    return found


def working_days(calendar: WorkCalendar, start: date, end: date) -> tuple[date, ...]:
    """The rep's working days in ``[start, end)``, in order.

    A day is a working day when it is one of the calendar's working weekdays (or a
    declared make-up working day, when ``make_up_workdays``), is not a public holiday
    of the calendar's country and subdivision, and is not leave or a company day off.
    The calendar's country and subdivision are checked even for an empty window.
    """
    check_window(start, end)
    _holiday_class(calendar.country, calendar.subdivision)
    if end == start:
        return ()
    off = set(public_holidays(calendar.country, calendar.subdivision, start, end))
    off |= calendar.days_off()
    extra = (
        _make_up_days(calendar.country, calendar.subdivision, start, end)
        if calendar.make_up_workdays
        else set()
    )
    weekdays = calendar.working_weekdays
    window = (start + timedelta(days=n) for n in range((end - start).days))
    return tuple(d for d in window if (d.weekday() in weekdays or d in extra) and d not in off)
