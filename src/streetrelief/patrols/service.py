"""Use cases of patrolling: the hotspot register, visits due, planning, check-ins, coverage.

Teams, response levels, reports and regions are asked through their own services; the rules
are in :mod:`.logic`, the solver in :mod:`.routing`, OSM reading in :mod:`.osm`.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from streetrelief.core.clock import Clock, check_not_future, ensure_utc
from streetrelief.core.errors import (
    ConflictError,
    IdempotencyKeyReusedError,
    ImportFileError,
    InvalidInputError,
    NotFoundError,
)
from streetrelief.core.geo import check_lat_lon, h3_cell, haversine_m
from streetrelief.core.tabular import ImportResult, Layout, Record, upsert_records
from streetrelief.db.outbox import emit
from streetrelief.dispatch.travel import TravelTimeProvider
from streetrelief.intake.models import Channel
from streetrelief.intake.schemas import ReportCreate
from streetrelief.intake.service import receive_report
from streetrelief.patrols import logic, repository
from streetrelief.patrols.logic import HolidayCalendar
from streetrelief.patrols.models import (
    CheckIn,
    CheckInMethod,
    Hotspot,
    HotspotKind,
    HotspotStatus,
    PatrolPlan,
    PatrolStop,
    PlanStatus,
)
from streetrelief.patrols.osm import read_candidates
from streetrelief.patrols.routing import (
    SOLVER_NAME,
    PlanningProblem,
    Stop,
    Vehicle,
    solve_plan,
)
from streetrelief.patrols.schemas import (
    CheckInCreate,
    CoverageComparison,
    CoverageReport,
    HotspotCoverage,
    HotspotCreate,
    HotspotRead,
    HotspotUpdate,
    PlanRead,
    PlanRequest,
    RegionChange,
    RegionCoverage,
    StopRead,
)
from streetrelief.regions.models import Region
from streetrelief.regions.service import Scope, in_scope, require_region
from streetrelief.response.tasks import playbook_for
from streetrelief.teams.models import Team, TeamStatus
from streetrelief.teams.service import list_teams, require_team, staff_count
from streetrelief.triage.policy import TriagePolicy

GEOFENCE_TOLERANCE_M = 50.0
"""Added to a hotspot's radius when checking a position: phone GPS in streets errs by up to
tens of metres, more between tall buildings (van Diggelen & Enge 2015, ION GNSS+)."""
MISSED_WINDOW = "its window passed before the replan"

HOTSPOT_LAYOUT = Layout(
    required=("code", "name", "kind", "region_code", "lat", "lon"),
    optional=(
        "radius_m",
        "interval_s",
        "active_hours",
        "service_s",
        "check_in_code",
        "notes",
        "status",
        "source",
    ),
    point=("lat", "lon"),
)
"""Hotspot file fields (the :class:`HotspotCreate` names); a GeoJSON Point gives lat and lon."""


# --- register -----------------------------------------------------------------------------


def require_hotspot(session: Session, hotspot_id: int) -> Hotspot:
    """The hotspot with ``hotspot_id``.

    Raises:
        NotFoundError: no such hotspot.
    """
    hotspot = session.get(Hotspot, hotspot_id)
    if hotspot is None:
        raise NotFoundError(f"hotspot {hotspot_id} not found", hotspot_id=hotspot_id)
    return hotspot


def create_hotspot(session: Session, data: HotspotCreate, *, now: datetime) -> Hotspot:
    """Add a hotspot.

    Raises:
        ConflictError: the code is taken.
        UnknownRegionError: the region does not exist.
    """
    require_region(session, data.region_code)
    if repository.hotspots_by_code(session, [data.code]):
        raise ConflictError(f"hotspot code {data.code} is taken", field="code")
    hotspot = Hotspot(
        **data.model_dump(), h3_cell=h3_cell(data.lat, data.lon), created_at=now, updated_at=now
    )
    session.add(hotspot)
    session.flush()
    emit(
        session,
        type_="hotspot.created",
        subject="hotspot",
        subject_id=hotspot.id,
        at=now,
        region_code=hotspot.region_code,
        payload={"status": hotspot.status, "kind": hotspot.kind},
    )
    return hotspot


def update_hotspot(
    session: Session, hotspot_id: int, data: HotspotUpdate, *, now: datetime
) -> Hotspot:
    """Change a hotspot; a dispatcher activates a reviewed candidate by setting its status.

    Raises:
        NotFoundError: no such hotspot.
    """
    hotspot = require_hotspot(session, hotspot_id)
    changes = data.model_dump(exclude_unset=True)
    for name, value in changes.items():
        setattr(hotspot, name, value)
    hotspot.updated_at = now
    session.flush()
    emit(
        session,
        type_="hotspot.updated",
        subject="hotspot",
        subject_id=hotspot.id,
        at=now,
        region_code=hotspot.region_code,
        payload={"fields": sorted(changes)},
    )
    return hotspot


def list_hotspots(
    session: Session,
    *,
    region_code: str | None = None,
    kind: HotspotKind | None = None,
    status: HotspotStatus | None = None,
    scope: Scope = None,
) -> Sequence[Hotspot]:
    """Hotspots of a region subtree (all when None) inside ``scope``, by code.

    Raises:
        UnknownRegionError: ``region_code`` is not a region.
    """
    path = require_region(session, region_code).path if region_code else None
    return repository.hotspots(session, path, kind=kind, status=status, scope=scope)


def hotspot_read(hotspot: Hotspot, *, now: datetime) -> HotspotRead:
    """The API shape of a hotspot, with its next due time judged at ``now``."""
    last = hotspot.last_visited_at
    next_due = None if last is None else last + timedelta(seconds=hotspot.interval_s)
    fields = set(HotspotRead.model_fields) - {"next_due_at", "is_overdue"}
    values = {name: getattr(hotspot, name) for name in fields}
    return HotspotRead.model_validate(
        {**values, "next_due_at": next_due, "is_overdue": next_due is None or next_due < now}
    )


def import_hotspots(session: Session, path: Path, *, now: datetime) -> ImportResult:
    """Load hotspots from a CSV or GeoJSON file: new codes created, known ones updated.

    Args:
        path: CSV with the :class:`HotspotCreate` field names as columns (``code,name,kind,
            region_code,lat,lon`` required), or a GeoJSON FeatureCollection of Points
            (``[lon, lat]``, WGS-84) with those properties.

    Returns:
        Counts of hotspots created, updated and unchanged.

    Raises:
        ImportFileError: a malformed file or row, naming the file and row; nothing is kept.
        OSError: the file cannot be read.
    """
    updatable = frozenset(HotspotUpdate.model_fields)

    def changes(record: Record, hotspot: Hotspot, data: HotspotCreate) -> dict[str, object]:
        moved = [
            n for n in ("region_code", "lat", "lon") if getattr(hotspot, n) != getattr(data, n)
        ]
        if moved:
            raise record.error(
                f"hotspot {hotspot.code} exists with another {', '.join(moved)}; "
                "those cannot be changed by an import"
            )
        wanted = data.model_dump(include=set(updatable & record.columns))
        return {k: v for k, v in wanted.items() if getattr(hotspot, k) != v}

    return upsert_records(
        session,
        path,
        HOTSPOT_LAYOUT,
        known={h.code: h for h in repository.hotspots(session)},
        parse=lambda record: record.to_model(HotspotCreate),
        changes=changes,
        create=lambda data: create_hotspot(session, data, now=now),
        update=lambda hotspot, diff: update_hotspot(
            session, hotspot.id, HotspotUpdate.model_validate(diff), now=now
        ),
    )


def import_osm(session: Session, path: Path, *, region_code: str, now: datetime) -> ImportResult:
    """Add the hotspot candidates of an OSM extract to a region, for review.

    New places become ``candidate`` hotspots; places already in the register (by
    ``osm:<type>/<id>`` code) are left as they are, so a review is never undone.

    Raises:
        ImportFileError: the file is unreadable or has no matching features.
        UnknownRegionError: no such region.
    """
    require_region(session, region_code)
    found = read_candidates(path)
    if not found:
        raise ImportFileError(
            f"{path}: no station, bridge, culvert, underpass, building site, abandoned building "
            "or park features found (see the OSM tags in the README)",
            path=str(path),
        )
    known = {h.code for h in repository.hotspots_by_code(session, [c.code for c in found])}
    result = ImportResult(path)
    for c in found:
        if c.code in known:
            result.unchanged += 1
            continue
        data = HotspotCreate(
            code=c.code,
            name=c.name[:200],
            kind=c.kind,
            region_code=region_code,
            lat=c.lat,
            lon=c.lon,
            radius_m=c.radius_m,
            status=HotspotStatus.candidate,
            source=c.source[:200],
        )
        create_hotspot(session, data, now=now)
        result.created += 1
    return result


# --- visits due and planning ----------------------------------------------------------------


@dataclass(frozen=True)
class ShiftContext:
    """What scales a shift's visits: the level's multiplier and the holiday in force."""

    level: str
    patrol_multiplier: float
    holiday_factor: float
    holiday: str | None


def shift_context(
    session: Session, region: Region, at: datetime, calendar: HolidayCalendar
) -> ShiftContext:
    """The response level's patrol multiplier and the holiday factor at ``at`` in ``region``."""
    playbook = playbook_for(session, region.code, at)
    factor, holiday = calendar.factor_on(at.astimezone(ZoneInfo(region.timezone)).date())
    return ShiftContext(playbook.level, playbook.patrol_multiplier, factor, holiday)


