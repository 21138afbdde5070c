"""Region boundaries: the real Beijing/Harbin fences (GCJ-02) imported, points placed by
outline, the GeoJSON read filtered by jurisdiction; and datum conversion at the edge."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from streetrelief.access.roles import Role
from streetrelief.core.clock import FixedClock
from streetrelief.core.datum import (
    CoordinateSystem,
    from_wgs84,
    is_in_mainland_china,
    to_wgs84,
)
from streetrelief.core.errors import ImportFileError, InvalidInputError
from streetrelief.core.geo import haversine_m
from streetrelief.regions.address import parse_address
from streetrelief.regions.boundaries import import_boundaries
from streetrelief.regions.models import RegionLevel
from streetrelief.regions.schemas import RegionCreate
from streetrelief.regions.service import create_region, locate_region
from tests.factories.access import bearer, make_user
from tests.factories.regions import beijing_tree

FENCES = "china_admin_divisions/vonng_fences_beijing_harbin_gcj02.geojson.gz"


class TestDatum:
    @pytest.mark.parametrize(
        ("place", "lat", "lon", "inside"),
        [
            ("Beijing", 39.9042, 116.4074, True),
            ("Urumqi", 43.8256, 87.6168, True),
            ("Seoul", 37.5665, 126.9780, False),
            ("Taipei", 25.0330, 121.5654, False),
            ("Hong Kong", 22.3193, 114.1694, False),
            ("Hanoi", 21.0278, 105.8342, False),
        ],
    )
    def test_mainland_by_polygon_not_rectangle(
        self, place: str, lat: float, lon: float, inside: bool
    ) -> None:
        assert is_in_mainland_china(lat, lon) is inside, place
        shifted = to_wgs84(lat, lon, CoordinateSystem.gcj02)
        assert (shifted == (lat, lon)) is not inside

    @pytest.mark.parametrize("crs", [CoordinateSystem.gcj02, CoordinateSystem.bd09])
    def test_round_trip_within_a_metre(self, crs: CoordinateSystem) -> None:
        wgs = (39.9175, 116.4170)
        there = from_wgs84(*wgs, crs)
        assert haversine_m(*there, *wgs) > 100
        assert haversine_m(*to_wgs84(*there, crs), *wgs) < 1.0

    @pytest.mark.parametrize(
        ("lat", "lon", "crs", "reason"),
        [
            (116.4, 39.9, CoordinateSystem.gcj02, "swapped"),
            (float("nan"), 116.4, CoordinateSystem.wgs84, "finite"),
            (91.0, 116.4, CoordinateSystem.wgs84, "latitude"),
            (0.0, 0.0, CoordinateSystem.wgs84, "missing location"),
            (48.85, 2.35, CoordinateSystem.bd09, "outside China"),
        ],
    )
    def test_impossible_values_refused(
        self, lat: float, lon: float, crs: CoordinateSystem, reason: str
    ) -> None:
        with pytest.raises(InvalidInputError, match=reason):
            to_wgs84(lat, lon, crs)


class TestAddress:
    @pytest.mark.parametrize(
        ("text", "code"),
        [
            ("北京市朝阳区建国路88号", "110105"),
            ("长春市朝阳区人民大街", "220104"),
            ("朝阳区建国路", None),  # two 朝阳区: nothing settles which
            ("哈尔滨市南岗区西大直街92号", "230103"),
            ("上海浦东新区世纪大道", "310115"),
            ("黑龙江省哈尔滨市", "2301"),
            ("2111 W BELLEVUE AVE, 90026", None),
        ],
    )
    def test_divisions_found_in_text(self, text: str, code: str | None) -> None:
        assert parse_address(text).finest_code == code


class TestImport:
    def test_real_fences_placed_and_served(
        self,
        session: Session,
        client: TestClient,
        clock: FixedClock,
        shared_data: Path,
    ) -> None:
        beijing_tree(session)
        create_region(
            session,
            RegionCreate(
                code="110102", name="西城区", level=RegionLevel.county, parent_code="1101"
            ),
        )
        result = import_boundaries(session, shared_data / FENCES, CoordinateSystem.gcj02)
        assert sorted(result.imported) == ["11", "1101", "110101", "110102", "110105", "110108"]
        assert "230100" in result.unknown
        # 西城区 has no centre: only its outline can place a point there (Xidan, WGS-84).
        assert locate_region(session, 39.9067, 116.3685).code == "110102"  # type: ignore[union-attr]
        # Near 东城's centre but across the line in 西城 (the Forbidden City's west side is 东城;
        # Beihai park is 西城).
        assert locate_region(session, 39.9250, 116.3830).code == "110102"  # type: ignore[union-attr]

        body = client.get("/api/v1/regions/boundaries.geojson", params={"within": "1101"})
        assert body.status_code == 200, body.text
        assert body.headers["content-type"].startswith("application/geo+json")
        features = body.json()["features"]
        assert {f["properties"]["code"] for f in features} == {
            "1101",
            "110101",
            "110102",
            "110105",
            "110108",
        }
        assert set(features[0]["properties"]) == {"code", "name", "level"}

        dongcheng = make_user(session, now=clock.now(), role=Role.dispatcher, region_code="110101")
        own = client.get(
            "/api/v1/regions/boundaries.geojson",
            headers=bearer(session, dongcheng, now=clock.now()),
        )
        assert [f["properties"]["code"] for f in own.json()["features"]] == ["110101"]
        other = client.get(
            "/api/v1/regions/boundaries.geojson",
            params={"within": "110105"},
            headers=bearer(session, dongcheng, now=clock.now()),
        )
        assert other.status_code == 422
        assert other.json()["code"] == "unknown_region"

    def test_bad_file_refused(self, session: Session, tmp_path: Path) -> None:
        beijing_tree(session)
        bad = tmp_path / "b.geojson"
        bad.write_text(json.dumps({"type": "FeatureCollection", "features": [{"properties": {}}]}))
        with pytest.raises(ImportFileError, match="no region code"):
            import_boundaries(session, bad)
        bad.write_bytes(b"\xff\xfe")
        with pytest.raises(ImportFileError, match="UTF-8"):
            import_boundaries(session, bad)
