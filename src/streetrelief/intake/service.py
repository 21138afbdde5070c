"""Intake: accept a report, make it idempotent, merge it or open an incident, triage it.

The report is stored exactly as received. A report that repeats an ``Idempotency-Key`` with
the same body returns the first answer; with another body it is refused.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from streetrelief.core.clock import Clock, check_not_future
from streetrelief.core.datum import to_wgs84
from streetrelief.core.errors import (
    ConflictError,
    IdempotencyKeyReusedError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from streetrelief.core.geo import h3_cell
from streetrelief.core.idempotency import request_hash
from streetrelief.db.outbox import emit, serialize_writers
from streetrelief.dispatch.service import auto_dispatch
from streetrelief.dispatch.travel import TravelTimeProvider
from streetrelief.incidents import service as incidents
from streetrelief.incidents.models import Incident, IncidentStatus
from streetrelief.intake import repository
from streetrelief.intake.models import Report
from streetrelief.intake.partner_feed import FeedMapping, map_report
from streetrelief.intake.schemas import ReportCreate
from streetrelief.regions.address import parse_address
from streetrelief.regions.models import Region
from streetrelief.regions.service import (
    Scope,
    existing_region_codes,
    in_scope,
    locate_region,
    require_region,
)
from streetrelief.triage.policy import TriagePolicy
from streetrelief.triage.service import triage_incident

MAX_REPORT_AGE = timedelta(days=30)
"""How far in the past a report's time may lie: older news of someone in the cold cannot be
acted on, and a partner's backfill older than a month belongs in an archive, not in dispatch."""


class LocationOutsideRegionsError(InvalidInputError):
    """A report whose place lies in no region of the tree: it is refused, never filed under a
    default region."""

    code = "location_outside_regions"