def effective_interval(hotspot: Hotspot, context: ShiftContext, at: datetime) -> int:
    """The hotspot's interval at ``at`` after level, holiday and recent findings, seconds."""
    recent = hotspot.last_found_at is not None and at - hotspot.last_found_at <= (
        logic.RECENT_FINDINGS_WINDOW
    )
    return logic.effective_interval_s(
        hotspot.interval_s,
        level_multiplier=context.patrol_multiplier,
        holiday_factor=context.holiday_factor,
        has_recent_findings=recent,
    )


def visits_due(
    session: Session,
    region_code: str,
    start: datetime,
    end: datetime,
    calendar: HolidayCalendar,
) -> tuple[list[logic.DueVisit], ShiftContext]:
    """The visits the active hotspots of a region subtree need during [start, end).

    Raises:
        UnknownRegionError: no such region.
        InvalidInputError: ``end`` is not after ``start``, or the shift is longer than a day.
    """
    if end <= start:
        raise InvalidInputError("the shift must end after it starts", field="shift_end_at")
    if end - start > timedelta(days=1):
        raise InvalidInputError("a shift lasts at most 24 hours", field="shift_end_at")
    region = require_region(session, region_code)
    context = shift_context(session, region, start, calendar)
    tz = ZoneInfo(region.timezone)
    due: list[logic.DueVisit] = []
    for h in repository.hotspots(session, region.path, status=HotspotStatus.active):
        spans = logic.active_spans(logic.parse_active_hours(h.active_hours), start, end, tz)
        due += logic.visits_due(
            h.id,
            spans=spans,
            interval_s=effective_interval(h, context, start),
            service_s=h.service_s,
        )
    return due, context


