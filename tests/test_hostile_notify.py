"""Notifiers against hostile data and hostile receivers, over real loopback servers.

Names, subjects and ids that try to add email headers (line breaks, RFC 2047
encoded-words that decode to line breaks); a webhook receiver that trickles its answer
one header line a second, or streams an endless body, or never finishes a TLS handshake;
and replayed or tampered webhook requests.
"""

from __future__ import annotations

import email
import json
import re
import smtplib
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import policy as email_policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from http.client import HTTPConnection
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accountcare.adapters.notify.smtp import SmtpNotifier
from accountcare.adapters.notify.webhook import WebhookNotifier
from accountcare.domain._trusted import trusted
from accountcare.domain.contacts import Channel
from accountcare.domain.messages import Message, Recipient
from notify_servers import SmtpRecorder, raw_http_server, raw_tcp_server, smtp_server

ENCODED_WORD_ATTACK = (
    "=?utf-8?q?Ann=0D=0AReply-To:_attacker@evil.example=0D=0A=0D=0A"
    "Click_http://evil.example/login?="
)
BODY = "Dear Ann,\n\nthank you for your order.\n"
BUILT_HEADERS = [
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "X-Accountcare-Key",
    "Content-Type",
    "Content-Transfer-Encoding",
    "MIME-Version",
    "Content-Language",
]
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@pytest.fixture
def smtp() -> Iterator[tuple[int, SmtpRecorder]]:
    with smtp_server() as running:
        yield running


def _email(
    *,
    name: str = "Ann Lee",
    subject: str = "Thank you",
    contact_id: str = "c-1",
    sender_name: str = "Acme Care",
    address: str = "ann@example.com",
) -> Message:
    """A message built without validation, as a store's trusted read-back path builds
    one: the domain refuses control characters on entry, and the notifier must hold on
    its own even for a message that never passed that check (written by an older
    version, or by a host's own code)."""
    recipient = trusted(Recipient)(contact_id, name, address, "en")
    return trusted(Message)(
        key=f"{contact_id}|after_sale_check|2027-03-28|email",
        channel=Channel.EMAIL,
        recipient=recipient,
        subject=subject,
        text=BODY,
        due_at=datetime(2027, 3, 28, 1, tzinfo=UTC),
        sender_name=sender_name,
    )


def _received(recorder: SmtpRecorder) -> tuple[EmailMessage, email.message.Message]:
    """The one message the server got, parsed two ways: the modern policy and the
    legacy default of ``email.message_from_bytes``."""
    [raw] = recorder.raw
    modern = email.message_from_bytes(raw, policy=email_policy.default)
    assert isinstance(modern, EmailMessage)
    return modern, email.message_from_bytes(raw)


def _display_name(raw: bytes, header: str) -> str:
    """The display name in ``header`` of the raw email, decoded as RFC 2047 says: the
    whitespace between adjacent encoded-words is ignored. (The address parser of
    ``email.policy.default`` in Python 3.11 to 3.13 keeps it as a space, which splits a
    long name that had to be written as several encoded-words.)"""
    value = email.message_from_bytes(raw)[header]
    assert isinstance(value, str)
    phrase = value.replace("\r\n", "").replace("\n", "").rpartition("<")[0].strip()
    return str(make_header(decode_header(phrase)))


def _assert_only_our_headers(modern: EmailMessage, legacy: email.message.Message) -> None:
    for parsed in (modern, legacy):
        assert parsed.keys() == BUILT_HEADERS
        assert parsed["Reply-To"] is None
        payload = parsed.get_payload(decode=True)
        assert isinstance(payload, bytes)
        assert payload.decode("utf-8").replace("\r\n", "\n") == BODY
    to = modern["To"].addresses
    assert [a.addr_spec for a in to] == ["ann@example.com"]
    for name in BUILT_HEADERS:
        for value in modern.get_all(name) or []:
            assert "\r" not in str(value)
            assert "\n" not in str(value)


