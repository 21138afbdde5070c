"""Real local receivers for notification tests: an HTTP server and an SMTP server, each in a
thread, recording what arrives and answering as a test tells them to."""

from __future__ import annotations

import json
import socket
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

WAIT_S = 10.0
"""Longest a test waits for something to arrive; a failure, never a measurement."""


@dataclass(frozen=True)
class Received:
    """One request as it arrived."""

    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.body)


@dataclass
class HttpReceiver:
    """What the HTTP receiver got, and how it answers.

    ``fail_next`` requests get HTTP 500; ``hang`` makes each request wait (until the test ends)
    before answering, past any client timeout; otherwise it answers ``status`` with ``reply``.
    """

    url: str = ""
    requests: list[Received] = field(default_factory=list)
    fail_next: int = 0
    status: int = 200
    reply: bytes = b'{"errcode":0,"errmsg":"ok"}'
    hang: bool = False
    release: threading.Event = field(default_factory=threading.Event)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def answer(self, received: Received) -> tuple[int, bytes]:
        """Record ``received`` and decide the answer."""
        with self.arrived:
            self.requests.append(received)
            self.arrived.notify_all()
            if self.fail_next > 0:
                self.fail_next -= 1
                return 500, b"receiver down for a moment"
        if self.hang:
            self.release.wait(WAIT_S)
        return self.status, self.reply

    def wait_for(self, count: int) -> list[Received]:
        """The requests once at least ``count`` have arrived (fails after ``WAIT_S``)."""
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.requests) >= count, WAIT_S):
                msg = f"expected {count} requests, got {len(self.requests)}"
                raise AssertionError(msg)
            return list(self.requests)


class _Handler(BaseHTTPRequestHandler):
    receiver: HttpReceiver

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        parts = urllib.parse.urlsplit(self.path)
        received = Received(
            path=parts.path,
            query=dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True)),
            headers=dict(self.headers.items()),
            body=body,
        )
        status, reply = self.receiver.answer(received)
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)

    def log_message(self, format: str, *args: Any) -> None:
        return


@contextmanager
def http_receiver() -> Iterator[HttpReceiver]:
    """An HTTP server on 127.0.0.1 (a free port) in a thread, until the block ends."""
    receiver = HttpReceiver()
    handler = type("Handler", (_Handler,), {"receiver": receiver})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    host, port = cast(tuple[str, int], server.server_address)
    receiver.url = f"http://{host}:{port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.release.set()
        server.shutdown()
        server.server_close()
        thread.join()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class SmtpReceiver:
    """What the SMTP server got."""

    port: int
    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    async def handle_DATA(  # noqa: N802 - the name aiosmtpd looks for
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        """Record the message with its envelope recipients."""
        content = envelope.original_content or b""
        mail = message_from_bytes(content, policy=policy.default)
        with self.arrived:
            self.messages.append((list(envelope.rcpt_tos), mail))
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int) -> list[tuple[list[str], EmailMessage]]:
        """The messages once at least ``count`` have arrived (fails after ``WAIT_S``)."""
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.messages) >= count, WAIT_S):
                msg = f"expected {count} messages, got {len(self.messages)}"
                raise AssertionError(msg)
            return list(self.messages)


@contextmanager
def smtp_receiver() -> Iterator[SmtpReceiver]:
    """An aiosmtpd SMTP server on 127.0.0.1 in a thread, until the block ends."""
    receiver = SmtpReceiver(port=free_port())
    controller = Controller(receiver, hostname="127.0.0.1", port=receiver.port)
    controller.start()
    try:
        yield receiver
    finally:
        controller.stop()
