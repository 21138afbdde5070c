"""Importing teams from CSV and GeoJSON: rows, re-imports, and bad files named by line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from streetrelief.core.clock import FixedClock
from streetrelief.core.errors import ImportFileError
from streetrelief.db.outbox import events_after
from streetrelief.teams.importer import import_teams
from streetrelief.teams.models import TeamStatus
from streetrelief.teams.schemas import TeamStatusUpdate
from streetrelief.teams.service import list_teams, report_team_status
from tests.factories.regions import beijing_tree

HEADER = "code,name,region_code,capabilities,vehicle,base_lat,base_lon,members\n"
DONGCHENG = (
    "DC-1,Dongcheng outreach,110101,outreach;supplies,京A-12345,39.917,116.416,"
    "Wang Li|civil_affairs|lead;Zhao Min|police\n"
)
CHAOYANG = "CY-1,Chaoyang escort,110105,police_escort;transport,,39.921,116.443,\n"
TEAMS_CSV = HEADER + DONGCHENG + CHAOYANG

# code -> (region, base, capabilities, vehicle, members as (name, department, role))
Expected = dict[
    str,
    tuple[str, tuple[float, float], list[str], str | None, list[tuple[str, str, str | None]]],
]
BOTH: Expected = {
    "CY-1": ("110105", (39.921, 116.443), ["police_escort", "transport"], None, []),
    "DC-1": (
        "110101",
        (39.917, 116.416),
        ["outreach", "supplies"],
        "京A-12345",
        [("Wang Li", "civil_affairs", "lead"), ("Zhao Min", "police", None)],
    ),
}


def _geojson(*features: tuple[float, float, dict[str, object]]) -> str:
    """A FeatureCollection of Points from (lon, lat, properties)."""
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [lon, lat]},
                    "properties": properties,
                }
                for lon, lat, properties in features
            ],
        },
        ensure_ascii=False,
    )


def _props(code: str = "DC-1", **more: object) -> dict[str, object]:
    return {"code": code, "name": f"Team {code}", "region_code": "110101", **more}


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


def _observed(session: Session) -> Expected:
    return {
        t.code: (
            t.region_code,
            (t.base_lat, t.base_lon),
            list(t.capabilities),
            t.vehicle,
            [(m.name, m.department, m.role) for m in t.members],
        )
        for t in list_teams(session, with_members=True)
    }


class TestGoodFile:
    @pytest.mark.parametrize(
        ("name", "content", "expected"),
        [
            pytest.param("teams.csv", TEAMS_CSV, BOTH, id="csv-all-columns"),
            pytest.param(
                "teams.csv",
                "\ufeff" + (HEADER + DONGCHENG + CHAOYANG).replace("\n", "\r\n"),
                BOTH,
                id="csv-bom-crlf",
            ),
            pytest.param(
                "teams.csv",
                "code, name ,region_code,base_lat,base_lon\n\nT9, Night walk ,110108,39.96,116.3\n",
                {"T9": ("110108", (39.96, 116.3), [], None, [])},
                id="csv-required-columns-only",
            ),
            pytest.param(
                "teams.csv",
                HEADER + 'T9,"Walk, east",110101,,,39.9,116.4,"Li|volunteer|;\n Chen|health"\n',
                {
                    "T9": (
                        "110101",
                        (39.9, 116.4),
                        [],
                        None,
                        [("Li", "volunteer", None), ("Chen", "health", None)],
                    )
                },
                id="csv-quoted-cells",
            ),
            pytest.param(
                "teams.geojson",
                _geojson(
                    (
                        116.416,
                        39.917,
                        _props(
                            name="Dongcheng outreach",
                            capabilities="outreach;supplies",
                            vehicle="京A-12345",
                            members="Wang Li|civil_affairs|lead;Zhao Min|police",
                        ),
                    ),
                    (
                        116.443,
                        39.921,
                        _props(
                            "CY-1",
                            region_code="110105",
                            capabilities=["police_escort", "transport"],
                            vehicle=None,
                            members=[],
                        ),
                    ),
                ),
                BOTH,
                id="geojson-text-and-list-properties",
            ),
            pytest.param(
                "teams.json",
                _geojson(
                    (
                        116.3,
                        39.96,
                        _props(
                            "T9",
                            region_code="110108",
                            members=[{"name": "Li", "department": "health", "role": "medic"}],
                        ),
                    )
                ).replace("[116.3, 39.96]", "[116.3, 39.96, 52.0]"),
                {"T9": ("110108", (39.96, 116.3), [], None, [("Li", "health", "medic")])},
                id="geojson-member-objects-and-altitude",
            ),
        ],
    )
    def test_rows_become_teams(
        self,
        session: Session,
        clock: FixedClock,
        tmp_path: Path,
        name: str,
        content: str,
        expected: Expected,
    ) -> None:
        beijing_tree(session)
        result = import_teams(session, _write(tmp_path, name, content), now=clock.now())
        assert (result.created, result.updated, result.unchanged) == (len(expected), 0, 0)
        assert _observed(session) == expected

    def test_header_only_imports_nothing(
        self, session: Session, clock: FixedClock, tmp_path: Path
    ) -> None:
        result = import_teams(session, _write(tmp_path, "t.csv", HEADER), now=clock.now())
        assert (result.created, result.updated, result.unchanged) == (0, 0, 0)


class TestReimport:
    def test_same_file_again_changes_nothing(
        self, session: Session, clock: FixedClock, tmp_path: Path
    ) -> None:
        beijing_tree(session)
        path = _write(tmp_path, "teams.csv", TEAMS_CSV)
        import_teams(session, path, now=clock.now())
        events = len(events_after(session, 0))
        result = import_teams(session, path, now=clock.now())
        assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
        assert len(events_after(session, 0)) == events
        assert _observed(session) == BOTH

    def test_changed_row_updates_that_team_only(
        self, session: Session, clock: FixedClock, tmp_path: Path
    ) -> None:
        beijing_tree(session)
        import_teams(session, _write(tmp_path, "a.csv", TEAMS_CSV), now=clock.now())
        changed = DONGCHENG.replace("Dongcheng outreach", "Dongcheng night").replace(
            "Zhao Min|police", "Sun Yu|health|medic"
        )
        result = import_teams(
            session, _write(tmp_path, "b.csv", HEADER + changed + CHAOYANG), now=clock.now()
        )
        assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
        (dongcheng,) = list_teams(session, region_code="110101", with_members=True)
        assert dongcheng.name == "Dongcheng night"
        assert [(m.name, m.role) for m in dongcheng.members] == [
            ("Wang Li", "lead"),
            ("Sun Yu", "medic"),
        ]

    def test_absent_column_keeps_stored_value_and_blank_cell_clears_it(
        self, session: Session, clock: FixedClock, tmp_path: Path
    ) -> None:
        beijing_tree(session)
        import_teams(session, _write(tmp_path, "a.csv", TEAMS_CSV), now=clock.now())
        no_members = "code,name,region_code,vehicle,base_lat,base_lon\n" + (
            "DC-1,Dongcheng outreach,110101,,39.917,116.416\n"
        )
        result = import_teams(session, _write(tmp_path, "b.csv", no_members), now=clock.now())
        assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
        dongcheng = _observed(session)["DC-1"]
        assert dongcheng[3] is None  # blank vehicle: on foot now
        assert len(dongcheng[4]) == 2  # no members column: members stay

    def test_status_and_position_survive_reimport(
        self, session: Session, clock: FixedClock, tmp_path: Path
    ) -> None:
        beijing_tree(session)
        path = _write(tmp_path, "teams.csv", TEAMS_CSV)
        import_teams(session, path, now=clock.now())
        team = list_teams(session, region_code="110105")[0]
        report = TeamStatusUpdate(status=TeamStatus.returning, lat=39.93, lon=116.45)
        report_team_status(session, team.id, report, now=clock.now())
        import_teams(session, path, now=clock.now())
        team = list_teams(session, region_code="110105")[0]
        assert (team.status, team.last_lat, team.last_lon) == (TeamStatus.returning, 39.93, 116.45)

    def test_team_in_another_region_refused(
        self, session: Session, clock: FixedClock, tmp_path: Path
    ) -> None:
        beijing_tree(session)
        import_teams(session, _write(tmp_path, "a.csv", TEAMS_CSV), now=clock.now())
        moved = HEADER + CHAOYANG.replace("110105", "110108")
        with pytest.raises(ImportFileError, match=r"b\.csv, line 2: team CY-1 is in region 110105"):
            import_teams(session, _write(tmp_path, "b.csv", moved), now=clock.now())


BAD_CSV = [
    # CSV: the line counts the header as line 1.
    ("", "line 1", "expected a header line"),
    ("code,name,region_code,base_lat\nT1,x,110101,39.9\n", "line 1", "missing columns: base_lon"),
    (HEADER.replace("members", "members,shift"), "line 1", "unknown columns: shift"),
    ("code,code,name,region_code,base_lat,base_lon\n", "line 1", "repeated columns: code"),
    (HEADER + DONGCHENG.replace("39.917", "north"), "line 2", "base_lat: Input should be a valid"),
    (HEADER + DONGCHENG.replace("39.917", "91"), "line 2", "base_lat: Input should be less than"),
    (HEADER + DONGCHENG.replace("39.917", "nan"), "line 2", "base_lat: Input should be a finite"),
    (HEADER + DONGCHENG + CHAOYANG.replace("110105", "999999"), "line 3", "unknown region code"),
    (HEADER + DONGCHENG.replace("outreach;", "cooking;"), "line 2", "capabilities.0: Input should"),
    (HEADER + DONGCHENG.replace("|police", ""), "line 2", "member 'Zhao Min' must read"),
    (HEADER + DONGCHENG.replace("|police", "|army"), "line 2", "members.1.department"),
    (HEADER + DONGCHENG.replace(",京A-12345", ""), "line 2", "7 fields where the header has 8"),
    (HEADER + DONGCHENG + DONGCHENG, "line 3", "code DC-1 repeats line 2"),
    (HEADER + DONGCHENG.replace("DC-1", "DC 1"), "line 2", "code: String should match pattern"),
    # A quoted cell over two lines: the next row starts on line 4.
    (HEADER + 'T9,"a\nb",110101,,,39.9,116.4,\nT9,c,110101,,,39.9,116.4,\n', "line 4", "repeats"),
    (HEADER + 'T9,"unclosed,110101,,,39.9,116.4,\n', "line 2", "not valid CSV"),
]
BAD_GEOJSON = [
    ('{"type": "FeatureCollection", "features": [\n', "line 2", "not valid JSON"),
    ('{"type": "Feature"}', "", "GeoJSON must be a FeatureCollection"),
    ('{"type": "FeatureCollection"}', "", "without a features list"),
    (
        _geojson((116.4, 39.9, _props())).replace('"Point"', '"LineString"'),
        "feature 1",
        "geometry must be a Point",
    ),
    (_geojson((116.4, 39.9, _props()), (39.9, 116.4, _props("T2"))), "feature 2", "latitude 116.4"),
    (_geojson((116.4, 39.9, _props(base_lat=39.9))), "feature 1", "come from the geometry"),
    (_geojson((116.4, 39.9, {"code": "T1"})), "feature 1", "missing properties: name, region_code"),
    (_geojson((116.4, 39.9, _props(colour="red"))), "feature 1", "unknown properties: colour"),
    (_geojson((116.4, 39.9, _props(members="Li"))), "feature 1", "member 'Li' must read"),
    (_geojson((116.4, 39.9, _props(name=None))), "feature 1", "name: Field required"),
    (_geojson((116.4, 39.9, _props())).replace("39.9]", "NaN]"), "", "NaN is not a JSON number"),
    (
        _geojson((116.4, 39.9, _props())).replace(
            '{"type": "FeatureCollection"',
            '{"type": "FeatureCollection", '
            '"crs": {"type": "name", "properties": {"name": "EPSG:3857"}}',
        ),
        "",
        "'EPSG:3857' is not WGS-84",
    ),
    (
        _geojson((116.4, 39.9, _props())).replace(
            '{"type": "FeatureCollection"', '{"type": "FeatureCollection", "crs": {"properties": 1}'
        ),
        "",
        "None is not WGS-84",
    ),
]


class TestBadFile:
    @pytest.mark.parametrize(
        ("name", "content", "where", "message"),
        [("teams.csv", *case) for case in BAD_CSV]
        + [("teams.geojson", *case) for case in BAD_GEOJSON],
    )
    def test_bad_file_refused_naming_place(
        self,
        session: Session,
        clock: FixedClock,
        tmp_path: Path,
        name: str,
        content: str,
        where: str,
        message: str,
    ) -> None:
        beijing_tree(session)
        path = _write(tmp_path, name, content)
        with pytest.raises(ImportFileError) as caught:
            import_teams(session, path, now=clock.now())
        # "FILE, line N: ...", "FILE: feature N: ..." or, for the whole file, "FILE: ..."
        line = int(where.removeprefix("line ")) if where.startswith("line") else None
        place = f", {where}" if line is not None else (f": {where}" if where else "")
        assert str(caught.value).startswith(f"{path}{place}: ")
        assert message in str(caught.value)
        assert caught.value.line == line
        assert list_teams(session) == []  # the good rows before it are undone too

    def test_not_utf8_refused(self, session: Session, clock: FixedClock, tmp_path: Path) -> None:
        path = _write(tmp_path, "teams.csv", (HEADER + DONGCHENG).encode("gb18030"))
        with pytest.raises(ImportFileError, match="not UTF-8 text"):
            import_teams(session, path, now=clock.now())

    def test_missing_file_raises_os_error(
        self, session: Session, clock: FixedClock, tmp_path: Path
    ) -> None:
        with pytest.raises(FileNotFoundError):
            import_teams(session, tmp_path / "absent.csv", now=clock.now())

    def test_bad_row_leaves_known_teams_as_they_were(
        self, session: Session, clock: FixedClock, tmp_path: Path
    ) -> None:
        beijing_tree(session)
        import_teams(session, _write(tmp_path, "a.csv", TEAMS_CSV), now=clock.now())
        renamed = DONGCHENG.replace("Dongcheng outreach", "Renamed")
        bad = HEADER + renamed + CHAOYANG.replace("transport", "teleport")
        with pytest.raises(ImportFileError, match="line 3"):
            import_teams(session, _write(tmp_path, "b.csv", bad), now=clock.now())
        assert _observed(session) == BOTH
        assert [t.name for t in list_teams(session)] == ["Chaoyang escort", "Dongcheng outreach"]