def plan_patrols(
    session: Session,
    request: PlanRequest,
    *,
    travel: TravelTimeProvider,
    calendar: HolidayCalendar,
    now: datetime,
    scope: Scope = None,
) -> PatrolPlan:
    """Plan a shift: visits due, routed over the shift's teams; stored with every left-out
    visit and its reason. A replan keeps the visits already made and plans the rest from now.

    Raises:
        UnknownRegionError: no such region.
        InvalidInputError: a bad shift, or a team outside the region.
        NotFoundError: an unknown team or plan to replan.
    """
    start, end = ensure_utc(request.shift_start_at), ensure_utc(request.shift_end_at)
    due, context = visits_due(session, request.region_code, start, end, calendar)
    region = require_region(session, request.region_code)
    teams = _shift_teams(session, region, request.team_ids, scope)
    planned_from = start
    done: dict[int, CheckIn] = {}
    if request.replans_id is not None:
        old = session.get(PatrolPlan, request.replans_id)
        if old is None or old.region_code != region.code:
            raise NotFoundError(f"patrol plan {request.replans_id} not found in {region.code}")
        planned_from = min(max(now, start), end)
        done = _visits_made(session, due, until=planned_from)
    hotspots = {h.id: h for h in repository.hotspots(session, region.path)}
    stops: list[Stop] = []
    kept: list[PatrolStop] = []
    for i, visit in enumerate(due):
        if i in done:
            kept.append(_stop_row(visit, team_id=done[i].team_id, check_in=done[i]))
        elif visit.latest_at < planned_from:
            kept.append(_stop_row(visit, reason=MISSED_WINDOW))
        else:
            h = hotspots[visit.hotspot_id]
            stops.append(
                Stop(str(i), h.lat, h.lon, visit.earliest_at, visit.latest_at, visit.service_s)
            )
    vehicles = [
        Vehicle(
            key=str(t.id),
            base=(t.base_lat, t.base_lon),
            start_at=planned_from,
            end_at=end,
            mode=t.mode,
            start=(t.last_lat, t.last_lon) if request.replans_id is not None else None,
        )
        for t in teams
    ]
    result = solve_plan(PlanningProblem(stops, vehicles), travel, time_limit_s=request.time_limit_s)
    plan = PatrolPlan(
        region_code=region.code,
        shift_start_at=start,
        shift_end_at=end,
        planned_from_at=planned_from,
        status=PlanStatus.partial if result.is_partial else PlanStatus.complete,
        level=context.level,
        patrol_multiplier=context.patrol_multiplier,
        holiday=context.holiday,
        solver=SOLVER_NAME,
        time_limit_s=request.time_limit_s,
        message=result.message if due else "no visits are due: no active hotspot needs one",
        replans_id=request.replans_id,
        created_at=now,
    )
    session.add(plan)
    session.flush()
    rows = list(kept)
    for route in result.routes:
        for seq, pv in enumerate(route.visits, start=1):
            row = _stop_row(due[int(pv.key)], team_id=int(route.vehicle_key))
            row.sequence, row.arrive_at = seq, pv.arrive_at
            rows.append(row)
    rows += [_stop_row(due[int(u.key)], reason=u.reason) for u in result.unassigned]
    for row in rows:
        row.plan_id = plan.id
    session.add_all(rows)
    session.flush()
    emit(
        session,
        type_="patrol_plan.created",
        subject="patrol_plan",
        subject_id=plan.id,
        at=now,
        region_code=plan.region_code,
        payload={"status": plan.status, "unassigned": len(result.unassigned)},
    )
    return plan


