"""When a feed is pending, fresh, failing, stale or disabled, and when it is due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from streetrelief.weather.feeds.logic import FeedStatus, feed_status, next_poll_at

ADDED = datetime(2026, 1, 20, 12, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=30)
MINUTE = timedelta(minutes=1)


@pytest.mark.parametrize(
    ("is_enabled", "last_success", "failures", "now", "status"),
    [
        (True, None, 0, ADDED + 29 * MINUTE, FeedStatus.pending),
        (True, None, 2, ADDED + 29 * MINUTE, FeedStatus.failing),
        (True, None, 0, ADDED + 30 * MINUTE, FeedStatus.stale),
        (True, ADDED + 10 * MINUTE, 0, ADDED + 39 * MINUTE, FeedStatus.fresh),
        (True, ADDED + 10 * MINUTE, 3, ADDED + 39 * MINUTE, FeedStatus.failing),
        (True, ADDED + 10 * MINUTE, 3, ADDED + 40 * MINUTE, FeedStatus.stale),
        (True, ADDED + 10 * MINUTE, 0, ADDED + 40 * MINUTE, FeedStatus.stale),
        (False, None, 5, ADDED + 90 * MINUTE, FeedStatus.disabled),
    ],
)
def test_status_follows_last_success_and_window(
    is_enabled: bool,
    last_success: datetime | None,
    failures: int,
    now: datetime,
    status: FeedStatus,
) -> None:
    assert (
        feed_status(
            is_enabled=is_enabled,
            created_at=ADDED,
            last_success_at=last_success,
            consecutive_failures=failures,
            stale_after=WINDOW,
            now=now,
        )
        == status
    )


@pytest.mark.parametrize(("has_succeeded", "wait"), [(True, 300), (False, 60)])
def test_next_poll_after_interval_or_retry(has_succeeded: bool, wait: int) -> None:
    at = next_poll_at(
        ADDED,
        has_succeeded=has_succeeded,
        poll_interval=timedelta(seconds=300),
        retry_interval=timedelta(seconds=60),
    )
    assert at == ADDED + timedelta(seconds=wait)
