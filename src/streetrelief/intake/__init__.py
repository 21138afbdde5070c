"""Intake: reports as received from every channel, idempotency, and merging into incidents."""
