"""ORM models of persons, encounters and the supplies given in them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from streetrelief.db.base import Base, UTCDateTime
from streetrelief.privacy.crypto import EncryptedBytes, EncryptedText


class PersonCategory(StrEnum):
    """Categories the campaign acts on."""

    minor = "minor"
    elderly = "elderly"
    disabled = "disabled"
    ill = "ill"
    injured = "injured"
    mental_distress = "mental_distress"
    confused = "confused"
    intoxicated = "intoxicated"
    stranded_traveller = "stranded_traveller"
    rough_sleeper = "rough_sleeper"


class Sex(StrEnum):
    """Sex as recorded by the team (GB/T 2261.1-2003 codes 1, 2, 9 and 0 by meaning)."""

    male = "male"
    female = "female"
    unknown = "unknown"
    not_stated = "not_stated"


class EncounterOutcome(StrEnum):
    """How an encounter ended."""

    admitted_to_station = "admitted_to_station"
    hospital = "hospital"
    escorted_home = "escorted_home"
    supplies_on_site = "supplies_on_site"
    refused = "refused"
    referred = "referred"


class LegalBasis(StrEnum):
    """Why personal information may be processed (PIPL art. 13)."""

    emergency = "emergency"
    """Necessary to protect life and health in an emergency (art. 13(4)); notice may follow
    once the emergency is over (art. 18)."""
    consent = "consent"
    """The person's consent (art. 13(1), 14)."""
    legal_duty = "legal_duty"
    """Necessary for a statutory duty (art. 13(3)), e.g. the relief station's duties under the
    Measures for the Relief of Vagrants and Beggars without Assured Living Sources (2003)."""


class Person(Base):
    """A person met, identified or not; repeat contacts link here.

    Name, ID number, contact, health notes and photo are encrypted at rest and shown only to
    roles that need them (see ``streetrelief.access.roles``).
    """

    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    temp_id: Mapped[str] = mapped_column(String(32), unique=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    is_identified: Mapped[bool] = mapped_column(Boolean, default=False)
    name: Mapped[str | None] = mapped_column(EncryptedText)
    id_number: Mapped[str | None] = mapped_column(EncryptedText)
    phone: Mapped[str | None] = mapped_column(EncryptedText)
    health_notes: Mapped[str | None] = mapped_column(EncryptedText)
    photo: Mapped[bytes | None] = mapped_column(EncryptedBytes, deferred=True)
    photo_type: Mapped[str | None] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(String(1000), default="")
    sex: Mapped[str | None] = mapped_column(String(16))
    approx_age: Mapped[int | None] = mapped_column(Integer)
    is_minor: Mapped[bool] = mapped_column(Boolean, default=False)
    """Under the minor age (14 in China, PIPL art. 28) or met as a minor: most restricted."""
    keep_local: Mapped[bool] = mapped_column(Boolean, default=False)
    """Never leaves this store: left out of every export and partner feed."""
    first_met_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_met_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    deidentified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Encounter(Base):
    """One meeting with one person: who, where, what was offered and given, and the outcome."""

    __tablename__ = "encounters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    met_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    measures: Mapped[list[str]] = mapped_column(JSON, default=list)
    outcome: Mapped[EncounterOutcome] = mapped_column(String(32))
    destination_service_point_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_points.id")
    )
    notes: Mapped[str | None] = mapped_column(EncryptedText)
    legal_basis: Mapped[LegalBasis] = mapped_column(String(16), default=LegalBasis.emergency)
    consent_given: Mapped[bool | None] = mapped_column(Boolean)
    notice_given_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """When the person was told of the processing (after the emergency, PIPL art. 18)."""
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    """The recording client's key (stored as a digest with the caller), so that a phone
    replaying its offline queue records each encounter once."""
    request_hash: Mapped[str | None] = mapped_column(String(64))

    person: Mapped[Person] = relationship(lazy="raise")
    items: Mapped[list[EncounterItem]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="EncounterItem.id"
    )


class EncounterItem(Base):
    """Supplies handed to the person during an encounter."""

    __tablename__ = "encounter_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    encounter_id: Mapped[int] = mapped_column(
        ForeignKey("encounters.id", ondelete="CASCADE"), index=True
    )
    item: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int] = mapped_column(Integer)
