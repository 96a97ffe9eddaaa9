"""Work calendars on real calendars, bad input, and the laws of working days."""

from __future__ import annotations

from datetime import date, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from accountcare.domain.calendars import WorkCalendar
from accountcare.errors import ConfigurationError, InvalidRecord
from accountcare.policies.visits.workdays import (
    public_holidays,
    supported_years,
    working_days,
)
from accountcare.testing.visits import work_calendars


def days(first: str, last: str) -> list[date]:
    """Every day from ``first`` to ``last`` inclusive."""
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


# Independent source for the lunar festivals: the Hong Kong Observatory's
# Gregorian-Lunar calendar conversion tables (Chinese New Year), and the Korea Astronomy
# and Space Science Institute's lunar calendar (Chuseok, 15th day of the 8th month).
SPRING_FESTIVAL = {2026: date(2026, 2, 17), 2027: date(2027, 2, 6), 2028: date(2028, 1, 26)}
CHUSEOK = {2026: date(2026, 9, 25), 2027: date(2027, 9, 15), 2028: date(2028, 10, 3)}


@pytest.mark.parametrize(("year", "festival"), sorted(SPRING_FESTIVAL.items()))
def test_cn_rep_does_not_work_on_spring_festival(year: int, festival: date) -> None:
    li = WorkCalendar("rep-li", "CN", working_weekdays=range(7))
    worked = working_days(li, festival - timedelta(days=10), festival + timedelta(days=10))
    assert festival not in worked
    assert festival + timedelta(days=1) not in worked
    assert festival - timedelta(days=10) in worked


def test_cn_rep_around_spring_festival_2027() -> None:
    li = WorkCalendar("rep-li", "CN")
    worked = working_days(li, date(2027, 2, 1), date(2027, 2, 15))
    # Spring Festival is 6 February 2027 (Saturday); the package gives 5-10 February off
    assert [d.isoformat() for d in worked] == [
        "2027-02-01",
        "2027-02-02",
        "2027-02-03",
        "2027-02-04",
        "2027-02-11",
        "2027-02-12",
    ]


def test_cn_rep_around_national_day_works_the_make_up_saturday() -> None:
    li = WorkCalendar("rep-li", "CN")
    worked = set(working_days(li, date(2026, 9, 14), date(2026, 10, 12)))
    assert not worked & set(days("2026-10-01", "2026-10-07"))
    # the State Council's make-up working days for National Day 2026
    assert date(2026, 9, 20) in worked  # a Sunday
    assert date(2026, 10, 10) in worked  # a Saturday
    strict = attrs.evolve(li, make_up_workdays=False)
    assert date(2026, 10, 10) not in working_days(strict, date(2026, 10, 1), date(2026, 10, 12))


@pytest.mark.parametrize(("year", "chuseok"), sorted(CHUSEOK.items()))
def test_kr_rep_does_not_work_on_chuseok(year: int, chuseok: date) -> None:
    kim = WorkCalendar("rep-kim", "KR", working_weekdays=range(7))
    worked = working_days(kim, chuseok - timedelta(days=3), chuseok + timedelta(days=3))
    for off in (chuseok - timedelta(days=1), chuseok, chuseok + timedelta(days=1)):
        assert off not in worked


def test_kr_rep_around_chuseok_2026() -> None:
    kim = WorkCalendar("rep-kim", "KR")
    worked = working_days(kim, date(2026, 9, 21), date(2026, 10, 10))
    assert [d.isoformat() for d in worked] == [
        "2026-09-21",
        "2026-09-22",
        "2026-09-23",
        # 24-26 September: Chuseok; 3 October National Foundation Day (a Saturday)
        # moves to Monday 5 October
        "2026-09-28",
        "2026-09-29",
        "2026-09-30",
        "2026-10-01",
        "2026-10-02",
        "2026-10-06",
        "2026-10-07",
        "2026-10-08",
        # 9 October: Hangul Day
    ]


def test_bavarian_rep_has_epiphany_and_corpus_christi_off() -> None:
    munich = WorkCalendar("rep-huber", "DE", "BY")
    berlin = WorkCalendar("rep-schulz", "DE", "BE")
    for holiday in (date(2026, 1, 6), date(2026, 6, 4)):
        assert holiday not in working_days(munich, holiday, holiday + timedelta(days=1))
        assert holiday in working_days(berlin, holiday, holiday + timedelta(days=1))
    assert public_holidays("DE", "BY", date(2026, 1, 6), date(2026, 1, 7)) == {
        date(2026, 1, 6): "Epiphany"
    }


