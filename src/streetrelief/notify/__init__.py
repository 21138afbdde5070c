"""Outbound notifications: channels, subscriptions by event type and region, delivery from the
outbox with retries."""
