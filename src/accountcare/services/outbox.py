"""Queue care messages and send them: the outbox and its dispatcher.

Queuing writes rendered messages to the store's outbox under their idempotency key
(``CareTask.key``: contact, kind, date, channel), so re-running the scheduler never
queues a message twice. The dispatcher claims one due entry at a time, sends it through
the notifier for its channel and records the outcome:

- a crash before the notifier is called loses nothing (the claim's lease runs out and
  the entry is sent later);
- a crash after the notifier accepted the message but before the outcome was recorded
  sends that one entry again, with the same key (Message-ID, Idempotency-Key), so the
  provider or the recipient's client can recognise the repeat;
- a crash is charged to the entry being sent, and to no other: each claim is one
  attempt of one entry, so a message whose send kills the process (a poison message)
  uses up its attempts and becomes a dead letter ("crashed during send 6 times"),
  while the entries queued behind it keep every attempt and are sent.

Failures are retried with exponential backoff
([`RetryPolicy`][accountcare.domain.outbox.RetryPolicy]); after the last
attempt, or a failure the notifier calls final, the entry is a dead letter.

Consent is asked again right before each send: the contact may have opted out or
withdrawn a consent since the message was queued. A message to a contact who may no
longer be reached on its channel
([`Contact.may_contact`][accountcare.domain.contacts.Contact.may_contact]), or who is no
longer stored, is not sent: it becomes a dead letter at once, its ``last_error`` saying
why ("not sent: the contact opted out"), and is never retried. The dispatcher claims only
entries on the channels its notifiers deliver: a due entry on another channel (an SMS
when only email is set up) is never touched, and is left queued, its attempts unchanged,
for a dispatcher that can send it.

>>> from datetime import UTC, datetime
>>> from accountcare.adapters.memory import MemoryStore
>>> from accountcare.domain import Account, Channel, Contact, Delivery, Message, Recipient
>>> from accountcare.ports.store import Batch
>>> class Printer:
...     channels = frozenset({Channel.EMAIL})
...     def send(self, message):
...         print("sent", message.key)
...         return Delivery(key=message.key, ok=True)
>>> now = datetime(2027, 3, 28, 9, tzinfo=UTC)
>>> msg = Message(key="c-1|birthday|2027-03-28|email", channel=Channel.EMAIL,
...               recipient=Recipient("c-1", "Wang Wei", "wang@example.com"),
...               subject="Happy birthday", text="...", due_at=now)
>>> store = MemoryStore()
>>> wang = Contact(id="c-1", account_id="acme", name="Wang Wei", consents=[Channel.EMAIL])
>>> store.write(Batch(accounts=[Account(id="acme", name="Acme")], contacts=[wang])).enqueued
()
>>> enqueue(store, [msg]).enqueued
('c-1|birthday|2027-03-28|email',)
>>> enqueue(store, [msg]).enqueued
()
>>> Dispatcher(store, [Printer()], clock=lambda: now).dispatch_due().sent
sent c-1|birthday|2027-03-28|email
('c-1|birthday|2027-03-28|email',)
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

import attrs

from accountcare._redact import redacted
from accountcare.domain.care import CareTask
from accountcare.domain.contacts import Channel, Contact
from accountcare.domain.messages import Delivery, Message
from accountcare.domain.outbox import OutboxEntry, OutboxStatus, RetryPolicy
from accountcare.errors import ConfigurationError
from accountcare.ports.notify import Notifier
from accountcare.ports.store import Batch, OutboxStore, Store, UnreadableRecord, WriteReport

__all__ = [
    "DispatchReport",
    "Dispatcher",
    "enqueue",
    "enqueue_tasks",
    "render_tasks",
    "system_clock",
    "withheld_because",
]

Clock = Callable[[], datetime]
# What a settled entry counts as in a report, by its new status (pending again: a retry).
_SETTLED = {OutboxStatus.SENT: "sent", OutboxStatus.DEAD: "dead"}


def system_clock() -> datetime:
    """The current instant in UTC: the default clock of long-running dispatchers."""
    return datetime.now(UTC)


def enqueue(store: Store, messages: Iterable[Message]) -> WriteReport:
    """Queue ``messages``; keys already in the outbox (in any state) are left alone."""
    return store.write(Batch(outbox=messages))


def enqueue_tasks(
    store: Store, tasks: Iterable[CareTask], render: Callable[[CareTask], Message]
) -> WriteReport:
    """Render each due care task and queue it under the task's key.

    ``render`` turns a task into a message (templates, recipient address); the message
    must carry ``task.key``, which makes re-running the scheduler harmless. Tasks whose
    key is already queued are not rendered again. Every task is rendered before anything
    is written, so a task that cannot be rendered queues nothing.
    """
    return enqueue(store, render_tasks(store, tasks, render))


def render_tasks(
    store: OutboxStore, tasks: Iterable[CareTask], render: Callable[[CareTask], Message]
) -> list[Message]:
    """The messages of the tasks whose key is not queued yet (see
    [`enqueue_tasks`][accountcare.services.outbox.enqueue_tasks]); nothing is written."""
    tasks = list(tasks)
    queued = store.queued_keys(task.key for task in tasks)
    pending = [task for task in tasks if task.key not in queued]
    messages = []
    for task in pending:
        message = render(task)
        if message.key != task.key:
            raise ConfigurationError(
                f"render() gave message key {message.key!r} for care task {task.key!r}; "
                "a message must carry its task's key"
            )
        messages.append(message)
    return messages


def withheld_because(contact: Contact | None, channel: Channel) -> str | None:
    """Why ``contact`` may not be reached on ``channel`` now, or None when it may: the
    one consent rule, [`Contact.may_contact`][accountcare.domain.contacts.Contact.may_contact],
    in words. ``contact`` is None when it is no longer stored.

    >>> from accountcare.domain import Contact
    >>> wang = Contact(id="c-1", account_id="acme", name="王伟", consents=[Channel.EMAIL])
    >>> withheld_because(wang, Channel.EMAIL) is None
    True
    >>> withheld_because(wang, Channel.SMS)
    'no consent to sms'
    >>> withheld_because(attrs.evolve(wang, opted_out=True), Channel.EMAIL)
    'the contact opted out'
    >>> withheld_because(None, Channel.EMAIL)
    'the contact is no longer stored'
    """
    if contact is None:
        return "the contact is no longer stored"
    if contact.may_contact(channel):
        return None
    if contact.opted_out:
        return "the contact opted out"
    return f"no consent to {channel.value}"


@attrs.frozen
class DispatchReport:
    """Keys sent, put back for a retry, moved to the dead letters, skipped because the
    claim's lease ran out before their turn came, or ``left`` queued because no notifier
    delivers on their channel (``unserved``: those channels, by name). ``withheld`` are
    the dead letters not sent because the contact may no longer be reached on their
    channel (not listed in ``dead``, which are the failed sends).

    >>> (DispatchReport(sent=("a",)) + DispatchReport(left=("b",), unserved=("sms",))).left
    ('b',)
    """

    sent: tuple[str, ...] = ()
    retried: tuple[str, ...] = ()
    dead: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    left: tuple[str, ...] = ()
    unserved: tuple[str, ...] = ()
    withheld: tuple[str, ...] = ()

    def __add__(self, other: DispatchReport) -> DispatchReport:
        return DispatchReport(
            self.sent + other.sent,
            self.retried + other.retried,
            self.dead + other.dead,
            self.skipped + other.skipped,
            tuple(dict.fromkeys(self.left + other.left)),
            tuple(sorted(set(self.unserved + other.unserved))),
            self.withheld + other.withheld,
        )

    @property
    def handled(self) -> int:
        """How many entries were settled: sent, retried, dead or withheld."""
        return len(self.sent) + len(self.retried) + len(self.dead) + len(self.withheld)


class Dispatcher:
    """Sends due outbox entries through the notifier for each message's channel.

    ``notifiers`` are tried in order: the first whose ``channels`` include the message's
    channel sends it. Only entries on those channels are claimed: one on a channel none
    of them includes is never touched (it keeps its attempts and its place in the queue
    for a dispatcher that can send it) and is reported as left queued. ``lease`` is
    how long a claimed entry stays reserved for this dispatcher (after a crash, the entry
    is sent again once it runs out); ``batch`` how many entries each pass of
    [`run`][accountcare.services.outbox.Dispatcher.run] sends before it looks at ``stop``
    again. A notifier that raises instead of returning a failed
    [`Delivery`][accountcare.domain.messages.Delivery] is treated as a failure that a
    retry may fix; one that never returns (the process dies) leaves the entry in flight,
    and the claim after its lease counts the crash.

    Entries are claimed one at a time, right before their send: a claim is an attempt
    of exactly the entry being sent, so a crash is charged to that entry only, and each
    entry's lease starts when its send does.

    Right before each send the recipient's contact is read, by ``contacts`` (the store's
    `contact` by default; pass your own lookup when your contacts live elsewhere), and
    the message is sent only when the contact
    [`may_contact`][accountcare.domain.contacts.Contact.may_contact] on its channel;
    otherwise it is withheld (see
    [`withheld_because`][accountcare.services.outbox.withheld_because]).

    It logs on ``accountcare.services.outbox``: an INFO line with the counts (sent,
    retried, dead, withheld, left) per pass that handled an entry, an INFO line per
    retry scheduled and per message withheld, a WARNING per dead letter (its key and its
    last error on one line, with anything like an email address or a phone number
    redacted), and a DEBUG line per entry; never a recipient's address.
    """

    _log = logging.getLogger(__name__)

    def __init__(
        self,
        store: Store,
        notifiers: Notifier | Iterable[Notifier],
        *,
        clock: Clock = system_clock,
        retry: RetryPolicy | None = None,
        lease: timedelta = timedelta(minutes=5),
        batch: int = 50,
        contacts: Callable[[str], Contact | None] | None = None,
    ) -> None:
        if isinstance(notifiers, Notifier):
            notifiers = (notifiers,)
        self._notifiers = tuple(notifiers)
        if not self._notifiers:
            raise ConfigurationError("a Dispatcher needs at least one notifier")
        if lease <= timedelta(0):
            raise ConfigurationError(f"the lease must be positive, got {lease}")
        if batch < 1:
            raise ConfigurationError(f"batch must be at least 1, got {batch}")
        self.store = store
        self.clock = clock
        self.retry = retry if retry is not None else RetryPolicy()
        self.lease = lease
        self.batch = batch
        self._contacts = contacts

    def notifier_for(self, channel: Channel) -> Notifier | None:
        for notifier in self._notifiers:
            if channel in notifier.channels:
                return notifier
        return None

    @property
    def channels(self) -> frozenset[Channel]:
        """The channels some notifier of this dispatcher delivers on."""
        return frozenset().union(*(notifier.channels for notifier in self._notifiers))

    def dispatch_due(self, limit: int | None = None) -> DispatchReport:
        """Send every entry due now on the channels this dispatcher serves (at most
        ``limit``); return what happened. Once nothing more is due on them, the entries
        due on other channels are read (never claimed) and reported as left queued."""
        done: dict[str, list[str]] = {
            "sent": [], "retried": [], "dead": [], "skipped": [], "withheld": []
        }  # fmt: skip
        left: tuple[OutboxEntry, ...]
        channels = self.channels
        handled, left = 0, ()
        while limit is None or handled < limit:
            # One entry per claim: claiming several would charge each of them an attempt
            # that a crash on the first one never made.
            claimed = self.store.claim_outbox(self.clock(), 1, self.lease, channels=channels)
            if not claimed:
                left = self._unserved(channels)
                break
            (entry,) = claimed
            outcome = self._dispatch(entry)
            if outcome == "skipped":
                self._log.debug("%s: skipped, its lease ran out before the send", entry.key)
            done[outcome].append(entry.key)
            handled += outcome != "skipped"
        report = DispatchReport(
            **{name: tuple(keys) for name, keys in done.items()},
            left=tuple(e.key for e in left),
            unserved=tuple(sorted({e.message.channel.value for e in left})),
        )
        # A pass that only found entries left for other channels is DEBUG: a dispatcher
        # that runs for days would otherwise say so every idle second.
        busy = report.handled or report.skipped
        self._log.log(
            logging.INFO if busy else logging.DEBUG,
            "dispatch pass: %d sent, %d retried, %d dead, %d withheld, %d left",
            len(report.sent), len(report.retried), len(report.dead), len(report.withheld),
            len(report.left),
        )  # fmt: skip
        return report

    def _unserved(self, channels: frozenset[Channel]) -> tuple[OutboxEntry, ...]:
        """The entries due now on channels none of the notifiers delivers, by due time."""
        if channels >= frozenset(Channel):
            return ()
        now = self.clock()
        due = [e for e in self._open() if e.message.channel not in channels and e.is_due(now)]
        return tuple(sorted(due, key=lambda e: (e.next_attempt_at, e.key)))

    def _dispatch(self, entry: OutboxEntry) -> str:
        if self.clock() >= entry.next_attempt_at:
            # The lease ran out before the send began: another dispatcher may have the
            # entry now, so sending it here could send it twice.
            return "skipped"
        why = None
        if entry.spent(self.retry):
            # Every attempt was used, the last ones by sends that never reported back (a
            # message that kills its dispatcher): retire it unsent, as a dead letter.
            outcome = entry.abandoned()
        elif (why := self._withheld(entry.message)) is not None:
            # Consent is asked at the send: a message queued before an opt-out or a
            # withdrawal is never sent, and no retry could make it right.
            outcome = entry.failed(self.clock(), f"not sent: {why}", self.retry, retryable=False)
        elif self.clock() >= entry.next_attempt_at:
            return "skipped"  # the lease ran out while the contact was read
        else:
            delivery = self._send(entry.message)
            now = self.clock()
            if delivery.ok:
                outcome = entry.delivered(now, delivery.provider_id)
            else:
                retryable = delivery.retryable
                outcome = entry.failed(now, delivery.detail, self.retry, retryable=retryable)
        if not self.store.settle_outbox(outcome):
            return "skipped"
        name = "withheld" if why is not None else _SETTLED.get(outcome.status, "retried")
        self._logged(outcome, name)
        return name

    def _logged(self, outcome: OutboxEntry, name: str) -> None:
        """Log the settled ``outcome`` of one entry: ids and the error's words, never
        the recipient's address."""
        key, channel = outcome.key, outcome.message.channel.value
        parts = key.split("|")
        kind = parts[1] if len(parts) == 4 else "message"
        self._log.debug("%s: %s %s on %s (attempt %d)", key, name, kind, channel, outcome.attempts)
        error = redacted(outcome.last_error)
        if name == "dead":
            self._log.warning(
                "dead letter %s after %d attempt(s): %s", key, outcome.attempts, error
            )
        elif name == "retried":
            self._log.info(
                "retry of %s after attempt %d scheduled for %s: %s",
                key, outcome.attempts, outcome.next_attempt_at.isoformat(), error,
            )  # fmt: skip
        elif name == "withheld":
            self._log.info("%s withheld: %s", key, error)

    def _withheld(self, message: Message) -> str | None:
        """Why ``message`` may not be sent now (the recipient's consent, read again), or
        None when it may."""
        try:
            lookup = self.store.contact if self._contacts is None else self._contacts
            contact = lookup(message.recipient.contact_id)
        except UnreadableRecord as error:
            return f"the contact's stored record cannot be read ({error})"
        return withheld_because(contact, message.channel)

    def _send(self, message: Message) -> Delivery:
        notifier = self.notifier_for(message.channel)
        if notifier is None:
            detail = f"no notifier delivers on channel {message.channel.value!r}"
            return Delivery(key=message.key, ok=False, detail=detail, retryable=False)
        try:
            return notifier.send(message)
        except Exception as exc:  # a host notifier broke its contract: retry later
            return Delivery(key=message.key, ok=False, detail=f"{type(exc).__name__}: {exc}")

    def run(
        self,
        stop: threading.Event | None = None,
        *,
        idle: float = 1.0,
        until_idle: bool = False,
        sleep: Callable[[float], object] = time.sleep,
    ) -> DispatchReport:
        """Dispatch until ``stop`` is set, waiting ``idle`` seconds when nothing is due;
        with ``until_idle``, return once no entry is pending or in flight."""
        report = DispatchReport()
        while stop is None or not stop.is_set():
            done = self.dispatch_due(self.batch)
            report = report + done
            if done.handled or done.skipped:
                continue
            if until_idle and not self._waiting():
                break
            if stop is not None:
                stop.wait(idle)
            else:
                sleep(idle)
        return report

    def _waiting(self) -> bool:
        """Whether an entry this dispatcher could send is pending or in flight."""
        channels = self.channels
        return any(entry.message.channel in channels for entry in self._open())

    def _open(self) -> tuple[OutboxEntry, ...]:
        """The entries pending or in flight, on any channel."""
        return self.store.outbox(OutboxStatus.PENDING) + self.store.outbox(OutboxStatus.IN_FLIGHT)
