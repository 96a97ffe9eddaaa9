"""Notifiers: adapters that satisfy :class:`accountcare.ports.notify.Notifier`.

``console`` (a text stream or :mod:`logging`), ``smtp`` (email through :mod:`smtplib`),
``webhook`` (a signed JSON POST) and ``apprise`` (chat and SMS services, extra
``apprise``). Import the module you need; nothing optional is imported here.
"""

from __future__ import annotations

from accountcare.domain.contacts import Channel
from accountcare.domain.messages import Delivery, Message

__all__ = ["unserved"]


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
