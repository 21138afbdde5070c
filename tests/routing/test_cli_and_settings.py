"""`streetrelief roads` as a user meets it, and the provider chosen by settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from streetrelief.api.app import create_app
from streetrelief.cli.main import app
from streetrelief.config import Settings, get_settings
from streetrelief.dispatch.travel import StraightLineTravel
from streetrelief.routing import RoadNetworkTravel
from streetrelief.routing.configured import travel_from_settings

runner = CliRunner()


@pytest.fixture
def fresh_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Run in ``tmp_path`` (so the default cache folder lands there) with fresh settings."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.usefixtures("fresh_settings")
def test_build_prints_graph_sizes_then_loads_from_cache(helsinki_pbf: Path, tmp_path: Path) -> None:
    cache = tmp_path / "graphs"
    first = runner.invoke(app, ["roads", "build", str(helsinki_pbf), "--cache", str(cache)])
    assert first.exit_code == 0, first.output
    assert "walking" in first.output
    assert "vehicle" in first.output
    assert "5,559" in first.output  # walking nodes
    assert "built in" in first.output
    second = runner.invoke(app, ["roads", "build", str(helsinki_pbf), "--cache", str(cache)])
    assert second.exit_code == 0, second.output
    assert "loaded from the cache in" in second.output


@pytest.mark.usefixtures("fresh_settings")
def test_route_prints_distance_time_and_fallback(helsinki_pbf: Path, tmp_path: Path) -> None:
    base = ["roads", "route", str(helsinki_pbf), "--from", "60.17401,24.9496293"]
    on_road = runner.invoke(app, [*base, "--to", "60.1731225,24.9488575", "--mode", "vehicle"])
    assert on_road.exit_code == 0, on_road.output
    assert "vehicle: 108 m, 10 s" in on_road.output
    assert "fallback" not in on_road.output
    at_sea = runner.invoke(app, [*base, "--to", "60.125,24.9384"])
    assert at_sea.exit_code == 0, at_sea.output
    assert "walking:" in at_sea.output
    assert "fallback: straight line" in at_sea.output
    assert list((tmp_path / "var" / "roads").glob("*.npz"))  # the default cache folder


@pytest.mark.usefixtures("fresh_settings")
@pytest.mark.parametrize(
    ("arguments", "message", "code"),
    [
        (["--to", "60.17,24.94x"], "expected LAT,LON", 2),
        (["--to", "95,24.94"], "latitude 95.0 outside", 1),
    ],
)
def test_route_refuses_bad_points(
    helsinki_pbf: Path, arguments: list[str], message: str, code: int
) -> None:
    result = runner.invoke(
        app, ["roads", "route", str(helsinki_pbf), "--from", "60.17,24.94", *arguments]
    )
    assert result.exit_code == code
    assert message in result.output


@pytest.mark.usefixtures("fresh_settings")
def test_build_of_a_bad_file_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "notes.osm.pbf"
    path.write_text("not a map")
    result = runner.invoke(app, ["roads", "build", str(path)])
    assert result.exit_code == 1
    assert "notes.osm.pbf: not a readable OpenStreetMap PBF file" in result.output
    assert "Traceback" not in result.output


def test_straight_line_is_the_default() -> None:
    assert isinstance(travel_from_settings(Settings()), StraightLineTravel)


def test_road_network_without_a_file_is_a_settings_error() -> None:
    with pytest.raises(ValidationError, match=r"road_network_file\n.*required when"):
        Settings(travel_provider="road_network")


def test_app_uses_the_configured_road_network(helsinki_pbf: Path, tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'app.db'}",
        travel_provider="road_network",
        road_network_file=helsinki_pbf,
        road_network_cache_dir=tmp_path / "graphs",
    )
    assert isinstance(create_app(settings).state.travel, RoadNetworkTravel)
    assert list((tmp_path / "graphs").glob("*.npz"))