def _shift_teams(
    session: Session, region: Region, team_ids: list[int] | None, scope: Scope
) -> list[Team]:
    if team_ids is None:
        rows = list_teams(session, region_code=region.code, scope=scope)
        return [t for t in rows if t.status != TeamStatus.off_duty]
    teams = []
    for team_id in dict.fromkeys(team_ids):
        team = require_team(session, team_id)
        if not require_region(session, team.region_code).path.startswith(region.path):
            raise InvalidInputError(f"team {team_id} is not in {region.code}", field="team_ids")
        teams.append(team)
    return teams


def _visits_made(
    session: Session, due: Sequence[logic.DueVisit], *, until: datetime
) -> dict[int, CheckIn]:
    """Due visits (by index) that a check-in inside their window already made."""
    made: dict[int, CheckIn] = {}
    used: set[int] = set()
    rows = repository.check_ins(session, {v.hotspot_id for v in due}, until=until)
    by_hotspot: dict[int, list[CheckIn]] = defaultdict(list)
    for c in rows:
        by_hotspot[c.hotspot_id].append(c)
    for i, visit in enumerate(due):
        for c in by_hotspot[visit.hotspot_id]:
            if c.id not in used and visit.earliest_at <= c.checked_in_at <= visit.latest_at:
                made[i] = c
                used.add(c.id)
                break
    return made


