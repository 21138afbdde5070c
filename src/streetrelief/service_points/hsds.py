"""Open data out: service points as Open Referral HSDS tables and as GeoJSON.

HSDS is the Human Services Data Specification of Open Referral, version 3.1
(https://docs.openreferral.org/en/3.1/, schema files in github.com/openreferral/specification
``schema/*.json``). We write its tabular form: ``organization``, ``service``, ``location``,
``address``, ``service_at_location``, ``schedule``, ``service_capacity`` and ``unit``, one CSV
per table in a zip with a Frictionless ``datapackage.json``. One service point is one location
with one service (its shelter or help) at it; the host (or, without one, the publisher) is the
organization. Identifiers are UUIDs derived from our codes (UUID 5), so an export is stable
from one run to the next. Hours stay in OpenStreetMap syntax in ``schedule.description``; a
24/7 point also gets the weekly RRULE fields. Warehouses are not a human service and are left
out. Capacity is ``service_capacity`` (``maximum`` = capacity, ``available`` = free places,
``updated`` = when occupancy was last given).
"""

from __future__ import annotations

import csv
import io
import json
import uuid
import zipfile
from collections.abc import Sequence
from datetime import datetime

from streetrelief.service_points.models import ServicePoint, ServicePointKind

HSDS_VERSION = "3.1"
_NAMESPACE = uuid.UUID("6f1c4d1e-8a0b-5c3e-9d2f-7b4a1e0c9d55")
_WEEK = "MO,TU,WE,TH,FR,SA,SU"

Table = list[dict[str, object]]

COLUMNS: dict[str, tuple[str, ...]] = {
    "organization": ("id", "name", "description"),
    "service": ("id", "organization_id", "name", "description", "status"),
    "location": ("id", "location_type", "name", "description", "latitude", "longitude"),
    "address": (
        "id",
        "location_id",
        "address_1",
        "city",
        "state_province",
        "postal_code",
        "country",
        "address_type",
    ),
    "service_at_location": ("id", "service_id", "location_id"),
    "schedule": (
        "id",
        "service_at_location_id",
        "freq",
        "byday",
        "opens_at",
        "closes_at",
        "description",
    ),
    "unit": ("id", "name", "scheme", "identifier"),
    "service_capacity": (
        "id",
        "service_id",
        "unit_id",
        "available",
        "maximum",
        "description",
        "updated",
    ),
}
"""The HSDS tables and the columns we fill, in the spec's order."""

_DESCRIPTION = {
    ServicePointKind.relief_station: "Relief station: shelter, meals and onward help",
    ServicePointKind.warming_shelter: "Warming shelter: a warm place for the night",
    ServicePointKind.relief_point: "Temporary relief point: warm drinks, clothing, a seat",
    ServicePointKind.help_point: "Help point: warm drinks, information, a call for help",
}


def _id(kind: str, key: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{key}"))


def hsds_tables(
    points: Sequence[ServicePoint], *, publisher: str, countries: dict[str, str]
) -> dict[str, Table]:
    """The HSDS 3.1 tables of ``points``.

    Args:
        points: the service points to publish (warehouses are skipped).
        publisher: the organization named for points without a host.
        countries: region code → ISO 3166-1 country code, for addresses.

    Returns:
        Table name → rows (dicts keyed by the columns of :data:`COLUMNS`).
    """
    tables: dict[str, Table] = {name: [] for name in COLUMNS}
    unit: dict[str, object] = {
        "id": _id("unit", "place"),
        "name": "place",
        "scheme": "streetrelief",
        "identifier": "bed_or_seat",
    }
    tables["unit"].append(unit)
    organizations: dict[str, str] = {}
    for p in points:
        if p.kind == ServicePointKind.warehouse:
            continue
        owner = p.host or publisher
        if owner not in organizations:
            organizations[owner] = _id("organization", owner)
            tables["organization"].append(
                {"id": organizations[owner], "name": owner, "description": owner}
            )
        service_id, location_id = _id("service", p.code), _id("location", p.code)
        link_id = _id("service_at_location", p.code)
        tables["service"].append(
            {
                "id": service_id,
                "organization_id": organizations[owner],
                "name": p.name,
                "description": _DESCRIPTION[ServicePointKind(p.kind)],
                "status": "active" if p.is_active else "inactive",
            }
        )
        tables["location"].append(
            {
                "id": location_id,
                "location_type": "physical",
                "name": p.name,
                "description": p.code,
                "latitude": p.lat,
                "longitude": p.lon,
            }
        )
        if p.address:
            tables["address"].append(
                {
                    "id": _id("address", p.code),
                    "location_id": location_id,
                    "address_1": p.address,
                    "city": "",
                    "state_province": "",
                    "postal_code": "",
                    "country": countries.get(p.region_code, ""),
                    "address_type": "physical",
                }
            )
        tables["service_at_location"].append(
            {"id": link_id, "service_id": service_id, "location_id": location_id}
        )
        always = p.hours.strip() == "24/7"
        tables["schedule"].append(
            {
                "id": _id("schedule", p.code),
                "service_at_location_id": link_id,
                "freq": "WEEKLY" if always else "",
                "byday": _WEEK if always else "",
                "opens_at": "00:00" if always else "",
                "closes_at": "23:59" if always else "",
                "description": f"OpenStreetMap opening_hours: {p.hours}",
            }
        )
        tables["service_capacity"].append(
            {
                "id": _id("service_capacity", p.code),
                "service_id": service_id,
                "unit_id": unit["id"],
                "available": max(0, p.capacity - p.occupancy - p.held),
                "maximum": p.capacity,
                "description": "Beds or seats free tonight",
                "updated": _iso(p.occupancy_updated_at or p.updated_at),
            }
        )
    return tables


def hsds_zip(tables: dict[str, Table]) -> bytes:
    """The tables as a zip of CSV files (``<table>.csv``) with a ``datapackage.json``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        resources = []
        for name, columns in COLUMNS.items():
            text = io.StringIO()
            writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(tables[name])
            archive.writestr(f"{name}.csv", text.getvalue())
            resources.append(
                {
                    "name": name,
                    "path": f"{name}.csv",
                    "profile": "tabular-data-resource",
                    "schema": {"fields": [{"name": c} for c in columns]},
                }
            )
        package = {
            "name": "streetrelief-service-points",
            "profile": "tabular-data-package",
            "hsds_version": HSDS_VERSION,
            "resources": resources,
        }
        archive.writestr("datapackage.json", json.dumps(package, indent=2))
    return out.getvalue()


def geojson(points: Sequence[ServicePoint], *, now: datetime) -> dict[str, object]:
    """A FeatureCollection of Points (``[lon, lat]``, WGS-84) whose properties are the fields
    of a service-point file, so it imports back with ``service-points import``."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
                "properties": {
                    "code": p.code,
                    "name": p.name,
                    "kind": p.kind,
                    "region_code": p.region_code,
                    "host": p.host,
                    "address": p.address,
                    "hours": p.hours,
                    "capacity": p.capacity,
                    "funded_capacity": p.funded_capacity,
                    "occupancy": p.occupancy,
                    "is_active": p.is_active,
                    "standby_level": p.standby_level,
                    "attributes": list(p.attributes),
                    "languages": list(p.languages),
                    "requires_id": p.requires_id,
                },
            }
            for p in points
        ],
        "generated_at": _iso(now),
    }


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="milliseconds")
