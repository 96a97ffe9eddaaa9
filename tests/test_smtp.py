"""The SMTP notifier against a real SMTP server (aiosmtpd on loopback)."""

from __future__ import annotations

import email
import re
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime
from email.header import decode_header, make_header

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accountcare.adapters.notify.smtp import SmtpNotifier
from accountcare.domain.contacts import Channel
from accountcare.domain.messages import Message, Recipient
from accountcare.errors import ConfigurationError
from notify_servers import SmtpRecorder, free_port, smtp_server


@pytest.fixture
def server() -> Iterator[tuple[int, SmtpRecorder]]:
    with smtp_server() as running:
        yield running


def _message(
    key: str = "c-1|birthday|2027-03-28|email",
    name: str = "王伟",
    address: str = "wang.wei@example.com",
    html: str | None = "<p>祝您生日快乐 &amp; 万事如意</p>",
) -> Message:
    return Message(
        key=key,
        channel=Channel.EMAIL,
        recipient=Recipient("c-1", name, address, "zh-Hans"),
        subject="王伟，生日快乐！",
        text="尊敬的王伟：\n\n祝您生日快乐！",
        html=html,
        due_at=datetime(2027, 3, 28, 1, tzinfo=UTC),
        sender_name="李娜 (Acme)",
    )


def test_email_arrives_with_both_parts_and_the_cjk_name(server: tuple[int, SmtpRecorder]) -> None:
    port, recorder = server
    with SmtpNotifier("127.0.0.1", port, sender="care@acme.example", timeout=5) as notifier:
        delivery = notifier.send(_message())
    assert delivery.ok, delivery.detail
    [received] = recorder.messages
    assert received["To"].addresses[0].display_name == "王伟"
    assert received["To"].addresses[0].addr_spec == "wang.wei@example.com"
    assert received["From"].addresses[0].display_name == "李娜 (Acme)"
    assert str(received["Subject"]) == "王伟，生日快乐！"
    assert received["Message-ID"] == notifier.message_id("c-1|birthday|2027-03-28|email")
    assert delivery.provider_id == received["Message-ID"]
    assert received.get_content_type() == "multipart/alternative"
    plain = received.get_body(("plain",))
    rich = received.get_body(("html",))
    assert plain is not None
    assert rich is not None
    assert "祝您生日快乐！" in plain.get_content()
    assert "万事如意" in rich.get_content()
    # The raw header is RFC 2047 encoded UTF-8, readable by any mail client.
    raw_to = received.get_all("To")
    assert raw_to is not None
    assert recorder.envelopes == [("care@acme.example", ["wang.wei@example.com"])]


def test_a_repeat_after_a_crash_carries_the_same_message_id(
    server: tuple[int, SmtpRecorder],
) -> None:
    port, recorder = server
    for _ in range(2):  # two notifiers: as if the process died between the two sends
        with SmtpNotifier("127.0.0.1", port, sender="care@acme.example") as notifier:
            assert notifier.send(_message()).ok
    first, second = recorder.messages
    assert first["Message-ID"] == second["Message-ID"]
    assert first.as_bytes() == second.as_bytes()


@settings(max_examples=100)
@given(a=st.text(min_size=1, max_size=30), b=st.text(min_size=1, max_size=30))
def test_message_id_is_a_function_of_the_key_alone(a: str, b: str) -> None:
    one = SmtpNotifier("h", sender="x@acme.example")
    two = SmtpNotifier("other", 587, sender="y@acme.example", starttls=True)
    assert one.message_id(a) == two.message_id(a)
    assert (one.message_id(a) == one.message_id(b)) == (a == b)


def test_one_connection_serves_many_messages(server: tuple[int, SmtpRecorder]) -> None:
    port, recorder = server
    with SmtpNotifier("127.0.0.1", port, sender="care@acme.example") as notifier:
        for n in range(20):
            assert notifier.send(_message(key=f"c-{n}|survey|2027-03-28|email")).ok
        connection = notifier._smtp
        assert connection is not None
    assert len(recorder.messages) == 20
    assert len({m["Message-ID"] for m in recorder.messages}) == 20


def test_a_dropped_connection_is_reopened(server: tuple[int, SmtpRecorder]) -> None:
    port, recorder = server
    notifier = SmtpNotifier("127.0.0.1", port, sender="care@acme.example")
    assert notifier.send(_message(key="a|survey|2027-03-28|email")).ok
    assert notifier._smtp is not None
    notifier._smtp.sock.close()  # type: ignore[union-attr]  # the server hung up meanwhile
    assert notifier.send(_message(key="b|survey|2027-03-28|email")).ok
    notifier.close()
    assert recorder.keys() == ["a|survey|2027-03-28|email", "b|survey|2027-03-28|email"]


