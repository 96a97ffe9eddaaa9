"""The one notifier contract, run on every notifier against real local servers."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings

from accountcare.adapters.notify.console import ConsoleNotifier
from accountcare.adapters.notify.smtp import SmtpNotifier
from accountcare.adapters.notify.webhook import WebhookNotifier
from accountcare.domain.contacts import Channel
from accountcare.domain.messages import Delivery, Message
from accountcare.ports.notify import Notifier
from accountcare.testing.notifier_contract import (
    ContractViolation,
    NotifierUnderTest,
    check_notifier,
    messages,
    sample_messages,
)
from notify_servers import free_port, http_server, smtp_server

SECRET = "whsec_" + "c2VjcmV0LWZvci10aGUtY29udHJhY3Qtc3VpdGU="


def _console_keys(out: io.StringIO) -> list[str]:
    return [
        line[4:].split(": ", 1)[0]
        for line in out.getvalue().splitlines()
        if line.startswith("=== ")
    ]


class _BrokenStream(io.StringIO):
    def write(self, text: str) -> int:
        raise OSError("disk full")


@pytest.fixture(params=["console", "smtp", "webhook", "apprise"])
def under_test(request: pytest.FixtureRequest) -> Iterator[NotifierUnderTest]:
    kind = request.param
    if kind == "console":
        out = io.StringIO()
        yield NotifierUnderTest(
            ConsoleNotifier(stream=out),
            delivered_keys=lambda: _console_keys(out),
            failing=ConsoleNotifier(stream=_BrokenStream()),
        )
    elif kind == "smtp":
        with smtp_server() as (port, mailbox):
            smtp = SmtpNotifier("127.0.0.1", port, sender="care@example.com", timeout=5)
            unreachable = SmtpNotifier("127.0.0.1", free_port(), sender="c@example.com", timeout=2)
            yield NotifierUnderTest(smtp, mailbox.keys, unreachable)
            smtp.close()
    elif kind == "webhook":
        with http_server() as (url, recorder):
            dead_url = f"http://127.0.0.1:{free_port()}/hook"
            yield NotifierUnderTest(
                WebhookNotifier(url, secret=SECRET, channels=frozenset({Channel.EMAIL})),
                recorder.keys,
                WebhookNotifier(dead_url, secret=SECRET, max_attempts=1),
            )
    else:
        pytest.importorskip("apprise")
        from accountcare.adapters.notify.apprise import AppriseNotifier

        with http_server() as (url, recorder):

            def refs() -> list[str]:
                import json

                bodies = [json.loads(body)["message"] for _, body in recorder.requests]
                return [b.rsplit("Ref: ", 1)[1] for b in bodies if "Ref: " in b]

            json_url = url.replace("http://", "json://")
            dead_json = f"json://127.0.0.1:{free_port()}/hook"
            yield NotifierUnderTest(
                AppriseNotifier([json_url], timeout=10),
                refs,
                AppriseNotifier([dead_json], timeout=5),
            )


def test_every_notifier_passes_the_contract(under_test: NotifierUnderTest) -> None:
    assert isinstance(under_test.notifier, Notifier)
    check_notifier(under_test)


@settings(max_examples=50, suppress_health_check=[HealthCheck.too_slow])
@given(message=messages(Channel.EMAIL))
def test_send_returns_a_delivery_with_the_same_key(message: Message) -> None:
    out = io.StringIO()
    delivery = ConsoleNotifier(stream=out).send(message)
    assert isinstance(delivery, Delivery)
    assert delivery.key == message.key
    assert delivery.ok
    assert _console_keys(out) == [message.key]


@settings(max_examples=30, deadline=None)
@given(message=messages(Channel.SMS))
def test_failures_come_back_as_deliveries_not_exceptions(message: Message) -> None:
    delivery = ConsoleNotifier(stream=_BrokenStream()).send(message)
    assert not delivery.ok
    assert delivery.key == message.key


class _Raising:
    @property
    def channels(self) -> frozenset[Channel]:
        return frozenset({Channel.EMAIL})

    def send(self, message: Message) -> Delivery:
        raise ConnectionError("provider down")


class _WrongKey(_Raising):
    def send(self, message: Message) -> Delivery:
        return Delivery("other", True)


class _Forgetful(_Raising):
    def send(self, message: Message) -> Delivery:
        return Delivery(message.key, True)


@pytest.mark.parametrize(
    ("notifier", "words"),
    [
        (_Raising(), "send raised ConnectionError"),
        (_WrongKey(), "key 'other'"),
        (_Forgetful(), "never saw keys"),
    ],
)
def test_the_contract_catches_a_broken_notifier(notifier: Notifier, words: str) -> None:
    with pytest.raises(ContractViolation, match=words):
        check_notifier(NotifierUnderTest(notifier, delivered_keys=list))


def test_the_contract_catches_ok_on_an_unserved_channel() -> None:
    class Greedy(_Raising):
        def send(self, message: Message) -> Delivery:
            return Delivery(message.key, True)

    keys = [m.key for m in sample_messages(Channel.EMAIL)]
    with pytest.raises(ContractViolation, match="does not serve"):
        check_notifier(NotifierUnderTest(Greedy(), delivered_keys=lambda: keys))


def test_apprise_without_the_extra_names_the_pip_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    from accountcare.adapters.notify.apprise import AppriseNotifier
    from accountcare.errors import MissingExtra

    monkeypatch.setitem(sys.modules, "apprise", None)  # as if it were not installed
    with pytest.raises(MissingExtra, match=r"pip install 'accountcare\[apprise\]'"):
        AppriseNotifier(["json://127.0.0.1/x"])


def test_a_bad_apprise_url_is_named_by_position_never_shown() -> None:
    pytest.importorskip("apprise")
    from accountcare.adapters.notify.apprise import AppriseNotifier
    from accountcare.errors import ConfigurationError

    secret_url = "nosuchservice://token-s3cret@example"
    with pytest.raises(ConfigurationError, match="URL number 2") as caught:
        AppriseNotifier(["json://127.0.0.1/x", secret_url])
    assert "s3cret" not in str(caught.value)
