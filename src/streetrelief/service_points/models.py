"""ORM models of service points, the places held for people referred to them, and overflows."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, CheckConstraint, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from streetrelief.db.base import Base, UTCDateTime


class ServicePointKind(StrEnum):
    """Kinds of place where people are helped, and the warehouses that supply them."""

    relief_station = "relief_station"
    warming_shelter = "warming_shelter"
    relief_point = "relief_point"
    help_point = "help_point"
    warehouse = "warehouse"
    """Holds supplies for the others; takes nobody in."""


class Attribute(StrEnum):
    """What people ask about a place: whom it takes and what it allows."""

    men = "men"
    women = "women"
    families = "families"
    youth = "youth"
    pets = "pets"
    wheelchair_access = "wheelchair_access"


POPULATIONS = frozenset({Attribute.men, Attribute.women, Attribute.families, Attribute.youth})
"""Attributes that name who a point takes; a point naming none of them takes anyone."""


class ServicePoint(Base):
    """A place that takes people in or hands out help.

    ``capacity`` is the beds or seats actually there tonight, ``funded_capacity`` what is paid
    for; ``occupancy`` the places taken and ``held`` the places kept for referrals on their way
    (``service_points.holds``). Free places are ``capacity - occupancy - held``; occupancy goes
    above capacity only by a recorded :class:`CapacityOverflow`.
    """

    __tablename__ = "service_points"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ServicePointKind] = mapped_column(String(32))
    host: Mapped[str | None] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    h3_cell: Mapped[str] = mapped_column(String(16), index=True)
    address: Mapped[str | None] = mapped_column(String(400))
    hours: Mapped[str] = mapped_column(String(200), default="24/7")
    capacity: Mapped[int] = mapped_column(Integer, default=0)
    funded_capacity: Mapped[int | None] = mapped_column(Integer)
    occupancy: Mapped[int] = mapped_column(Integer, default=0)
    held: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    standby_level: Mapped[int | None] = mapped_column(Integer)
    """A standby point (not active) opens when its region's response level reaches this."""
    attributes: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    requires_id: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    """Last change of the point's details (not of its occupancy)."""
    revision: Mapped[int] = mapped_column(Integer, default=0)
    """A random number drawn anew on each change of details; the sum over all points is the
    nearest index's key (``service_points.nearest``)."""
    occupancy_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """Last time staff, an admission or a hold changed occupancy or held places."""

    __table_args__ = (
        CheckConstraint("occupancy >= 0", name="occupancy_not_negative"),
        CheckConstraint("held >= 0", name="held_not_negative"),
        CheckConstraint("capacity >= 0", name="capacity_not_negative"),
    )


class HoldStatus(StrEnum):
    """Where a referral's held place stands."""

    held = "held"
    admitted = "admitted"
    expired = "expired"
    released = "released"


class ReferralHold(Base):
    """A place held at a point for a person a dispatcher or team refers there, until it expires.

    The person is named by record id only; their details stay in ``people`` (encrypted).
    """

    __tablename__ = "referral_holds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_point_id: Mapped[int] = mapped_column(ForeignKey("service_points.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    places: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[HoldStatus] = mapped_column(String(16), index=True)
    referred_by: Mapped[str] = mapped_column(String(200))
    held_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (CheckConstraint("places >= 1", name="places_positive"),)


class CapacityOverflow(Base):
    """Places taken above capacity on purpose, with who decided and why; cleared once the
    point is back within capacity."""

    __tablename__ = "capacity_overflows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_point_id: Mapped[int] = mapped_column(ForeignKey("service_points.id"), index=True)
    places: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(400))
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (CheckConstraint("places >= 1", name="places_positive"),)
