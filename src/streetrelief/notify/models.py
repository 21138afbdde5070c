"""ORM models of notifications: channels, subscriptions, the outbox cursor, deliveries and
their attempts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from streetrelief.db.base import Base, UTCDateTime
from streetrelief.privacy.crypto import EncryptedJSON, EncryptedText


class ChannelKind(StrEnum):
    """How a channel delivers: a signed webhook, e-mail, or a work-chat robot."""

    webhook = "webhook"
    email = "email"
    wecom = "wecom"
    dingtalk = "dingtalk"
    feishu = "feishu"
    slack = "slack"


class DeliveryStatus(StrEnum):
    """A delivery waits (``pending``), was accepted (``sent``) or gave up (``dead``)."""

    pending = "pending"
    sent = "sent"
    dead = "dead"


class NotifyChannel(Base):
    """A way out, by name. ``config`` holds the address (URL or e-mail recipients) and options;
    ``secret`` the signing secret; both are encrypted at rest (robot URLs carry their key)."""

    __tablename__ = "notify_channels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[ChannelKind] = mapped_column(String(16))
    config: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON)
    secret: Mapped[str | None] = mapped_column(EncryptedText)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class NotifySubscription(Base):
    """Events of a type (exact, ``prefix.*`` or ``*``) in a region subtree (all regions when
    ``region_code`` is None) go to a channel, from the first event after ``after_event_id``."""

    __tablename__ = "notify_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel_id: Mapped[int] = mapped_column(
        ForeignKey("notify_channels.id", ondelete="RESTRICT"), index=True
    )
    event_pattern: Mapped[str] = mapped_column(String(64))
    region_code: Mapped[str | None] = mapped_column(
        ForeignKey("regions.code", ondelete="RESTRICT"), index=True
    )
    after_event_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class NotifyCursor(Base):
    """How far the fan-out has read the outbox: the last event id it turned into deliveries."""

    __tablename__ = "notify_cursors"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NotifyDelivery(Base):
    """One event for one subscription. ``next_attempt_at`` is when a worker may take it next:
    after a backoff, or after the lease of the worker that claimed it ends."""

    __tablename__ = "notify_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("events.id", ondelete="RESTRICT"),
        index=True,
    )
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("notify_subscriptions.id", ondelete="RESTRICT"), index=True
    )
    channel_id: Mapped[int] = mapped_column(
        ForeignKey("notify_channels.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[DeliveryStatus] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))

    __table_args__ = (
        UniqueConstraint("event_id", "subscription_id", name="uq_notify_deliveries_event_sub"),
        Index("ix_notify_deliveries_status_next", "status", "next_attempt_at"),
    )


class NotifyAttempt(Base):
    """One try at a delivery: when, and the receiver's status or the error."""

    __tablename__ = "notify_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("notify_deliveries.id", ondelete="CASCADE"), index=True
    )
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    is_success: Mapped[bool] = mapped_column(Boolean)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(500))
