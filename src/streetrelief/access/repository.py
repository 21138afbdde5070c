"""Queries on accounts, tokens, partners, keys and grants."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Row, bindparam, delete, select, update
from sqlalchemy.orm import Session

from streetrelief.access.models import (
    AuthToken,
    Partner,
    PartnerKey,
    RegionGrant,
    SeenSignature,
    User,
)
from streetrelief.access.roles import Role
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


_TOKEN_HOLDER = (
    select(
        AuthToken.kind,
        AuthToken.csrf_digest,
        AuthToken.expires_at,
        AuthToken.revoked_at,
        User.id,
        User.username,
        User.role,
        User.region_code,
        User.team_id,
        User.service_point_id,
        User.is_active,
        Region.path.label("region_path"),
    )
    .join(User, User.id == AuthToken.user_id)
    .outerjoin(Region, Region.code == User.region_code)
    .where(AuthToken.digest == bindparam("digest"))
)

TokenHolder = Row[
    str,
    str | None,
    datetime,
    datetime | None,
    int,
    str,
    Role,
    str | None,
    int | None,
    int | None,
    bool,
    str | None,
]


def token_holder(session: Session, token_digest: str) -> TokenHolder | None:
    """The token with this digest with its user's columns and the path of the user's region
    (None for a national account), read in one statement; or None.

    The row has ``kind``, ``csrf_digest``, ``expires_at``, ``revoked_at`` (of the token),
    ``id``, ``username``, ``role``, ``region_code``, ``team_id``, ``service_point_id``,
    ``is_active`` (of the user) and ``region_path``. Every request with a token reads it.
    """
    return session.execute(_TOKEN_HOLDER, {"digest": token_digest}).one_or_none()


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


_GRANTEE = Region.__table__.alias("grantee")
_GRANTED = Region.__table__.alias("granted")
_AT = bindparam("now", type_=RegionGrant.starts_at.type)
_GRANTS_IN_FORCE = (
    select(_GRANTED.c.path, _GRANTEE.c.path)
    .join(RegionGrant, RegionGrant.region_code == _GRANTED.c.code)
    .join(_GRANTEE, RegionGrant.grantee_region_code == _GRANTEE.c.code)
    .where(
        RegionGrant.revoked_at.is_(None), RegionGrant.starts_at <= _AT, RegionGrant.ends_at > _AT
    )
)
"""(granted path, grantee path) of the grants in force at ``now``; built once, since every
request with a token reads it (building the aliases' columns cost more than the read)."""


def granted_paths(session: Session, grantee_path: str, now: datetime) -> list[str]:
    """Paths of regions granted, at ``now``, to the region at ``grantee_path`` or an ancestor."""
    return [
        path
        for path, grantee_of in session.execute(_GRANTS_IN_FORCE, {"now": now})
        if grantee_path.startswith(grantee_of)
    ]
