"""CAP feeds over HTTP and HTTPS with httpx: conditional GETs, a timeout and a size cap.

Implements `streetrelief.weather.ports.AlertFeed`. What the body means (CAP, an ``<alerts>``
collection, an Atom index) is left to `weather.feeds`; this module only fetches bytes safely.
"""

from __future__ import annotations

import time
from types import TracebackType

import httpx

from streetrelief import __version__
from streetrelief.core.errors import FeedFetchError
from streetrelief.weather.ports import NOT_MODIFIED, FeedResponse

OK = 200
ACCEPT = "application/cap+xml, application/atom+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.7"
"""Media types asked for: CAP (OASIS CAP 1.2, Appendix A), Atom (RFC 4287, §7), plain XML."""
USER_AGENT = f"streetrelief/{__version__} (CAP feed poller)"
MAX_REDIRECTS = 5
_CHUNK_BYTES = 65_536
_SCHEMES = frozenset({"http", "https"})


class HttpAlertFeed:
    """Fetch CAP feeds with one pooled httpx client; close it (or use ``with``) when done.

    Args:
        timeout_s: seconds allowed to connect, for each read, and for the whole body.
        max_bytes: largest body read, bytes after content decoding (a gzip bomb stops here).
    """

    def __init__(self, *, timeout_s: float, max_bytes: int) -> None:
        self._timeout_s = timeout_s
        self._max_bytes = max_bytes
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout_s),
            follow_redirects=True,
            max_redirects=MAX_REDIRECTS,
            headers={"Accept": ACCEPT, "User-Agent": USER_AGENT},
        )

    def __enter__(self) -> HttpAlertFeed:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the pooled connections."""
        self._client.close()

    def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FeedResponse:
        """GET ``url``, sending ``If-None-Match`` / ``If-Modified-Since`` when given.

        Args:
            url: an ``http://`` or ``https://`` URL; redirects are followed (at most 5).
            etag: the ``ETag`` of the last 200 answer, sent back as received.
            last_modified: its ``Last-Modified``, sent back as received.

        Returns:
            The 200 answer with its body, or the 304 answer (empty body, the validators it
            carries, else the ones sent).

        Raises:
            FeedFetchError: not an HTTP(S) URL; no answer or body within ``timeout_s``; a
                body over ``max_bytes``; a network or protocol error; any status but 200/304.

        Source:
            RFC 9110 (HTTP Semantics, 2022), §13.1.2 If-None-Match, §13.1.3 If-Modified-Since,
            §15.4.5 304 Not Modified; a client sends the validators back unchanged.
        """
        try:
            scheme = httpx.URL(url).scheme
        except httpx.InvalidURL as exc:
            raise FeedFetchError(f"not a URL: {exc}", url=url) from exc
        if scheme not in _SCHEMES:
            raise FeedFetchError("only http:// and https:// feeds can be read", url=url)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            return self._get(url, headers)
        except httpx.TimeoutException as exc:
            raise FeedFetchError(
                f"no answer within {self._timeout_s:g} s (timeout)", url=url
            ) from exc
        except httpx.HTTPError as exc:
            raise FeedFetchError(f"{type(exc).__name__}: {exc}", url=url) from exc

    def _get(self, url: str, headers: dict[str, str]) -> FeedResponse:
        deadline = time.monotonic() + self._timeout_s
        with self._client.stream("GET", url, headers=headers) as response:
            etag = response.headers.get("ETag")
            last_modified = response.headers.get("Last-Modified")
            content_type = response.headers.get("Content-Type")
            media_type = content_type.split(";")[0].strip().lower() if content_type else None
            final = str(response.url)
            if response.status_code == NOT_MODIFIED:
                return FeedResponse(
                    url=final,
                    status=NOT_MODIFIED,
                    body=b"",
                    content_type=media_type,
                    etag=etag or headers.get("If-None-Match"),
                    last_modified=last_modified or headers.get("If-Modified-Since"),
                )
            if response.status_code != OK:
                raise FeedFetchError(
                    f"HTTP {response.status_code} {response.reason_phrase}".strip(), url=url
                )
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > self._max_bytes:
                raise FeedFetchError(self._too_large(), url=url)
            body = bytearray()
            for chunk in response.iter_bytes(_CHUNK_BYTES):
                body += chunk
                if len(body) > self._max_bytes:
                    raise FeedFetchError(self._too_large(), url=url)
                if time.monotonic() > deadline:
                    raise FeedFetchError(
                        f"body not read within {self._timeout_s:g} s (timeout)", url=url
                    )
        return FeedResponse(
            url=final,
            status=OK,
            body=bytes(body),
            content_type=media_type,
            etag=etag,
            last_modified=last_modified,
        )

    def _too_large(self) -> str:
        return f"response larger than {self._max_bytes} bytes (STREETRELIEF_FEED_MAX_BYTES)"
