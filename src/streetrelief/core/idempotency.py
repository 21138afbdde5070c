"""Idempotent creates: recognising a repeated request body by its digest.

A client that retries (a partner after a timeout, a phone replaying its offline queue) sends
the same ``Idempotency-Key`` with the same body; the domain stores the key and this digest on
the record it creates and answers a repeat with that record.
"""

from __future__ import annotations

import hashlib
import json

from pydantic import BaseModel


def request_hash(data: BaseModel) -> str:
    """SHA-256 (hex, 64 characters) of the model's canonical JSON."""
    canonical = json.dumps(data.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
