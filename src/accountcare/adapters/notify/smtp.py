"""Email through SMTP: plain text with an HTML alternative, CJK names in UTF-8 headers.

Every header value built from data (display names, the subject, the key, the locale) is
made harmless first: control characters and line separators become spaces and an
encoded-word opener ``=?`` becomes ``= ?``, so a name such as
``=?utf-8?q?Ann=0D=0AReply-To:...?=`` stays text in its own header on every Python
version. ``X-Accountcare-Key`` carries the key percent-encoded as UTF-8; a key too long
for one line is carried as ASCII encoded-words of that same token, so decoding the header
as RFC 2047 text and then ``urllib.parse.unquote`` give the key back exactly. No header
line passes 78 characters where its content allows, none ever passes 998, and every
encoded-word is at most 75 characters. An address with whitespace, a control character
or ``=?`` in it, or longer than 254 octets, is refused (a final failure naming the
field), never rewritten.

The ``Message-ID`` is derived from the message's idempotency key, so a message sent again
after a crash carries the same Message-ID and mail systems and people can tell it is a
repeat. One connection is kept open and reused for many messages (reopened when the server
drops it); call [`SmtpNotifier.close`][accountcare.adapters.notify.smtp.SmtpNotifier.close]
or use it as a context manager.

It logs on ``accountcare.adapters.notify.smtp``: DEBUG for each connection and send,
WARNING for a failed send (the message key, the error's class and the SMTP status);
never the password, an address, or the server's words (which may quote an address).

>>> notifier = SmtpNotifier("127.0.0.1", 2525, sender="care@example.com",
...                         sender_name="Acme 客户关怀")
>>> notifier.message_id("c-1|birthday|2027-03-28|email")
'<d2416afe362f0898820b8bf26dd4d579.accountcare@example.com>'
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
import ssl
import threading
from email import policy as email_policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from types import TracebackType

from accountcare.adapters.notify import unserved
from accountcare.adapters.notify._headers import (
    address_header,
    email_key,
    encoded,
    unsafe_address,
)
from accountcare.domain.contacts import Channel
from accountcare.domain.messages import Delivery, Message
from accountcare.errors import ConfigurationError

__all__ = ["SmtpNotifier"]

log = logging.getLogger(__name__)


# Every data-bearing header is written already folded (see _headers), so the email
# package must emit it as written rather than parse and fold it again.
_POLICY = email_policy.SMTP.clone(refold_source="none")
_POLICY_UTF8 = email_policy.SMTPUTF8.clone(refold_source="none")
_LONGEST_ADDRESS = 254  # octets: RFC 5321's 256-octet path, less its angle brackets
_LONGEST_DOMAIN = 253


def _checked(addr_spec: str, field: str) -> str:
    """``addr_spec`` if it is one usable address, at most 254 octets, that parses back to
    itself."""
    if len(addr_spec.encode("utf-8")) > _LONGEST_ADDRESS:
        raise ValueError(
            f"field {field!r} is longer than {_LONGEST_ADDRESS} octets, "
            f"which no mail server accepts: {addr_spec[:40]!r}..."
        )
    if not unsafe_address(addr_spec):
        try:
            if Address(addr_spec=addr_spec).addr_spec == addr_spec:
                return addr_spec
        except (ValueError, TypeError, IndexError):
            pass
    raise ValueError(f"field {field!r} is not a usable email address: {addr_spec!r}")


class SmtpNotifier:
    """Sends [`Message`][accountcare.domain.messages.Message] values on the email channel.

    ``starttls`` upgrades a plain connection (port 587); ``use_ssl`` connects with TLS from
    the start (port 465); ``username``/``password`` log in after that. ``timeout`` bounds
    every socket operation. ``message_id_domain`` defaults to the sender's domain. The
    password never appears in ``repr`` or in a
    [`Delivery`][accountcare.domain.messages.Delivery].
    """

    def __init__(
        self,
        host: str,
        port: int = 25,
        *,
        sender: str,
        sender_name: str = "",
        starttls: bool = False,
        use_ssl: bool = False,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
        ssl_context: ssl.SSLContext | None = None,
        message_id_domain: str | None = None,
        reuse_connection: bool = True,
    ) -> None:
        if starttls and use_ssl:
            raise ConfigurationError("SmtpNotifier: choose starttls or use_ssl, not both")
        if (username is None) != (password is None):
            raise ConfigurationError("SmtpNotifier: give both username and password, or neither")
        if not timeout > 0:
            raise ConfigurationError("SmtpNotifier: timeout must be positive")
        if "@" not in sender:
            raise ConfigurationError(f"SmtpNotifier: sender {sender!r} is not an email address")
        try:
            _checked(sender, "sender")
        except ValueError as exc:
            raise ConfigurationError(f"SmtpNotifier: {exc}") from exc
        self.host, self.port = host, port
        self.sender, self.sender_name = sender, sender_name
        self.starttls, self.use_ssl = starttls, use_ssl
        self.username, self._password = username, password
        self.timeout = timeout
        self.reuse_connection = reuse_connection
        self._ssl_context = ssl_context
        self._domain = message_id_domain or sender.rsplit("@", 1)[1]
        if len(self._domain) > _LONGEST_DOMAIN or unsafe_address(self._domain):
            raise ConfigurationError(
                f"SmtpNotifier: message_id_domain {self._domain[:40]!r} is not a usable "
                f"domain (no whitespace, control character or '=?'; at most "
                f"{_LONGEST_DOMAIN} characters)"
            )
        self._smtp: smtplib.SMTP | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"SmtpNotifier({self.host!r}, {self.port}, sender={self.sender!r})"

    @property
    def channels(self) -> frozenset[Channel]:
        return frozenset({Channel.EMAIL})

    def message_id(self, key: str) -> str:
        """The Message-ID for an idempotency key: the same key always gives the same id."""
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
        return f"<{digest}.accountcare@{self._domain}>"

    def build(self, message: Message) -> EmailMessage:
        """The email for ``message``: text part, HTML alternative, UTF-8 headers.

        The Date header is the message's due instant and the MIME boundary comes from the
        key, so a rebuilt email is byte-identical. Names, the subject and the locale pass
        through `header_text` and are
        written already folded (lines of at most 78 characters), as UTF-8 encoded-words
        of at most 75 characters unless they are short plain ASCII; an unusable recipient
        address raises ``ValueError`` naming the message and field.

        >>> from datetime import UTC, datetime
        >>> from accountcare.domain import Channel, Message, Recipient
        >>> evil = "=?utf-8?q?Ann=0D=0AReply-To:_eve@evil.example?="
        >>> email = SmtpNotifier("127.0.0.1", sender="care@example.com").build(Message(
        ...     "c-1|survey|2027-03-28|email", Channel.EMAIL,
        ...     Recipient("c-1", evil, "ann@example.com"), "Hi", "Hello",
        ...     datetime(2027, 3, 28, tzinfo=UTC)))
        >>> to = email["To"].addresses
        >>> [one.addr_spec for one in to], to[0].display_name.startswith("= ?utf-8?q?Ann=0D")
        (['ann@example.com'], True)
        >>> email["Reply-To"] is None
        True
        """
        to = message.recipient
        try:
            address = _checked(to.address, "recipient.address")
        except ValueError as exc:
            raise ValueError(f"message {message.key!r}: {exc}") from None
        utf8 = not (address.isascii() and self.sender.isascii())
        email = EmailMessage(policy=_POLICY_UTF8 if utf8 else _POLICY)
        sender_name = message.sender_name or self.sender_name
        email.set_raw("From", address_header(sender_name, self.sender, "From"))
        email.set_raw("To", address_header(to.name, address, "To"))
        email.set_raw("Subject", encoded(message.subject, "Subject"))
        email["Date"] = format_datetime(message.due_at)
        email["Message-ID"] = self.message_id(message.key)
        email.set_raw("X-Accountcare-Key", email_key(message.key, "X-Accountcare-Key"))
        email.set_content(message.text, charset="utf-8")
        if message.html is not None:
            email.add_alternative(message.html, subtype="html", charset="utf-8")
            # A boundary from the key (not random), so a rebuilt email is byte-identical.
            digest = hashlib.sha256(message.key.encode("utf-8")).hexdigest()[32:56]
            email.set_boundary(f"==accountcare-{digest}==")
        if to.locale:  # after the content: setting content clears every Content-* header
            email.set_raw("Content-Language", encoded(to.locale, "Content-Language"))
        return email

    def _connect(self) -> smtplib.SMTP:
        context = self._ssl_context or ssl.create_default_context()
        smtp: smtplib.SMTP
        log.debug(
            "connecting to %s:%d (tls=%s, starttls=%s, login=%s)",
            self.host, self.port, self.use_ssl, self.starttls, self.username is not None,
        )  # fmt: skip
        if self.use_ssl:
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            smtp.ehlo()
            if self.starttls:
                smtp.starttls(context=context)
                smtp.ehlo()
            if self.username is not None and self._password is not None:
                smtp.login(self.username, self._password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message: Message) -> Delivery:
        """Send one email; refusals and network failures come back as ``ok=False``.

        A 5xx refusal is not retryable; a 4xx one, a timeout or a dropped connection is.
        """
        key = message.key
        refused = unserved(message, self.channels)
        if refused is not None:
            return refused
        try:
            email = self.build(message)
        except (ValueError, TypeError, IndexError) as exc:
            log.warning("SMTP send of %s failed: cannot build the email (%s)", key,
                        type(exc).__name__)  # fmt: skip
            return Delivery(key, False, f"cannot build the email: {exc}", None, False)
        log.debug("sending %s over SMTP to %s:%d", key, self.host, self.port)
        with self._lock:
            delivery = self._transmit(key, email)
        if delivery.ok:
            log.debug("%s accepted by %s:%d", key, self.host, self.port)
        return delivery

    def _transmit(self, key: str, email: EmailMessage) -> Delivery:
        """Send ``email`` over the open connection (or a new one), and say how it went."""
        for attempt in (1, 2):
            try:
                if self._smtp is None:
                    self._smtp = self._connect()
                refused = self._smtp.send_message(email)
            except smtplib.SMTPServerDisconnected as exc:
                # A reused connection the server closed meanwhile: reconnect once.
                self._drop()
                if attempt == 2:
                    _failed(key, exc)
                    return Delivery(key, False, f"server disconnected: {exc}")
                log.debug("%s: the server closed the connection; reconnecting", key)
                continue
            except smtplib.SMTPRecipientsRefused as exc:
                codes = [code for code, _ in exc.recipients.values()]
                _failed(key, exc, codes)
                return Delivery(key, False, f"recipient refused: {codes}", None, _soft(codes))
            except smtplib.SMTPResponseException as exc:
                self._reset()
                soft = exc.smtp_code < 500
                _failed(key, exc, [exc.smtp_code])
                return Delivery(key, False, f"server said {exc.smtp_code}", None, soft)
            except (smtplib.SMTPException, OSError) as exc:
                self._drop()
                _failed(key, exc)
                return Delivery(key, False, f"{type(exc).__name__}: {exc}")
            if not self.reuse_connection:
                self._quit()
            if refused:
                codes = [code for code, _ in refused.values()]
                log.warning("SMTP send of %s failed: a recipient was refused %s", key, codes)
                return Delivery(key, False, f"refused: {codes}", None, _soft(codes))
            return Delivery(key, True, "accepted", provider_id=email["Message-ID"])
        return Delivery(key, False, "not sent")  # pragma: no cover - the loop always returns

    def _reset(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.rset()
            except (smtplib.SMTPException, OSError):
                self._drop()

    def _drop(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.close()
            finally:
                self._smtp = None

    def _quit(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            finally:
                self._drop()

    def close(self) -> None:
        """Say QUIT and close the connection, if one is open."""
        with self._lock:
            self._quit()

    def __enter__(self) -> SmtpNotifier:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _failed(key: str, exc: BaseException, codes: list[int] | None = None) -> None:
    """Log a failed send: the error's class and status, never its text (a server's reply
    may quote the recipient's address)."""
    status = f"status {codes}" if codes else "no status"
    log.warning("SMTP send of %s failed: %s (%s)", key, type(exc).__name__, status)


def _soft(codes: list[int]) -> bool:
    """A refusal is worth retrying only when every code is a temporary (4xx) one."""
    return all(400 <= code < 500 for code in codes)