def _stop_row(
    visit: logic.DueVisit,
    *,
    team_id: int | None = None,
    check_in: CheckIn | None = None,
    reason: str | None = None,
) -> PatrolStop:
    return PatrolStop(
        hotspot_id=visit.hotspot_id,
        team_id=team_id,
        earliest_at=visit.earliest_at,
        latest_at=visit.latest_at,
        service_s=visit.service_s,
        check_in_id=None if check_in is None else check_in.id,
        arrive_at=None if check_in is None else check_in.checked_in_at,
        reason=reason,
    )


def require_plan(session: Session, plan_id: int) -> PatrolPlan:
    """The plan with ``plan_id``.

    Raises:
        NotFoundError: no such plan.
    """
    plan = session.get(PatrolPlan, plan_id)
    if plan is None:
        raise NotFoundError(f"patrol plan {plan_id} not found", plan_id=plan_id)
    return plan


def list_plans(
    session: Session, *, region_code: str | None = None, scope: Scope = None
) -> Sequence[PatrolPlan]:
    """The 50 newest plans of a region subtree (all when None) inside ``scope``.

    Raises:
        UnknownRegionError: ``region_code`` is not a region.
    """
    path = require_region(session, region_code).path if region_code else None
    return repository.plans(session, path, scope=scope)


def plan_reads(session: Session, plans: Sequence[PatrolPlan]) -> list[PlanRead]:
    """The API shapes of plans, with their stops."""
    by_plan: dict[int, list[StopRead]] = defaultdict(list)
    for s in repository.stops(session, [p.id for p in plans]):
        by_plan[s.plan_id].append(StopRead.model_validate(s))
    fields = set(PlanRead.model_fields) - {"stops"}
    return [
        PlanRead.model_validate({**{f: getattr(p, f) for f in fields}, "stops": by_plan[p.id]})
        for p in plans
    ]


# --- check-ins ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckInResult:
    """A check-in (with the report and incident it made, if people were found), and whether
    it repeats an earlier request."""

    check_in: CheckIn
    is_replay: bool


