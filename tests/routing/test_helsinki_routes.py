"""Travel times on the real Helsinki extract against routes worked out by hand.

Each route below was traced on the OpenStreetMap ways of the extract (way ids given), node by
node; the expected distance sums the great-circle lengths of its segments, computed here from
the node coordinates in the file. Query points are the first and last node, so no snap leg
adds to the distance. The router rounds each edge to 0.1 m, hence the 1 m tolerance.
"""

from __future__ import annotations

from itertools import pairwise

import pytest

from streetrelief.core.geo import haversine_m
from streetrelief.routing import RoadNetworkTravel
from streetrelief.teams.models import TravelMode
from tests.routing.conftest import WALKING_KMH

# Unioninkatu southward, 304 m along a straight two-way secondary road (maxspeed 40) from
# node 4435014117, where a cycleway joins, to node 289550530: ways 27193116 (to node
# 1369465868), 26431228 (to node 890175720) and 75384660.
UNIONINKATU = [
    (60.1730584, 24.9505286),
    (60.1730158, 24.9505331),
    (60.1726436, 24.9505818),
    (60.1725603, 24.9505911),
    (60.1725196, 24.9505957),
    (60.1722342, 24.9506276),
    (60.1718731, 24.9506675),
    (60.1715359, 24.9507017),
    (60.1714821, 24.9507076),
    (60.1714302, 24.9507123),
    (60.1710928, 24.9507498),
    (60.1708239, 24.9507814),
    (60.1707655, 24.9507898),
    (60.1707118, 24.9507952),
    (60.1706766, 24.9507987),
    (60.1703312, 24.9508333),
]

# Kaisaniemenkatu south-west from Unioninkatu (node 1371708588) to Puutarhakatu (node
# 1371708579): way 17000361, secondary, oneway=yes, maxspeed 40.
KAISANIEMENKATU = [
    (60.17401, 24.9496293),
    (60.1738515, 24.9495824),
    (60.1738128, 24.9495674),
    (60.1737774, 24.9495466),
    (60.1736704, 24.9494385),
    (60.1733114, 24.949028),
    (60.1732528, 24.9489668),
    (60.1731225, 24.9488575),
]

# Aleksanterinkatu east from node 1776492859 to the Fabianinkatu corner, node 4435014131
# (way 166170099, service, maxspeed 30), then a right turn south on Fabianinkatu (ways
# 36730332 and 36730333, residential, maxspeed 30) to node 890175731.
ALEKSANTERINKATU_FABIANINKATU = [
    (60.1689, 24.9458923),
    (60.1689426, 24.9474287),
    (60.1689862, 24.9492269),
    (60.1689886, 24.9493278),
    (60.1689564, 24.9493309),
    (60.1689108, 24.9493404),
    (60.1687727, 24.9493557),
]

# Kluuvikatu, a pedestrian street (way 19746151, highway=pedestrian), north from Pohjoisesplanadi
# (node 56439093) across Aleksanterinkatu (node 288554588) to Yliopistonkatu (node 1380974106).
KLUUVIKATU = [
    (60.1677731, 24.9475662),
    (60.1678391, 24.9475584),
    (60.1684479, 24.9474845),
    (60.168843, 24.9474417),
    (60.1688618, 24.9474396),
    (60.1689124, 24.9474325),
    (60.1689295, 24.9474306),
    (60.1689426, 24.9474287),
    (60.1689556, 24.9474269),
    (60.1689703, 24.9474244),
    (60.1690196, 24.9474175),
    (60.16971, 24.9473796),
    (60.1697829, 24.9473729),
    (60.1698299, 24.9473675),
]


def length_m(route: list[tuple[float, float]]) -> float:
    """Sum of the great-circle lengths of the route's segments, metres."""
    return sum(haversine_m(*a, *b) for a, b in pairwise(route))


@pytest.mark.parametrize(
    ("route", "speed_kmh"),
    [(UNIONINKATU, 40.0), (KAISANIEMENKATU, 40.0), (ALEKSANTERINKATU_FABIANINKATU, 30.0)],
    ids=["unioninkatu", "kaisaniemenkatu", "aleksanterinkatu-fabianinkatu"],
)
def test_vehicle_follows_the_hand_checked_route_at_the_speed_limit(
    helsinki: RoadNetworkTravel, route: list[tuple[float, float]], speed_kmh: float
) -> None:
    expected_m = length_m(route)
    estimate = helsinki.travel(route[0], route[-1], TravelMode.vehicle)
    assert not estimate.is_fallback
    assert estimate.distance_m == pytest.approx(expected_m, abs=1.0)
    assert estimate.travel_time_s == pytest.approx(expected_m / (speed_kmh / 3.6), abs=0.2)


