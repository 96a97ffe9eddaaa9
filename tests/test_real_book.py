"""A real book end to end: the files that phones and an ERP export, the command line run
as a subprocess the way a user runs it, and a real mailbox.

The company, its reps, the ERP's accounts and orders and three phone exports of contacts
(Android vCard 2.1, iPhone vCard 3.0, Google CSV: the same people in several of them, the
companies spelled differently from the ERP) are imported; the book is tiered, one contact
opts out, a month of care is scheduled and the emails are sent to an SMTP server on
loopback. Each step is judged on the store (opened here) and on what arrived, against
the ERP's ids, the holiday calendars and the care rules' defaults.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

import attrs
import pytest
from dateutil.relativedelta import relativedelta

from accountcare.adapters.sqlite import SqliteStore
from accountcare.domain.care import CareKind, CareTask
from accountcare.domain.care_rules import DEFAULT_CARE_RULES, MESSAGE_CHANNELS
from accountcare.domain.contacts import Channel, ConsentAction, Contact
from accountcare.domain.outbox import OutboxEntry, OutboxStatus
from accountcare.domain.team import Company
from accountcare.policies import AbcPolicy
from accountcare.policies.care import greeting_days
from accountcare.ports.store import Batch
from accountcare.services.book import load_book
from notify_servers import SmtpRecorder, smtp_server
from real_book_helpers import (
    AS_OF,
    CARE_FROM,
    CARE_TO,
    IMPORTS,
    SENT_AS_OF,
    attempt,
    copy_store,
    fresh_folder,
    json_rows,
)

pytestmark = pytest.mark.slow

ERP_IDS = {f"C{n}" for n in range(1001, 1009)}
# Each person of the exports, by the address they write from, and the ERP account their
# company is: however the phone spelled it (short, without the city, 대성산업(주) for
# 대성산업 주식회사, Acme for ACME Co., Ltd.).
ACCOUNT_OF = {
    "wang.wei@huadong-elec.example": "C1001",  # Android and Google: one person
    "zhangli@pengcheng-jm.example": "C1002",
    "sun.hao@pengcheng-jm.example": "C1002",
    "liu.yang@zkhx-tech.example": "C1003",  # Android and Google
    "zhao.min@nanfang-pack.example": "C1004",
    "chenjing@xihu-smart.example": "C1005",
    "jihoon.park@hanbitsoft.example": "C1006",  # Android (+82) and iPhone
    "seojun.lee@hanbitsoft.example": "C1006",
    "yujin.choi@daesung-ind.example": "C1007",
    "minho.jung@daesung-ind.example": "C1007",
    "emily.johnson@acme-corp.example": "C1008",
}
OPTED_OUT = "zhao.min@nanfang-pack.example"
HOLIDAY_NAME = {"CN": "春节", "KR": "설날"}
COUNTRY_CODES = {"+86": "CN", "+82": "KR", "+1": "US"}
# What no customer may read: the book's own keys and ids.
INTERNAL = ("lunar_new_year", "mid_autumn", "holiday.", "rep-0", "${", "None", *sorted(ERP_IDS))


def _by_email(store: SqliteStore) -> dict[str, Contact]:
    people = [c for a in store.accounts() for c in store.contacts(a.id)]
    return {address: c for c in people for address in c.emails if address in ACCOUNT_OF}


def _person(people: dict[str, Contact], address: str) -> Contact:
    contact = people.get(address)
    assert contact is not None, f"no stored contact writes from {address}"
    return contact


def _task_of(entry: OutboxEntry, tasks: dict[str, CareTask]) -> CareTask:
    task = tasks.get(entry.key)
    assert task is not None, f"outbox entry {entry.key!r} is no task of the stored schedule"
    return task


# -- the steps, each on a copy of the store the step before left ---------------------------


class Stage(NamedTuple):
    """The store after a step, and the commands of the step that failed (the later steps
    run on what was stored, so one run shows every gap)."""

    db: Path
    failed: list[str]


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Stage:
    """The book after every import."""
    db = fresh_folder(tmp_path_factory.mktemp("imported"))
    return Stage(db, attempt(db, *IMPORTS))


@pytest.fixture(scope="module")
def cared(imported: Stage, tmp_path_factory: pytest.TempPathFactory) -> Stage:
    """The book tiered, with one contact opted out and the care window scheduled."""
    db = copy_store(imported.db, tmp_path_factory.mktemp("cared"))
    failed = attempt(db, ("tier",))
    with SqliteStore(db) as store:
        leaving = _by_email(store).get(OPTED_OUT)
    if leaving is None:
        failed.append(f"no contact writes from {OPTED_OUT}: nobody to opt out")
    else:
        failed += attempt(db, ("contacts", "opt-out", leaving.id))
    failed += attempt(db, ("care", "--from", CARE_FROM, "--to", CARE_TO))
    return Stage(db, failed)


class Sent(NamedTuple):
    """The book after ``notify --send``: its store, what the server received, the
    command's outcome (messages by outcome) and the outbox before sending."""

    db: Path
    recorder: SmtpRecorder
    outcome: dict[str, int]
    before: tuple[OutboxEntry, ...]


