"""Which holidays matter to which country: the days a care schedule greets on.

Practitioners greet customers on the holidays of their own culture: Spring Festival,
Mid-Autumn, Seollal, Chuseok, New Year and the national days.
[`GREETING_CATALOGUE`][accountcare.policies.care.holiday_greetings.GREETING_CATALOGUE] lists
them per country. A fixed day is its month and day (Thanksgiving the fourth Thursday of
November); a lunar festival is the day the ``holidays`` package lists under its own name for
that festival in that country, in the country's language (Korea's calendar differs from
China's: Seollal 2027 is 7 February, Spring Festival 6 February). Each day counts only in a
year where the package lists it as a public holiday of the country, so the package stays the
authority on what is a holiday where.

Each day has a name in every language a greeting is written in
([`holiday_name`][accountcare.policies.care.holiday_greetings.holiday_name]): the name
people greet with, then the name the ``holidays`` package gives the day in that language,
then this module's own names for languages the package does not list.

>>> [(d.on.isoformat(), d.key) for d in greeting_days("KR", 2027)][:2]
[('2027-01-01', 'new_year'), ('2027-02-07', 'lunar_new_year')]
>>> holiday_name("lunar_new_year", "KR", "ko"), holiday_name("lunar_new_year", "TW", "zh-Hant")
('설날', '春節')
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

__all__ = [
    "GREETING_CATALOGUE",
    "GreetingDay",
    "GreetingRule",
    "greeting_days",
    "holiday_name",
]


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
    lunisolar tables end in 2099), raises
    [`ConfigurationError`][accountcare.errors.ConfigurationError] naming it.

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


# The name a greeting uses where it is not the day's official listing ("New Year" rather
# than "New Year's Day", 크리스마스 rather than 기독탄신일, 元旦 rather than Taiwan's
# 中華民國開國紀念日): by key and locale, for every country, or for one country first.
_SAID: Mapping[tuple[str, str], Mapping[str, str]] = MappingProxyType(
    {
        ("", "new_year"): {"en": "New Year", "zh-Hans": "元旦", "zh-Hant": "元旦", "ko": "새해"},
        ("", "christmas"): {
            "en": "Christmas",
            "zh-Hans": "圣诞节",
            "zh-Hant": "聖誕節",
            "ko": "크리스마스",
        },
        ("", "thanksgiving"): {"en": "Thanksgiving"},
        ("CN", "lunar_new_year"): {"en": "Spring Festival"},
        ("TW", "lunar_new_year"): {"en": "Lunar New Year"},
        ("HK", "lunar_new_year"): {
            "en": "Lunar New Year",
            "zh-Hans": "农历新年",
            "zh-Hant": "農曆新年",
        },
        ("JP", "national_foundation_day"): {"en": "National Foundation Day"},
    }
)
# The names of days in languages the package does not list them in.
_OWN: Mapping[tuple[str, str], Mapping[str, str]] = MappingProxyType(
    {
        ("", "lunar_new_year"): {
            "en": "Lunar New Year",
            "zh-Hans": "春节",
            "zh-Hant": "春節",
            "ko": "설날",
        },
        ("", "mid_autumn"): {
            "en": "Mid-Autumn Festival",
            "zh-Hans": "中秋节",
            "zh-Hant": "中秋節",
            "ko": "추석",
        },
        ("KR", "independence_movement_day"): {"zh-Hans": "三一节", "zh-Hant": "三一節"},
        ("KR", "liberation_day"): {"zh-Hans": "光复节", "zh-Hant": "光復節"},
        ("KR", "national_foundation_day"): {"zh-Hans": "开天节", "zh-Hant": "開天節"},
        ("JP", "national_foundation_day"): {
            "zh-Hans": "建国纪念日",
            "zh-Hant": "建國紀念日",
            "ko": "건국기념일",
        },
        ("CN", "national_day"): {"ko": "중국 국경절"},
        ("TW", "national_day"): {"ko": "쌍십절"},
        ("US", "independence_day"): {
            "zh-Hans": "美国独立日",
            "zh-Hant": "美國獨立紀念日",
            "ko": "미국 독립기념일",
        },
        ("US", "thanksgiving"): {"zh-Hans": "感恩节", "zh-Hant": "感恩節", "ko": "추수감사절"},
        ("DE", "german_unity_day"): {
            "zh-Hans": "德国统一日",
            "zh-Hant": "德國統一日",
            "ko": "독일 통일의 날",
        },
    }
)
# The package's language for a locale a greeting is written in, per country where the
# package has a local variant (Hong Kong's Chinese and English).
_PACKAGE_LANGUAGES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {"zh-Hans": ("zh_CN",), "zh-Hant": ("zh_TW", "zh_HK"), "ko": ("ko",), "en": ("en_US",)}
)
_LOCAL_VARIANT: Mapping[tuple[str, str], str] = MappingProxyType(
    {("HK", "zh-Hant"): "zh_HK", ("HK", "en"): "en_HK"}
)


def _script(locale: str) -> str:
    """``zh-Hans``, ``zh-Hant``, ``ko``, ``en`` or the locale's own language tag."""
    # The templates' rule for the Chinese scripts; imported here, as they import this module.
    from accountcare.policies.care.templates import chinese_script

    language = locale.replace("_", "-").strip().split("-", 1)[0].lower()
    return chinese_script(locale) or language or "en"


