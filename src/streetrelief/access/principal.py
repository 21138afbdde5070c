"""The caller of a request or command: who, in which role, over which regions."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from streetrelief.access.roles import ROLE_PERMISSIONS, Permission, Role
from streetrelief.core.errors import (
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    UnknownRegionError,
)
from streetrelief.regions.models import Region
from streetrelief.regions.service import Scope, in_scope, require_region


class OutOfJurisdictionError(NotFoundError):
    """A record that exists but lies outside the caller's regions: answered as not found, so
    that ids cannot be probed, and audited as a denied attempt. The region is kept for the
    audit log, never shown."""

    def __init__(self, detail: str, *, region_code: str) -> None:
        super().__init__(detail)
        self.region_code = region_code


@dataclass(frozen=True)
class Principal:
    """An authenticated user, a partner system, a social reporter, the public, or the system.

    ``scope`` holds the region paths whose subtrees the caller may see and change: its own
    region plus regions granted to it; None means every region (a national account or the
    system).
    """

    kind: str
    name: str
    role: Role
    scope: Scope
    region_code: str | None = None
    user_id: int | None = None
    partner_id: int | None = None
    social_reporter_id: int | None = None
    team_id: int | None = None
    service_point_id: int | None = None
    channels: frozenset[str] = field(default_factory=frozenset)

    def can(self, permission: Permission) -> bool:
        """Whether the role allows ``permission`` (jurisdiction aside)."""
        return permission in ROLE_PERMISSIONS[self.role]

    def require(self, permission: Permission) -> None:
        """Refuse unless the role allows ``permission``.

        Raises:
            AuthenticationError: the caller is the public and must sign in first.
            PermissionDeniedError: a signed-in caller whose role does not allow it.
        """
        if self.can(permission):
            return
        if self.role is Role.public:
            raise AuthenticationError("sign in to do this")
        raise PermissionDeniedError(f"the {self.role} role may not do {permission}")

    def covers(self, region: Region) -> bool:
        """Whether ``region`` lies in the caller's jurisdiction."""
        return in_scope(region, self.scope)

    def require_covers(self, region: Region, what: str) -> None:
        """Refuse a record of ``region`` outside the jurisdiction, as if it did not exist.

        Raises:
            OutOfJurisdictionError: (404) ``what`` lies outside the caller's regions.
        """
        if not self.covers(region):
            raise OutOfJurisdictionError(f"{what} not found", region_code=region.code)


def in_jurisdiction(session: Session, principal: Principal, region_code: str) -> bool:
    """Whether a record of ``region_code`` lies in ``principal``'s regions.

    Raises:
        UnknownRegionError: no such region.
    """
    return principal.scope is None or principal.covers(require_region(session, region_code))


def require_in_jurisdiction(
    session: Session, principal: Principal, region_code: str, what: str
) -> None:
    """Refuse a record of ``region_code`` outside ``principal``'s regions, as not found.

    Raises:
        OutOfJurisdictionError: (404) outside the caller's regions.
    """
    if not in_jurisdiction(session, principal, region_code):
        raise OutOfJurisdictionError(f"{what} not found", region_code=region_code)


class RegionOutOfJurisdictionError(UnknownRegionError):
    """A region code outside the caller's regions: answered exactly as an unknown code, and
    audited as a denied attempt."""

    def __init__(self, code: str) -> None:
        super().__init__(f"unknown region code {code!r}", field="region_code")
        self.region_code = code


def require_region_in_jurisdiction(session: Session, principal: Principal, code: str) -> None:
    """Refuse a region outside ``principal``'s regions as if it did not exist.

    Raises:
        UnknownRegionError: (422) no such region, or (audited) one outside the caller's.
    """
    if principal.scope is None:
        return  # every region: the use case checks the code in its own order
    region = require_region(session, code)
    if not principal.covers(region):
        raise RegionOutOfJurisdictionError(code)


def region_visible(session: Session, principal: Principal, code: str) -> bool:
    """Whether a region's shared facts (its response level) are the caller's to see: a region
    of its jurisdiction, or one above its own region (whose level its region inherits)."""
    if principal.scope is None:
        return True
    region = require_region(session, code)
    if principal.covers(region):
        return True
    if principal.region_code is None:
        return False
    return require_region(session, principal.region_code).path.startswith(region.path)


def require_region_visible(session: Session, principal: Principal, code: str) -> None:
    """Refuse, as an unknown code, a region whose shared facts are not the caller's to see.

    Raises:
        UnknownRegionError: (422) no such region, or (audited) one not visible to the caller.
    """
    if not region_visible(session, principal, code):
        raise RegionOutOfJurisdictionError(code)


def region_filter(session: Session, principal: Principal, region_code: str | None) -> str | None:
    """The region subtree a list should cover: the one asked for, if in the caller's regions,
    else the caller's own region (every region for a national caller).

    Raises:
        UnknownRegionError: ``region_code`` is not a region, or lies outside the caller's.
    """
    if region_code is not None:
        require_region_in_jurisdiction(session, principal, region_code)
        return region_code
    return principal.region_code


SYSTEM = Principal(kind="system", name="system", role=Role.administrator, scope=None)
"""The CLI and scheduled jobs acting on the machine itself (no network caller)."""

PUBLIC = Principal(kind="public", name="public", role=Role.public, scope=None)
"""A caller without credentials."""
