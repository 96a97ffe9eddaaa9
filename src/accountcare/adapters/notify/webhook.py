"""A webhook notifier: the message as JSON, POSTed with a Standard Webhooks signature.

Headers: ``Content-Type: application/json; charset=utf-8``, ``webhook-id`` and
``Idempotency-Key`` (both the message key, UTF-8 percent-encoded except for letters,
digits and ``|-_:@+=/~``, the same on every retry), ``webhook-timestamp`` (Unix seconds
of the attempt) and ``webhook-signature``: ``v1,`` and the base64 HMAC-SHA256 of
``{webhook-id}.{webhook-timestamp}.{body}`` under each secret. Secrets are ``whsec_`` and
base64 ([`generate_secret`][accountcare.adapters.notify.generate_secret]); a receiver
checks a request with [`verify_webhook`][accountcare.adapters.notify.verify_webhook],
which also refuses a replay once the timestamp is older than its tolerance. Those two,
[`sign_webhook`][accountcare.adapters.notify.sign_webhook] and
[`WebhookVerificationError`][accountcare.adapters.notify.WebhookVerificationError] are
imported from ``accountcare.adapters.notify``, their one public home, which needs only
the standard library.

``timeout`` is a deadline for a whole attempt: connecting, the TLS handshake, sending,
and reading the status, the headers and (at most 64 KiB of) the body, however slowly the
receiver trickles them. 5xx, 408, 425, 429, timeouts and connection errors are retried
with bounded exponential backoff; other 4xx are final; redirects are not followed.

It logs on ``accountcare.adapters.notify.webhook``: DEBUG for each attempt (the key and
the receiver's scheme and host only: a URL's path or query may hold a token), WARNING
for a failed send (the error's class or the HTTP status); never a secret.

>>> notifier = WebhookNotifier("https://crm.example.com/hooks", secret="whsec_" + "A" * 32)
>>> notifier
WebhookNotifier('https://crm.example.com...')
"""

from __future__ import annotations

import contextlib
import http.client
import io
import logging
import re
import selectors
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from email.message import Message as HttpHeaders
from typing import TYPE_CHECKING, Any

from accountcare.adapters.notify import unserved
from accountcare.adapters.notify._headers import header_key, header_text
from accountcare.adapters.notify._signing import _signature, secret_key
from accountcare.domain.contacts import Channel
from accountcare.domain.messages import Delivery, Message
from accountcare.errors import ConfigurationError
from accountcare.serialization import to_json

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

__all__ = ["SEND_BUDGET", "WebhookNotifier"]

log = logging.getLogger(__name__)

# The longest one send() may take, all attempts and waits together: well inside the
# outbox dispatcher's default five-minute lease, so a claimed entry is settled in time.
SEND_BUDGET = 240.0
_RETRY_STATUSES = frozenset({408, 425, 429})
_MAX_ATTEMPTS = 10
_MAX_RESPONSE_BODY = 64 * 1024
_MAX_PROVIDER_ID = 200
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f]")


def _system_clock() -> datetime:
    return datetime.now(UTC)


class _Deadline:
    """The end of one attempt; ``left()`` raises ``TimeoutError`` once it has passed."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def left(self) -> float:
        left = self.at - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"the {self.seconds:g} s deadline of the attempt passed")
        return left


class _DeadlineReader(io.RawIOBase):
    """A socket's bytes, each read bounded by what is left of the attempt's deadline."""

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        super().__init__()
        self._sock = sock
        self._raw = sock.makefile("rb", buffering=0)  # holds the socket open, like http.client
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int | None:
        self._sock.settimeout(self._deadline.left())
        return self._raw.readinto(buffer)

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


def _response_class(deadline: _Deadline) -> type[http.client.HTTPResponse]:
    class DeadlineResponse(http.client.HTTPResponse):
        """The status line, headers and body, all read under the attempt's deadline."""

        def __init__(self, sock: socket.socket, *args: Any, **kwargs: Any) -> None:
            super().__init__(sock, *args, **kwargs)
            self.fp.close()
            self.fp = io.BufferedReader(_DeadlineReader(sock, deadline))

    return DeadlineResponse


def _handshake(sock: ssl.SSLSocket, deadline: _Deadline) -> None:
    """The TLS handshake, without blocking past the deadline however slow the peer is."""
    sock.settimeout(0.0)
    with selectors.DefaultSelector() as selector:
        while True:
            try:
                sock.do_handshake()
                return
            except ssl.SSLWantReadError:
                event = selectors.EVENT_READ
            except ssl.SSLWantWriteError:
                event = selectors.EVENT_WRITE
            selector.register(sock, event)
            ready = selector.select(deadline.left())
            selector.unregister(sock)
            if not ready:
                deadline.left()  # raises: the deadline has passed
                raise TimeoutError("the TLS handshake did not finish in time")


