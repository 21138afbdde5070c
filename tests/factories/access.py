"""Builders for accounts and their tokens.

Hashing a password with Argon2 takes tens of milliseconds, so test accounts share one hash
made once; sign-in itself is tested with real hashing in tests/access.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from sqlalchemy.orm import Session

from streetrelief.access.models import User
from streetrelief.access.roles import Role
from streetrelief.access.service import hash_password, issue_token
from streetrelief.config import Settings

TEST_PASSWORD = "correct horse battery staple"


@lru_cache(maxsize=1)
def _shared_hash() -> str:
    return hash_password(TEST_PASSWORD)


def make_user(
    session: Session,
    *,
    now: datetime,
    role: Role = Role.administrator,
    region_code: str | None = None,
    username: str | None = None,
    team_id: int | None = None,
    service_point_id: int | None = None,
) -> User:
    """An active account whose password is ``TEST_PASSWORD``."""
    user = User(
        username=username or f"{role.value}-{region_code or 'all'}",
        display_name=f"{role.value} of {region_code or 'all regions'}",
        password_hash=_shared_hash(),
        role=role,
        region_code=region_code,
        team_id=team_id,
        service_point_id=service_point_id,
        is_active=True,
        failed_sign_ins=0,
        created_at=now,
    )
    session.add(user)
    session.flush()
    return user


def bearer(session: Session, user: User, *, now: datetime) -> dict[str, str]:
    """An ``Authorization`` header with a fresh API token of ``user``."""
    issued = issue_token(session, user, kind="api", now=now, settings=Settings())
    return {"Authorization": f"Bearer {issued.token}"}