@pytest.fixture(scope="module")
def sent(cared: Stage, tmp_path_factory: pytest.TempPathFactory) -> Sent:
    """The queued messages sent through a real SMTP server on loopback."""
    db = copy_store(cared.db, tmp_path_factory.mktemp("sent"))
    with SqliteStore(db) as store:
        before = store.outbox()
    recorder: SmtpRecorder
    with smtp_server() as (port, recorder):
        rows = json_rows(
            db, "notify", "--send", "--via", "smtp", "--smtp-host", "127.0.0.1",
            "--smtp-port", str(port), "--sender", "care@globex.example", as_of=SENT_AS_OF,
        )  # fmt: skip
    return Sent(db, recorder, {r["outcome"]: r["messages"] for r in rows}, before)


def test_every_command_of_the_book_succeeds(imported: Stage, cared: Stage) -> None:
    assert not imported.failed + cared.failed, "\n".join(imported.failed + cared.failed)


# -- imports -----------------------------------------------------------------------------


def test_the_book_has_the_erp_accounts_and_no_others(imported: Stage) -> None:
    with SqliteStore(imported.db) as store:
        accounts = store.accounts()
    assert sorted(a.id for a in accounts) == sorted(ERP_IDS)
    assert {a.id: a.owner for a in accounts}["C1006"] == "rep-02"
    listed = json_rows(imported.db, "accounts")
    assert sorted(r["id"] for r in listed) == sorted(ERP_IDS)


def test_the_company_and_reps_are_stored_as_given(imported: Stage) -> None:
    with SqliteStore(imported.db) as store:
        company = store.company()
        reps = {r.id: r for r in store.reps()}
    assert company == Company("Globex Trading", names={"zh": "环球贸易", "ko": "글로벡스"})
    assert sorted(reps) == ["rep-01", "rep-02", "rep-03"]
    assert (reps["rep-01"].name_for("zh-CN"), reps["rep-01"].name_for("ko")) == ("李娜", "이나")
    assert reps["rep-02"].email == "minji.kim@globex.example"
    assert reps["rep-03"].name_for("en") == "John Carter"


def test_every_contact_joins_its_erp_account_once(imported: Stage) -> None:
    with SqliteStore(imported.db) as store:
        people = [c for a in store.accounts() for c in store.contacts(a.id)]
        by_email = _by_email(store)
    assert len(people) == len(ACCOUNT_OF), sorted((c.account_id, c.name) for c in people)
    assert {address: c.account_id for address, c in by_email.items()} == ACCOUNT_OF
    numbers = [p.e164 for c in people for p in c.phones]
    assert len(numbers) == len(set(numbers)), "a number is on two contacts: a missed merge"
    wang = _person(by_email, "wang.wei@huadong-elec.example")  # Android then Google
    assert set(wang.emails) == {"wang.wei@huadong-elec.example", "wangwei1980@example.cn"}
    assert {p.e164 for p in wang.phones} == {"+8613800138000", "+862164852000"}
    listed = json_rows(imported.db, "contacts")
    assert {r["id"]: r["account"] for r in listed} == {c.id: c.account_id for c in people}


def test_numbers_say_where_a_contact_lives(imported: Stage) -> None:
    with SqliteStore(imported.db) as store:
        by_email = _by_email(store)
    park = _person(by_email, "jihoon.park@hanbitsoft.example")  # +82 in the Chinese phone's file
    assert (park.country, park.time_zone) == ("KR", "Asia/Seoul")
    assert park.locale.startswith("ko")
    lee = _person(by_email, "seojun.lee@hanbitsoft.example")
    assert [p.e164 for p in lee.phones] == ["+821098765432"]
    choi = _person(by_email, "yujin.choi@daesung-ind.example")
    assert "+821022223333" in {p.e164 for p in choi.phones}
    for address, contact in by_email.items():
        mobile = contact.phones[0].e164 or ""
        country = next(c for code, c in COUNTRY_CODES.items() if mobile.startswith(code))
        assert contact.country == country, address
        if country != "US":
            assert contact.locale.split("-")[0] == {"CN": "zh", "KR": "ko"}[country], address
        assert Channel.EMAIL in contact.consents, address
        assert contact.consent_log, f"{address}: consent given with no evidence kept"


