"""The care engine gives exactly the plain reference scheduler's schedule (tests/
care_reference.py), and the schedule it returns (built lazily) reads like one built of
tuples."""

from __future__ import annotations

import gc
import itertools
import pickle
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import care_reference
from accountcare.domain.accounts import Account, LifecycleStage
from accountcare.domain.activity import Complaint, ComplaintSeverity, Order
from accountcare.domain.care import CareKind, CareSchedule, CareState, LazySequence
from accountcare.domain.care_rules import (
    DEFAULT_GREETING_DAYS_BEFORE,
    DEFAULT_STAGE_KINDS,
    CareEvent,
    CareRules,
    CeilingRule,
    EventKind,
    ExtraHoliday,
)
from accountcare.domain.contacts import Birthday, Channel, Contact, ContactRole
from accountcare.domain.warnings import LostAccountReview, RootCause
from accountcare.policies.care import schedule_care
from accountcare.serialization import converter, from_json, to_json
from accountcare.testing.care import CareInputs, care_inputs, windows

Scheduler = Callable[..., CareSchedule]


def _chain(scheduler: Scheduler, contacts: Any, cuts: list[date], **inputs: Any) -> list[Any]:
    """Everything in the schedules of back-to-back windows between the cuts, each
    carrying the state on, as plain values in order."""
    found = []
    state = None
    for start, end in itertools.pairwise(cuts):
        schedule = scheduler(contacts, start=start, end=end, state=state, **inputs)
        assert schedule.carry is not None
        state = schedule.carry
        found.append((schedule.start, schedule.end, tuple(schedule.tasks),
                      tuple(schedule.dropped), state.through, tuple(state.recent)))  # fmt: skip
    return found


def _same_as_the_reference(contacts: Any, cuts: list[date], **inputs: Any) -> None:
    engine = _chain(schedule_care, contacts, cuts, **inputs)
    assert engine == _chain(care_reference.schedule, contacts, cuts, **inputs)


_REVIEW = st.builds(
    LostAccountReview,
    account_id=st.sampled_from(["acme", "zeta"]),
    cause=st.sampled_from(RootCause),
    evidence=st.sampled_from(["they said so", "a cheaper offer"]),
    found_by=st.just("rep-li"),
    found_on=st.dates(date(2025, 6, 1), date(2028, 6, 1)),
)


@st.composite
def _lifecycle(draw: st.DrawFn, rules: CareRules) -> CareRules:
    """``rules`` with drawn lifecycle rhythms, greeting offsets and stage table."""
    days = st.integers(1, 60)
    table = dict(DEFAULT_STAGE_KINDS)
    if draw(st.booleans()):
        stage = draw(st.sampled_from(LifecycleStage))
        table[stage] = draw(st.frozensets(st.sampled_from(CareKind)))
    return attrs.evolve(
        rules,
        pre_sale_every_days=draw(days),
        contract_status_every_days=draw(st.none() | days),
        contract_order_days=draw(st.none() | days),
        reactivation_every_days=draw(days),
        win_back_after_days=draw(days),
        win_back_every_days=draw(days),
        greeting_days_before=draw(
            st.sampled_from(
                [
                    DEFAULT_GREETING_DAYS_BEFORE,
                    {},
                    {"US": {"new_year": 5, "christmas": 2}, "KR": {"lunar_new_year": 9}},
                ]
            )
        ),
        stage_kinds=table,
    )


@settings(deadline=None, max_examples=150)
@given(
    care_inputs(max_contacts=10),
    windows(max_days=500),
    st.lists(st.integers(1, 499), max_size=2),
    st.booleans(),
    st.sampled_from([None, date(2026, 3, 9), date(2027, 11, 30)]),
    st.lists(st.sampled_from(LifecycleStage), min_size=2, max_size=2),
    st.lists(_REVIEW, max_size=3),
    st.data(),
)
def test_the_engine_gives_the_reference_schedule(
    inputs: CareInputs,
    window: tuple[date, date],
    cuts: list[int],
    strategic: bool,
    last_call: date | None,
    stages: list[LifecycleStage],
    reviews: list[LostAccountReview],
    data: st.DataObject,
) -> None:
    start, end = window
    inner = sorted({min(start + timedelta(days=c), end) for c in cuts})
    accounts = [
        Account("acme", "Acme", strategic=strategic, stage=stages[0]),
        Account("zeta", "Zeta", stage=stages[1]),
    ]
    last_calls = {"zeta": last_call} if last_call is not None else None
    kwargs = inputs.kwargs()
    if data.draw(st.booleans()):
        kwargs["rules"] = data.draw(_lifecycle(inputs.rules))
    _same_as_the_reference(
        inputs.contacts,
        [start, *inner, end],
        accounts=accounts,
        last_calls=last_calls,
        loss_reviews=reviews,
        **kwargs,
    )


