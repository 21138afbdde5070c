"""What the weather domain needs from outside systems: a CAP feed that answers a GET.

Adapters live in `streetrelief.integrations` (`integrations.cap_http.HttpAlertFeed` over HTTP and
HTTPS); the services and jobs of `weather.feeds` only see this protocol.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

NOT_MODIFIED = 304
"""HTTP 304 Not Modified (RFC 9110, §15.4.5): the stored copy is still current."""


@dataclass(frozen=True, slots=True)
class FeedResponse:
    """One answer of a feed: the body (empty for 304) and the validators to send next time.

    ``status`` is 200 or 304; ``etag`` and ``last_modified`` are the ``ETag`` and
    ``Last-Modified`` header values exactly as received (RFC 9110, §8.8.2 and §8.8.3), None
    when absent; ``content_type`` is the media type without parameters, lowercase.
    """

    url: str
    status: int
    body: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None

    @property
    def is_not_modified(self) -> bool:
        """Whether the feed answered 304 Not Modified."""
        return self.status == NOT_MODIFIED


class AlertFeed(Protocol):
    """A source of CAP documents addressed by URL."""

    def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FeedResponse:
        """GET ``url``, conditionally when validators are given.

        Args:
            url: an ``http://`` or ``https://`` URL.
            etag: sent as ``If-None-Match`` (RFC 9110, §13.1.2).
            last_modified: sent as ``If-Modified-Since`` (RFC 9110, §13.1.3).

        Returns:
            The 200 answer with its body, or a 304 answer without one.

        Raises:
            FeedFetchError: not an HTTP(S) URL, no answer within the timeout, a body over the
                size cap, a network error, or any other HTTP status.
        """
        ...
