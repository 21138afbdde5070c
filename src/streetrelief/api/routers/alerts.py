"""CAP alerts: ingest a message, list stored alerts, read one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, status
from pydantic import AwareDatetime

from streetrelief.access.principal import Principal, require_region_visible
from streetrelief.access.roles import Permission
from streetrelief.api.deps import ClockDep, GeocodeTablesDep, IdPath, SessionDep
from streetrelief.api.security import require
from streetrelief.weather.schemas import AlertDetail, AlertIngested, AlertRead
from streetrelief.weather.service import ingest_alert_bytes, list_alerts, require_alert

router = APIRouter(prefix="/alerts", tags=["alerts"])

CapBody = Annotated[
    bytes,
    Body(
        media_type="application/cap+xml",
        description="One CAP 1.2 <alert> or an <alerts> collection, as received.",
    ),
]


@router.get("", response_model=list[AlertRead])
def get_alerts(
    principal: Annotated[Principal, Depends(require(Permission.alerts_read))],
    session: SessionDep,
    clock: ClockDep,
    region_code: Annotated[
        str | None, Query(max_length=32, description="Only alerts covering this subtree.")
    ] = None,
    active_at: Annotated[
        AwareDatetime | None, Query(description="Only alerts in force at this instant.")
    ] = None,
    active: Annotated[bool, Query(description="Only alerts in force now.")] = False,
) -> list[AlertRead]:
    """Stored alerts with their regions and state, newest first."""
    if region_code is not None:
        require_region_visible(session, principal, region_code)
    at = active_at if active_at is not None else (clock.now() if active else None)
    rows = list_alerts(session, region_code=region_code, active_at=at)
    return [AlertRead.model_validate(a) for a in rows]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=list[AlertIngested],
    dependencies=[Depends(require(Permission.alerts_ingest))],
)
def post_alerts(
    data: CapBody, session: SessionDep, clock: ClockDep, tables: GeocodeTablesDep
) -> list[AlertIngested]:
    """Ingest a CAP message; alerts stored before are reported as duplicates, unchanged.

    A message that does not parse is refused (422 ``invalid_cap_message``) and stores nothing.
    """
    return ingest_alert_bytes(session, data, source="api", now=clock.now(), tables=tables)


@router.get(
    "/{alert_id}",
    response_model=AlertDetail,
    dependencies=[Depends(require(Permission.alerts_read))],
)
def get_alert(alert_id: IdPath, session: SessionDep) -> AlertDetail:
    """One alert with its info blocks, areas, regions and state."""
    return AlertDetail.model_validate(require_alert(session, alert_id))
