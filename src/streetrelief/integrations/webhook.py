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

The signing scheme and :func:`verify_signature` live in ``streetrelief.core.signing``.
"""

from __future__ import annotations

from typing import Any

import httpx

from streetrelief.core.clock import Clock
from streetrelief.core.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from streetrelief.integrations.http_post import json_bytes, post
from streetrelief.notify.ports import Message

DELIVERY_HEADER = "X-StreetRelief-Delivery"
EVENT_HEADER = "X-StreetRelief-Event"


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
