"""Signed HTTP bodies: the one scheme streetrelief uses both ways.

Outbound webhooks are signed with it (``streetrelief.integrations.webhook``); partners sign
their requests to the API with it (``streetrelief.api.security``). A signature is ``v1=`` and
the lowercase hex HMAC-SHA256 (RFC 2104), keyed with the shared secret (UTF-8), of
``timestamp + "." + raw body``, sent in ``X-StreetRelief-Signature`` with the Unix timestamp in
``X-StreetRelief-Timestamp``; several comma-separated ``v1=`` values may appear while a secret
is being rotated. A timestamp more than five minutes from the receiver's clock is refused, which
stops a captured request from being replayed later.

Source: the scheme of Stripe's webhook signatures ("Verify webhook signatures manually",
docs.stripe.com/webhooks: ``signed_payload = timestamp + "." + payload``, HMAC-SHA256, hex, a
default tolerance of five minutes), with our own header names.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from streetrelief.core.errors import SignatureInvalidError

TIMESTAMP_HEADER = "X-StreetRelief-Timestamp"
SIGNATURE_HEADER = "X-StreetRelief-Signature"
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
