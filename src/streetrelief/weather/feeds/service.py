"""Use cases of CAP feeds: add, list and remove feeds; read a feed URL once; and the steps of a
poll (claim, collect the documents, store them, record how it went).

Owns the feeds and their polling state. Fetching bytes is the `weather.ports.AlertFeed`
adapter's; parsing is `weather.cap`'s; storing alerts and following their chains is
`weather.service`'s. A document that does not parse stores nothing, so it can never change a
response level. Transactions are left to the caller (`weather.feeds.jobs` commits between a
poll's steps so that no transaction stays open while the network is read).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urljoin

from sqlalchemy.orm import Session

from streetrelief.core.errors import (
    CapParseError,
    FeedExistsError,
    FeedFetchError,
    NotFoundError,
    StreetReliefError,
)
from streetrelief.regions.service import require_region
from streetrelief.weather.cap import (
    AtomEntry,
    CapAlert,
    is_atom_feed,
    parse_atom_entries,
    parse_cap_entries,
)
from streetrelief.weather.feeds import logic, repository
from streetrelief.weather.feeds.logic import FeedStatus
from streetrelief.weather.feeds.models import CapFeed
from streetrelief.weather.feeds.schemas import FeedCreate, FeedRead, StaleSource
from streetrelief.weather.geocode_tables import GeocodeTables
from streetrelief.weather.ports import AlertFeed, FeedResponse
from streetrelief.weather.schemas import AlertIngested, FileIngested, IngestReport
from streetrelief.weather.service import ingest_alerts, stored_entries

log = logging.getLogger(__name__)

HTML_MEDIA_TYPES = frozenset({"text/html", "application/xhtml+xml"})
"""Media types of web pages: an error or login page, never a CAP document (RFC 2854, 3236)."""


@dataclass(slots=True)
class Collected:
    """The documents a feed answer leads to, ready to store.

    ``documents`` are (source URL, body) pairs: the answer itself, or for an Atom index each
    linked alert not stored before. ``unread`` are linked alerts that could not be fetched.
    ``is_complete`` is False when some link was left for a later poll (the per-poll cap, or a
    fetch that failed), so the index must be read again in full next time.
    """

    is_index: bool
    documents: list[tuple[str, bytes]] = field(default_factory=list)
    unread: list[FileIngested] = field(default_factory=list)
    is_complete: bool = True


def add_feed(session: Session, data: FeedCreate, *, now: datetime) -> CapFeed:
    """Add a feed to poll; it is due at once.

    Raises:
        FeedExistsError: another feed has that name or URL.
        UnknownRegionError: ``region_code`` is not a region.
    """
    if data.region_code is not None:
        require_region(session, data.region_code)
    taken = repository.by_name_or_url(session, data.name, data.url)
    if taken is not None:
        raise FeedExistsError(
            f"feed {taken.name} already has that name or URL ({taken.url})", name=data.name
        )
    feed = CapFeed(**data.model_dump(), created_at=now, consecutive_failures=0, last_stored=0)
    feed.last_refusals = []
    session.add(feed)
    session.flush()
    return feed


def require_feed(session: Session, name: str) -> CapFeed:
    """The feed with that name.

    Raises:
        NotFoundError: no feed has that name.
    """
    feed = repository.by_name(session, name)
    if feed is None:
        raise NotFoundError(f"no feed named {name}", name=name)
    return feed


def remove_feed(session: Session, name: str) -> None:
    """Stop polling a feed and forget its state; the alerts it brought stay stored.

    Raises:
        NotFoundError: no feed has that name.
    """
    session.delete(require_feed(session, name))
    session.flush()


def list_feeds(session: Session, *, now: datetime) -> list[FeedRead]:
    """Every feed by name, with its status at ``now`` (aware UTC)."""
    return [to_read(f, now=now) for f in repository.listed(session)]


def to_read(feed: CapFeed, *, now: datetime) -> FeedRead:
    """The API shape of a feed with its status at ``now``."""
    status = _status(feed, now)
    since = logic.stale_since(feed.created_at, feed.last_success_at, _window(feed))
    return FeedRead.model_validate(
        {
            **{k: getattr(feed, k) for k in FeedRead.model_fields if hasattr(feed, k)},
            "status": status,
            "stale_since": since if status == FeedStatus.stale else None,
        }
    )


def stale_sources(
    session: Session, region_codes: Sequence[str] | None, *, at: datetime
) -> list[StaleSource]:
    """Enabled feeds stale at ``at`` that carry warnings for any of ``region_codes``.

    Args:
        region_codes: a region and its ancestors; a feed counts when it names one of them, or
            names no region (it may carry warnings for any). None: every stale feed.
        at: the instant (aware UTC).

    Returns:
        The stale feeds by name, with their last success and since when they are stale.
    """
    wanted = None if region_codes is None else set(region_codes)
    out = []
    for feed in repository.listed(session, is_enabled=True):
        if wanted is not None and feed.region_code is not None and feed.region_code not in wanted:
            continue
        if _status(feed, at) != FeedStatus.stale:
            continue
        out.append(
            StaleSource(
                name=feed.name,
                url=feed.url,
                last_success_at=feed.last_success_at,
                stale_since=logic.stale_since(feed.created_at, feed.last_success_at, _window(feed)),
            )
        )
    return out


def reload_feed(session: Session, feed_id: int) -> CapFeed | None:
    """The feed as stored now (another process may have changed or removed it), or None."""
    return repository.get(session, feed_id, is_fresh=True)


def due_feed_ids(session: Session, *, now: datetime) -> list[int]:
    """Ids of enabled feeds due a poll at ``now`` that no poller holds."""
    return repository.due_ids(session, now)


def claim_feed(session: Session, feed_id: int, *, now: datetime, hold: timedelta) -> CapFeed | None:
    """Take a due feed for one poll, so that a second poller (or process) leaves it alone.

    The claim is one conditional UPDATE, so of two pollers at once exactly one wins; it ends
    when the poll is recorded, or after ``hold`` if that poller died.

    Returns:
        The feed, or None when it is not due, disabled, gone or held by another poller.
    """
    if not repository.claim(session, feed_id, now=now, until=now + hold):
        return None
    feed = repository.get(session, feed_id)
    if feed is not None:
        session.refresh(feed)
    return feed


def collect_documents(
    response: FeedResponse,
    *,
    fetcher: AlertFeed,
    known: Callable[[Sequence[AtomEntry]], set[str]],
    max_entries: int,
) -> Collected:
    """Turn a 200 feed answer into the documents to store, fetching what an Atom index links.

    Args:
        response: the feed's 200 answer.
        fetcher: fetches each linked alert.
        known: gives the URLs of those index entries whose alert is stored already (by link,
            or by the entry's ``cap:identifier`` and ``cap:sent``); they are not fetched again.
        max_entries: most linked alerts fetched; the rest wait for a later poll.

    Returns:
        The answer itself for a CAP document, or the linked alerts for an Atom index, in feed
        order; links that could not be fetched are in ``unread`` with the reason.

    Raises:
        CapParseError: the answer is an HTML page, empty, malformed or unsafe XML, or an Atom
            document that is not a feed.

    Source:
        RFC 4287 (Atom, 2005), §4.2.7.1 (a relative ``href`` resolves against the document's
        URL); OASIS CAP 1.2 (2010) for the alerts.
    """
    if response.content_type in HTML_MEDIA_TYPES:
        raise CapParseError(
            f"got an HTML page (Content-Type {response.content_type}), not a CAP or Atom "
            "document (an error or login page from the feed?)",
            source=response.url,
        )
    if not is_atom_feed(response.body, source=response.url):
        return Collected(is_index=False, documents=[(response.url, response.body)])
    entries = [
        entry._replace(url=urljoin(response.url, entry.url))
        for entry in parse_atom_entries(response.body, source=response.url)
    ]
    stored = known(entries)
    wanted = [entry.url for entry in entries if entry.url not in stored]
    collected = Collected(is_index=True, is_complete=len(wanted) <= max_entries)
    for link in wanted[:max_entries]:
        try:
            entry = fetcher.fetch(link)
        except FeedFetchError as exc:
            log.warning("CAP feed entry %s not read: %s", link, exc.reason)
            collected.unread.append(FileIngested(source=link, refused=exc.reason))
            collected.is_complete = False
            continue
        collected.documents.append((link, entry.body))
    return collected


def store_documents(
    session: Session,
    documents: Sequence[tuple[str, bytes]],
    *,
    now: datetime,
    tables: GeocodeTables | None,
) -> list[FileIngested]:
    """Parse and store each document alone; one that is refused stores nothing and stops none
    of the others (nor do the other alerts of an ``<alerts>`` collection stop).

    Args:
        documents: (source URL, body) pairs.
        now: time of receipt (aware UTC).
        tables: geocode tables; the shipped ones when None.

    Returns:
        Per document, its alerts; and one refused entry (with the reason) per document or
        collection member that was refused.
    """
    files: list[FileIngested] = []
    for source, body in documents:
        try:
            entries = parse_cap_entries(body, source=source)
        except CapParseError as exc:
            files.append(_refused(source, exc))
            continue
        alerts = [e for e in entries if isinstance(e, CapAlert)]
        stored: list[AlertIngested] = []
        try:
            with session.begin_nested():
                stored = ingest_alerts(session, alerts, raw=body, now=now, tables=tables)
        except StreetReliefError as exc:
            files.append(_refused(source, exc))
            continue
        if stored or len(alerts) == len(entries):
            files.append(FileIngested(source=source, alerts=stored))
        files.extend(_refused(source, e) for e in entries if isinstance(e, CapParseError))
    return files


def record_poll(
    session: Session,
    feed: CapFeed,
    *,
    now: datetime,
    response: FeedResponse | None,
    error: str | None,
    files: Sequence[FileIngested] = (),
    is_complete: bool = True,
) -> None:
    """Record how a poll went, set the next poll and release the claim.

    A failure (``error``) counts towards ``consecutive_failures`` and brings the next poll
    forward to the retry interval; the validators are kept. A success resets the count, moves
    ``last_success_at`` and stores the answer's validators, unless the poll was incomplete
    (then none are kept, so the next poll reads the whole document again).

    Source:
        RFC 9111 (HTTP Caching, 2022), §4.3.1: a client revalidates with the validators of the
        response it stored; RFC 9110, §15.4.5: a 304 carries no body.
    """
    feed.last_attempt_at = now
    feed.claimed_until = None
    has_succeeded = error is None
    feed.next_poll_at = logic.next_poll_at(
        now,
        has_succeeded=has_succeeded,
        poll_interval=timedelta(seconds=feed.poll_interval_s),
        retry_interval=timedelta(seconds=feed.retry_interval_s),
    )
    if not has_succeeded:
        feed.consecutive_failures += 1
        feed.last_error = error
        log.warning(
            "CAP feed %s: read failed (%d in a row), retry after %d s: %s",
            feed.name,
            feed.consecutive_failures,
            feed.retry_interval_s,
            error,
        )
        return
    feed.consecutive_failures = 0
    feed.last_error = None
    feed.last_success_at = now
    if response is not None and not response.is_not_modified:
        feed.last_stored = sum(not a.is_duplicate for f in files for a in f.alerts)
        feed.last_refusals = [[f.source, f.refused] for f in files if f.refused is not None]
    if response is not None:
        keep = is_complete
        feed.etag = response.etag if keep else None
        feed.last_modified = response.last_modified if keep else None
    for source, reason in feed.last_refusals:
        log.info("CAP feed %s: entry %s refused: %s", feed.name, source, reason)
    session.flush()


def read_url(
    session: Session,
    url: str,
    *,
    fetcher: AlertFeed,
    now: datetime,
    tables: GeocodeTables | None = None,
    max_entries: int,
) -> IngestReport:
    """Read a CAP URL once, as a feed poll does, and store its alerts (no feed is kept).

    Args:
        url: an http:// or https:// URL of a CAP alert, an ``<alerts>`` collection or an Atom
            index (whose linked alerts not stored before, by link or by identifier and sent,
            are fetched, at most ``max_entries``).
        now: time of receipt (aware UTC).

    Returns:
        What was stored, known already or refused (with the reason), per document.

    Raises:
        FeedFetchError: the URL could not be read (see `weather.ports.AlertFeed.fetch`).
    """
    response = fetcher.fetch(url)
    try:
        collected = collect_documents(
            response,
            fetcher=fetcher,
            known=lambda entries: stored_entries(session, entries),
            max_entries=max_entries,
        )
    except CapParseError as exc:
        return IngestReport(files=[_refused(response.url, exc)])
    files = store_documents(session, collected.documents, now=now, tables=tables)
    return IngestReport(files=[*collected.unread, *files])


def _refused(source: str, exc: StreetReliefError) -> FileIngested:
    log.info("CAP document %s refused: %s", source, exc.detail)
    return FileIngested(source=source, refused=exc.detail.removeprefix(f"{source}: "))


def _window(feed: CapFeed) -> timedelta:
    return timedelta(seconds=feed.stale_after_s)


def _status(feed: CapFeed, now: datetime) -> FeedStatus:
    return logic.feed_status(
        is_enabled=feed.is_enabled,
        created_at=feed.created_at,
        last_success_at=feed.last_success_at,
        consecutive_failures=feed.consecutive_failures,
        stale_after=_window(feed),
        now=now,
    )
