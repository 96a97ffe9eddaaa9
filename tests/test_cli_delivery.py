"""Delivery from the command line, on a real SQLite file and a real SMTP server: messages go
to the outbox and out through the notifier ``--via`` names, rep actions go to ``tasks``,
and dead letters come back with ``outbox retry``.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import attrs
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from accountcare.adapters.ics import event_uid
from accountcare.adapters.notify import generate_secret, verify_webhook
from accountcare.adapters.sqlite import SqliteStore
from accountcare.cli import main
from accountcare.domain.accounts import Account
from accountcare.domain.care_rules import DEFAULT_CARE_RULES, MESSAGE_CHANNELS
from accountcare.domain.contacts import Channel, Contact
from accountcare.domain.messages import Message, Recipient
from accountcare.domain.outbox import OutboxStatus
from accountcare.domain.team import Company, Rep
from accountcare.ports.store import Batch
from accountcare.sample import sample_book
from accountcare.services.book import save_book
from accountcare.services.worklist import rep_worklist
from notify_servers import HttpRecorder, SmtpRecorder, free_port, http_server, smtp_server

AS_OF = date(2026, 11, 2)
SENT_ON = "2026-11-05"  # notify runs at the end of this day: four days of care are due
_ENVIRONMENT = (
    "ACCOUNTCARE_DB", "ACCOUNTCARE_SMTP_HOST", "ACCOUNTCARE_SMTP_PORT", "ACCOUNTCARE_SMTP_USER",
    "ACCOUNTCARE_SMTP_PASSWORD", "ACCOUNTCARE_SMTP_SENDER", "ACCOUNTCARE_SMTP_SSL",
    "ACCOUNTCARE_SMTP_STARTTLS", "ACCOUNTCARE_WEBHOOK_URL", "ACCOUNTCARE_WEBHOOK_SECRET",
)  # fmt: skip


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    for name in _ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)


def cli(
    capsys: pytest.CaptureFixture[str], db: Path, *args: str, on: str = SENT_ON
) -> tuple[int, str, str]:
    code = main(["--db", str(db), "--as-of", on, *args])
    out, err = capsys.readouterr()
    return code, out, err


def rows(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> list[dict[str, Any]]:
    code, out, err = cli(capsys, db, "--format", "json", *args)
    assert code == 0, err
    found = json.loads(out)
    assert isinstance(found, list)
    return found


@pytest.fixture
def cared(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A store file with a book, its reps and company, and two weeks of care scheduled."""
    db = tmp_path / "book.sqlite3"
    with SqliteStore(db) as store:
        save_book(store, sample_book(accounts=40, as_of=AS_OF))
        reps = [Rep(f"rep-0{n}", name, locale="en") for n, name in ((1, "Li Na"), (2, "Kim Minji"))]
        store.write(Batch(reps=reps, company=Company("Globex", names={"zh": "环球"})))
    code, _, err = cli(capsys, db, "care", "--from", "2026-11-02", "--to", "2026-11-16")
    assert code == 0, err
    return db


def _due(db: Path) -> list[Message]:
    end_of_day = datetime(2026, 11, 5, 23, 59, 59, 999999, tzinfo=UTC)
    with SqliteStore(db) as store:
        pending = store.outbox(OutboxStatus.PENDING)
    return [e.message for e in pending if e.next_attempt_at <= end_of_day]