def test_a_refused_recipient_is_final_and_a_busy_one_retryable(
    server: tuple[int, SmtpRecorder],
) -> None:
    port, recorder = server
    with SmtpNotifier("127.0.0.1", port, sender="care@acme.example") as notifier:
        refused = notifier.send(_message(address="refuse@example.com"))
        busy = notifier.send(_message(address="busy@example.com"))
        fine = notifier.send(_message(key="c-2|survey|2027-03-28|email"))
    assert not refused.ok
    assert not refused.retryable
    assert not busy.ok
    assert busy.retryable
    assert fine.ok  # the connection survived the refusals
    assert recorder.keys() == ["c-2|survey|2027-03-28|email"]


def test_an_unreachable_server_is_a_retryable_delivery() -> None:
    notifier = SmtpNotifier("127.0.0.1", free_port(), sender="care@acme.example", timeout=2)
    delivery = notifier.send(_message())
    assert not delivery.ok
    assert delivery.retryable
    assert delivery.key == _message().key


def test_a_bad_address_is_a_final_delivery_not_an_exception(
    server: tuple[int, SmtpRecorder],
) -> None:
    port, _ = server
    with SmtpNotifier("127.0.0.1", port, sender="care@acme.example") as notifier:
        delivery = notifier.send(_message(address="not an address"))
    assert not delivery.ok
    assert not delivery.retryable


def test_text_only_messages_have_a_single_part(server: tuple[int, SmtpRecorder]) -> None:
    port, recorder = server
    with SmtpNotifier("127.0.0.1", port, sender="care@acme.example") as notifier:
        assert notifier.send(_message(html=None)).ok
    assert recorder.messages[0].get_content_type() == "text/plain"


def test_starttls_against_a_server_without_it_fails_cleanly(
    server: tuple[int, SmtpRecorder],
) -> None:
    port, recorder = server
    notifier = SmtpNotifier("127.0.0.1", port, sender="care@acme.example", starttls=True)
    delivery = notifier.send(_message())
    assert not delivery.ok
    assert "STARTTLS" in delivery.detail or "starttls" in delivery.detail.lower()
    assert recorder.messages == []


def test_the_password_never_shows() -> None:
    notifier = SmtpNotifier(
        "smtp.example.com", 587, sender="a@b.example", username="u", password="hunter2"
    )
    assert "hunter2" not in repr(notifier)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"starttls": True, "use_ssl": True},
        {"username": "u"},
        {"timeout": 0},
        {"sender": "nobody"},
    ],
)
def test_bad_settings_are_configuration_errors(kwargs: dict[str, object]) -> None:
    settings_ = {"sender": "care@acme.example", **kwargs}
    with pytest.raises(ConfigurationError):
        SmtpNotifier("127.0.0.1", 25, **settings_)  # type: ignore[arg-type]


def test_other_channels_are_refused_without_sending(server: tuple[int, SmtpRecorder]) -> None:
    port, recorder = server
    message = Message(
        key="c-1|survey|2027-03-28|sms",
        channel=Channel.SMS,
        recipient=Recipient("c-1", "王伟", "+8613800138000"),
        subject="s",
        text="t",
        due_at=datetime(2027, 3, 28, tzinfo=UTC),
    )
    delivery = SmtpNotifier("127.0.0.1", port, sender="care@acme.example").send(message)
    assert not delivery.ok
    assert not delivery.retryable
    assert recorder.messages == []


# --- line lengths: RFC 5322 (78 and 998 characters) and RFC 2047 (75 a word) -----------

_ENCODED_WORD = re.compile(rb"=\?[^?\s]*\?[bq]\?[^?\s]*\?=", re.IGNORECASE)


def _rfc2047(value: str) -> str:
    """``value`` unfolded and decoded as RFC 2047 says: whitespace between adjacent
    encoded-words is ignored."""
    return str(make_header(decode_header(value.replace("\r\n", "").replace("\n", ""))))


def _display_name(raw: bytes, header: str) -> str:
    """The display name in ``header``, decoded by the rules of RFC 2047. (The address
    parser of ``email.policy.default`` in Python 3.11 to 3.13 keeps the whitespace between
    adjacent encoded-words as a space, against section 6.2.)"""
    value = email.message_from_bytes(raw)[header]
    assert isinstance(value, str)
    return _rfc2047(value.rpartition("<")[0].strip())


