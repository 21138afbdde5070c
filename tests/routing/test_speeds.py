"""Reading ``maxspeed`` tags, and the per-class defaults where they do not read."""

from __future__ import annotations

import math

import pytest

from streetrelief.routing.speeds import parse_maxspeed_kmh, road_speeds_kmh


@pytest.mark.parametrize(
    ("tag", "kmh"),
    [
        ("50", 50.0),
        ("40 km/h", 40.0),
        (" 30 ", 30.0),
        ("30 mph", 48.28032),
        ("FI:urban", None),
        ("walk", None),
        ("none", None),
        ("40;30", None),
        ("0", None),
        ("", None),
        (None, None),
        (math.nan, None),
    ],
)
def test_maxspeed_tag(tag: object, kmh: float | None) -> None:
    assert parse_maxspeed_kmh(tag) == (pytest.approx(kmh) if kmh is not None else None)


def test_class_default_where_the_tag_does_not_read() -> None:
    speeds = road_speeds_kmh(
        ["residential", "primary", "motorway", "track", None], ["", "FI:urban", "100", None, None]
    )
    # OSRM car profile: residential 25, primary 65; track is not in it: 15 (service speed).
    assert speeds.tolist() == [25.0, 65.0, 100.0, 15.0, 15.0]
