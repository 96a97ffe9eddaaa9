"""The outbox: rendered messages waiting to be sent, and what became of each.

An [`OutboxEntry`][accountcare.domain.outbox.OutboxEntry] wraps one
[`Message`][accountcare.domain.messages.Message] with its
delivery state. Its key is the message's idempotency key (``CareTask.key``), so one care
task can never be queued twice. The state changes are pure functions of the entry and an
instant; the dispatcher ([`outbox`][accountcare.services.outbox]) applies them and a store
records them.

    pending --claim--> in flight --sent--> sent
       ^                  |
       +---- retry -------+--(attempts used up or not retryable)--> dead
                          |
                          +--(lease ran out, no outcome)--claim--> in flight (a crash)

Every claim is an attempt: ``attempts`` counts the claims, whether their send failed,
succeeded or never reported back because the process sending it died. A claim that
takes over an entry whose lease ran out without an outcome records that crash in
``last_error`` ("crashed during send 2 times"), so a message whose send kills the
dispatcher uses up its attempts like any other failure and ends as a dead letter
instead of being claimed forever.

>>> from datetime import UTC, datetime, timedelta
>>> from accountcare.domain import Channel, Message, Recipient
>>> msg = Message(key="c-1|birthday|2027-03-28|email", channel=Channel.EMAIL,
...               recipient=Recipient("c-1", "Wang Wei", "wang@example.com"),
...               subject="Happy birthday", text="...",
...               due_at=datetime(2027, 3, 28, 1, tzinfo=UTC))
>>> entry = OutboxEntry.queued(msg)
>>> now = datetime(2027, 3, 28, 2, tzinfo=UTC)
>>> claimed = entry.claimed(now, lease=timedelta(minutes=5))
>>> claimed.status.value, claimed.attempts
('in_flight', 1)
>>> later = claimed.failed(now, "timeout", RetryPolicy())
>>> later.status.value, later.next_attempt_at - now
('pending', datetime.timedelta(seconds=60))
>>> again = claimed.claimed(now + timedelta(minutes=5), lease=timedelta(minutes=5))
>>> again.attempts, again.last_error
(2, 'crashed during send 1 time')
"""

from __future__ import annotations

import enum
import re
from datetime import datetime, timedelta

import attrs

from accountcare.domain import _validate as v
from accountcare.domain.messages import Message
from accountcare.errors import ConfigurationError

__all__ = ["OutboxEntry", "OutboxStatus", "RetryPolicy", "crash_report"]

_CRASHES = re.compile(r"crashed during send ([0-9]{1,9}) times?")


def crash_report(crashes: int) -> str:
    """The ``last_error`` of an entry whose last ``crashes`` claims ended without an
    outcome: the process sending it died, or hung until its lease ran out.

    >>> crash_report(1), crash_report(6)
    ('crashed during send 1 time', 'crashed during send 6 times')
    """
    return f"crashed during send {crashes} time{'' if crashes == 1 else 's'}"


class OutboxStatus(enum.Enum):
    PENDING = "pending"  # waiting for next_attempt_at
    IN_FLIGHT = "in_flight"  # claimed by a dispatcher until next_attempt_at (its lease)
    SENT = "sent"
    DEAD = "dead"  # dead letter: attempts used up, or a failure no retry can fix


def _positive_delta(instance: object, attribute: attrs.Attribute[timedelta], value: object) -> None:
    if not isinstance(value, timedelta) or value <= timedelta(0):
        raise ConfigurationError(f"RetryPolicy.{attribute.name} must be a positive timedelta")


@attrs.frozen
class RetryPolicy:
    """Exponential backoff: the n-th failure waits ``first_delay * factor**(n-1)``, at most
    ``max_delay``; after ``max_attempts`` attempts an entry goes to the dead letters.

    Defaults follow the usual practice of mail transfer agents: retry within a minute,
    back off to hours, give up after a handful of tries (RFC 5321 section 4.5.4.1).

    >>> [str(RetryPolicy().delay(n)) for n in (1, 2, 3)]
    ['0:01:00', '0:02:00', '0:04:00']
    """

    max_attempts: int = 6
    first_delay: timedelta = attrs.field(default=timedelta(minutes=1), validator=_positive_delta)
    factor: float = 2.0
    max_delay: timedelta = attrs.field(default=timedelta(hours=6), validator=_positive_delta)

    def __attrs_post_init__(self) -> None:
        if isinstance(self.max_attempts, bool) or not isinstance(self.max_attempts, int):
            raise ConfigurationError("RetryPolicy.max_attempts must be an int")
        if self.max_attempts < 1:
            raise ConfigurationError("RetryPolicy.max_attempts must be at least 1")
        if not self.factor >= 1:
            raise ConfigurationError("RetryPolicy.factor must be at least 1")

    def delay(self, failures: int) -> timedelta:
        """The wait after the ``failures``-th failed attempt."""
        seconds = self.first_delay.total_seconds() * self.factor ** max(0, failures - 1)
        return min(self.max_delay, timedelta(seconds=min(seconds, 1e9)))


