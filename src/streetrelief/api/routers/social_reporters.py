"""Social reporters: staff register them and issue their keys; a reporter reads their own."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status

from streetrelief.access.principal import Principal
from streetrelief.access.roles import Permission
from streetrelief.api.deps import AUDITED_READ, ClockDep, IdPath, SessionDep
from streetrelief.api.security import IdempotencyKeyHeader, caller_key, origin, require
from streetrelief.audit import service as audit
from streetrelief.reporters import service as reporters
from streetrelief.reporters.models import ReporterKind
from streetrelief.reporters.schemas import (
    KeyRequest,
    OwnReport,
    ReporterCreate,
    ReporterDetail,
    ReporterIssued,
    ReporterRead,
    ReporterUpdate,
)

router = APIRouter(tags=["social reporters"])

Manage = Annotated[Principal, Depends(require(Permission.social_reporters_manage))]
Own = Annotated[Principal, Depends(require(Permission.own_reports_read))]


def _answer(issued: ReporterIssued, response: Response) -> ReporterIssued:
    if issued.is_replay:
        response.status_code = status.HTTP_200_OK
        response.headers["Idempotent-Replayed"] = "true"
    return issued


@router.post(
    "/social-reporters", status_code=status.HTTP_201_CREATED, response_model=ReporterIssued
)
def post_reporter(
    data: ReporterCreate,
    principal: Manage,
    response: Response,
    session: SessionDep,
    clock: ClockDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> ReporterIssued:
    """Register a social reporter in a region of yours; their personal key is in this answer
    only. A repeated ``Idempotency-Key`` answers 200 with the reporter and no key."""
    issued = reporters.register_reporter(
        session,
        data,
        by=principal,
        now=clock.now(),
        idempotency_key=caller_key(principal, idempotency_key),
    )
    return _answer(issued, response)


@router.get("/social-reporters", response_model=list[ReporterRead])
def get_reporters(
    principal: Manage,
    session: SessionDep,
    kind: ReporterKind | None = None,
    is_active: bool | None = None,
) -> list[ReporterRead]:
    """Reporters in your regions with their reports and how many led to people helped; no
    names or contacts."""
    return reporters.list_reporters(session, by=principal, kind=kind, is_active=is_active)


@router.get("/social-reporters/me/reports", response_model=list[OwnReport])
def get_own_reports(principal: Own, session: SessionDep) -> list[OwnReport]:
    """A social reporter's own reports, newest first, at the public level of status."""
    return reporters.own_reports(session, principal)


@router.get(
    "/social-reporters/{reporter_id}", response_model=ReporterDetail, openapi_extra=AUDITED_READ
)
def get_reporter(
    reporter_id: IdPath, request: Request, principal: Manage, session: SessionDep, clock: ClockDep
) -> ReporterDetail:
    """One reporter's record, with name and contact; each reading is audited (PIPL art. 51)."""
    detail = reporters.reporter_detail(session, reporter_id, by=principal)
    audit.record(
        session,
        principal,
        action="read",
        resource="social_reporters",
        resource_id=reporter_id,
        region_code=detail.region_code,
        at=clock.now(),
        origin=origin(request),
    )
    return detail


@router.patch("/social-reporters/{reporter_id}", response_model=ReporterDetail)
def patch_reporter(
    reporter_id: IdPath, data: ReporterUpdate, principal: Manage, session: SessionDep
) -> ReporterDetail:
    """Change a reporter, or disable one (``is_active`` false): their key is refused at once."""
    return reporters.update_reporter(session, reporter_id, data, by=principal)


@router.post(
    "/social-reporters/{reporter_id}/key",
    status_code=status.HTTP_201_CREATED,
    response_model=ReporterIssued,
)
def post_reporter_key(
    reporter_id: IdPath,
    data: KeyRequest,
    principal: Manage,
    response: Response,
    session: SessionDep,
    clock: ClockDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> ReporterIssued:
    """A new personal key, shown in this answer only; the old one stops working at once."""
    issued = reporters.issue_reporter_key(
        session,
        reporter_id,
        by=principal,
        now=clock.now(),
        valid_days=data.valid_days,
        idempotency_key=caller_key(principal, idempotency_key),
    )
    return _answer(issued, response)
