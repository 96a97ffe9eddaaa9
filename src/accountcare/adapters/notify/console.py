"""A notifier that writes messages to a text stream or the `logging` module.

For development, demos and dry runs: every message is written as a short block headed
by its key, so a repeat after a crash is visible at a glance.

>>> import io
>>> from datetime import UTC, datetime
>>> from accountcare.domain import Channel, Message, Recipient
>>> out = io.StringIO()
>>> notifier = ConsoleNotifier(stream=out)
>>> msg = Message(key="c-1|birthday|2027-03-28|email", channel=Channel.EMAIL,
...               recipient=Recipient("c-1", "王伟", "wang@example.com"),
...               subject="生日快乐", text="祝您生日快乐！",
...               due_at=datetime(2027, 3, 28, 1, tzinfo=UTC))
>>> notifier.send(msg).ok
True
>>> print(out.getvalue().splitlines()[0])
=== c-1|birthday|2027-03-28|email: email to 王伟 <wang@example.com>
"""

from __future__ import annotations

import logging
import threading
from typing import TextIO

from accountcare.adapters.notify import unserved
from accountcare.domain.contacts import Channel
from accountcare.domain.messages import Delivery, Message

__all__ = ["ConsoleNotifier"]

_ALL_CHANNELS = frozenset(Channel)


class ConsoleNotifier:
    """Writes each message to ``stream``, or logs it at INFO on ``logger`` when no stream
    is given (the ``accountcare.notify`` logger by default). Delivers on every channel
    unless ``channels`` narrows them."""

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        logger: logging.Logger | None = None,
        channels: frozenset[Channel] = _ALL_CHANNELS,
    ) -> None:
        self._stream = stream
        self._logger = logger or logging.getLogger("accountcare.notify")
        self._channels = frozenset(channels)
        self._lock = threading.Lock()

    @property
    def channels(self) -> frozenset[Channel]:
        return self._channels

    def send(self, message: Message) -> Delivery:
        """Write the message; a failing stream comes back as ``ok=False``."""
        refused = unserved(message, self._channels)
        if refused is not None:
            return refused
        to = message.recipient
        block = (
            f"=== {message.key}: {message.channel.value} to {to.name} <{to.address}>\n"
            f"Due: {message.due_at.isoformat()}\n"
            f"Subject: {message.subject}\n\n{message.text}\n"
        )
        try:
            if self._stream is None:
                self._logger.info("%s", block)
            else:
                with self._lock:
                    self._stream.write(block)
                    self._stream.flush()
        except (OSError, ValueError) as exc:  # closed or broken stream
            return Delivery(message.key, False, f"could not write: {exc}")
        return Delivery(message.key, True, "written", provider_id=message.key)
