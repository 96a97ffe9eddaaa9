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

Failures are retried with exponential backoff (:class:`RetryPolicy`); after the last
attempt, or a failure the notifier calls final, the entry is a dead letter.

>>> from datetime import UTC, datetime
>>> from accountcare.adapters.memory import MemoryStore
>>> from accountcare.domain import Channel, Delivery, Message, Recipient
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
>>> enqueue(store, [msg]).enqueued
('c-1|birthday|2027-03-28|email',)
>>> enqueue(store, [msg]).enqueued
()
>>> Dispatcher(store, [Printer()], clock=lambda: now).dispatch_due().sent
sent c-1|birthday|2027-03-28|email
('c-1|birthday|2027-03-28|email',)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

import attrs

from accountcare.domain.care import CareTask
from accountcare.domain.contacts import Channel
from accountcare.domain.messages import Delivery, Message
from accountcare.domain.outbox import OutboxEntry, OutboxStatus, RetryPolicy
from accountcare.errors import ConfigurationError
from accountcare.ports.notify import Notifier
from accountcare.ports.store import Batch, Store, WriteReport

__all__ = [
    "DispatchReport",
    "Dispatcher",
    "enqueue",
    "enqueue_tasks",
    "render_tasks",
    "system_clock",
]

Clock = Callable[[], datetime]


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
    store: Store, tasks: Iterable[CareTask], render: Callable[[CareTask], Message]
) -> list[Message]:
    """The messages of the tasks whose key is not queued yet (see :func:`enqueue_tasks`);
    nothing is written."""
    pending = [task for task in tasks if store.outbox_entry(task.key) is None]
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


@attrs.frozen
class DispatchReport:
    """Keys sent, put back for a retry, moved to the dead letters, or skipped because
    the claim's lease ran out before their turn came."""

    sent: tuple[str, ...] = ()
    retried: tuple[str, ...] = ()
    dead: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()

    def __add__(self, other: DispatchReport) -> DispatchReport:
        return DispatchReport(
            self.sent + other.sent,
            self.retried + other.retried,
            self.dead + other.dead,
            self.skipped + other.skipped,
        )

    @property
    def handled(self) -> int:
        return len(self.sent) + len(self.retried) + len(self.dead)


class Dispatcher:
    """Sends due outbox entries through the notifier for each message's channel.

    ``notifiers`` are tried in order: the first whose ``channels`` include the message's
    channel sends it. ``lease`` is how long a claimed entry stays reserved for this
    dispatcher (after a crash, the entry is sent again once it runs out); ``batch`` how
    many entries each pass of :meth:`run` sends before it looks at ``stop`` again. A
    notifier that raises instead of returning a failed :class:`Delivery` is treated as
    a failure that a retry may fix; one that never returns (the process dies) leaves
    the entry in flight, and the claim after its lease counts the crash.

    Entries are claimed one at a time, right before their send: a claim is an attempt
    of exactly the entry being sent, so a crash is charged to that entry only, and each
    entry's lease starts when its send does.
    """

    def __init__(
        self,
        store: Store,
        notifiers: Notifier | Iterable[Notifier],
        *,
        clock: Clock = system_clock,
        retry: RetryPolicy | None = None,
        lease: timedelta = timedelta(minutes=5),
        batch: int = 50,
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

    def notifier_for(self, channel: Channel) -> Notifier | None:
        for notifier in self._notifiers:
            if channel in notifier.channels:
                return notifier
        return None

    def dispatch_due(self, limit: int | None = None) -> DispatchReport:
        """Send every entry due now (at most ``limit``); return what happened."""
        done: dict[str, list[str]] = {"sent": [], "retried": [], "dead": [], "skipped": []}
        handled = 0
        while limit is None or handled < limit:
            # One entry per claim: claiming several would charge each of them an attempt
            # that a crash on the first one never made.
            claimed = self.store.claim_outbox(self.clock(), 1, self.lease)
            if not claimed:
                break
            for entry in claimed:
                outcome = self._dispatch(entry)
                done[outcome].append(entry.key)
                handled += outcome != "skipped"
        return DispatchReport(**{name: tuple(keys) for name, keys in done.items()})

    def _dispatch(self, entry: OutboxEntry) -> str:
        if self.clock() >= entry.next_attempt_at:
            # The lease ran out before the send began: another dispatcher may have the
            # entry now, so sending it here could send it twice.
            return "skipped"
        if entry.spent(self.retry):
            # Every attempt was used, the last ones by sends that never reported back (a
            # message that kills its dispatcher): retire it unsent, as a dead letter.
            outcome = entry.abandoned()
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
        if outcome.status is OutboxStatus.SENT:
            return "sent"
        if outcome.status is OutboxStatus.DEAD:
            return "dead"
        return "retried"

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
        pending = self.store.outbox(OutboxStatus.PENDING)
        return bool(pending or self.store.outbox(OutboxStatus.IN_FLIGHT))
