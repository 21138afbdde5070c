"""ORM model of reports; a report is stored as received and never edited."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from streetrelief.db.base import Base, UTCDateTime
from streetrelief.privacy.crypto import EncryptedText


class Channel(StrEnum):
    """Where a report came from."""

    hotline = "hotline"
    public = "public"
    open311 = "open311"
    partner = "partner"
    social_reporter = "social_reporter"
    patrol = "patrol"


ACTIVE_CHANNELS = frozenset({Channel.patrol, Channel.partner})
"""Channels whose reports count as found actively (patrols and partner platforms) rather than
reported by a caller. Source: the campaign's "主动发现" figure, Ministry of Civil Affairs winter
relief notices."""


class Report(Base):
    """One notice from one channel."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[Channel] = mapped_column(String(32))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    h3_cell: Mapped[str] = mapped_column(String(16))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    conditions: Mapped[list[str]] = mapped_column(JSON, default=list)
    people_count: Mapped[int] = mapped_column(Integer, default=1)
    source_id: Mapped[str | None] = mapped_column(String(128))
    reporter_contact: Mapped[str | None] = mapped_column(EncryptedText)
    tracking_code: Mapped[str | None] = mapped_column(String(32), unique=True)
    """Given to the reporter to follow the report's public status."""
    address: Mapped[str | None] = mapped_column(String(400))
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    request_hash: Mapped[str | None] = mapped_column(String(64))
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    is_merged: Mapped[bool] = mapped_column(Boolean, default=False)
    merge_reason: Mapped[str | None] = mapped_column(String(400))
    merge_distance_m: Mapped[float | None] = mapped_column(Float)
    source_crs: Mapped[str] = mapped_column(String(8), default="wgs84")
    """The datum the sender's coordinates were in; ``lat``/``lon`` are always WGS-84."""
    source_lat: Mapped[float | None] = mapped_column(Float)
    source_lon: Mapped[float | None] = mapped_column(Float)
    """The coordinates exactly as sent, in ``source_crs`` (None when only an address came)."""
    service_code: Mapped[str | None] = mapped_column(String(64))
    """The Open311 service the report was filed under."""
    media_url: Mapped[str | None] = mapped_column(String(2000))
    location_note: Mapped[str | None] = mapped_column(String(400))
    """A doubt about the place for the dispatcher: the address names another region than the
    coordinates, or the location is only the centre of the region the address names."""
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    social_reporter_id: Mapped[int | None] = mapped_column(
        ForeignKey("social_reporters.id"), index=True
    )
    """The registered social reporter the report is credited to."""
    needs_confirmation: Mapped[bool] = mapped_column(Boolean, default=False)
    """From a machine source (camera, sensor): a person must confirm before dispatch."""
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_confirmed: Mapped[bool | None] = mapped_column(Boolean)
    """A person's verdict on a machine report: True seen, False false alarm, None pending."""

    __table_args__ = (
        Index("ix_reports_channel_source_id", "channel", "source_id"),
        Index("ix_reports_partner_source_id", "partner_id", "source_id", unique=True),
    )
