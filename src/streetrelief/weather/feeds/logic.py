"""Pure rules of a polled feed: its status, when it is next due, whether it is stale.

A feed is *stale* when its last successful read (a 200 with a usable document, or a 304) is
older than its staleness window; one never read counts from when it was added. Until then, a
feed whose last read failed is *failing* and polled again after its retry interval.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum


class FeedStatus(StrEnum):
    """How current what a feed last told us is."""

    pending = "pending"  # added, never read yet, still inside its window
    fresh = "fresh"  # the last read succeeded, inside the window
    failing = "failing"  # the last read failed, the last success still inside the window
    stale = "stale"  # no success inside the window: what it said may be out of date
    disabled = "disabled"  # not polled, and not counted as a source


def feed_status(
    *,
    is_enabled: bool,
    created_at: datetime,
    last_success_at: datetime | None,
    consecutive_failures: int,
    stale_after: timedelta,
    now: datetime,
) -> FeedStatus:
    """The status of a feed at ``now`` (aware UTC datetimes).

    Args:
        stale_after: the feed's staleness window.
        consecutive_failures: failed reads since the last success.

    Returns:
        ``disabled``, else ``stale`` once ``now`` is past the window after the last success
        (after ``created_at`` when never read), else ``failing``, ``pending`` or ``fresh``.
    """
    if not is_enabled:
        return FeedStatus.disabled
    if now >= stale_since(created_at, last_success_at, stale_after):
        return FeedStatus.stale
    if consecutive_failures > 0:
        return FeedStatus.failing
    return FeedStatus.pending if last_success_at is None else FeedStatus.fresh


def stale_since(
    created_at: datetime, last_success_at: datetime | None, stale_after: timedelta
) -> datetime:
    """When a feed becomes (or became) stale unless it is read successfully before then."""
    return (last_success_at or created_at) + stale_after


def next_poll_at(
    now: datetime, *, has_succeeded: bool, poll_interval: timedelta, retry_interval: timedelta
) -> datetime:
    """When to read a feed again: after its poll interval, or its retry interval after a
    failure.

    Source: the poller pattern of a normal interval, a shorter retry interval and a validity
    window (STYLE.md, "Jobs, feeds, integrations"; Home Assistant's NWS integration).
    """
    return now + (poll_interval if has_succeeded else retry_interval)
