"""Partner feeds: ``POST /partners/{partner}/reports`` takes a partner system's own report
JSON (mapped per partner), ``GET /partners/{partner}/reports/{record_id}`` gives the outcome
back; ``POST /reports/{report_id}/confirmation`` records a person's verdict on a machine
source's report."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response, status
from pydantic import BaseModel, Field

from streetrelief.access.principal import Principal, require_in_jurisdiction
from streetrelief.access.roles import Permission
from streetrelief.api.deps import ClockDep, IdPath, SessionDep, TravelDep, TriagePolicyDep
from streetrelief.api.limits import throttle_intake
from streetrelief.api.routers.open311 import MalformedFormError
from streetrelief.api.routers.reports import accepted
from streetrelief.api.security import require
from streetrelief.core.errors import NotFoundError
from streetrelief.incidents.models import IncidentStatus
from streetrelief.intake.partner_feed import FeedMapping
from streetrelief.intake.schemas import ReportAccepted
from streetrelief.intake.service import (
    PUBLIC_STATUS,
    confirm_report,
    partner_report_status,
    receive_partner_report,
    report_by_id,
)

router = APIRouter(tags=["partners"])

PartnerName = Annotated[str, Path(min_length=2, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")]
RecordId = Annotated[str, Path(min_length=1, max_length=128)]
Sender = Annotated[Principal, Depends(require(Permission.reports_create))]
Confirmer = Annotated[Principal, Depends(require(Permission.reports_confirm))]


class PartnerReportStatus(BaseModel):
    """What became of a partner's report."""

    record_id: str = Field(description="The partner's own record id.")
    report_id: int
    incident_id: int
    incident_status: str = Field(description="new, triaged, dispatched, ... resolved.")
    public_status: str = Field(description="received, help_on_the_way, helped or closed.")
    is_merged: bool
    needs_confirmation: bool
    is_confirmed: bool | None
    received_at: datetime


class Confirmation(BaseModel):
    """A person's verdict on a machine source's report."""

    is_confirmed: bool = Field(description="True: someone is there; false: a false alarm.")


def _own_feed(principal: Principal, partner: str) -> None:
    # A partner reads and writes only its own feed; the name in the path is the key's.
    if principal.kind != "partner" or principal.name != partner:
        raise NotFoundError(f"partner feed {partner!r} not found")


@router.post(
    "/partners/{partner}/reports",
    status_code=status.HTTP_201_CREATED,
    response_model=ReportAccepted,
    dependencies=[Depends(throttle_intake)],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
        },
        "responses": {"400": {"description": "Malformed JSON."}},
    },
)
async def post_partner_report(
    partner: PartnerName,
    request: Request,
    principal: Sender,
    response: Response,
    session: SessionDep,
    clock: ClockDep,
    policy: TriagePolicyDep,
    travel: TravelDep,
) -> ReportAccepted:
    """Accept a report in the partner's own JSON shape (signed, like every partner change).

    The partner's record id makes it idempotent: a record sent again answers 200 with the
    first result. Machine sources' reports are held for a person's confirmation.
    """
    _own_feed(principal, partner)
    try:
        body: Any = json.loads(await request.body())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise MalformedFormError(f"the body is not JSON: {exc}") from None
    stored = request.state.partner
    mapping = (
        FeedMapping.model_validate(
            {
                **stored.field_mapping,
                "coordinate_system": stored.coordinate_system,
                "is_machine_source": stored.is_machine_source,
            }
        )
        if stored.field_mapping
        else None
    )
    result = receive_partner_report(
        session,
        body,
        partner_id=stored.id,
        mapping=mapping,
        clock=clock,
        policy=policy,
        travel=travel,
        scope=principal.scope,
    )
    if result.is_replay:
        response.status_code = status.HTTP_200_OK
        response.headers["Idempotent-Replayed"] = "true"
    return accepted(result)


@router.get("/partners/{partner}/reports/{record_id}", response_model=PartnerReportStatus)
def get_partner_report(
    partner: PartnerName, record_id: RecordId, principal: Sender, session: SessionDep
) -> PartnerReportStatus:
    """The outcome of a partner's report, by the partner's own record id (status pull)."""
    _own_feed(principal, partner)
    report, state = partner_report_status(session, principal.partner_id or 0, record_id)
    return PartnerReportStatus(
        record_id=record_id,
        report_id=report.id,
        incident_id=report.incident_id,
        incident_status=state,
        public_status=PUBLIC_STATUS[IncidentStatus(state)],
        is_merged=report.is_merged,
        needs_confirmation=report.needs_confirmation,
        is_confirmed=report.is_confirmed,
        received_at=report.received_at,
    )


@router.post("/reports/{report_id}/confirmation", response_model=PartnerReportStatus)
def post_confirmation(
    report_id: IdPath,
    data: Confirmation,
    principal: Confirmer,
    session: SessionDep,
    clock: ClockDep,
) -> PartnerReportStatus:
    """Confirm (someone is there) or reject (false alarm) a machine source's report."""
    report = report_by_id(session, report_id)
    require_in_jurisdiction(session, principal, report.region_code, f"report {report_id}")
    report = confirm_report(session, report_id, is_confirmed=data.is_confirmed, now=clock.now())
    _, state = partner_report_status(session, report.partner_id or 0, report.source_id or "")
    return PartnerReportStatus(
        record_id=report.source_id or "",
        report_id=report.id,
        incident_id=report.incident_id,
        incident_status=state,
        public_status=PUBLIC_STATUS[IncidentStatus(state)],
        is_merged=report.is_merged,
        needs_confirmation=report.needs_confirmation,
        is_confirmed=report.is_confirmed,
        received_at=report.received_at,
    )
