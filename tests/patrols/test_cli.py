"""``streetrelief hotspots`` and ``streetrelief patrols`` against a temporary SQLite database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from streetrelief.cli.main import app

runner = CliRunner()

HOTSPOTS_CSV = """code,name,kind,region_code,lat,lon,interval_s,active_hours
B-1,Dongzhimen underpass,underpass,110101,39.940,116.430,7200,
B-2,Qianmen square,station_square,110101,39.900,116.398,7200,18:00-08:00
"""
TEAMS_CSV = """code,name,region_code,base_lat,base_lon,vehicle,capabilities,members
T-1,Dongcheng joint patrol,110101,39.917,116.416,京A-1,outreach,Li Lei|civil_affairs|lead
"""


@pytest.mark.usefixtures("cli_database")
class TestHotspotsCommands:
    def test_import_list_and_plan_as_json(self, tmp_path: Path) -> None:
        (tmp_path / "hotspots.csv").write_text(HOTSPOTS_CSV, encoding="utf-8")
        (tmp_path / "teams.csv").write_text(TEAMS_CSV, encoding="utf-8")
        imported = runner.invoke(app, ["hotspots", "import", "hotspots.csv"])
        assert imported.output == "hotspots.csv: 2 created, 0 updated, 0 unchanged\n"
        assert runner.invoke(app, ["teams", "import", "teams.csv"]).exit_code == 0
        listed = runner.invoke(app, ["hotspots", "list", "--region", "1101", "--json"])
        assert [h["code"] for h in json.loads(listed.stdout)] == ["B-1", "B-2"]
        planned = runner.invoke(
            app,
            [
                "patrols",
                "plan",
                "--region",
                "110101",
                "--json",
                "--time-limit",
                "0.5",
                "--shift",
                "2026-12-20T18:00+08:00/2026-12-20T22:00+08:00",
            ],
        )
        assert planned.exit_code == 0, planned.output
        plan = json.loads(planned.stdout)
        assert len(plan["stops"]) == 4  # two hotspots, every two hours, over four hours
        assert {s["team_id"] for s in plan["stops"]} == {1}

    def test_bad_shift_and_unknown_region_are_clear_messages(self) -> None:
        bad = runner.invoke(app, ["patrols", "plan", "--region", "110101", "--shift", "tonight"])
        assert bad.exit_code == 2
        assert "START/END" in bad.output
        unknown = runner.invoke(
            app,
            [
                "patrols",
                "plan",
                "--region",
                "999999",
                "--shift",
                "2026-12-20T18:00+08:00/2026-12-20T22:00+08:00",
            ],
        )
        assert unknown.exit_code == 1
        assert "999999" in unknown.output
        assert "Traceback" not in unknown.output

    def test_import_osm_of_a_file_without_features_says_so(self, tmp_path: Path) -> None:
        (tmp_path / "empty.osm").write_text(
            "<?xml version='1.0' encoding='UTF-8'?>\n<osm version='0.6'></osm>\n"
        )
        result = runner.invoke(app, ["hotspots", "import-osm", "empty.osm", "--region", "110101"])
        assert result.exit_code == 1
        assert "no station, bridge" in result.output
        assert result.output.count("empty.osm") == 1  # the file is named once

    def test_coverage_table_for_a_night(self, tmp_path: Path) -> None:
        (tmp_path / "hotspots.csv").write_text(HOTSPOTS_CSV, encoding="utf-8")
        runner.invoke(app, ["hotspots", "import", "hotspots.csv"])
        result = runner.invoke(
            app,
            [
                "patrols",
                "coverage",
                "--region",
                "110101",
                "--night",
                "2026-12-20",
                "--compare",
                "2026-12-19",
                "--json",
            ],
        )
        assert result.exit_code == 0, result.output
        change = json.loads(result.stdout)["change"]
        assert change == [
            {"region_code": "110101", "visited_change": 0, "overdue_change": 0, "share_change": 0.0}
        ]
