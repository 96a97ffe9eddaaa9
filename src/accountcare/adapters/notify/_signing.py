"""Webhook signatures in the Standard Webhooks scheme, for senders and receivers.

A request carries three headers: ``webhook-id`` (the message's idempotency key,
percent-encoded, the same on every retry), ``webhook-timestamp`` (Unix seconds of the
attempt) and ``webhook-signature``: ``v1,`` and the base64 HMAC-SHA256 of
``{id}.{timestamp}.{body}`` under the shared secret, several of them separated by spaces
while a secret is being rotated. Secrets are written ``whsec_`` and the base64 of at least
24 random bytes ([`generate_secret`][accountcare.adapters.notify.generate_secret] makes
one). Signing the id and the timestamp with the body is what lets a receiver refuse a
replayed request: [`verify_webhook`][accountcare.adapters.notify.verify_webhook] checks
all three and the timestamp's age.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.message import Message as HttpHeaders

from accountcare.errors import AccountcareError, ConfigurationError

__all__ = [
    "WebhookVerificationError",
    "generate_secret",
    "secret_key",
    "sign_webhook",
    "verify_webhook",
]

SECRET_PREFIX = "whsec_"
MIN_SECRET_BYTES = 24
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")


class WebhookVerificationError(AccountcareError):
    """A webhook request failed verification: a header is missing or repeated, no
    signature matches, or its timestamp is outside the tolerance (a replay)."""


WebhookVerificationError.__module__ = "accountcare.adapters.notify"  # where it is exported


def generate_secret() -> str:
    """A new random signing secret in the ``whsec_`` form (32 random bytes).

    >>> secret = generate_secret()
    >>> secret.startswith("whsec_"), len(secret_key(secret))
    (True, 32)
    """
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def secret_key(secret: str | bytes) -> bytes:
    """The HMAC key of a secret: a ``whsec_`` string is base64-decoded, bytes are the key
    itself. Raises [`ConfigurationError`][accountcare.errors.ConfigurationError] for any
    other string or a key shorter than 24 bytes (the secret is never shown).

    >>> len(secret_key("whsec_" + "A" * 32))
    24
    >>> secret_key("s3cret")
    Traceback (most recent call last):
    ...
    accountcare.errors.ConfigurationError: a webhook secret must be 'whsec_' and base64 ...
    """
    if isinstance(secret, str):
        if not secret.startswith(SECRET_PREFIX):
            raise ConfigurationError(
                "a webhook secret must be 'whsec_' and base64 (see generate_secret()), or bytes"
            )
        try:
            key = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
        except (binascii.Error, ValueError):
            raise ConfigurationError(
                "a webhook secret's text after 'whsec_' is not base64"
            ) from None
    else:
        key = bytes(secret)
    if len(key) < MIN_SECRET_BYTES:
        raise ConfigurationError(
            f"a webhook secret must hold at least {MIN_SECRET_BYTES} bytes, got {len(key)}"
        )
    return key


def sign_webhook(webhook_id: str, timestamp: int, body: bytes, secret: str | bytes) -> str:
    """The ``webhook-signature`` value for one request: ``v1,`` and the base64
    HMAC-SHA256 of ``{webhook_id}.{timestamp}.{body}``.

    >>> sign_webhook("msg_1", 1700000000, b'{"a":1}', "whsec_" + "A" * 32)
    'v1,HA9nSvEEuynF+mEPWgOAUWbrVA21G6kMzfOt+yEvB3I='
    """
    return _signature(secret_key(secret), webhook_id, str(timestamp), body)


def _signature(key: bytes, webhook_id: str, timestamp: str, body: bytes) -> str:
    content = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def verify_webhook(
    headers: Mapping[str, str] | HttpHeaders,
    body: bytes,
    secret: str | bytes,
    *,
    tolerance: timedelta = timedelta(minutes=5),
    now: datetime | None = None,
) -> str:
    """Check a received webhook request and return its ``webhook-id`` (deduplicate on it).

    ``headers`` is any mapping of header names (in any case) to values, such as
    ``http.server``'s ``self.headers``; ``body`` the exact bytes received, before any
    parsing. Raises
    [`WebhookVerificationError`][accountcare.adapters.notify.WebhookVerificationError]
    when a header is missing or repeated, the timestamp is not Unix seconds or is further
    than ``tolerance`` from ``now`` (the clock by default) either way, or no ``v1``
    signature in the space-separated list matches (compared in constant time).

    >>> from datetime import UTC, datetime
    >>> secret = "whsec_" + "A" * 32
    >>> sent = {"webhook-id": "msg_1", "webhook-timestamp": "1700000000",
    ...         "webhook-signature": sign_webhook("msg_1", 1700000000, b"{}", secret)}
    >>> at = datetime.fromtimestamp(1700000060, UTC)
    >>> verify_webhook(sent, b"{}", secret, now=at)
    'msg_1'
    >>> verify_webhook(sent, b'{"x":1}', secret, now=at)
    Traceback (most recent call last):
    ...
    accountcare.adapters.notify.WebhookVerificationError: webhook 'msg_1': no signature matches...
    >>> verify_webhook(sent, b"{}", secret, now=datetime.fromtimestamp(1700000400, UTC))
    Traceback (most recent call last):
    ...
    accountcare.adapters.notify.WebhookVerificationError: webhook 'msg_1': timestamp ... 400 s ...
    """
    key = secret_key(secret)
    found: dict[str, list[str]] = {name: [] for name in _HEADERS}
    for name, value in headers.items():
        values = found.get(name.lower())
        if values is not None:
            values.append(value)
    for name, values in found.items():
        if len(values) != 1:
            problem = "missing" if not values else "repeated"
            raise WebhookVerificationError(f"webhook request: header {name!r} is {problem}")
    webhook_id = found["webhook-id"][0]
    timestamp = found["webhook-timestamp"][0].strip()
    if _TIMESTAMP.fullmatch(timestamp) is None:
        raise WebhookVerificationError(
            f"webhook {webhook_id!r}: header 'webhook-timestamp' is not Unix seconds"
        )
    instant = now if now is not None else datetime.now(UTC)
    age = abs(instant.timestamp() - int(timestamp))
    if age > tolerance.total_seconds():
        raise WebhookVerificationError(
            f"webhook {webhook_id!r}: timestamp {timestamp} is {age:.0f} s from now, more than "
            f"the {tolerance.total_seconds():.0f} s tolerated (a replay?)"
        )
    expected = _signature(key, webhook_id, timestamp, body).encode("ascii")
    matched = False
    for candidate in found["webhook-signature"][0].split():
        # Every candidate is compared, so the time taken does not tell which one matched.
        matched |= hmac.compare_digest(expected, candidate.encode("utf-8", "replace"))
    if not matched:
        raise WebhookVerificationError(f"webhook {webhook_id!r}: no signature matches the body")
    return webhook_id
