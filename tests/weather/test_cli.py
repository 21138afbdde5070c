"""``streetrelief weather ingest|alerts`` against a temporary SQLite database."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from streetrelief.cli.main import app

runner = CliRunner()
CHAIN = [
    "taiwan_cwa_heavy_rain_1_alert_zh-TW_2024-04-22T1412.xml",
    "taiwan_cwa_heavy_rain_4_cancel_zh-TW_2024-04-22T2113.xml",
    "nws_flash_flood_watch_cap11_2010-08-30.xml",
]


@pytest.mark.usefixtures("cli_database")
class TestWeatherCommands:
    def test_ingest_folder_reports_stored_and_refused_then_lists(
        self, tmp_path: Path, shared_data: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("COLUMNS", "400")
        (tmp_path / "cap").mkdir()
        for name in CHAIN:
            shutil.copy(shared_data / "cap_alerts" / name, tmp_path / "cap" / name)
        result = runner.invoke(app, ["weather", "ingest", "cap"])
        assert result.exit_code == 0, result.output
        assert "refused: document: CAP 1.1 message" in result.stdout
        assert result.stdout.endswith("2 stored, 0 already stored, 1 refused\n")

        again = runner.invoke(app, ["weather", "ingest", "cap"])
        assert again.stdout.endswith("0 stored, 2 already stored, 1 refused\n")

        listed = runner.invoke(app, ["weather", "alerts", "--json"])
        assert listed.exit_code == 0, listed.output
        assert [a["msg_type"] for a in json.loads(listed.stdout)] == ["Cancel", "Alert"]
        active = runner.invoke(app, ["weather", "alerts", "--active", "--json"])
        assert json.loads(active.stdout) == []
        table = runner.invoke(app, ["weather", "alerts"])
        assert "cancelled" in table.stdout

    def test_malformed_file_is_one_line_and_exit_1(self, tmp_path: Path) -> None:
        (tmp_path / "bad.xml").write_bytes(b"<alert><oops></alert>")
        result = runner.invoke(app, ["weather", "ingest", "bad.xml"])
        assert result.exit_code == 1
        assert result.stdout.startswith("bad.xml: refused: ")
        assert "error: nothing could be read from bad.xml" in result.stderr

    def test_missing_path_is_one_line_error(self) -> None:
        result = runner.invoke(app, ["weather", "ingest", "nowhere"])
        assert result.exit_code == 1
        assert result.stderr == "error: nowhere: no such file or folder\n"

    def test_unknown_region_filter_is_an_error(self) -> None:
        result = runner.invoke(app, ["weather", "alerts", "--region", "nowhere"])
        assert result.exit_code == 1
        assert "unknown region code" in result.stderr
