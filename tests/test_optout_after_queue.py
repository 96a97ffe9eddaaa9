"""An opt-out or a withdrawn consent after the care was scheduled stops what is already
queued or planned: the dispatcher asks the contact's consent again right before each
send, and the reps' worklist leaves out the actions the contact may no longer get.

On a real SQLite file, through the command line as a user types it and through the
services.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, time, timedelta
from itertools import repeat
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accountcare.adapters.memory import MemoryStore
from accountcare.adapters.notify.console import ConsoleNotifier
from accountcare.adapters.sqlite import SqliteStore
from accountcare.cli import _commands  # noqa: F401  (registers every command)
from accountcare.cli._commands import run
from accountcare.domain import Account, Channel, Contact, Delivery, Message, Recipient
from accountcare.domain.care import CareKind, CareSchedule, CareTask
from accountcare.domain.care_rules import MESSAGE_CHANNELS
from accountcare.domain.contacts import ConsentAction, ConsentEvent, PhoneNumber
from accountcare.domain.outbox import OutboxStatus
from accountcare.ports.store import Batch, Store
from accountcare.services.outbox import Dispatcher, enqueue, withheld_because
from accountcare.services.worklist import worklist

ERP = (
    "id,name,short_name,owner\nC1001,上海华东电子有限公司,,rep-li\nC1002,(주)한빛소프트,,rep-kim\n"
)
CONTACTS = (
    "Name,Mobile,Email,Company,Title,Birthday\n"
    "王伟,138 0013 8000,wang@huadong.cn,上海华东电子,总经理,1975-11-19\n"
    "김민지,+82 10-1234-5678,minji@hanbit.kr,한빛소프트 주식회사,팀장,\n"
)
BIRTHDAY = "|birthday|2026-11-19|email"


class Cli:
    """``accountcare --db FILE --as-of DAY ...`` in ``folder``, with what it printed."""

    def __init__(self, folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.folder, self.db, self.capsys = folder, folder / "book.sqlite3", capsys

    def __call__(self, on: str, *args: str) -> tuple[int, str, str]:
        self.capsys.readouterr()
        code = run(["--db", str(self.db), "--as-of", on, *args])
        out, err = self.capsys.readouterr()
        return code, out, err

    def json(self, on: str, *args: str) -> list[dict[str, Any]]:
        code, out, err = self(on, "--format", "json", *args)
        assert code == 0, err
        rows = json.loads(out)
        assert isinstance(rows, list)
        return rows

    def file(self, name: str, text: str) -> str:
        path = self.folder / name
        path.write_text(text, encoding="utf-8")
        return str(path)


@pytest.fixture
def cared(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Cli:
    """A book imported on 2026-11-02 with consent to email, sms and phone, and a month of
    care scheduled: 王伟's birthday email of 2026-11-19 is queued, his call is planned."""
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.delenv("ACCOUNTCARE_DB", raising=False)
    cli = Cli(tmp_path, capsys)
    cli.json("2026-11-02", "import", "accounts", cli.file("erp.csv", ERP))
    cli.json("2026-11-02", "import", "contacts", cli.file("contacts.csv", CONTACTS),
             "--country", "CN", "--consent", "email,sms,phone")  # fmt: skip
    cli.json("2026-11-02", "care", "--from", "2026-11-02", "--to", "2026-12-02")
    return cli


def _wang(cli: Cli) -> str:
    (row,) = [r for r in cli.json("2026-11-02", "contacts") if r["name"] == "王伟"]
    return str(row["id"])


def _entry(cli: Cli, key: str) -> dict[str, Any]:
    (row,) = [r for r in cli.json("2026-11-20", "outbox") if r["key"] == key]
    return row


