"""A webhook notifier: the message as JSON, POSTed with an HMAC-SHA256 signature.

Headers: ``Content-Type: application/json; charset=utf-8``, ``Idempotency-Key`` (the
message key; non-ASCII characters percent-encoded as UTF-8), and
``X-Accountcare-Signature: sha256=<hex>``, the HMAC-SHA256 of the exact body bytes under
the shared secret. The receiver recomputes it (:func:`sign`) and compares with
:func:`hmac.compare_digest`. 5xx, 408, 429, timeouts and connection errors are retried
with bounded exponential backoff; other 4xx are final; redirects are not followed.

>>> sign(b'{"key":"k"}', "s3cret")
'sha256=e3f76069efdbff12bbfab47455aa537d3610a442be1d33fafef467968ffe43ea'
"""

from __future__ import annotations

import hashlib
import hmac
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from email.message import Message as HttpHeaders

from accountcare.adapters.notify import unserved
from accountcare.domain.contacts import Channel
from accountcare.domain.messages import Delivery, Message
from accountcare.errors import ConfigurationError
from accountcare.serialization import to_json

__all__ = ["SIGNATURE_HEADER", "WebhookNotifier", "sign"]

SIGNATURE_HEADER = "X-Accountcare-Signature"
_RETRY_STATUSES = frozenset({408, 425, 429})
_MAX_ATTEMPTS = 10


def sign(body: bytes, secret: str | bytes) -> str:
    """The signature header value for ``body``: ``sha256=`` and the hex HMAC."""
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect would turn the POST into a GET and drop the body: report it instead."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: object,
        code: int,
        msg: str,
        headers: HttpHeaders,
        newurl: str,
    ) -> urllib.request.Request | None:
        return None


class WebhookNotifier:
    """POSTs each message to ``url``.

    ``max_attempts`` (1 to 10) bounds the tries of one ``send``; the n-th retry waits
    ``backoff * 2**(n-1)`` seconds, at most ``max_backoff``. ``timeout`` bounds each
    request. ``channels`` says which channels the receiving service handles (messenger
    and SMS by default). The secret never appears in ``repr`` or in a :class:`Delivery`.
    """

    def __init__(
        self,
        url: str,
        *,
        secret: str | bytes,
        channels: frozenset[Channel] = frozenset({Channel.MESSENGER, Channel.SMS}),
        timeout: float = 10.0,
        max_attempts: int = 3,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        headers: Mapping[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        scheme = urllib.parse.urlsplit(url).scheme
        if scheme not in ("http", "https"):
            raise ConfigurationError(f"WebhookNotifier: url must be http or https, got {scheme!r}")
        if not secret:
            raise ConfigurationError("WebhookNotifier: a shared secret is required for signing")
        if not channels:
            raise ConfigurationError("WebhookNotifier: channels must not be empty")
        if not 1 <= max_attempts <= _MAX_ATTEMPTS:
            raise ConfigurationError(
                f"WebhookNotifier: max_attempts must be 1 to {_MAX_ATTEMPTS}, got {max_attempts}"
            )
        if not timeout > 0 or backoff < 0 or max_backoff < 0:
            raise ConfigurationError("WebhookNotifier: timeout must be positive, backoffs >= 0")
        self.url = url
        self._secret = secret
        self._channels = frozenset(channels)
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.backoff, self.max_backoff = backoff, max_backoff
        self._headers = dict(headers or {})
        self._sleep = sleep
        self._opener = urllib.request.build_opener(_NoRedirect)

    def __repr__(self) -> str:
        parts = urllib.parse.urlsplit(self.url)
        return f"WebhookNotifier('{parts.scheme}://{parts.hostname}...')"

    @property
    def channels(self) -> frozenset[Channel]:
        return self._channels

    def request(self, message: Message) -> urllib.request.Request:
        """The signed POST request for ``message`` (the same bytes on every attempt)."""
        body = to_json(message).encode("utf-8")
        headers = {
            **self._headers,
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "accountcare-webhook",
            "Idempotency-Key": urllib.parse.quote(message.key, safe="|-_.:@+=/ "),
            SIGNATURE_HEADER: sign(body, self._secret),
        }
        return urllib.request.Request(self.url, data=body, headers=headers, method="POST")

    def send(self, message: Message) -> Delivery:
        """POST the message; never raises for a delivery failure."""
        key = message.key
        refused = unserved(message, self._channels)
        if refused is not None:
            return refused
        request = self.request(message)
        detail = "not sent"
        for attempt in range(1, self.max_attempts + 1):
            if attempt > 1:
                self._sleep(min(self.backoff * 2 ** (attempt - 2), self.max_backoff))
            try:
                with self._opener.open(request, timeout=self.timeout) as response:
                    status = response.status
                    provider_id = response.headers.get("X-Request-Id")
                    response.read()
                return Delivery(key, True, f"HTTP {status}", provider_id=provider_id)
            except urllib.error.HTTPError as exc:
                exc.close()
                status = exc.code
                detail = f"HTTP {status} after {attempt} attempt(s)"
                if not (status >= 500 or status in _RETRY_STATUSES):
                    return Delivery(key, False, detail, None, False)
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
                detail = f"{type(reason).__name__} after {attempt} attempt(s): {reason}"
        return Delivery(key, False, detail, None, True)
