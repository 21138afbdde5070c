"""Queries on CAP feeds."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.orm import Session

from streetrelief.weather.feeds.models import CapFeed


def get(session: Session, feed_id: int, *, is_fresh: bool = False) -> CapFeed | None:
    """The feed with that id; read again from the database when ``is_fresh``."""
    return session.get(CapFeed, feed_id, populate_existing=is_fresh)


def by_name(session: Session, name: str) -> CapFeed | None:
    """The feed with that name."""
    return session.scalars(select(CapFeed).where(CapFeed.name == name)).one_or_none()


def by_name_or_url(session: Session, name: str, url: str) -> CapFeed | None:
    """A feed with that name or that URL."""
    stmt = select(CapFeed).where(or_(CapFeed.name == name, CapFeed.url == url))
    return session.scalars(stmt).first()


def listed(session: Session, *, is_enabled: bool | None = None) -> Sequence[CapFeed]:
    """Feeds by name, only enabled (or disabled) ones when asked."""
    stmt = select(CapFeed)
    if is_enabled is not None:
        stmt = stmt.where(CapFeed.is_enabled.is_(is_enabled))
    return session.scalars(stmt.order_by(CapFeed.name)).all()


def due_ids(session: Session, now: datetime) -> list[int]:
    """Ids of enabled feeds whose next poll has come and that no poller holds, by id."""
    stmt = (
        select(CapFeed.id)
        .where(
            CapFeed.is_enabled.is_(True),
            or_(CapFeed.next_poll_at.is_(None), CapFeed.next_poll_at <= now),
            or_(CapFeed.claimed_until.is_(None), CapFeed.claimed_until <= now),
        )
        .order_by(CapFeed.id)
    )
    return list(session.scalars(stmt))


def claim(session: Session, feed_id: int, *, now: datetime, until: datetime) -> bool:
    """Mark a due, unclaimed feed as held until ``until`` in one statement; False if another
    poller holds it or it is not due."""
    stmt = (
        update(CapFeed)
        .where(
            CapFeed.id == feed_id,
            CapFeed.is_enabled.is_(True),
            or_(CapFeed.next_poll_at.is_(None), CapFeed.next_poll_at <= now),
            or_(CapFeed.claimed_until.is_(None), CapFeed.claimed_until <= now),
        )
        .values(claimed_until=until)
        .execution_options(synchronize_session=False)
    )
    result: CursorResult[Any] = session.execute(stmt)  # type: ignore[assignment]
    return result.rowcount == 1