def test_an_opt_out_after_queuing_sends_nothing_and_leaves_a_dead_letter(cared: Cli) -> None:
    wang = _wang(cared)
    key = wang + BIRTHDAY
    assert _entry(cared, key)["status"] == "pending"
    cared.json("2026-11-03", "contacts", "opt-out", wang)
    _, out, err = cared("2026-11-20", "notify", "--send", "--via", "console")
    assert key not in out + err  # the console notifier writes what it sends on stderr
    assert "wang@huadong.cn" not in out + err
    dead = _entry(cared, key)
    assert (dead["status"], dead["attempts"], dead["last error"]) == (
        "dead", 1, "not sent: the contact opted out",
    )  # fmt: skip
    # Never retried: later runs leave it as it is.
    _, out, err = cared("2026-11-30", "notify", "--send", "--via", "console")
    assert key not in out + err
    assert _entry(cared, key) == dead


def test_notify_reports_the_withheld_message_and_succeeds(cared: Cli) -> None:
    cared.json("2026-11-03", "contacts", "opt-out", _wang(cared))
    code, out, err = cared("2026-11-20", "--format", "json", "notify", "--send", "--via",
                           "console")  # fmt: skip
    assert code == 0, err
    assert {"outcome": "withheld: no consent", "messages": 1} in json.loads(out)


def test_the_same_birthday_is_sent_without_the_opt_out(cared: Cli) -> None:
    key = _wang(cared) + BIRTHDAY
    code, _, err = cared("2026-11-20", "notify", "--send", "--via", "console")
    assert code == 0, err
    assert f"=== {key}: email to 王伟 <wang@huadong.cn>" in err
    assert _entry(cared, key)["status"] == "sent"


def test_tasks_drops_the_calls_of_a_contact_who_opted_out(cared: Cli) -> None:
    wang = _wang(cared)
    before = cared.json("2026-11-03", "tasks")
    assert [(r["contact"], r["kind"]) for r in before if r["contact"] == wang] == [
        (wang, "relationship_call")
    ]
    cared.json("2026-11-03", "contacts", "opt-out", wang)
    code, out, err = cared("2026-11-03", "--format", "json", "tasks")
    assert code == 0, err
    after = json.loads(out)
    assert [r["key"] for r in after] == [r["key"] for r in before if r["contact"] != wang]
    assert err.strip() == "1 task left out: the contact opted out"
    cared.json("2026-11-03", "contacts", "opt-in", wang)
    code, out, err = cared("2026-11-03", "--format", "json", "tasks")
    assert (json.loads(out), err) == (before, "")


def test_tasks_drops_a_call_once_the_phone_consent_is_withdrawn(cared: Cli) -> None:
    wang = _wang(cared)
    cared.json("2026-11-03", "contacts", "withdraw", "--channels", "phone", wang)
    code, out, err = cared("2026-11-03", "--format", "json", "tasks")
    assert code == 0, err
    assert wang not in {r["contact"] for r in json.loads(out)}
    assert err.strip() == "1 task left out: no consent to phone"


# -- the services, on a SQLite file --------------------------------------------------------

DUE = datetime(2027, 3, 2, 1, tzinfo=UTC)
HUADONG = Account(id="huadong", name="上海华东电子有限公司", owner="rep-li")
WANG = Contact(
    id="c-wang",
    account_id="huadong",
    name="王伟",
    locale="zh-Hans",
    time_zone="Asia/Shanghai",
    country="CN",
    emails=["wang@huadong.cn"],
    phones=[PhoneNumber("138 0013 8000", "+8613800138000")],
    channels=[Channel.EMAIL, Channel.SMS, Channel.MESSENGER, Channel.PHONE],
    consents=[Channel.EMAIL, Channel.SMS, Channel.MESSENGER, Channel.PHONE],
)
ADDRESSES = {Channel.EMAIL: "wang@huadong.cn", Channel.SMS: "+8613800138000",
             Channel.MESSENGER: "wechat:wangwei"}  # fmt: skip


def _message(channel: Channel, due_at: datetime = DUE, contact: str = "c-wang") -> Message:
    return Message(
        key=f"{contact}|birthday|{due_at.date()}|{channel.value}",
        channel=channel,
        recipient=Recipient(contact, "王伟", ADDRESSES[channel], "zh-Hans"),
        subject="生日快乐",
        text="王总，祝您生日快乐！",
        due_at=due_at,
    )