def _own(
    table: Mapping[tuple[str, str], Mapping[str, str]], country: str, key: str, locale: str
) -> str | None:
    for where in (country, ""):
        name = table.get((where, key), {}).get(locale)
        if name is not None:
            return name
    return None


@functools.lru_cache(maxsize=4096)
def _package_name(country: str, rule: GreetingRule, locale: str, year: int) -> str | None:
    """The name the ``holidays`` package gives the day of ``rule`` in ``year`` in the
    language of ``locale``, or None where it lists no such name."""
    where = (rule.when.calendar_of if isinstance(rule.when, Listed) else None) or country
    day = rule.when.day_in(country, year)
    supported = holidays.country_holidays(where).supported_languages
    wanted = _LOCAL_VARIANT.get((where, locale)), *_PACKAGE_LANGUAGES.get(locale, (locale,))
    language = next((w for w in wanted if w in supported), None)
    if day is None or language is None:
        return None
    own = _in_own_language(where, year).get(day)
    named = holidays.country_holidays(where, years=year, language=language).get(day)
    if own is None or named is None:
        return None
    parts, names = own.split("; "), named.split("; ")
    if len(parts) != len(names):
        return None
    # The day may hold two holidays (National Day and Mid-Autumn): take this one's.
    listed = rule.when.names if isinstance(rule.when, Listed) else ()
    rules = GREETING_CATALOGUE.get(country, ())
    others = {n for r in rules if isinstance(r.when, Listed) for n in r.when.names}
    for part, name in zip(parts, names, strict=True):
        if part in listed or (not listed and part not in others):
            return str(name)
    return None


def holiday_name(key: str, country: str, locale: str, year: int = 2027) -> str | None:
    """The name of the greeting day ``key`` of ``country`` in a greeting written in
    ``locale`` (a contact's locale tag), or None for a key this module does not know.

    The name people greet with comes first (``New Year``, 크리스마스), then the name the
    ``holidays`` package gives the day of ``year`` in that language (春节, 설날, 삼일절,
    Independence Day), then this module's own name for languages the package does not
    list (설날 for a Korean-speaking contact in China), then the English name.

    >>> [holiday_name("lunar_new_year", c, "en") for c in ("CN", "KR", "HK")]
    ['Spring Festival', 'Korean New Year', 'Lunar New Year']
    >>> holiday_name("lunar_new_year", "CN", "zh-CN"), holiday_name("christmas", "KR", "ko")
    ('春节', '크리스마스')
    >>> holiday_name("founders_day", "CN", "en") is None
    True
    """
    rule = next((r for r in GREETING_CATALOGUE.get(country, _DEFAULT_RULES) if r.key == key), None)
    script = _script(locale)
    said = _own(_SAID, country, key, script)
    if said is not None:
        return said
    if rule is None:
        return _own(_OWN, country, key, script)
    listed = _package_name(country, rule, script, year)
    if listed is not None:
        return listed
    return _own(_OWN, country, key, script) or rule.name
