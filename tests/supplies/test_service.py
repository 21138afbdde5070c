"""Stock per service point: counts become ledger movements, stock never below zero, listing."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session

from streetrelief.core.clock import FixedClock
from streetrelief.core.errors import InsufficientStockError, NotFoundError
from streetrelief.supplies.models import MovementKind
from streetrelief.supplies.schemas import MovementCreate, StockCount
from streetrelief.supplies.service import list_stock, record_movement, set_stock, stock_by_point
from tests.factories.duty import make_point
from tests.factories.regions import beijing_tree


@pytest.fixture(autouse=True)
def beijing(session: Session) -> None:
    beijing_tree(session)


class TestStock:
    def test_count_replaces_and_movements_add(self, session: Session, clock: FixedClock) -> None:
        point = make_point(session, now=clock.now(), code="RS1")
        set_stock(
            session,
            StockCount(service_point_code="RS1", item="quilts", quantity=40),
            now=clock.now(),
        )
        set_stock(
            session,
            StockCount(service_point_code="RS1", item="quilts", quantity=25),
            now=clock.now(),
        )
        _move(session, clock, MovementKind.issue, "quilts", 5, from_point="RS1")
        _move(session, clock, MovementKind.receive, "gloves", 10, to_point="RS1")
        assert stock_by_point(session, {point.id}) == {point.id: {"gloves": 10, "quilts": 20}}
        listed = list_stock(session, region_code="11")
        assert [(r.service_point_code, r.item, r.quantity) for r in listed] == [
            ("RS1", "gloves", 10),
            ("RS1", "quilts", 20),
        ]

    def test_stock_never_below_zero(self, session: Session, clock: FixedClock) -> None:
        make_point(session, now=clock.now(), code="RS1")
        with pytest.raises(InsufficientStockError, match="point:RS1 holds 0 coats; cannot take 3"):
            _move(session, clock, MovementKind.issue, "coats", 3, from_point="RS1")

    def test_unknown_point_refused(self, session: Session, clock: FixedClock) -> None:
        with pytest.raises(NotFoundError, match="unknown service point NOPE"):
            set_stock(
                session,
                StockCount(service_point_code="NOPE", item="quilts", quantity=1),
                now=clock.now(),
            )

    @pytest.mark.parametrize(("item", "quantity"), [("Quilts", 1), ("quilts", -1), ("", 1)])
    def test_bad_counts_refused(self, item: str, quantity: int) -> None:
        with pytest.raises(ValidationError):
            StockCount(service_point_code="RS1", item=item, quantity=quantity)


def _move(
    session: Session,
    clock: FixedClock,
    kind: MovementKind,
    item: str,
    quantity: int,
    **ends: str,
) -> None:
    record_movement(
        session,
        MovementCreate.model_validate({"kind": kind, "item": item, "quantity": quantity, **ends}),
        by="test",
        now=clock.now(),
    )
