"""Visits due in a shift and patrol plans: the factors in force, routing, replans; revisits of
people who refused help ride along as stops."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from streetrelief.core.clock import ensure_utc
from streetrelief.core.errors import (
    InvalidInputError,
    NotFoundError,
)
from streetrelief.db.outbox import emit
from streetrelief.dispatch.travel import TravelTimeProvider
from streetrelief.patrols import logic, repository
from streetrelief.patrols.logic import HolidayCalendar
from streetrelief.patrols.models import (
    CheckIn,
    Hotspot,
    HotspotStatus,
    PatrolPlan,
    PatrolStop,
    PlanStatus,
)
from streetrelief.patrols.routing import (
    SOLVER_NAME,
    PlanningProblem,
    Stop,
    Vehicle,
    solve_plan,
)
from streetrelief.patrols.schemas import (
    PlanRead,
    PlanRequest,
    StopRead,
)
from streetrelief.regions.models import Region
from streetrelief.regions.service import Scope, require_region
from streetrelief.response.tasks import playbook_for
from streetrelief.revisits.models import Revisit
from streetrelief.revisits.service import hold_for_plan, revisits_to_plan
from streetrelief.teams.models import Team, TeamStatus
from streetrelief.teams.service import list_teams, require_team

MISSED_WINDOW = "its window passed before the replan"

REVISIT_SERVICE_S = 900
"""Time planned at a revisit, seconds (15 min: find the person, talk, offer help again; a
streetrelief campaign choice, 2026-11-30)."""


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

    Open revisits no team holds, due before the shift ends (and on a replan those the replaced
    plan gave a team), are stops too: to be reached by their due time (any time in the shift
    when already due), :data:`REVISIT_SERVICE_S` each. The team whose route takes one holds it
    (``revisits.service.hold_for_plan``).

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
    held: set[int] = set()
    if request.replans_id is not None:
        old = session.get(PatrolPlan, request.replans_id)
        if old is None or old.region_code != region.code:
            raise NotFoundError(f"patrol plan {request.replans_id} not found in {region.code}")
        planned_from = min(max(now, start), end)
        done = _visits_made(session, due, until=planned_from)
        held = repository.planned_revisit_ids(session, old.id)
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
    revisits = {f"r{r.id}": r for r in revisits_to_plan(session, region.code, end=end, also=held)}
    stops += [_revisit_stop(key, r, planned_from, end) for key, r in revisits.items()]
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
        message=result.message
        if due or revisits
        else "no visits are due: no active hotspot needs one",
        replans_id=request.replans_id,
        created_at=now,
    )
    session.add(plan)
    session.flush()
    rows = list(kept)
    windows = {s.key: s for s in stops}
    for route in result.routes:
        team_id = int(route.vehicle_key)
        for seq, pv in enumerate(route.visits, start=1):
            if pv.key in revisits:
                row = _revisit_row(windows[pv.key], revisits[pv.key], team_id=team_id)
                hold_for_plan(session, revisits[pv.key], team_id, plan_id=plan.id, now=now)
            else:
                row = _stop_row(due[int(pv.key)], team_id=team_id)
            row.sequence, row.arrive_at = seq, pv.arrive_at
            rows.append(row)
    rows += [
        _revisit_row(windows[u.key], revisits[u.key], reason=u.reason)
        if u.key in revisits
        else _stop_row(due[int(u.key)], reason=u.reason)
        for u in result.unassigned
    ]
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


def _revisit_stop(key: str, revisit: Revisit, planned_from: datetime, end: datetime) -> Stop:
    latest = revisit.due_at if planned_from < revisit.due_at < end else end
    return Stop(key, revisit.lat, revisit.lon, planned_from, latest, REVISIT_SERVICE_S)


def _revisit_row(
    stop: Stop, revisit: Revisit, *, team_id: int | None = None, reason: str | None = None
) -> PatrolStop:
    return PatrolStop(
        revisit_id=revisit.id,
        team_id=team_id,
        earliest_at=stop.earliest_at,
        latest_at=stop.latest_at,
        service_s=stop.service_s,
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