# -- tiers, opting out, care ---------------------------------------------------------------


def test_tiers_follow_a_year_of_erp_orders(cared: Stage) -> None:
    start = AS_OF - relativedelta(months=12)
    with SqliteStore(cared.db) as store:
        book = load_book(store)
        stored = {a.account_id: a.tier for a in store.tier_assignments("abc", AS_OF)}
    revenue = {a.id: Decimal(0) for a in book.accounts}
    for order in book.orders:
        if start <= order.ordered_on < AS_OF:
            revenue[order.account_id] += order.amount
    expected = AbcPolicy().assign(revenue).labels()
    assert stored == expected
    assert expected[max(revenue, key=revenue.__getitem__)] == "A"
    assert len(set(expected.values())) == 3


def test_the_opted_out_contact_gets_nothing(cared: Stage) -> None:
    with SqliteStore(cared.db) as store:
        leaving = _person(_by_email(store), OPTED_OUT)
        schedule = store.care_schedule("current")
        outbox = store.outbox()
    assert leaving.opted_out
    assert leaving.consent_log[-1].action is ConsentAction.OPTED_OUT
    assert schedule is not None
    assert all(t.contact_id != leaving.id for t in schedule.tasks)
    assert all(not e.key.startswith(f"{leaving.id}|") for e in outbox)


def test_holiday_greetings_name_the_festival_on_its_day_signed_by_the_rep(cared: Stage) -> None:
    with SqliteStore(cared.db) as store:
        people = _by_email(store)
        accounts = {a.id: a for a in store.accounts()}
        reps = {r.id: r for r in store.reps()}
        company = store.company()
        schedule = store.care_schedule("current")
        outbox = store.outbox()
    assert schedule is not None
    tasks = {t.key: t for t in schedule.tasks}
    greeted = {
        _task_of(e, tasks).contact_id: e.message
        for e in outbox
        if _task_of(e, tasks).kind is CareKind.HOLIDAY_GREETING
    }
    # Every greeting judged, so one run shows every gap.
    wrong = [f"{address}: not stored" for address in sorted(set(ACCOUNT_OF) - set(people))]
    for address, contact in people.items():
        if contact.country not in HOLIDAY_NAME or address == OPTED_OUT:
            continue
        message = greeted.get(contact.id)
        if message is None:
            wrong.append(f"{address} ({contact.country}): no holiday greeting")
            continue
        festival = {d.key: d.on for d in greeting_days(contact.country, AS_OF.year)}
        ahead = DEFAULT_CARE_RULES.greeting_offset(contact.country, "lunar_new_year")
        day = festival["lunar_new_year"] - timedelta(days=ahead)
        local = datetime.combine(day, DEFAULT_CARE_RULES.local_time, ZoneInfo(contact.time_zone))
        if message.due_at != local:
            wrong.append(f"{address}: due {message.due_at}, not {local}")
        if HOLIDAY_NAME[contact.country] not in message.subject + message.text:
            wrong.append(f"{address}: {HOLIDAY_NAME[contact.country]} not named")
        owner = accounts[contact.account_id].owner or ""
        rep, locale = reps.get(owner), contact.locale
        signers = (
            rep.name_for(locale) if rep else None,
            company.name_for(locale) if company else None,
        )
        for who in signers:
            if who is None:
                wrong.append(f"{address}: the rep {owner!r} or the company is not stored")
            elif who not in message.text:
                wrong.append(f"{address}: not signed {who!r}: ...{message.text[-40:]!r}")
    assert not wrong, "\n".join(wrong)


def test_no_message_shows_an_internal_key_or_a_doubled_space(cared: Stage) -> None:
    with SqliteStore(cared.db) as store:
        outbox = store.outbox()
    assert outbox
    wrong = [
        f"{entry.key}: {shown!r} in ...{text[max(at - 30, 0) : at + 30]!r}..."
        for entry in outbox
        for text in (entry.message.subject, entry.message.text, entry.message.html or "")
        for shown in (*INTERNAL, "  ")
        if (at := text.find(shown)) >= 0
    ]
    assert not wrong, "\n".join(wrong)


