"""Queuing and dispatching: idempotency, backoff, dead letters (memory store, fake clock)."""

from __future__ import annotations

import contextlib
import itertools
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from accountcare.adapters.memory import MemoryStore
from accountcare.adapters.sqlite import SqliteStore
from accountcare.domain import (
    Account,
    CareKind,
    CareTask,
    Channel,
    Contact,
    Delivery,
    Message,
    Recipient,
)
from accountcare.domain.outbox import OutboxEntry, OutboxStatus, RetryPolicy
from accountcare.errors import ConfigurationError
from accountcare.ports.store import Batch, Store, UnreadableRecord
from accountcare.services.outbox import Dispatcher, enqueue, enqueue_tasks, system_clock

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


LEE = Contact(id="c-1", account_id="acme", name="이서연", consents=frozenset(Channel))


def queue(store: Store, messages: list[Message]) -> None:
    """Queue ``messages`` for 이서연, who consents to every channel."""
    store.write(Batch(accounts=[Account(id="acme", name="Acme")], contacts=[LEE]))
    enqueue(store, messages)


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
    queue(store, [message("now"), message("later", START + timedelta(hours=1))])
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
    queue(store, [message("k")])
    waits = []
    for _ in range(max_attempts + 2):
        dispatcher.dispatch_due()
        entry = store.outbox_entry("k")
        assert entry is not None
        if entry.status is not OutboxStatus.PENDING:
            break
        waits.append(entry.next_attempt_at - clock.now)
        clock.now = entry.next_attempt_at
    assert entry is not None
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
    queue(store, [message("k")])
    report = Dispatcher(store, Scripted(failures=1, retryable=False), clock=Clock()).dispatch_due()
    assert report.dead == ("k",)


def test_a_notifier_that_raises_is_retried_and_its_error_kept() -> None:
    store = MemoryStore()
    queue(store, [message("k")])
    report = Dispatcher(store, Raising(), clock=Clock()).dispatch_due()
    entry = store.outbox_entry("k")
    assert report.retried == ("k",)
    assert entry is not None
    assert entry.last_error == "ConnectionResetError: peer went away"


def test_a_message_no_notifier_can_deliver_is_left_queued_for_one_that_can() -> None:
    store, clock = MemoryStore(), Clock(START + timedelta(minutes=1))
    queue(store, [message("m", channel=Channel.MESSENGER), message("e"), message("s2")])
    email = Scripted(channels=frozenset({Channel.EMAIL}))
    report = Dispatcher(store, email, clock=clock).dispatch_due()
    assert (report.sent, report.left, report.unserved) == (("e", "s2"), ("m",), ("messenger",))
    assert report.dead == ()
    assert store.outbox_entry("m") == OutboxEntry.queued(message("m", channel=Channel.MESSENGER))
    for _ in range(10):  # however often a dispatcher without it runs, nothing is used up
        assert Dispatcher(store, email, clock=clock).dispatch_due().left == ("m",)
    messenger = Scripted(channels=frozenset({Channel.MESSENGER}))
    assert Dispatcher(store, messenger, clock=clock).dispatch_due().sent == ("m",)
    assert messenger.tries["m"] == 1


def test_an_sms_with_only_an_email_notifier_is_never_touched_and_keeps_its_attempts() -> None:
    store, clock = MemoryStore(), Clock()
    queue(store, [message("s", channel=Channel.SMS)])
    (claimed,) = store.claim_outbox(clock.now, 1, timedelta(minutes=1))
    retry = RetryPolicy()
    assert store.settle_outbox(claimed.failed(clock.now, "421 try later", retry))
    clock.now += retry.delay(1)
    waiting = store.outbox_entry("s")
    email = Scripted(channels=frozenset({Channel.EMAIL}))
    for _ in range(3):
        report = Dispatcher(store, email, clock=clock).dispatch_due()
        assert (report.left, report.unserved, report.handled) == (("s",), ("sms",), 0)
    assert store.outbox_entry("s") == waiting
    assert waiting is not None
    assert (waiting.attempts, waiting.last_error) == (1, "421 try later")
    assert email.tries == {}


