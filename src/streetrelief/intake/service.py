"""Intake: accept a report, make it idempotent, merge it or open an incident, triage it.

The report is stored exactly as received. A report that repeats an ``Idempotency-Key`` with
the same body returns the first answer; with another body it is refused.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from streetrelief.core.clock import Clock, check_not_future
from streetrelief.core.errors import (
    IdempotencyKeyReusedError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from streetrelief.core.geo import check_lat_lon, h3_cell
from streetrelief.core.idempotency import request_hash
from streetrelief.db.outbox import serialize_writers
from streetrelief.dispatch.service import auto_dispatch
from streetrelief.dispatch.travel import TravelTimeProvider
from streetrelief.incidents import service as incidents
from streetrelief.incidents.models import IncidentStatus
from streetrelief.intake import repository
from streetrelief.intake.models import Report
from streetrelief.intake.schemas import ReportCreate
from streetrelief.regions.models import Region
from streetrelief.regions.service import Scope, in_scope, locate_region, require_region
from streetrelief.triage.policy import TriagePolicy
from streetrelief.triage.service import triage_incident

MAX_REPORT_AGE = timedelta(days=30)
"""How far in the past a report's time may lie: older news of someone in the cold cannot be
acted on, and a partner's backfill older than a month belongs in an archive, not in dispatch."""


@dataclass(frozen=True)
class IntakeResult:
    """What happened to a report."""

    report: Report
    incident_id: int
    incident_status: str
    priority: str | None
    dispatch_id: int | None
    is_replay: bool


def receive_report(
    session: Session,
    data: ReportCreate,
    *,
    clock: Clock,
    policy: TriagePolicy,
    travel: TravelTimeProvider,
    idempotency_key: str | None = None,
    scope: Scope = None,
) -> IntakeResult:
    """Store a report, merge it into an open incident or open one, and triage.

    Args:
        data: the validated report (WGS-84).
        idempotency_key: the client's key; a repeat with the same body returns the first result.
        scope: the sender's jurisdiction; a report located outside it is refused.

    Raises:
        IdempotencyKeyReusedError: the key was used before with another body.
        UnknownRegionError: ``region_code`` is unknown.
        InvalidInputError: coordinates or time out of range, unknown condition codes, or no
            region near the location.
        PermissionDeniedError: the location lies outside ``scope``.
    """
    serialize_writers(session)
    digest = request_hash(data)
    if idempotency_key is not None:
        earlier = repository.by_idempotency_key(session, idempotency_key)
        if earlier is not None:
            if earlier.request_hash != digest:
                raise IdempotencyKeyReusedError(
                    "this Idempotency-Key was used before with a different body",
                    report_id=earlier.id,
                )
            incident = incidents.require_incident(session, earlier.incident_id)
            return IntakeResult(
                earlier, incident.id, incident.status, incident.priority, None, is_replay=True
            )

    check_lat_lon(data.lat, data.lon)
    now = clock.now()
    check_not_future(data.reported_at, now, "reported_at")
    if now - data.reported_at > MAX_REPORT_AGE:
        raise InvalidInputError(
            f"reported_at is more than {MAX_REPORT_AGE.days} days ago", field="reported_at"
        )
    unknown = set(data.conditions) - set(policy.conditions)
    if unknown:
        raise InvalidInputError(
            f"unknown condition codes {sorted(unknown)}; known: {sorted(policy.conditions)}",
            field="conditions",
        )
    region = _region_for(session, data)
    if not in_scope(region, scope):
        raise PermissionDeniedError(
            f"the report's location lies in {region.code}, outside the regions you may report in"
        )

    match = incidents.find_merge_match(session, data.lat, data.lon, data.reported_at, policy.merge)
    report = Report(
        channel=data.channel,
        reported_at=data.reported_at,
        received_at=now,
        lat=data.lat,
        lon=data.lon,
        h3_cell=h3_cell(data.lat, data.lon),
        region_code=region.code,
        description=data.description,
        conditions=list(data.conditions),
        people_count=data.people_count,
        source_id=data.source_id,
        reporter_contact=data.reporter_contact,
        address=data.address,
        idempotency_key=idempotency_key,
        request_hash=digest,
        tracking_code=secrets.token_urlsafe(12),
    )
    dispatch_id: int | None = None
    if match is not None:
        incident = match.incident
        report.incident_id = incident.id
        report.is_merged = True
        report.merge_reason = match.reason
        report.merge_distance_m = match.distance_m
        session.add(report)
        session.flush()
        changed = incidents.add_report(
            session,
            incident,
            report_id=report.id,
            conditions=data.conditions,
            people_count=data.people_count,
            reported_at=data.reported_at,
            now=now,
        )
        if changed:
            triage_incident(session, incident, policy=policy, now=now)
    else:
        incident = incidents.open_incident(
            session,
            region_code=region.code,
            lat=data.lat,
            lon=data.lon,
            channel=data.channel,
            conditions=data.conditions,
            people_count=data.people_count,
            reported_at=data.reported_at,
            now=now,
        )
        report.incident_id = incident.id
        session.add(report)
        session.flush()
        triage_incident(session, incident, policy=policy, now=now)
    if incident.status == IncidentStatus.triaged:
        dispatch = auto_dispatch(session, incident, policy=policy, travel=travel, now=now)
        dispatch_id = dispatch.id if dispatch is not None else None
    return IntakeResult(
        report, incident.id, incident.status, incident.priority, dispatch_id, is_replay=False
    )


def _region_for(session: Session, data: ReportCreate) -> Region:
    if data.region_code is not None:
        return require_region(session, data.region_code)
    region = locate_region(session, data.lat, data.lon)
    if region is None:
        raise InvalidInputError(
            "no region is known near this location; give region_code or import regions",
            field="region_code",
        )
    return region


def reports_for_incident(session: Session, incident_id: int) -> Sequence[Report]:
    """Reports of an incident, as received.

    Raises:
        NotFoundError: no such incident.
    """
    incidents.require_incident(session, incident_id)
    return repository.for_incident(session, incident_id)


PUBLIC_STATUS = {
    IncidentStatus.new: "received",
    IncidentStatus.triaged: "received",
    IncidentStatus.dispatched: "help_on_the_way",
    IncidentStatus.en_route: "help_on_the_way",
    IncidentStatus.on_scene: "help_on_the_way",
    IncidentStatus.resolved: "helped",
    IncidentStatus.not_found: "closed",
    IncidentStatus.cancelled: "closed",
}
"""What the public is told of an incident's progress: no more than received, help on the way,
helped or closed (no team, place, person or timing)."""


def public_status(session: Session, tracking_code: str) -> tuple[Report, str]:
    """A report and its public status, by the tracking code given to the reporter.

    Raises:
        NotFoundError: no report has that code.
    """
    report = repository.by_tracking_code(session, tracking_code)
    if report is None:
        raise NotFoundError("no report has this tracking code")
    incident = incidents.require_incident(session, report.incident_id)
    return report, PUBLIC_STATUS.get(IncidentStatus(incident.status), "received")
