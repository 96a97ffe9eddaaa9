"""Real servers on loopback for the notifier tests: aiosmtpd, http.server, and a raw
socket server that answers as slowly or as endlessly as a hostile receiver would.

All bind 127.0.0.1 on a free port, record what they receive, and stop when the
context exits.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class SmtpRecorder:
    """An aiosmtpd handler that keeps every message; recipients starting with
    ``refuse`` get 550 and ``busy`` get 451."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.startswith("refuse"):
            return "550 5.1.1 no such user"
        if address.startswith("busy"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        parsed = message_from_bytes(envelope.content, policy=email_policy.default)
        assert isinstance(parsed, EmailMessage)
        self.raw.append(bytes(envelope.original_content or envelope.content))
        self.messages.append(parsed)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted"

    def keys(self) -> list[str]:
        """The message keys, from ``X-Accountcare-Key`` (percent-encoded UTF-8)."""
        return [urllib.parse.unquote(str(m["X-Accountcare-Key"])) for m in self.messages]


@contextmanager
def smtp_server() -> Iterator[tuple[int, SmtpRecorder]]:
    recorder = SmtpRecorder()
    port = free_port()
    controller = Controller(
        recorder, hostname="127.0.0.1", port=port, ready_timeout=10.0, enable_SMTPUTF8=True
    )
    controller.start()
    try:
        yield port, recorder
    finally:
        controller.stop()


class HttpRecorder:
    """What the HTTP server received, and how it answers: ``statuses`` is consumed one
    per request (200 once empty); ``delay`` seconds are slept before answering."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        self.delay = 0.0
        self.lock = threading.Lock()

    def keys(self) -> list[str]:
        return [headers.get("Idempotency-Key", "") for headers, _ in self.requests]


@contextmanager
def http_server(tls: ssl.SSLContext | None = None) -> Iterator[tuple[str, HttpRecorder]]:
    """A threaded HTTP server on loopback that records each POST (over TLS with ``tls``,
    a server context). Yields the URL and the recorder."""
    recorder = HttpRecorder()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            with recorder.lock:
                recorder.requests.append((dict(self.headers.items()), body))
                status = recorder.statuses.pop(0) if recorder.statuses else 200
                delay = recorder.delay
            if delay:
                time.sleep(delay)
            try:
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.send_header("X-Request-Id", f"req-{len(recorder.requests)}")
                self.end_headers()
                self.wfile.write(b"{}")
            except OSError:  # the client gave up (timeout test)
                pass

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    scheme = "https" if tls is not None else "http"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}/hook", recorder
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


Responder = Callable[[socket.socket, threading.Event], None]


@contextmanager
def raw_http_server(respond: Responder) -> Iterator[tuple[str, list[bytes]]]:
    """A socket server that reads each request (headers and ``Content-Length`` body) and
    then lets ``respond(connection, stopped)`` write whatever it likes, as slowly as it
    likes; ``stopped`` is set when the context exits. Yields the URL and the requests."""
    requests: list[bytes] = []

    def read_then_respond(connection: socket.socket, stopped: threading.Event) -> None:
        connection.settimeout(10)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = connection.recv(65536)
            if not chunk:
                return
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(body) < length:
            chunk = connection.recv(65536)
            if not chunk:
                return
            body += chunk
        requests.append(head + b"\r\n\r\n" + body)
        respond(connection, stopped)

    with raw_tcp_server(read_then_respond) as port:
        yield f"http://127.0.0.1:{port}/hook", requests


@contextmanager
def raw_tcp_server(respond: Responder) -> Iterator[int]:
    """A socket server that hands each connection straight to ``respond`` (for a TLS
    peer that never finishes its handshake); an error on the connection (the client gave
    up: what a deadline is for) ends it. Yields the port."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stopped = threading.Event()

    def serve(connection: socket.socket) -> None:
        with connection:
            try:
                respond(connection, stopped)
            except OSError:
                return

    def accept() -> None:
        while not stopped.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=serve, args=(connection,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stopped.set()
        thread.join(5)
        listener.close()