def test_rep_actions_are_in_the_reps_tasks_and_never_in_the_outbox(cared: Stage) -> None:
    with SqliteStore(cared.db) as store:
        schedule = store.care_schedule("current")
        owners = {a.id: a.owner for a in store.accounts()}
        names = {r.id: r.name for r in store.reps()}
        queued = {e.key for e in store.outbox()}
    assert schedule is not None
    actions = [t for t in schedule.tasks if DEFAULT_CARE_RULES.is_rep_action(t.kind, t.channel)]
    assert all(t.key not in queued for t in actions)
    listed = json_rows(cared.db, "outbox")
    assert {r["key"] for r in listed} == queued
    assert all(Channel(r["channel"]) in MESSAGE_CHANNELS for r in listed)
    called = 0
    for rep in ("rep-01", "rep-02", "rep-03"):
        rows = json_rows(cared.db, "tasks", "--rep", rep, "--from", CARE_FROM, "--to", CARE_TO)
        assert {r["key"] for r in rows} == {t.key for t in actions if owners[t.account_id] == rep}
        assert {r["rep name"] for r in rows} <= {names[rep]}
        called += sum(r["kind"] == CareKind.RELATIONSHIP_CALL.value for r in rows)
    assert called > 0, "no relationship call reached a rep's tasks"


# -- the mailbox ---------------------------------------------------------------------------


def test_every_queued_email_arrives(sent: Sent) -> None:
    db, recorder, outcome, before = sent
    emails = {e.key: e.message for e in before if e.message.channel is Channel.EMAIL}
    assert emails
    assert outcome["dead letters"] == 0
    assert outcome["sent"] == len(emails) == len(recorder.messages)
    assert sorted(recorder.keys()) == sorted(emails)
    for key, received, (_, recipients) in zip(
        recorder.keys(), recorder.messages, recorder.envelopes, strict=True
    ):
        assert recipients == [emails[key].recipient.address]
        assert str(received["Subject"]) == emails[key].subject
    with SqliteStore(db) as store:
        assert store.outbox(OutboxStatus.DEAD) == ()
        assert {e.key for e in store.outbox(OutboxStatus.SENT)} == set(emails)


def test_importing_every_file_again_changes_nothing(
    sent: Sent, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from accountcare.testing import store_dump

    db = copy_store(sent.db, tmp_path_factory.mktemp("again"))
    with SqliteStore(db) as store:
        dumped = store_dump(store)
    failed = attempt(db, *IMPORTS)
    assert not failed, "\n".join(failed)
    with SqliteStore(db) as store:
        assert store_dump(store) == dumped
        assert _person(_by_email(store), OPTED_OUT).opted_out


def test_phones_first_then_the_erp_leaves_the_same_book(
    imported: Stage, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A rep imports the phones on Monday and the ERP's files arrive on Tuesday: the
    accounts the phones' company names made are adopted by the ERP's and retired."""
    first = fresh_folder(tmp_path_factory.mktemp("phones-first"))
    phones = [c for c in IMPORTS if c[:2] == ("import", "contacts")]
    team = [c for c in IMPORTS if c[0] == "company" or c[:2] == ("import", "reps")]
    failed = attempt(first, *team, *phones)
    with SqliteStore(first) as store:
        made = {a.id for a in store.accounts()}
    assert any(i.startswith("a-") for i in made), "the phones alone made no accounts"
    failed += attempt(first, ("import", "accounts", "erp_accounts.csv"))
    failed += attempt(first, ("import", "orders", "erp_orders.csv", "--currency", "CNY"))
    assert not failed, "\n".join(failed)
    with SqliteStore(first) as store, SqliteStore(imported.db) as reference:
        assert sorted(a.id for a in store.accounts()) == sorted(ERP_IDS)
        ours = {a: c.account_id for a, c in _by_email(store).items()}
        theirs = {a: c.account_id for a, c in _by_email(reference).items()}
        assert ours == theirs == ACCOUNT_OF


def test_a_new_erp_export_keeps_what_the_user_curated(
    imported: Stage, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The ERP's export lacks the tags and notes the team added: importing it again
    updates what it carries and keeps the rest."""
    db = copy_store(imported.db, tmp_path_factory.mktemp("curated"))
    with SqliteStore(db) as store:
        account = store.account("C1001")
        assert account is not None
        curated = attrs.evolve(account, tags={"key account", "family"}, industry="电子元件")
        store.write(Batch(accounts=[curated]))
    failed = attempt(db, ("import", "accounts", "erp_accounts.csv"))
    assert not failed, "\n".join(failed)
    with SqliteStore(db) as store:
        kept = store.account("C1001")
    assert kept is not None
    assert kept.tags >= {"key account", "family"}
    assert kept.industry == "电子元件"  # the ERP's file has no industry column
    assert (kept.name, kept.owner) == (account.name, account.owner)
