"""``streetrelief teams import|list`` against a temporary SQLite database."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from streetrelief.cli.main import app

runner = CliRunner()

TEAMS_CSV = (
    "code,name,region_code,capabilities,vehicle,base_lat,base_lon,members\n"
    "DC-1,Dongcheng outreach,110101,outreach;supplies,京A-12345,39.917,116.416,"
    "Wang Li|civil_affairs|lead;Zhao Min|police\n"
    "CY-1,Chaoyang escort,110105,police_escort,,39.921,116.443,\n"
)


@pytest.mark.usefixtures("cli_database")
class TestImport:
    def test_file_imported_then_reimported_unchanged(self, tmp_path: Path) -> None:
        (tmp_path / "teams.csv").write_text(TEAMS_CSV, encoding="utf-8")
        first = runner.invoke(app, ["teams", "import", "teams.csv"])
        assert first.exit_code == 0, first.output
        assert first.stdout == "teams.csv: 2 created, 0 updated, 0 unchanged\n"
        again = runner.invoke(app, ["teams", "import", "teams.csv"])
        assert again.stdout == "teams.csv: 0 created, 0 updated, 2 unchanged\n"

    @pytest.mark.parametrize(
        ("name", "content", "message"),
        [
            pytest.param(
                "bad.csv",
                TEAMS_CSV.replace("police_escort", "sniffer_dogs"),
                "bad.csv, line 3: capabilities.0: Input should be",
                id="bad-row",
            ),
            pytest.param(
                "bad.geojson",
                '{"type": "FeatureCollection", "features": [{"type": "Feature"}]}',
                "bad.geojson: feature 1: properties must be an object",
                id="bad-geojson",
            ),
            pytest.param(None, "", "No such file or directory: absent.csv", id="missing-file"),
        ],
    )
    def test_bad_input_is_one_error_and_exit_1_and_saves_nothing(
        self, tmp_path: Path, name: str | None, content: str, message: str
    ) -> None:
        if name is not None:
            (tmp_path / name).write_text(content, encoding="utf-8")
        result = runner.invoke(app, ["teams", "import", name or "absent.csv"])
        assert result.exit_code == 1
        assert isinstance(result.exception, SystemExit)  # a clean exit, no traceback
        # Rich wraps the message at the console width (80 columns when not a terminal).
        error = " ".join(result.stderr.split())
        assert error.startswith("error: ")
        assert message in error
        listed = runner.invoke(app, ["teams", "list", "--json"])
        assert json.loads(listed.stdout) == []


class TestList:
    @pytest.fixture(autouse=True)
    def _teams(self, cli_database: str, tmp_path: Path) -> None:
        path = tmp_path / "teams.csv"
        path.write_text(TEAMS_CSV, encoding="utf-8")
        assert runner.invoke(app, ["teams", "import", str(path)]).exit_code == 0

    def test_table_shows_teams_of_the_subtree(self) -> None:
        result = runner.invoke(app, ["teams", "list", "--region", "110101"])
        assert result.exit_code == 0, result.output
        assert "DC-1" in result.stdout
        assert "CY-1" not in result.stdout

    def test_json_lists_teams_with_members(self) -> None:
        result = runner.invoke(app, ["teams", "list", "--json"])
        assert result.exit_code == 0, result.output
        teams = json.loads(result.stdout)
        assert [(t["code"], t["mode"], len(t["members"])) for t in teams] == [
            ("CY-1", "walking", 0),
            ("DC-1", "vehicle", 2),
        ]

    def test_unknown_region_is_one_error_and_exit_1(self) -> None:
        result = runner.invoke(app, ["teams", "list", "--region", "999999"])
        assert result.exit_code == 1
        assert result.stderr == "error: unknown region code '999999'\n"


class TestStatus:
    @pytest.fixture(autouse=True)
    def _teams(self, cli_database: str, tmp_path: Path) -> None:
        path = tmp_path / "teams.csv"
        path.write_text(TEAMS_CSV, encoding="utf-8")
        assert runner.invoke(app, ["teams", "import", str(path)]).exit_code == 0

    def _shift_end(self) -> str | None:
        listed = json.loads(runner.invoke(app, ["teams", "list", "--json"]).stdout)
        end: str | None = next(t["shift_ends_at"] for t in listed if t["code"] == "DC-1")
        return end

    def test_on_duty_until_a_shift_end_then_off_duty(self) -> None:
        end = (datetime.now(UTC) + timedelta(hours=8)).replace(second=0, microsecond=0)
        result = runner.invoke(
            app,
            [
                "teams",
                "status",
                "DC-1",
                "--status",
                "available",
                "--shift-ends-at",
                end.isoformat(),
            ],
        )
        assert result.exit_code == 0, result.output
        assert result.stdout == f"team DC-1: available until {end:%Y-%m-%d %H:%M} UTC\n"
        assert self._shift_end() == end.isoformat().replace("+00:00", "Z")
        result = runner.invoke(app, ["teams", "status", "DC-1", "--status", "off_duty"])
        assert result.stdout == "team DC-1: off_duty\n"
        assert self._shift_end() is None

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (
                ["DC-1", "--shift-ends-at", "2020-01-01T08:00+08:00"],
                "shift_ends_at must lie in the future",
            ),
            (["DC-1", "--shift-ends-at", "3000-01-01T08:00+08:00"], "more than 24 hours ahead"),
            (["XX-9", "--status", "available"], "team XX-9 not found"),
        ],
    )
    def test_bad_shift_end_or_team_is_one_error_and_exit_1(
        self, args: list[str], message: str
    ) -> None:
        result = runner.invoke(app, ["teams", "status", *args])
        assert result.exit_code == 1
        assert message in " ".join(result.stderr.split())
        assert self._shift_end() is None

    def test_time_without_offset_is_a_usage_error(self) -> None:
        result = runner.invoke(
            app, ["teams", "status", "DC-1", "--shift-ends-at", "2026-01-21T08:00"]
        )
        assert result.exit_code == 2
        assert "give a UTC offset" in result.stderr
