"""Hypothesis strategies for care scheduling: rules, events, extra holidays, and whole
care problems small enough to shrink well.

Importing this module registers a strategy for
[`CareRules`][accountcare.domain.care_rules.CareRules],
[`CeilingRule`][accountcare.domain.care_rules.CeilingRule] and
[`ExtraHoliday`][accountcare.domain.care_rules.ExtraHoliday];
[`care_events`][accountcare.testing.care.care_events] draws
[`CareEvent`][accountcare.domain.care_rules.CareEvent]s for given contacts and accounts.
[`care_inputs`][accountcare.testing.care.care_inputs] draws a complete input for
[`accountcare.policies.care.schedule_care`][accountcare.policies.care.schedule.schedule_care].

>>> from hypothesis import given
>>> @given(ceiling_rules())
... def test(rule):
...     assert rule.touches > 0
>>> test()
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import strategies as st

from accountcare.domain.activity import Complaint, ComplaintSeverity, Order
from accountcare.domain.care import CareKind
from accountcare.domain.care_rules import (
    LEAP_DAY_FALLBACK,
    CareEvent,
    CareRules,
    CeilingRule,
    EventKind,
    ExtraHoliday,
)
from accountcare.domain.contacts import Birthday, Channel, Contact, ContactRole

__all__ = [
    "CareInputs",
    "care_events",
    "care_inputs",
    "care_rules",
    "ceiling_rules",
    "extra_holidays",
    "windows",
]

ZONES = ("Asia/Shanghai", "Asia/Seoul", "Europe/Berlin", "America/New_York", "UTC")
COUNTRIES = ("CN", "KR", "TW", "US", "DE")
FIRST, LAST = date(2026, 1, 1), date(2028, 12, 31)


def ceiling_rules() -> st.SearchStrategy[CeilingRule]:
    return st.builds(CeilingRule, touches=st.integers(1, 4), days=st.integers(1, 30))


def care_rules() -> st.SearchStrategy[CareRules]:
    """Rules with small ceilings, varied timings and internal kinds (defaults elsewhere)."""
    return st.builds(
        CareRules,
        local_time=st.times(),
        leap_day_in_common_years=st.sampled_from([LEAP_DAY_FALLBACK, (3, 1)]),
        usage_check_days=st.integers(1, 14),
        feedback_days=st.integers(1, 45),
        gift_days_before=st.integers(1, 40),
        ceiling=st.lists(ceiling_rules(), min_size=1, max_size=2),
        internal_kinds=st.sampled_from(
            [
                frozenset({CareKind.REVERIFICATION}),
                frozenset(),
                frozenset({CareKind.REVERIFICATION, CareKind.EVENT}),
                frozenset(set(CareKind) - {CareKind.BIRTHDAY, CareKind.HOLIDAY_GIFT}),
            ]
        ),
    )


def extra_holidays() -> st.SearchStrategy[ExtraHoliday]:
    return st.builds(
        ExtraHoliday,
        key=st.sampled_from(["founders_day", "client_day"]),
        name=st.just("Our day"),
        month=st.integers(1, 12),
        day=st.integers(1, 28),
        countries=st.frozensets(st.sampled_from(COUNTRIES), max_size=2),
        gift=st.booleans(),
    )


def care_events(contact_ids: list[str], account_ids: list[str]) -> st.SearchStrategy[CareEvent]:
    """Events to tell contacts about (price changes, seminar invitations, product launches)
    for the contacts and accounts ``contact_ids`` and ``account_ids`` name."""
    return st.builds(
        CareEvent,
        id=st.text("ev0123", min_size=1, max_size=3),
        kind=st.sampled_from(EventKind),
        on=st.dates(FIRST, LAST),
        account_ids=st.frozensets(st.sampled_from(account_ids), max_size=2),
        contact_ids=st.frozensets(st.sampled_from(contact_ids), max_size=2),
    )


@st.composite
def _contact(draw: st.DrawFn, contact_id: str, account_id: str) -> Contact:
    channels = draw(st.lists(st.sampled_from(Channel), unique=True, max_size=4))
    birthday = draw(
        st.one_of(
            st.none(),
            st.just(Birthday(2, 29, 1988)),
            st.dates(date(1950, 1, 1), date(2000, 12, 31)).map(Birthday.from_date),
        )
    )
    verified = draw(
        st.dictionaries(
            st.sampled_from(["phones", "emails", "title"]),
            st.dates(date(2024, 1, 1), date(2026, 12, 31)),
            max_size=2,
        )
    )
    return Contact(
        id=contact_id,
        account_id=account_id,
        name="N",
        role=draw(st.sampled_from(ContactRole)),
        birthday=birthday,
        time_zone=draw(st.sampled_from(ZONES)),
        country=draw(st.sampled_from(COUNTRIES)),
        channels=channels,
        consents=draw(
            st.one_of(st.just(frozenset(Channel)), st.frozensets(st.sampled_from(Channel)))
        ),
        opted_out=draw(st.sampled_from([False, False, False, True])),
        verified=verified,
    )


@attrs.frozen
class CareInputs:
    """A small care problem: keyword arguments for ``schedule_care`` (window aside)."""

    contacts: tuple[Contact, ...]
    tiers: dict[str, str]
    orders: tuple[Order, ...]
    complaints: tuple[Complaint, ...]
    events: tuple[CareEvent, ...]
    extra_holidays: tuple[ExtraHoliday, ...]
    rules: CareRules

    def kwargs(self) -> dict[str, Any]:
        return attrs.asdict(self, recurse=False, filter=lambda a, _: a.name != "contacts")


@st.composite
def care_inputs(draw: st.DrawFn, max_contacts: int = 4) -> CareInputs:
    """Up to ``max_contacts`` contacts in up to 2 accounts, with orders, complaints,
    events and extra holidays between 2026 and 2028."""
    accounts = ["acme", "zeta"]
    n = draw(st.integers(1, max_contacts))
    contacts = tuple(draw(_contact(f"c{k}", accounts[k % 2])) for k in range(n))
    tiers = draw(st.dictionaries(st.sampled_from(accounts), st.sampled_from(["A", "B", "C"])))
    orders = tuple(
        Order(f"o{k}", draw(st.sampled_from(accounts)), day, Decimal(draw(st.integers(-5, 50))))
        for k, day in enumerate(draw(st.lists(st.dates(FIRST, LAST), max_size=6)))
    )
    complaints = tuple(
        Complaint(
            f"q{k}",
            draw(st.sampled_from(accounts)),
            datetime.combine(day, time(draw(st.integers(0, 23))), tzinfo=UTC),
            severity=draw(st.sampled_from(ComplaintSeverity)),
        )
        for k, day in enumerate(draw(st.lists(st.dates(FIRST, LAST), max_size=3)))
    )
    ids = [c.id for c in contacts]
    events = tuple(draw(st.lists(care_events(ids, accounts), max_size=3, unique_by=lambda e: e.id)))
    extra = tuple(draw(st.lists(extra_holidays(), max_size=2, unique_by=lambda h: h.key)))
    rules = draw(st.one_of(st.just(CareRules()), care_rules()))
    return CareInputs(contacts, tiers, orders, complaints, events, extra, rules)


def windows(min_days: int = 1, max_days: int = 120) -> st.SearchStrategy[tuple[date, date]]:
    """A window ``[start, end)`` inside 2026-2028."""
    return st.tuples(st.dates(FIRST, date(2028, 6, 1)), st.integers(min_days, max_days)).map(
        lambda p: (p[0], p[0] + timedelta(days=p[1]))
    )


st.register_type_strategy(CeilingRule, ceiling_rules())
st.register_type_strategy(CareRules, care_rules())
st.register_type_strategy(ExtraHoliday, extra_holidays())
