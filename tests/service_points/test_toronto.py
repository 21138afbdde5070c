"""The real Toronto shelters: import, nearest place computed independently, HSDS and GeoJSON."""

from __future__ import annotations

import csv
import io
import json
import math
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from streetrelief.core.clock import FixedClock
from streetrelief.dispatch.travel import StraightLineTravel
from streetrelief.regions.models import RegionLevel
from streetrelief.regions.schemas import RegionCreate
from streetrelief.regions.service import create_region
from streetrelief.service_points.importer import import_service_points, import_toronto_shelters
from streetrelief.service_points.models import Attribute
from streetrelief.service_points.nearest import nearest_service_points
from streetrelief.service_points.schemas import NearestQuery
from streetrelief.service_points.service import list_service_points

TORONTO = "CA-3520005"
FILE = "shelters/toronto_city_homeless_shelters_2012.geojson"
API = "/api/v1/service-points"
TRAVEL = StraightLineTravel(detour_factor=1.4, vehicle_speed_kmh=30, walking_speed_kmh=4.5)
# Tests' own probe places (WGS-84): Union Station, Yonge-Finch, Kennedy station.
PROBES = [(43.6453, -79.3806), (43.7804, -79.4153), (43.7325, -79.2637)]
POPULATION = {
    "Single Men": {"men"},
    "Single Women": {"women"},
    "Family": {"families"},
    "Youth": {"youth"},
    "Mixed Adult": {"men", "women"},
}


@pytest.fixture
def toronto(session: Session, clock: FixedClock, shared_data: Path) -> Path:
    create_region(
        session,
        RegionCreate(
            code="CA",
            name="Canada",
            level=RegionLevel.country,
            country_code="CA",
            timezone="America/Toronto",
        ),
    )
    create_region(
        session,
        RegionCreate(
            code=TORONTO,
            name="Toronto",
            level=RegionLevel.prefecture,
            parent_code="CA",
            country_code="CA",
            timezone="America/Toronto",
        ),
    )
    return shared_data / FILE


def _shelters(path: Path) -> list[tuple[float, float, str, str, str]]:
    """(lat, lon, code, CAPACITY, TYPE2) of each feature, read straight from the file."""
    out = []
    for f in json.loads(path.read_text(encoding="utf-8"))["features"]:
        lon, lat = f["geometry"]["coordinates"]
        p = f["properties"]
        out.append((lat, lon, f"TO-{p['OBJECTID']}", str(p["CAPACITY"]), p["TYPE2"]))
    return out


def _great_circle_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    # Spherical law of cosines on the mean Earth radius: independent of core.geo's haversine.
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    c = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return 6_371_008.8 * math.acos(max(-1.0, min(1.0, c)))


def test_import_is_whole_and_idempotent(session: Session, clock: FixedClock, toronto: Path) -> None:
    first = import_toronto_shelters(session, toronto, region_code=TORONTO, now=clock.now())
    assert (first.created, first.updated) == (59, 0)
    again = import_toronto_shelters(session, toronto, region_code=TORONTO, now=clock.now())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 59)
    points = list_service_points(session, region_code=TORONTO)
    beds = sum(p.capacity for p in points)
    assert beds == 3849  # PROVENANCE.md: 54 numeric capacities summing to 3,849
    assert sum(p.capacity == 0 for p in points) == 5  # the five "VARIES"
    mary = next(p for p in points if p.code == "TO-44")
    assert (mary.name, mary.capacity, mary.attributes) == (
        "St. Vincent De Paul - Mary's Home",
        38,
        ["women"],
    )


