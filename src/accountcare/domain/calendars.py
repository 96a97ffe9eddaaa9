"""Work calendars: when a rep can visit, and how many visits a day or week holds.

A rep's time is finite: a visit plan must fit each rep's capacity and working days. A
[`WorkCalendar`][accountcare.domain.calendars.WorkCalendar] is a value; which days it makes
working days (weekdays minus public holidays of its country and subdivision, minus leave) is
decided by [`accountcare.policies.visits.workdays`][accountcare.policies.visits.workdays],
which reads the ``holidays`` package.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import attrs

from accountcare.domain import _validate as v

__all__ = ["MONDAY_TO_FRIDAY", "WorkCalendar"]

# The usual office week (weekday numbers as in ``date.weekday()``: Monday is 0).
MONDAY_TO_FRIDAY: frozenset[int] = frozenset(range(5))
"""The working week a rep's calendar has unless told otherwise (weekday numbers, Monday 0)."""


def _weekdays(values: Iterable[int]) -> frozenset[int]:
    return frozenset(values)


def _dates(values: Iterable[date]) -> frozenset[date]:
    return frozenset(values)


def _some_weekday(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not value:
        raise v.fail(instance, attribute, "must name at least one working weekday (0=Mon..6=Sun)")
    for day in value:
        if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 6:
            raise v.fail(instance, attribute, f"must hold weekday numbers 0..6, got {day!r}")


def _subdivision(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str) or not value.strip():
        raise v.fail(instance, attribute, f"must be a subdivision code or None, got {value!r}")
    v.a_line(instance, attribute, value)


@attrs.frozen
class WorkCalendar:
    """One rep's working time.

    ``working_weekdays`` are weekday numbers (Monday 0 .. Sunday 6). ``country`` and
    ``subdivision`` (ISO 3166-2 suffix, e.g. ``"BY"`` for Bavaria) select the public
    holidays; ``leave`` are the rep's personal days off and ``extra_days_off`` company
    days off. ``make_up_workdays`` keeps the weekend days a country declares working days
    (China's 调休 around Spring Festival and National Day). ``visits_per_day`` is the
    day capacity; ``weekly_cap`` an optional ceiling per ISO week.

    >>> from datetime import date
    >>> cal = WorkCalendar("rep-li", country="CN", visits_per_day=3,
    ...                    leave={date(2027, 3, 1)})
    >>> cal.id, sorted(cal.working_weekdays), cal.weekly_cap
    ('rep-li', [0, 1, 2, 3, 4], None)
    """

    rep_id: str = attrs.field(validator=v.an_id)
    country: str = attrs.field(validator=v.country_code)
    subdivision: str | None = attrs.field(default=None, validator=v.optional(_subdivision))
    working_weekdays: frozenset[int] = attrs.field(
        default=MONDAY_TO_FRIDAY, converter=_weekdays, validator=_some_weekday
    )
    leave: frozenset[date] = attrs.field(
        default=frozenset(), converter=_dates, validator=v.each(v.plain_date)
    )
    extra_days_off: frozenset[date] = attrs.field(
        default=frozenset(), converter=_dates, validator=v.each(v.plain_date)
    )
    visits_per_day: int = attrs.field(default=4, validator=[v.typed(int), v.positive])
    weekly_cap: int | None = attrs.field(
        default=None, validator=v.optional(v.typed(int), v.positive)
    )
    make_up_workdays: bool = attrs.field(default=True, validator=v.typed(bool))

    @property
    def id(self) -> str:
        """The rep's id (names the calendar in errors)."""
        return self.rep_id

    def days_off(self) -> frozenset[date]:
        """Leave and company days off together (public holidays come from the policy)."""
        return self.leave | self.extra_days_off
