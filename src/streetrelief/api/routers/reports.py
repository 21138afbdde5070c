"""Reports in: ``POST /api/v1/reports``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response, status

from streetrelief.api.deps import ClockDep, IdPath, SessionDep, TravelDep, TriagePolicyDep
from streetrelief.intake.schemas import ReportAccepted, ReportCreate, ReportRead
from streetrelief.intake.service import receive_report, reports_for_incident

router = APIRouter(tags=["reports"])


@router.post("/reports", status_code=status.HTTP_201_CREATED, response_model=ReportAccepted)
def post_report(
    data: ReportCreate,
    response: Response,
    session: SessionDep,
    clock: ClockDep,
    policy: TriagePolicyDep,
    travel: TravelDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> ReportAccepted:
    """Accept a report: it merges into an open incident nearby or opens a new one.

    A repeated ``Idempotency-Key`` with the same body answers 200 with the first result; with a
    different body, 422 ``idempotency_key_reused``.
    """
    result = receive_report(
        session, data, clock=clock, policy=policy, travel=travel, idempotency_key=idempotency_key
    )
    if result.is_replay:
        response.status_code = status.HTTP_200_OK
        response.headers["Idempotent-Replayed"] = "true"
    r = result.report
    return ReportAccepted(
        report_id=r.id,
        incident_id=result.incident_id,
        is_merged=r.is_merged,
        merge_reason=r.merge_reason,
        region_code=r.region_code,
        incident_status=result.incident_status,
        priority=result.priority,
        dispatch_id=result.dispatch_id,
    )


@router.get("/incidents/{incident_id}/reports", response_model=list[ReportRead])
def get_incident_reports(incident_id: IdPath, session: SessionDep) -> list[ReportRead]:
    """Reports that point to an incident, oldest first (reporter contact left out)."""
    return [ReportRead.model_validate(r) for r in reports_for_incident(session, incident_id)]