@pytest.mark.parametrize("field", ["name", "subject", "contact_id", "sender_name"])
def test_an_encoded_word_cannot_add_a_header(smtp: tuple[int, SmtpRecorder], field: str) -> None:
    port, recorder = smtp
    message = _email(**{field: ENCODED_WORD_ATTACK})
    with SmtpNotifier("127.0.0.1", port, sender="care@acme.example", timeout=5) as notifier:
        delivery = notifier.send(message)
    assert delivery.ok, delivery.detail
    modern, legacy = _received(recorder)
    _assert_only_our_headers(modern, legacy)
    assert recorder.envelopes == [("care@acme.example", ["ann@example.com"])]
    # The text survives, harmlessly: still readable, no longer an encoded-word.
    [raw] = recorder.raw
    shown = {
        "name": _display_name(raw, "To"),
        "sender_name": _display_name(raw, "From"),
        "subject": str(modern["Subject"]),
        "contact_id": urllib.parse.unquote(str(modern["X-Accountcare-Key"])),
    }[field]
    assert "Ann" in shown
    assert "Reply-To:_attacker@evil.example" in shown
    if field == "contact_id":
        assert recorder.keys() == [message.key]  # exact, and reversible
    else:
        assert "=?" not in shown


@pytest.mark.parametrize("brk", ["\r", "\n", "\r\n", "\x00", "\u2028", "\x85", "\r\n\r\n"])
@pytest.mark.parametrize("field", ["name", "subject", "contact_id"])
def test_line_breaks_and_controls_cannot_add_a_header(
    smtp: tuple[int, SmtpRecorder], field: str, brk: str
) -> None:
    port, recorder = smtp
    value = f"Ann{brk}Reply-To: attacker@evil.example{brk}Bcc: eve@evil.example"
    message = _email(**{field: value})
    with SmtpNotifier("127.0.0.1", port, sender="care@acme.example", timeout=5) as notifier:
        if field == "contact_id":
            # A Delivery refuses such a key, so send the email this notifier builds
            # through the same server with smtplib.
            with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
                assert client.send_message(notifier.build(message)) == {}
        else:
            delivery = notifier.send(message)
            assert delivery.ok, delivery.detail
    modern, legacy = _received(recorder)
    _assert_only_our_headers(modern, legacy)
    assert recorder.envelopes == [("care@acme.example", ["ann@example.com"])]
    if field == "name":
        shown = _display_name(recorder.raw[0], "To")
        assert shown == "Ann Reply-To: attacker@evil.example Bcc: eve@evil.example"
    elif field == "subject":
        assert str(modern["Subject"]) == "Ann Reply-To: attacker@evil.example Bcc: eve@evil.example"
    else:
        assert recorder.keys() == [message.key]


@pytest.mark.parametrize(
    "address",
    [
        "ann@exa\u2028mple.com",
        "ann@example.com\r\nBcc: eve@evil.example",
        "=?utf-8?q?a?=@x.example",
    ],
)
def test_an_unusable_address_is_refused_naming_the_field(
    smtp: tuple[int, SmtpRecorder], address: str
) -> None:
    port, recorder = smtp
    with SmtpNotifier("127.0.0.1", port, sender="care@acme.example", timeout=5) as notifier:
        delivery = notifier.send(_email(address=address))
    assert not delivery.ok
    assert not delivery.retryable
    assert "'recipient.address'" in delivery.detail
    assert "c-1|after_sale_check|2027-03-28|email" in delivery.detail
    assert "\n" not in delivery.detail
    assert recorder.raw == []  # nothing was sent, least of all to a rewritten address


_HOSTILE_TEXT = st.lists(
    st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(["=?", "?=", "\r", "\n", "\x85", "\u2028", "\u2029", '"', "\\", "<"]),
    ),
    min_size=1,
    max_size=120,
).map("".join)


