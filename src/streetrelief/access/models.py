"""ORM models of user accounts, their tokens, partner systems and their keys, and region grants."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from streetrelief.access.roles import Role
from streetrelief.db.base import Base, UTCDateTime
from streetrelief.privacy.crypto import EncryptedText


class User(Base):
    """A staff account. ``region_code`` None means the whole installation (national level)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(String(32))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    service_point_id: Mapped[int | None] = mapped_column(ForeignKey("service_points.id"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuthToken(Base):
    """A bearer token or page session of a user; only its SHA-256 digest is stored."""

    __tablename__ = "auth_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    """``api`` (bearer) or ``session`` (page cookie, with a CSRF token)."""
    csrf_digest: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    source_ip: Mapped[str | None] = mapped_column(String(64))


class Partner(Base):
    """A partner system allowed to send reports on some channels in some regions."""

    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    signing_secret: Mapped[str] = mapped_column(EncryptedText)
    """Shared secret of the HMAC-SHA256 request signature (encrypted at rest)."""
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    field_mapping: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    """How the partner's own report JSON maps onto a report: report field -> dotted path in
    the partner's body (see ``intake.partner_feed``); empty until configured."""
    coordinate_system: Mapped[str] = mapped_column(String(8), default="wgs84")
    """The datum of the partner's coordinates (wgs84, gcj02, bd09)."""
    is_machine_source: Mapped[bool] = mapped_column(Boolean, default=False)
    """Cameras or sensors: their reports wait for a person's confirmation before dispatch."""


class PartnerKey(Base):
    """An API key of a partner; ``prefix`` finds it, the SHA-256 ``digest`` proves it."""

    __tablename__ = "partner_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RegionGrant(Base):
    """Cross-region work: users of ``grantee_region_code`` may act in ``region_code``'s subtree.

    Made by someone whose jurisdiction covers ``region_code`` (a neighbour asks for help), with a
    reason and an end; every grant and revocation is audited.
    """

    __tablename__ = "region_grants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    grantee_region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    reason: Mapped[str] = mapped_column(String(400))
    granted_by: Mapped[str] = mapped_column(String(64))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SeenSignature(Base):
    """A partner request signature already accepted, kept while its timestamp is still fresh,
    so that the same signed request cannot be played twice inside the window."""

    __tablename__ = "seen_signatures"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
