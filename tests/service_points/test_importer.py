"""Importing service points from CSV and GeoJSON: rows, re-imports, and refused files.

The file formats themselves (CSV quoting, GeoJSON structure) are tested with teams; here the
service-point rules: kinds, capacity and occupancy, and what an import may not change.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from streetrelief.core.clock import FixedClock
from streetrelief.core.errors import ImportFileError
from streetrelief.service_points.importer import import_service_points
from streetrelief.service_points.models import ServicePointKind
from streetrelief.service_points.service import list_service_points
from tests.factories.regions import beijing_tree

HEADER = "code,name,kind,host,region_code,lat,lon,address,hours,capacity,occupancy\n"
STATION = "SP-1,Dongcheng station,relief_station,,110101,39.917,116.416,1 Main St,24/7,40,12\n"
HELP_POINT = (
    "SP-2,Lottery shop,help_point,lottery shop,110105,39.921,116.443,,Mo-Su 08:00-22:00,,\n"
)
POINTS_CSV = HEADER + STATION + HELP_POINT

POINTS_GEOJSON = """{"type": "FeatureCollection", "features": [
 {"type": "Feature", "geometry": {"type": "Point", "coordinates": [116.416, 39.917]},
  "properties": {"code": "SP-1", "name": "Dongcheng station", "kind": "relief_station",
                 "host": null, "region_code": "110101", "address": "1 Main St",
                 "hours": "24/7", "capacity": 40, "occupancy": 12}},
 {"type": "Feature", "geometry": {"type": "Point", "coordinates": [116.443, 39.921]},
  "properties": {"code": "SP-2", "name": "Lottery shop", "kind": "help_point",
                 "host": "lottery shop", "region_code": "110105",
                 "hours": "Mo-Su 08:00-22:00"}}
]}"""

# code -> (kind, region, (lat, lon), host, hours, occupancy, capacity, is_active)
Observed = dict[str, tuple[str, str, tuple[float, float], str | None, str, int, int, bool]]
BOTH: Observed = {
    "SP-1": ("relief_station", "110101", (39.917, 116.416), None, "24/7", 12, 40, True),
    "SP-2": (
        "help_point",
        "110105",
        (39.921, 116.443),
        "lottery shop",
        "Mo-Su 08:00-22:00",
        0,
        0,
        True,
    ),
}


def _file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _observed(session: Session) -> Observed:
    return {
        p.code: (
            p.kind,
            p.region_code,
            (p.lat, p.lon),
            p.host,
            p.hours,
            p.occupancy,
            p.capacity,
            p.is_active,
        )
        for p in list_service_points(session)
    }


class TestGoodFile:
    @pytest.mark.parametrize(
        ("name", "text", "expected"),
        [
            pytest.param("points.csv", POINTS_CSV, BOTH, id="csv"),
            pytest.param("points.geojson", POINTS_GEOJSON, BOTH, id="geojson"),
            pytest.param(
                "points.csv",
                "code,name,kind,region_code,lat,lon,is_active\n"
                "W1,Warm room,warming_shelter,110108,39.96,116.3,no\n",
                {
                    "W1": (
                        "warming_shelter",
                        "110108",
                        (39.96, 116.3),
                        None,
                        "24/7",
                        0,
                        0,
                        False,
                    )
                },
                id="csv-required-columns-and-is-active",
            ),
        ],
    )
    def test_rows_become_service_points(
        self,
        session: Session,
        clock: FixedClock,
        tmp_path: Path,
        name: str,
        text: str,
        expected: Observed,
    ) -> None:
        beijing_tree(session)
        result = import_service_points(session, _file(tmp_path, name, text), now=clock.now())
        assert (result.created, result.updated, result.unchanged) == (len(expected), 0, 0)
        assert _observed(session) == expected

    def test_points_are_listed_by_kind_and_subtree(
        self, session: Session, clock: FixedClock, tmp_path: Path
    ) -> None:
        beijing_tree(session)
        import_service_points(session, _file(tmp_path, "p.csv", POINTS_CSV), now=clock.now())
        help_points = list_service_points(session, kind=ServicePointKind.help_point)
        assert [p.code for p in help_points] == ["SP-2"]
        assert [p.code for p in list_service_points(session, region_code="1101")] == [
            "SP-1",
            "SP-2",
        ]


class TestReimport:
    def test_csv_then_same_points_as_geojson_changes_nothing(
        self, session: Session, clock: FixedClock, tmp_path: Path
    ) -> None:
        beijing_tree(session)
        import_service_points(session, _file(tmp_path, "p.csv", POINTS_CSV), now=clock.now())
        path = _file(tmp_path, "p.geojson", POINTS_GEOJSON)
        result = import_service_points(session, path, now=clock.now())
        assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
        assert _observed(session) == BOTH

    def test_new_occupancy_and_blank_hours_update_the_point(
        self, session: Session, clock: FixedClock, tmp_path: Path
    ) -> None:
        beijing_tree(session)
        import_service_points(session, _file(tmp_path, "a.csv", POINTS_CSV), now=clock.now())
        later = HELP_POINT.replace("Mo-Su 08:00-22:00,,", ",10,3")
        clock.advance(timedelta(hours=1))
        result = import_service_points(
            session, _file(tmp_path, "b.csv", HEADER + later), now=clock.now()
        )
        assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
        point = list_service_points(session, region_code="110105")[0]
        assert (point.hours, point.occupancy, point.capacity) == ("24/7", 3, 10)
        assert point.updated_at == clock.now()

    @pytest.mark.parametrize(
        ("changed", "message"),
        [
            pytest.param(
                STATION.replace("relief_station", "warming_shelter"), "another kind", id="kind"
            ),
            pytest.param(
                STATION.replace(",110101,", ",110108,"), "another region_code", id="region"
            ),
            pytest.param(STATION.replace("116.416", "116.5"), "another lon", id="moved"),
        ],
    )
    def test_fields_the_update_cannot_change_refused(
        self, session: Session, clock: FixedClock, tmp_path: Path, changed: str, message: str
    ) -> None:
        beijing_tree(session)
        import_service_points(session, _file(tmp_path, "a.csv", POINTS_CSV), now=clock.now())
        path = _file(tmp_path, "b.csv", HEADER + changed)
        with pytest.raises(
            ImportFileError, match=rf"b\.csv, line 2: service point SP-1 .*{message}"
        ):
            import_service_points(session, path, now=clock.now())
        assert _observed(session) == BOTH

    def test_capacity_below_stored_occupancy_refused(
        self, session: Session, clock: FixedClock, tmp_path: Path
    ) -> None:
        beijing_tree(session)
        import_service_points(session, _file(tmp_path, "a.csv", POINTS_CSV), now=clock.now())
        # No occupancy column: the stored 12 stays, and 10 beds cannot hold 12 people.
        smaller = "code,name,kind,region_code,lat,lon,capacity\n" + (
            "SP-1,Dongcheng station,relief_station,110101,39.917,116.416,10\n"
        )
        with pytest.raises(ImportFileError, match="line 2: occupancy 12 exceeds capacity 10"):
            import_service_points(session, _file(tmp_path, "b.csv", smaller), now=clock.now())
        assert _observed(session) == BOTH


class TestBadFile:
    @pytest.mark.parametrize(
        ("text", "where", "message"),
        [
            (HEADER + STATION.replace(",40,12", ",10,12"), "line 2", "occupancy exceeds capacity"),
            (HEADER + STATION.replace(",40,12", ",-1,0"), "line 2", "capacity: Input should be"),
            (HEADER + STATION.replace(",40,12", ",forty,0"), "line 2", "capacity: Input should be"),
            (HEADER + STATION.replace("relief_station", "hotel"), "line 2", "kind: Input should"),
            (HEADER + STATION + HELP_POINT.replace("110105", "42"), "line 3", "unknown region"),
            (HEADER.replace(",lon", ""), "line 1", "missing columns: lon"),
            (HEADER.replace("hours", "opening_hours"), "line 1", "unknown columns: opening_hours"),
            (
                POINTS_GEOJSON.replace('"hours": "24/7"', '"lat": 39.9'),
                "feature 1",
                "properties lat: coordinates come from the geometry",
            ),
            (
                POINTS_GEOJSON.replace('"kind": "help_point"', '"kind": null'),
                "feature 2",
                "kind: Field required",
            ),
        ],
    )
    def test_bad_row_refused_and_nothing_imported(
        self,
        session: Session,
        clock: FixedClock,
        tmp_path: Path,
        text: str,
        where: str,
        message: str,
    ) -> None:
        beijing_tree(session)
        path = _file(tmp_path, "points.geojson" if where.startswith("feature") else "p.csv", text)
        with pytest.raises(ImportFileError) as caught:
            import_service_points(session, path, now=clock.now())
        assert where in str(caught.value)
        assert message in str(caught.value)
        assert list_service_points(session) == []