def _book(seed: int) -> tuple[list[Contact], dict[str, Any]]:
    """A book like the benchmark's, small: tiers, many orders per account (ceiling
    pressure), complaints, events, verified fields, lunar and 29 February birthdays."""
    rng = random.Random(seed)
    places = [("CN", "Asia/Shanghai"), ("KR", "Asia/Seoul"), ("US", "America/New_York"),
              ("DE", "Europe/Berlin"), ("TW", "Asia/Taipei")]  # fmt: skip
    roles = [ContactRole.DECISION_MAKER, ContactRole.CHAMPION, ContactRole.USER, ContactRole.USER]
    contacts, accounts, tiers, orders, reviews = [], [], {}, [], []
    stages = [*[LifecycleStage.CUSTOMER] * 4, *LifecycleStage]
    for n in range(60):
        account_id = f"acct-{n:03d}"
        stage = rng.choice(stages)
        accounts.append(
            Account(account_id, f"Account {n}", strategic=rng.random() < 0.1, stage=stage)
        )
        if stage is LifecycleStage.LOST and rng.random() < 0.7:
            found_on = date(2026, 10, 1) + timedelta(rng.randrange(400))
            reviews.append(LostAccountReview(account_id, RootCause.PRICE, "lost", "rep", found_on))
        tiers[account_id] = rng.choice("AABCC")
        country, zone = places[n % len(places)]
        for k, role in enumerate(roles[: rng.randint(1, 4)]):
            if rng.random() < 0.1:
                birthday = Birthday(2, 29, 1984)
            else:
                birthday = Birthday.from_date(date(1960, 1, 1) + timedelta(rng.randrange(14000)))
            channels = rng.sample(list(Channel), rng.randint(1, 4))
            contacts.append(
                Contact(
                    id=f"c-{rng.randrange(10**6):06d}-{k}",
                    account_id=account_id,
                    name="N",
                    role=role,
                    birthday=birthday,
                    time_zone=zone,
                    country=country,
                    channels=channels,
                    consents=[c for c in channels if rng.random() < 0.85],
                    opted_out=rng.random() < 0.05,
                    verified={"emails": date(2025, 1, 1) + timedelta(rng.randrange(900))}
                    if rng.random() < 0.2
                    else {},
                )
            )
    for _ in range(1500):
        orders.append(
            Order(
                f"o-{rng.randrange(10**5):05d}",  # ids repeat: ties to order by text
                rng.choice(accounts).id,
                date(2026, 9, 1) + timedelta(rng.randrange(540)),
                Decimal(rng.randrange(-50, 5000)),
            )
        )
    complaints = [
        Complaint(
            f"q-{n}",
            rng.choice(accounts).id,
            datetime(2027, 1, 1, tzinfo=UTC) + timedelta(hours=rng.randrange(9000)),
            contact_id=rng.choice(contacts).id if rng.random() < 0.5 else None,
            severity=rng.choice(list(ComplaintSeverity)),
        )
        for n in range(40)
    ]
    events = [
        CareEvent("price", EventKind.PRICE_CHANGE, date(2027, 3, 1)),
        CareEvent("seminar", EventKind.SEMINAR_INVITATION, date(2027, 6, 9),
                  account_ids={"acct-001", "acct-007"}, contact_ids={contacts[5].id}),
    ]  # fmt: skip
    inputs = {"accounts": accounts, "tiers": tiers, "orders": orders, "complaints": complaints,
              "events": events, "rules": RULES[0], "loss_reviews": reviews}  # fmt: skip
    return contacts, inputs


RULES = [
    CareRules(ceiling=[CeilingRule(2, 7), CeilingRule(3, 21)], local_time=time(10)),
    # A wide rule (more than 8 touches), re-verification counted, 29 February on 1 March,
    # quick lifecycle rhythms and a greeting a week ahead of Christmas.
    CareRules(
        ceiling=[CeilingRule(1, 3), CeilingRule(9, 60)],
        internal_kinds=frozenset(),
        leap_day_in_common_years=(3, 1),
        pre_sale_every_days=5,
        contract_status_every_days=None,
        contract_order_days=1,
        reactivation_every_days=11,
        win_back_every_days=20,
        greeting_days_before={"DE": {"christmas": 7}, "CN": {"lunar_new_year": 2}},
    ),
]


@pytest.mark.parametrize(("seed", "rules"), [(1, RULES[0]), (2, RULES[1])])
def test_the_engine_gives_the_reference_schedule_for_a_busy_book(
    seed: int, rules: CareRules
) -> None:
    contacts, inputs = _book(seed)
    inputs["rules"] = rules
    cuts = [date(2027, 1, 1), date(2027, 4, 17), date(2027, 4, 18), date(2028, 1, 1)]
    _same_as_the_reference(contacts, cuts, **inputs)
    _same_as_the_reference(contacts, [cuts[0], cuts[-1]], **inputs)


