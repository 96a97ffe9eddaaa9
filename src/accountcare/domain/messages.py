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

    contact_id: str = attrs.field(validator=v.an_id)
    name: str = attrs.field(validator=v.a_name)
    address: str = attrs.field(validator=v.a_name)
    locale: str = attrs.field(default="en", validator=v.a_line)


@attrs.frozen
class Message:
    """A rendered message. ``key`` is the idempotency key every adapter passes on
    (Message-ID for email, an Idempotency-Key header for webhooks), so a message sent
    twice after a crash is recognisable as the same message."""

    key: str = attrs.field(validator=v.a_name)
    channel: Channel = attrs.field(validator=v.in_enum(Channel))
    recipient: Recipient = attrs.field(validator=v.typed(Recipient))
    subject: str = attrs.field(validator=v.a_line)
    text: str = attrs.field(validator=v.a_text)
    due_at: datetime = attrs.field(validator=v.aware)
    html: str | None = attrs.field(default=None, validator=v.optional(v.a_text))
    sender_name: str = attrs.field(default="", validator=v.a_line)


@attrs.frozen
class Delivery:
    """What a notifier reports for one message: sent or not, and the provider's words."""

    key: str = attrs.field(validator=v.a_name)
    ok: bool
    detail: str = ""  # the provider's own words, as they came
    provider_id: str | None = None
    retryable: bool = True
