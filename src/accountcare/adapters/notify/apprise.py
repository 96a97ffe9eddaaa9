"""Chat and SMS services through Apprise (extra ``apprise``, ``apprise>=2``).

Apprise reaches dozens of services (Telegram, Slack, LINE, Matrix, SMS gateways...) through
URLs that carry the credentials, so the URLs are kept private: never logged, never in
``repr`` or in a [`Delivery`][accountcare.domain.messages.Delivery]. Chat services have no
idempotency header, so the message key is appended to the body as a ``Ref:`` line
(``include_key=False`` turns this off); a repeat after a crash is recognisable by that line.

Apprise 2 returns a result object from ``notify()``; its ``status`` tells success,
failure, no match and timeout apart.

It logs on ``accountcare.adapters.notify.apprise``: DEBUG for each send (the key and how
many services), WARNING for a failed one (Apprise's status, or the class of what it
raised); never a URL. Apprise's own loggers (``apprise``) are the host's to configure.

>>> AppriseNotifier(["json://127.0.0.1:9/hook"])  # doctest: +ELLIPSIS
AppriseNotifier(1 service(s), channels=['messenger', 'sms'])
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from accountcare._imports import require
from accountcare.adapters.notify import unserved
from accountcare.domain.contacts import Channel
from accountcare.domain.messages import Delivery, Message
from accountcare.errors import ConfigurationError

__all__ = ["AppriseNotifier"]

log = logging.getLogger(__name__)


class AppriseNotifier:
    """Sends each message (subject as title, plain text as body) to every Apprise URL.

    ``timeout`` bounds one ``send`` in seconds (Apprise's call deadline).
    """

    def __init__(
        self,
        urls: Sequence[str],
        *,
        channels: frozenset[Channel] = frozenset({Channel.MESSENGER, Channel.SMS}),
        include_key: bool = True,
        timeout: float = 30.0,
    ) -> None:
        apprise = require("apprise", "apprise")
        if isinstance(urls, str):
            raise ConfigurationError("AppriseNotifier: give a list of URLs, not one string")
        if not urls:
            raise ConfigurationError("AppriseNotifier: at least one Apprise URL is needed")
        if not channels:
            raise ConfigurationError("AppriseNotifier: channels must not be empty")
        if not timeout > 0:
            raise ConfigurationError("AppriseNotifier: timeout must be positive")
        self._apprise: Any = apprise.Apprise()
        for number, url in enumerate(urls, start=1):
            if not self._apprise.add(url):
                # Name the position only: the URL holds credentials.
                raise ConfigurationError(
                    f"AppriseNotifier: URL number {number} is not a valid Apprise URL"
                )
        self._count = len(urls)
        self._channels = frozenset(channels)
        self.include_key = include_key
        self.timeout = timeout

    def __repr__(self) -> str:
        names = sorted(c.value for c in self._channels)
        return f"AppriseNotifier({self._count} service(s), channels={names})"

    @property
    def channels(self) -> frozenset[Channel]:
        return self._channels

    def send(self, message: Message) -> Delivery:
        """Notify every service; ``ok`` only when all of them accepted the message."""
        key = message.key
        refused = unserved(message, self._channels)
        if refused is not None:
            return refused
        body = f"{message.text}\n\nRef: {key}" if self.include_key else message.text
        log.debug("sending %s through %d Apprise service(s)", key, self._count)
        try:
            result = self._apprise.notify(body=body, title=message.subject, timeout=self.timeout)
        except Exception as exc:  # Apprise plugins may raise anything; never leak the URL
            log.warning("Apprise send of %s failed: it raised %s", key, type(exc).__name__)
            return Delivery(key, False, f"apprise raised {type(exc).__name__}")
        status = getattr(result, "status", None)
        name = getattr(status, "name", "SUCCESS" if result else "FAILURE")
        if bool(result):
            log.debug("%s sent through Apprise (%s)", key, name.lower())
            return Delivery(key, True, f"apprise {name.lower()}", provider_id=key)
        log.warning("Apprise send of %s failed: status %s", key, name.lower())
        # NOMATCH means no service was configured to take it: retrying cannot help.
        return Delivery(key, False, f"apprise {name.lower()}", None, name != "NOMATCH")
