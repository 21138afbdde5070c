"""Referral holds, admissions and overflows: occupancy above capacity only on purpose."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from streetrelief.config import get_settings
from streetrelief.core.clock import FixedClock
from streetrelief.core.errors import (
    HoldClosedError,
    InvalidInputError,
    NoFreePlaceError,
    PointClosedError,
)
from streetrelief.dispatch.travel import StraightLineTravel
from streetrelief.regions.service import require_region
from streetrelief.response.levels import ResponseLevel
from streetrelief.response.service import configure_region, override_level
from streetrelief.service_points.holds import (
    admit,
    admit_hold,
    expire_holds,
    hold_place,
    release_hold,
)
from streetrelief.service_points.models import (
    CapacityOverflow,
    HoldStatus,
    ReferralHold,
    ServicePointKind,
)
from streetrelief.service_points.nearest import nearest_service_points
from streetrelief.service_points.schemas import (
    AdmitRequest,
    HoldCreate,
    NearestQuery,
    ServicePointUpdate,
)
from streetrelief.service_points.service import count_set_up, point_read, update_service_point
from tests.factories.duty import make_point
from tests.factories.regions import beijing_tree

API = "/api/v1/service-points"
TTL = timedelta(seconds=get_settings().hold_ttl_s)


@pytest.fixture(autouse=True)
def beijing(session: Session) -> None:
    beijing_tree(session)


class TestHolds:
    def test_a_hold_keeps_a_place_until_admitted(self, session: Session, clock: FixedClock) -> None:
        point = make_point(session, now=clock.now(), code="RS1", capacity=2, occupancy=1)
        hold = hold_place(session, point.id, HoldCreate(), by="王", now=clock.now())
        assert point_read(point, now=clock.now()).free == 0
        with pytest.raises(NoFreePlaceError, match="RS1 has 0 free place"):
            hold_place(session, point.id, HoldCreate(), by="李", now=clock.now())
        clock.advance(timedelta(minutes=20))
        admitted = admit_hold(session, hold.id, now=clock.now())
        session.refresh(point)
        assert admitted.status == HoldStatus.admitted
        assert (point.occupancy, point.held) == (2, 0)
        assert point.occupancy_updated_at == clock.now()

    def test_expiry_releases_and_an_expired_hold_cannot_be_admitted(
        self, session: Session, clock: FixedClock
    ) -> None:
        point = make_point(session, now=clock.now(), code="RS1", capacity=1)
        hold = hold_place(session, point.id, HoldCreate(), by="王", now=clock.now())
        clock.advance(TTL + timedelta(seconds=1))
        with pytest.raises(HoldClosedError, match=f"hold {hold.id} is expired"):
            admit_hold(session, hold.id, now=clock.now())
        assert expire_holds(session, now=clock.now()) == 1
        assert expire_holds(session, now=clock.now()) == 0
        session.refresh(point)
        assert (point.occupancy, point.held) == (0, 0)

    def test_release_gives_the_place_back(self, session: Session, clock: FixedClock) -> None:
        point = make_point(session, now=clock.now(), code="RS1", capacity=1)
        hold = hold_place(session, point.id, HoldCreate(), by="王", now=clock.now())
        release_hold(session, hold.id, now=clock.now())
        with pytest.raises(HoldClosedError, match="released"):
            admit_hold(session, hold.id, now=clock.now())
        session.refresh(point)
        assert point.held == 0

    def test_no_hold_on_a_closed_point(self, session: Session, clock: FixedClock) -> None:
        # 22:00 in Beijing on a Tuesday: a day centre open 09-17 is shut.
        point = make_point(session, now=clock.now(), code="DC1", hours="Mo-Fr 09:00-17:00")
        with pytest.raises(PointClosedError, match="DC1 is not open now"):
            hold_place(session, point.id, HoldCreate(), by="王", now=clock.now())
        shut_tonight = make_point(
            session, now=clock.now(), code="RS2", hours="24/7; 2026 Jan 20 off"
        )
        with pytest.raises(PointClosedError):
            hold_place(session, shut_tonight.id, HoldCreate(), by="王", now=clock.now())

    def test_a_standby_point_takes_holds_once_its_level_is_reached(
        self, session: Session, clock: FixedClock
    ) -> None:
        configure_region(session, "1101", "china", now=clock.now() - timedelta(days=1))
        point = make_point(
            session, now=clock.now(), code="WS1", is_active=False, standby_level=ResponseLevel.III
        )
        with pytest.raises(PointClosedError):
            hold_place(session, point.id, HoldCreate(), by="王", now=clock.now())
        override_level(
            session, "1101", ResponseLevel.II, reason="寒潮", until=None, by="王", now=clock.now()
        )
        hold = hold_place(session, point.id, HoldCreate(), by="王", now=clock.now())
        assert hold.status == HoldStatus.held

    def test_a_warehouse_takes_nobody_and_is_no_point_set_up(
        self, session: Session, clock: FixedClock
    ) -> None:
        wh = make_point(session, now=clock.now(), code="WH1", kind=ServicePointKind.warehouse)
        with pytest.raises(InvalidInputError, match="WH1 is a warehouse"):
            hold_place(session, wh.id, HoldCreate(), by="王", now=clock.now())
        travel = StraightLineTravel(detour_factor=1.4, vehicle_speed_kmh=30, walking_speed_kmh=4)
        query = NearestQuery(lat=wh.lat, lon=wh.lon)
        assert nearest_service_points(session, query, travel=travel, now=clock.now()) == []
        later = clock.now() + timedelta(seconds=1)
        assert count_set_up(session, require_region(session, "11").path, later) == 0


class TestAdmissions:
    def test_full_point_refuses_unless_an_overflow_is_recorded(
        self, session: Session, clock: FixedClock
    ) -> None:
        point = make_point(session, now=clock.now(), code="RS1", capacity=1, occupancy=1)
        with pytest.raises(NoFreePlaceError, match="give overflow_reason"):
            admit(session, point.id, AdmitRequest(), by="王", now=clock.now())
        admit(
            session,
            point.id,
            AdmitRequest(overflow_reason="−18 °C, nobody turned away"),
            by="王",
            now=clock.now(),
        )
        assert point.occupancy == 2
        [overflow] = session.scalars(select(CapacityOverflow)).all()
        assert (overflow.places, overflow.cleared_at) == (1, None)
        # Back within capacity: the overflow is over.
        update_service_point(session, point.id, ServicePointUpdate(occupancy=1), now=clock.now())
        assert overflow.cleared_at == clock.now()

    def test_staff_cannot_count_above_capacity(
        self, client: TestClient, session: Session, clock: FixedClock
    ) -> None:
        point = make_point(session, now=clock.now(), code="RS1", capacity=3)
        r = client.patch(f"{API}/{point.id}", json={"occupancy": 4})
        assert r.status_code == 422
        assert "occupancy 4 exceeds capacity 3" in r.json()["detail"]
        r = client.patch(f"{API}/{point.id}", json={"hours": "whenever"})
        assert r.status_code == 422
        assert "OpenStreetMap opening_hours" in r.text


class TestApi:
    def test_hold_admit_and_the_list_shows_free_and_stale(
        self, client: TestClient, session: Session, clock: FixedClock
    ) -> None:
        point = make_point(session, now=clock.now(), code="RS1", capacity=2)
        r = client.post(f"{API}/{point.id}/holds", json={"places": 2})
        assert r.status_code == 201, r.text
        hold_id = r.json()["id"]
        r = client.post(f"{API}/{point.id}/holds", json={})
        assert r.status_code == 409
        assert r.json()["code"] == "no_free_place"
        [listed] = [p for p in client.get(API).json() if p["code"] == "RS1"]
        assert (listed["capacity"], listed["occupancy"], listed["held"], listed["free"]) == (
            2,
            0,
            2,
            0,
        )
        assert listed["is_stale"] is False
        r = client.post(f"{API}/holds/{hold_id}/admit")
        assert r.status_code == 200, r.text
        again = client.post(f"{API}/holds/{hold_id}/admit")
        assert again.status_code == 409
        assert again.json()["code"] == "hold_closed"
        clock.advance(timedelta(seconds=get_settings().occupancy_stale_after_s + 1))
        [listed] = [p for p in client.get(API).json() if p["code"] == "RS1"]
        assert (listed["occupancy"], listed["is_stale"]) == (2, True)

    def test_bad_holds_are_clear_4xx(
        self, client: TestClient, session: Session, clock: FixedClock
    ) -> None:
        point = make_point(session, now=clock.now(), code="RS1")
        assert client.post(f"{API}/{point.id}/holds", json={"places": 0}).status_code == 422
        assert client.post(f"{API}/{point.id}/admissions", json={"places": -1}).status_code == 422
        assert client.post(f"{API}/holds/999999/admit").status_code == 404


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    capacity=st.integers(0, 4),
    steps=st.lists(
        st.sampled_from(["hold", "admit_hold", "release", "admit", "overflow", "wait", "count"]),
        max_size=14,
    ),
)
def test_occupancy_never_exceeds_capacity_without_a_recorded_overflow(
    session: Session, clock: FixedClock, capacity: int, steps: list[str]
) -> None:
    with session.begin_nested() as example:
        point = make_point(session, now=clock.now(), code="PROP", capacity=capacity)
        now = clock.now()
        holds: list[int] = []
        for step in steps:
            try:
                if step == "hold":
                    holds.append(hold_place(session, point.id, HoldCreate(), by="t", now=now).id)
                elif step == "admit_hold" and holds:
                    admit_hold(session, holds.pop(0), now=now)
                elif step == "release" and holds:
                    release_hold(session, holds.pop(), now=now)
                elif step == "admit":
                    admit(session, point.id, AdmitRequest(), by="t", now=now)
                elif step == "overflow":
                    admit(session, point.id, AdmitRequest(overflow_reason="cold"), by="t", now=now)
                elif step == "wait":
                    now += TTL / 2
                    expire_holds(session, now=now)
                elif step == "count":
                    update_service_point(
                        session, point.id, ServicePointUpdate(occupancy=0), now=now
                    )
            except (NoFreePlaceError, HoldClosedError):
                pass
            session.refresh(point)
            overflow = session.scalar(
                select(func.coalesce(func.sum(CapacityOverflow.places), 0)).where(
                    CapacityOverflow.service_point_id == point.id,
                    CapacityOverflow.cleared_at.is_(None),
                )
            )
            held = session.scalar(
                select(func.coalesce(func.sum(ReferralHold.places), 0)).where(
                    ReferralHold.service_point_id == point.id,
                    ReferralHold.status == HoldStatus.held,
                )
            )
            assert point.held == held
            assert point.occupancy + point.held <= point.capacity + int(overflow or 0)
        example.rollback()