@attrs.define
class Counting:
    """A store that counts the calls made to it."""

    store: Store
    calls: dict[str, int] = attrs.Factory(dict)

    def __getattr__(self, name: str) -> Any:
        self.calls[name] = self.calls.get(name, 0) + 1
        return getattr(self.store, name)


def test_unserved_entries_cost_one_read_however_many_wait(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "book.sqlite3") as sqlite:
        store, clock = Counting(sqlite), Clock()
        sms = [message(f"s-{n}", channel=Channel.SMS) for n in range(40)]
        queue(sqlite, [*sms, message("e-1"), message("e-2")])
        email = Scripted(channels=frozenset({Channel.EMAIL}))
        report = Dispatcher(store, email, clock=clock).dispatch_due()
        assert report.sent == ("e-1", "e-2")
        assert report.left == tuple(sorted(m.key for m in sms))
        # Each send reads its contact's consent once; the waiting ones are never read.
        assert store.calls == {"claim_outbox": 3, "contact": 2, "settle_outbox": 2, "outbox": 2}
        assert {e.attempts for e in sqlite.outbox(OutboxStatus.PENDING)} == {0}


def test_run_until_idle_stops_when_only_unserved_entries_wait() -> None:
    store, clock = MemoryStore(), Clock()
    queue(store, [message("m", channel=Channel.SMS)])
    email = Scripted(channels=frozenset({Channel.EMAIL}))
    report = Dispatcher(store, email, clock=clock).run(until_idle=True, sleep=lambda s: None)
    assert report.left == ("m",)
    assert store.outbox(OutboxStatus.PENDING)[0].key == "m"


def test_notifiers_are_chosen_by_channel_in_order() -> None:
    email, sms = Scripted(channels=frozenset({Channel.EMAIL})), Scripted()
    store = MemoryStore()
    queue(store, [message("e"), message("s", channel=Channel.SMS)])
    Dispatcher(store, [email, sms], clock=Clock()).dispatch_due()
    assert (email.sent, sms.sent) == (["e"], ["s"])


def test_an_entry_whose_lease_ran_out_is_not_sent() -> None:
    store, clock = MemoryStore(), Clock()
    queue(store, [message("k")])
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
    queue(store, [message("k")])
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


# -- crashes and poison messages ------------------------------------------------------


class Killed(BaseException):
    """A send that never returns: like a killed process, it passes ``except Exception``
    and leaves the entry in flight."""


class Poisoned:
    """Sends everything, except that sending ``poison`` kills the dispatcher."""

    channels = frozenset({Channel.EMAIL})

    def __init__(self, poison: str = "poison") -> None:
        self.poison = poison
        self.tries: dict[str, int] = {}
        self._lock = threading.Lock()

    def send(self, message: Message) -> Delivery:
        with self._lock:
            self.tries[message.key] = self.tries.get(message.key, 0) + 1
        if message.key == self.poison:
            raise Killed(message.key)
        return Delivery(key=message.key, ok=True)


def restart_until_done(dispatcher: Callable[[], Dispatcher], restarts: int) -> None:
    """Run a fresh dispatcher until nothing is left, starting it again after each kill."""
    for _ in range(restarts):
        try:
            dispatcher().run(until_idle=True, idle=0.01)
            return
        except Killed:
            continue
    raise AssertionError(f"still dispatching after {restarts} restarts")


def test_a_poison_message_is_retired_after_max_attempts_and_never_starves_the_next() -> None:
    # A message whose send kills the dispatcher, restarted 15 times (each time after
    # the lease ran out): it must be sent at most max_attempts times, then be a dead
    # letter saying it crashed and how often, and the message due after it is sent.
    store, clock = MemoryStore(), Clock()
    queue(store, [message("poison"), message("next", START + timedelta(seconds=1))])
    clock.now += timedelta(seconds=1)
    notifier = Poisoned()
    for _ in range(15):
        with contextlib.suppress(Killed):
            Dispatcher(store, notifier, clock=clock).dispatch_due()
        clock.now += timedelta(minutes=5)  # the default lease
    poison, after = store.outbox_entry("poison"), store.outbox_entry("next")
    assert poison is not None
    assert after is not None
    assert notifier.tries["poison"] == RetryPolicy().max_attempts == 6
    assert poison.status is OutboxStatus.DEAD
    assert "crashed" in poison.last_error
    assert "6 times" in poison.last_error
    assert notifier.tries["next"] == 1
    assert (after.status, after.attempts) == (OutboxStatus.SENT, 1)