def _harmless(text: str) -> str:
    """What a reader should see of ``text``: breaks as spaces, no encoded-word opener."""
    return re.sub("[\x00-\x1f\x7f-\x9f\u2028\u2029]+", " ", text).replace("=?", "= ?")


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(name=_HOSTILE_TEXT, subject=_HOSTILE_TEXT, contact_id=_HOSTILE_TEXT)
def test_no_name_subject_or_id_changes_the_headers(
    name: str, subject: str, contact_id: str
) -> None:
    notifier = SmtpNotifier("127.0.0.1", sender="care@acme.example")
    message = _email(
        name=f"N{name}", subject=subject, contact_id=f"c{contact_id}", sender_name=f"S{name}"
    )
    raw = notifier.build(message).as_bytes()
    parsed = email.message_from_bytes(raw, policy=email_policy.default)
    assert isinstance(parsed, EmailMessage)
    assert parsed.keys() == BUILT_HEADERS
    assert [a.addr_spec for a in parsed["To"].addresses] == ["ann@example.com"]
    assert [a.addr_spec for a in parsed["From"].addresses] == ["care@acme.example"]
    assert urllib.parse.unquote(str(parsed["X-Accountcare-Key"])) == message.key
    for header in ("To", "From", "Subject"):
        assert "=?" not in str(parsed[header])  # nothing left for a later parser to decode
    # The name and the subject, whole and exact: no space added where they were split.
    assert _display_name(raw, "To") == _harmless(f"N{name}").strip()
    assert _display_name(raw, "From") == _harmless(f"S{name}").strip()
    assert str(parsed["Subject"]) == _harmless(subject)
    head = raw.split(b"\r\n\r\n", 1)[0]
    for line in head.split(b"\r\n"):
        assert len(line) <= 78  # RFC 5322's line length, for every header we write
    for word in re.findall(rb"=\?[^?\s]*\?[bq]\?[^?\s]*\?=", head, re.IGNORECASE):
        assert len(word) <= 75  # RFC 2047's encoded-word length
    for line in raw.split(b"\r\n"):
        assert len(line) <= 998  # what SMTP servers accept
    assert parsed.get_content().replace("\r\n", "\n") == BODY


# --- webhooks: one deadline per attempt -------------------------------------------------


def _sms(key: str = "c-7|complaint_follow_up|2027-05-04|sms") -> Message:
    return Message(
        key=key,
        channel=Channel.SMS,
        recipient=Recipient("c-7", "김민준", "+821012345678", "ko"),
        subject="후속 안내",
        text="안녕하세요",
        due_at=datetime(2027, 5, 4, 0, 30, tzinfo=UTC),
    )


def _trickle_headers(connection: socket.socket, stopped: threading.Event) -> None:
    """A status line, then one header line a second (for at most 15 s)."""
    connection.sendall(b"HTTP/1.1 200 OK\r\n")
    for n in range(15):
        if stopped.wait(1.0):
            return
        connection.sendall(f"X-Trickle-{n}: {n}\r\n".encode())
    connection.sendall(b"Content-Length: 0\r\n\r\n")


def test_a_trickling_receiver_cannot_hold_a_send(caplog: Any) -> None:
    waits: list[float] = []
    with raw_http_server(_trickle_headers) as (url, requests):
        notifier = WebhookNotifier(
            url, secret=SECRET, timeout=2, max_attempts=2, sleep=waits.append
        )
        started = time.monotonic()
        delivery = notifier.send(_sms())
        elapsed = time.monotonic() - started
    assert elapsed < 10, f"send() took {elapsed:.1f} s with a 2 s deadline per attempt"
    assert not delivery.ok
    assert delivery.retryable
    assert "2 attempt" in delivery.detail
    assert len(requests) == 2


def _endless_body(connection: socket.socket, stopped: threading.Event) -> None:
    """A 200 claiming ten gigabytes, streamed as fast as the socket takes it."""
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 10000000000\r\n\r\n")
    chunk = b"x" * 65536
    sent, deadline = 0, time.monotonic() + 15
    while not stopped.is_set() and time.monotonic() < deadline and sent < 200 * 2**20:
        connection.sendall(chunk)
        sent += len(chunk)