def _record(store: Store, action: ConsentAction, *channels: Channel, on: int = 3) -> None:
    contact = store.contact("c-wang")
    assert contact is not None
    event = ConsentEvent(date(2027, 3, 1) + timedelta(on), action, "call with 王伟", channels)
    store.write(Batch(contacts=[contact.recording(event)]))


@pytest.fixture
def sqlite(tmp_path: Path) -> Any:
    with SqliteStore(tmp_path / "book.sqlite3") as store:
        store.write(Batch(accounts=[HUADONG], contacts=[WANG]))
        yield store


def _dispatch(store: Store, at: datetime = DUE) -> tuple[Any, str]:
    console = io.StringIO()
    report = Dispatcher(store, ConsoleNotifier(console), clock=lambda: at).dispatch_due()
    return report, console.getvalue()


def test_a_withdrawn_sms_consent_withholds_the_sms_and_not_the_email(sqlite: Store) -> None:
    sms, email = _message(Channel.SMS), _message(Channel.EMAIL)
    enqueue(sqlite, [sms, email])
    _record(sqlite, ConsentAction.WITHDRAWN, Channel.SMS)
    report, printed = _dispatch(sqlite)
    assert (report.sent, report.withheld, report.dead) == ((email.key,), (sms.key,), ())
    assert email.key in printed
    assert sms.key not in printed
    withheld = sqlite.outbox_entry(sms.key)
    assert withheld is not None
    assert withheld.status is OutboxStatus.DEAD
    assert withheld.last_error == "not sent: no consent to sms"


def test_a_contact_who_opts_in_again_before_the_send_gets_the_message(sqlite: Store) -> None:
    email = _message(Channel.EMAIL)
    enqueue(sqlite, [email])
    _record(sqlite, ConsentAction.OPTED_OUT, on=3)
    _record(sqlite, ConsentAction.OPTED_IN, on=5)
    report, printed = _dispatch(sqlite)
    assert report.sent == (email.key,)
    assert "王总，祝您生日快乐！" in printed
    contact = sqlite.contact("c-wang")
    assert contact is not None
    assert [e.action for e in contact.consent_log] == [
        ConsentAction.OPTED_OUT, ConsentAction.OPTED_IN,
    ]  # fmt: skip


def test_a_withheld_message_queued_again_after_an_opt_in_is_sent(sqlite: Store) -> None:
    email = _message(Channel.EMAIL)
    enqueue(sqlite, [email])
    _record(sqlite, ConsentAction.OPTED_OUT)
    assert _dispatch(sqlite)[0].withheld == (email.key,)
    assert _dispatch(sqlite, DUE + timedelta(days=1))[0].handled == 0  # never retried
    _record(sqlite, ConsentAction.OPTED_IN, on=6)
    later = DUE + timedelta(days=6)
    assert sqlite.retry_outbox(email.key, later) is not None
    report, printed = _dispatch(sqlite, later)
    assert report.sent == (email.key,)
    assert email.key in printed


def test_a_message_to_a_contact_no_longer_stored_is_withheld(sqlite: Store) -> None:
    gone = _message(Channel.EMAIL, contact="c-gone")
    enqueue(sqlite, [gone])
    report, printed = _dispatch(sqlite)
    entry = sqlite.outbox_entry(gone.key)
    assert (report.withheld, printed) == ((gone.key,), "")
    assert entry is not None
    assert entry.last_error == "not sent: the contact is no longer stored"


# -- the law: whatever consent events follow queuing ------------------------------------


class Checking:
    """A notifier on every message channel that records, for each send, whether the
    stored contact may be reached on the message's channel at that moment."""

    channels = frozenset(MESSAGE_CHANNELS)

    def __init__(self, store: Store) -> None:
        self.store = store
        self.sends: list[tuple[str, bool]] = []

    def send(self, message: Message) -> Delivery:
        contact = self.store.contact(message.recipient.contact_id)
        allowed = contact is not None and contact.may_contact(message.channel)
        self.sends.append((message.key, allowed))
        return Delivery(key=message.key, ok=True)


