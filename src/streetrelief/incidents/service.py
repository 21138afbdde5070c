"""Use cases of incidents: open, merge reports in, apply triage, move through the lifecycle.

Dispatch and intake call these; they never write incident rows themselves.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from streetrelief.core.errors import NotFoundError
from streetrelief.core.geo import h3_cell, h3_cells_within
from streetrelief.db.outbox import emit
from streetrelief.incidents import repository
from streetrelief.incidents.lifecycle import CLOSED, check_transition
from streetrelief.incidents.merge import Situation, compare
from streetrelief.incidents.models import Incident, IncidentStatus
from streetrelief.incidents.schemas import (
    POINT_DECIMALS,
    IncidentMapProperties,
    IncidentQueue,
)
from streetrelief.regions.service import Scope, require_region
from streetrelief.triage.policy import MergeWindow, TriageDecision


@dataclass(frozen=True)
class MergeMatch:
    """An open incident a new report belongs to, and why."""

    incident: Incident
    distance_m: float
    gap_s: float
    reason: str


def require_incident(session: Session, incident_id: int, *, for_update: bool = False) -> Incident:
    """The incident with ``incident_id``.

    Raises:
        NotFoundError: no such incident.
    """
    incident = repository.get(session, incident_id, for_update=for_update)
    if incident is None:
        raise NotFoundError(f"incident {incident_id} not found", incident_id=incident_id)
    return incident


def find_merge_match(
    session: Session,
    lat: float,
    lon: float,
    at: datetime,
    window: MergeWindow,
    *,
    conditions: Collection[str] = (),
    people_count: int = 1,
) -> MergeMatch | None:
    """The nearest open incident that a report is the same situation as, if any.

    The rules are :func:`streetrelief.incidents.merge.compare` (distance allowed decaying with
    the gap, vulnerability flags that must agree, a tolerance on the number of people).
    """
    span = timedelta(seconds=window.window_s)
    candidates = repository.open_in_cells(
        session, h3_cells_within(lat, lon, window.radius_m), at - span, at + span
    )
    report = Situation(lat, lon, at, at, frozenset(conditions), people_count)
    best: MergeMatch | None = None
    for incident in candidates:
        verdict = compare(window, situation_of(incident), report)
        if not verdict.is_same:
            continue
        if best is None or (verdict.distance_m, incident.id) < (best.distance_m, best.incident.id):
            reason = f"same situation as incident {incident.id}: {verdict.reason}"
            best = MergeMatch(incident, verdict.distance_m, verdict.gap_s, reason)
    return best


def situation_of(incident: Incident) -> Situation:
    """What merging compares of an incident."""
    return Situation(
        incident.lat,
        incident.lon,
        incident.first_reported_at,
        incident.last_reported_at,
        frozenset(incident.conditions),
        incident.people_count,
    )


def open_incident(
    session: Session,
    *,
    region_code: str,
    lat: float,
    lon: float,
    channel: str,
    conditions: Sequence[str],
    people_count: int,
    reported_at: datetime,
    now: datetime,
) -> Incident:
    """Open a new incident at the place of its first report."""
    region = require_region(session, region_code)
    incident = Incident(
        region_code=region.code,
        lat=lat,
        lon=lon,
        h3_cell=h3_cell(lat, lon),
        status=IncidentStatus.new,
        is_open=True,
        first_channel=channel,
        conditions=sorted(set(conditions)),
        people_count=people_count,
        report_count=1,
        first_reported_at=reported_at,
        last_reported_at=reported_at,
        measures=[],
        triage_rules=[],
        created_at=now,
    )
    session.add(incident)
    session.flush()
    emit(
        session,
        type_="incident.opened",
        subject="incident",
        subject_id=incident.id,
        at=now,
        region_code=incident.region_code,
        payload={"status": incident.status, "channel": channel, "lat": lat, "lon": lon},
    )
    return incident


def add_report(
    session: Session,
    incident: Incident,
    *,
    report_id: int,
    conditions: Sequence[str],
    people_count: int,
    reported_at: datetime,
    now: datetime,
) -> bool:
    """Fold a merged report into its incident.

    Returns:
        True when the report brought conditions the incident did not have (triage again).
    """
    before = set(incident.conditions)
    incident.conditions = sorted(before | set(conditions))
    incident.people_count = max(incident.people_count, people_count)
    incident.report_count += 1
    incident.first_reported_at = min(incident.first_reported_at, reported_at)
    incident.last_reported_at = max(incident.last_reported_at, reported_at)
    emit(
        session,
        type_="incident.report_merged",
        subject="incident",
        subject_id=incident.id,
        at=now,
        region_code=incident.region_code,
        payload={"report_id": report_id, "report_count": incident.report_count},
    )
    return set(incident.conditions) != before


def apply_triage(
    session: Session, incident: Incident, decision: TriageDecision, now: datetime
) -> None:
    """Record a triage decision; a new incident becomes triaged, a later one is re-triaged."""
    if incident.status == IncidentStatus.new:
        check_transition(incident.status, IncidentStatus.triaged)
        incident.status = IncidentStatus.triaged
        incident.triaged_at = now
    incident.priority = decision.priority
    incident.measures = list(decision.measures)
    incident.destination = decision.destination
    incident.response_target_s = decision.response_target_s
    incident.triage_rules = list(decision.rules)
    incident.triage_policy_version = decision.policy_version
    emit(
        session,
        type_="incident.triaged",
        subject="incident",
        subject_id=incident.id,
        at=now,
        region_code=incident.region_code,
        payload={
            "status": incident.status,
            "priority": decision.priority,
            "rules": list(decision.rules),
            "measures": list(decision.measures),
        },
    )


def move_incident(
    session: Session,
    incident: Incident,
    target: IncidentStatus,
    at: datetime,
    *,
    note: str | None = None,
) -> None:
    """Step ``incident`` to ``target`` and stamp the step's time.

    Raises:
        IllegalTransitionError: the lifecycle does not allow the step.
    """
    check_transition(incident.status, target)
    incident.status = target
    setattr(incident, f"{target.value}_at", at)
    if target in CLOSED:
        incident.is_open = False
        incident.closing_note = note
    emit(
        session,
        type_=f"incident.{target.value}",
        subject="incident",
        subject_id=incident.id,
        at=at,
        region_code=incident.region_code,
        payload={"status": target, "note": note},
    )


def list_incidents(
    session: Session,
    *,
    region_code: str | None,
    status: IncidentStatus | None,
    is_open: bool | None,
    limit: int,
    offset: int,
    scope: Scope = None,
) -> Sequence[Incident]:
    """Incidents in the subtree of ``region_code`` (everywhere when None) and inside
    ``scope`` (a jurisdiction), newest first.

    Raises:
        UnknownRegionError: ``region_code`` is not a region.
    """
    path = require_region(session, region_code).path if region_code else None
    return repository.search(
        session,
        region_path=path,
        status=status,
        is_open=is_open,
        limit=limit,
        offset=offset,
        scope=scope,
    )


MAP_PROPERTIES = (
    "id",
    "region_code",
    "status",
    "is_open",
    "priority",
    "people_count",
    "report_count",
    "response_target_s",
)
"""Properties of a map feature taken as they are (``first_reported_at`` is written as ISO 8601)."""


def incident_map(
    session: Session,
    *,
    region_code: str | None,
    is_open: bool | None,
    limit: int,
    scope: Scope = None,
) -> str:
    """Incidents of a region subtree inside ``scope``, newest first, at most ``limit``: a
    GeoJSON FeatureCollection of points (RFC 7946; [lon, lat], WGS-84 degrees) shaped as
    ``schemas.IncidentFeatureCollection``, as JSON text.

    Written straight from the selected columns, without a model per incident: a region may
    hold thousands.

    Raises:
        UnknownRegionError: ``region_code`` is not a region.
    """
    path = require_region(session, region_code).path if region_code else None
    rows = repository.map_rows(session, region_path=path, is_open=is_open, limit=limit, scope=scope)
    features = [
        {
            "type": "Feature",
            "id": row["id"],
            "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
            "properties": {
                **{k: row[k] for k in MAP_PROPERTIES},
                "first_reported_at": row["first_reported_at"].isoformat(),
            },
        }
        for row in rows
    ]
    return json.dumps(
        {"type": "FeatureCollection", "features": features},
        ensure_ascii=False,
        separators=(",", ":"),
    )


def incident_queue(
    session: Session, *, region_code: str | None, limit: int, scope: Scope = None
) -> IncidentQueue:
    """The ``limit`` most urgent open incidents of a region subtree inside ``scope`` (by
    priority as ``PRIORITY_RANK`` orders them, untriaged last, then waiting longest first) and
    how many are open: the console's queue, small enough to come before the map.

    Raises:
        UnknownRegionError: ``region_code`` is not a region.
    """
    path = require_region(session, region_code).path if region_code else None
    rows = repository.queue_rows(session, region_path=path, limit=limit, scope=scope)
    return IncidentQueue(
        total=repository.open_count(session, region_path=path, scope=scope),
        items=[IncidentMapProperties.model_validate(row) for row in rows],
    )


def incident_points(
    session: Session, *, region_code: str | None, limit: int, scope: Scope = None
) -> str:
    """Open incidents of a region subtree inside ``scope``, newest first, at most ``limit``,
    as JSON text shaped as ``schemas.IncidentPoints``: ``[id, lon, lat, priority, status]``
    each, degrees rounded to ``POINT_DECIMALS`` decimals. About a seventh of the GeoJSON's
    size: what the console's map draws.

    Raises:
        UnknownRegionError: ``region_code`` is not a region.
    """
    path = require_region(session, region_code).path if region_code else None
    rows = repository.open_points(session, region_path=path, limit=limit, scope=scope)
    points = [
        (id_, round(lon, POINT_DECIMALS), round(lat, POINT_DECIMALS), priority, status)
        for id_, lon, lat, priority, status in rows
    ]
    return json.dumps({"points": points}, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class IncidentFigures:
    """Incident counts and report-to-arrival times for statistics."""

    incidents: int
    reports: int
    found_actively: int
    response_times_s: list[float]
    due: int
    on_time: int


def overdue_incidents(session: Session, *, now: datetime, scope: Scope = None) -> list[Incident]:
    """Open incidents past their response target that no team has reached, oldest first.

    The target is the triage policy's for the priority times the response level's
    ``response_target_factor`` when it was triaged, stored on the incident at triage.
    """
    return [
        i
        for i in repository.open_unreached(session, scope=scope)
        if i.response_target_s is not None
        and (now - i.first_reported_at).total_seconds() > i.response_target_s
    ]


def incident_figures(
    session: Session,
    region_path: str,
    start: datetime,
    end: datetime,
    *,
    active_channels: frozenset[str],
    now: datetime,
) -> IncidentFigures:
    """Figures over incidents first reported in a subtree and [start, end) (not cancelled).

    ``due`` counts incidents whose target has passed or that a team has reached; ``on_time``
    those reached within the target. An incident still waiting past its target is due and not
    on time, so open overdue incidents are never hidden.
    """
    rows = repository.first_reported_in(session, region_path, start, end)
    times: list[float] = []
    due = on_time = 0
    for _channel, first, on_scene, target, _reports in rows:
        waited = ((on_scene or now) - first).total_seconds()
        if on_scene is not None:
            times.append(waited)
        if target is None:
            continue
        if on_scene is not None or waited > target:
            due += 1
            on_time += on_scene is not None and waited <= target
    return IncidentFigures(
        incidents=len(rows),
        reports=sum(r for *_x, r in rows),
        found_actively=sum(1 for c, *_x in rows if c in active_channels),
        response_times_s=times,
        due=due,
        on_time=on_time,
    )


def summarise_reports(
    session: Session,
    incident: Incident,
    *,
    conditions: Collection[str],
    people_count: int,
    report_count: int,
    first_reported_at: datetime | None,
    last_reported_at: datetime | None,
    now: datetime,
    note: str,
) -> None:
    """Reset what an incident knows from its reports after a dispatcher moved one in or out;
    an incident left with no report is cancelled with ``note``."""
    if report_count == 0 or first_reported_at is None or last_reported_at is None:
        if incident.is_open:
            move_incident(session, incident, IncidentStatus.cancelled, now, note=note)
        incident.report_count = 0
        return
    incident.conditions = sorted(set(conditions))
    incident.people_count = people_count
    incident.report_count = report_count
    incident.first_reported_at = first_reported_at
    incident.last_reported_at = last_reported_at
