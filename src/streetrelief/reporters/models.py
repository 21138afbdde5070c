"""ORM models of social reporters and of the thanks sent to them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from streetrelief.db.base import Base, UTCDateTime
from streetrelief.privacy.crypto import EncryptedText


class ReporterKind(StrEnum):
    """What a social reporter does for a living, which is where they see people in the cold."""

    sanitation_worker = "sanitation_worker"
    courier = "courier"
    bus_driver = "bus_driver"
    taxi_driver = "taxi_driver"
    security_guard = "security_guard"
    volunteer = "volunteer"
    other = "other"


class SocialReporter(Base):
    """A registered reporter. Name, phone and e-mail are personal information, encrypted at
    rest and shown only on the reporter's own record (PIPL art. 28, 51). ``key_prefix`` finds
    the personal reporting key, ``key_digest`` (SHA-256) proves it; the key itself is never
    stored."""

    __tablename__ = "social_reporters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[ReporterKind] = mapped_column(String(32))
    display_name: Mapped[str] = mapped_column(EncryptedText)
    phone: Mapped[str | None] = mapped_column(EncryptedText)
    email: Mapped[str | None] = mapped_column(EncryptedText)
    organisation: Mapped[str | None] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(64))
    key_prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_digest: Mapped[str] = mapped_column(String(64))
    key_issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    key_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    """The caller's ``Idempotency-Key`` of the registration (as ``api.deps.caller_key``)."""
    request_hash: Mapped[str | None] = mapped_column(String(64))
    key_idempotency_key: Mapped[str | None] = mapped_column(String(64))
    """The caller's ``Idempotency-Key`` of the latest key issue, so a retry issues no other."""


class ReporterThanks(Base):
    """The thank-you for one credited report, made once: its primary key is the report."""

    __tablename__ = "social_reporter_thanks"

    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), primary_key=True)
    social_reporter_id: Mapped[int] = mapped_column(ForeignKey("social_reporters.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(32))
    """The public status told: ``helped`` or ``closed``."""
    thanked_at: Mapped[datetime] = mapped_column(UTCDateTime)
