"""``streetrelief regions``: import files and list the tree on a temporary SQLite database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from streetrelief.cli.main import app
from streetrelief.config import get_settings
from streetrelief.db.engine import get_engine

BAD_GENERIC = """code,name,level,parent_code,lat,lon,country_code,timezone
XX,Testland,country,,,,XX,Europe/Berlin
X1,North,province,XX,51.0,10.0,,
X2,South,province,XX,91.5,10.0,,
"""


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """A CLI runner on a migrated SQLite file of its own."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("STREETRELIEF_DATABASE_URL", url)
    # Rich wraps at 80 columns off a terminal; a wide console keeps each message on one line.
    monkeypatch.setenv("COLUMNS", "400")
    get_settings.cache_clear()
    get_engine.cache_clear()
    cli = CliRunner()
    upgraded = cli.invoke(app, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    yield cli
    get_engine(url).dispose()
    get_engine.cache_clear()
    get_settings.cache_clear()


@pytest.fixture
def china(shared_data: Path) -> Path:
    """The folder of the real Chinese division tables."""
    return shared_data / "china_admin_divisions"


class TestImport:
    def test_good_files_load_parents_first_and_list_as_a_tree(
        self, runner: CliRunner, china: Path
    ) -> None:
        files = [str(china / "modood_cities.csv"), str(china / "modood_provinces.csv")]

        imported = runner.invoke(app, ["regions", "import", *files])

        assert imported.exit_code == 0, imported.output
        assert "Regions imported" in imported.stdout
        roots = runner.invoke(app, ["regions", "list"])
        assert "中华人民共和国" in roots.stdout
        listed = runner.invoke(app, ["regions", "list", "--parent", "11", "--json"])
        assert listed.exit_code == 0, listed.output
        assert [(r["code"], r["level"]) for r in json.loads(listed.stdout)] == [
            ("1101", "prefecture")
        ]

    def test_json_counts_per_level(self, runner: CliRunner, china: Path) -> None:
        result = runner.invoke(
            app, ["regions", "import", "--json", str(china / "modood_provinces.csv")]
        )

        assert result.exit_code == 0, result.output
        [counts] = json.loads(result.stdout)
        assert counts["format"] == "modood"
        assert counts["by_level"]["province"] == 31
        assert counts["inserted"] == 32  # with the CN root

    def test_bad_file_prints_line_exits_non_zero_and_loads_nothing(
        self, runner: CliRunner, tmp_path: Path
    ) -> None:
        bad = tmp_path / "testland.csv"
        bad.write_text(BAD_GENERIC, encoding="utf-8")

        result = runner.invoke(app, ["regions", "import", str(bad)])

        assert result.exit_code == 1
        assert "testland.csv, line 4: latitude 91.5 outside [-90, 90]" in result.stderr
        assert "Traceback" not in result.output
        roots = runner.invoke(app, ["regions", "list", "--json"])
        assert json.loads(roots.stdout) == []

    def test_files_before_a_bad_one_stay_loaded_and_the_bad_one_is_rolled_back(
        self, runner: CliRunner, china: Path, tmp_path: Path
    ) -> None:
        cities = tmp_path / "cities.csv"
        cities.write_text('code,name,provinceCode\n1101,"市辖区",11\n9901,"x",99\n', "utf-8")

        result = runner.invoke(
            app, ["regions", "import", str(cities), str(china / "modood_provinces.csv")]
        )

        assert result.exit_code == 1
        assert "cities.csv, line 3: unknown parent 99 of 9901" in result.stderr
        assert "loaded before the error: modood_provinces.csv" in result.stderr
        provinces = runner.invoke(app, ["regions", "list", "--parent", "CN", "--json"])
        assert len(json.loads(provinces.stdout)) == 31
        prefectures = runner.invoke(app, ["regions", "list", "--parent", "11", "--json"])
        assert json.loads(prefectures.stdout) == []

    def test_explicit_format_names_missing_columns(self, runner: CliRunner, tmp_path: Path) -> None:
        bad = tmp_path / "short.csv"
        bad.write_text("code,name,level\nXX,T,country\n", encoding="utf-8")

        result = runner.invoke(app, ["regions", "import", "--format", "generic", str(bad)])

        assert result.exit_code == 1
        assert "short.csv, line 1: missing columns: parent_code" in result.stderr

    def test_missing_file_is_one_line(self, runner: CliRunner, tmp_path: Path) -> None:
        result = runner.invoke(app, ["regions", "import", str(tmp_path / "none.csv")])

        assert result.exit_code == 1
        assert "No such file or directory" in result.stderr
        assert "Traceback" not in result.output


class TestList:
    def test_unknown_parent_exits_non_zero(self, runner: CliRunner) -> None:
        result = runner.invoke(app, ["regions", "list", "--parent", "ZZ"])

        assert result.exit_code == 1
        assert "unknown region code 'ZZ'" in result.stderr
