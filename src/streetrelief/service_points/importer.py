"""Import service points from a CSV or GeoJSON file, creating new codes and updating known ones.

Owns what a service-point row means: the :class:`ServicePointCreate` field names as columns.
Reading the file and naming bad rows is left to :mod:`streetrelief.core.tabular`, validation to
the schema, and writing to the service-point services. It never commits; a bad row undoes the
whole file.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from streetrelief.core.tabular import ImportResult, Layout, Record, upsert_records
from streetrelief.service_points.models import Attribute, ServicePoint, ServicePointKind
from streetrelief.service_points.schemas import ServicePointCreate, ServicePointUpdate
from streetrelief.service_points.service import (
    create_service_point,
    list_service_points,
    update_service_point,
)

SERVICE_POINT_LAYOUT = Layout(
    required=("code", "name", "kind", "region_code", "lat", "lon"),
    optional=(
        "host",
        "address",
        "hours",
        "capacity",
        "funded_capacity",
        "occupancy",
        "is_active",
        "standby_level",
        "attributes",
        "languages",
        "requires_id",
    ),
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

    return _upsert(session, path, SERVICE_POINT_LAYOUT, _parse, now=now)


TORONTO_LAYOUT = Layout(
    required=("OBJECTID", "NAME", "ADDRESS_FU", "CAPACITY", "TYPE2", "lat", "lon"),
    optional=(
        "ADDRESS_PO",
        "POSTAL_COD",
        "MUNICIPALI",
        "CITY",
        "CENTRELINE",
        "WARD",
        "NEIGHBOURH",
        "NEIGHBOU_1",
        "COMMUNITY_",
        "CONFIDENTI",
        "MOTEL",
        "TYPE",
        "CITY_OP",
    ),
    point=("lat", "lon"),
)
"""City of Toronto "Homeless Shelter Locations" (Open Data Toronto, Feb 2012) as published."""

TORONTO_POPULATIONS = {
    "Single Men": [Attribute.men],
    "Single Women": [Attribute.women],
    "Family": [Attribute.families],
    "Youth": [Attribute.youth],
    "Mixed Adult": [Attribute.men, Attribute.women],
}
"""``TYPE2`` of the Toronto file to whom a shelter takes."""


def import_toronto_shelters(
    session: Session, path: Path, *, region_code: str, now: datetime
) -> ImportResult:
    """Load the City of Toronto's shelter locations file as relief stations of ``region_code``.

    Codes are ``TO-<OBJECTID>``; ``CAPACITY`` gives beds (``VARIES`` gives 0 beds: unknown, so
    the point is listed but not offered by the nearest-place query until staff give a figure);
    ``TYPE2`` gives whom it takes (:data:`TORONTO_POPULATIONS`); hours are 24/7 (Toronto's
    shelters are overnight residences). Re-importing changes nothing; all or nothing.

    Raises:
        ImportFileError: a malformed file or feature, an unknown ``TYPE2``, an unknown region.
        OSError: the file cannot be read.
    """

    def parse(record: Record) -> ServicePointCreate:
        v = record.values
        kind = str(v["TYPE2"])
        if kind not in TORONTO_POPULATIONS:
            raise record.error(
                f"TYPE2 {kind!r} is not one of {', '.join(sorted(TORONTO_POPULATIONS))}"
            )
        beds = str(v["CAPACITY"]).strip()
        place = ", ".join(str(v[k]) for k in ("ADDRESS_FU", "CITY", "POSTAL_COD") if k in v)
        return record.to_model(
            ServicePointCreate,
            {
                "code": f"TO-{v['OBJECTID']}",
                "name": v["NAME"],
                "kind": ServicePointKind.relief_station,
                "region_code": region_code,
                "lat": v["lat"],
                "lon": v["lon"],
                "address": place,
                "capacity": int(beds) if beds.isdigit() else 0,
                "funded_capacity": int(beds) if beds.isdigit() else None,
                "attributes": TORONTO_POPULATIONS[kind],
            },
        )

    return _upsert(session, path, TORONTO_LAYOUT, parse, now=now, columns=_TORONTO_SETS)


# The fields a Toronto feature sets on a known point.
_TORONTO_SETS = frozenset({"name", "address", "capacity", "funded_capacity", "attributes"})


def _upsert(
    session: Session,
    path: Path,
    layout: Layout,
    parse: Callable[[Record], ServicePointCreate],
    *,
    now: datetime,
    columns: frozenset[str] | None = None,
) -> ImportResult:
    def changes(record: Record, point: ServicePoint, data: ServicePointCreate) -> dict[str, object]:
        return _changes(record, point, data, columns)

    return upsert_records(
        session,
        path,
        layout,
        known={point.code: point for point in list_service_points(session)},
        parse=parse,
        changes=changes,
        create=lambda data: create_service_point(session, data, now=now),
        update=lambda point, changes: update_service_point(
            session, point.id, ServicePointUpdate.model_validate(changes), now=now
        ),
    )


def _parse(record: Record) -> ServicePointCreate:
    return record.to_model(ServicePointCreate)


def _changes(
    record: Record,
    point: ServicePoint,
    data: ServicePointCreate,
    columns: frozenset[str] | None = None,
) -> dict[str, object]:
    """The updatable fields the file sets (its columns, or ``columns``) to something other
    than what the point has."""
    moved = [name for name in _FIXED if getattr(point, name) != getattr(data, name)]
    if moved:
        raise record.error(
            f"service point {point.code} exists with another {', '.join(moved)}; "
            "those cannot be changed by an import"
        )
    wanted = data.model_dump(
        mode="json", include=set(_UPDATABLE & (record.columns if columns is None else columns))
    )
    return {name: value for name, value in wanted.items() if getattr(point, name) != value}
