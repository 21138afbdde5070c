"""Fixtures of the weather tests: a real local feed server and the HTTP feed adapter."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from streetrelief.integrations.cap_http import HttpAlertFeed
from tests.factories.feeds import FeedServer

FETCH_TIMEOUT_S = 10.0
"""Generous: a loaded test machine must never turn a local answer into a timeout."""


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A local HTTP server serving what the test puts on it."""
    with FeedServer() as server:
        yield server


@pytest.fixture
def fetcher() -> Iterator[HttpAlertFeed]:
    """The real HTTP feed adapter, as the poller uses it."""
    with HttpAlertFeed(timeout_s=FETCH_TIMEOUT_S, max_bytes=1_000_000) as feed:
        yield feed
