"""Use cases of service points: create, update, list, count, show with free places.

Owns the ``service_points`` table. Occupancy and held places change here (staff counts) and in
``service_points.holds`` (referrals and admissions), never elsewhere.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from streetrelief.config import get_settings
from streetrelief.core.errors import ConflictError, InvalidInputError, NotFoundError
from streetrelief.core.geo import h3_cell
from streetrelief.db.outbox import emit
from streetrelief.regions.service import Scope, regions_by_code, require_region
from streetrelief.service_points import repository
from streetrelief.service_points.models import ServicePoint, ServicePointKind
from streetrelief.service_points.schemas import (
    ServicePointCreate,
    ServicePointRead,
    ServicePointUpdate,
)

_OCCUPANCY_FIELDS = frozenset({"occupancy"})


def new_revision() -> int:
    """A fresh random revision, 1 to 2**31 - 1 (a portable INTEGER; sums of 40,000 fit 64 bits).

    Random rather than counted, so that no two versions of the points share the index key,
    even across rolled-back transactions that reuse ids or counts.
    """
    return secrets.randbelow(2**31 - 1) + 1


def require_service_point(session: Session, point_id: int) -> ServicePoint:
    """The service point with ``point_id``.

    Raises:
        NotFoundError: no such service point.
    """
    point = repository.get(session, point_id)
    if point is None:
        raise NotFoundError(f"service point {point_id} not found", service_point_id=point_id)
    return point


def find_service_point_by_code(session: Session, code: str) -> ServicePoint | None:
    """The service point with ``code``, or None."""
    return repository.by_code(session, code)


def service_point_codes(session: Session, point_ids: set[int]) -> dict[int, str]:
    """The codes of the service points with ``point_ids``, by id (unknown ids left out)."""
    return {p.id: p.code for p in repository.by_ids(session, point_ids)}


def point_read(point: ServicePoint, *, now: datetime) -> ServicePointRead:
    """The API shape of a point: ``free`` = capacity - occupancy - held (at least 0), and
    ``is_stale`` when occupancy is older than ``occupancy_stale_after_s`` (or never given)."""
    stale_after = timedelta(seconds=get_settings().occupancy_stale_after_s)
    updated = point.occupancy_updated_at
    values = {
        name: getattr(point, name)
        for name in ServicePointRead.model_fields
        if name not in ("free", "is_stale")
    }
    return ServicePointRead.model_validate(
        {
            **values,
            "free": max(0, point.capacity - point.occupancy - point.held),
            "is_stale": updated is None or now - updated > stale_after,
        }
    )


def create_service_point(
    session: Session, data: ServicePointCreate, *, now: datetime
) -> ServicePoint:
    """Add a service point.

    Raises:
        ConflictError: the code is taken.
        UnknownRegionError: the region does not exist.
    """
    require_region(session, data.region_code)
    if repository.by_code(session, data.code) is not None:
        raise ConflictError(f"service point code {data.code} is taken", field="code")
    point = ServicePoint(
        **data.model_dump(mode="json"),
        h3_cell=h3_cell(data.lat, data.lon),
        held=0,
        revision=new_revision(),
        created_at=now,
        updated_at=now,
        occupancy_updated_at=now if "occupancy" in data.model_fields_set else None,
    )
    session.add(point)
    session.flush()
    emit(
        session,
        type_="service_point.created",
        subject="service_point",
        subject_id=point.id,
        at=now,
        region_code=point.region_code,
        payload={"code": point.code, "kind": point.kind, "capacity": point.capacity},
    )
    return point


def update_service_point(
    session: Session, point_id: int, data: ServicePointUpdate, *, now: datetime
) -> ServicePoint:
    """Change a service point's details, hours, capacity or occupancy.

    A change of occupancy alone stamps ``occupancy_updated_at`` and leaves ``updated_at`` and
    ``revision`` (the nearest index's key) alone. Occupancy plus held places may exceed
    capacity only by the places of overflows still recorded (``service_points.holds.admit``);
    once occupancy is back within capacity those overflows are cleared.

    Raises:
        NotFoundError: no such service point.
        InvalidInputError: occupancy (with the places held) would exceed capacity.
    """
    point = require_service_point(session, point_id)
    changes = data.model_dump(exclude_unset=True, mode="json")
    capacity = changes.get("capacity", point.capacity)
    occupancy = changes.get("occupancy", point.occupancy)
    allowed = capacity + repository.overflow_places(session, point.id)
    if occupancy + point.held > allowed:
        held = f" with {point.held} held for referrals" if point.held else ""
        raise InvalidInputError(
            f"occupancy {occupancy}{held} exceeds capacity {capacity}; record an overflow "
            "by admitting with a reason",
            field="occupancy",
        )
    for field, value in changes.items():
        setattr(point, field, value)
    if "occupancy" in changes:
        point.occupancy_updated_at = now
    if set(changes) - _OCCUPANCY_FIELDS:
        point.updated_at = now
        point.revision = new_revision()
    if point.occupancy <= point.capacity:
        repository.clear_overflows(session, point.id, now=now)
    emit(
        session,
        type_="service_point.updated",
        subject="service_point",
        subject_id=point.id,
        at=now,
        region_code=point.region_code,
        payload={
            "fields": sorted(changes),
            "occupancy": point.occupancy,
            "capacity": point.capacity,
        },
    )
    return point


def list_service_points(
    session: Session,
    *,
    region_code: str | None = None,
    kind: ServicePointKind | None = None,
    scope: Scope = None,
) -> Sequence[ServicePoint]:
    """Service points in the subtree of ``region_code`` (all when None) inside ``scope``.

    Raises:
        UnknownRegionError: ``region_code`` is not a region.
    """
    path = require_region(session, region_code).path if region_code else None
    return repository.in_region(session, path, kind=kind, scope=scope)


def count_set_up(session: Session, region_path: str, at: datetime) -> int:
    """Active service points in a subtree set up before ``at``."""
    return repository.count_active_by(session, region_path, at)


def open_data(
    session: Session, *, region_code: str | None = None, scope: Scope = None
) -> tuple[Sequence[ServicePoint], dict[str, str]]:
    """The points of a subtree (all when None) inside ``scope``, and their regions' country
    codes, for the open-data exports (``service_points.hsds``).

    Raises:
        UnknownRegionError: ``region_code`` is not a region.
    """
    points = list_service_points(session, region_code=region_code, scope=scope)
    regions = regions_by_code(session, {p.region_code for p in points})
    return points, {code: r.country_code for code, r in regions.items()}