class _HTTPConnection(http.client.HTTPConnection):
    """A connection whose connect, sends and reads all share one deadline (``timeout``);
    the other arguments are ``http.client.HTTPConnection``'s."""

    def __init__(self, host: str, /, *, timeout: float = 10.0, **options: Any) -> None:
        super().__init__(host, timeout=timeout, **options)
        self.deadline = _Deadline(timeout)
        self.response_class = _response_class(self.deadline)

    def connect(self) -> None:
        self.timeout = self.deadline.left()
        super().connect()

    def send(self, data: Any) -> None:
        if self.sock is None:
            self.connect()
        if self.sock is not None:
            self.sock.settimeout(self.deadline.left())  # sendall's bound is the whole send
        super().send(data)


class _HTTPSConnection(_HTTPConnection):
    """The TLS form of [`_HTTPConnection`][accountcare.adapters.notify.webhook._HTTPConnection]:
    the TCP connection (and a proxy's tunnel) within the deadline, then the handshake."""

    default_port = http.client.HTTPS_PORT

    def __init__(
        self, host: str, /, *, context: ssl.SSLContext | None = None, **options: Any
    ) -> None:
        super().__init__(host, **options)
        self._tls = context if context is not None else ssl.create_default_context()

    def connect(self) -> None:
        super().connect()
        server_hostname = getattr(self, "_tunnel_host", None) or self.host
        tls = self._tls.wrap_socket(
            self.sock, server_hostname=server_hostname, do_handshake_on_connect=False
        )
        self.sock = tls
        _handshake(tls, self.deadline)


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_HTTPConnection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, context: ssl.SSLContext | None) -> None:
        super().__init__()
        self._tls_context = context

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_HTTPSConnection, req, context=self._tls_context)


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
    """POSTs each message to ``url``, signed with ``secret`` (a ``whsec_`` string or raw
    key bytes; a list of them while rotating, the newest first: one signature each).

    ``timeout`` (seconds) is the deadline of each attempt as a whole. ``max_attempts`` (1
    to 10) bounds the tries of one ``send``; the n-th retry waits ``backoff * 2**(n-1)``
    seconds, at most ``max_backoff``. All attempts and waits together must fit in
    ``SEND_BUDGET`` (240 s), inside the outbox dispatcher's default five-minute lease.
    ``channels`` says which channels the receiving service handles (messenger and SMS by
    default). ``clock`` gives the attempt's ``webhook-timestamp``. The secret never
    appears in ``repr`` or in a [`Delivery`][accountcare.domain.messages.Delivery].
    """

    def __init__(
        self,
        url: str,
        *,
        secret: str | bytes | Sequence[str | bytes],
        channels: frozenset[Channel] = frozenset({Channel.MESSENGER, Channel.SMS}),
        timeout: float = 10.0,
        max_attempts: int = 3,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        headers: Mapping[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = _system_clock,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        scheme = urllib.parse.urlsplit(url).scheme
        if scheme not in ("http", "https"):
            raise ConfigurationError(f"WebhookNotifier: url must be http or https, got {scheme!r}")
        secrets = [secret] if isinstance(secret, str | bytes) else list(secret)
        if not secrets:
            raise ConfigurationError("WebhookNotifier: a shared secret is required for signing")
        try:
            self._keys = [secret_key(one) for one in secrets]
        except ConfigurationError as exc:
            raise ConfigurationError(f"WebhookNotifier: {exc}") from None
        if not channels:
            raise ConfigurationError("WebhookNotifier: channels must not be empty")
        if not 1 <= max_attempts <= _MAX_ATTEMPTS:
            raise ConfigurationError(
                f"WebhookNotifier: max_attempts must be 1 to {_MAX_ATTEMPTS}, got {max_attempts}"
            )
        if not timeout > 0 or backoff < 0 or max_backoff < 0:
            raise ConfigurationError("WebhookNotifier: timeout must be positive, backoffs >= 0")
        waits = sum(min(backoff * 2 ** (n - 1), max_backoff) for n in range(1, max_attempts))
        worst = max_attempts * timeout + waits
        if worst > SEND_BUDGET:
            raise ConfigurationError(
                f"WebhookNotifier: one send could take {worst:g} s ({max_attempts} attempts of "
                f"{timeout:g} s and {waits:g} s of waits), more than {SEND_BUDGET:g} s"
            )
        for name, value in (headers or {}).items():
            if _TOKEN.fullmatch(name) is None or _CONTROL.search(value) is not None:
                raise ConfigurationError(
                    f"WebhookNotifier: header {name!r} has a name or value HTTP cannot carry"
                )
        self.url = url
        self._channels = frozenset(channels)
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.backoff, self.max_backoff = backoff, max_backoff
        self._headers = dict(headers or {})
        self._sleep = sleep
        self._clock = clock
        self._opener = urllib.request.build_opener(
            _NoRedirect, _HTTPHandler(), _HTTPSHandler(ssl_context)
        )

    def __repr__(self) -> str:
        return f"WebhookNotifier('{self._where()}...')"

    def _where(self) -> str:
        """The receiver's scheme and host: what a log line or ``repr`` may show."""
        parts = urllib.parse.urlsplit(self.url)
        return f"{parts.scheme}://{parts.hostname}"

    @property
    def channels(self) -> frozenset[Channel]:
        return self._channels

    def request(self, message: Message) -> urllib.request.Request:
        """The signed POST request for ``message`` at this moment: the body and
        ``webhook-id`` are the same on every attempt, the timestamp and signature are the
        attempt's.

        >>> from datetime import UTC, datetime
        >>> from accountcare.adapters.notify import verify_webhook
        >>> from accountcare.domain import Channel, Message, Recipient
        >>> msg = Message("c-1|survey|2027-03-28|sms", Channel.SMS,
        ...               Recipient("c-1", "Ann", "+8210"), "", "hi",
        ...               datetime(2027, 3, 28, tzinfo=UTC))
        >>> secret = "whsec_" + "A" * 32
        >>> hook = WebhookNotifier("https://crm.example.com/hooks", secret=secret,
        ...                        clock=lambda: datetime(2027, 3, 28, tzinfo=UTC))
        >>> request = hook.request(msg)
        >>> request.get_header("Webhook-id"), request.get_header("Webhook-timestamp")
        ('c-1|survey|2027-03-28|sms', '1806192000')
        >>> headers = dict(request.header_items())
        >>> at = datetime(2027, 3, 28, 0, 1, tzinfo=UTC)
        >>> verify_webhook(headers, request.data, secret, now=at)
        'c-1|survey|2027-03-28|sms'
        """
        return self._request(to_json(message).encode("utf-8"), header_key(message.key))

    def _request(self, body: bytes, webhook_id: str) -> urllib.request.Request:
        timestamp = str(int(self._clock().timestamp()))
        signatures = " ".join(_signature(key, webhook_id, timestamp, body) for key in self._keys)
        headers = {
            **self._headers,
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "accountcare-webhook",
            "Idempotency-Key": webhook_id,
            "webhook-id": webhook_id,
            "webhook-timestamp": timestamp,
            "webhook-signature": signatures,
        }
        return urllib.request.Request(self.url, data=body, headers=headers, method="POST")

    def send(self, message: Message) -> Delivery:
        """POST the message; never raises for a delivery failure."""
        key = message.key
        refused = unserved(message, self._channels)
        if refused is not None:
            return refused
        try:
            body = to_json(message).encode("utf-8")
            webhook_id = header_key(key)
        except (ValueError, TypeError) as exc:
            log.warning("webhook send of %s failed: cannot build the request (%s)", key,
                        type(exc).__name__)  # fmt: skip
            return Delivery(key, False, f"cannot build the request: {exc}", None, False)
        detail = failure = "not sent"
        for attempt in range(1, self.max_attempts + 1):
            if attempt > 1:
                self._sleep(min(self.backoff * 2 ** (attempt - 2), self.max_backoff))
            request = self._request(body, webhook_id)  # a fresh timestamp per attempt
            log.debug("posting %s to %s (attempt %d)", key, self._where(), attempt)
            try:
                with self._opener.open(request, timeout=self.timeout) as response:
                    status = response.status
                    provider_id = _provider_id(response.headers.get("X-Request-Id"))
                    # At most this much, by the deadline; the status line already said
                    # the message was accepted, so a body cut short changes nothing.
                    with contextlib.suppress(OSError, http.client.HTTPException):
                        response.read(_MAX_RESPONSE_BODY)
                log.debug("%s accepted by %s: HTTP %d", key, self._where(), status)
                return Delivery(key, True, f"HTTP {status}", provider_id=provider_id)
            except urllib.error.HTTPError as exc:
                exc.close()
                status = exc.code
                detail = f"HTTP {status} after {attempt} attempt(s)"
                failure = f"HTTPError (status {status})"
                if not (status >= 500 or status in _RETRY_STATUSES):
                    log.warning("webhook send of %s to %s failed: %s after %d attempt(s)",
                                key, self._where(), failure, attempt)  # fmt: skip
                    return Delivery(key, False, detail, None, False)
            except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
                reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
                detail = f"{type(reason).__name__} after {attempt} attempt(s): {reason}"
                failure = f"{type(reason).__name__} (no status)"
            log.debug("%s: attempt %d to %s failed: %s", key, attempt, self._where(), failure)
        log.warning("webhook send of %s to %s failed: %s after %d attempt(s)",
                    key, self._where(), failure, self.max_attempts)  # fmt: skip
        return Delivery(key, False, detail, None, True)


def _provider_id(value: str | None) -> str | None:
    """The receiver's request id, as one short line of text."""
    return None if value is None else header_text(value)[:_MAX_PROVIDER_ID]
