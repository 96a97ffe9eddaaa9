"""The reps' worklist: the care tasks that are actions for a rep, and nothing else.

Laws over generated books (every task is a message or an action, never both; the reps'
worklists add up to the team's; windows add up) and examples on a real schedule.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accountcare.adapters.memory import MemoryStore
from accountcare.domain.accounts import Account
from accountcare.domain.care import CareKind, CareSchedule, CareTask
from accountcare.domain.care_rules import DEFAULT_CARE_RULES, MESSAGE_CHANNELS, CareRules
from accountcare.domain.contacts import Channel, Contact, PhoneNumber
from accountcare.domain.team import Rep
from accountcare.errors import ConfigurationError
from accountcare.policies.care.schedule import schedule_care
from accountcare.ports.store import Batch
from accountcare.sample import sample_book
from accountcare.services.book import save_book
from accountcare.services.care import messages_and_actions, schedule_and_enqueue
from accountcare.services.worklist import WorkItem, rep_worklist, worklist

AS_OF = date(2026, 11, 2)


def _key(task: CareTask) -> str:
    return task.template_key


def _generated(seed: int, days: int) -> tuple[CareSchedule, list[Account], list[Contact]]:
    book = sample_book(accounts=12, as_of=AS_OF, seed=seed)
    schedule = schedule_care(
        book.contacts,
        start=AS_OF,
        end=AS_OF + timedelta(days=days),
        accounts=book.accounts,
        orders=book.orders,
        complaints=book.complaints,
    )
    return schedule, list(book.accounts), list(book.contacts)


@settings(deadline=None, max_examples=15)
@given(st.integers(0, 10_000), st.integers(1, 60), st.data())
def test_every_task_is_a_message_or_a_rep_action_and_the_worklists_add_up(
    seed: int, days: int, data: st.DataObject
) -> None:
    schedule, accounts, contacts = _generated(seed, days)
    messages, actions = messages_and_actions(schedule.tasks)
    assert {t.key for t in messages}.isdisjoint(t.key for t in actions)
    assert sorted(t.key for t in (*messages, *actions)) == sorted(t.key for t in schedule.tasks)
    assert all(t.channel in MESSAGE_CHANNELS for t in messages)

    team = worklist(schedule, accounts=accounts, contacts=contacts, what=_key)
    assert sorted(i.key for i in team) == sorted(t.key for t in actions)
    assert [i.due_at for i in team] == sorted(i.due_at for i in team)
    owners = {a.owner or "" for a in accounts}
    by_rep = [
        i
        for rep in sorted(owners)
        for i in worklist(schedule, accounts=accounts, contacts=contacts, what=_key, rep=rep)
    ]
    assert sorted(i.key for i in by_rep) == sorted(i.key for i in team)

    cut = AS_OF + timedelta(days=data.draw(st.integers(0, days)))
    early = worklist(schedule, accounts=accounts, contacts=contacts, what=_key, end=cut)
    late = worklist(schedule, accounts=accounts, contacts=contacts, what=_key, start=cut)
    assert early + late == team
    assert all(i.on < cut for i in early)
    assert all(i.on >= cut for i in late)


def test_a_rule_that_makes_a_kind_a_rep_action_moves_it_to_the_worklist() -> None:
    schedule, accounts, contacts = _generated(seed=3, days=60)
    birthdays = [t for t in schedule.tasks if t.kind is CareKind.BIRTHDAY]
    assert birthdays
    # Passed as Any: mypy cannot solve the generic ``frozenset`` converter of the field.
    kinds: Any = frozenset({CareKind.REVERIFICATION, CareKind.BIRTHDAY})
    rules = CareRules(rep_action_kinds=kinds)
    listed = worklist(schedule, accounts=accounts, contacts=contacts, what=_key, rules=rules)
    assert {t.key for t in birthdays} <= {i.key for i in listed}
    default = worklist(schedule, accounts=accounts, contacts=contacts, what=_key)
    email_birthdays = {t.key for t in birthdays if t.channel in MESSAGE_CHANNELS}
    assert email_birthdays.isdisjoint(i.key for i in default)


def test_an_item_says_who_whom_how_and_what() -> None:
    on = date(2027, 3, 2)
    call = CareTask(
        "c-wang",
        "acme",
        on,
        time(9, 30),
        "Asia/Shanghai",
        Channel.PHONE,
        CareKind.RELATIONSHIP_CALL,
        "call.A",
        "call every 14 days for tier A",
    )
    visit = attrs.evolve(
        call,
        contact_id="c-kim",
        account_id="hanbit",
        channel=Channel.VISIT,
        time_zone="Asia/Seoul",
        local_time=time(9),
    )
    mail = attrs.evolve(
        call, kind=CareKind.BIRTHDAY, channel=Channel.EMAIL, template_key="birthday"
    )
    schedule = CareSchedule(on, on + timedelta(days=1), tasks=[call, visit, mail])
    accounts = [
        Account(id="acme", name="Acme Trading Co.", owner="rep-li"),
        Account(id="hanbit", name="한빛전자", owner="rep-kim"),
    ]
    contacts = [
        Contact(
            id="c-wang",
            account_id="acme",
            name="王伟",
            phones=[PhoneNumber("138 0013 8000", "+8613800138000")],
            consents=[Channel.PHONE],
        ),
        Contact(id="c-kim", account_id="hanbit", name="김민수", consents=[Channel.VISIT]),
    ]
    reps = [Rep("rep-li", "Li Na"), Rep("rep-kim", "Kim Minji")]
    items = worklist(
        schedule,
        accounts=accounts,
        contacts=contacts,
        reps=reps,
        what=lambda t: f"script {t.template_key}",
    )
    # 09:00 in Seoul is 00:00 UTC, 09:30 in Shanghai 01:30 UTC: Seoul's visit comes first.
    assert [i.key for i in items] == [visit.key, call.key]
    assert items[1] == WorkItem(
        call, "rep-li", "Li Na", "Acme Trading Co.", "王伟", "+8613800138000", "script call.A"
    )
    assert (items[0].rep_name, items[0].phone, items[0].channel) == ("Kim Minji", "", Channel.VISIT)
    only_kim = worklist(schedule, accounts=accounts, contacts=contacts, what=_key, rep="rep-kim")
    assert [i.contact_id for i in only_kim] == ["c-kim"]


@pytest.fixture
def store() -> MemoryStore:
    store = MemoryStore()
    save_book(store, sample_book(accounts=40, as_of=AS_OF))
    store.write(Batch(reps=[Rep("rep-01", "Li Na", names={"zh": "李娜", "ko": "이나"})]))
    return store


def test_the_stored_schedule_gives_each_rep_their_calls_with_the_script(store: MemoryStore) -> None:
    run = schedule_and_enqueue(store, start=AS_OF, end=AS_OF + timedelta(days=30), name="current")
    owners = {a.id: a.owner for a in store.accounts()}
    queued = {e.key for e in store.outbox()}
    assert run.rep_actions
    assert queued == {t.key for t in run.messages}
    assert queued.isdisjoint(t.key for t in run.rep_actions)
    mine = rep_worklist(store, rep="rep-01")
    assert sorted(i.key for i in mine) == sorted(
        t.key for t in run.rep_actions if owners[t.account_id] == "rep-01"
    )
    assert all(i.rep_name == "Li Na" for i in mine)
    calls = [i for i in mine if i.kind is CareKind.RELATIONSHIP_CALL]
    assert calls
    assert all(i.what and i.contact_name and i.account_name for i in calls)
    assert all(i.what for i in mine if i.phone or i.channel is not Channel.PHONE)


def test_a_missing_schedule_is_named(store: MemoryStore) -> None:
    with pytest.raises(ConfigurationError, match="no care schedule named 'spring'"):
        rep_worklist(store, name="spring")


def test_default_rules_make_calls_visits_gifts_and_checks_rep_actions() -> None:
    rules = DEFAULT_CARE_RULES
    assert rules.is_rep_action(CareKind.RELATIONSHIP_CALL, Channel.PHONE)
    assert rules.is_rep_action(CareKind.HOLIDAY_GIFT, Channel.MAIL)
    assert rules.is_rep_action(CareKind.WIN_BACK, Channel.VISIT)
    assert rules.is_rep_action(CareKind.REVERIFICATION, Channel.EMAIL)
    assert not rules.is_rep_action(CareKind.HOLIDAY_GREETING, Channel.SMS)
