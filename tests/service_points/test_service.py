"""Service-point use cases: create, update capacity and occupancy, list by subtree and kind."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy.orm import Session

from streetrelief.core.clock import FixedClock
from streetrelief.core.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    UnknownRegionError,
)
from streetrelief.core.geo import h3_cell
from streetrelief.db.outbox import events_after
from streetrelief.service_points.models import ServicePoint, ServicePointKind
from streetrelief.service_points.schemas import ServicePointCreate, ServicePointUpdate
from streetrelief.service_points.service import (
    create_service_point,
    list_service_points,
    update_service_point,
)
from tests.factories.regions import beijing_tree


def _point(
    session: Session,
    clock: FixedClock,
    *,
    code: str = "SP-1",
    region_code: str = "110101",
    kind: ServicePointKind = ServicePointKind.relief_station,
    capacity: int = 40,
    occupancy: int = 10,
) -> ServicePoint:
    data = ServicePointCreate(
        code=code,
        name=f"Point {code}",
        kind=kind,
        region_code=region_code,
        lat=39.917,
        lon=116.416,
        capacity=capacity,
        occupancy=occupancy,
    )
    return create_service_point(session, data, now=clock.now())


class TestCreate:
    def test_new_point_gets_its_cell_and_is_announced(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        point = _point(session, clock)
        assert point.h3_cell == h3_cell(39.917, 116.416)
        assert point.created_at == point.updated_at == clock.now()
        assert (point.hours, point.is_active) == ("24/7", True)
        (event,) = events_after(session, 0)
        assert (event.type, event.payload) == (
            "service_point.created",
            {"code": "SP-1", "kind": "relief_station", "capacity": 40},
        )

    def test_duplicate_code_refused(self, session: Session, clock: FixedClock) -> None:
        beijing_tree(session)
        _point(session, clock)
        with pytest.raises(ConflictError, match="SP-1 is taken"):
            _point(session, clock, region_code="110105")

    def test_unknown_region_refused(self, session: Session, clock: FixedClock) -> None:
        beijing_tree(session)
        with pytest.raises(UnknownRegionError):
            _point(session, clock, region_code="999999")

    @given(capacity=st.integers(0, 100_000), occupancy=st.integers(0, 100_000))
    def test_occupancy_never_above_capacity(self, capacity: int, occupancy: int) -> None:
        try:
            data = ServicePointCreate(
                code="X",
                name="x",
                kind=ServicePointKind.help_point,
                region_code="11",
                lat=39.9,
                lon=116.4,
                capacity=capacity,
                occupancy=occupancy,
            )
        except ValidationError:
            assert occupancy > capacity
        else:
            assert data.occupancy <= data.capacity


class TestUpdate:
    def test_occupancy_and_hours_change_and_time_moves(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        point = _point(session, clock)
        clock.advance(timedelta(hours=2))
        data = ServicePointUpdate(occupancy=35, hours="Mo-Su 18:00-08:00")
        update_service_point(session, point.id, data, now=clock.now())
        assert (point.occupancy, point.capacity, point.hours) == (35, 40, "Mo-Su 18:00-08:00")
        assert point.updated_at == clock.now() != point.created_at
        assert events_after(session, 0)[-1].payload == {
            "fields": ["hours", "occupancy"],
            "occupancy": 35,
            "capacity": 40,
        }

    @pytest.mark.parametrize(
        "data",
        [
            pytest.param(ServicePointUpdate(occupancy=41), id="more-people"),
            pytest.param(ServicePointUpdate(capacity=9), id="fewer-beds"),
            pytest.param(ServicePointUpdate(capacity=20, occupancy=21), id="both"),
        ],
    )
    def test_occupancy_above_capacity_refused(
        self, session: Session, clock: FixedClock, data: ServicePointUpdate
    ) -> None:
        beijing_tree(session)
        point = _point(session, clock)
        with pytest.raises(InvalidInputError, match="exceeds capacity"):
            update_service_point(session, point.id, data, now=clock.now())
        assert (point.occupancy, point.capacity) == (10, 40)

    def test_unknown_point_not_found(self, session: Session, clock: FixedClock) -> None:
        with pytest.raises(NotFoundError):
            update_service_point(session, 10_000, ServicePointUpdate(name="x"), now=clock.now())


class TestList:
    @pytest.mark.parametrize(
        ("region_code", "kind", "expected"),
        [
            (None, None, ["CY", "DC", "HD"]),
            ("1101", None, ["CY", "DC", "HD"]),
            ("110105", None, ["CY"]),
            ("1101", ServicePointKind.warming_shelter, ["DC", "HD"]),
            ("110108", ServicePointKind.help_point, []),
        ],
    )
    def test_points_of_a_subtree_and_kind_by_code(
        self,
        session: Session,
        clock: FixedClock,
        region_code: str | None,
        kind: ServicePointKind | None,
        expected: list[str],
    ) -> None:
        beijing_tree(session)
        shelter, station = ServicePointKind.warming_shelter, ServicePointKind.relief_station
        for code, region, of_kind in [
            ("HD", "110108", shelter),
            ("DC", "110101", shelter),
            ("CY", "110105", station),
        ]:
            _point(session, clock, code=code, region_code=region, kind=of_kind)
        found = list_service_points(session, region_code=region_code, kind=kind)
        assert [p.code for p in found] == expected

    def test_unknown_region_refused(self, session: Session) -> None:
        with pytest.raises(UnknownRegionError):
            list_service_points(session, region_code="999999")