def check_in(
    session: Session,
    hotspot_id: int,
    data: CheckInCreate,
    *,
    clock: Clock,
    policy: TriagePolicy,
    travel: TravelTimeProvider,
    idempotency_key: str | None = None,
    scope: Scope = None,
) -> CheckInResult:
    """Record a team's visit; people found become a report on the ``patrol`` channel.

    The team proves its presence by a position within the hotspot's radius plus
    :data:`GEOFENCE_TOLERANCE_M`, or by the code posted at the place.

    Raises:
        NotFoundError: no such hotspot or team.
        ConflictError: the hotspot is not active.
        InvalidInputError: a position outside the geofence, a wrong code, a time in the future.
        IdempotencyKeyReusedError: the key was used before with another body.
        PermissionDeniedError: the report's location lies outside ``scope``.
    """
    digest = hashlib.sha256(
        json.dumps(data.model_dump(mode="json"), sort_keys=True).encode()
    ).hexdigest()
    if idempotency_key is not None:
        earlier = repository.check_in_by_key(session, idempotency_key)
        if earlier is not None:
            if earlier.request_hash != digest or earlier.hotspot_id != hotspot_id:
                raise IdempotencyKeyReusedError(
                    "this Idempotency-Key was used before with a different body"
                )
            return CheckInResult(earlier, is_replay=True)
    hotspot = require_hotspot(session, hotspot_id)
    if hotspot.status != HotspotStatus.active:
        raise ConflictError(f"hotspot {hotspot_id} is {hotspot.status}, not active")
    team = require_team(session, data.team_id)
    if not in_scope(require_region(session, team.region_code), scope):
        raise NotFoundError(f"team {data.team_id} not found", team_id=data.team_id)
    now = clock.now()
    at = ensure_utc(data.checked_in_at)
    check_not_future(at, now, "checked_in_at")
    method, distance = _proof(hotspot, data)
    row = CheckIn(
        hotspot_id=hotspot.id,
        team_id=team.id,
        region_code=hotspot.region_code,
        checked_in_at=at,
        received_at=now,
        method=method,
        lat=data.lat,
        lon=data.lon,
        distance_m=distance,
        people_found=data.people_found,
        conditions=list(data.conditions),
        note=data.note,
        staff_count=staff_count(session, team.id),
        idempotency_key=idempotency_key,
        request_hash=digest,
    )
    session.add(row)
    session.flush()
    if hotspot.last_visited_at is None or at > hotspot.last_visited_at:
        hotspot.last_visited_at = at
    if data.people_found:
        intake = receive_report(
            session,
            ReportCreate(
                channel=Channel.patrol,
                reported_at=at,
                lat=data.lat if data.lat is not None else hotspot.lat,
                lon=data.lon if data.lon is not None else hotspot.lon,
                description=data.note or f"found on patrol at {hotspot.name}",
                conditions=data.conditions,
                people_count=data.people_found,
                source_id=f"check-in {row.id}",
                region_code=hotspot.region_code,
            ),
            clock=clock,
            policy=policy,
            travel=travel,
            scope=scope,
        )
        row.report_id = intake.report.id
        row.incident_id = intake.incident_id
        if hotspot.last_found_at is None or at > hotspot.last_found_at:
            hotspot.last_found_at = at
    session.flush()
    emit(
        session,
        type_="check_in.created",
        subject="hotspot",
        subject_id=hotspot.id,
        at=now,
        region_code=hotspot.region_code,
        payload={"check_in_id": row.id, "team_id": team.id, "people_found": data.people_found},
    )
    return CheckInResult(row, is_replay=False)


def _proof(hotspot: Hotspot, data: CheckInCreate) -> tuple[CheckInMethod, float | None]:
    distance = None
    if data.lat is not None and data.lon is not None:
        check_lat_lon(data.lat, data.lon)
        distance = haversine_m(hotspot.lat, hotspot.lon, data.lat, data.lon)
    if data.code is not None:
        if hotspot.check_in_code is None or not secrets.compare_digest(
            data.code.encode(), hotspot.check_in_code.encode()
        ):
            raise InvalidInputError("the code does not match the one posted here", field="code")
        return CheckInMethod.code, distance
    fence = hotspot.radius_m + GEOFENCE_TOLERANCE_M
    if distance is None or distance > fence:
        raise InvalidInputError(
            f"the position is {distance:.0f} m from the hotspot, outside its {fence:.0f} m "
            "geofence; check in there or give the posted code",
            field="lat",
        )
    return CheckInMethod.geofence, distance


def patrol_figures(
    session: Session, region_path: str, start: datetime, end: datetime, tz: ZoneInfo
) -> tuple[int, int]:
    """(check-ins, patrol person-times) in a subtree over [start, end).

    A team's staff count once per night (local noon to noon) in which it checked in, however
    many hotspots it visited: 巡查人次 counts people sent out, not places seen.
    """
    rows = repository.check_ins_between(session, region_path, start, end)
    nights: dict[tuple[int, date], int] = {}
    for c in rows:
        night = (c.checked_in_at.astimezone(tz) - timedelta(hours=12)).date()
        nights[(c.team_id, night)] = max(nights.get((c.team_id, night), 0), c.staff_count)
    return len(rows), sum(nights.values())


# --- coverage -------------------------------------------------------------------------------


