"""One JSON POST with httpx, turning every way it can fail into a ``DeliveryFailedError``.

Shared by the signed webhook and the chat robots; each adapter then reads its receiver's reply.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from streetrelief.core.errors import DeliveryFailedError

REASON_MAX_CHARS = 300
"""Longest part of a receiver's reply kept in a failure reason, characters."""


def json_bytes(body: dict[str, Any]) -> bytes:
    """``body`` as compact UTF-8 JSON (Chinese kept as is, not ``\\u`` escapes)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def post(
    client: httpx.Client, url: str, content: bytes, headers: dict[str, str] | None = None
) -> httpx.Response:
    """POST ``content`` as ``application/json`` and return a 2xx response.

    Args:
        client: the httpx client (its timeout bounds the whole exchange).
        url: the receiver's http(s) URL.
        content: the exact body bytes (signatures are computed over them).
        headers: extra headers.

    Raises:
        DeliveryFailedError: timeout, connection error, or a status other than 2xx (the reason
            carries the status and the start of the reply).
    """
    sent = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
    try:
        response = client.post(url, content=content, headers=sent)
    except httpx.TimeoutException as exc:
        raise DeliveryFailedError(f"timed out: {type(exc).__name__}") from exc
    except httpx.HTTPError as exc:
        raise DeliveryFailedError(f"could not reach the receiver: {exc}") from exc
    if not response.is_success:
        raise DeliveryFailedError(
            f"HTTP {response.status_code}: {response.text[:REASON_MAX_CHARS]}",
            status_code=response.status_code,
        )
    return response


def reply_json(response: httpx.Response) -> dict[str, Any]:
    """The receiver's reply as a JSON object.

    Raises:
        DeliveryFailedError: the reply is not a JSON object.
    """
    try:
        data = response.json()
    except ValueError as exc:
        raise DeliveryFailedError(
            f"reply is not JSON: {response.text[:REASON_MAX_CHARS]}",
            status_code=response.status_code,
        ) from exc
    if not isinstance(data, dict):
        raise DeliveryFailedError("reply is not a JSON object", status_code=response.status_code)
    return data
