"""The generic signed webhook: a JSON POST whose body the receiver can prove came from us.

Each request carries these headers:

- ``X-StreetRelief-Timestamp``: when it was signed, Unix time in whole seconds.
- ``X-StreetRelief-Signature``: ``v1=`` and the lowercase hex HMAC-SHA256, keyed with the
  channel's secret (UTF-8), of ``timestamp + "." + raw body`` (the body bytes exactly as sent).
  Several comma-separated ``v1=`` values may appear while a secret is being rotated.
- ``X-StreetRelief-Delivery``: the delivery's stable key; the same key comes again when a
  delivery is retried, so a receiver drops repeats with it (delivery is at-least-once).
- ``X-StreetRelief-Event``: the event type, e.g. ``response.level_changed``.

A receiver verifies with :func:`verify_signature`: recompute the HMAC over the raw body it
received (before parsing the JSON), compare in constant time, and refuse a timestamp more than
five minutes from its own clock, which stops a captured request from being replayed later.

Source: the scheme of Stripe's webhook signatures ("Verify webhook signatures manually",
docs.stripe.com/webhooks: ``signed_payload = timestamp + "." + payload``, HMAC-SHA256, hex, a
default tolerance of five minutes), with our own header names.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import Any

import httpx

from streetrelief.core.clock import Clock
from streetrelief.core.errors import SignatureInvalidError
from streetrelief.integrations.http_post import json_bytes, post
from streetrelief.notify.ports import Message

TIMESTAMP_HEADER = "X-StreetRelief-Timestamp"
SIGNATURE_HEADER = "X-StreetRelief-Signature"
DELIVERY_HEADER = "X-StreetRelief-Delivery"
EVENT_HEADER = "X-StreetRelief-Event"
SIGNATURE_VERSION = "v1"

DEFAULT_TOLERANCE_S = 300
"""How far a signed timestamp may be from the receiver's clock, seconds (Stripe's default)."""


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-StreetRelief-Signature`` value for ``body`` signed at ``timestamp``.

    Args:
        secret: the channel's shared secret.
        timestamp: Unix time, whole seconds.
        body: the raw request body.

    Returns:
        ``v1=<64 lowercase hex digits>``.
    """
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"{SIGNATURE_VERSION}={mac.hexdigest()}"


def verify_signature(
    secret: str,
    body: bytes,
    *,
    timestamp: str | None,
    signature: str | None,
    now: datetime,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
) -> None:
    """Check a received webhook: the signature matches the raw body and is fresh.

    Args:
        secret: the shared secret the channel was given.
        body: the raw request body, as received.
        timestamp: the ``X-StreetRelief-Timestamp`` header (Unix seconds).
        signature: the ``X-StreetRelief-Signature`` header (``v1=<hex>[,v1=<hex>...]``).
        now: the receiver's aware current time.
        tolerance_s: largest accepted distance between ``timestamp`` and ``now``, seconds.

    Raises:
        SignatureInvalidError: a header is missing or malformed, the timestamp is further than
            ``tolerance_s`` from ``now``, or no signature matches.
    """
    if not timestamp or not signature:
        raise SignatureInvalidError("the timestamp or signature header is missing")
    text = timestamp.strip()
    if not text.isdigit():
        raise SignatureInvalidError("the timestamp is not Unix seconds")
    if abs(now.timestamp() - int(text)) > tolerance_s:
        raise SignatureInvalidError(f"the timestamp is more than {tolerance_s} s from now")
    expected = sign(secret, int(text), body)
    offered = [part.strip() for part in signature.split(",")]
    if not any(hmac.compare_digest(expected, part) for part in offered):
        raise SignatureInvalidError("the signature does not match the body")


def webhook_body(message: Message) -> dict[str, Any]:
    """The JSON a webhook receives: ``{"key", "title", "text", "event"}``.

    ``event`` is ``{"id", "type", "region_code", "occurred_at", "payload"}`` (payload masked of
    personal data) or null for a test message.
    """
    return {
        "key": message.key,
        "title": message.title,
        "text": message.text,
        "event": message.event,
    }


class SignedWebhook:
    """POSTs each message as JSON, signed with the channel's secret; any 2xx accepts it."""

    def __init__(self, url: str, secret: str, *, client: httpx.Client, clock: Clock) -> None:
        self.url = url
        self.secret = secret
        self.client = client
        self.clock = clock

    def deliver(self, message: Message) -> int:
        """POST the message.

        Returns:
            The receiver's 2xx status.

        Raises:
            DeliveryFailedError: no 2xx reply in time (see ``http_post.post``).
        """
        body = json_bytes(webhook_body(message))
        timestamp = int(self.clock.now().timestamp())
        headers = {
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: sign(self.secret, timestamp, body),
            DELIVERY_HEADER: message.key,
        }
        if message.event is not None:
            headers[EVENT_HEADER] = str(message.event["type"])
        return post(self.client, self.url, body, headers).status_code