@pytest.mark.parametrize(
    "route",
    [UNIONINKATU, KAISANIEMENKATU, ALEKSANTERINKATU_FABIANINKATU, KLUUVIKATU],
    ids=["unioninkatu", "kaisaniemenkatu", "aleksanterinkatu-fabianinkatu", "kluuvikatu"],
)
def test_walking_takes_the_same_streets_both_ways(
    helsinki: RoadNetworkTravel, route: list[tuple[float, float]]
) -> None:
    expected_m = length_m(route)
    there = helsinki.travel(route[0], route[-1], TravelMode.walking)
    back = helsinki.travel(route[-1], route[0], TravelMode.walking)
    for estimate in (there, back):
        assert not estimate.is_fallback
        assert estimate.distance_m == pytest.approx(expected_m, abs=1.0)
        assert estimate.travel_time_s == pytest.approx(expected_m / (WALKING_KMH / 3.6), abs=1.0)


def test_one_way_street_is_driven_only_forwards(helsinki: RoadNetworkTravel) -> None:
    start, end = KAISANIEMENKATU[0], KAISANIEMENKATU[-1]
    forward = helsinki.travel(start, end, TravelMode.vehicle)
    against = helsinki.travel(end, start, TravelMode.vehicle)
    # Against the one-way the car must go round the blocks: the first road back is hundreds of
    # metres longer, and no shortcut may use Kaisaniemenkatu itself.
    assert not against.is_fallback
    assert against.distance_m > forward.distance_m + 300
    assert against.travel_time_s > forward.travel_time_s


def test_pedestrian_street_is_walked_but_not_driven(helsinki: RoadNetworkTravel) -> None:
    start, end = KLUUVIKATU[0], KLUUVIKATU[-1]
    walk = helsinki.travel(start, end, TravelMode.walking)
    drive = helsinki.travel(start, end, TravelMode.vehicle)
    assert walk.distance_m == pytest.approx(length_m(KLUUVIKATU), abs=1.0)
    assert not drive.is_fallback
    assert drive.distance_m > walk.distance_m + 150  # round by the streets beside it


def test_a_point_to_itself_is_no_trip(helsinki: RoadNetworkTravel) -> None:
    point = (60.17, 24.945)  # a block of Kluuvi, metres from the nearest road node
    for mode in TravelMode:
        estimate = helsinki.travel(point, point, mode)
        assert (estimate.distance_m, estimate.travel_time_s, estimate.is_fallback) == (0, 0, False)


def spread_points(count: int) -> list[tuple[float, float]]:
    """``count`` points on a grid over the extract (24.9352-24.9534 E, 60.1642-60.1791 N)."""
    side = int(count**0.5) + 1
    return [
        (60.1645 + 0.0143 * (i // side) / side, 24.9355 + 0.0176 * (i % side) / side)
        for i in range(count)
    ]


@pytest.mark.parametrize("mode", list(TravelMode))
def test_many_to_one_equals_one_to_many_from_each_origin(
    helsinki: RoadNetworkTravel, mode: TravelMode
) -> None:
    origins = spread_points(60)
    incident = (60.1699, 24.9384)  # by the railway station
    together = helsinki.many_to_one(origins, incident, mode)
    one_by_one = [helsinki.one_to_many(origin, [incident], mode)[0] for origin in origins]
    assert together == one_by_one
    assert not any(e.is_fallback for e in together)


@pytest.mark.parametrize("mode", list(TravelMode))
def test_many_to_many_rows_equal_one_to_many(helsinki: RoadNetworkTravel, mode: TravelMode) -> None:
    points = spread_points(24)
    origins, targets = points[:8], points[8:]
    matrix = helsinki.many_to_many(origins, targets, mode)
    assert matrix == [helsinki.one_to_many(origin, targets, mode) for origin in origins]
    # More origins than targets runs from the targets on the reversed graph: same answers.
    assert helsinki.many_to_many(targets, origins[:2], mode) == [
        helsinki.one_to_many(target, origins[:2], mode) for target in targets
    ]


def test_point_5_km_off_the_extract_is_a_flagged_straight_line(helsinki: RoadNetworkTravel) -> None:
    # 5 km south of the railway station: at sea, beyond Suomenlinna.
    station, out_at_sea = (60.1699, 24.9384), (60.125, 24.9384)
    for mode in TravelMode:
        estimate = helsinki.travel(station, out_at_sea, mode)
        assert estimate.is_fallback
        assert estimate.distance_m == pytest.approx(1.4 * haversine_m(*station, *out_at_sea))


def test_large_matrices_run_in_batches_with_the_same_answers(
    helsinki: RoadNetworkTravel, monkeypatch: pytest.MonkeyPatch
) -> None:
    points = spread_points(20)
    whole = helsinki.many_to_many(points[:10], points[10:], TravelMode.walking)
    # Room for three Dijkstra rows at a time: ten origins take four batches.
    nodes = helsinki.summary()[0].nodes
    monkeypatch.setattr("streetrelief.routing.provider.MAX_MATRIX_CELLS", 3 * nodes)
    assert helsinki.many_to_many(points[:10], points[10:], TravelMode.walking) == whole
