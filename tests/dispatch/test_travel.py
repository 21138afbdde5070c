"""The straight-line travel provider's matrix agrees with its one-to-many rows."""

from __future__ import annotations

import pytest

from streetrelief.dispatch.travel import StraightLineTravel
from streetrelief.teams.models import TravelMode


def test_many_to_many_rows_are_one_to_many() -> None:
    travel = StraightLineTravel(detour_factor=1.4, vehicle_speed_kmh=30, walking_speed_kmh=4.5)
    origins = [(39.90, 116.40), (39.91, 116.41)]
    targets = [(39.90, 116.40), (39.92, 116.42), (39.95, 116.30)]
    matrix = travel.many_to_many(origins, targets, TravelMode.walking)
    assert len(matrix) == 2
    assert all(len(row) == 3 for row in matrix)
    for origin, row in zip(origins, matrix, strict=True):
        assert row == travel.one_to_many(origin, targets, TravelMode.walking)
    assert matrix[0][0].travel_time_s == 0
    # 4.5 km/h walking: 1.25 m/s, so time = distance / 1.25
    assert matrix[1][2].travel_time_s == pytest.approx(matrix[1][2].distance_m / 1.25)


def test_many_to_one_is_each_origin_to_the_target() -> None:
    travel = StraightLineTravel(detour_factor=1.4, vehicle_speed_kmh=30, walking_speed_kmh=4.5)
    origins = [(39.90, 116.40), (39.92, 116.42), (39.95, 116.30)]
    target = (39.91, 116.41)
    estimates = travel.many_to_one(origins, target, TravelMode.vehicle)
    assert estimates == [travel.travel(o, target, TravelMode.vehicle) for o in origins]
    assert travel.many_to_one([], target, TravelMode.vehicle) == []
