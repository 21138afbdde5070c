"""Limits on what a client may send: oversize bodies (413, before any handler reads them) and
too many reports from one client (429).

A body that declares its ``Content-Length`` is judged by it; a chunked body is read here up
to the limit and then handed on unchanged.
"""

from __future__ import annotations

import hashlib
import math
import time

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from streetrelief.api.errors import problem
from streetrelief.core.errors import RateLimitedError


class BodySizeLimit:
    """ASGI middleware: 413 for a request body over ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None:
            if length.isdigit() and int(length) > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        if b"chunked" not in dict(scope["headers"]).get(b"transfer-encoding", b""):
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            if message["type"] != "http.request" or not message.get("more_body", False):
                break

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(
            413,
            "Payload too large",
            f"request body over {self.max_bytes} bytes",
            "payload_too_large",
        )
        await response(scope, receive, send)


class IntakeThrottle:
    """Per-client rate limits on report intake, with the ``limits`` library (moving window,
    in-memory: each API worker counts its own clients).

    The client is its credential (a digest of the bearer token or partner key) or else its
    address. One client over its limit is refused; the others are not slowed, since each has
    its own window.
    """

    def __init__(self, public_limit: str, client_limit: str) -> None:
        self._public = parse(public_limit)
        self._client = parse(client_limit)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def hit(self, request: Request) -> None:
        """Count one report from the caller of ``request``.

        Raises:
            RateLimitedError: (429) the caller is over its limit.
        """
        authorization = request.headers.get("authorization")
        if authorization:
            limit = self._client
            key = hashlib.sha256(authorization.encode()).hexdigest()
        else:
            limit = self._public
            key = request.client.host if request.client else "unknown"
        if not self._limiter.hit(limit, key):
            reset = self._limiter.get_window_stats(limit, key).reset_time
            raise RateLimitedError(
                f"too many reports from this client: at most {limit}",
                retry_after_s=max(1, math.ceil(reset - time.time())),
            )


async def throttle_intake(request: Request) -> None:
    """Dependency of every report-creating route: apply the app's :class:`IntakeThrottle`."""
    request.app.state.intake_throttle.hit(request)
