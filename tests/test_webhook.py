"""The webhook notifier against a real HTTP server on loopback."""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accountcare.adapters.notify.webhook import SIGNATURE_HEADER, WebhookNotifier, sign
from accountcare.domain.contacts import Channel
from accountcare.domain.messages import Message, Recipient
from accountcare.errors import ConfigurationError
from accountcare.serialization import from_json
from notify_servers import HttpRecorder, free_port, http_server

SECRET = "correct horse battery staple"


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


def test_the_body_is_the_message_signed_with_the_key_header(
    server: tuple[str, HttpRecorder],
) -> None:
    url, recorder = server
    delivery = _notifier(url).send(_message())
    assert delivery.ok, delivery.detail
    assert delivery.provider_id == "req-1"
    [(headers, body)] = recorder.requests
    assert headers["Idempotency-Key"] == _message().key
    expected = "sha256=" + hmac.new(SECRET.encode(), body, "sha256").hexdigest()
    assert hmac.compare_digest(headers[SIGNATURE_HEADER], expected)
    assert headers["Content-Type"].startswith("application/json")
    assert from_json(body, Message) == _message()
    assert json.loads(body)["recipient"]["name"] == "김민준"


def test_a_tampered_body_does_not_verify() -> None:
    body = b'{"key":"k","text":"hello"}'
    assert sign(body, SECRET) != sign(body.replace(b"hello", b"hullo"), SECRET)
    assert sign(body, SECRET) != sign(body, "another secret")


@settings(max_examples=100)
@given(body=st.binary(max_size=200), secret=st.text(min_size=1, max_size=20))
def test_signature_is_the_hmac_sha256_of_the_exact_body(body: bytes, secret: str) -> None:
    digest = hmac.new(secret.encode("utf-8"), body, "sha256").hexdigest()
    assert sign(body, secret) == f"sha256={digest}"


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
    assert "token" not in repr(notifier)
    assert "pw" not in repr(notifier)


@pytest.mark.parametrize(
    ("url", "kwargs"),
    [
        ("ftp://example.com/x", {}),
        ("http://example.com/x", {"secret": ""}),
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
