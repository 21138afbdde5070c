"""Queries on accounts, tokens, partners, keys and grants."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from streetrelief.access.models import (
    AuthToken,
    Partner,
    PartnerKey,
    RegionGrant,
    SeenSignature,
    User,
)
from streetrelief.regions.models import Region


def user_by_name(session: Session, username: str) -> User | None:
    """The account named ``username``, or None."""
    return session.scalars(select(User).where(User.username == username)).one_or_none()


def users(session: Session) -> Sequence[User]:
    """Every account, by user name."""
    return session.scalars(select(User).order_by(User.username)).all()


def token_by_digest(session: Session, token_digest: str) -> AuthToken | None:
    """The token with this digest, or None."""
    return session.scalars(select(AuthToken).where(AuthToken.digest == token_digest)).one_or_none()


def revoke_user_tokens(session: Session, user_id: int, now: datetime) -> None:
    """Revoke every live token of a user."""
    session.execute(
        update(AuthToken)
        .where(AuthToken.user_id == user_id, AuthToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def forget_signatures_before(session: Session, now: datetime) -> None:
    """Drop remembered signatures whose timestamps can no longer be accepted."""
    session.execute(delete(SeenSignature).where(SeenSignature.expires_at <= now))


def partner_by_name(session: Session, name: str) -> Partner | None:
    """The partner named ``name``, or None."""
    return session.scalars(select(Partner).where(Partner.name == name)).one_or_none()


def partners(session: Session) -> Sequence[Partner]:
    """Every partner, by name."""
    return session.scalars(select(Partner).order_by(Partner.name)).all()


def key_by_prefix(session: Session, prefix: str) -> PartnerKey | None:
    """The key whose public prefix is ``prefix``, or None."""
    return session.scalars(select(PartnerKey).where(PartnerKey.prefix == prefix)).one_or_none()


def partner_keys(session: Session, partner_id: int) -> Sequence[PartnerKey]:
    """A partner's keys, newest first."""
    stmt = select(PartnerKey).where(PartnerKey.partner_id == partner_id)
    return session.scalars(stmt.order_by(PartnerKey.id.desc())).all()


def grants_in_force(session: Session, now: datetime) -> Sequence[RegionGrant]:
    """Grants neither revoked nor ended at ``now``, newest first."""
    stmt = select(RegionGrant).where(
        RegionGrant.revoked_at.is_(None), RegionGrant.starts_at <= now, RegionGrant.ends_at > now
    )
    return session.scalars(stmt.order_by(RegionGrant.id.desc())).all()


def granted_paths(session: Session, grantee_path: str, now: datetime) -> list[str]:
    """Paths of regions granted, at ``now``, to the region at ``grantee_path`` or an ancestor."""
    grantee = Region.__table__.alias("grantee")
    granted = Region.__table__.alias("granted")
    stmt = (
        select(granted.c.path)
        .join(RegionGrant, RegionGrant.region_code == granted.c.code)
        .join(grantee, RegionGrant.grantee_region_code == grantee.c.code)
        .where(
            RegionGrant.revoked_at.is_(None),
            RegionGrant.starts_at <= now,
            RegionGrant.ends_at > now,
        )
    )
    return [
        path
        for path, grantee_of in session.execute(stmt.add_columns(grantee.c.path))
        if grantee_path.startswith(grantee_of)
    ]
