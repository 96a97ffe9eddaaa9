"""Laws of the care scheduler, pinned with Hypothesis: birthdays once a year, opt-outs and
consent, the frequency ceiling, window additivity, independence of input order."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from accountcare.domain.accounts import Account, LifecycleStage
from accountcare.domain.care import CareKind, CareSchedule, CareTask, DropReason
from accountcare.domain.care_rules import PRIORITY, CareRules, ExtraHoliday
from accountcare.domain.contacts import Channel, Contact
from accountcare.domain.warnings import LostAccountReview, RootCause
from accountcare.policies.care import schedule_care
from accountcare.serialization import converter
from accountcare.testing.care import CareInputs, care_inputs, windows

# The longest lookahead the scheduler may need: 6 priority steps of a 30-day ceiling.
HORIZON = timedelta(days=200)


def _schedule(inputs: CareInputs, start: date, end: date, **more: Any) -> CareSchedule:
    return schedule_care(inputs.contacts, start=start, end=end, **inputs.kwargs(), **more)


def _everything(schedule: CareSchedule) -> list[CareTask]:
    return [*schedule.tasks, *(d.task for d in schedule.dropped)]


def _sorted(tasks: list[CareTask]) -> list[tuple[str, ...]]:
    return sorted((t.key, t.template_key, t.reason, t.occasion) for t in tasks)


@settings(deadline=None)
@given(care_inputs(), windows(max_days=800))
def test_care_birthday_exactly_once_per_year_in_the_window(
    inputs: CareInputs, window: tuple[date, date]
) -> None:
    start, end = window
    schedule = _schedule(inputs, start, end)
    fallback = inputs.rules.leap_day_in_common_years
    for contact in inputs.contacts:
        if contact.birthday is None:
            continue
        month, day = contact.birthday.month, contact.birthday.day
        expected = set()
        for year in range(start.year, end.year + 1):
            leap_day = (month, day) == (2, 29) and not calendar.isleap(year)
            on = date(year, *fallback) if leap_day else date(year, month, day)
            if start <= on < end:
                expected.add(on)
        found = [
            t.on
            for t in _everything(schedule)
            if t.contact_id == contact.id and t.kind is CareKind.BIRTHDAY
        ]
        assert sorted(found) == sorted(expected)
        assert len({on.year for on in found}) == len(found)


@settings(deadline=None)
@given(care_inputs(), windows())
def test_care_no_task_outside_the_window(inputs: CareInputs, window: tuple[date, date]) -> None:
    start, end = window
    schedule = _schedule(inputs, start, end)
    assert all(start <= t.on < end for t in _everything(schedule))


@settings(deadline=None)
@given(care_inputs(), windows())
def test_care_honours_opt_outs_and_consent(inputs: CareInputs, window: tuple[date, date]) -> None:
    # Whether and where a contact may be reached is the contact's own rule: every task
    # goes on its channel_for the kind's channels, every touch without one is dropped.
    start, end = window
    schedule = _schedule(inputs, start, end)
    contacts = {c.id: c for c in inputs.contacts}
    for task in schedule.tasks:
        contact = contacts[task.contact_id]
        assert contact.may_contact(task.channel)
        assert task.channel is contact.channel_for(inputs.rules.channels[task.kind])
    for drop in schedule.dropped:
        contact = contacts[drop.task.contact_id]
        reachable = contact.channel_for(inputs.rules.channels[drop.task.kind])
        if drop.reason is DropReason.OPTED_OUT:
            assert contact.opted_out
        elif drop.reason is DropReason.NO_CONSENTED_CHANNEL:
            assert reachable is None
        else:
            assert drop.task.channel is reachable


@given(st.from_type(Contact), st.frozensets(st.sampled_from(Channel)))
def test_a_contact_is_reached_on_its_first_preferred_channel_it_consents_to(
    contact: Contact, suitable: frozenset[Channel]
) -> None:
    chosen = contact.channel_for(suitable)
    allowed = [c for c in contact.channels if c in suitable and c in contact.consents]
    if contact.opted_out or not allowed:
        assert chosen is None
        assert not any(contact.may_contact(c) for c in contact.channels if c in suitable)
    else:
        assert chosen is allowed[0]
        assert contact.may_contact(chosen)
    everything = [c for c in contact.channels if c in contact.consents]
    assert contact.reachable_channels == (() if contact.opted_out else tuple(everything))


def _counted(inputs: CareInputs, tasks: Sequence[CareTask], contact_id: str) -> list[CareTask]:
    internal = inputs.rules.internal_kinds
    return [t for t in tasks if t.contact_id == contact_id and t.kind not in internal]


@settings(deadline=None)
@given(care_inputs(), windows(max_days=200))
def test_care_never_exceeds_the_frequency_ceiling(
    inputs: CareInputs, window: tuple[date, date]
) -> None:
    start, end = window
    schedule = _schedule(inputs, start, end)
    for contact in inputs.contacts:
        days = sorted(t.on for t in _counted(inputs, schedule.tasks, contact.id))
        for rule in inputs.rules.ceiling:
            for first in days:
                inside = [d for d in days if first <= d < first + timedelta(days=rule.days)]
                assert len(inside) <= rule.touches


@settings(deadline=None)
@given(care_inputs(), windows(max_days=120))
def test_care_ceiling_drops_lower_priority_first_and_lists_every_drop(
    inputs: CareInputs, window: tuple[date, date]
) -> None:
    start, end = window
    # Decide beyond the end, so the touches that blocked a drop are all visible.
    schedule = _schedule(inputs, start, end + HORIZON)
    for drop in schedule.dropped:
        task = drop.task
        if drop.reason is not DropReason.FREQUENCY_CEILING or task.on >= end:
            continue
        rank = PRIORITY[task.kind]
        ahead = [
            t.on
            for t in _counted(inputs, schedule.tasks, task.contact_id)
            if PRIORITY[t.kind] <= rank
        ]
        assert any(
            sum(1 for d in ahead if first <= d < first + timedelta(days=rule.days)) >= rule.touches
            for rule in inputs.rules.ceiling
            for first in (task.on - timedelta(days=k) for k in range(rule.days))
        ), f"{task.key} was dropped with room under the ceiling"
    # Every candidate is either scheduled or listed: nothing vanishes.
    keys = [t.key for t in schedule.tasks]
    assert len(keys) == len(set(keys))


@settings(deadline=None, max_examples=60)
@given(care_inputs(), windows(max_days=150), st.integers(1, 149))
def test_care_window_additivity(inputs: CareInputs, window: tuple[date, date], cut: int) -> None:
    start, end = window
    middle = min(start + timedelta(days=cut), end)
    whole = _schedule(inputs, start, end)
    first = _schedule(inputs, start, middle)
    second = _schedule(inputs, middle, end, state=first.carry)
    assert _sorted([*first.tasks, *second.tasks]) == _sorted(list(whole.tasks))
    drops = [*first.dropped, *second.dropped]
    assert sorted((d.task.key, d.reason.value) for d in drops) == sorted(
        (d.task.key, d.reason.value) for d in whole.dropped
    )
    assert second.carry == whole.carry


@settings(deadline=None)
@given(care_inputs(), windows(), st.randoms(use_true_random=False))
def test_care_output_is_independent_of_input_order(
    inputs: CareInputs, window: tuple[date, date], rng: object
) -> None:
    start, end = window
    shuffled = {
        "contacts": list(inputs.contacts),
        "orders": list(inputs.orders),
        "complaints": list(inputs.complaints),
        "events": list(inputs.events),
        "extra_holidays": list(inputs.extra_holidays),
    }
    for values in shuffled.values():
        rng.shuffle(values)  # type: ignore[attr-defined]
    again = schedule_care(
        shuffled["contacts"],  # type: ignore[arg-type]
        start=start,
        end=end,
        tiers=dict(reversed(list(inputs.tiers.items()))),
        orders=shuffled["orders"],  # type: ignore[arg-type]
        complaints=shuffled["complaints"],  # type: ignore[arg-type]
        events=shuffled["events"],  # type: ignore[arg-type]
        extra_holidays=shuffled["extra_holidays"],  # type: ignore[arg-type]
        rules=inputs.rules,
    )
    assert again == _schedule(inputs, start, end)


@given(st.from_type(CareRules), st.from_type(ExtraHoliday))
def test_care_rules_and_extra_holidays_round_trip_through_the_converter(
    rules: CareRules, holiday: ExtraHoliday
) -> None:
    assert converter.structure(converter.unstructure(rules), CareRules) == rules
    assert converter.structure(converter.unstructure(holiday), ExtraHoliday) == holiday


_REVIEWS = st.lists(
    st.builds(
        LostAccountReview,
        account_id=st.sampled_from(["acme", "zeta"]),
        cause=st.sampled_from(RootCause),
        evidence=st.just("asked them"),
        found_by=st.just("rep"),
        found_on=st.dates(date(2025, 6, 1), date(2028, 6, 1)),
    ),
    max_size=3,
)
_STAGES = st.lists(st.sampled_from(LifecycleStage), min_size=2, max_size=2)


@settings(deadline=None, max_examples=80)
@given(care_inputs(), windows(max_days=150), st.integers(1, 149), _STAGES, _REVIEWS,
       st.randoms(use_true_random=False))  # fmt: skip
def test_care_by_stage_keeps_every_law(
    inputs: CareInputs,
    window: tuple[date, date],
    cut: int,
    stages: list[LifecycleStage],
    reviews: list[LostAccountReview],
    rng: Any,
) -> None:
    # Each stage gets its own kinds only; a lost account is won back only once a root
    # cause is on record, and not before the rules allow; the ceiling, opt-outs,
    # additivity and independence of input order hold as for customers.
    start, end = window
    accounts = [Account("acme", "Acme", stage=stages[0]), Account("zeta", "Zeta", stage=stages[1])]
    staged = {"accounts": accounts, "loss_reviews": reviews}
    whole = _schedule(inputs, start, end, **staged)
    stage_of = {a.id: a.stage for a in accounts}
    rules = inputs.rules
    for task in _everything(whole):
        assert task.kind in rules.stage_kinds[stage_of[task.account_id]]
        if task.kind is CareKind.WIN_BACK:
            found = [r.found_on for r in reviews if r.account_id == task.account_id]
            assert found
            assert task.on >= max(found) + timedelta(days=rules.win_back_after_days)
    contacts = {c.id: c for c in inputs.contacts}
    assert not any(contacts[t.contact_id].opted_out for t in whole.tasks)
    for contact in inputs.contacts:
        days = sorted(t.on for t in _counted(inputs, whole.tasks, contact.id))
        for rule in rules.ceiling:
            for first in days:
                assert sum(first <= d < first + timedelta(days=rule.days) for d in days) <= (
                    rule.touches
                )
    middle = min(start + timedelta(days=cut), end)
    first_half = _schedule(inputs, start, middle, **staged)
    second = _schedule(inputs, middle, end, state=first_half.carry, **staged)
    assert _sorted([*first_half.tasks, *second.tasks]) == _sorted(list(whole.tasks))
    assert second.carry == whole.carry
    shuffled = list(reviews)
    rng.shuffle(shuffled)
    again = _schedule(inputs, start, end, accounts=accounts[::-1], loss_reviews=shuffled)
    assert again == whole
