"""The supplies ledger: movements, team stock issued at encounters, alerts, append-only, and
the properties stock = sum of movements and stock never negative."""

from __future__ import annotations

import contextlib
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from streetrelief.core.clock import FixedClock
from streetrelief.core.errors import InsufficientStockError
from streetrelief.supplies.models import MovementKind, StockMovement
from streetrelief.supplies.schemas import MovementCreate
from streetrelief.supplies.service import list_stock, record_movement
from tests.factories.duty import make_point
from tests.factories.regions import beijing_tree
from tests.factories.reports import report_body
from tests.factories.teams import make_team

API = "/api/v1"


@pytest.fixture(autouse=True)
def beijing(session: Session) -> None:
    beijing_tree(session)


def _move(session: Session, clock: FixedClock, **fields: object) -> StockMovement:
    return record_movement(
        session, MovementCreate.model_validate(fields), by="test", now=clock.now()
    )


class TestMovements:
    def test_receive_transfer_to_a_vehicle_and_expiry(
        self, session: Session, clock: FixedClock
    ) -> None:
        make_point(session, now=clock.now(), code="WH1")
        make_team(session, now=clock.now(), code="T1")
        _move(
            session,
            clock,
            kind="receive",
            item="hot_meals",
            quantity=30,
            to_point="WH1",
            expires_on="2026-01-22",
        )
        _move(
            session,
            clock,
            kind="receive",
            item="hot_meals",
            quantity=10,
            to_point="WH1",
            expires_on="2026-01-21",
        )
        _move(
            session,
            clock,
            kind="transfer",
            item="hot_meals",
            quantity=12,
            from_point="WH1",
            to_team="T1",
        )
        [point] = list_stock(session, service_point_code="WH1")
        [team] = list_stock(session, team_code="T1")
        assert (point.quantity, point.earliest_expiry_on) == (28, date(2026, 1, 21))
        assert (team.quantity, team.team_code, team.earliest_expiry_on) == (
            12,
            "T1",
            date(2026, 1, 21),
        )
        _move(
            session,
            clock,
            kind="write_off",
            item="hot_meals",
            quantity=28,
            from_point="WH1",
            reason="past their time",
        )
        [point] = list_stock(session, service_point_code="WH1")
        assert (point.quantity, point.earliest_expiry_on) == (0, None)

    def test_taking_more_than_held_changes_nothing(
        self, session: Session, clock: FixedClock
    ) -> None:
        make_point(session, now=clock.now(), code="RS1")
        _move(session, clock, kind="receive", item="coats", quantity=2, to_point="RS1")
        with pytest.raises(InsufficientStockError, match="point:RS1 holds 2 coats; cannot take 3"):
            _move(session, clock, kind="issue", item="coats", quantity=3, from_point="RS1")
        [row] = list_stock(session, service_point_code="RS1")
        assert row.quantity == 2
        assert session.scalar(select(func.count()).select_from(StockMovement)) == 1

    def test_movements_are_append_only(self, session: Session, clock: FixedClock) -> None:
        make_point(session, now=clock.now(), code="RS1")
        moved = _move(session, clock, kind="receive", item="coats", quantity=2, to_point="RS1")
        for statement in (
            "UPDATE stock_movements SET quantity = 9 WHERE id = :id",
            "DELETE FROM stock_movements WHERE id = :id",
        ):
            with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
                session.execute(text(statement), {"id": moved.id})


