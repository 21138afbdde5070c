"""Wind chill against the published tables, its validity range, and its monotonic properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from streetrelief.core.errors import InvalidInputError
from streetrelief.weather.windchill import (
    feels_like_c,
    is_wind_chill_defined,
    ms_to_kmh,
    wind_chill_c,
)

# Inside the validity range: air at or below 10 °C, wind above 4.8 km/h.
cold_c = st.floats(min_value=-60, max_value=10, allow_nan=False)
any_c = st.floats(min_value=-60, max_value=45, allow_nan=False)
wind_kmh = st.floats(min_value=0, max_value=150, allow_nan=False)


class TestPublishedTable:
    """The ECCC wind chill table (°C, km/h, rounded to whole degrees)."""

    @pytest.mark.parametrize(
        ("temperature_c", "wind_speed_kmh", "formula_c", "table_c"),
        [
            (-10, 20, -17.86, -18),
            (-20, 30, -32.57, -33),
            (0, 10, -3.31, -3),
            (-30, 50, -49.03, -49),
            (-25, 10, -33.18, -33),
            (-40, 60, -64.17, -64),
            (5, 5, 4.08, 4),
        ],
    )
    def test_table_value_matches(
        self, temperature_c: float, wind_speed_kmh: float, formula_c: float, table_c: float
    ) -> None:
        chill = wind_chill_c(temperature_c, wind_speed_kmh)
        assert chill is not None
        assert chill == pytest.approx(formula_c, abs=0.005)
        assert abs(chill - table_c) <= 0.5

    def test_formula_recomputed_by_hand_matches(self) -> None:
        t, v = -15.0, 25.0
        expected = 13.12 + 0.6215 * t - 11.37 * v**0.16 + 0.3965 * t * v**0.16
        assert wind_chill_c(t, v) == pytest.approx(expected)


class TestValidityRange:
    """The index exists only for air ≤ 10 °C and wind > 4.8 km/h."""

    def test_air_at_ten_degrees_defined(self) -> None:
        assert wind_chill_c(10.0, 20.0) is not None

    def test_air_above_ten_degrees_undefined(self) -> None:
        assert wind_chill_c(10.01, 20.0) is None
        assert feels_like_c(10.01, 20.0) == 10.01

    def test_wind_at_boundary_undefined(self) -> None:
        assert wind_chill_c(-10.0, 4.8) is None
        assert feels_like_c(-10.0, 4.8) == -10.0

    def test_wind_just_above_boundary_defined(self) -> None:
        assert wind_chill_c(-10.0, 4.81) is not None

    def test_calm_air_feels_like_air(self) -> None:
        assert not is_wind_chill_defined(-5.0, 0.0)
        assert feels_like_c(-5.0, 0.0) == -5.0

    @pytest.mark.parametrize(
        ("temperature_c", "wind_speed_kmh"),
        [(math.nan, 10.0), (-5.0, math.nan), (math.inf, 10.0), (-5.0, -math.inf), (-5.0, -1.0)],
    )
    def test_bad_number_refused(self, temperature_c: float, wind_speed_kmh: float) -> None:
        with pytest.raises(InvalidInputError):
            wind_chill_c(temperature_c, wind_speed_kmh)
        with pytest.raises(InvalidInputError):
            feels_like_c(temperature_c, wind_speed_kmh)


class TestConversion:
    def test_metres_per_second_to_kmh(self) -> None:
        assert ms_to_kmh(10.0) == pytest.approx(36.0)
        assert ms_to_kmh(0.0) == 0.0


class TestProperties:
    """Invariants over the whole range, not just the table."""

    @given(any_c, wind_kmh)
    def test_never_above_air_temperature(self, temperature_c: float, wind: float) -> None:
        chill = wind_chill_c(temperature_c, wind)
        assert chill is None or chill <= temperature_c
        assert feels_like_c(temperature_c, wind) <= temperature_c

    @given(any_c, any_c, wind_kmh)
    def test_colder_air_never_feels_warmer(self, a: float, b: float, wind: float) -> None:
        colder, warmer = min(a, b), max(a, b)
        assert feels_like_c(colder, wind) <= feels_like_c(warmer, wind)

    @given(st.floats(min_value=-60, max_value=0, allow_nan=False), wind_kmh, wind_kmh)
    def test_more_wind_never_feels_warmer(self, temperature_c: float, a: float, b: float) -> None:
        calmer, windier = min(a, b), max(a, b)
        assert feels_like_c(temperature_c, windier) <= feels_like_c(temperature_c, calmer)

    @given(cold_c, st.floats(min_value=4.81, max_value=150, allow_nan=False))
    def test_defined_inside_range(self, temperature_c: float, wind: float) -> None:
        assert wind_chill_c(temperature_c, wind) is not None