def test_every_due_email_arrives_other_channels_wait_and_calls_never_queue(
    cared: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with SqliteStore(cared) as store:
        schedule = store.care_schedule("current")
        queued = {e.key: e for e in store.outbox()}
    assert schedule is not None
    actions = [t for t in schedule.tasks if DEFAULT_CARE_RULES.is_rep_action(t.kind, t.channel)]
    assert any(t.channel is Channel.PHONE for t in actions)
    assert all(t.key not in queued for t in actions)
    assert all(e.message.channel in MESSAGE_CHANNELS for e in queued.values())
    due = _due(cared)
    emails = sorted(m.key for m in due if m.channel is Channel.EMAIL)
    others = sorted(m.key for m in due if m.channel is not Channel.EMAIL)
    assert emails
    assert others

    recorder: SmtpRecorder
    with smtp_server() as (port, recorder):
        # Configured from the environment alone.
        monkeypatch.setenv("ACCOUNTCARE_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("ACCOUNTCARE_SMTP_PORT", str(port))
        monkeypatch.setenv("ACCOUNTCARE_SMTP_SENDER", "care@globex.example")
        outcome = {r["outcome"]: r["messages"] for r in rows(capsys, cared, "notify", "--send",
                                                              "--via", "smtp")}  # fmt: skip
    assert sorted(recorder.keys()) == emails
    assert all(sender == "care@globex.example" for sender, _ in recorder.envelopes)
    assert outcome["sent"] == len(emails)
    assert outcome["dead letters"] == outcome["to retry"] == 0
    waiting = {m.key: m.channel.value for m in due if m.channel is not Channel.EMAIL}
    for channel in set(waiting.values()):
        count = sum(c == channel for c in waiting.values())
        assert outcome[f"left queued: no notifier for {channel}"] == count
    with SqliteStore(cared) as store:
        assert sorted(e.key for e in store.outbox(OutboxStatus.SENT)) == emails
        assert store.outbox(OutboxStatus.DEAD) == ()
        left = [store.outbox_entry(key) for key in others]
    assert all(e is not None and (e.status, e.attempts) == (OutboxStatus.PENDING, 0) for e in left)

    # A signed webhook, configured from the environment, takes what SMTP could not.
    secret = generate_secret()
    monkeypatch.setenv("ACCOUNTCARE_WEBHOOK_SECRET", secret)
    hooks: HttpRecorder
    with http_server() as (url, hooks):
        monkeypatch.setenv("ACCOUNTCARE_WEBHOOK_URL", url)
        posted = {r["outcome"]: r["messages"] for r in rows(capsys, cared, "notify", "--send",
                                                            "--via", "webhook")}  # fmt: skip
    assert posted["sent"] == len(others)
    assert sorted(hooks.keys()) == others
    for headers, body in hooks.requests:
        verify_webhook(headers, body, secret)
    with SqliteStore(cared) as store:
        assert store.outbox(OutboxStatus.DEAD) == ()
        assert {e.key for e in store.outbox(OutboxStatus.SENT)} == set(emails) | set(others)


def test_send_without_via_is_a_usage_error_naming_via(
    cared: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli(capsys, cared, "notify", "--send")
    assert code == 2
    assert "--via" in err
    with SqliteStore(cared) as store:
        assert store.outbox(OutboxStatus.SENT) == ()


@pytest.mark.parametrize(
    ("args", "environment", "named"),
    [
        (("--via", "smtp"), {}, "--sender"),
        (("--via", "smtp", "--sender", "a@b.example", "--smtp-user", "care"), {},
         "ACCOUNTCARE_SMTP_PASSWORD"),
        (("--via", "smtp", "--sender", "a@b.example"), {"ACCOUNTCARE_SMTP_PASSWORD": "pw"},
         "--smtp-user"),
        (("--via", "smtp", "--sender", "a@b.example", "--ssl"),
         {"ACCOUNTCARE_SMTP_STARTTLS": "1"}, "--starttls"),
        (("--via", "smtp", "--sender", "not-an-address"), {}, "--via smtp"),
        (("--via", "webhook",), {}, "--webhook-url"),
        (("--via", "webhook",), {"ACCOUNTCARE_WEBHOOK_URL": "http://127.0.0.1:9/hook"},
         "ACCOUNTCARE_WEBHOOK_SECRET"),
        (("--via", "webhook", "--webhook-url", "ftp://x"), {"ACCOUNTCARE_WEBHOOK_SECRET": "s"},
         "--via webhook"),
        (("--via", "apprise"), {}, "--apprise-url"),
    ],
)  # fmt: skip
def test_bad_notifier_settings_are_one_line_naming_the_setting(
    cared: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    environment: dict[str, str],
    named: str,
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    code, out, err = cli(capsys, cared, "notify", "--send", *args)
    assert code == 1, (out, err)
    assert named in err
    assert len(err.strip().splitlines()) == 1
    with SqliteStore(cared) as store:
        assert store.outbox(OutboxStatus.SENT) == store.outbox(OutboxStatus.DEAD) == ()


def test_the_password_is_read_from_the_environment_only(
    cared: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = cli(capsys, cared, "notify", "--send", "--via", "smtp", "--smtp-password", "x")
    assert code == 2
    assert "--smtp-password" in err
    logins: list[tuple[bytes, bytes]] = []

    def authenticator(
        server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret pass")

    recorder = SmtpRecorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, ready_timeout=10.0,
                            authenticator=authenticator, auth_require_tls=False)  # fmt: skip
    controller.start()
    try:
        monkeypatch.setenv("ACCOUNTCARE_SMTP_USER", "care")
        monkeypatch.setenv("ACCOUNTCARE_SMTP_PASSWORD", "s3cret pass")
        outcome = {r["outcome"]: r["messages"] for r in rows(
            capsys, cared, "notify", "--send", "--via", "smtp", "--smtp-port", str(port),
            "--sender", "care@globex.example")}  # fmt: skip
    finally:
        controller.stop()
    assert logins
    assert set(logins) == {(b"care", b"s3cret pass")}
    assert outcome["sent"] == len(recorder.messages) > 0


def test_notify_exits_1_when_messages_were_due_and_none_was_sent(
    cared: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    closed = free_port()  # nothing listens there
    code, out, err = cli(capsys, cared, "--format", "json", "notify", "--send", "--via", "smtp",
                         "--smtp-port", str(closed), "--sender", "care@globex.example")  # fmt: skip
    assert code == 1
    assert "none was sent" in err
    outcome = {r["outcome"]: r["messages"] for r in json.loads(out)}
    assert outcome["sent"] == 0
    assert outcome["to retry"] > 0
    with SqliteStore(cared) as store:
        retried = [e for e in store.outbox() if e.attempts]
        assert store.outbox(OutboxStatus.DEAD) == ()
    assert len(retried) == outcome["to retry"]
    assert all(e.status is OutboxStatus.PENDING for e in retried)


def test_only_messages_no_notifier_delivers_due_is_a_failure_that_keeps_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "sms.sqlite3"
    sms = attrs.evolve(_refused("c-9|birthday|2026-11-03|sms"), channel=Channel.SMS,
                       recipient=Recipient("c-9", "박지훈", "+821012345678"))  # fmt: skip
    with SqliteStore(db) as store:
        store.write(Batch(outbox=[sms]))
    with smtp_server() as (port, recorder):
        for _ in range(8):  # more runs than a message has attempts: it is never used up
            code, _, err = cli(capsys, db, "notify", "--send", "--via", "smtp", "--smtp-port",
                               str(port), "--sender", "care@globex.example")  # fmt: skip
            assert code == 1
            assert "1 message was due and none was sent (1 left queued: no notifier for sms)" in err
    assert recorder.messages == []
    with SqliteStore(db) as store:
        entry = store.outbox_entry(sms.key)
    assert entry is not None
    assert (entry.status, entry.attempts) == (OutboxStatus.PENDING, 0)


def test_nothing_due_is_not_a_failure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "empty.sqlite3"
    code, out, err = cli(capsys, db, "--format", "json", "notify", "--send", "--via", "console")
    assert code == 0, err
    assert {r["outcome"]: r["messages"] for r in json.loads(out)}["sent"] == 0


def _refused(key: str) -> Message:
    return Message(key=key, channel=Channel.EMAIL, subject="고객님께", text="안녕하세요",
                   recipient=Recipient("c-9", "박지훈", "refuse-park@example.kr"),
                   due_at=datetime(2026, 11, 3, 1, tzinfo=UTC))  # fmt: skip


def test_a_dead_letter_is_listed_and_retried(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "dead.sqlite3"
    with SqliteStore(db) as store:
        park = Contact(id="c-9", account_id="hanbit", name="박지훈", consents=[Channel.EMAIL])
        store.write(Batch(accounts=[Account(id="hanbit", name="한빛전자")], contacts=[park]))
        store.write(Batch(outbox=[_refused("c-9|event|2026-11-03|email")]))
    with smtp_server() as (port, _):
        code, _, err = cli(capsys, db, "notify", "--send", "--via", "smtp", "--smtp-port",
                           str(port), "--sender", "care@globex.example")  # fmt: skip
    assert code == 1, err  # the one message due could not be sent
    (dead,) = rows(capsys, db, "outbox", "--status", "dead")
    assert dead["key"] == "c-9|event|2026-11-03|email"
    assert (dead["status"], dead["attempts"], dead["address"]) == (
        "dead", 1, "refuse-park@example.kr"
    )  # fmt: skip
    assert "550" in dead["last error"]
    assert rows(capsys, db, "outbox", "--status", "pending") == []

    code, out, err = cli(capsys, db, "--format", "json", "outbox", "retry", dead["key"], "nope")
    assert code == 1
    assert "1 of 2 keys could not be retried" in err
    results = {r["key"]: r["result"] for r in json.loads(out)}
    assert results == {dead["key"]: "queued again", "nope": "not retried: no such outbox entry"}
    with SqliteStore(db) as store:
        entry = store.outbox_entry(dead["key"])
    assert entry is not None
    assert (entry.status, entry.attempts) == (OutboxStatus.PENDING, 0)
    assert "550" in entry.last_error
    code, out, err = cli(capsys, db, "--format", "json", "outbox", "retry", dead["key"])
    assert code == 1
    assert json.loads(out) == [{"key": dead["key"], "result": "not retried: pending, not dead"}]


def test_tasks_list_each_reps_actions_with_the_script_and_export_as_events(
    cared: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import icalendar

    listed = rows(capsys, cared, "tasks", "--rep", "rep-01", "--from", "2026-11-02")
    with SqliteStore(cared) as store:
        expected = rep_worklist(store, rep="rep-01", start=date(2026, 11, 2))
        owned = {a.id for a in store.accounts() if a.owner == "rep-01"}
    assert [r["key"] for r in listed] == [i.key for i in expected]
    assert listed
    assert {r["account"] for r in listed} <= owned
    assert all(r["rep name"] == "Li Na" for r in listed)
    calls = [r for r in listed if r["kind"] == "relationship_call"]
    assert calls
    assert all(r["what to do"] and r["contact name"] for r in calls)
    later = rows(capsys, cared, "tasks", "--rep", "rep-01", "--from", "2026-11-09", "--to",
                 "2026-11-12")  # fmt: skip
    assert [r["key"] for r in later] == [
        r["key"] for r in listed if "2026-11-09" <= r["day"] < "2026-11-12"
    ]

    uids = []
    for name in ("a.ics", "b.ics"):
        path = tmp_path / name
        code, _, err = cli(capsys, cared, "export", "ics", "--tasks", "--rep", "rep-01", str(path))
        assert code == 0, err
        calendar = icalendar.Calendar.from_ical(path.read_bytes())
        events = list(calendar.walk("VEVENT"))
        uids.append([str(e["UID"]) for e in events])
        descriptions = {str(e["UID"]): str(e["DESCRIPTION"]) for e in events}
    assert uids[0] == uids[1] == [event_uid(r["key"]) for r in listed]
    for row in calls:
        assert row["what to do"] in descriptions[event_uid(row["key"])]


def test_tasks_of_a_missing_schedule_name_it(
    cared: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli(capsys, cared, "tasks", "--name", "spring")
    assert code == 1
    assert "--name" in err
    assert "'spring'" in err
