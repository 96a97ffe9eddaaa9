"""Notifiers: adapters that satisfy [`Notifier`][accountcare.ports.notify.Notifier].

``console`` (a text stream or `logging`), ``smtp`` (email through `smtplib`),
``webhook`` (a signed JSON POST) and ``apprise`` (chat and SMS services, extra
``apprise``). Import the module you need; nothing optional is imported here.

A webhook receiver needs only [`verify_webhook`][accountcare.adapters.notify.verify_webhook]
(and [`WebhookVerificationError`][accountcare.adapters.notify.WebhookVerificationError]),
exported here from a standard-library-only module; see ``docs/notifications.md``. This
package is their one public home, with
[`sign_webhook`][accountcare.adapters.notify.sign_webhook] and
[`generate_secret`][accountcare.adapters.notify.generate_secret]: ``webhook`` uses them
but does not export them again.
"""

from __future__ import annotations

from accountcare.adapters.notify._signing import (
    WebhookVerificationError,
    generate_secret,
    sign_webhook,
    verify_webhook,
)
from accountcare.domain.contacts import Channel
from accountcare.domain.messages import Delivery, Message

__all__ = [
    "WebhookVerificationError",
    "generate_secret",
    "sign_webhook",
    "unserved",
    "verify_webhook",
]


def unserved(message: Message, channels: frozenset[Channel]) -> Delivery | None:
    """The refusal of a message on a channel not among ``channels`` (no retry can help),
    or None when the notifier serves it.

    >>> from datetime import UTC, datetime
    >>> from accountcare.domain import Recipient
    >>> sms = Message("k", Channel.SMS, Recipient("c-1", "Kim", "+8210"), "", "hi",
    ...               datetime(2027, 3, 1, tzinfo=UTC))
    >>> unserved(sms, frozenset({Channel.EMAIL})).detail
    'channel sms is not served here'
    """
    if message.channel in channels:
        return None
    detail = f"channel {message.channel.value} is not served here"
    return Delivery(message.key, False, detail, None, retryable=False)
