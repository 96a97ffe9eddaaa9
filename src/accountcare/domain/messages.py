"""Messages: a care task rendered for one recipient, and the result of sending it."""

from __future__ import annotations

from datetime import datetime

import attrs

from accountcare.domain import _validate as v
from accountcare.domain.contacts import Channel

__all__ = ["Delivery", "Message", "Recipient"]


@attrs.frozen
class Recipient:
    """Whom a message goes to: ``address`` is an email address, an E.164 number or a
    messenger handle, depending on the channel."""

    contact_id: str = attrs.field(validator=v.non_empty)
    name: str = attrs.field(validator=v.non_empty)
    address: str = attrs.field(validator=v.non_empty)
    locale: str = "en"


@attrs.frozen
class Message:
    """A rendered message. ``key`` is the idempotency key every adapter passes on
    (Message-ID for email, an Idempotency-Key header for webhooks), so a message sent
    twice after a crash is recognisable as the same message."""

    key: str = attrs.field(validator=v.non_empty)
    channel: Channel = attrs.field(validator=v.in_enum(Channel))
    recipient: Recipient
    subject: str
    text: str
    due_at: datetime = attrs.field(validator=v.aware)
    html: str | None = None
    sender_name: str = ""


@attrs.frozen
class Delivery:
    """What a notifier reports for one message: sent or not, and the provider's words."""

    key: str = attrs.field(validator=v.non_empty)
    ok: bool
    detail: str = ""
    provider_id: str | None = None
    retryable: bool = True
