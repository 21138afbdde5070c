"""A real HTTP server in a thread that serves CAP documents as a feed does, and feed builders.

The server answers ``GET`` with what a test put at a path: a body with an ``ETag`` and a
``Last-Modified``, 304 Not Modified to a matching conditional request (``If-None-Match`` wins
over ``If-Modified-Since``, RFC 9110 §13.2.2), any status, or no answer at all until the test
ends (a hang past the client's timeout). It records every request with its headers.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from streetrelief.weather.ports import NOT_MODIFIED

CAP_TYPE = "application/cap+xml"
ATOM_TYPE = "application/atom+xml"
LAST_MODIFIED = "Mon, 22 Apr 2024 06:12:12 GMT"


@dataclass(frozen=True, slots=True)
class Route:
    """What the server answers at one path."""

    body: bytes = b""
    status: int = 200
    content_type: str = CAP_TYPE
    etag: str | None = None
    last_modified: str | None = None
    is_hanging: bool = False


@dataclass(frozen=True, slots=True)
class Seen:
    """One request the server received."""

    path: str
    headers: dict[str, str] = field(default_factory=dict)


class FeedServer:
    """``http.server`` on 127.0.0.1 and a free port, serving in a daemon thread."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Seen] = []
        self._release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(Seen(self.path, dict(self.headers.items())))
                route = server.routes.get(self.path, Route(b"not found", 404, "text/plain"))
                if route.is_hanging:
                    server._release.wait(60)
                    return
                if _is_not_modified(
                    route, self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")
                ):
                    self.send_response(NOT_MODIFIED)
                    self._validators(route)
                    self.end_headers()
                    return
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body)))
                self._validators(route)
                self.end_headers()
                self.wfile.write(route.body)

            def _validators(self, route: Route) -> None:
                if route.etag:
                    self.send_header("ETag", route.etag)
                if route.last_modified:
                    self.send_header("Last-Modified", route.last_modified)

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: the test reads ``requests`` instead."""

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    @property
    def base(self) -> str:
        """``http://127.0.0.1:<port>``."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def serve(
        self,
        path: str,
        body: bytes,
        *,
        content_type: str = CAP_TYPE,
        status: int = 200,
        has_etag: bool = True,
        last_modified: str | None = LAST_MODIFIED,
    ) -> str:
        """Answer ``path`` with ``body`` (an ETag from its hash unless ``has_etag`` is False);
        return its URL."""
        etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"' if has_etag else None
        self.routes[path] = Route(body, status, content_type, etag, last_modified)
        return self.base + path

    def hang(self, path: str) -> str:
        """Never answer ``path`` (until the server closes); return its URL."""
        self.routes[path] = Route(is_hanging=True)
        return self.base + path

    def hits(self, path: str) -> list[Seen]:
        """The requests made for ``path``, oldest first."""
        return [r for r in self.requests if r.path == path]

    def close(self) -> None:
        """Release hanging requests, stop serving and close the socket."""
        self._release.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def __enter__(self) -> FeedServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _is_not_modified(
    route: Route, if_none_match: str | None, if_modified_since: str | None
) -> bool:
    if route.status != 200:
        return False
    if if_none_match is not None:
        return route.etag is not None and if_none_match == route.etag
    return if_modified_since is not None and if_modified_since == route.last_modified


def atom_index(
    base: str, hrefs: list[str], *, keys: dict[str, tuple[str, str]] | None = None
) -> bytes:
    """An Atom feed (RFC 4287) with one entry per href, each linking a CAP alert as MeteoAlarm
    does (``type="application/cap+xml"``); hrefs may be relative to the feed's URL. ``keys``
    gives some hrefs a ``cap:identifier`` and ``cap:sent``, as MeteoAlarm's entries carry."""
    keys = keys or {}

    def cap_key(href: str) -> str:
        if href not in keys:
            return ""
        identifier, sent = keys[href]
        return f"<cap:identifier>{identifier}</cap:identifier><cap:sent>{sent}</cap:sent>"

    entries = "".join(
        f"""<entry><id>{base}/entry/{i}</id><title>warning {i}</title>
<updated>2024-04-22T06:12:12Z</updated>{cap_key(href)}
<link rel="alternate" type="text/html" href="{base}/page/{i}"/>
<link type="{CAP_TYPE}" href="{href}"/></entry>"""
        for i, href in enumerate(hrefs)
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:cap="urn:oasis:names:tc:emergency:cap:1.2">
<id>{base}/index</id><title>test feed</title>
<updated>2024-04-22T06:12:12Z</updated>{entries}</feed>""".encode()


XML_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&lol3;</identifier></alert>
"""
"""The "billion laughs" entity expansion, cut to three levels."""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE alert [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&xxe;</identifier></alert>
"""
"""An external entity that would read a local file into the message."""

HTML_PAGE = b"""<!DOCTYPE html>
<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>
"""