@pytest.mark.parametrize("needs", [[], [Attribute.women], [Attribute.youth], [Attribute.families]])
def test_nearest_matches_an_independent_scan(
    session: Session, clock: FixedClock, toronto: Path, needs: list[Attribute]
) -> None:
    import_toronto_shelters(session, toronto, region_code=TORONTO, now=clock.now())
    wanted = {n.value for n in needs}
    for lat, lon in PROBES:
        expected = sorted(
            (_great_circle_m(lat, lon, s_lat, s_lon), code)
            for s_lat, s_lon, code, beds, kind in _shelters(toronto)
            if beds.isdigit() and int(beds) > 0 and wanted <= POPULATION[kind]
        )[:5]
        found = nearest_service_points(
            session,
            NearestQuery(lat=lat, lon=lon, needs=needs, limit=5),
            travel=TRAVEL,
            now=clock.now(),
        )
        assert [f.service_point.code for f in found] == [code for _, code in expected]
        for f, (metres, _) in zip(found, expected, strict=True):
            assert f.distance_m == pytest.approx(metres * 1.4, rel=1e-4)


def test_nearest_skips_full_closed_and_no_id_points(
    client: TestClient, session: Session, clock: FixedClock, toronto: Path
) -> None:
    import_toronto_shelters(session, toronto, region_code=TORONTO, now=clock.now())
    lat, lon = PROBES[0]
    first = client.get(f"{API}/nearest", params={"lat": lat, "lon": lon, "limit": 1}).json()[0]
    point_id = first["service_point"]["id"]
    capacity = first["service_point"]["capacity"]
    assert client.patch(f"{API}/{point_id}", json={"occupancy": capacity}).status_code == 200
    after = client.get(f"{API}/nearest", params={"lat": lat, "lon": lon, "limit": 1}).json()[0]
    assert after["service_point"]["id"] != point_id
    # Shut at 03:00 Toronto time on a Tuesday, the next one gives way too.
    r = client.patch(f"{API}/{after['service_point']['id']}", json={"hours": "Mo-Fr 18:00-24:00"})
    assert r.status_code == 200
    at = datetime(2026, 1, 20, 8, 0, tzinfo=UTC).isoformat()
    third = client.get(f"{API}/nearest", params={"lat": lat, "lon": lon, "limit": 1, "at": at})
    assert third.json()[0]["service_point"]["id"] not in {point_id, after["service_point"]["id"]}
    bad = client.get(f"{API}/nearest", params={"lat": 95, "lon": lon})
    assert bad.status_code == 422


def test_hsds_and_geojson_exports(
    client: TestClient, session: Session, clock: FixedClock, toronto: Path, tmp_path: Path
) -> None:
    import_toronto_shelters(session, toronto, region_code=TORONTO, now=clock.now())
    r = client.get(
        f"{API}/export/hsds.zip",
        params={"region_code": TORONTO, "publisher": "City of Toronto SSHA"},
    )
    assert r.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(r.content))
    tables = {
        name.removesuffix(".csv"): list(csv.DictReader(io.StringIO(archive.read(name).decode())))
        for name in archive.namelist()
        if name.endswith(".csv")
    }
    assert {k: len(v) for k, v in tables.items()} == {
        "organization": 1,
        "service": 59,
        "location": 59,
        "address": 59,
        "service_at_location": 59,
        "schedule": 59,
        "unit": 1,
        "service_capacity": 59,
    }
    package = json.loads(archive.read("datapackage.json"))
    assert package["hsds_version"] == "3.1"
    services = {s["id"]: s for s in tables["service"]}
    mary = next(
        c
        for c in tables["service_capacity"]
        if services[c["service_id"]]["name"] == "St. Vincent De Paul - Mary's Home"
    )
    assert (mary["maximum"], mary["available"]) == ("38", "38")
    links = {(x["service_id"], x["location_id"]) for x in tables["service_at_location"]}
    assert len(links) == 59
    assert {s["organization_id"] for s in tables["service"]} == {tables["organization"][0]["id"]}

    geo = client.get(f"{API}/export.geojson", params={"region_code": TORONTO})
    assert geo.headers["content-type"].startswith("application/geo+json")
    path = tmp_path / "out.geojson"
    path.write_text(geo.text, encoding="utf-8")
    back = import_service_points(session, path, now=clock.now())
    assert (back.created, back.updated, back.unchanged) == (0, 0, 59)
