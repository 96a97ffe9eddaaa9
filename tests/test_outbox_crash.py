"""Crash safety of the outbox: SIGKILL a dispatching process at random moments,
restart it, and check that no message was lost and only entries in flight at a kill
were delivered twice (each at most once more per kill that caught it in flight).

The outbox also holds a poison message, whose send kills the dispatching process every
time, and messages for a webhook receiver on loopback that goes away for a while and
comes back. The poison must end as a dead letter saying it crashed and how often, after
exactly the attempts the retry policy allows, without costing any other entry an
attempt; the webhook messages must be delivered once the receiver is back, or end as
dead letters with the connection error.
"""

from __future__ import annotations

import collections
import http.server
import os
import random
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
import urllib.parse
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from accountcare.adapters.sqlite import SqliteStore
from accountcare.domain import Account, Channel, Contact, Message, Recipient
from accountcare.domain.outbox import OutboxStatus
from accountcare.ports.store import Batch
from accountcare.services.outbox import enqueue

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")

MESSAGES = 400  # every seventh goes to the webhook receiver, the others by "email"
KILLS = 12
POISON = "poison|birthday|2020-01-01|email"
MAX_ATTEMPTS = 5  # the dispatcher's RetryPolicy.max_attempts

# The dispatching process: an email notifier that appends each delivery to a file with
# one write() and an fsync, so a line in the log is a message the world has seen, and
# that kills its own process when it sends the poison; and the library's webhook
# notifier, each of whose tries is logged the same way first.
DISPATCHER = textwrap.dedent(
    """
    import os, signal, sys, time
    from datetime import timedelta
    from accountcare.adapters.notify.webhook import WebhookNotifier
    from accountcare.adapters.sqlite import SqliteStore
    from accountcare.domain import Channel, Delivery
    from accountcare.domain.outbox import RetryPolicy
    from accountcare.services.outbox import Dispatcher

    def appender(path):
        return os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def log(fd, line):
        os.write(fd, (line + "\\n").encode())
        os.fsync(fd)

    class FileNotifier:
        channels = frozenset({Channel.EMAIL})

        def __init__(self, path, poison):
            self.fd, self.poison = appender(path), poison

        def send(self, message):
            log(self.fd, message.key)
            if message.key == self.poison:
                os.kill(os.getpid(), signal.SIGKILL)
            time.sleep(0.01)  # a provider takes a moment
            return Delivery(key=message.key, ok=True)

    class LoggedTries:
        def __init__(self, notifier, path):
            self.notifier, self.fd = notifier, appender(path)
            self.channels = notifier.channels

        def send(self, message):
            log(self.fd, message.key)
            return self.notifier.send(message)

    db, delivered, tries, url, poison, attempts = sys.argv[1:]
    webhook = WebhookNotifier(url, secret=b"a-shared-secret-of-32-bytes-0123",
                              channels=frozenset({Channel.SMS}), timeout=2.0, max_attempts=1)
    retry = RetryPolicy(max_attempts=int(attempts), first_delay=timedelta(seconds=0.2),
                        max_delay=timedelta(seconds=2))
    store = SqliteStore(sys.argv[1])
    # The lease must outlast a claim's commit and the consent read before the send, even
    # on a loaded machine where an fsync stalls: a claim whose lease has run out before
    # its send is skipped (another dispatcher may hold the entry by then), and keeps the
    # attempt its claim counted, which this test would read as a lost attempt.
    dispatcher = Dispatcher(store, [FileNotifier(delivered, poison), LoggedTries(webhook, tries)],
                            retry=retry, lease=timedelta(seconds=1.5), batch=5)
    dispatcher.run(until_idle=True, idle=0.05)
    """
)


class _Handler(http.server.BaseHTTPRequestHandler):
    receiver: Receiver  # set on the subclass each receiver makes

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
        self.receiver.got(urllib.parse.unquote(self.headers["Idempotency-Key"]))

    def log_message(self, format: str, *args: object) -> None:
        pass


class Receiver:
    """A webhook receiver on a loopback port that goes away after its ``outage_after``-th
    request (connections are refused) and comes back on the same port ``outage`` seconds
    later."""

    def __init__(self, outage_after: int, outage: float) -> None:
        self.received: list[str] = []
        self.outage_after, self.outage = outage_after, outage
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self._lock = threading.Lock()
        self._server: http.server.ThreadingHTTPServer | None = None
        self._away: threading.Thread | None = None

    def got(self, key: str) -> None:
        with self._lock:
            self.received.append(key)
            if len(self.received) == self.outage_after:
                self._away = threading.Thread(target=self._go_away)
                self._away.start()

    def _go_away(self) -> None:
        self.stop()
        time.sleep(self.outage)
        self.start()

    def start(self) -> None:
        handler = type("Handler", (_Handler,), {"receiver": self})
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Stop accepting connections: a connect is refused from now on."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def close(self) -> None:
        if self._away is not None:
            self._away.join()
        self.stop()


