"""Care schedules on real calendars, DST changes, 29 February, lunar birthdays, bad input."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, time

import pytest

from accountcare.domain.care import CareKind, CareState, DropReason
from accountcare.domain.care_rules import CareEvent, CareRules, CeilingRule, EventKind
from accountcare.domain.contacts import Birthday, BirthdayCalendar, Channel, Contact, ContactRole
from accountcare.errors import ConfigurationError
from accountcare.policies.care.birthdays import birthday_occurrences, lunar_to_solar
from accountcare.policies.care.holiday_greetings import greeting_days
from accountcare.policies.care.schedule import schedule_care
from accountcare.serialization import converter

ALL = list(Channel)


def _contact(cid: str = "c-1", **fields: object) -> Contact:
    base: dict[str, object] = {
        "id": cid,
        "account_id": "acme",
        "name": "Li",
        "role": ContactRole.DECISION_MAKER,
        "channels": [Channel.MESSENGER, Channel.EMAIL, Channel.MAIL, Channel.PHONE],
        "consents": ALL,
    }
    base.update(fields)
    return Contact(**base)  # type: ignore[arg-type]


def _greeting(country: str, key: str, year: int) -> date:
    return next(d.on for d in greeting_days(country, year) if d.key == key)


# Spring Festival (正月初一) in China: Hong Kong Observatory, "Gregorian-Lunar Calendar
# Conversion Table" for 2025, 2026, 2027 and 2028.
HKO_SPRING_FESTIVAL = {
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
}
# Seollal and Chuseok in Korea: Korea Astronomy and Space Science Institute (KASI),
# 월력요항 (almanac of public holidays) for 2025-2028. Seollal 2027 is 7 February in
# Korea, a day after China's Spring Festival.
KASI_SEOLLAL = {
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 7),
    2028: date(2028, 1, 27),
}
KASI_CHUSEOK = {
    2025: date(2025, 10, 6),
    2026: date(2026, 9, 25),
    2027: date(2027, 9, 15),
    2028: date(2028, 10, 3),
}


@pytest.mark.parametrize("year", sorted(HKO_SPRING_FESTIVAL))
def test_spring_festival_in_china_agrees_with_the_hong_kong_observatory(year: int) -> None:
    assert _greeting("CN", "lunar_new_year", year) == HKO_SPRING_FESTIVAL[year]


# Mid-Autumn (八月十五) on the Chinese calendar: Hong Kong Observatory conversion tables.
# 2031 falls on National Day; Hong Kong's public holiday is the day after the festival.
HKO_MID_AUTUMN = {
    2025: date(2025, 10, 6),
    2026: date(2026, 9, 25),
    2027: date(2027, 9, 15),
    2028: date(2028, 10, 3),
    2031: date(2031, 10, 1),
}


@pytest.mark.parametrize("year", sorted(HKO_MID_AUTUMN))
@pytest.mark.parametrize("country", ["CN", "HK", "TW"])
def test_mid_autumn_is_greeted_on_the_festival_itself_every_year(country: str, year: int) -> None:
    assert _greeting(country, "mid_autumn", year) == HKO_MID_AUTUMN[year]


@pytest.mark.parametrize("year", sorted(KASI_SEOLLAL))
def test_seollal_and_chuseok_in_korea_agree_with_kasi(year: int) -> None:
    assert _greeting("KR", "lunar_new_year", year) == KASI_SEOLLAL[year]
    assert _greeting("KR", "mid_autumn", year) == KASI_CHUSEOK[year]


def test_korean_contacts_are_greeted_before_seollal_and_chinese_on_the_eve() -> None:
    # Spring Festival is 6 February 2027, Seollal 7 February (the holiday 6-8 February):
    # the Chinese greeting goes out on the eve (除夕), the Korean one 3 days ahead, before
    # people travel home.
    people = [_contact("cn", country="CN"), _contact("kr", country="KR")]
    plan = schedule_care(people, start=date(2027, 2, 1), end=date(2027, 2, 15))
    days = {(t.contact_id, t.occasion): t.on for t in plan.tasks}
    assert days["cn", "lunar_new_year"] == date(2027, 2, 5)
    assert days["kr", "lunar_new_year"] == date(2027, 2, 4)


@pytest.mark.parametrize(
    ("zone", "day", "utc_hour"),
    [
        ("Europe/Berlin", date(2027, 3, 27), 8),  # CET, UTC+1
        ("Europe/Berlin", date(2027, 3, 28), 7),  # summer time began that night: UTC+2
        ("Europe/Berlin", date(2027, 10, 30), 7),
        ("Europe/Berlin", date(2027, 10, 31), 8),  # back to UTC+1
        ("America/New_York", date(2027, 3, 13), 14),  # EST, UTC-5
        ("America/New_York", date(2027, 3, 14), 13),  # EDT from 02:00 that day: UTC-4
        ("America/New_York", date(2027, 11, 6), 13),
        ("America/New_York", date(2027, 11, 7), 14),  # back to EST
    ],
)
def test_birthday_greeting_at_nine_local_across_dst_changes(
    zone: str, day: date, utc_hour: int
) -> None:
    who = _contact(birthday=date(1980, day.month, day.day), time_zone=zone, country="DE")
    plan = schedule_care([who], start=day, end=date.fromordinal(day.toordinal() + 1))
    (task,) = [t for t in plan.tasks if t.kind is CareKind.BIRTHDAY]
    assert task.local_time == time(9)
    assert task.due_at == datetime(day.year, day.month, day.day, utc_hour, tzinfo=UTC)


def test_a_29_february_birthday_across_a_common_and_a_leap_year() -> None:
    who = _contact(birthday=date(1988, 2, 29), country="DE")
    window = {"start": date(2027, 1, 1), "end": date(2029, 1, 1)}
    plan = schedule_care([who], **window)  # type: ignore[arg-type]
    assert [t.on for t in plan.tasks if t.kind is CareKind.BIRTHDAY] == [
        date(2027, 2, 28),
        date(2028, 2, 29),
    ]
    march = schedule_care([who], rules=CareRules(leap_day_in_common_years=(3, 1)), **window)  # type: ignore[arg-type]
    assert [t.on for t in march.tasks if t.kind is CareKind.BIRTHDAY] == [
        date(2027, 3, 1),
        date(2028, 2, 29),
    ]


def test_lunar_birthdays_follow_their_own_calendar() -> None:
    chinese = Birthday(1, 1, calendar=BirthdayCalendar.CHINESE_LUNAR)
    korean = Birthday(1, 1, calendar=BirthdayCalendar.KOREAN_LUNAR)
    window = (date(2027, 1, 1), date(2028, 1, 1))
    assert birthday_occurrences(chinese, *window) == (date(2027, 2, 6),)
    assert birthday_occurrences(korean, *window) == (date(2027, 2, 7),)
    # Lunar 12/30 in a year whose twelfth month has 29 days falls on its last day.
    assert lunar_to_solar(2025, 12, 30) == date(2026, 2, 16)


def test_a_lunar_birthday_outside_the_tables_is_an_error_not_a_skip() -> None:
    korean = Birthday(8, 15, calendar=BirthdayCalendar.KOREAN_LUNAR)
    with pytest.raises(ConfigurationError, match="2050"):
        birthday_occurrences(korean, date(2060, 1, 1), date(2061, 1, 1))


def test_a_touch_with_no_consented_channel_is_dropped_with_that_reason() -> None:
    who = _contact(birthday=date(1980, 5, 3), channels=[Channel.PHONE], consents=[Channel.EMAIL])
    plan = schedule_care([who], start=date(2027, 5, 1), end=date(2027, 5, 10))
    assert not plan.tasks
    assert [(d.task.kind, d.reason) for d in plan.dropped] == [
        (CareKind.BIRTHDAY, DropReason.NO_CONSENTED_CHANNEL)
    ]


def test_the_ceiling_keeps_the_birthday_and_drops_marketing() -> None:
    who = _contact(birthday=date(1980, 5, 3), country="DE")
    events = [CareEvent(f"ev-{n}", EventKind.SEMINAR_INVITATION, date(2027, 5, n)) for n in (1, 2)]
    rules = CareRules(ceiling=[CeilingRule(1, 7)])
    plan = schedule_care(
        [who], start=date(2027, 5, 1), end=date(2027, 5, 8), events=events, rules=rules
    )
    assert [t.kind for t in plan.tasks] == [CareKind.BIRTHDAY]
    assert sorted(d.task.on.day for d in plan.dropped if d.task.kind is CareKind.EVENT) == [1, 2]
    assert {d.reason for d in plan.dropped} == {DropReason.FREQUENCY_CEILING}


def test_a_window_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="before it starts"):
        schedule_care([_contact()], start=date(2027, 2, 1), end=date(2027, 1, 1))


@pytest.mark.parametrize("field", ["usage_check_days", "feedback_days", "reverify_after_days"])
@pytest.mark.parametrize("days", [0, -3])
def test_a_zero_or_negative_interval_is_refused(field: str, days: int) -> None:
    with pytest.raises(ConfigurationError, match=field):
        CareRules(**{field: days})  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="positive"):
        CeilingRule(touches=2, days=days)


@pytest.mark.parametrize("ceiling", [[(2, 7)], [CeilingRule(touches=2, days=7), "2 in 7"]])
def test_a_ceiling_of_anything_but_ceiling_rules_is_refused_by_name(ceiling: list[object]) -> None:
    with pytest.raises(ConfigurationError, match="ceiling must hold CeilingRules, got"):
        CareRules(ceiling=ceiling)  # type: ignore[arg-type]


def test_an_unknown_country_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="unknown country 'XX'"):
        schedule_care([_contact(country="XX")], start=date(2027, 1, 1), end=date(2027, 2, 1))


def test_a_window_outside_the_lunar_tables_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="2099"):
        schedule_care([_contact(country="CN")], start=date(2100, 1, 1), end=date(2100, 2, 1))


def test_a_state_that_does_not_meet_the_window_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="back to back"):
        schedule_care(
            [_contact()],
            start=date(2027, 2, 1),
            end=date(2027, 3, 1),
            state=CareState(through=date(2027, 1, 1)),
        )


def test_the_carried_state_survives_a_round_trip_through_the_converter() -> None:
    who = _contact(birthday=date(1980, 1, 30), country="DE")
    first = schedule_care([who], start=date(2027, 1, 1), end=date(2027, 2, 1))
    assert first.carry is not None
    stored = converter.structure(converter.unstructure(first.carry), CareState)
    assert stored == first.carry
    second = schedule_care([who], start=date(2027, 2, 1), end=date(2027, 3, 1), state=stored)
    whole = schedule_care([who], start=date(2027, 1, 1), end=date(2027, 3, 1))
    assert [*first.tasks, *second.tasks] == list(whole.tasks)


def test_a_touch_before_a_window_end_yields_to_a_birthday_just_after_it() -> None:
    # Additivity needs the lookahead: the seminar on 30 January must see the birthday on
    # 2 February (next window) under a 1-in-7-days ceiling, whichever way it is split.
    who = _contact(birthday=date(1980, 2, 2), country="DE")
    seminar = [CareEvent("ev-1", EventKind.SEMINAR_INVITATION, date(2027, 1, 30))]
    rules = CareRules(ceiling=[CeilingRule(1, 7)])
    common = {"events": seminar, "rules": rules}
    first = schedule_care([who], start=date(2027, 1, 10), end=date(2027, 2, 1), **common)  # type: ignore[arg-type]
    second = schedule_care(
        [who],
        start=date(2027, 2, 1),
        end=date(2027, 3, 1),
        state=first.carry,
        **common,  # type: ignore[arg-type]
    )
    whole = schedule_care([who], start=date(2027, 1, 10), end=date(2027, 3, 1), **common)  # type: ignore[arg-type]
    assert [t.kind for t in whole.tasks] == [CareKind.BIRTHDAY]
    assert [*first.tasks, *second.tasks] == list(whole.tasks)
    assert [(d.task.kind, d.task.on, d.reason) for d in first.dropped] == [
        (CareKind.EVENT, date(2027, 1, 30), DropReason.FREQUENCY_CEILING)
    ]


def test_a_counted_reverification_near_a_window_end_yields_to_an_event_just_after_it() -> None:
    # With re-verification counted, it is the lowest priority: the window before must
    # look ahead at the event on 2 February to refuse the question on 30 January.
    rules = CareRules(internal_kinds=frozenset(), ceiling=[CeilingRule(1, 7)])
    who = _contact(country="DE", verified={"emails": date(2026, 1, 30)})
    events = [CareEvent("ev", EventKind.PRICE_CHANGE, date(2027, 2, 2))]
    common = {"rules": rules, "events": events}
    whole = schedule_care([who], start=date(2027, 1, 10), end=date(2027, 3, 1), **common)  # type: ignore[arg-type]
    first = schedule_care([who], start=date(2027, 1, 10), end=date(2027, 2, 1), **common)  # type: ignore[arg-type]
    second = schedule_care(
        [who],
        start=date(2027, 2, 1),
        end=date(2027, 3, 1),
        state=first.carry,
        **common,  # type: ignore[arg-type]
    )
    assert [t.kind for t in whole.tasks] == [CareKind.EVENT]
    assert [*first.tasks, *second.tasks] == list(whole.tasks)


def test_greeting_days_do_not_depend_on_the_language_of_the_process() -> None:
    script = (
        "from accountcare.policies.care import greeting_days\n"
        "print([tuple(d) for c in ('CN', 'KR', 'TW', 'HK') for d in greeting_days(c, 2031)])"
    )
    found = set()
    for language in ("en_US", "ko", "zh_TW", "C"):
        env = {**os.environ, "LANGUAGE": language, "LC_ALL": f"{language}.UTF-8", "LANG": language}
        run = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True
        )
        assert run.returncode == 0, run.stderr
        found.add(run.stdout)
    assert len(found) == 1
    assert "lunar_new_year" in found.pop()
