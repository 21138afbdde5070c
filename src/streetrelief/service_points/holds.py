"""Referrals that hold a place, admissions and overflows: occupancy never above capacity
unless an overflow is recorded on purpose.

Every change of ``occupancy`` or ``held`` is one conditional UPDATE of the point's row
(``service_points.repository.take_places``), so concurrent admissions to the last place admit
exactly one on PostgreSQL and on SQLite (docs/adr/0007). A hold expires by itself: any hold,
admission or nearest query first expires the point's holds whose time is up, and the
``expire-holds`` job sweeps the rest.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from streetrelief.config import get_settings
from streetrelief.core.clock import ensure_utc
from streetrelief.core.errors import (
    HoldClosedError,
    InvalidInputError,
    NoFreePlaceError,
    NotFoundError,
    PointClosedError,
)
from streetrelief.db.outbox import emit
from streetrelief.regions.service import require_region
from streetrelief.response.levels import ResponseLevel
from streetrelief.response.tasks import playbook_for
from streetrelief.service_points import repository
from streetrelief.service_points.logic import is_open
from streetrelief.service_points.models import (
    CapacityOverflow,
    HoldStatus,
    ReferralHold,
    ServicePoint,
    ServicePointKind,
)
from streetrelief.service_points.schemas import AdmitRequest, HoldCreate
from streetrelief.service_points.service import require_service_point


def point_is_open(session: Session, point: ServicePoint, at: datetime) -> bool:
    """Whether ``point`` is open at ``at``: hours in its region's local time, and a standby
    point only once its region's response level reaches its standby level."""
    region = require_region(session, point.region_code)
    level = ResponseLevel[playbook_for(session, point.region_code, at).level]
    return is_open(
        is_active=point.is_active,
        standby_level=point.standby_level,
        hours=point.hours,
        at=at,
        timezone=region.timezone,
        level=int(level),
    )


def hold_place(
    session: Session, point_id: int, data: HoldCreate, *, by: str, now: datetime
) -> ReferralHold:
    """Hold ``places`` at a point for ``hold_ttl_s`` while a team brings the person.

    Raises:
        NotFoundError: no such point.
        InvalidInputError: the point is a warehouse.
        PointClosedError: the point is not open now.
        NoFreePlaceError: fewer free places than asked (capacity - occupancy - held).
    """
    now = ensure_utc(now)
    point = require_service_point(session, point_id)
    if point.kind == ServicePointKind.warehouse:
        raise InvalidInputError(f"{point.code} is a warehouse; it takes nobody in")
    expire_holds(session, now=now, point_id=point.id)
    if not point_is_open(session, point, now):
        raise PointClosedError(f"{point.code} is not open now; hold a place elsewhere")
    if not repository.take_places(session, point.id, hold=data.places, within_capacity=True):
        session.refresh(point)
        raise NoFreePlaceError(
            f"{point.code} has {max(0, point.capacity - point.occupancy - point.held)} free "
            f"place(s) of {point.capacity}; {data.places} asked",
            service_point_id=point.id,
        )
    hold = ReferralHold(
        service_point_id=point.id,
        person_id=data.person_id,
        team_id=data.team_id,
        incident_id=data.incident_id,
        places=data.places,
        status=HoldStatus.held,
        referred_by=by,
        held_at=now,
        expires_at=now + timedelta(seconds=get_settings().hold_ttl_s),
    )
    session.add(hold)
    _touched(session, point, now)
    session.flush()
    _emit(session, point, "service_point.place_held", now, hold_id=hold.id, places=data.places)
    return hold


def admit_hold(session: Session, hold_id: int, *, now: datetime) -> ReferralHold:
    """Admit the person a hold was kept for: the held places become occupied.

    Raises:
        NotFoundError: no such hold.
        HoldClosedError: the hold expired, was admitted or released already.
    """
    now = ensure_utc(now)
    hold = _require_hold(session, hold_id)
    if not repository.close_hold(session, hold.id, HoldStatus.admitted, now=now, unexpired=True):
        session.refresh(hold)
        state = "expired" if hold.status == HoldStatus.held else str(hold.status)
        raise HoldClosedError(
            f"hold {hold.id} is {state} (held until {hold.expires_at.isoformat()}); "
            "hold a place again",
            hold_id=hold.id,
        )
    repository.move_held_places(session, hold.service_point_id, hold.places, admit=True)
    point = require_service_point(session, hold.service_point_id)
    _touched(session, point, now)
    session.refresh(hold)
    _emit(session, point, "service_point.admitted", now, hold_id=hold.id, places=hold.places)
    return hold


