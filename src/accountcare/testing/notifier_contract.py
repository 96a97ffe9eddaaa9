"""The notifier contract: what every [`Notifier`][accountcare.ports.notify.Notifier] must do.

One suite for the library's notifiers and a host's own. Give
[`check_notifier`][accountcare.testing.notifier_contract.check_notifier] a
[`NotifierUnderTest`][accountcare.testing.notifier_contract.NotifierUnderTest]: the
notifier, a way to read which message keys its provider received, and optionally the
same kind of notifier pointed at a provider that fails. It raises
[`ContractViolation`][accountcare.testing.notifier_contract.ContractViolation] (an
``AssertionError``) naming the first broken rule in plain words:

1. ``channels`` is a non-empty frozenset of
   [`Channel`][accountcare.domain.contacts.Channel];
2. ``send`` returns a [`Delivery`][accountcare.domain.messages.Delivery] with the
   message's key;
3. a failure comes back as ``Delivery(ok=False)``, never as an exception;
4. the key reaches the provider (Message-ID, Idempotency-Key, a reference line...);
5. a message on a channel the notifier does not serve gets ``ok=False``.

>>> import io
>>> from accountcare.adapters.notify.console import ConsoleNotifier
>>> out = io.StringIO()
>>> check_notifier(NotifierUnderTest(
...     ConsoleNotifier(stream=out),
...     delivered_keys=lambda: [line.split(": ")[0][4:] for line in
...                             out.getvalue().splitlines() if line.startswith("=== ")]))
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime

import attrs
from hypothesis import strategies as st

from accountcare.domain.contacts import Channel
from accountcare.domain.messages import Delivery, Message, Recipient
from accountcare.ports.notify import Notifier

__all__ = [
    "ContractViolation",
    "NotifierUnderTest",
    "check_notifier",
    "messages",
    "sample_messages",
]


class ContractViolation(AssertionError):
    """A notifier broke a rule of the contract; the message says which and how."""


@attrs.frozen
class NotifierUnderTest:
    """A notifier, a reader of the keys its provider received, and optionally a
    ``failing`` notifier whose provider refuses or cannot be reached."""

    notifier: Notifier
    delivered_keys: Callable[[], Collection[str]]
    failing: Notifier | None = None


_ADDRESS = {
    Channel.EMAIL: "wang.wei@example.com",
    Channel.SMS: "+8613800138000",
    Channel.PHONE: "+82212345678",
    Channel.MESSENGER: "+886912345678",
    Channel.VISIT: "Acme HQ",
    Channel.MAIL: "1 Main Street",
}


def sample_messages(channel: Channel) -> list[Message]:
    """Three messages on ``channel``: CJK names, markup and punctuation in the text."""
    due = datetime(2027, 2, 6, 1, tzinfo=UTC)
    people = [("c-1", "王伟", "zh-Hans"), ("c-2", "김민준", "ko"), ("c-3", "O'Neil, Ann", "en")]
    return [
        Message(
            key=f"{cid}|holiday_greeting|2027-02-06|{channel.value}",
            channel=channel,
            recipient=Recipient(cid, name, _ADDRESS[channel], locale),
            subject=f"Greetings, {name}; 新春快乐",
            text=f"Dear {name},\n\n<b>not markup</b> & 50% off; line two.",
            html=f"<p>Dear {name}</p>",
            due_at=due,
            sender_name="李娜",
        )
        for cid, name, locale in people
    ]


def messages(channel: Channel) -> st.SearchStrategy[Message]:
    """Hypothesis strategy: messages on ``channel`` with arbitrary printable text."""
    text = st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=60)
    name = st.text(st.characters(exclude_categories=("Cs", "Cc", "Z")), min_size=1, max_size=12)
    ids = st.text(alphabet="abcdefgh0123456789-", min_size=1, max_size=8)
    return st.builds(
        lambda cid, who, subject, body, day: Message(
            key=f"{cid}|survey|{day.isoformat()}|{channel.value}",
            channel=channel,
            recipient=Recipient(cid, who, _ADDRESS[channel]),
            subject=" ".join(subject.split()) or "(no subject)",
            text=body,
            due_at=datetime(day.year, day.month, day.day, tzinfo=UTC),
        ),
        ids,
        name,
        text,
        text,
        st.dates(min_value=datetime(2026, 1, 1).date(), max_value=datetime(2030, 1, 1).date()),
    )


def _fail(rule: str, detail: str) -> ContractViolation:
    return ContractViolation(f"notifier contract, {rule}: {detail}")


def _checked_send(notifier: Notifier, message: Message, rule: str) -> Delivery:
    try:
        delivery = notifier.send(message)
    except Exception as exc:
        raise _fail(rule, f"send raised {type(exc).__name__}: {exc}") from exc
    if not isinstance(delivery, Delivery):
        raise _fail(rule, f"send returned {type(delivery).__name__}, not a Delivery")
    if delivery.key != message.key:
        raise _fail(rule, f"the Delivery's key {delivery.key!r} is not {message.key!r}")
    return delivery


def check_notifier(subject: NotifierUnderTest, sample: Sequence[Message] | None = None) -> None:
    """Run every rule of the contract; raise
    [`ContractViolation`][accountcare.testing.notifier_contract.ContractViolation] on the
    first break."""
    notifier = subject.notifier
    channels = notifier.channels
    if not isinstance(channels, frozenset) or not channels:
        raise _fail("channels", f"must be a non-empty frozenset, got {channels!r}")
    if not all(isinstance(c, Channel) for c in channels):
        raise _fail("channels", f"must hold Channel values, got {channels!r}")
    channel = sorted(channels, key=lambda c: c.value)[0]
    batch = list(sample) if sample is not None else sample_messages(channel)
    for message in batch:
        delivery = _checked_send(notifier, message, "send")
        if not delivery.ok:
            raise _fail("send", f"delivery of {message.key!r} failed: {delivery.detail}")
    received = set(subject.delivered_keys())
    missing = [m.key for m in batch if m.key not in received]
    if missing:
        raise _fail("key reaches the provider", f"the provider never saw keys {missing}")
    unserved = sorted(set(Channel) - channels, key=lambda c: c.value)
    if unserved:
        stray = sample_messages(unserved[0])[0]
        delivery = _checked_send(notifier, stray, "failures are deliveries")
        if delivery.ok:
            raise _fail(
                "channels", f"reported ok for channel {unserved[0].value} it does not serve"
            )
    if subject.failing is not None:
        for message in batch[:1]:
            delivery = _checked_send(subject.failing, message, "failures are deliveries")
            if delivery.ok:
                raise _fail("failures are deliveries", "a failing provider reported ok=True")