def test_dying_on_the_first_of_a_batch_charges_the_rest_nothing() -> None:
    store, clock = MemoryStore(), Clock()
    poison = message("poison", START - timedelta(seconds=1))  # due first
    queue(store, [poison] + [message(f"n-{n}", START) for n in range(4)])
    notifier = Poisoned()
    with pytest.raises(Killed):
        Dispatcher(store, notifier, clock=clock, batch=5).dispatch_due()
    rest = [store.outbox_entry(f"n-{n}") for n in range(4)]
    assert [(e.status, e.attempts) for e in rest if e is not None] == [
        (OutboxStatus.PENDING, 0)
    ] * 4


def test_an_entry_is_never_sent_more_often_than_the_policy_allows() -> None:
    # Attempts spent under an older, larger budget: a smaller one retires it unsent.
    store, clock = MemoryStore(), Clock()
    queue(store, [message("k")])
    Dispatcher(store, Scripted(failures=9), clock=clock, retry=RetryPolicy(6)).dispatch_due()
    clock.now += timedelta(hours=1)
    Dispatcher(store, Scripted(failures=9), clock=clock, retry=RetryPolicy(6)).dispatch_due()
    clock.now += timedelta(hours=1)
    notifier = Scripted()
    report = Dispatcher(store, notifier, clock=clock, retry=RetryPolicy(2)).dispatch_due()
    entry = store.outbox_entry("k")
    assert entry is not None
    assert (report.dead, notifier.tries) == (("k",), {})
    assert (entry.status, entry.last_error) == (OutboxStatus.DEAD, "421 try later")


@given(
    steps=st.lists(st.sampled_from(["crash", "fail", "revive"]), max_size=20),
    forged=st.sampled_from(["", "crashed during send 999 times", "crashed during send 2 times"]),
)
def test_the_crash_count_is_the_run_of_unsettled_claims_and_never_exceeds_the_claims(
    steps: list[str], forged: str
) -> None:
    lease, retry = timedelta(minutes=5), RetryPolicy(max_attempts=1000)
    now = START
    entry = attrs.evolve(OutboxEntry.queued(message("k")), last_error=forged)
    entry = entry.claimed(now, lease)
    in_a_row = 0
    for step in steps:
        now += lease
        if step == "crash":  # the claim never settled: the next claim takes it over
            in_a_row += 1
        elif step == "fail":
            entry, in_a_row = entry.failed(now, "timeout", retry), 0
        else:
            entry = entry.failed(now, "gone", retry, retryable=False).revived(now)
            in_a_row = 0
        entry = entry.claimed(now, lease)
        assert entry.crashes <= entry.attempts
        if in_a_row:
            assert entry.last_error == f"crashed during send {in_a_row} time" + "s" * (in_a_row > 1)
            assert entry.crashes == in_a_row


# Several dispatchers on one outbox, each killed whenever it sends the poison and
# started again: leases keep them apart, and the poison's crashes are its own.
STORES = ["sqlite", "postgres_store", "mariadb_store"]


@pytest.fixture(params=STORES)
def opener(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], Any]:
    if request.param == "sqlite":
        path = tmp_path / "outbox.sqlite3"
        SqliteStore(path).close()
        return lambda: SqliteStore(path)
    request.applymarker(pytest.mark.servers)
    server = request.getfixturevalue(request.param)
    server.clear()
    return lambda: server


