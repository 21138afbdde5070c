"""The feed poll job: read each due CAP feed once, store what it brings, record how it went.

Jobs take a session, ids and a clock, and may run twice, or in two processes at once: a feed
is claimed with one conditional UPDATE before it is read (see `service.claim_feed`), alerts are
stored once by (sender, identifier, sent), and a feed polled already is not due again until its
interval has passed. Unlike a request, a poll commits between its steps (claim; store and
record), so that no transaction, and on SQLite no write lock, is held while the network is
read; its scheduler (`streetrelief.jobs`) gives it a session of its own.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from streetrelief.core.clock import Clock
from streetrelief.core.errors import CapParseError, FeedFetchError
from streetrelief.weather.cap import AtomEntry
from streetrelief.weather.feeds import service
from streetrelief.weather.feeds.schemas import FeedPolled
from streetrelief.weather.geocode_tables import GeocodeTables
from streetrelief.weather.ports import AlertFeed
from streetrelief.weather.service import stored_entries

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PollSettings:
    """How a poll runs: the claim's length and the most alerts an Atom index poll fetches."""

    claim_for: timedelta
    max_entries: int


def poll_feed(
    session: Session,
    feed_id: int,
    *,
    clock: Clock,
    fetcher: AlertFeed,
    settings: PollSettings,
    tables: GeocodeTables | None = None,
) -> FeedPolled:
    """Poll one feed if it is due and free: a conditional GET, then store and record.

    Args:
        feed_id: the feed.
        clock: read for the claim, the time of receipt and the next poll.
        fetcher: the feed adapter (`integrations.cap_http.HttpAlertFeed` live).
        settings: claim length and per-poll cap of linked alerts.
        tables: geocode tables; the shipped ones when None.

    Returns:
        The outcome; ``is_claimed`` False when the feed was not due or another poller had it.
        A feed that failed (network, HTTP error, HTML, a document refused whole) is recorded as
        failing with the reason; nothing of such an answer is stored.
    """
    feed = service.claim_feed(session, feed_id, now=clock.now(), hold=settings.claim_for)
    if feed is None:
        session.commit()  # nothing was written; ends the transaction
        return FeedPolled(feed=str(feed_id), is_claimed=False)
    name, url, etag, last_modified = feed.name, feed.url, feed.etag, feed.last_modified
    session.commit()
    outcome = FeedPolled(feed=name, is_claimed=True)

    def known(entries: Sequence[AtomEntry]) -> set[str]:
        found = stored_entries(session, entries)
        session.commit()  # no transaction stays open while linked alerts are fetched
        return found

    try:
        response = fetcher.fetch(url, etag=etag, last_modified=last_modified)
        collected = None
        if not response.is_not_modified:
            collected = service.collect_documents(
                response, fetcher=fetcher, known=known, max_entries=settings.max_entries
            )
    except (FeedFetchError, CapParseError) as exc:
        outcome.error = exc.reason if isinstance(exc, FeedFetchError) else _reason(exc, url)
        feed = service.reload_feed(session, feed_id)
        if feed is not None:
            service.record_poll(session, feed, now=clock.now(), response=None, error=outcome.error)
        session.commit()
        return outcome
    files = []
    if collected is not None:
        files = [
            *collected.unread,
            *service.store_documents(session, collected.documents, now=clock.now(), tables=tables),
        ]
    feed = service.reload_feed(session, feed_id)
    if feed is None:  # removed while it was read: what it brought stays stored
        session.commit()
        outcome.files = files
        return outcome
    whole_refused = (
        collected is not None
        and not collected.is_index
        and any(f.refused for f in files)
        and not any(f.alerts for f in files)
    )
    if whole_refused:
        outcome.error = next(f.refused for f in files if f.refused)
        service.record_poll(session, feed, now=clock.now(), response=None, error=outcome.error)
    else:
        service.record_poll(
            session,
            feed,
            now=clock.now(),
            response=response,
            error=None,
            files=files,
            is_complete=collected is None or collected.is_complete,
        )
        outcome.is_success = True
        outcome.is_not_modified = response.is_not_modified
    session.commit()
    outcome.files = files
    return outcome


def poll_due_feeds(
    session: Session,
    *,
    clock: Clock,
    fetcher: AlertFeed,
    settings: PollSettings,
    tables: GeocodeTables | None = None,
) -> list[FeedPolled]:
    """Poll every enabled feed whose time has come, one after another (see `poll_feed`).

    Returns:
        The outcome of each feed this poller claimed.
    """
    ids = service.due_feed_ids(session, now=clock.now())
    session.commit()  # nothing was written; ends the transaction
    outcomes = []
    for feed_id in ids:
        outcome = poll_feed(
            session, feed_id, clock=clock, fetcher=fetcher, settings=settings, tables=tables
        )
        if outcome.is_claimed:
            outcomes.append(outcome)
    return outcomes


def _reason(exc: CapParseError, url: str) -> str:
    return exc.detail.removeprefix(f"{exc.source}: ").removeprefix(f"{url}: ")