def test_an_endless_body_is_not_read_to_its_end() -> None:
    with raw_http_server(_endless_body) as (url, requests):
        notifier = WebhookNotifier(url, secret=SECRET, timeout=2, max_attempts=1)
        started = time.monotonic()
        delivery = notifier.send(_sms())
        elapsed = time.monotonic() - started
    assert elapsed < 10, f"send() took {elapsed:.1f} s"
    assert delivery.ok, delivery.detail  # the status line accepted it
    assert len(requests) == 1


def _trickle_body(connection: socket.socket, stopped: threading.Event) -> None:
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
    for _ in range(15):
        if stopped.wait(1.0):
            return
        connection.sendall(b"x")


def test_a_trickled_body_ends_at_the_deadline() -> None:
    with raw_http_server(_trickle_body) as (url, _):
        notifier = WebhookNotifier(url, secret=SECRET, timeout=2, max_attempts=1)
        started = time.monotonic()
        delivery = notifier.send(_sms())
        elapsed = time.monotonic() - started
    assert elapsed < 10, f"send() took {elapsed:.1f} s"
    assert delivery.ok, delivery.detail


def _stalled_handshake(connection: socket.socket, stopped: threading.Event) -> None:
    """Read the ClientHello, announce a 16 KiB ServerHello, send it a byte at a time."""
    connection.settimeout(5)
    connection.recv(65536)
    connection.sendall(b"\x16\x03\x03\x40\x00" + b"\x02\x00\x3f\xfc")
    for _ in range(30):
        if stopped.wait(0.5):
            return
        connection.sendall(b"\x00")


def test_a_stalled_tls_handshake_ends_at_the_deadline() -> None:
    with raw_tcp_server(_stalled_handshake) as port:
        notifier = WebhookNotifier(
            f"https://127.0.0.1:{port}/hook",
            secret=SECRET,
            timeout=2,
            max_attempts=1,
        )
        started = time.monotonic()
        delivery = notifier.send(_sms())
        elapsed = time.monotonic() - started
    assert elapsed < 10, f"send() took {elapsed:.1f} s"
    assert not delivery.ok
    assert delivery.retryable


def test_too_many_headers_is_a_retryable_delivery_not_an_exception() -> None:
    def flood(connection: socket.socket, stopped: threading.Event) -> None:
        lines = b"".join(f"X-H{n}: {n}\r\n".encode() for n in range(150))
        connection.sendall(b"HTTP/1.1 200 OK\r\n" + lines + b"Content-Length: 0\r\n\r\n")

    with raw_http_server(flood) as (url, _):
        delivery = WebhookNotifier(url, secret=SECRET, timeout=2, max_attempts=1).send(_sms())
    assert not delivery.ok
    assert delivery.retryable


def test_the_worst_case_of_one_send_fits_in_the_dispatchers_lease() -> None:
    import inspect

    from accountcare.adapters.notify.webhook import SEND_BUDGET
    from accountcare.errors import ConfigurationError
    from accountcare.services.outbox import Dispatcher

    lease = inspect.signature(Dispatcher).parameters["lease"].default
    assert timedelta(seconds=SEND_BUDGET) < lease
    WebhookNotifier("http://127.0.0.1/x", secret=SECRET, max_attempts=10)  # 147.5 s: fine
    with pytest.raises(ConfigurationError, match="more than 240 s"):
        WebhookNotifier("http://127.0.0.1/x", secret=SECRET, timeout=30, max_attempts=10)


# --- webhooks: signed id and timestamp, the documented receiver ---------------------------

DOCS = Path(__file__).parent.parent / "docs" / "notifications.md"


def _receiver_example() -> dict[str, Any]:
    """The receiver shown in docs/notifications.md, exactly as a reader would paste it."""
    blocks = re.findall(r"```python\n(.*?)```", DOCS.read_text("utf-8"), flags=re.S)
    [block] = [b for b in blocks if "class CareHookServer" in b]
    namespace: dict[str, Any] = {"__name__": "care_hook_example"}
    exec(compile(block, str(DOCS), "exec"), namespace)
    return namespace