def test_concurrent_dispatchers_send_each_entry_once_and_retire_the_poison(
    opener: Callable[[], Any],
) -> None:
    keys = [f"n-{n:03d}" for n in range(90)]
    first: Store = opener()
    due = system_clock() - timedelta(minutes=1)
    queued = [message(k, due + timedelta(seconds=1)) for k in keys]
    queue(first, [message("poison", due), *queued])
    notifier, retry = Poisoned(), RetryPolicy(max_attempts=3)
    # Long enough that no claim of a neighbour runs out before its send, even on a busy
    # machine (that would rightly cost it an attempt); the poison's three crashed claims
    # each wait for it to run out.
    lease = timedelta(seconds=2)

    def dispatcher(store: Store) -> Dispatcher:
        return Dispatcher(store, notifier, clock=system_clock, retry=retry, lease=lease, batch=7)

    def work() -> None:
        store = opener()
        restart_until_done(lambda: dispatcher(store), restarts=20)

    threads = [threading.Thread(target=work, daemon=True) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert {k: notifier.tries.get(k) for k in keys} == dict.fromkeys(keys, 1)
    assert notifier.tries["poison"] == 3
    entries = {e.key: e for e in first.outbox()}
    assert {entries[k].status for k in keys} == {OutboxStatus.SENT}
    assert {entries[k].attempts for k in keys} == {1}
    poison = entries["poison"]
    assert (poison.status, poison.last_error) == (OutboxStatus.DEAD, "crashed during send 3 times")


# -- consent, asked again at the send --------------------------------------------------


def test_a_lookup_of_your_own_decides_whom_the_dispatcher_may_reach() -> None:
    store, notifier = MemoryStore(), Scripted()
    enqueue(store, [message("e"), message("s", channel=Channel.SMS)])  # 이서연 is not stored
    crm = {"c-1": attrs.evolve(LEE, consents=frozenset({Channel.EMAIL}))}
    report = Dispatcher(store, notifier, clock=Clock(), contacts=crm.get).dispatch_due()
    assert (report.sent, report.withheld, report.dead, notifier.sent) == (
        ("e",), ("s",), (), ["e"],
    )  # fmt: skip
    withheld = store.outbox_entry("s")
    assert withheld is not None
    assert (withheld.status, withheld.last_error) == (
        OutboxStatus.DEAD,
        "not sent: no consent to sms",
    )


@attrs.define
class SlowContacts:
    """A store whose first contact read takes ``delay`` of the clock's time, or whose
    contact reads fail as unreadable."""

    store: Store
    clock: Clock
    delay: timedelta = timedelta(0)
    unreadable: bool = False

    def contact(self, contact_id: str) -> Contact | None:
        self.clock.now += self.delay
        self.delay = timedelta(0)
        if self.unreadable:
            raise UnreadableRecord(f"Contact {contact_id!r}", "emails", "has a line break")
        return self.store.contact(contact_id)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


def test_a_lease_that_runs_out_while_the_contact_is_read_sends_nothing() -> None:
    store, clock, notifier = MemoryStore(), Clock(), Scripted()
    queue(store, [message("k")])
    slow = SlowContacts(store, clock, delay=timedelta(minutes=6))  # past the 5 minute lease
    report = Dispatcher(slow, notifier, clock=clock).dispatch_due()
    # The claim whose lease ran out sends nothing; the next claim takes it over and sends.
    assert (report.skipped, report.sent, notifier.tries) == (("k",), ("k",), {"k": 1})
    entry = store.outbox_entry("k")
    assert entry is not None
    assert (entry.status, entry.attempts) == (OutboxStatus.SENT, 2)


def test_an_unreadable_contact_withholds_its_message() -> None:
    store, clock, notifier = MemoryStore(), Clock(), Scripted()
    queue(store, [message("k")])
    broken = SlowContacts(store, clock, unreadable=True)
    report = Dispatcher(broken, notifier, clock=clock).dispatch_due()
    entry = store.outbox_entry("k")
    assert (report.withheld, notifier.sent) == (("k",), [])
    assert entry is not None
    assert entry.last_error.startswith("not sent: the contact's stored record cannot be read (")
