"""``streetrelief weather ingest|alerts`` against a temporary SQLite database."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from streetrelief.cli.main import app

runner = CliRunner()
DONGSI = "beijing_multisite_PRSA_Dongsi_hourly_2013-2017.csv.gz"
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


@pytest.mark.usefixtures("cli_database")
class TestObservationCommands:
    def test_import_real_file_twice_then_list_since(
        self, shared_data: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("COLUMNS", "400")
        shutil.copy(shared_data / "weather" / DONGSI, DONGSI)
        first = runner.invoke(app, ["weather", "import", DONGSI, "--region", "11"])
        assert first.exit_code == 0, first.output
        stored, _, rest = first.stdout.partition(" stored, 0 already stored, ")
        assert stored.startswith(f"{DONGSI}: ")
        assert int(stored.rsplit(" ", 1)[1]) > 30_000
        assert rest.endswith(" skipped (missing values)\n")

        again = runner.invoke(app, ["weather", "import", DONGSI, "-r", "11"])
        assert again.exit_code == 0, again.output
        assert f"{DONGSI}: 0 stored, " in again.stdout

        since = ["--since", "2017-02-28T22:00+08:00", "--json"]
        listed = runner.invoke(app, ["weather", "observations", "--region", "11", *since])
        assert listed.exit_code == 0, listed.output
        rows = json.loads(listed.stdout)
        assert [r["observed_at"] for r in rows] == ["2017-02-28T14:00:00Z", "2017-02-28T15:00:00Z"]
        assert {r["station"] for r in rows} == {"Dongsi"}
        table = runner.invoke(app, ["weather", "observations", "-r", "11", "--since", since[1]])
        assert "Dongsi" in table.stdout

    def test_bad_line_is_one_line_naming_file_and_line(self) -> None:
        Path("bad.csv").write_text(
            '"No","year","month","day","hour","TEMP","WSPM","station"\n'
            '1,2016,1,22,0,-10.0,5.0,"S"\n'
            '2,2016,1,22,1,cold,5.0,"S"\n',
            encoding="utf-8",
        )
        result = runner.invoke(app, ["weather", "import", "bad.csv", "--region", "11"])
        assert result.exit_code == 1
        assert result.stderr.startswith("error: bad.csv, line 3: ")
        assert result.stderr.count("\n") == 1
        listed = runner.invoke(app, ["weather", "observations", "--region", "11", "--json"])
        assert json.loads(listed.stdout) == []

    def test_unknown_region_and_naive_since_are_refused(self) -> None:
        Path("ok.csv").write_text(
            '"No","year","month","day","hour","TEMP","WSPM","station"\n1,2016,1,22,0,-1,5,"S"\n',
            encoding="utf-8",
        )
        unknown = runner.invoke(app, ["weather", "import", "ok.csv", "--region", "99"])
        assert unknown.exit_code == 1
        assert unknown.stderr.count("\n") == 1
        naive = runner.invoke(
            app, ["weather", "observations", "-r", "11", "--since", "2016-01-22T00:00"]
        )
        assert naive.exit_code == 2