_channels = st.frozensets(st.sampled_from(sorted(MESSAGE_CHANNELS, key=lambda c: c.value)),
                          min_size=1)  # fmt: skip
_events = st.one_of(
    st.tuples(st.sampled_from([ConsentAction.GIVEN, ConsentAction.WITHDRAWN]), _channels),
    st.tuples(st.sampled_from([ConsentAction.OPTED_OUT, ConsentAction.OPTED_IN]),
              st.just(frozenset[Channel]())),
)  # fmt: skip
_steps = st.lists(st.one_of(_events, st.just("dispatch")), max_size=14)


@settings(max_examples=150, deadline=None)
@given(steps=_steps, days=st.lists(st.integers(0, 6), min_size=1, max_size=6))
def test_a_message_is_sent_only_if_the_contact_may_be_reached_at_the_send(
    steps: list[Any], days: list[int]
) -> None:
    store = MemoryStore()
    store.write(Batch(accounts=[HUADONG], contacts=[WANG]))
    channels = sorted(MESSAGE_CHANNELS, key=lambda c: c.value)
    queued = [
        _message(channels[n % len(channels)], DUE + timedelta(days=day))
        for n, day in enumerate(days)
    ]
    queued = list({m.key: m for m in queued}.values())
    enqueue(store, queued)
    notifier, now, withheld = Checking(store), DUE, {}
    for step in [*steps, "dispatch"]:
        if step != "dispatch":
            _record(store, step[0], *step[1], on=(now - DUE).days)
            continue
        contact = store.contact("c-wang")
        assert contact is not None
        report = Dispatcher(store, notifier, clock=repeat(now).__next__).dispatch_due()
        for key in report.withheld:
            entry = store.outbox_entry(key)
            assert entry is not None
            why = withheld_because(contact, entry.message.channel)
            assert why is not None  # withheld only when the contact may not be reached
            assert (entry.status, entry.last_error) == (OutboxStatus.DEAD, f"not sent: {why}")
            withheld[key] = entry
        sent = {key for key, _ in notifier.sends}
        assert set(report.sent) <= sent
        assert all(contact.may_contact(e.message.channel) for e in store.outbox(OutboxStatus.SENT)
                   if e.key in report.sent)  # fmt: skip
        now += timedelta(days=1)
    assert all(allowed for _, allowed in notifier.sends)
    assert len(notifier.sends) == len({key for key, _ in notifier.sends})  # each at most once
    for key, entry in withheld.items():  # never retried, never sent afterwards
        assert store.outbox_entry(key) == entry
        assert key not in {k for k, _ in notifier.sends}


# -- the worklist law ------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(steps=st.lists(_events, max_size=8))
def test_the_worklist_lists_exactly_the_actions_the_contact_may_still_get(
    steps: list[Any],
) -> None:
    on = date(2027, 3, 2)
    call = CareTask("c-wang", "huadong", on, time(9, 30), "Asia/Shanghai", Channel.PHONE,
                    CareKind.RELATIONSHIP_CALL, "call.A", "every 14 days")  # fmt: skip
    check = attrs.evolve(call, kind=CareKind.REVERIFICATION, channel=Channel.EMAIL,
                         template_key="reverification")  # fmt: skip
    schedule = CareSchedule(on, on + timedelta(days=1), tasks=[call, check])
    contact = WANG
    for n, (action, channels) in enumerate(steps):
        contact = contact.recording(ConsentEvent(on + timedelta(n), action, "form", channels))
    items = worklist(schedule, accounts=[HUADONG], contacts=[contact], what=lambda t: "")
    kept = {t.key for t in (call, check) if contact.may_contact(t.channel)}
    assert {i.key for i in items} == kept
    reasons = [withheld_because(contact, t.channel) for t in (call, check)]
    expected: dict[str, int] = {}
    for why in reasons:
        if why is not None:
            expected[why] = expected.get(why, 0) + 1
    assert dict(items.left_out) == expected
    assert sum(n for _, n in items.left_out) + len(items) == 2
