"""ORM models of the weather domain: stored CAP alerts (the message, its info and area blocks,
its references and the regions it was matched to) and stored hourly observations and forecasts.

Column names are the CAP 1.2 element names in snake_case (OASIS CAP 1.2, 2010, §3.2). The raw
message is kept as received; the alert row also carries a derived summary (events, highest
severity, onset, expires, state) so that lists and the response policy need not read the
infos. Parsing lives in `streetrelief.weather.cap`; the use cases in `weather.service`.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from streetrelief.db.base import Base, UTCDateTime


class AlertState(StrEnum):
    """Where an alert stands in its Update/Cancel chain (CAP 1.2, §3.2.1 msgType)."""

    in_force = "in_force"
    superseded = "superseded"
    cancelled = "cancelled"


class AreaMatch(StrEnum):
    """How an alert area was matched to a region."""

    geocode = "geocode"
    polygon = "polygon"
    circle = "circle"


class Alert(Base):
    """One CAP alert message, unique by (sender, identifier, sent) (CAP 1.2, §3.2.1)."""

    __tablename__ = "cap_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    identifier: Mapped[str] = mapped_column(String(255))
    sender: Mapped[str] = mapped_column(String(255))
    sent: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))
    msg_type: Mapped[str] = mapped_column(String(16))
    scope: Mapped[str] = mapped_column(String(16))
    references: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Derived summary over the info blocks.
    event: Mapped[str | None] = mapped_column(String(255))
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    severity: Mapped[str | None] = mapped_column(String(16))
    onset: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    state: Mapped[AlertState] = mapped_column(String(16), default=AlertState.in_force)
    state_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("cap_alerts.id", ondelete="SET NULL")
    )

    infos: Mapped[list[AlertInfo]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="AlertInfo.position"
    )
    regions: Mapped[list[AlertRegion]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="AlertRegion.region_code"
    )

    __table_args__ = (
        UniqueConstraint("sender", "identifier", "sent"),
        Index("ix_cap_alerts_state_sent", "state", "sent"),
    )


class AlertInfo(Base):
    """One ``<info>`` block of an alert (CAP 1.2, §3.2.2); times are aware UTC."""

    __tablename__ = "cap_alert_infos"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(
        ForeignKey("cap_alerts.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(35))
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    event: Mapped[str] = mapped_column(String(255))
    urgency: Mapped[str] = mapped_column(String(16))
    severity: Mapped[str] = mapped_column(String(16))
    certainty: Mapped[str] = mapped_column(String(16))
    response_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    event_codes: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    effective: Mapped[datetime | None] = mapped_column(UTCDateTime)
    onset: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sender_name: Mapped[str | None] = mapped_column(Text)
    headline: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    instruction: Mapped[str | None] = mapped_column(Text)
    web: Mapped[str | None] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(Text)
    parameters: Mapped[list[list[str]]] = mapped_column(JSON, default=list)

    areas: Mapped[list[AlertArea]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="AlertArea.position"
    )


class AlertArea(Base):
    """One ``<area>`` of an info block (CAP 1.2, §3.2.4).

    ``polygons`` are closed rings of [lat, lon] pairs and ``circles`` are [lat, lon, radius_km],
    in CAP order; ``geocodes`` are [valueName, value] pairs.
    """

    __tablename__ = "cap_alert_areas"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    info_id: Mapped[int] = mapped_column(
        ForeignKey("cap_alert_infos.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    area_desc: Mapped[str] = mapped_column(Text)
    polygons: Mapped[list[list[list[float]]]] = mapped_column(JSON, default=list)
    circles: Mapped[list[list[float]]] = mapped_column(JSON, default=list)
    geocodes: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    altitude: Mapped[float | None] = mapped_column(Float)
    ceiling: Mapped[float | None] = mapped_column(Float)


class AlertReference(Base):
    """One earlier message an alert names in ``<references>`` (CAP 1.2, §3.2.1).

    ``referenced_alert_id`` stays empty until that message is stored; it is filled when it
    arrives, so references to messages never seen are kept, not lost.
    """

    __tablename__ = "cap_alert_references"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(
        ForeignKey("cap_alerts.id", ondelete="CASCADE"), index=True
    )
    sender: Mapped[str] = mapped_column(String(255))
    identifier: Mapped[str] = mapped_column(String(255))
    sent: Mapped[datetime] = mapped_column(UTCDateTime)
    referenced_alert_id: Mapped[int | None] = mapped_column(
        ForeignKey("cap_alerts.id", ondelete="SET NULL"), index=True
    )

    __table_args__ = (Index("ix_cap_alert_references_sender_identifier", "sender", "identifier"),)


class AlertRegion(Base):
    """A region an alert covers, and how its area was matched."""

    __tablename__ = "cap_alert_regions"

    alert_id: Mapped[int] = mapped_column(
        ForeignKey("cap_alerts.id", ondelete="CASCADE"), primary_key=True
    )
    region_code: Mapped[str] = mapped_column(
        ForeignKey("regions.code", ondelete="RESTRICT"), primary_key=True, index=True
    )
    matched_by: Mapped[AreaMatch] = mapped_column(String(16))


class WeatherObservation(Base):
    """One hourly reading for a region: observed, or forecast for ``observed_at``.

    Unique by (region_code, observed_at, is_forecast, station), so importing a file again
    stores nothing new. ``wind_chill_c`` is the 2001 JAG/TI index computed on import
    (``weather.windchill``), None outside its validity range or without a wind speed.
    ``issued_at`` is when a forecast was issued; None for an observation.
    """

    __tablename__ = "weather_observations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code", ondelete="RESTRICT"))
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    is_forecast: Mapped[bool] = mapped_column(Boolean, default=False)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    station: Mapped[str] = mapped_column(String(64))
    temperature_c: Mapped[float] = mapped_column(Float)
    wind_speed_kmh: Mapped[float | None] = mapped_column(Float)
    wind_chill_c: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(255))

    __table_args__ = (
        # Named by hand: the conventional name passes PostgreSQL's 63-character limit.
        UniqueConstraint(
            "region_code",
            "observed_at",
            "is_forecast",
            "station",
            name="uq_weather_observations_reading",
        ),
        Index(
            "ix_weather_observations_region_forecast_at",
            "region_code",
            "is_forecast",
            "observed_at",
        ),
    )
