"""Percentiles and shares."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from streetrelief.stats.logic import percentile, share


@pytest.mark.parametrize(
    ("values", "pct", "expected"),
    [
        ([], 50, None),
        ([7.0], 99, 7.0),
        ([1.0, 2.0, 3.0, 4.0], 50, 2.0),
        ([1.0, 2.0, 3.0, 4.0], 75, 3.0),
        ([1.0, 2.0, 3.0, 4.0], 100, 4.0),
        ([15.0, 20.0, 35.0, 40.0, 50.0], 40, 20.0),  # NIST nearest-rank example
        ([3.0, 1.0, 2.0], 1, 1.0),
    ],
)
def test_nearest_rank(values: list[float], pct: float, expected: float | None) -> None:
    assert percentile(values, pct) == expected


@pytest.mark.parametrize("pct", [0, -1, 100.5])
def test_percentile_out_of_range_refused(pct: float) -> None:
    with pytest.raises(ValueError, match="outside"):
        percentile([1.0], pct)


@given(
    st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1),
    st.floats(min_value=0.001, max_value=100),
)
def test_percentile_is_an_observed_value_and_monotone(values: list[float], pct: float) -> None:
    p = percentile(values, pct)
    assert p in values
    high = percentile(values, 100)
    assert high is not None
    assert p is not None
    assert p <= high


def test_share_of_nothing_is_none() -> None:
    assert share(0, 0) is None
    assert share(1, 4) == 0.25