def _assert_line_lengths(raw: bytes) -> None:
    head, _, body = raw.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        assert len(line) <= 78, line  # every header line we write
    for word in _ENCODED_WORD.findall(head):
        assert len(word) <= 75, word
    for line in body.split(b"\r\n"):
        assert len(line) <= 998, line


def test_long_cjk_names_subject_and_key_arrive_exact_in_short_lines(
    server: tuple[int, SmtpRecorder],
) -> None:
    port, recorder = server
    key = "王" * 250
    message = Message(
        key=key,
        channel=Channel.EMAIL,
        recipient=Recipient("c-1", "王" * 300, "wang.wei@example.com", "zh-Hans"),
        subject="王" * 300,
        text="祝您生日快乐！",
        due_at=datetime(2027, 3, 28, 1, tzinfo=UTC),
        sender_name="李" * 300,
    )
    with SmtpNotifier("127.0.0.1", port, sender="care@acme.example", timeout=5) as notifier:
        delivery = notifier.send(message)
    assert delivery.ok, delivery.detail
    [raw] = recorder.raw
    _assert_line_lengths(raw)
    assert _display_name(raw, "To") == "王" * 300  # no space where the name was split
    assert _display_name(raw, "From") == "李" * 300
    [received] = recorder.messages
    assert received["To"].addresses[0].addr_spec == "wang.wei@example.com"
    assert str(received["Subject"]) == "王" * 300
    legacy = email.message_from_bytes(raw)
    assert _rfc2047(str(legacy["Subject"])) == "王" * 300
    # The key, exact and reversible: through the modern parser and any RFC 2047 reader.
    assert recorder.keys() == [key]
    assert urllib.parse.unquote(_rfc2047(str(legacy["X-Accountcare-Key"]))) == key


_PRINTABLE = st.characters(codec="utf-8", categories=["L", "M", "N", "P", "S", "Zs"])


@settings(max_examples=100, deadline=None)
@given(
    text=st.text(_PRINTABLE, max_size=150),
    key=st.text(_PRINTABLE, max_size=254),
)
def test_every_header_line_fits_and_every_value_comes_back(text: str, key: str) -> None:
    name, subject, key = f"N{text}", f"S{text}", f"k{key}"
    notifier = SmtpNotifier("127.0.0.1", sender="care@acme.example", sender_name=name)
    message = Message(
        key=key,
        channel=Channel.EMAIL,
        recipient=Recipient("c-1", name, "wang.wei@example.com"),
        subject=subject,
        text="t",
        due_at=datetime(2027, 3, 28, tzinfo=UTC),
    )
    raw = notifier.build(message).as_bytes()
    _assert_line_lengths(raw)
    legacy = email.message_from_bytes(raw)
    assert urllib.parse.unquote(_rfc2047(str(legacy["X-Accountcare-Key"]))) == key
    assert _display_name(raw, "To") == name.strip()
    assert _display_name(raw, "From") == name.strip()
    assert _rfc2047(str(legacy["Subject"])) == subject


def test_a_plain_name_and_a_long_address_fold_before_the_address(
    server: tuple[int, SmtpRecorder],
) -> None:
    port, recorder = server
    address = "a" * 40 + "@" + "b" * 20 + ".example.com"
    with SmtpNotifier("127.0.0.1", port, sender="care@acme.example") as notifier:
        assert notifier.send(_message(name="Ann Lee Anderson-Whitfield", address=address)).ok
    [raw] = recorder.raw
    _assert_line_lengths(raw)
    [received] = recorder.messages
    assert received["To"].addresses[0].display_name == "Ann Lee Anderson-Whitfield"
    assert received["To"].addresses[0].addr_spec == address


def test_an_address_longer_than_smtp_allows_is_refused_naming_the_field(
    server: tuple[int, SmtpRecorder],
) -> None:
    port, recorder = server
    address = "a" * 64 + "@" + ".".join(["b" * 60] * 4) + ".example"
    with SmtpNotifier("127.0.0.1", port, sender="care@acme.example") as notifier:
        delivery = notifier.send(_message(address=address))
    assert not delivery.ok
    assert not delivery.retryable
    assert "'recipient.address'" in delivery.detail
    assert "254 octets" in delivery.detail
    assert recorder.raw == []


def test_an_unusable_message_id_domain_is_a_configuration_error() -> None:
    for domain in ("b" * 254 + ".example", "acme.example\r\nBcc: eve@evil.example"):
        with pytest.raises(ConfigurationError, match="message_id_domain"):
            SmtpNotifier("127.0.0.1", sender="care@acme.example", message_id_domain=domain)
