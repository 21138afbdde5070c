"""Routing rules on tiny hand-made extracts: one-way tags, speed tags, snap legs, islands,
bad files and the graph cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from streetrelief.core.errors import InvalidInputError, RoadNetworkError
from streetrelief.core.geo import haversine_m
from streetrelief.dispatch.travel import StraightLineTravel
from streetrelief.routing import RoadNetworkTravel
from streetrelief.routing.speeds import KMH_PER_MPH
from streetrelief.teams.models import TravelMode
from tests.routing.conftest import DETOUR, VEHICLE_KMH, WALKING_KMH, load, write_pbf

# A block about 100 m square at 60 N (0.0009 deg of latitude, 0.0018 deg of longitude), plus
# a two-node island street 3 km north.
A, B, C, D = (60.0, 25.0), (60.0, 25.0018), (60.0009, 25.0018), (60.0009, 25.0)
ISLAND = (60.03, 25.0), (60.03, 25.001)
NODES = {1: A, 2: B, 3: C, 4: D, 5: ISLAND[0], 6: ISLAND[1]}
WAYS = [
    (10, [1, 2], {"highway": "residential", "oneway": "-1"}),  # drivable from B to A only
    (11, [2, 3], {"highway": "residential"}),  # no maxspeed: OSRM default 25 km/h
    (12, [3, 4], {"highway": "residential", "maxspeed": "20 mph"}),
    (13, [4, 1], {"highway": "residential", "maxspeed": "30"}),
    (14, [5, 6], {"highway": "residential"}),
]
WALK_MS = WALKING_KMH / 3.6


@pytest.fixture(scope="module")
def block_pbf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_pbf(tmp_path_factory.mktemp("osm") / "block.osm.pbf", NODES, WAYS)


@pytest.fixture(scope="module")
def block(block_pbf: Path) -> RoadNetworkTravel:
    return load(block_pbf)


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    return haversine_m(*a, *b)


def test_reverse_one_way_is_driven_round_the_block(block: RoadNetworkTravel) -> None:
    with_flow = block.travel(B, A, TravelMode.vehicle)
    assert with_flow.distance_m == pytest.approx(metres(A, B), abs=0.2)
    assert with_flow.travel_time_s == pytest.approx(metres(A, B) / (25 / 3.6), abs=0.05)
    against = block.travel(A, B, TravelMode.vehicle)
    round_m = metres(A, D) + metres(D, C) + metres(C, B)
    assert against.distance_m == pytest.approx(round_m, abs=0.5)
    expected_s = (
        metres(A, D) / (30 / 3.6)
        + metres(D, C) / (20 * KMH_PER_MPH / 3.6)
        + metres(C, B) / (25 / 3.6)
    )
    assert against.travel_time_s == pytest.approx(expected_s, abs=0.05)


def test_roundabout_is_one_way_without_a_oneway_tag(tmp_path: Path) -> None:
    # A triangular roundabout A -> B -> C -> A, drawn in its direction of travel.
    ring = write_pbf(
        tmp_path / "roundabout.osm.pbf",
        {1: A, 2: B, 3: C},
        [(10, [1, 2, 3, 1], {"highway": "primary", "junction": "roundabout"})],
    )
    travel = load(ring)
    assert travel.travel(A, B, TravelMode.vehicle).distance_m == pytest.approx(
        metres(A, B), abs=0.2
    )
    assert travel.travel(B, A, TravelMode.vehicle).distance_m == pytest.approx(
        metres(B, C) + metres(C, A), abs=0.2
    )
    assert travel.travel(B, A, TravelMode.walking).distance_m == pytest.approx(
        metres(A, B), abs=0.2
    )


def test_walking_ignores_one_way(block: RoadNetworkTravel) -> None:
    for start, end in ((A, B), (B, A)):
        estimate = block.travel(start, end, TravelMode.walking)
        assert estimate.distance_m == pytest.approx(metres(A, B), abs=0.2)
        assert estimate.travel_time_s == pytest.approx(metres(A, B) / WALK_MS, abs=0.05)


def test_snap_legs_are_walked_and_counted(block: RoadNetworkTravel) -> None:
    off_road = (59.99955, 25.0)  # 50 m south of A, in no street
    leg_m = metres(off_road, A)
    walk = block.travel(off_road, D, TravelMode.walking)
    assert not walk.is_fallback
    assert walk.distance_m == pytest.approx(leg_m + metres(A, D), abs=0.2)
    drive = block.travel(off_road, D, TravelMode.vehicle)
    assert not drive.is_fallback
    assert drive.distance_m == pytest.approx(leg_m + metres(A, D), abs=0.2)
    assert drive.travel_time_s == pytest.approx(
        leg_m / WALK_MS + metres(A, D) / (30 / 3.6), abs=0.05
    )


@pytest.mark.parametrize("mode", list(TravelMode))
@pytest.mark.parametrize(
    "far",
    [ISLAND[0], (60.045, 25.0)],
    ids=["on-a-road-island", "5-km-off-the-network"],
)
def test_points_beyond_the_snap_distance_fall_back_to_a_straight_line(
    block: RoadNetworkTravel, far: tuple[float, float], mode: TravelMode
) -> None:
    straight = StraightLineTravel(
        detour_factor=DETOUR, vehicle_speed_kmh=VEHICLE_KMH, walking_speed_kmh=WALKING_KMH
    )
    for estimate, expected in (
        (block.travel(A, far, mode), straight.travel(A, far, mode)),
        (block.travel(far, A, mode), straight.travel(far, A, mode)),
        (block.many_to_one([far, B], A, mode)[0], straight.travel(far, A, mode)),
        (block.many_to_many([A], [far, B], mode)[0][0], straight.travel(A, far, mode)),
    ):
        assert estimate.is_fallback
        assert estimate.distance_m == pytest.approx(expected.distance_m)
        assert estimate.travel_time_s == pytest.approx(expected.travel_time_s)
        assert estimate.travel_time_s > 0


def test_many_to_one_runs_against_the_one_way(block: RoadNetworkTravel) -> None:
    origins = [A, B, C, D]
    into_b = block.many_to_one(origins, B, TravelMode.vehicle)
    assert into_b == [block.travel(o, B, TravelMode.vehicle) for o in origins]
    assert into_b[0] != block.travel(B, A, TravelMode.vehicle)  # A to B goes round


def test_invalid_coordinates_are_refused(block: RoadNetworkTravel) -> None:
    with pytest.raises(InvalidInputError, match="latitude 95"):
        block.travel((95.0, 25.0), A, TravelMode.walking)
    with pytest.raises(InvalidInputError, match="finite"):
        block.many_to_one([A, (float("nan"), 25.0)], B, TravelMode.vehicle)


def test_file_that_is_not_pbf_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "roads.osm.pbf"
    path.write_text("<osm version='0.6'></osm>")
    with pytest.raises(RoadNetworkError, match=r"roads\.osm\.pbf: not a readable OpenStreetMap"):
        load(path)


def test_file_of_another_type_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "teams.csv"
    path.write_text("code,name\nA,a\n")
    with pytest.raises(RoadNetworkError, match=r"teams\.csv: not a readable OpenStreetMap"):
        load(path)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(RoadNetworkError, match=r"nowhere\.osm\.pbf: no such road-network file"):
        load(tmp_path / "nowhere.osm.pbf")


def test_extract_without_roads_is_refused(tmp_path: Path) -> None:
    buildings = write_pbf(
        tmp_path / "buildings.osm.pbf",
        {1: A, 2: B, 3: C},
        [(10, [1, 2, 3, 1], {"building": "yes"})],
    )
    with pytest.raises(RoadNetworkError, match=r"buildings\.osm\.pbf: no roads for walking"):
        load(buildings)
    footpaths = write_pbf(
        tmp_path / "park.osm.pbf", {1: A, 2: B}, [(10, [1, 2], {"highway": "footway"})]
    )
    with pytest.raises(RoadNetworkError, match=r"park\.osm\.pbf: no roads for vehicle"):
        load(footpaths)


def test_second_load_reads_the_cache(block_pbf: Path, tmp_path: Path) -> None:
    first = load(block_pbf, tmp_path)
    (cached,) = tmp_path.glob("*.npz")
    built_ns = cached.stat().st_mtime_ns
    second = load(block_pbf, tmp_path)
    assert (first.from_cache, second.from_cache) == (False, True)
    assert list(tmp_path.glob("*.npz")) == [cached]
    assert cached.stat().st_mtime_ns == built_ns
    assert second.summary() == first.summary()
    assert second.travel(A, B, TravelMode.vehicle) == first.travel(A, B, TravelMode.vehicle)
    # Another walking speed is another build, in a file of its own.
    RoadNetworkTravel.from_osm(
        block_pbf,
        cache_dir=tmp_path,
        walking_speed_kmh=WALKING_KMH + 1,
        vehicle_speed_kmh=VEHICLE_KMH,
        detour_factor=DETOUR,
        max_snap_m=500.0,
    )
    assert len(list(tmp_path.glob("*.npz"))) == 2


def test_damaged_cache_is_rebuilt(block_pbf: Path, tmp_path: Path) -> None:
    load(block_pbf, tmp_path)
    (cached,) = tmp_path.glob("*.npz")
    cached.write_bytes(b"cut short")
    rebuilt = load(block_pbf, tmp_path)
    assert not rebuilt.from_cache
    assert load(block_pbf, tmp_path).from_cache
    assert list(tmp_path.glob("*.npz")) == [cached]  # no partial files left behind


def test_unwritable_cache_still_gives_a_network(block_pbf: Path, tmp_path: Path) -> None:
    not_a_folder = tmp_path / "cache"
    not_a_folder.write_text("a file where the cache folder should be")
    travel = load(block_pbf, not_a_folder)
    assert not travel.from_cache
    estimate = travel.travel(B, A, TravelMode.vehicle)
    assert estimate.distance_m == pytest.approx(metres(A, B), abs=0.2)
