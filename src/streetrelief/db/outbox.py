"""The outbox: each state change writes a domain event in the same transaction.

Event ids are assigned in commit order, so a reader that remembers the last id it saw never
misses one: on PostgreSQL each writer takes a transaction-scoped advisory lock before inserting
its events (held to commit), and on SQLite writers are serialised by the write lock already.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String, func, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from streetrelief.db.base import Base, UTCDateTime

OUTBOX_LOCK_KEY = 0x5EE7_0B0C
"""Advisory-lock key that orders outbox writers on PostgreSQL."""


class Event(Base):
    """One committed domain event."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    type: Mapped[str] = mapped_column(String(64), index=True)
    subject: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int] = mapped_column(Integer)
    region_code: Mapped[str | None] = mapped_column(String(32), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


def emit(
    session: Session,
    *,
    type_: str,
    subject: str,
    subject_id: int,
    at: datetime,
    region_code: str | None,
    payload: dict[str, Any] | None = None,
) -> Event:
    """Add a domain event to the current transaction.

    Args:
        type_: dotted event name, e.g. ``incident.dispatched``.
        subject: kind of record (``incident``, ``team``...); ``subject_id`` its id.
        at: when it happened (aware UTC).
        region_code: the record's region, for jurisdiction filters.
        payload: JSON-serialisable details; no sensitive personal fields.
    """
    serialize_writers(session)
    ev = Event(
        occurred_at=at,
        type=type_,
        subject=subject,
        subject_id=subject_id,
        region_code=region_code,
        payload=payload or {},
    )
    session.add(ev)
    return ev


def serialize_writers(session: Session) -> None:
    """Make this transaction the only writer until it ends.

    On PostgreSQL this takes a transaction-scoped advisory lock (released at commit or
    rollback); SQLite's ``BEGIN IMMEDIATE`` holds the database write lock already. Intake calls
    it before looking for an incident to merge into, so two duplicate reports arriving together
    cannot both open a new incident; :func:`emit` calls it so event ids follow commit order.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": OUTBOX_LOCK_KEY})


def latest_event_id(session: Session) -> int:
    """Id of the newest committed event, 0 when there is none: where a page that has just
    read its data starts following the stream."""
    return session.scalar(select(func.max(Event.id))) or 0


def events_after(
    session: Session, last_id: int, *, scope: tuple[str, ...] | None = None, limit: int = 500
) -> list[Event]:
    """Committed events with ``id > last_id``, oldest first, at most ``limit``.

    With ``scope`` (region paths: a caller's jurisdiction), only events of regions in one of
    those subtrees; events without a region are then left out.
    """
    stmt = select(Event).where(Event.id > last_id)
    if scope is not None:
        from streetrelief.regions.repository import in_any_subtree  # noqa: PLC0415 - db is below domains

        stmt = stmt.where(in_any_subtree(Event.region_code, scope))
    return list(session.scalars(stmt.order_by(Event.id).limit(limit)))
