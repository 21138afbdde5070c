"""Reports in: ``POST /api/v1/reports``, and the public's tracking of their own report."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response, status
from pydantic import BaseModel, ConfigDict, Field

from streetrelief.access.principal import Principal, require_in_jurisdiction
from streetrelief.access.roles import Permission, Role
from streetrelief.api.deps import ClockDep, IdPath, SessionDep, TravelDep, TriagePolicyDep
from streetrelief.api.limits import throttle_intake
from streetrelief.api.security import IdempotencyKeyHeader, caller_key, require
from streetrelief.core.errors import IdempotencyKeyReusedError, PermissionDeniedError
from streetrelief.core.ids import MAX_RECORD_ID
from streetrelief.core.text import Text
from streetrelief.dispatch.service import require_incident_for
from streetrelief.incidents.models import IncidentStatus
from streetrelief.intake.models import Channel
from streetrelief.intake.schemas import ReportAccepted, ReportCreate, ReportRead, ReportReceipt
from streetrelief.intake.service import (
    PUBLIC_STATUS,
    IntakeResult,
    ReportSource,
    move_report,
    public_status,
    receive_report,
    report_by_id,
    reports_for_incident,
)

router = APIRouter(tags=["reports"])

Reporter = Annotated[Principal, Depends(require(Permission.reports_create))]
ReadReports = Annotated[Principal, Depends(require(Permission.reports_read))]


def _check_channel(principal: Principal, channel: Channel) -> None:
    if principal.role is Role.public and channel is not Channel.public:
        raise PermissionDeniedError("reports from the public use the 'public' channel")
    if principal.role is Role.social_reporter and channel is not Channel.social_reporter:
        raise PermissionDeniedError("a social reporter's reports use the 'social_reporter' channel")
    if principal.role is Role.partner and channel.value not in principal.channels:
        raise PermissionDeniedError(
            f"this partner may send on {sorted(principal.channels)}, not {channel.value!r}"
        )


@router.post(
    "/reports",
    status_code=status.HTTP_201_CREATED,
    response_model=ReportAccepted | ReportReceipt,
    dependencies=[Depends(throttle_intake)],
)
def post_report(
    data: ReportCreate,
    principal: Reporter,
    response: Response,
    session: SessionDep,
    clock: ClockDep,
    policy: TriagePolicyDep,
    travel: TravelDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> ReportAccepted | ReportReceipt:
    """Accept a report: it merges into an open incident nearby or opens a new one.

    Anyone may report on the ``public`` channel and gets a tracking code only; staff and
    partners report in their own regions (and partners on their own channels) and get the
    incident. A social reporter reports on the ``social_reporter`` channel with their personal
    key; the report is credited to them and they get the tracking code only. A repeated
    ``Idempotency-Key`` with the same body answers 200 with the first result; with a different
    body, 422 ``idempotency_key_reused``. Keys are the caller's own.
    """
    _check_channel(principal, data.channel)
    try:
        result = receive_report(
            session,
            data,
            clock=clock,
            policy=policy,
            travel=travel,
            idempotency_key=caller_key(principal, idempotency_key),
            scope=None if principal.role is Role.public else principal.scope,
            source=ReportSource(social_reporter_id=principal.social_reporter_id),
        )
    except IdempotencyKeyReusedError as exc:
        if principal.role is Role.public:  # anonymous callers share keys: show no report id
            raise IdempotencyKeyReusedError(exc.detail) from None
        raise
    if result.is_replay:
        response.status_code = status.HTTP_200_OK
        response.headers["Idempotent-Replayed"] = "true"
    r = result.report
    if principal.role in {Role.public, Role.social_reporter}:
        return ReportReceipt(
            tracking_code=r.tracking_code or "",
            received_at=r.received_at,
            status=PUBLIC_STATUS[IncidentStatus(result.incident_status)],
        )
    return accepted(result)


def accepted(result: IntakeResult) -> ReportAccepted:
    """The answer to staff or a partner for an accepted report."""
    r = result.report
    return ReportAccepted(
        report_id=r.id,
        incident_id=result.incident_id,
        is_merged=r.is_merged,
        merge_reason=r.merge_reason,
        region_code=r.region_code,
        location_note=r.location_note,
        needs_confirmation=r.needs_confirmation,
        incident_status=result.incident_status,
        priority=result.priority,
        dispatch_id=result.dispatch_id,
        tracking_code=r.tracking_code,
    )


@router.get("/reports/track/{tracking_code}", response_model=ReportReceipt)
def get_report_status(
    tracking_code: Annotated[str, Path(min_length=8, max_length=32)], session: SessionDep
) -> ReportReceipt:
    """The public status of a report, by the tracking code its reporter was given (no sign-in)."""
    report, state = public_status(session, tracking_code)
    return ReportReceipt(tracking_code=tracking_code, received_at=report.received_at, status=state)


@router.get("/incidents/{incident_id}/reports", response_model=list[ReportRead])
def get_incident_reports(
    incident_id: IdPath, principal: ReadReports, session: SessionDep
) -> list[ReportRead]:
    """Reports that point to an incident, oldest first (reporter contact left out)."""
    require_incident_for(session, incident_id, by=principal)
    return [ReportRead.model_validate(r) for r in reports_for_incident(session, incident_id)]


class ReportMove(BaseModel):
    """A dispatcher's merge by hand, or its undo."""

    model_config = ConfigDict(extra="forbid")

    incident_id: int | None = Field(
        None,
        ge=1,
        le=MAX_RECORD_ID,
        description="The open incident to move the report into; null: out into a new incident.",
    )
    note: Text = Field(min_length=1, max_length=300, description="Why (kept with the report).")


@router.post("/reports/{report_id}/move", response_model=ReportRead)
def post_report_move(
    report_id: IdPath,
    data: ReportMove,
    principal: Annotated[Principal, Depends(require(Permission.reports_merge))],
    session: SessionDep,
    clock: ClockDep,
    policy: TriagePolicyDep,
) -> ReportRead:
    """Merge a report into another incident by hand, or undo a merge (``incident_id`` null).

    Both incidents are recounted and triaged again; one left without reports is cancelled.
    """
    report = report_by_id(session, report_id)
    require_in_jurisdiction(session, principal, report.region_code, f"report {report_id}")
    if data.incident_id is not None:
        require_incident_for(session, data.incident_id, by=principal)
    moved = move_report(
        session,
        report_id,
        to_incident_id=data.incident_id,
        by=principal.name,
        note=data.note,
        policy=policy,
        now=clock.now(),
    )
    return ReportRead.model_validate(moved)
