"""WGS-84 checks, distances, H3 coverage and the GCJ-02 conversion at the edge."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from streetrelief.core.errors import InvalidInputError
from streetrelief.core.geo import (
    check_lat_lon,
    gcj02_to_wgs84,
    h3_cell,
    h3_cells_within,
    haversine_m,
    wgs84_to_gcj02,
)


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        (91.0, 0.0),
        (-90.5, 0.0),
        (0.0, 180.1),
        (math.nan, 0.0),
        (0.0, math.inf),
    ],
)
def test_bad_coordinates_refused(lat: float, lon: float) -> None:
    with pytest.raises(InvalidInputError):
        check_lat_lon(lat, lon)


def test_haversine_one_degree_of_latitude() -> None:
    # One degree of arc on the mean-radius sphere: 2 * pi * R / 360.
    assert haversine_m(0.0, 0.0, 1.0, 0.0) == pytest.approx(111_195.08, abs=0.01)


@given(
    lat=st.floats(min_value=-60, max_value=60),
    lon=st.floats(min_value=-170, max_value=170),
    bearing=st.floats(min_value=0, max_value=2 * math.pi),
    fraction=st.floats(min_value=0, max_value=1),
    radius_m=st.sampled_from([50.0, 200.0, 1000.0]),
)
def test_cells_within_cover_every_point_of_the_disc(
    lat: float, lon: float, bearing: float, fraction: float, radius_m: float
) -> None:
    d = radius_m * fraction * 0.999
    dlat = math.degrees(d * math.cos(bearing) / 6_371_008.8)
    dlon = math.degrees(d * math.sin(bearing) / (6_371_008.8 * math.cos(math.radians(lat))))
    assert h3_cell(lat + dlat, lon + dlon) in set(h3_cells_within(lat, lon, radius_m))


class TestGcjConversion:
    # Pairs from googollee/eviltransform go/transform_test.go (WGS-84, then GCJ-02).
    @pytest.mark.parametrize(
        ("wgs", "gcj"),
        [
            ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),  # Shanghai
            ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),  # Shenzhen
            ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),  # Beijing
        ],
    )
    def test_published_pairs(self, wgs: tuple[float, float], gcj: tuple[float, float]) -> None:
        assert wgs84_to_gcj02(*wgs) == pytest.approx(gcj, abs=1e-9)
        assert haversine_m(*gcj02_to_wgs84(*gcj), *wgs) < 0.01

    def test_outside_china_is_unchanged(self) -> None:
        assert gcj02_to_wgs84(48.8566, 2.3522) == (48.8566, 2.3522)

    @given(
        lat=st.floats(min_value=18.0, max_value=53.0),
        lon=st.floats(min_value=74.0, max_value=134.0),
    )
    def test_inverse_round_trips(self, lat: float, lon: float) -> None:
        assert wgs84_to_gcj02(*gcj02_to_wgs84(lat, lon)) == pytest.approx((lat, lon), abs=1e-8)
