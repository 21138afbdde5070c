"""Every query of the notify domain."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from streetrelief.db.outbox import Event
from streetrelief.notify.models import (
    DeliveryStatus,
    NotifyAttempt,
    NotifyChannel,
    NotifyCursor,
    NotifyDelivery,
    NotifySubscription,
)


def channel_by_name(session: Session, name: str) -> NotifyChannel | None:
    """The channel called ``name``."""
    return session.scalars(select(NotifyChannel).where(NotifyChannel.name == name)).first()


def channels(session: Session) -> Sequence[NotifyChannel]:
    """All channels, by name."""
    return session.scalars(select(NotifyChannel).order_by(NotifyChannel.name)).all()


def channels_by_id(session: Session, ids: Sequence[int]) -> dict[int, NotifyChannel]:
    """Channels by id."""
    if not ids:
        return {}
    rows = session.scalars(select(NotifyChannel).where(NotifyChannel.id.in_(set(ids))))
    return {c.id: c for c in rows}


def subscriptions(session: Session) -> Sequence[NotifySubscription]:
    """All subscriptions, oldest first."""
    return session.scalars(select(NotifySubscription).order_by(NotifySubscription.id)).all()


def active_subscriptions(session: Session) -> Sequence[NotifySubscription]:
    """Active subscriptions, oldest first (a disabled channel still collects deliveries; they
    wait until it is enabled)."""
    stmt = (
        select(NotifySubscription)
        .where(NotifySubscription.is_active)
        .order_by(NotifySubscription.id)
    )
    return session.scalars(stmt).all()


def last_event_id(session: Session) -> int:
    """The newest committed event id, 0 when there is none."""
    return int(session.scalar(select(func.max(Event.id))) or 0)


def cursor_for_update(session: Session, name: str) -> NotifyCursor | None:
    """The cursor row, locked until the transaction ends (PostgreSQL ``FOR UPDATE``; SQLite's
    write lock already serialises writers), so two fan-outs take turns."""
    return session.scalars(
        select(NotifyCursor).where(NotifyCursor.name == name).with_for_update()
    ).first()


def existing_pairs(session: Session, event_ids: Sequence[int]) -> set[tuple[int, int]]:
    """(event id, subscription id) of deliveries already made for these events."""
    if not event_ids:
        return set()
    stmt = select(NotifyDelivery.event_id, NotifyDelivery.subscription_id).where(
        NotifyDelivery.event_id.in_(event_ids)
    )
    return {(e, s) for e, s in session.execute(stmt)}


def claim_due(session: Session, *, now: datetime, limit: int) -> Sequence[NotifyDelivery]:
    """Pending deliveries of active channels due at ``now``, oldest first, locked for this
    transaction.

    On PostgreSQL rows another worker has locked are skipped (``FOR UPDATE SKIP LOCKED``);
    SQLite ignores the clause, its write lock serialises the claim.
    """
    stmt = (
        select(NotifyDelivery)
        .join(NotifyChannel, NotifyChannel.id == NotifyDelivery.channel_id)
        .where(
            NotifyDelivery.status == DeliveryStatus.pending,
            NotifyDelivery.next_attempt_at <= now,
            NotifyChannel.is_active,
        )
        .order_by(NotifyDelivery.next_attempt_at, NotifyDelivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=NotifyDelivery)
    )
    return session.scalars(stmt).all()


def delivery_for_update(session: Session, delivery_id: int) -> NotifyDelivery | None:
    """One delivery, locked for this transaction."""
    return session.scalars(
        select(NotifyDelivery).where(NotifyDelivery.id == delivery_id).with_for_update()
    ).first()


def deliveries(
    session: Session,
    *,
    status: DeliveryStatus | None,
    channel_id: int | None,
    limit: int,
) -> Sequence[NotifyDelivery]:
    """Deliveries, newest first, optionally of one status and one channel."""
    stmt = select(NotifyDelivery)
    if status is not None:
        stmt = stmt.where(NotifyDelivery.status == status)
    if channel_id is not None:
        stmt = stmt.where(NotifyDelivery.channel_id == channel_id)
    return session.scalars(stmt.order_by(NotifyDelivery.id.desc()).limit(limit)).all()


def attempts_of(session: Session, delivery_ids: Sequence[int]) -> Sequence[NotifyAttempt]:
    """Attempts of these deliveries, oldest first."""
    if not delivery_ids:
        return []
    stmt = (
        select(NotifyAttempt)
        .where(NotifyAttempt.delivery_id.in_(delivery_ids))
        .order_by(NotifyAttempt.id)
    )
    return session.scalars(stmt).all()


def event(session: Session, event_id: int) -> Event | None:
    """One outbox event."""
    return session.get(Event, event_id)
