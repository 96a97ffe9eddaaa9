"""Crash safety of the outbox: SIGKILL a dispatching process at random moments,
restart it, and check that no message was lost and only entries in flight at a kill
were delivered twice (each at most once more per kill that caught it in flight)."""

from __future__ import annotations

import collections
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from accountcare.adapters.sqlite import SqliteStore
from accountcare.domain import Channel, Message, Recipient
from accountcare.domain.outbox import OutboxStatus
from accountcare.services.outbox import enqueue

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")

MESSAGES = 400
KILLS = 12

# The dispatching process: a notifier that appends each delivery to a file with one
# write() and an fsync, so a line in the log is a message the world has seen.
DISPATCHER = textwrap.dedent(
    """
    import os, sys, time
    from datetime import timedelta
    from accountcare.adapters.sqlite import SqliteStore
    from accountcare.domain import Channel, Delivery
    from accountcare.services.outbox import Dispatcher

    class FileNotifier:
        channels = frozenset({Channel.EMAIL})

        def __init__(self, path):
            self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

        def send(self, message):
            os.write(self.fd, (message.key + "\\n").encode())
            os.fsync(self.fd)
            time.sleep(0.01)  # a provider takes a moment
            return Delivery(key=message.key, ok=True)

    store = SqliteStore(sys.argv[1])
    dispatcher = Dispatcher(store, FileNotifier(sys.argv[2]), lease=timedelta(seconds=0.3),
                            batch=5)
    dispatcher.run(until_idle=True, idle=0.05)
    """
)


def _queue(path: Path) -> list[str]:
    due = datetime(2020, 1, 1, tzinfo=UTC)
    keys = [f"c-{n}|birthday|2020-01-01|email" for n in range(MESSAGES)]
    with SqliteStore(path) as store:
        enqueue(
            store,
            [
                Message(
                    key=key,
                    channel=Channel.EMAIL,
                    recipient=Recipient("c", "Chen", "chen@example.com"),
                    subject="s",
                    text="t",
                    due_at=due,
                )
                for key in keys
            ],
        )
    return keys


def test_a_killed_dispatcher_loses_nothing_and_repeats_only_entries_in_flight(
    tmp_path: Path,
) -> None:
    db, log = tmp_path / "outbox.sqlite3", tmp_path / "delivered.log"
    keys = _queue(db)
    rng = random.Random()
    seed = rng.randrange(2**32)
    rng.seed(seed)
    in_flight_at_kill: collections.Counter[str] = collections.Counter()
    kills = 0
    while True:
        worker = subprocess.Popen([sys.executable, "-c", DISPATCHER, str(db), str(log)])
        if kills < KILLS:
            time.sleep(rng.uniform(0.05, 0.9))
        if kills < KILLS and worker.poll() is None:
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
            kills += 1
            with SqliteStore(db) as store:
                in_flight_at_kill.update(e.key for e in store.outbox(OutboxStatus.IN_FLIGHT))
            continue
        assert worker.wait(timeout=120) == 0, f"seed {seed}"
        break
    delivered = collections.Counter(log.read_text().split())
    assert set(delivered) == set(keys), f"lost: {set(keys) - set(delivered)} (seed {seed})"
    for key, times in delivered.items():
        assert times <= 1 + in_flight_at_kill[key], f"{key} sent {times} times (seed {seed})"
    with SqliteStore(db) as store:
        assert {e.key for e in store.outbox(OutboxStatus.SENT)} == set(keys)
    assert kills >= KILLS // 2, "the dispatcher finished before most kills: too few messages"