class TestApi:
    @pytest.mark.parametrize(
        ("body", "status", "words"),
        [
            (
                {"kind": "receive", "item": "coats", "quantity": -1, "to_point": "RS1"},
                422,
                "greater than 0",
            ),
            (
                {"kind": "receive", "item": "unicorns", "quantity": 1, "to_point": "RS1"},
                422,
                "unknown item 'unicorns'",
            ),
            (
                {"kind": "write_off", "item": "coats", "quantity": 1, "from_point": "RS1"},
                422,
                "needs a reason",
            ),
            (
                {"kind": "transfer", "item": "coats", "quantity": 1, "from_point": "RS1"},
                422,
                "names one to_point or to_team",
            ),
            (
                {"kind": "issue", "item": "coats", "quantity": 5, "from_point": "RS1"},
                409,
                "holds 0 coats",
            ),
            (
                {"kind": "receive", "item": "coats", "quantity": 1, "to_point": "NOPE"},
                404,
                "unknown service point NOPE",
            ),
        ],
    )
    def test_bad_movements_say_why(
        self,
        client: TestClient,
        session: Session,
        clock: FixedClock,
        body: dict[str, object],
        status: int,
        words: str,
    ) -> None:
        make_point(session, now=clock.now(), code="RS1")
        r = client.post(f"{API}/stock/movements", json=body)
        assert r.status_code == status, r.text
        assert words in r.text

    def test_items_given_at_an_encounter_come_out_of_the_team_stock(
        self, client: TestClient, session: Session, clock: FixedClock
    ) -> None:
        team = make_team(session, now=clock.now(), code="T1")
        point = make_point(session, now=clock.now(), code="RS1", capacity=1, occupancy=1)
        r = client.post(
            f"{API}/stock/movements",
            json={"kind": "receive", "item": "coats", "quantity": 2, "to_team": "T1"},
        )
        assert r.status_code == 201, r.text
        incident_id = client.post(f"{API}/reports", json=report_body(clock)).json()["incident_id"]
        client.post(f"{API}/incidents/{incident_id}/dispatches", json={"team_id": team.id})
        for step in ("en_route", "on_scene"):
            client.post(f"{API}/incidents/{incident_id}/transitions", json={"to": step})
        encounter = {
            "person": {"description": "man, about 60"},
            "team_id": team.id,
            "outcome": "supplies_on_site",
        }
        too_many = client.post(
            f"{API}/incidents/{incident_id}/encounters",
            json={**encounter, "items": [{"item": "coats", "quantity": 3}]},
        )
        assert too_many.status_code == 409
        assert "team:T1 holds 2 coats; cannot take 3" in too_many.text
        full = client.post(
            f"{API}/incidents/{incident_id}/encounters",
            json={
                **encounter,
                "outcome": "admitted_to_station",
                "destination_service_point_id": point.id,
            },
        )
        assert full.status_code == 409
        assert full.json()["code"] == "no_free_place"
        given_ = client.post(
            f"{API}/incidents/{incident_id}/encounters",
            json={**encounter, "items": [{"item": "coats", "quantity": 2}]},
        )
        assert given_.status_code == 201, given_.text
        [row] = client.get(f"{API}/stock", params={"team_code": "T1"}).json()
        assert row["quantity"] == 0
        ledger = client.get(f"{API}/stock/movements", params={"team_code": "T1"}).json()
        assert [(m["kind"], m["quantity"], m["encounter_id"]) for m in ledger] == [
            ("issue", 2, given_.json()["id"]),
            ("receive", 2, None),
        ]
        alerts = client.get(f"{API}/stock/alerts", params={"team_code": "T1"}).json()
        assert [(a["kind"], a["holder"], a["item"]) for a in alerts] == [
            ("low_stock", "team:T1", "coats")
        ]

    def test_near_expiry_alert(
        self, client: TestClient, session: Session, clock: FixedClock
    ) -> None:
        make_point(session, now=clock.now(), code="RS1")
        soon = (clock.now() + timedelta(days=10)).date().isoformat()
        client.post(
            f"{API}/stock/movements",
            json={
                "kind": "receive",
                "item": "first_aid_kits",
                "quantity": 50,
                "to_point": "RS1",
                "expires_on": soon,
            },
        )
        alerts = client.get(f"{API}/stock/alerts", params={"region_code": "11"}).json()
        assert [(a["kind"], a["expires_on"]) for a in alerts] == [("near_expiry", soon)]


HOLDERS = [
    ("from_point", "to_point", "P1"),
    ("from_point", "to_point", "P2"),
    ("from_team", "to_team", "T1"),
]


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    moves=st.lists(
        st.tuples(
            st.sampled_from(
                [
                    MovementKind.receive,
                    MovementKind.transfer,
                    MovementKind.issue,
                    MovementKind.write_off,
                ]
            ),
            st.sampled_from(["coats", "quilts"]),
            st.integers(1, 6),
            st.sampled_from(HOLDERS),
            st.sampled_from(HOLDERS),
        ),
        max_size=15,
    )
)
def test_stock_is_the_sum_of_movements_and_never_negative(
    session: Session,
    clock: FixedClock,
    moves: list[tuple[MovementKind, str, int, tuple[str, str, str], tuple[str, str, str]]],
) -> None:
    with session.begin_nested() as example:
        label = {
            ("point", make_point(session, now=clock.now(), code=code).id): code
            for code in ("P1", "P2")
        }
        label[("team", make_team(session, now=clock.now(), code="T1").id)] = "T1"
        for kind, item, quantity, source, target in moves:
            ends: dict[str, object] = {}
            if kind != MovementKind.receive:
                ends[source[0]] = source[2]
            if kind in (MovementKind.receive, MovementKind.transfer):
                ends[target[1]] = target[2]
            if kind == MovementKind.write_off:
                ends["reason"] = "damaged"
            with contextlib.suppress(InsufficientStockError):
                _move(session, clock, kind=kind, item=item, quantity=quantity, **ends)
        balances = {
            (r.service_point_code or r.team_code, r.item): r.quantity
            for r in [*list_stock(session, region_code="11"), *list_stock(session, team_code="T1")]
        }
        summed: dict[tuple[str, str], int] = {}
        for m in session.scalars(select(StockMovement)).all():
            for point_id, team_id, sign in (
                (m.to_point_id, m.to_team_id, 1),
                (m.from_point_id, m.from_team_id, -1),
            ):
                key = ("point", point_id) if point_id is not None else ("team", team_id)
                if key[1] is not None:
                    where = (label[key], m.item)  # type: ignore[index]
                    summed[where] = summed.get(where, 0) + sign * m.quantity
        assert all(v >= 0 for v in balances.values())
        assert {k: v for k, v in balances.items() if v} == {k: v for k, v in summed.items() if v}
        example.rollback()
