"""The notifier port: anything that can deliver a rendered
[`Message`][accountcare.domain.messages.Message]."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from accountcare.domain.contacts import Channel
from accountcare.domain.messages import Delivery, Message

__all__ = ["Notifier"]


@runtime_checkable
class Notifier(Protocol):
    """Delivers messages on some channels.

    ``send`` never raises for a delivery failure: it returns a
    [`Delivery`][accountcare.domain.messages.Delivery] with ``ok=False`` and says whether a retry
    may help. It must pass ``message.key`` on to the provider (Message-ID, Idempotency-Key) so a
    repeat after a crash is recognisable.
    """

    @property
    def channels(self) -> frozenset[Channel]:
        """The channels this notifier can deliver on."""
        ...

    def send(self, message: Message) -> Delivery:
        """Deliver one message and report the result."""
        ...