def test_an_early_january_gift_is_found_from_the_year_before() -> None:
    # The gift for a holiday on 3 January goes out in December: the window that holds
    # the gift day must look at the next year's holidays too, even when (calls, surveys
    # and events being internal here) it looks no further than its own end.
    internal = frozenset(
        {CareKind.REVERIFICATION, CareKind.EVENT, CareKind.SURVEY, CareKind.RELATIONSHIP_CALL}
    )
    rules = CareRules(gift_days_before=10, internal_kinds=internal)
    founding = ExtraHoliday("founders_day", "Founding", 1, 3, gift=True)
    who = Contact(id="c-1", account_id="acme", name="Li", role=ContactRole.DECISION_MAKER,
                  country="DE", channels=[Channel.MAIL], consents=[Channel.MAIL])  # fmt: skip
    plan = schedule_care([who], start=date(2027, 12, 1), end=date(2027, 12, 31), rules=rules,
                         tiers={"acme": "A"}, extra_holidays=[founding])  # fmt: skip
    gifts = [(t.on, t.occasion) for t in plan.tasks if t.kind is CareKind.HOLIDAY_GIFT]
    assert (date(2027, 12, 24), "founders_day") in gifts


def test_a_usage_check_after_the_feedback_is_still_scheduled() -> None:
    # With the usage check later than the feedback, an order whose feedback day is
    # before the window still has its usage check inside it.
    rules = CareRules(usage_check_days=14, feedback_days=3)
    who = Contact(id="c-1", account_id="acme", name="Li", role=ContactRole.USER,
                  country="DE", channels=[Channel.EMAIL], consents=[Channel.EMAIL])  # fmt: skip
    order = Order("o-1", "acme", date(2027, 3, 1), Decimal(100))
    plan = schedule_care([who], start=date(2027, 3, 10), end=date(2027, 4, 1), rules=rules,
                         orders=[order])  # fmt: skip
    assert [(t.kind, t.on) for t in plan.tasks] == [(CareKind.AFTER_SALE_USAGE, date(2027, 3, 15))]


def test_a_lazy_schedule_reads_like_a_tuple() -> None:
    contacts, inputs = _book(3)
    plan = schedule_care(contacts, start=date(2027, 1, 1), end=date(2027, 7, 1), **inputs)
    assert isinstance(plan.tasks, LazySequence)
    assert isinstance(plan.dropped, LazySequence)
    tasks = tuple(plan.tasks)
    assert len(plan.tasks) == len(tasks) > 100
    assert plan.tasks == tasks
    assert tasks == plan.tasks
    assert plan.tasks != tasks[:-1]
    assert plan.tasks != list(tasks)
    assert hash(plan.tasks) == hash(tasks)
    assert repr(plan.tasks[:3]) == repr(tasks[:3])
    assert plan.tasks[0] == tasks[0]
    assert plan.tasks[-1] == tasks[-1]
    assert tuple(plan.tasks[5:40:3]) == tasks[5:40:3]
    assert tuple(plan.tasks[::-1]) == tasks[::-1] == tuple(reversed(plan.tasks))
    assert tuple(plan.tasks[-5:][::-2]) == tasks[-5:][::-2]
    assert plan.tasks.index(tasks[7]) == 7
    assert tasks[7] in plan.tasks
    with pytest.raises(IndexError):
        plan.tasks[len(tasks)]
    assert pickle.loads(pickle.dumps(plan)) == plan
    assert from_json(to_json(plan), CareSchedule) == plan
    assert converter.structure(converter.unstructure(plan.carry), CareState) == plan.carry
    backwards = attrs.evolve(plan, tasks=plan.tasks[::-1])
    assert tuple(backwards.tasks) == tasks[::-1]
    again = schedule_care(contacts, start=date(2027, 1, 1), end=date(2027, 7, 1), **inputs)
    assert again == plan
    assert hash(again) == hash(plan)
    assert plan.for_contact(tasks[0].contact_id) == tuple(
        t for t in tasks if t.contact_id == tasks[0].contact_id
    )


def test_the_scheduler_leaves_the_garbage_collector_alone() -> None:
    def refuse() -> None:
        raise AssertionError("the scheduler must not pause the host's garbage collector")

    contacts, inputs = _book(4)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(gc, "disable", refuse)
        patch.setattr(gc, "freeze", refuse)
        schedule_care(contacts, start=date(2027, 1, 1), end=date(2027, 3, 1), **inputs)
    assert gc.isenabled()