class _Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def _serve(server: Any) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread


def _post(port: int, headers: dict[str, str], body: bytes) -> int:
    connection = HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("POST", "/hook", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def _split(raw: bytes) -> tuple[dict[str, str], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    headers = {}
    for line in head.decode("latin-1").split("\r\n")[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return headers, body


def _ok(connection: socket.socket, stopped: threading.Event) -> None:
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")


def test_the_documented_receiver_refuses_replays_and_tampering() -> None:
    example = _receiver_example()
    sent_at = datetime(2027, 5, 4, 0, 30, tzinfo=UTC)
    message = _sms()
    notifier_clock = _Clock(sent_at)
    # What the real notifier puts on the wire, captured once for the replays below.
    with raw_http_server(_ok) as (url, captured):
        assert WebhookNotifier(url, secret=SECRET, clock=notifier_clock).send(message).ok
    headers, body = _split(captured[0])

    receiver_clock = _Clock(sent_at + timedelta(seconds=3))
    server = example["CareHookServer"](("127.0.0.1", 0), SECRET, clock=receiver_clock)
    thread = _serve(server)
    port = server.server_address[1]
    try:
        url = f"http://127.0.0.1:{port}/hook"
        genuine = WebhookNotifier(url, secret=SECRET, clock=notifier_clock).send(message)
        assert genuine.ok, genuine.detail
        assert [m["key"] for m in server.messages] == [message.key]

        # The same request again inside the tolerance: acknowledged, not acted on twice.
        assert _post(port, headers, body) == 200
        assert len(server.messages) == 1

        # A tampered body under the genuine headers: refused.
        tampered = body.replace(b"c-7", b"c-8")
        assert tampered != body
        assert _post(port, headers, tampered) == 401

        # The same request replayed after the tolerance, to a receiver that has forgotten
        # the id: the signed timestamp alone refuses it.
        server.seen.clear()
        receiver_clock.at = sent_at + timedelta(minutes=5, seconds=1)
        assert _post(port, headers, body) == 401
        # Nor can the replayer refresh the timestamp: it is signed.
        fresh = {**headers, "webhook-timestamp": str(int(receiver_clock.at.timestamp()))}
        assert _post(port, fresh, body) == 401
        assert len(server.messages) == 1
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_the_signature_covers_id_timestamp_and_body_as_standard_webhooks_says() -> None:
    from accountcare.adapters.notify import sign_webhook

    # The published example of the Standard Webhooks reference implementations.
    signature = sign_webhook(
        "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, b'{"test": 2432232314}', SECRET
    )
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_each_attempt_is_signed_with_its_own_timestamp_under_one_id() -> None:
    from accountcare.adapters.notify import verify_webhook

    statuses = iter([b"503 Busy", b"200 OK"])

    def answer(connection: socket.socket, stopped: threading.Event) -> None:
        status = next(statuses)
        connection.sendall(b"HTTP/1.1 " + status + b"\r\nContent-Length: 0\r\n\r\n")

    clock = _Clock(datetime(2027, 5, 4, 0, 30, tzinfo=UTC))

    def sleep(seconds: float) -> None:
        clock.at += timedelta(seconds=seconds)

    with raw_http_server(answer) as (url, captured):
        notifier = WebhookNotifier(
            url, secret=SECRET, clock=clock, backoff=30, max_backoff=30, sleep=sleep
        )
        assert notifier.send(_sms()).ok
    (first, body1), (second, body2) = (_split(raw) for raw in captured)
    assert body1 == body2
    assert first["webhook-id"] == second["webhook-id"] == first["idempotency-key"]
    assert urllib.parse.unquote(first["webhook-id"]) == _sms().key
    assert int(second["webhook-timestamp"]) - int(first["webhook-timestamp"]) == 30
    for headers in (first, second):
        at = datetime.fromtimestamp(int(headers["webhook-timestamp"]), UTC)
        assert verify_webhook(headers, body1, SECRET, now=at) == first["webhook-id"]
    assert json.loads(body1)["key"] == _sms().key
