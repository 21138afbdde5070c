"""CLI of the intake channels: boundary import and a partner's feed mapping."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from streetrelief.cli.main import app

FENCES = "china_admin_divisions/vonng_fences_beijing_harbin_gcj02.geojson.gz"


def test_import_boundaries_reports_stored_and_skipped(cli_database: str, shared_data: Path) -> None:
    result = CliRunner().invoke(
        app, ["regions", "import-boundaries", str(shared_data / FENCES), "--crs", "gcj02", "--json"]
    )
    assert result.exit_code == 0, result.output
    outcome = json.loads(result.output)
    assert sorted(outcome["imported"]) == ["11", "1101", "110101", "110105", "110108"]
    assert "230102" in outcome["unknown"]


def test_bad_boundary_file_is_one_line(cli_database: str, tmp_path: Path) -> None:
    bad = tmp_path / "b.geojson"
    bad.write_text('{"type": "Feature"}')
    result = CliRunner().invoke(app, ["regions", "import-boundaries", str(bad)])
    assert result.exit_code == 1
    assert "not a GeoJSON FeatureCollection" in result.output


def test_partner_feed_mapping_checked(cli_database: str, tmp_path: Path) -> None:
    runner = CliRunner()
    added = runner.invoke(
        app, ["partners", "add", "bj-110", "--channel", "partner", "--region", "11"]
    )
    assert added.exit_code == 0, added.output
    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps({"fields": {"lat": "y"}}))
    refused = runner.invoke(app, ["partners", "feed", "bj-110", str(mapping)])
    assert refused.exit_code == 1
    assert "missing" in refused.output
    mapping.write_text(
        json.dumps(
            {
                "fields": {"source_id": "id", "reported_at": "t", "lat": "y", "lon": "x"},
                "coordinate_system": "bd09",
            }
        )
    )
    accepted = runner.invoke(app, ["partners", "feed", "bj-110", str(mapping)])
    assert accepted.exit_code == 0, accepted.output
    assert "4 fields" in accepted.output
