"""Accounts, partner systems and their keys, and cross-region grants."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from streetrelief.access import service as access
from streetrelief.access.principal import Principal
from streetrelief.access.roles import Permission
from streetrelief.access.schemas import (
    GrantCreate,
    GrantRead,
    KeyIssued,
    KeyRead,
    PartnerCreate,
    PartnerCreated,
    PartnerRead,
    UserCreate,
    UserRead,
)
from streetrelief.api.deps import ClockDep, IdPath, SessionDep
from streetrelief.api.security import require

router = APIRouter(tags=["access"])

ManageUsers = Annotated[Principal, Depends(require(Permission.users_manage))]
ManagePartners = Annotated[Principal, Depends(require(Permission.partners_manage))]
ManageGrants = Annotated[Principal, Depends(require(Permission.grants_manage))]


@router.get("/users", response_model=list[UserRead])
def get_users(_: ManageUsers, session: SessionDep) -> list[UserRead]:
    """Every account."""
    return [UserRead.model_validate(u) for u in access.list_users(session)]


@router.post("/users", status_code=status.HTTP_201_CREATED, response_model=UserRead)
def post_user(_: ManageUsers, data: UserCreate, session: SessionDep, clock: ClockDep) -> UserRead:
    """Add a staff account."""
    return UserRead.model_validate(access.create_user(session, data, now=clock.now()))


@router.get("/partners", response_model=list[PartnerRead])
def get_partners(_: ManagePartners, session: SessionDep) -> list[PartnerRead]:
    """Every partner system."""
    return [PartnerRead.model_validate(p) for p in access.list_partners(session)]


@router.post("/partners", status_code=status.HTTP_201_CREATED, response_model=PartnerCreated)
def post_partner(
    _: ManagePartners, data: PartnerCreate, session: SessionDep, clock: ClockDep
) -> PartnerCreated:
    """Register a partner; its request-signing secret is shown in this answer only."""
    partner, secret = access.create_partner(session, data, now=clock.now())
    return PartnerCreated(**PartnerRead.model_validate(partner).model_dump(), signing_secret=secret)


@router.post("/partners/{name}/keys", status_code=status.HTTP_201_CREATED, response_model=KeyIssued)
def post_partner_key(
    name: str, _: ManagePartners, session: SessionDep, clock: ClockDep, valid_days: int = 365
) -> KeyIssued:
    """Issue an API key; it is shown in this answer only."""
    issued = access.issue_key(
        session, access.require_partner(session, name), now=clock.now(), valid_days=valid_days
    )
    return KeyIssued(id=issued.key_id, key=issued.key, expires_at=issued.expires_at)


@router.get("/partners/{name}/keys", response_model=list[KeyRead])
def get_partner_keys(name: str, _: ManagePartners, session: SessionDep) -> list[KeyRead]:
    """A partner's keys (prefixes and dates only)."""
    partner = access.require_partner(session, name)
    return [KeyRead.model_validate(k) for k in access.keys_of(session, partner)]


@router.delete("/partner-keys/{key_id}", response_model=KeyRead)
def delete_partner_key(
    key_id: IdPath, _: ManagePartners, session: SessionDep, clock: ClockDep
) -> KeyRead:
    """Revoke a key at once."""
    return KeyRead.model_validate(access.revoke_key(session, key_id, now=clock.now()))


@router.get("/grants", response_model=list[GrantRead])
def get_grants(principal: ManageGrants, session: SessionDep, clock: ClockDep) -> list[GrantRead]:
    """Grants in force that touch the caller's regions."""
    rows = access.list_grants(session, by=principal, now=clock.now())
    return [GrantRead.model_validate(g) for g in rows]


@router.post("/grants", status_code=status.HTTP_201_CREATED, response_model=GrantRead)
def post_grant(
    principal: ManageGrants, data: GrantCreate, session: SessionDep, clock: ClockDep
) -> GrantRead:
    """Let a neighbour's staff act in one of the caller's regions until a set time."""
    grant = access.grant_region(session, data, by=principal, now=clock.now())
    return GrantRead.model_validate(grant)


@router.delete("/grants/{grant_id}", response_model=GrantRead)
def delete_grant(
    grant_id: IdPath, principal: ManageGrants, session: SessionDep, clock: ClockDep
) -> GrantRead:
    """End a grant now."""
    grant = access.revoke_grant(session, grant_id, by=principal, now=clock.now())
    return GrantRead.model_validate(grant)
