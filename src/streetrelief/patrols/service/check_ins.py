"""Check-ins: a team's proof of a visit, reports for people found, patrol figures."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from streetrelief.core.clock import Clock, check_not_future, ensure_utc
from streetrelief.core.errors import (
    ConflictError,
    IdempotencyKeyReusedError,
    InvalidInputError,
    NotFoundError,
)
from streetrelief.core.geo import check_lat_lon, haversine_m
from streetrelief.db.outbox import emit
from streetrelief.dispatch.travel import TravelTimeProvider
from streetrelief.intake.models import Channel
from streetrelief.intake.schemas import ReportCreate
from streetrelief.intake.service import receive_report
from streetrelief.patrols import repository
from streetrelief.patrols.models import (
    CheckIn,
    CheckInMethod,
    Hotspot,
    HotspotStatus,
)
from streetrelief.patrols.schemas import CheckInCreate
from streetrelief.patrols.service.register import require_hotspot
from streetrelief.regions.service import Scope, in_scope, require_region
from streetrelief.revisits.service import on_check_in
from streetrelief.teams.service import require_team, staff_count
from streetrelief.triage.policy import TriagePolicy

GEOFENCE_TOLERANCE_M = 50.0
"""Added to a hotspot's radius when checking a position: phone GPS in streets errs by up to
tens of metres, more between tall buildings (van Diggelen & Enge 2015, ION GNSS+)."""


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
    :data:`GEOFENCE_TOLERANCE_M`, or by the code posted at the place. The check-in completes
    the revisits the team holds near its position (the hotspot's centre when none is given).

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
    if data.lat is not None and data.lon is not None:
        on_check_in(session, row, data.lat, data.lon)
    else:
        on_check_in(session, row, hotspot.lat, hotspot.lon)
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
