"""The CLI as a user meets it: one-line errors for a database that is not ready, and replay."""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from streetrelief.cli.main import app
from streetrelief.config import get_settings
from streetrelief.db.engine import get_engine
from tests.factories.los_angeles import EXAMPLES

runner = CliRunner()


@pytest.fixture
def database_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Run in ``tmp_path`` with fresh settings; restore them after."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "400")
    get_settings.cache_clear()
    get_engine.cache_clear()
    yield
    get_settings.cache_clear()
    get_engine.cache_clear()


@pytest.mark.usefixtures("database_env")
class TestDatabaseNotReady:
    @pytest.mark.parametrize(
        ("url", "message"),
        [
            ("sqlite:///{tmp}/empty.db", "db upgrade"),
            ("postgresql+psycopg://nobody@127.0.0.1:1/none", "database error"),
            ("mysql://root@localhost/x", "must start with sqlite:// or postgresql://"),
            ("not a url", "must start with"),
        ],
    )
    def test_stats_fails_with_one_line(
        self, url: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("STREETRELIEF_DATABASE_URL", url.format(tmp=tmp_path))
        result = runner.invoke(app, ["stats", "--region", "11"])
        assert result.exit_code == 1
        assert message in result.output
        assert "Traceback" not in result.output

    def test_missing_folder_is_not_created(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        target = tmp_path / "no" / "such" / "dir" / "x.db"
        monkeypatch.setenv("STREETRELIEF_DATABASE_URL", f"sqlite:///{target}")
        result = runner.invoke(app, ["db", "upgrade"])
        assert result.exit_code == 1
        assert not (tmp_path / "no").exists()


def _small_export(shared_data: Path, out: Path, keep: int) -> int:
    """The first ``keep`` encampment rows of the real export plus some other rows, as is."""
    source = shared_data / "help_requests" / "la_myla311_2017-12-27_to_31_all_types.csv.gz"
    with gzip.open(source, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        fields = reader.fieldnames or []
    encampments = [r for r in rows if r["RequestType"] == "Homeless Encampment"][:keep]
    others = [r for r in rows if r["RequestType"] != "Homeless Encampment"][:keep]
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(encampments + others)
    return len(encampments)


@pytest.mark.usefixtures("database_env")
class TestReplayCommand:
    def test_replay_prints_statistics(self, tmp_path: Path, shared_data: Path) -> None:
        export = tmp_path / "export.csv"
        kept = _small_export(shared_data, export, 20)
        result = runner.invoke(
            app,
            [
                "replay",
                str(export),
                "--regions",
                str(EXAMPLES / "regions.csv"),
                "--teams",
                str(EXAMPLES / "teams.csv"),
                "--json",
            ],
        )
        assert result.exit_code == 0, result.output
        stats = json.loads(result.output)
        assert stats["reports"] == kept
        assert stats["incidents"] == stats["dispatches"] == stats["arrivals"]
        assert stats["region_code"] == "US"

    @pytest.mark.parametrize(
        ("extra", "message"),
        [
            (["--mapping", "nosuch"], "one of myla311"),
            (["--region", "XX"], "unknown region code 'XX'"),
        ],
    )
    def test_bad_options_fail_before_replaying(
        self, extra: list[str], message: str, tmp_path: Path, shared_data: Path
    ) -> None:
        export = tmp_path / "export.csv"
        _small_export(shared_data, export, 3)
        result = runner.invoke(
            app,
            [
                "replay",
                str(export),
                "--regions",
                str(EXAMPLES / "regions.csv"),
                "--teams",
                str(EXAMPLES / "teams.csv"),
                *extra,
            ],
        )
        assert result.exit_code == 1
        assert message in result.output
        assert "Traceback" not in result.output

    def test_other_columns_named_in_the_error(self, shared_data: Path) -> None:
        derived = shared_data / "help_requests" / "la_myla311_homeless_encampment_only.csv"
        result = runner.invoke(
            app,
            [
                "replay",
                str(derived),
                "--regions",
                str(EXAMPLES / "regions.csv"),
                "--teams",
                str(EXAMPLES / "teams.csv"),
            ],
        )
        assert result.exit_code == 1
        assert "missing columns" in result.output


@pytest.mark.usefixtures("cli_database")
class TestStatsCommand:
    def test_times_without_offset_are_the_regions_local_time(self) -> None:
        result = runner.invoke(
            app, ["stats", "--region", "11", "--start", "2026-01-20T00:00", "--json"]
        )
        assert result.exit_code == 0, result.output
        figures = json.loads(result.output)
        assert figures["timezone"] == "Asia/Shanghai"
        assert figures["start"] == "2026-01-20T00:00:00+08:00"

    def test_unreadable_time_is_one_line(self) -> None:
        result = runner.invoke(app, ["stats", "--region", "11", "--start", "yesterday"])
        assert result.exit_code == 1
        assert "is not an ISO 8601 time" in result.output