def _queue(path: Path) -> tuple[list[str], list[str]]:
    """Queue the poison (due first) and the messages; the email and the webhook keys."""
    due = datetime(2020, 1, 1, tzinfo=UTC)
    recipient = Recipient("c", "Chen", "chen@example.com")

    def message(key: str, channel: Channel, at: datetime) -> Message:
        return Message(key, channel, recipient, subject="s", text="t", due_at=at)

    emails: list[str] = []
    hooks: list[str] = []
    queued = [message(POISON, Channel.EMAIL, due - timedelta(seconds=1))]
    for n in range(MESSAGES):
        hook = n % 7 == 3
        key = f"c-{n}|birthday|2020-01-01|{'sms' if hook else 'email'}"
        (hooks if hook else emails).append(key)
        queued.append(message(key, Channel.SMS if hook else Channel.EMAIL, due + timedelta(n)))
    chen = Contact(id="c", account_id="acme", name="Chen", consents=[Channel.EMAIL, Channel.SMS])
    with SqliteStore(path) as store:  # the dispatcher reads Chen's consent before each send
        store.write(Batch(accounts=[Account(id="acme", name="Acme")], contacts=[chen]))
        enqueue(store, queued)
    return emails, hooks


def _lines(path: Path) -> collections.Counter[str]:
    return collections.Counter(path.read_text().split()) if path.exists() else collections.Counter()


def test_a_killed_dispatcher_loses_nothing_and_repeats_only_entries_in_flight(
    tmp_path: Path,
) -> None:
    db, log, tries = tmp_path / "outbox.sqlite3", tmp_path / "delivered.log", tmp_path / "tries.log"
    emails, hooks = _queue(db)
    receiver = Receiver(outage_after=8, outage=2.5)
    receiver.start()
    rng = random.Random()
    seed = rng.randrange(2**32)
    rng.seed(seed)
    killed_claims: set[tuple[str, int]] = set()  # (key, attempts) in flight at our kills
    kills = poisonings = 0
    args = [sys.executable, "-c", DISPATCHER, str(db), str(log), str(tries), receiver.url]
    try:
        while True:
            assert poisonings <= MAX_ATTEMPTS, (
                f"the poison crash-loops the dispatcher (seed {seed})"
            )
            worker = subprocess.Popen([*args, POISON, str(MAX_ATTEMPTS)])
            if kills < KILLS:
                time.sleep(rng.uniform(0.05, 0.9))
            if kills < KILLS and worker.poll() is None:
                os.kill(worker.pid, signal.SIGKILL)
                worker.wait(timeout=30)
                kills += 1
                with SqliteStore(db) as store:
                    flying = store.outbox(OutboxStatus.IN_FLIGHT)
                killed_claims.update((e.key, e.attempts) for e in flying)
                continue
            code = worker.wait(timeout=120)
            if code == -signal.SIGKILL:  # the poison killed it
                poisonings += 1
                with SqliteStore(db) as store:
                    flying = store.outbox(OutboxStatus.IN_FLIGHT)
                # Only the poison was claimed when it crashed (entries left in flight by
                # one of our kills may still wait for their lease to be taken over).
                fresh = {(e.key, e.attempts) for e in flying} - killed_claims
                assert {key for key, _ in fresh} <= {POISON}, f"{fresh} (seed {seed})"
                continue
            assert code == 0, f"seed {seed}"
            break
    finally:
        receiver.close()
    with SqliteStore(db) as store:
        entries = {e.key: e for e in store.outbox()}
    claims_killed = collections.Counter(key for key, _ in killed_claims)
    delivered, hook_tries = _lines(log), _lines(tries)
    received = collections.Counter(receiver.received)
    assert {e.status for e in entries.values()} <= {OutboxStatus.SENT, OutboxStatus.DEAD}

    poison = entries[POISON]
    assert poison.status is OutboxStatus.DEAD, f"seed {seed}"
    assert poison.last_error == f"crashed during send {MAX_ATTEMPTS} times", f"seed {seed}"
    assert 1 <= delivered[POISON] <= MAX_ATTEMPTS, f"seed {seed}"

    # Email: every message delivered, repeated only by kills that caught it in flight,
    # and charged one attempt plus one per such kill: none for the poison's crashes.
    assert set(delivered) - {POISON} == set(emails), f"lost (seed {seed})"
    for key in emails:
        assert entries[key].status is OutboxStatus.SENT, f"{key} (seed {seed})"
        assert delivered[key] <= 1 + claims_killed[key], f"{key} sent twice (seed {seed})"
        assert entries[key].attempts == 1 + claims_killed[key], f"{key} (seed {seed})"

    # Webhook: delivered once per idempotency key after the receiver came back, or a
    # dead letter with the connection error; no lost message, no attempt uncharged.
    for key in hooks:
        entry = entries[key]
        assert hook_tries[key] <= entry.attempts <= hook_tries[key] + claims_killed[key], key
        if entry.status is OutboxStatus.SENT:
            assert 1 <= received[key] <= 1 + claims_killed[key], f"{key} (seed {seed})"
        else:
            assert entry.attempts >= MAX_ATTEMPTS, f"{key} (seed {seed})"
            assert "Connection" in entry.last_error or "crashed" in entry.last_error, key
            assert received[key] <= claims_killed[key], f"{key} (seed {seed})"
    assert set(received) <= set(hooks)
    refused = [k for k in hooks if hook_tries[k] > received[k] + claims_killed[k]]
    assert refused, f"the receiver's outage refused no delivery (seed {seed})"
    assert kills >= KILLS // 2, "the dispatcher finished before most kills: too few messages"
