"""Use cases of the duty roster: add shifts, say who is on duty, find hotline coverage gaps.

Owns the ``duty_shifts`` table and its rules: a shift ends after it starts, lasts at most a day,
names a known region and (optionally) a service point in that region, and a person is never on
two shifts at once. Which service points exist is asked of ``service_points.service``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from streetrelief.core.clock import ensure_utc
from streetrelief.core.errors import InvalidInputError, NotFoundError, ShiftOverlapError
from streetrelief.duty import repository
from streetrelief.duty.logic import coverage_gaps
from streetrelief.duty.models import DutyRole, DutyShift
from streetrelief.duty.schemas import CoverageGap, CoverageReport, ShiftCreate, ShiftRead
from streetrelief.regions.service import dispatch_area, require_region
from streetrelief.service_points.service import (
    find_service_point_by_code,
    service_point_codes,
)

COMMAND_CENTRE = "command_centre"
"""How a shift at a region's command centre (no service point) shows its station."""

MAX_GAP_WINDOW_H = 24 * 14
"""The longest look-ahead for coverage gaps: two weeks of roster."""


def add_shift(session: Session, data: ShiftCreate, *, now: datetime) -> DutyShift:
    """Put a shift on the roster.

    Args:
        data: the shift; times aware (stored in UTC).
        now: when it is added (aware).

    Returns:
        The stored shift.

    Raises:
        UnknownRegionError: no such region.
        NotFoundError: the station is not a known service point code.
        InvalidInputError: the station is a service point of another region's subtree.
        ShiftOverlapError: the person already has a shift overlapping this one.
    """
    region = require_region(session, data.region_code)
    point_id = None
    if data.station is not None:
        point = find_service_point_by_code(session, data.station)
        if point is None:
            raise NotFoundError(f"unknown service point {data.station}", field="station")
        point_region = require_region(session, point.region_code)
        if not point_region.path.startswith(region.path):
            raise InvalidInputError(
                f"service point {data.station} is not in region {data.region_code}",
                field="station",
            )
        point_id = point.id
    start, end = ensure_utc(data.start_at), ensure_utc(data.end_at)
    clash = repository.overlapping_for_person(session, data.person_name, start, end)
    if clash:
        other = clash[0]
        raise ShiftOverlapError(
            f"{data.person_name} is already on shift {other.id} "
            f"({other.start_at.isoformat()} to {other.end_at.isoformat()})",
            field="start_at",
            shift_id=other.id,
        )
    shift = DutyShift(
        region_code=data.region_code,
        service_point_id=point_id,
        role=data.role,
        person_name=data.person_name,
        contact=data.contact,
        start_at=start,
        end_at=end,
        created_at=ensure_utc(now),
    )
    session.add(shift)
    session.flush()
    return shift


def who_is_on_duty(
    session: Session, region_code: str, at: datetime, *, role: DutyRole | None = None
) -> list[DutyShift]:
    """The shifts in force at ``at`` in a region's subtree (start inclusive, end exclusive).

    Args:
        region_code: root of the subtree.
        at: aware moment.
        role: only this role when given.

    Returns:
        The shifts, by start then id.

    Raises:
        UnknownRegionError: no such region.
    """
    region = require_region(session, region_code)
    at = ensure_utc(at)
    return list(
        repository.overlapping(session, region.path, at, at + timedelta(microseconds=1), role=role)
    )


def shifts_between(
    session: Session, region_code: str, start: datetime, end: datetime
) -> list[DutyShift]:
    """Shifts in a region's subtree overlapping ``[start, end)``.

    Raises:
        UnknownRegionError: no such region.
    """
    region = require_region(session, region_code)
    return list(repository.overlapping(session, region.path, ensure_utc(start), ensure_utc(end)))


def coverage_report(
    session: Session,
    region_code: str,
    *,
    start: datetime,
    hours: int,
    role: DutyRole = DutyRole.hotline_operator,
) -> CoverageReport:
    """The periods of the next ``hours`` with nobody in ``role`` on duty in a region's subtree.

    The 24-hour hotline must be staffed at every moment, so any uncovered minute is a gap.

    Args:
        start: beginning of the window, aware (usually now).
        hours: length of the window, 1 to ``MAX_GAP_WINDOW_H``.
        role: the role whose coverage is checked; the hotline operator by default.

    Returns:
        The merged gaps, in UTC and in the region's local time.

    Raises:
        UnknownRegionError: no such region.
        InvalidInputError: ``hours`` out of range, or the region's time zone is unknown.
    """
    if not 1 <= hours <= MAX_GAP_WINDOW_H:
        raise InvalidInputError(f"hours must be 1 to {MAX_GAP_WINDOW_H}", field="hours")
    region = require_region(session, region_code)
    try:
        zone = ZoneInfo(region.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInputError(f"region {region.code} has an unknown time zone") from exc
    start = ensure_utc(start)
    end = start + timedelta(hours=hours)
    shifts = repository.overlapping(session, region.path, start, end, role=role)
    gaps = coverage_gaps(((s.start_at, s.end_at) for s in shifts), start, end)
    return CoverageReport(
        region_code=region.code,
        role=role,
        timezone=region.timezone,
        window_start_at=start,
        window_end_at=end,
        gaps=[
            CoverageGap(
                start_at=s,
                end_at=e,
                start_local=s.astimezone(zone).isoformat(),
                end_local=e.astimezone(zone).isoformat(),
                duration_s=int((e - s).total_seconds()),
            )
            for s, e in gaps
        ],
    )


def to_reads(session: Session, shifts: Sequence[DutyShift]) -> list[ShiftRead]:
    """The API shapes of shifts, each with its station's code."""
    codes = service_point_codes(
        session, {s.service_point_id for s in shifts if s.service_point_id is not None}
    )
    return [
        ShiftRead(
            id=s.id,
            region_code=s.region_code,
            service_point_id=s.service_point_id,
            station=COMMAND_CENTRE
            if s.service_point_id is None
            else codes.get(s.service_point_id, str(s.service_point_id)),
            role=s.role,
            person_name=s.person_name,
            contact=s.contact,
            start_at=s.start_at,
            end_at=s.end_at,
        )
        for s in shifts
    ]


def leaders_in_charge(session: Session, region_code: str, now: datetime) -> list[dict[str, object]]:
    """The leaders in charge on duty at ``now`` over the dispatch area of ``region_code``, as
    JSON-ready shift reads: the recipients of an escalation event.

    Raises:
        UnknownRegionError: no such region.
    """
    area = dispatch_area(session, region_code)
    shifts = who_is_on_duty(session, area.code, now, role=DutyRole.leader_in_charge)
    return [r.model_dump(mode="json") for r in to_reads(session, shifts)]
