"""The webhook notifier against a real HTTP server on loopback."""

from __future__ import annotations

import json
import ssl
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accountcare.adapters.notify import (
    WebhookVerificationError,
    generate_secret,
    sign_webhook,
    verify_webhook,
)
from accountcare.adapters.notify.webhook import WebhookNotifier
from accountcare.domain.contacts import Channel
from accountcare.domain.messages import Message, Recipient
from accountcare.errors import ConfigurationError
from accountcare.serialization import from_json
from notify_servers import HttpRecorder, free_port, http_server

SECRET = generate_secret()


@pytest.fixture
def server() -> Iterator[tuple[str, HttpRecorder]]:
    with http_server() as running:
        yield running


def _message(key: str = "c-7|complaint_follow_up|2027-05-04|messenger") -> Message:
    return Message(
        key=key,
        channel=Channel.MESSENGER,
        recipient=Recipient("c-7", "김민준", "+821012345678", "ko"),
        subject="말씀하신 불편 사항 관련 후속 안내",
        text='Quote "this", a backslash \\ and <tags>\n둘째 줄',
        due_at=datetime(2027, 5, 4, 0, 30, tzinfo=UTC),
    )


def _notifier(url: str, **kwargs: object) -> WebhookNotifier:
    sleeps: list[float] = []
    return WebhookNotifier(url, secret=SECRET, sleep=sleeps.append, **kwargs)  # type: ignore[arg-type]


def test_the_body_is_the_message_signed_with_id_and_timestamp(
    server: tuple[str, HttpRecorder],
) -> None:
    url, recorder = server
    delivery = _notifier(url).send(_message())
    assert delivery.ok, delivery.detail
    assert delivery.provider_id == "req-1"
    [(headers, body)] = recorder.requests
    assert headers["Idempotency-Key"] == _message().key
    assert headers["Webhook-Id"] == headers["Idempotency-Key"]
    assert verify_webhook(headers, body, SECRET) == _message().key
    assert headers["Content-Type"].startswith("application/json")
    assert from_json(body, Message) == _message()
    assert json.loads(body)["recipient"]["name"] == "김민준"


def _signed(body: bytes, at: int = 1_800_000_000, webhook_id: str = "k") -> dict[str, str]:
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(at),
        "webhook-signature": sign_webhook(webhook_id, at, body, SECRET),
    }


AT = datetime.fromtimestamp(1_800_000_000, UTC)


def test_a_tampered_body_id_or_timestamp_does_not_verify() -> None:
    body = b'{"key":"k","text":"hello"}'
    headers = _signed(body)
    assert verify_webhook(headers, body, SECRET, now=AT) == "k"
    with pytest.raises(WebhookVerificationError, match="no signature matches"):
        verify_webhook(headers, body.replace(b"hello", b"hullo"), SECRET, now=AT)
    with pytest.raises(WebhookVerificationError, match="no signature matches"):
        verify_webhook({**headers, "webhook-id": "other"}, body, SECRET, now=AT)
    with pytest.raises(WebhookVerificationError, match="no signature matches"):
        verify_webhook({**headers, "webhook-timestamp": "1800000001"}, body, SECRET, now=AT)
    with pytest.raises(WebhookVerificationError, match="no signature matches"):
        verify_webhook(headers, body, generate_secret(), now=AT)


