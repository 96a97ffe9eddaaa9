"""What the library logs, and what it never logs: counts, files, rows and record ids go
to ``accountcare.*`` loggers; a person's name, phone number or email address, a password,
a webhook secret or an Apprise token never does."""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accountcare._redact import redacted
from accountcare.adapters.importers import (
    ImportFailed,
    ImportOptions,
    read_accounts_csv,
    read_contacts_csv,
    read_vcards,
)
from accountcare.adapters.memory import MemoryStore
from accountcare.adapters.notify.smtp import SmtpNotifier
from accountcare.adapters.notify.webhook import WebhookNotifier
from accountcare.adapters.sqlite import SqliteStore
from accountcare.domain import Account, Channel, Contact, Delivery, Message, Recipient
from accountcare.domain.outbox import RetryPolicy
from accountcare.ports.store import Batch
from accountcare.services.importing import import_accounts, import_contacts
from accountcare.services.outbox import Dispatcher, enqueue
from notify_servers import free_port, smtp_server

pytest.importorskip("phonenumbers")

REAL = Path(__file__).parent / "fixtures" / "real"
AS_OF = date(2026, 11, 30)
NOW = datetime(2027, 3, 28, 9, tzinfo=UTC)
CONTACT_FILES = [("google.csv", "CN"), ("android.vcf", "CN"), ("iphone.vcf", "KR")]


def _texts(record: logging.LogRecord) -> list[str]:
    """Everything a handler could print of ``record``: its message and each argument."""
    args = record.args if isinstance(record.args, tuple) else (record.args,)
    return [record.getMessage(), *(str(a) for a in args if a is not None)]


def _leaks(records: Iterable[logging.LogRecord], secrets: Iterable[str]) -> list[str]:
    wanted = [s for s in secrets if s]
    return [
        f"{r.levelname} {r.name}: {text}"
        for r in records
        for text in _texts(r)
        for secret in wanted
        if secret in text
    ]


def _ours(caplog: pytest.LogCaptureFixture, level: int = logging.DEBUG) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith("accountcare") and r.levelno >= level]


def _read(name: str, country: str, data: bytes | None = None, **more: Any) -> Any:
    options = ImportOptions(as_of=AS_OF, country=country, source=name, **more)
    data = (REAL / name).read_bytes() if data is None else data
    reader = read_vcards if name.endswith(".vcf") else read_contacts_csv
    return reader(data, options=options)


def _personal(contacts: Iterable[Contact]) -> tuple[set[str], set[str]]:
    """The names, and the phones and emails (as written and normalised), of ``contacts``."""
    names: set[str] = set()
    reachable: set[str] = set()
    for contact in contacts:
        names.add(contact.name)
        reachable.update(contact.emails)
        for phone in contact.phones:
            reachable.update({phone.raw, phone.e164, phone.e164.lstrip("+")})
            reachable.add(re.sub(r"\D", "", phone.raw))
    return names, {r for r in reachable if len(r) >= 5}


# -- imports --------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "country"), CONTACT_FILES)
def test_importing_a_real_export_logs_counts_and_never_a_person(
    caplog: pytest.LogCaptureFixture, name: str, country: str
) -> None:
    store = MemoryStore()
    accounts = read_accounts_csv(
        (REAL / "erp_accounts.csv").read_bytes(),
        options=ImportOptions(as_of=AS_OF, source="erp_accounts.csv"),
    )
    import_accounts(store, accounts)
    with caplog.at_level(logging.DEBUG, logger="accountcare"):
        report = _read(name, country)
        result = import_contacts(store, report)
    names, reachable = _personal(report.contacts)
    assert names
    assert reachable
    shown = [r for r in caplog.records if r.levelno >= logging.INFO]  # any logger's
    assert not _leaks(shown, names | reachable)
    assert not _leaks(caplog.records, reachable)
    (line,) = [r.getMessage() for r in _ours(caplog, logging.INFO)]
    assert line.startswith(f"imported contacts from {name}: {report.rows} read, ")
    assert f"{result.added} added" in line
    assert "0 problems" in line
    assert any(r.levelno == logging.DEBUG and name in r.getMessage() for r in caplog.records)