def release_hold(session: Session, hold_id: int, *, now: datetime) -> ReferralHold:
    """Give a held place back (the person went elsewhere).

    Raises:
        NotFoundError: no such hold.
        HoldClosedError: the hold is no longer held.
    """
    now = ensure_utc(now)
    hold = _require_hold(session, hold_id)
    if not repository.close_hold(session, hold.id, HoldStatus.released, now=now, unexpired=False):
        raise HoldClosedError(f"hold {hold.id} is {hold.status}", hold_id=hold.id)
    repository.move_held_places(session, hold.service_point_id, hold.places, admit=False)
    _touched(session, require_service_point(session, hold.service_point_id), now)
    session.refresh(hold)
    return hold


def expire_holds(session: Session, *, now: datetime, point_id: int | None = None) -> int:
    """Expire the holds whose time is up (of one point, or all) and free their places.

    Safe to run twice and in two processes: each hold is closed by a conditional UPDATE and
    only the closer frees its places. Returns how many this call expired.
    """
    now = ensure_utc(now)
    expired = 0
    for hold in repository.due_holds(session, now, point_id):
        if repository.close_hold(session, hold.id, HoldStatus.expired, now=now, unexpired=False):
            repository.move_held_places(session, hold.service_point_id, hold.places, admit=False)
            expired += 1
    if expired:
        session.expire_all()
    return expired


def admit(
    session: Session, point_id: int, data: AdmitRequest, *, by: str, now: datetime
) -> ServicePoint:
    """Admit people who arrive without a hold (walk-ins, an encounter's admission).

    Within capacity (occupancy + held), or above it with ``overflow_reason``, which records a
    :class:`CapacityOverflow` for the places beyond capacity.

    Raises:
        NotFoundError: no such point.
        NoFreePlaceError: no free place and no overflow reason.
    """
    now = ensure_utc(now)
    point = require_service_point(session, point_id)
    expire_holds(session, now=now, point_id=point.id)
    if not repository.take_places(session, point.id, admit=data.places, within_capacity=True):
        if data.overflow_reason is None:
            session.refresh(point)
            raise NoFreePlaceError(
                f"{point.code} is full ({point.occupancy} in, {point.held} held, capacity "
                f"{point.capacity}); give overflow_reason to take people above capacity",
                service_point_id=point.id,
            )
        repository.take_places(session, point.id, admit=data.places, within_capacity=False)
        session.refresh(point)
        beyond = (
            point.occupancy
            + point.held
            - point.capacity
            - repository.overflow_places(session, point.id)
        )
        session.add(
            CapacityOverflow(
                service_point_id=point.id,
                places=max(1, min(data.places, beyond)),
                reason=data.overflow_reason,
                recorded_by=by,
                recorded_at=now,
            )
        )
    _touched(session, point, now)
    session.flush()
    session.refresh(point)
    _emit(session, point, "service_point.admitted", now, places=data.places)
    return point


def list_holds(session: Session, point_id: int, *, now: datetime) -> list[ReferralHold]:
    """A point's holds, newest first, after expiring those whose time is up.

    Raises:
        NotFoundError: no such point.
    """
    require_service_point(session, point_id)
    expire_holds(session, now=now, point_id=point_id)
    return list(repository.holds_of(session, point_id))


def hold_point_id(session: Session, hold_id: int) -> int:
    """The service point of a hold.

    Raises:
        NotFoundError: no such hold.
    """
    return _require_hold(session, hold_id).service_point_id


def _require_hold(session: Session, hold_id: int) -> ReferralHold:
    hold = repository.get_hold(session, hold_id)
    if hold is None:
        raise NotFoundError(f"hold {hold_id} not found", hold_id=hold_id)
    return hold


def _touched(session: Session, point: ServicePoint, now: datetime) -> None:
    session.refresh(point)
    point.occupancy_updated_at = now
    session.flush()


def _emit(
    session: Session, point: ServicePoint, type_: str, now: datetime, **payload: object
) -> None:
    emit(
        session,
        type_=type_,
        subject="service_point",
        subject_id=point.id,
        at=now,
        region_code=point.region_code,
        payload={
            "occupancy": point.occupancy,
            "held": point.held,
            "capacity": point.capacity,
            **payload,
        },
    )