@pytest.mark.parametrize("header", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_a_missing_header_is_refused_by_name(header: str) -> None:
    headers = _signed(b"{}")
    del headers[header]
    with pytest.raises(WebhookVerificationError, match=f"'{header}' is missing"):
        verify_webhook(headers, b"{}", SECRET, now=AT)


def test_a_repeated_header_is_refused() -> None:
    from email.message import Message as HttpHeaders

    headers = HttpHeaders()
    for name, value in _signed(b"{}").items():
        headers[name] = value
    headers["Webhook-Id"] = "other"  # which one would the receiver deduplicate on?
    with pytest.raises(WebhookVerificationError, match="'webhook-id' is repeated"):
        verify_webhook(headers, b"{}", SECRET, now=AT)


@pytest.mark.parametrize("offset", [-301, 301, 10**6])
def test_a_timestamp_outside_the_tolerance_is_a_replay(offset: int) -> None:
    headers = _signed(b"{}")
    now = AT + timedelta(seconds=offset)
    with pytest.raises(WebhookVerificationError, match="tolerated"):
        verify_webhook(headers, b"{}", SECRET, now=now)
    assert verify_webhook(headers, b"{}", SECRET, now=now, tolerance=timedelta(seconds=10**7))


@pytest.mark.parametrize("stamp", ["", "soon", "1.8e9", "-5", "１８００"])
def test_a_timestamp_that_is_not_unix_seconds_is_refused(stamp: str) -> None:
    headers = {**_signed(b"{}"), "webhook-timestamp": stamp}
    with pytest.raises(WebhookVerificationError, match="not Unix seconds"):
        verify_webhook(headers, b"{}", SECRET, now=AT)


def test_one_matching_signature_among_several_is_enough() -> None:
    old = generate_secret()
    signatures = [
        "v1a,aGVsbG8=",
        sign_webhook("k", 1_800_000_000, b"{}", old),
        "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
        _signed(b"{}")["webhook-signature"],
    ]
    headers = {**_signed(b"{}"), "webhook-signature": " ".join(signatures)}
    assert verify_webhook(headers, b"{}", SECRET, now=AT) == "k"
    assert verify_webhook(headers, b"{}", old, now=AT) == "k"
    with pytest.raises(WebhookVerificationError):
        verify_webhook(headers, b"{}", generate_secret(), now=AT)


def test_rotation_signs_with_every_secret(server: tuple[str, HttpRecorder]) -> None:
    url, recorder = server
    new, old = generate_secret(), generate_secret()
    assert WebhookNotifier(url, secret=[new, old]).send(_message()).ok
    [(headers, body)] = recorder.requests
    assert len(headers["Webhook-Signature"].split()) == 2
    assert verify_webhook(headers, body, new) == verify_webhook(headers, body, old)


@settings(max_examples=100)
@given(
    body=st.binary(max_size=200),
    key=st.binary(min_size=24, max_size=64),
    webhook_id=st.text(min_size=1, max_size=20),
    flip=st.integers(min_value=0),
)
def test_a_signature_verifies_exactly_its_own_body(
    body: bytes, key: bytes, webhook_id: str, flip: int
) -> None:
    from accountcare.adapters.notify._headers import header_key

    hid = header_key(webhook_id)
    headers = {
        "webhook-id": hid,
        "webhook-timestamp": "1800000000",
        "webhook-signature": sign_webhook(hid, 1_800_000_000, body, key),
    }
    assert verify_webhook(headers, body, key, now=AT) == hid
    assert urllib.parse.unquote(hid) == webhook_id
    assert "." not in hid  # a dot would make id.timestamp.body ambiguous
    if body:
        at = flip % len(body)
        changed = body[:at] + bytes([body[at] ^ 1]) + body[at + 1 :]
        with pytest.raises(WebhookVerificationError):
            verify_webhook(headers, changed, key, now=AT)


def test_a_503_is_retried_with_the_same_key_and_body(server: tuple[str, HttpRecorder]) -> None:
    url, recorder = server
    recorder.statuses = [503, 502]
    sleeps: list[float] = []
    notifier = WebhookNotifier(url, secret=SECRET, max_attempts=3, backoff=0.5, sleep=sleeps.append)
    delivery = notifier.send(_message())
    assert delivery.ok
    assert len(recorder.requests) == 3
    assert len({body for _, body in recorder.requests}) == 1
    assert set(recorder.keys()) == {_message().key}
    assert sleeps == [0.5, 1.0]


def test_retries_are_bounded_and_end_retryable(server: tuple[str, HttpRecorder]) -> None:
    url, recorder = server
    recorder.statuses = [500] * 10
    delivery = _notifier(url, max_attempts=4).send(_message())
    assert not delivery.ok
    assert delivery.retryable
    assert "HTTP 500" in delivery.detail
    assert len(recorder.requests) == 4


def test_a_400_is_not_retried(server: tuple[str, HttpRecorder]) -> None:
    url, recorder = server
    recorder.statuses = [400]
    delivery = _notifier(url, max_attempts=5).send(_message())
    assert not delivery.ok
    assert not delivery.retryable
    assert len(recorder.requests) == 1


def test_a_429_is_retried(server: tuple[str, HttpRecorder]) -> None:
    url, recorder = server
    recorder.statuses = [429]
    assert _notifier(url).send(_message()).ok
    assert len(recorder.requests) == 2


def test_a_slow_server_times_out_and_is_retried(server: tuple[str, HttpRecorder]) -> None:
    url, recorder = server
    recorder.delay = 1.0
    delivery = _notifier(url, timeout=0.2, max_attempts=2).send(_message())
    assert not delivery.ok
    assert delivery.retryable
    assert "2 attempt" in delivery.detail
    assert len(recorder.requests) == 2


def test_an_unreachable_server_is_a_retryable_delivery() -> None:
    url = f"http://127.0.0.1:{free_port()}/hook"
    delivery = _notifier(url, max_attempts=2).send(_message())
    assert not delivery.ok
    assert delivery.retryable
    assert delivery.key == _message().key


def test_a_non_ascii_key_is_percent_encoded(server: tuple[str, HttpRecorder]) -> None:
    url, recorder = server
    assert _notifier(url).send(_message("王伟|birthday|2027-05-04|messenger")).ok
    assert recorder.keys() == ["%E7%8E%8B%E4%BC%9F|birthday|2027-05-04|messenger"]


def test_the_secret_never_shows() -> None:
    notifier = WebhookNotifier("https://user:pw@hooks.example/x?token=t", secret=SECRET)
    assert SECRET not in repr(notifier)
    assert SECRET[6:] not in repr(notifier)
    with pytest.raises(ConfigurationError) as caught:
        WebhookNotifier("https://hooks.example/x", secret="hunter2-is-not-a-whsec")
    assert "hunter2" not in str(caught.value)
    assert "token" not in repr(notifier)
    assert "pw" not in repr(notifier)


@pytest.mark.parametrize(
    ("url", "kwargs"),
    [
        ("ftp://example.com/x", {}),
        ("http://example.com/x", {"secret": ""}),
        ("http://example.com/x", {"secret": "correct horse battery staple"}),
        ("http://example.com/x", {"secret": "whsec_c2hvcnQ="}),
        ("http://example.com/x", {"secret": "whsec_not base64!"}),
        ("http://example.com/x", {"secret": []}),
        ("http://example.com/x", {"headers": {"X-Evil": "a\r\nHost: evil.example"}}),
        ("http://example.com/x", {"headers": {"Bad Name": "x"}}),
        ("http://example.com/x", {"timeout": 60, "max_attempts": 5}),
        ("http://example.com/x", {"max_attempts": 0}),
        ("http://example.com/x", {"max_attempts": 11}),
        ("http://example.com/x", {"timeout": 0}),
        ("http://example.com/x", {"channels": frozenset()}),
    ],
)
def test_bad_settings_are_configuration_errors(url: str, kwargs: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError):
        WebhookNotifier(url, **{"secret": SECRET, **kwargs})  # type: ignore[arg-type]


def test_other_channels_are_refused_without_posting(server: tuple[str, HttpRecorder]) -> None:
    url, recorder = server
    email = Message(
        key="c-1|survey|2027-05-04|email",
        channel=Channel.EMAIL,
        recipient=Recipient("c-1", "Ann", "ann@example.com"),
        subject="s",
        text="t",
        due_at=datetime(2027, 5, 4, tzinfo=UTC),
    )
    delivery = _notifier(url).send(email)
    assert not delivery.ok
    assert not delivery.retryable
    assert recorder.requests == []


def test_signing_has_one_public_home() -> None:
    import accountcare.adapters.notify as notify
    from accountcare.adapters.notify import _signing, webhook

    names = {"WebhookVerificationError", "generate_secret", "sign_webhook", "verify_webhook"}
    assert names <= set(notify.__all__)
    for name in names:
        assert getattr(notify, name) is getattr(_signing, name)  # defined there, once
        assert name not in webhook.__all__
        assert not hasattr(webhook, name)  # not a second import path
    assert webhook.__all__ == ["SEND_BUDGET", "WebhookNotifier"]


def test_a_webhook_over_tls_is_delivered_within_its_deadline_and_checks_the_certificate() -> None:
    import trustme  # the dev extra's: a certificate authority for the test

    authority = trustme.CA()
    served = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    authority.issue_cert("127.0.0.1").configure_cert(served)
    trusting = ssl.create_default_context()
    authority.configure_trust(trusting)
    with http_server(tls=served) as (url, recorder):
        assert url.startswith("https://")
        delivery = _notifier(url, ssl_context=trusting, timeout=5).send(_message())
        assert delivery.ok, delivery.detail
        assert recorder.keys() == [_message().key]
        # A certificate the client does not trust is refused, and nothing is posted.
        refused = _notifier(url, timeout=5, max_attempts=1).send(_message("c-8|survey|x|email"))
        assert not refused.ok
        assert "CERTIFICATE_VERIFY_FAILED" in refused.detail
        assert recorder.keys() == [_message().key]
