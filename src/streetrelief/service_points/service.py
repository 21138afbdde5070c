"""Use cases of service points: create, update, list, count."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from streetrelief.core.errors import ConflictError, InvalidInputError, NotFoundError
from streetrelief.core.geo import h3_cell
from streetrelief.db.outbox import emit
from streetrelief.regions.service import Scope, require_region
from streetrelief.service_points import repository
from streetrelief.service_points.models import ServicePoint, ServicePointKind
from streetrelief.service_points.schemas import ServicePointCreate, ServicePointUpdate


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
        **data.model_dump(), h3_cell=h3_cell(data.lat, data.lon), created_at=now, updated_at=now
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

    Raises:
        NotFoundError: no such service point.
        InvalidInputError: occupancy would exceed capacity.
    """
    point = require_service_point(session, point_id)
    changes = data.model_dump(exclude_unset=True)
    capacity = changes.get("capacity", point.capacity)
    occupancy = changes.get("occupancy", point.occupancy)
    if occupancy > capacity:
        raise InvalidInputError(
            f"occupancy {occupancy} exceeds capacity {capacity}", field="occupancy"
        )
    for field, value in changes.items():
        setattr(point, field, value)
    point.updated_at = now
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
