"""Email throughput against a local aiosmtpd server.

Rows: the outbox dispatcher sending N queued messages from an SQLite outbox (claim,
build, send, settle each); SmtpNotifier building and sending N messages over one reused
connection, and with a new connection per message; reference: raw ``smtplib`` sending N
prebuilt ``EmailMessage`` values over one connection, measured in the same run.

    /work/venv/bin/python benchmarks/bench_notify.py
"""

from __future__ import annotations

import smtplib
import socket
import sys
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

sys.path.insert(0, str(Path(__file__).parent))

import tempfile
import time

from _report import best_of, recipients, table
from accountcare.adapters.notify.smtp import SmtpNotifier
from accountcare.adapters.sqlite import SqliteStore
from accountcare.domain.contacts import Channel
from accountcare.domain.messages import Message, Recipient
from accountcare.services.outbox import Dispatcher, enqueue

N = 10_000


class _Sink:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.count += 1
        return "250 OK"


def _messages(n: int) -> list[Message]:
    due = datetime(2027, 2, 6, 1, tzinfo=UTC)
    return [
        Message(
            key=f"c-{i}|holiday_greeting|2027-02-06|email",
            channel=Channel.EMAIL,
            recipient=Recipient(f"c-{i}", "王伟", f"c{i}@example.com", "zh-Hans"),
            subject="恭祝春节快乐",
            text="尊敬的王伟：\n\n春节将至，谨向您及家人致以节日的问候！",
            html="<p>尊敬的王伟：</p><p>春节将至，谨向您及家人致以节日的问候！</p>",
            due_at=due,
            sender_name="李娜",
        )
        for i in range(n)
    ]


def main() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sink = _Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port, ready_timeout=10.0)
    controller.start()
    try:
        messages = _messages(N)

        def reused() -> None:
            with SmtpNotifier("127.0.0.1", port, sender="care@acme.example") as notifier:
                for message in messages:
                    assert notifier.send(message).ok

        def fresh() -> None:
            notifier = SmtpNotifier(
                "127.0.0.1", port, sender="care@acme.example", reuse_connection=False
            )
            for message in messages[: N // 50]:
                assert notifier.send(message).ok

        builder = SmtpNotifier("127.0.0.1", port, sender="care@acme.example")
        prebuilt: list[EmailMessage] = [builder.build(m) for m in messages]

        def raw() -> None:
            with smtplib.SMTP("127.0.0.1", port) as smtp:
                for email in prebuilt:
                    smtp.send_message(email)

        def dispatched() -> int:
            with tempfile.TemporaryDirectory() as folder:
                store = SqliteStore(Path(folder) / "outbox.sqlite3")
                store.write(recipients(messages))
                enqueue(store, messages)
                now = datetime(2027, 2, 7, tzinfo=UTC)
                with SmtpNotifier("127.0.0.1", port, sender="care@acme.example") as notifier:
                    dispatcher = Dispatcher(store, notifier, clock=lambda: now, batch=200)
                    started = time.perf_counter()
                    report = dispatcher.dispatch_due()
                    elapsed = time.perf_counter() - started
                store.close()
            assert len(report.sent) == N, report
            timings.append(elapsed)
            return len(report.sent)

        timings: list[float] = []
        t_raw, _ = best_of(raw, repeat=2)
        for _ in range(2):
            dispatched()
        t_dispatch = min(timings)
        t_reused, _ = best_of(reused, repeat=2)
        t_fresh, _ = best_of(fresh, repeat=2)
    finally:
        controller.stop()
    rate_raw = N / t_raw
    rows = [
        ["raw smtplib, prebuilt emails, one connection (reference)", N, rate_raw, 1.0],
        [
            "Dispatcher: SQLite outbox -> SmtpNotifier (claim, send, settle)",
            N,
            N / t_dispatch,
            (N / t_dispatch) / rate_raw,
        ],
        ["SmtpNotifier, one reused connection", N, N / t_reused, (N / t_reused) / rate_raw],
        [
            "SmtpNotifier, a new connection per message",
            N // 50,
            (N // 50) / t_fresh,
            ((N // 50) / t_fresh) / rate_raw,
        ],
    ]
    print(table("Dispatching email", ["case", "messages", "messages/s", "vs reference"], rows))


if __name__ == "__main__":
    main()