@dataclass(frozen=True)
class ReportSource:
    """Who handed a report in, beyond its channel: a partner system and whether it is a
    machine (camera, sensor) whose reports wait for a person's confirmation, or a registered
    social reporter."""

    partner_id: int | None = None
    is_machine_source: bool = False
    social_reporter_id: int | None = None
    """The registered social reporter the report is credited to."""
    location_note: str | None = None
    """Set by a channel that placed the report itself (e.g. at a region centre)."""


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
    source: ReportSource | None = None,
) -> IntakeResult:
    """Store a report, merge it into an open incident or open one, and triage.

    Args:
        data: the validated report (WGS-84).
        idempotency_key: the client's key; a repeat with the same body returns the first result.
        scope: the sender's jurisdiction; a report located outside it is refused.
        source: the partner system behind the report, if any.

    Coordinates are converted to WGS-84 from the datum the report declares
    (:mod:`streetrelief.core.datum`). The region comes from ``region_code``, else from the
    coordinates (boundary, else nearest centre); when the address names another region the
    report keeps the coordinates' region and says so in ``location_note`` for the dispatcher.
    Reports from machine sources are stored and merged but never dispatched automatically.

    Raises:
        IdempotencyKeyReusedError: the key was used before with another body.
        UnknownRegionError: ``region_code`` is unknown.
        InvalidInputError: coordinates impossible (out of range, NaN, swapped) or time out of
            range, or unknown condition codes.
        LocationOutsideRegionsError: no region of the tree holds the location.
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

    source = source or ReportSource()
    lat, lon = to_wgs84(data.lat, data.lon, data.coordinate_system)
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
    region = _region_for(session, data, lat, lon)
    location_note = source.location_note or _address_mismatch(session, data, region)
    if not in_scope(region, scope):
        raise PermissionDeniedError(
            f"the report's location lies in {region.code}, outside the regions you may report in"
        )

    match = incidents.find_merge_match(
        session,
        lat,
        lon,
        data.reported_at,
        policy.merge,
        conditions=data.conditions,
        people_count=data.people_count,
    )
    report = Report(
        channel=data.channel,
        reported_at=data.reported_at,
        received_at=now,
        lat=lat,
        lon=lon,
        h3_cell=h3_cell(lat, lon),
        source_crs=data.coordinate_system.value,
        source_lat=data.lat,
        source_lon=data.lon,
        service_code=data.service_code,
        media_url=data.media_url,
        location_note=location_note,
        partner_id=source.partner_id,
        social_reporter_id=source.social_reporter_id,
        needs_confirmation=source.is_machine_source,
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
            lat=lat,
            lon=lon,
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
    if incident.status == IncidentStatus.triaged and not report.needs_confirmation:
        dispatch = auto_dispatch(session, incident, policy=policy, travel=travel, now=now)
        dispatch_id = dispatch.id if dispatch is not None else None
    return IntakeResult(
        report, incident.id, incident.status, incident.priority, dispatch_id, is_replay=False
    )


def _region_for(session: Session, data: ReportCreate, lat: float, lon: float) -> Region:
    if data.region_code is not None:
        return require_region(session, data.region_code)
    region = locate_region(session, lat, lon)
    if region is None:
        raise LocationOutsideRegionsError(
            f"({lat:.5f}, {lon:.5f}) lies in no known region; check the coordinates and their "
            "coordinate_system, or give region_code",
            field="lat/lon",
        )
    return region


def _address_mismatch(session: Session, data: ReportCreate, region: Region) -> str | None:
    """A note when the address names a region of the tree that neither contains nor lies in
    the region found from the coordinates; None when they agree or the address names none."""
    if not data.address or data.region_code is not None:
        return None
    named = parse_address(data.address).finest_code
    if named is None or not existing_region_codes(session, [named]):
        return None
    other = require_region(session, named)
    if region.path.startswith(other.path) or other.path.startswith(region.path):
        return None
    return (
        f"address names {other.name} ({other.code}) but the coordinates lie in "
        f"{region.name} ({region.code}); check with the reporter"
    )


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


@dataclass(frozen=True)
class AddressPlacement:
    """Where a report that came with an address but no coordinates is placed."""

    point: tuple[float, float]
    """(lat, lon) of the region centre, WGS-84 degrees."""
    note: str


def place_from_address(session: Session, address: str) -> AddressPlacement | None:
    """The centre of the finest region of the tree that a Chinese address names, with a note
    that the place is approximate; None when the address names no region with a centre."""
    named = parse_address(address)
    codes = [c for c in (named.county_code, named.prefecture_code, named.province_code) if c]
    stored = existing_region_codes(session, codes)
    for code in codes:
        if code not in stored:
            continue
        region = require_region(session, code)
        if region.lat is not None and region.lon is not None:
            return AddressPlacement(
                (region.lat, region.lon),
                f"no coordinates: placed at the centre of {region.name} ({region.code}) from "
                "the address; ask the reporter where exactly",
            )
    return None


class FeedNotConfiguredError(ConflictError):
    """A partner that sends its own JSON before an administrator has mapped it."""

    code = "feed_not_configured"


def receive_partner_report(
    session: Session,
    body: object,
    *,
    partner_id: int,
    mapping: FeedMapping | None,
    clock: Clock,
    policy: TriagePolicy,
    travel: TravelTimeProvider,
    scope: Scope,
) -> IntakeResult:
    """Receive a partner's own report JSON through its mapping.

    The partner's record id (mapped to ``source_id``) makes the report idempotent: the same
    record sent again answers the first result, whatever else changed in the body.

    Raises:
        FeedNotConfiguredError: (409) the partner has no mapping yet.
        InvalidInputError: the body does not map to a valid report (see ``map_report``).
        and what :func:`receive_report` raises.
    """
    if mapping is None:
        raise FeedNotConfiguredError(
            "this partner's field mapping is not set; ask the administrator "
            "(`streetrelief partners feed NAME mapping.json`)"
        )
    data = map_report(mapping, body)
    earlier = repository.by_partner_record(session, partner_id, data.source_id or "")
    if earlier is not None:
        incident = incidents.require_incident(session, earlier.incident_id)
        return IntakeResult(
            earlier, incident.id, incident.status, incident.priority, None, is_replay=True
        )
    return receive_report(
        session,
        data,
        clock=clock,
        policy=policy,
        travel=travel,
        scope=scope,
        source=ReportSource(partner_id=partner_id, is_machine_source=mapping.is_machine_source),
    )


def partner_report_status(session: Session, partner_id: int, source_id: str) -> tuple[Report, str]:
    """A partner's report by its own record id, with the incident's status (the lifecycle
    word: new, triaged, dispatched, ... resolved).

    Raises:
        NotFoundError: the partner sent no such record.
    """
    report = repository.by_partner_record(session, partner_id, source_id)
    if report is None:
        raise NotFoundError(f"no report with record id {source_id!r} from this partner")
    return report, incidents.require_incident(session, report.incident_id).status


def confirm_report(
    session: Session, report_id: int, *, is_confirmed: bool, now: datetime
) -> Report:
    """Record a person's verdict on a machine source's report: seen (True) or false alarm.

    Raises:
        NotFoundError: no such report.
        ConflictError: the report needs no confirmation, or has its verdict already.
    """
    report = report_by_id(session, report_id)
    if not report.needs_confirmation:
        raise ConflictError("this report is not from a machine source; nothing to confirm")
    if report.is_confirmed is not None:
        raise ConflictError("this report was confirmed or rejected already")
    report.is_confirmed = is_confirmed
    report.confirmed_at = now
    emit(
        session,
        type_="report.confirmed" if is_confirmed else "report.rejected",
        subject="report",
        subject_id=report.id,
        at=now,
        region_code=report.region_code,
        payload={"incident_id": report.incident_id},
    )
    return report


def report_by_id(session: Session, report_id: int) -> Report:
    """The report with ``report_id``.

    Raises:
        NotFoundError: no such report.
    """
    report = repository.get(session, report_id)
    if report is None:
        raise NotFoundError(f"report {report_id} not found")
    return report


MOVE_NOTE_MAX = 300
"""Longest dispatcher's note kept with a moved report, characters (the reason column holds
400 with the prefix)."""


def move_report(
    session: Session,
    report_id: int,
    *,
    to_incident_id: int | None,
    by: str,
    note: str,
    policy: TriagePolicy,
    now: datetime,
) -> Report:
    """A dispatcher's merge by hand, or its undo: move a report into another open incident, or
    (``to_incident_id`` None) out into a new incident of its own. Both incidents are recounted
    from their reports and triaged again; one left without reports is cancelled. The report
    keeps who moved it and why.

    Raises:
        NotFoundError: no such report or incident.
        ConflictError: the target is the report's own incident or is closed.
    """
    serialize_writers(session)
    report = report_by_id(session, report_id)
    source = incidents.require_incident(session, report.incident_id, for_update=True)
    if to_incident_id == source.id:
        raise ConflictError("the report is in that incident already", field="incident_id")
    if to_incident_id is None:
        target = incidents.open_incident(
            session,
            region_code=report.region_code,
            lat=report.lat,
            lon=report.lon,
            channel=report.channel,
            conditions=report.conditions,
            people_count=report.people_count,
            reported_at=report.reported_at,
            now=now,
        )
    else:
        target = incidents.require_incident(session, to_incident_id, for_update=True)
        if not target.is_open:
            raise ConflictError(f"incident {target.id} is closed", field="incident_id")
    report.incident_id = target.id
    report.is_merged = to_incident_id is not None
    action = "merged by hand" if to_incident_id is not None else "split out by hand"
    report.merge_reason = f"{action} by {by}: {note[:MOVE_NOTE_MAX]}"
    report.merge_distance_m = None
    session.flush()
    for incident in (source, target):
        _recount(session, incident, now=now, note=f"its reports were moved to {target.id}")
        if incident.is_open:
            triage_incident(session, incident, policy=policy, now=now)
    emit(
        session,
        type_="report.moved",
        subject="report",
        subject_id=report.id,
        at=now,
        region_code=report.region_code,
        payload={"from_incident_id": source.id, "to_incident_id": target.id, "by": by},
    )
    return report


def _recount(session: Session, incident: Incident, *, now: datetime, note: str) -> None:
    reports = repository.for_incident(session, incident.id)
    incidents.summarise_reports(
        session,
        incident,
        conditions={c for r in reports for c in r.conditions},
        people_count=max((r.people_count for r in reports), default=0),
        report_count=len(reports),
        first_reported_at=min((r.reported_at for r in reports), default=None),
        last_reported_at=max((r.reported_at for r in reports), default=None),
        now=now,
        note=note,
    )


def machine_report_figures(
    session: Session, region_path: str, start: datetime, end: datetime
) -> tuple[int, int, int]:
    """(machine-source reports, judged by a person, confirmed) in a subtree over [start, end);
    confirmed over judged is the sources' confirmation rate."""
    return repository.machine_report_counts(session, region_path, start, end)


HELPED = IncidentStatus.resolved
"""The incident status whose public word is ``helped``."""


def credited_counts(session: Session, reporter_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """Per social reporter id: (reports credited, of them that led to people helped)."""
    return repository.credited_counts(session, reporter_ids, HELPED.value)


def credited_figures(
    session: Session, region_path: str, start: datetime, end: datetime
) -> dict[int, tuple[int, int]]:
    """Per social reporter id: (credited reports reported in the subtree over [start, end), of
    them that led to people helped)."""
    return repository.credited_in_period(session, region_path, start, end, HELPED.value)


def credited_reports(session: Session, reporter_id: int, *, limit: int) -> list[tuple[Report, str]]:
    """A social reporter's reports, newest first, each with its public status
    (``PUBLIC_STATUS``): received, help_on_the_way, helped or closed."""
    return [
        (report, PUBLIC_STATUS.get(IncidentStatus(status), "received"))
        for report, status in repository.credited_reports(session, reporter_id, limit)
    ]