def coverage_report(
    session: Session,
    region_code: str,
    night: date,
    *,
    calendar: HolidayCalendar,
    scope: Scope = None,
) -> CoverageReport:
    """Coverage of the active hotspots of a region subtree over one night.

    Each hotspot's interval is its effective one at the night's start (level, holiday, recent
    findings); see :func:`logic.coverage` for when a hotspot is overdue.

    Raises:
        UnknownRegionError: no such region.
    """
    region = require_region(session, region_code)
    tz = ZoneInfo(region.timezone)
    start, end = logic.night_bounds(night, tz)
    context = shift_context(session, region, start, calendar)
    spots = [
        h
        for h in repository.hotspots(session, region.path, scope=scope)
        if h.status == HotspotStatus.active
    ]
    times: dict[int, list[datetime]] = defaultdict(list)
    for c in repository.check_ins(session, [h.id for h in spots], until=end):
        times[c.hotspot_id].append(c.checked_in_at)
    items = []
    for h in spots:
        interval = effective_interval(h, context, start)
        cov = logic.coverage(h.id, times[h.id], start=start, end=end, interval_s=interval)
        items.append(
            HotspotCoverage(
                hotspot_id=h.id,
                name=h.name,
                kind=h.kind,
                region_code=h.region_code,
                lat=h.lat,
                lon=h.lon,
                interval_s=interval,
                visits=cov.visits,
                last_visited_at=cov.last_visited_at,
                longest_gap_s=cov.longest_gap_s,
                is_visited=cov.is_visited,
                is_overdue=cov.is_overdue,
            )
        )
    return CoverageReport(
        region_code=region.code,
        night=night,
        start=start,
        end=end,
        hotspots=items,
        regions=_by_region(items),
    )


def _by_region(items: Sequence[HotspotCoverage]) -> list[RegionCoverage]:
    groups: dict[str, list[HotspotCoverage]] = defaultdict(list)
    for item in items:
        groups[item.region_code].append(item)
    out = []
    for code in sorted(groups):
        group = groups[code]
        within = sum(not i.is_overdue for i in group)
        out.append(
            RegionCoverage(
                region_code=code,
                hotspots=len(group),
                visited=sum(i.is_visited for i in group),
                overdue=len(group) - within,
                check_ins=sum(i.visits for i in group),
                share_within_interval=within / len(group),
            )
        )
    return out


def compare_coverage(before: CoverageReport, after: CoverageReport) -> CoverageComparison:
    """Two nights' coverage side by side, with the change per region."""
    old = {r.region_code: r for r in before.regions}
    new = {r.region_code: r for r in after.regions}
    change = []
    for code in sorted(old.keys() | new.keys()):
        a, b = old.get(code), new.get(code)
        share = None
        if a and b and a.share_within_interval is not None and b.share_within_interval is not None:
            share = b.share_within_interval - a.share_within_interval
        change.append(
            RegionChange(
                region_code=code,
                visited_change=(b.visited if b else 0) - (a.visited if a else 0),
                overdue_change=(b.overdue if b else 0) - (a.overdue if a else 0),
                share_change=share,
            )
        )
    return CoverageComparison(before=before, after=after, change=change)


def coverage_geojson(report: CoverageReport) -> dict[str, object]:
    """The coverage as a GeoJSON FeatureCollection of Points (``[lon, lat]``), one per hotspot."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": item.hotspot_id,
                "geometry": {"type": "Point", "coordinates": [item.lon, item.lat]},
                "properties": item.model_dump(mode="json", exclude={"lat", "lon"}),
            }
            for item in report.hotspots
        ],
    }


def hotspots_geojson(items: Sequence[HotspotRead]) -> dict[str, object]:
    """Hotspots as a GeoJSON FeatureCollection of Points (``[lon, lat]``)."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": item.id,
                "geometry": {"type": "Point", "coordinates": [item.lon, item.lat]},
                "properties": item.model_dump(mode="json", exclude={"lat", "lon"}),
            }
            for item in items
        ],
    }