@attrs.frozen
class OutboxEntry:
    """One queued message and its delivery state.

    ``attempts`` counts the claims so far, each one a send started; ``next_attempt_at``
    is when a pending entry becomes due, or when the lease of an in-flight entry runs
    out (after which another dispatcher may take it over: the crashed one never settled
    it). ``last_error`` keeps the notifier's last words, or the
    [`crash_report`][accountcare.domain.outbox.crash_report] of the claims that never
    reported back; ``sent_at`` and ``provider_id`` record the delivery.
    """

    message: Message = attrs.field(validator=v.typed(Message))
    next_attempt_at: datetime = attrs.field(validator=v.aware)
    status: OutboxStatus = attrs.field(
        default=OutboxStatus.PENDING, validator=v.in_enum(OutboxStatus)
    )
    attempts: int = attrs.field(default=0, validator=[v.typed(int), v.not_negative])
    last_error: str = attrs.field(default="", validator=v.typed(str))
    sent_at: datetime | None = attrs.field(default=None, validator=v.optional(v.aware))
    provider_id: str | None = None

    @classmethod
    def queued(cls, message: Message) -> OutboxEntry:
        """A new pending entry, due when the message is."""
        return cls(message=message, next_attempt_at=message.due_at)

    @property
    def key(self) -> str:
        return self.message.key

    @property
    def id(self) -> str:
        """The key, so errors name the entry like any other record."""
        return self.message.key

    def is_due(self, now: datetime) -> bool:
        """Pending and due, or in flight with its lease run out."""
        waiting = self.status in (OutboxStatus.PENDING, OutboxStatus.IN_FLIGHT)
        return waiting and self.next_attempt_at <= now

    @property
    def crashes(self) -> int:
        """How many claims in a row, up to the latest, ended without an outcome (0 when
        the last claim settled, or the entry was never taken over).

        >>> from datetime import UTC, datetime, timedelta
        >>> from accountcare.domain import Channel, Message, Recipient
        >>> at = datetime(2027, 3, 28, tzinfo=UTC)
        >>> msg = Message(key="k", channel=Channel.EMAIL, recipient=Recipient("c", "Li", "li@x.cn"),
        ...               subject="s", text="t", due_at=at)
        >>> lease = timedelta(minutes=5)
        >>> entry = OutboxEntry.queued(msg).claimed(at, lease)
        >>> entry.crashes, entry.claimed(at + lease, lease).crashes
        (0, 1)
        """
        found = _CRASHES.fullmatch(self.last_error)
        # A notifier's error text could read like a crash report: it never counts more
        # crashes than there were claims.
        return min(int(found[1]), self.attempts) if found else 0

    def claimed(self, now: datetime, lease: timedelta) -> OutboxEntry:
        """Taken by a dispatcher at ``now`` for at most ``lease``: one more attempt.

        Taking over an entry still in flight (its lease ran out with no outcome) records
        that its last claim crashed: ``last_error`` becomes the
        [`crash_report`][accountcare.domain.outbox.crash_report] of the claims in a row
        that crashed, so far.

        >>> from datetime import UTC, datetime, timedelta
        >>> from accountcare.domain import Channel, Message, Recipient
        >>> at = datetime(2027, 3, 28, tzinfo=UTC)
        >>> msg = Message(key="k", channel=Channel.EMAIL, recipient=Recipient("c", "Li", "li@x.cn"),
        ...               subject="s", text="t", due_at=at)
        >>> lease = timedelta(minutes=5)
        >>> first = OutboxEntry.queued(msg).claimed(at, lease)
        >>> third = first.claimed(at + lease, lease).claimed(at + 2 * lease, lease)
        >>> third.attempts, third.last_error
        (3, 'crashed during send 2 times')
        """
        last_error = self.last_error
        if self.status is OutboxStatus.IN_FLIGHT:
            last_error = crash_report(min(self.crashes + 1, self.attempts))
        return attrs.evolve(
            self,
            status=OutboxStatus.IN_FLIGHT,
            attempts=self.attempts + 1,
            next_attempt_at=now + lease,
            last_error=last_error,
        )

    def spent(self, retry: RetryPolicy) -> bool:
        """Whether this claim is beyond the attempts ``retry`` allows: the earlier ones
        all ended (failed or crashed), and this one must not send again.

        >>> from datetime import UTC, datetime, timedelta
        >>> from accountcare.domain import Channel, Message, Recipient
        >>> at = datetime(2027, 3, 28, tzinfo=UTC)
        >>> msg = Message(key="k", channel=Channel.EMAIL, recipient=Recipient("c", "Li", "li@x.cn"),
        ...               subject="s", text="t", due_at=at)
        >>> once = OutboxEntry.queued(msg).claimed(at, timedelta(minutes=5))
        >>> twice = once.claimed(at + timedelta(minutes=5), timedelta(minutes=5))
        >>> once.spent(RetryPolicy(max_attempts=1)), twice.spent(RetryPolicy(max_attempts=1))
        (False, True)
        """
        return self.attempts > retry.max_attempts

    def abandoned(self) -> OutboxEntry:
        """A dead letter, unsent: the outcome of a claim that is
        [`spent`][accountcare.domain.outbox.OutboxEntry.spent]. ``last_error`` stays what
        the earlier attempts left: the crash report, or the last failure."""
        return attrs.evolve(self, status=OutboxStatus.DEAD)

    def delivered(self, now: datetime, provider_id: str | None = None) -> OutboxEntry:
        return attrs.evolve(
            self, status=OutboxStatus.SENT, sent_at=now, provider_id=provider_id, last_error=""
        )

    def failed(
        self, now: datetime, error: str, retry: RetryPolicy, *, retryable: bool = True
    ) -> OutboxEntry:
        """Back to pending with backoff, or dead when no retry is left or none can help."""
        if not retryable or self.attempts >= retry.max_attempts:
            return attrs.evolve(self, status=OutboxStatus.DEAD, last_error=error)
        return attrs.evolve(
            self,
            status=OutboxStatus.PENDING,
            last_error=error,
            next_attempt_at=now + retry.delay(self.attempts),
        )

    def revived(self, now: datetime) -> OutboxEntry:
        """A dead letter put back in the queue by hand, with a fresh count of attempts."""
        return attrs.evolve(self, status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now)