def test_leave_and_company_days_off_are_not_working_days() -> None:
    rep = WorkCalendar(
        "rep-li", "CN", leave={date(2026, 11, 3)}, extra_days_off=[date(2026, 11, 4)]
    )
    worked = working_days(rep, date(2026, 11, 2), date(2026, 11, 7))
    assert worked == (date(2026, 11, 2), date(2026, 11, 5), date(2026, 11, 6))


def test_an_empty_window_has_no_working_days_but_still_checks_the_country() -> None:
    assert working_days(WorkCalendar("r", "CN"), date(2026, 1, 5), date(2026, 1, 5)) == ()
    with pytest.raises(ConfigurationError, match="'XX'"):
        working_days(WorkCalendar("r", "XX"), date(2026, 1, 5), date(2026, 1, 5))


# --- bad input ---------------------------------------------------------------


def test_a_rep_with_no_working_days_is_refused() -> None:
    with pytest.raises(InvalidRecord) as caught:
        WorkCalendar("rep-li", "CN", working_weekdays=())
    assert caught.value.field == "working_weekdays"
    assert "rep-li" in str(caught.value)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"visits_per_day": 0}, "visits_per_day"),
        ({"visits_per_day": -2}, "visits_per_day"),
        ({"weekly_cap": 0}, "weekly_cap"),
        ({"working_weekdays": [7]}, "working_weekdays"),
        ({"country": "cn"}, "country"),
        ({"subdivision": " "}, "subdivision"),
        ({"leave": [date(2026, 1, 1), "2026-01-02"]}, "leave"),
    ],
)
def test_bad_calendar_names_the_rep_and_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidRecord) as caught:
        WorkCalendar(**{"rep_id": "rep-li", "country": "CN", **changes})  # type: ignore[arg-type]
    assert caught.value.field == field
    assert caught.value.record == "WorkCalendar 'rep-li'"


def test_unknown_country_is_named() -> None:
    with pytest.raises(ConfigurationError, match="unknown country 'QQ'"):
        working_days(WorkCalendar("r", "QQ"), date(2026, 1, 1), date(2026, 2, 1))


def test_unknown_subdivision_is_named() -> None:
    with pytest.raises(ConfigurationError, match="unknown subdivision 'ZZ' of country 'DE'"):
        working_days(WorkCalendar("r", "DE", "ZZ"), date(2026, 1, 1), date(2026, 2, 1))


def test_window_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="before it starts"):
        working_days(WorkCalendar("r", "CN"), date(2026, 2, 1), date(2026, 1, 1))


def test_window_outside_the_supported_years_is_refused() -> None:
    assert supported_years("CN")[1] == 2099  # the lunar tables end in 2099
    with pytest.raises(ConfigurationError, match="2101"):
        working_days(WorkCalendar("r", "CN"), date(2101, 1, 1), date(2101, 2, 1))
    with pytest.raises(ConfigurationError, match="not for 1900"):
        working_days(WorkCalendar("r", "DE"), date(1900, 1, 1), date(1900, 2, 1))


# --- laws ----------------------------------------------------------------------


@given(
    work_calendars(),
    st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 1)),
    st.integers(0, 60),
)
def test_working_days_lie_in_the_window_and_honour_leave(
    calendar: WorkCalendar, start: date, length: int
) -> None:
    end = start + timedelta(days=length)
    worked = working_days(calendar, start, end)
    assert list(worked) == sorted(set(worked))
    assert all(start <= d < end for d in worked)
    assert not set(worked) & calendar.days_off()
    assert not set(worked) & set(
        public_holidays(calendar.country, calendar.subdivision, start, end)
    )


@given(
    work_calendars(),
    st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 1)),
    st.integers(0, 40),
    st.integers(0, 40),
)
def test_working_days_of_adjacent_windows_add_up(
    calendar: WorkCalendar, start: date, first: int, second: int
) -> None:
    middle = start + timedelta(days=first)
    end = middle + timedelta(days=second)
    assert working_days(calendar, start, middle) + working_days(
        calendar, middle, end
    ) == working_days(calendar, start, end)
