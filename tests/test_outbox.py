"""Queuing and dispatching: idempotency, backoff, dead letters (memory store, fake clock)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from accountcare.adapters.memory import MemoryStore
from accountcare.domain import CareKind, CareTask, Channel, Delivery, Message, Recipient
from accountcare.domain.outbox import OutboxEntry, OutboxStatus, RetryPolicy
from accountcare.errors import ConfigurationError
from accountcare.services.outbox import Dispatcher, enqueue, enqueue_tasks

START = datetime(2027, 3, 1, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@attrs.define
class Scripted:
    """A notifier that fails the first ``failures`` sends of each key, then succeeds."""

    failures: int = 0
    retryable: bool = True
    channels: frozenset[Channel] = frozenset({Channel.EMAIL, Channel.SMS})
    sent: list[str] = attrs.Factory(list)
    tries: dict[str, int] = attrs.Factory(dict)

    def send(self, message: Message) -> Delivery:
        self.tries[message.key] = self.tries.get(message.key, 0) + 1
        if self.tries[message.key] <= self.failures:
            return Delivery(
                key=message.key, ok=False, detail="421 try later", retryable=self.retryable
            )
        self.sent.append(message.key)
        return Delivery(key=message.key, ok=True, provider_id=f"id-{message.key}")


class Raising:
    channels = frozenset({Channel.EMAIL})

    def send(self, message: Message) -> Delivery:
        raise ConnectionResetError("peer went away")


def message(key: str, due_at: datetime = START, channel: Channel = Channel.EMAIL) -> Message:
    return Message(
        key=key,
        channel=channel,
        recipient=Recipient("c-1", "이서연", "lee@example.kr"),
        subject="추석 인사",
        text="...",
        due_at=due_at,
    )


def task(contact: str, on: date, kind: CareKind = CareKind.BIRTHDAY) -> CareTask:
    return CareTask(
        contact_id=contact,
        account_id="acme",
        on=on,
        local_time=time(9),
        time_zone="Asia/Seoul",
        channel=Channel.EMAIL,
        kind=kind,
        template_key=kind.value,
    )


def render(t: CareTask) -> Message:
    return message(t.key, t.due_at)


def test_only_due_messages_are_sent() -> None:
    store, clock, notifier = MemoryStore(), Clock(), Scripted()
    enqueue(store, [message("now"), message("later", START + timedelta(hours=1))])
    report = Dispatcher(store, notifier, clock=clock).dispatch_due()
    assert (report.sent, notifier.sent) == (("now",), ["now"])
    clock.now += timedelta(hours=1)
    assert Dispatcher(store, notifier, clock=clock).dispatch_due().sent == ("later",)
    sent = store.outbox_entry("later")
    assert sent is not None
    assert (sent.sent_at, sent.provider_id) == (clock.now, "id-later")


@given(failures=st.integers(0, 8), max_attempts=st.integers(1, 6))
def test_failures_back_off_exponentially_then_go_dead_after_max_attempts(
    failures: int, max_attempts: int
) -> None:
    store, clock, notifier = MemoryStore(), Clock(), Scripted(failures=failures)
    retry = RetryPolicy(max_attempts=max_attempts, first_delay=timedelta(seconds=30))
    dispatcher = Dispatcher(store, notifier, clock=clock, retry=retry)
    enqueue(store, [message("k")])
    waits = []
    for _ in range(max_attempts + 2):
        dispatcher.dispatch_due()
        entry = store.outbox_entry("k")
        assert entry is not None
        if entry.status is not OutboxStatus.PENDING:
            break
        waits.append(entry.next_attempt_at - clock.now)
        clock.now = entry.next_attempt_at
    assert entry.attempts <= max_attempts
    assert waits == [retry.delay(n) for n in range(1, len(waits) + 1)]
    assert all(b == 2 * a for a, b in itertools.pairwise(waits))
    if failures < max_attempts:
        assert (entry.status, notifier.sent) == (OutboxStatus.SENT, ["k"])
    else:
        assert (entry.status, entry.last_error) == (OutboxStatus.DEAD, "421 try later")
        assert notifier.tries["k"] == max_attempts


def test_a_final_failure_goes_dead_at_once() -> None:
    store = MemoryStore()
    enqueue(store, [message("k")])
    report = Dispatcher(store, Scripted(failures=1, retryable=False), clock=Clock()).dispatch_due()
    assert report.dead == ("k",)


def test_a_notifier_that_raises_is_retried_and_its_error_kept() -> None:
    store = MemoryStore()
    enqueue(store, [message("k")])
    report = Dispatcher(store, Raising(), clock=Clock()).dispatch_due()
    entry = store.outbox_entry("k")
    assert report.retried == ("k",)
    assert entry is not None
    assert entry.last_error == "ConnectionResetError: peer went away"


def test_a_message_no_notifier_can_deliver_is_a_dead_letter() -> None:
    store = MemoryStore()
    enqueue(store, [message("k", channel=Channel.MESSENGER)])
    report = Dispatcher(store, Scripted(), clock=Clock()).dispatch_due()
    entry = store.outbox_entry("k")
    assert report.dead == ("k",)
    assert entry is not None
    assert "messenger" in entry.last_error


def test_notifiers_are_chosen_by_channel_in_order() -> None:
    email, sms = Scripted(channels=frozenset({Channel.EMAIL})), Scripted()
    store = MemoryStore()
    enqueue(store, [message("e"), message("s", channel=Channel.SMS)])
    Dispatcher(store, [email, sms], clock=Clock()).dispatch_due()
    assert (email.sent, sms.sent) == (["e"], ["s"])


def test_an_entry_whose_lease_ran_out_is_not_sent() -> None:
    store, clock = MemoryStore(), Clock()
    enqueue(store, [message("k")])
    (claimed,) = store.claim_outbox(clock.now, 1, timedelta(seconds=1))
    clock.now += timedelta(seconds=2)
    notifier = Scripted()
    dispatcher = Dispatcher(store, notifier, clock=clock)
    assert dispatcher._dispatch(claimed) == "skipped"
    assert notifier.sent == []
    assert dispatcher.dispatch_due().sent == ("k",)  # taken over after the lease


@given(
    contacts=st.lists(st.sampled_from(["c-1", "c-2", "c-3"]), min_size=1, max_size=8),
    days=st.lists(st.integers(0, 3), min_size=1, max_size=8),
    reruns=st.integers(1, 4),
)
def test_rerunning_the_scheduler_never_enqueues_a_duplicate(
    contacts: list[str], days: list[int], reruns: int
) -> None:
    store = MemoryStore()
    tasks = [
        task(c, date(2027, 3, 1) + timedelta(days=d)) for c, d in zip(contacts, days, strict=False)
    ]
    for _ in range(reruns):
        enqueue_tasks(store, tasks, render)
    keys = [e.key for e in store.outbox()]
    assert sorted(keys) == sorted({t.key for t in tasks})


def test_a_message_must_carry_its_tasks_key() -> None:
    with pytest.raises(ConfigurationError, match="must carry"):
        enqueue_tasks(MemoryStore(), [task("c-1", date(2027, 3, 1))], lambda t: message("other"))


def test_the_dispatcher_rejects_parameters_that_cannot_work() -> None:
    with pytest.raises(ConfigurationError):
        Dispatcher(MemoryStore(), [], clock=Clock())
    with pytest.raises(ConfigurationError):
        Dispatcher(MemoryStore(), Scripted(), clock=Clock(), lease=timedelta(0))
    with pytest.raises(ConfigurationError):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ConfigurationError):
        RetryPolicy(first_delay=timedelta(0))


def test_run_until_idle_waits_for_retries_then_stops() -> None:
    store, clock = MemoryStore(), Clock()
    enqueue(store, [message("k")])
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.now += timedelta(minutes=1)

    report = Dispatcher(store, Scripted(failures=2), clock=clock).run(
        until_idle=True, idle=0.5, sleep=sleep
    )
    assert report.sent == ("k",)
    assert report.retried == ("k", "k")
    assert slept
    assert all(s == 0.5 for s in slept)


def test_an_entry_round_trips_its_state_changes() -> None:
    entry = OutboxEntry.queued(message("k"))
    claimed = entry.claimed(START, timedelta(minutes=5))
    assert claimed.is_due(START + timedelta(minutes=5))
    assert not claimed.is_due(START + timedelta(minutes=4))
    assert not claimed.delivered(START).is_due(START + timedelta(days=999))
    assert claimed.failed(START, "x", RetryPolicy(max_attempts=1)).status is OutboxStatus.DEAD
    revived = claimed.failed(START, "x", RetryPolicy(max_attempts=1)).revived(START)
    assert (revived.status, revived.attempts) == (OutboxStatus.PENDING, 0)
