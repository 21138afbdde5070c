"""``streetrelief service-points import|list`` against a temporary SQLite database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from streetrelief.cli.main import app

runner = CliRunner()

POINTS_GEOJSON = """{"type": "FeatureCollection", "features": [
 {"type": "Feature", "geometry": {"type": "Point", "coordinates": [116.416, 39.917]},
  "properties": {"code": "SP-1", "name": "Dongcheng station", "kind": "relief_station",
                 "region_code": "110101", "capacity": 40, "occupancy": 12}},
 {"type": "Feature", "geometry": {"type": "Point", "coordinates": [116.443, 39.921]},
  "properties": {"code": "SP-2", "name": "Lottery shop", "kind": "help_point",
                 "host": "lottery shop", "region_code": "110105"}}
]}"""


def _import(tmp_path: Path, text: str) -> tuple[int, str]:
    (tmp_path / "points.geojson").write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["service-points", "import", "points.geojson"])
    return result.exit_code, result.output


@pytest.mark.usefixtures("cli_database")
class TestServicePointsCommands:
    def test_import_then_list_as_table(self, tmp_path: Path) -> None:
        assert _import(tmp_path, POINTS_GEOJSON) == (
            0,
            "points.geojson: 2 created, 0 updated, 0 unchanged\n",
        )
        result = runner.invoke(app, ["service-points", "list", "--region", "1101"])
        assert result.exit_code == 0, result.output
        assert "SP-1" in result.stdout
        assert "12/40" in result.stdout

    @pytest.mark.parametrize(
        ("options", "expected"),
        [
            ([], ["SP-1", "SP-2"]),
            (["--region", "110105"], ["SP-2"]),
            (["--kind", "relief_station"], ["SP-1"]),
            (["--region", "110105", "--kind", "relief_station"], []),
        ],
    )
    def test_list_json_by_region_and_kind(
        self, tmp_path: Path, options: list[str], expected: list[str]
    ) -> None:
        _import(tmp_path, POINTS_GEOJSON)
        result = runner.invoke(app, ["service-points", "list", "--json", *options])
        assert result.exit_code == 0, result.output
        assert [p["code"] for p in json.loads(result.stdout)] == expected

    def test_bad_feature_is_one_error_and_exit_1_and_saves_nothing(self, tmp_path: Path) -> None:
        bad = POINTS_GEOJSON.replace('"occupancy": 12', '"occupancy": 41')
        code, output = _import(tmp_path, bad)
        assert code == 1
        assert output == "error: points.geojson: feature 1: occupancy exceeds capacity\n"
        listed = runner.invoke(app, ["service-points", "list", "--json"])
        assert json.loads(listed.stdout) == []

    def test_unknown_kind_is_a_usage_error(self) -> None:
        result = runner.invoke(app, ["service-points", "list", "--kind", "hotel"])
        assert result.exit_code == 2
        assert "Traceback" not in result.output
