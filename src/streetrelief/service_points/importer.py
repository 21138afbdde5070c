"""Import service points from a CSV or GeoJSON file, creating new codes and updating known ones.

Owns what a service-point row means: the :class:`ServicePointCreate` field names as columns.
Reading the file and naming bad rows is left to :mod:`streetrelief.core.tabular`, validation to
the schema, and writing to the service-point services. It never commits; a bad row undoes the
whole file.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from streetrelief.core.tabular import ImportResult, Layout, Record, upsert_records
from streetrelief.service_points.models import ServicePoint
from streetrelief.service_points.schemas import ServicePointCreate, ServicePointUpdate
from streetrelief.service_points.service import (
    create_service_point,
    list_service_points,
    update_service_point,
)

SERVICE_POINT_LAYOUT = Layout(
    required=("code", "name", "kind", "region_code", "lat", "lon"),
    optional=("host", "address", "hours", "capacity", "occupancy", "is_active"),
    point=("lat", "lon"),
)
"""Service-point file fields; a GeoJSON Point gives ``lat`` and ``lon``."""

_UPDATABLE = frozenset(ServicePointUpdate.model_fields)
# Fields that ServicePointUpdate cannot change: a file that moves a point is refused.
_FIXED = ("kind", "region_code", "lat", "lon")


def import_service_points(session: Session, path: Path, *, now: datetime) -> ImportResult:
    """Load the service points of one file: new codes are created, known ones brought up to date.

    Re-importing a file changes nothing. For a known point the fields the file has columns for
    are set from it (a blank cell sets the default), the others stay.

    Args:
        session: the unit of work; flushed, never committed.
        path: CSV whose columns are the ``ServicePointCreate`` fields (``code,name,kind,
            region_code,lat,lon`` required; ``host,address,hours,capacity,occupancy,is_active``
            optional), or a GeoJSON FeatureCollection of Points (``[lon, lat]``, WGS-84) with
            those properties.
        now: when the import happens (aware UTC).

    Returns:
        How many service points were created, updated and left unchanged.

    Raises:
        ImportFileError: a malformed file or row, an unknown region, occupancy over capacity,
            a repeated code, or a known point with another kind, region or location; names the
            file and line (or feature), and nothing of the file stays in the session.
        OSError: the file cannot be read.
    """

    return upsert_records(
        session,
        path,
        SERVICE_POINT_LAYOUT,
        known={point.code: point for point in list_service_points(session)},
        parse=_parse,
        changes=_changes,
        create=lambda data: create_service_point(session, data, now=now),
        update=lambda point, changes: update_service_point(
            session, point.id, ServicePointUpdate.model_validate(changes), now=now
        ),
    )


def _parse(record: Record) -> ServicePointCreate:
    return record.to_model(ServicePointCreate)


def _changes(record: Record, point: ServicePoint, data: ServicePointCreate) -> dict[str, object]:
    """The updatable fields the file sets to something other than what the point has."""
    moved = [name for name in _FIXED if getattr(point, name) != getattr(data, name)]
    if moved:
        raise record.error(
            f"service point {point.code} exists with another {', '.join(moved)}; "
            "those cannot be changed by an import"
        )
    wanted = data.model_dump(include=set(_UPDATABLE & record.columns))
    return {name: value for name, value in wanted.items() if getattr(point, name) != value}