def test_rows_skipped_are_a_warning_naming_the_file_line_and_reason_only(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bad = "伟,,李,,,,,,,,恒信,,,,,,,,li.wei@bad,,,Mobile,12ab 9999 0000,,\r\n"
    data = (REAL / "google.csv").read_bytes() + bad.encode()
    with caplog.at_level(logging.DEBUG, logger="accountcare"):
        report = _read("google.csv", "CN", keep_good=True, data=data)
        import_contacts(MemoryStore(), report, keep_good=True)
    assert report.problems
    (warning,) = [r for r in caplog.records if r.levelno == logging.WARNING]
    text = warning.getMessage()
    first = report.problems[0]
    assert text.startswith(f"google.csv: {len({p.number for p in report.problems})} row(s) skipped")
    assert f"first: line {first.number}: field {first.field!r}" in text
    names, reachable = _personal(report.contacts)
    secrets = names | reachable | {"李伟", "li.wei@bad", "12ab 9999 0000", "9999"}
    assert not _leaks(_ours(caplog, logging.INFO), secrets)
    info = [r.getMessage() for r in _ours(caplog, logging.INFO) if r.levelno == logging.INFO]
    assert any(f"{len(report.problems)} problems" in line for line in info)


def test_a_refused_import_is_an_info_line_and_the_error_says_the_rest(
    caplog: pytest.LogCaptureFixture,
) -> None:
    data = b"Name,Mobile,Company\n\xe7\x8e\x8b\xe4\xbc\x9f,12ab-zz-98,Acme\n"
    with (
        caplog.at_level(logging.DEBUG, logger="accountcare"),
        pytest.raises(ImportFailed, match="import refused"),
    ):
        _read("phone.csv", "CN", data=data)
    infos = _ours(caplog, logging.INFO)
    assert [r.levelno for r in infos] == [logging.INFO]
    assert infos[0].getMessage() == (
        "phone.csv: import refused: 1 row(s) with 1 problem(s); "
        "first: line 2: field 'Mobile' is not a phone number"
    )
    assert not _leaks(caplog.records, ["王伟", "12ab-zz-98"])


# -- redaction ------------------------------------------------------------------------

_WORDS = st.text(alphabet="abcdefghij ,;", max_size=12).map(lambda t: f" {t} ")
_GROUPS = st.one_of(
    st.from_regex(r"\A[0-9]{7,12}\Z").map(lambda g: [g]),
    st.lists(st.from_regex(r"\A[0-9]{3,4}\Z"), min_size=3, max_size=4),
)


@st.composite
def phones(draw: st.DrawFn) -> str:
    """Numbers as people write them: 13512345678, 010-1234-5678, +86 138 0013 8000."""
    groups = draw(_GROUPS)
    separator = draw(st.sampled_from([" ", "-", ".", ""]))
    prefix = draw(st.sampled_from(["", "+", "+82 ", "+86-", "(02) "]))
    return prefix + separator.join(groups)


@given(_WORDS, st.emails(), _WORDS, phones(), _WORDS)
def test_redacted_text_holds_no_email_address_or_phone_number(
    before: str, email: str, middle: str, phone: str, after: str
) -> None:
    text = redacted(before + email + middle + phone + after, longest=10_000)
    assert email not in text
    assert phone not in text
    assert re.sub(r"\D", "", phone) not in re.sub(r"\D", "", text)


@given(st.dates(date(1900, 1, 1), date(2100, 12, 31)), st.integers(0, 599))
def test_redacted_text_keeps_dates_times_and_status_codes(day: date, code: int) -> None:
    text = f"{day.isoformat()} 09:30:00 status {code} key c-1|birthday|{day.isoformat()}|email"
    assert redacted(text) == text


def test_redacted_text_is_one_line_cut_short() -> None:
    assert redacted("a\r\nb\tc" + "x" * 400) == ("a b c" + "x" * 400)[:299] + "…"


# -- dispatch -------------------------------------------------------------------------


class Failing:
    """A notifier whose provider quotes the recipient in its error text."""

    channels = frozenset({Channel.EMAIL})

    def __init__(self, retryable: bool = True) -> None:
        self.retryable = retryable

    def send(self, message: Message) -> Delivery:
        to = message.recipient.address
        detail = f"550 5.1.1 <{to}>: mailbox full;\r\ncall +86 138 0013 8000"
        return Delivery(message.key, False, detail, None, self.retryable)


class Accepting:
    channels = frozenset({Channel.EMAIL})

    def send(self, message: Message) -> Delivery:
        return Delivery(message.key, True, "accepted")


def _queued(opted_out: bool = False) -> tuple[MemoryStore, str]:
    store = MemoryStore()
    wang = Contact(id="c-1", account_id="acme", name="Wang Wei", consents=[Channel.EMAIL],
                   opted_out=opted_out)  # fmt: skip
    store.write(Batch(accounts=[Account(id="acme", name="Acme")], contacts=[wang]))
    key = "c-1|birthday|2027-03-28|email"
    message = Message(key=key, channel=Channel.EMAIL,
                      recipient=Recipient("c-1", "Wang Wei", "wang@example.com"),
                      subject="Happy birthday", text="...", due_at=NOW)  # fmt: skip
    enqueue(store, [message])
    return store, key


def test_a_retry_is_info_and_a_dead_letter_a_redacted_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store, key = _queued()
    clock = [NOW]
    retry = RetryPolicy(max_attempts=2)
    dispatcher = Dispatcher(store, Failing(), clock=lambda: clock[0], retry=retry)
    with caplog.at_level(logging.DEBUG, logger="accountcare"):
        assert dispatcher.dispatch_due().retried == (key,)
        clock[0] = NOW + timedelta(hours=1)
        assert dispatcher.dispatch_due().dead == (key,)
    logged = [(r.levelname, r.getMessage()) for r in _ours(caplog)]
    assert ("INFO", f"retry of {key} after attempt 1 scheduled for "
            f"{(NOW + timedelta(minutes=1)).isoformat()}: 550 5.1.1 <[email]>: mailbox full; "
            "call [phone]") in logged  # fmt: skip
    assert ("WARNING", f"dead letter {key} after 2 attempt(s): 550 5.1.1 <[email]>: "
            "mailbox full; call [phone]") in logged  # fmt: skip
    assert ("DEBUG", f"{key}: retried birthday on email (attempt 1)") in logged
    assert ("DEBUG", f"{key}: dead birthday on email (attempt 2)") in logged
    assert ("INFO", "dispatch pass: 0 sent, 1 retried, 0 dead, 0 withheld, 0 left") in logged
    assert ("INFO", "dispatch pass: 0 sent, 0 retried, 1 dead, 0 withheld, 0 left") in logged
    assert not _leaks(caplog.records, ["wang@example.com", "Wang Wei", "138 0013 8000"])


def test_a_withheld_message_is_info_and_an_idle_pass_only_debug(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store, key = _queued(opted_out=True)
    dispatcher = Dispatcher(store, Accepting(), clock=lambda: NOW)
    with caplog.at_level(logging.DEBUG, logger="accountcare"):
        assert dispatcher.dispatch_due().withheld == (key,)
        assert not dispatcher.dispatch_due().handled
    infos = [r.getMessage() for r in _ours(caplog, logging.INFO)]
    assert infos[0].startswith(f"{key} withheld: not sent: ")
    assert infos[1] == "dispatch pass: 0 sent, 0 retried, 0 dead, 1 withheld, 0 left"
    assert len(infos) == 2  # the idle pass is DEBUG
    assert not _leaks(caplog.records, ["wang@example.com", "Wang Wei"])


# -- notifiers ------------------------------------------------------------------------


def _message(address: str, channel: Channel = Channel.EMAIL) -> Message:
    return Message(f"c-1|survey|2027-03-28|{channel.value}", channel,
                   Recipient("c-1", "Ann Lee", address), "Hi", "Hello", NOW)  # fmt: skip


def test_a_failed_smtp_send_warns_with_class_and_status_never_the_password(
    caplog: pytest.LogCaptureFixture,
) -> None:
    password = "pw-S3cr3t-xyzzy"
    closed = SmtpNotifier("127.0.0.1", free_port(), sender="care@example.com",
                          username="care", password=password, timeout=5)  # fmt: skip
    with caplog.at_level(logging.DEBUG):
        assert not closed.send(_message("ann@example.com")).ok
        with smtp_server() as (port, _):
            no_auth = SmtpNotifier("127.0.0.1", port, sender="care@example.com",
                                   username="care", password=password, timeout=5)  # fmt: skip
            assert not no_auth.send(_message("ann@example.com")).ok
            plain = SmtpNotifier("127.0.0.1", port, sender="care@example.com", timeout=5)
            assert not plain.send(_message("refuse.ann@example.com")).ok
            assert plain.send(_message("ann@example.com")).ok
            plain.close()
    warnings = [r.getMessage() for r in _ours(caplog, logging.WARNING)]
    assert warnings[0].startswith("SMTP send of c-1|survey|2027-03-28|email failed: ")
    assert "Error (no status)" in warnings[0]
    assert "SMTPNotSupportedError" in warnings[1]
    assert warnings[2].endswith("SMTPRecipientsRefused (status [550])")
    assert len(warnings) == 3
    assert any(r.getMessage().startswith("connecting to 127.0.0.1:") for r in caplog.records)
    assert not _leaks(caplog.records, [password])  # the test server's own lines too
    assert not _leaks(_ours(caplog), ["ann@example.com", "Ann Lee"])


def test_a_failed_webhook_send_warns_and_never_shows_the_secret_or_url_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = "whsec_" + "Q" * 32
    token = "tok-9f8e7d6c5b4a"
    url = f"http://127.0.0.1:{free_port()}/hooks/{token}?token={token}"
    hook = WebhookNotifier(url, secret=secret, max_attempts=2, timeout=2, sleep=lambda _: None)
    with caplog.at_level(logging.DEBUG):
        assert not hook.send(_message("+821012345678", Channel.SMS)).ok
    warnings = [r.getMessage() for r in _ours(caplog, logging.WARNING)]
    assert warnings == [
        "webhook send of c-1|survey|2027-03-28|sms to http://127.0.0.1 failed: "
        "ConnectionRefusedError (no status) after 2 attempt(s)"
    ]
    assert len([r for r in _ours(caplog) if r.getMessage().startswith("posting ")]) == 2
    assert not _leaks(caplog.records, [secret, secret[6:], token, "+821012345678", "Ann Lee"])


def test_a_failed_apprise_send_warns_and_never_shows_the_url_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    pytest.importorskip("apprise")
    from accountcare.adapters.notify.apprise import AppriseNotifier

    token = "APPRISE-t0ken-5ecret"
    notifier = AppriseNotifier([f"json://care:{token}@127.0.0.1:{free_port()}/{token}"],
                               timeout=5)  # fmt: skip
    with caplog.at_level(logging.DEBUG):
        assert not notifier.send(_message("+821012345678", Channel.SMS)).ok
    warnings = [r.getMessage() for r in _ours(caplog, logging.WARNING)]
    assert warnings == ["Apprise send of c-1|survey|2027-03-28|sms failed: status failure"]
    # Apprise's own DEBUG lines show a URL's path (not its password): the host sets the
    # ``apprise`` loggers as it needs; its INFO and WARNING lines, and ours, never do.
    assert not _leaks([r for r in caplog.records if r.levelno >= logging.INFO], [token])
    assert not _leaks(_ours(caplog), [token, "+821012345678", "Ann Lee"])


# -- SQLite migrations ----------------------------------------------------------------


def test_an_sqlite_upgrade_names_the_file_and_the_versions(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    from accountcare.adapters._schema import MIGRATIONS, SCHEMA_VERSION

    old = tmp_path / "old.sqlite3"
    db = sqlite3.connect(old)
    for statement in MIGRATIONS[0]:
        db.execute(statement)
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    with caplog.at_level(logging.INFO, logger="accountcare"):
        SqliteStore(old).close()
        SqliteStore(old).close()  # current: nothing to say
        SqliteStore(tmp_path / "new.sqlite3").close()
    assert [r.getMessage() for r in _ours(caplog, logging.INFO)] == [
        f"upgrading {old} from schema 1 to {SCHEMA_VERSION}",
        f"upgraded {old} to schema {SCHEMA_VERSION}",
        f"creating schema {SCHEMA_VERSION} in {tmp_path / 'new.sqlite3'}",
        f"created {tmp_path / 'new.sqlite3'} with schema {SCHEMA_VERSION}",
    ]


# -- the library configures nothing; the command line does, for itself ---------------


def test_the_library_adds_only_a_null_handler() -> None:
    code = (
        "import logging, accountcare, accountcare.services.outbox, "
        "accountcare.services.importing, accountcare.adapters.notify.smtp, "
        "accountcare.adapters.notify.webhook, accountcare.adapters.sqlite\n"
        "lib = logging.getLogger('accountcare')\n"
        "print(logging.getLogger().handlers, [type(h).__name__ for h in lib.handlers], "
        "lib.level, logging.getLogger().level)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=True)  # fmt: skip
    assert done.stdout.split() == ["[]", "['NullHandler']", "0", "30"]


def test_a_command_run_in_process_takes_its_handler_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from accountcare.cli._commands import run

    lib = logging.getLogger("accountcare")
    before = (list(lib.handlers), lib.level)
    assert run(["--db", str(tmp_path / "b.sqlite3"), "-vv", "health"]) == 0
    assert (list(lib.handlers), lib.level) == before
    assert "accountcare: INFO: accountcare.adapters._schema: creating schema" in (
        capsys.readouterr().err
    )


@pytest.fixture
def book(tmp_path: Path) -> Path:
    (tmp_path / "google.csv").write_bytes((REAL / "google.csv").read_bytes())
    return tmp_path


def _cli(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "COLUMNS": "200"}
    environment.pop("ACCOUNTCARE_DB", None)
    argv = [sys.executable, "-m", "accountcare", "--db", "b.sqlite3", "--as-of", "2026-11-30",
            *args]  # fmt: skip
    return subprocess.run(argv, cwd=folder, env=environment, capture_output=True, text=True,
                          timeout=120)  # fmt: skip


def test_verbose_prints_info_lines_on_stderr_and_none_by_default(book: Path) -> None:
    quiet = _cli(book, "import", "contacts", "google.csv", "--country", "CN")
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr == ""
    loud = _cli(book, "-v", "import", "contacts", "google.csv", "--country", "CN")
    assert loud.returncode == 0, loud.stderr
    lines = loud.stderr.splitlines()
    assert lines, loud.stderr
    assert all(line.startswith("accountcare: INFO: accountcare.") for line in lines), lines
    assert any("imported contacts from google.csv: " in line for line in lines), lines
    debug = _cli(book, "-vv", "import", "contacts", "google.csv", "--country", "CN")
    assert any(line.startswith("accountcare: DEBUG: ") for line in debug.stderr.splitlines())
    report = _read("google.csv", "CN")
    names, reachable = _personal(report.contacts)
    assert not [s for s in names | reachable if s in loud.stderr]
    assert not [s for s in reachable if s in debug.stderr]


# -- the page ---------------------------------------------------------------------------


def test_the_logging_page_runs_as_written(capsys: pytest.CaptureFixture[str]) -> None:
    page = (Path(__file__).parent.parent / "docs" / "logging.md").read_text("utf-8")
    blocks = re.findall(r"```python\n(.*?)```", page, flags=re.S)
    assert blocks
    namespace: dict[str, object] = {"__name__": "docs.logging"}
    for block in blocks:
        exec(compile(block, "docs/logging.md", "exec"), namespace)
    for name in ("accountcare", "accountcare.services.outbox"):
        logging.getLogger(name).setLevel(logging.NOTSET)
    assert [type(h) for h in logging.getLogger("accountcare").handlers] == [logging.NullHandler]
