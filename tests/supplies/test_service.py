"""Stock per service point: counts, adjustments that never go below zero, listing."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session

from streetrelief.core.clock import FixedClock
from streetrelief.core.errors import InvalidInputError, NotFoundError
from streetrelief.supplies.schemas import StockCount
from streetrelief.supplies.service import adjust_stock, list_stock, set_stock, stock_by_point
from tests.factories.duty import make_point
from tests.factories.regions import beijing_tree


@pytest.fixture(autouse=True)
def beijing(session: Session) -> None:
    beijing_tree(session)


class TestStock:
    def test_count_replaces_and_adjustments_add(self, session: Session, clock: FixedClock) -> None:
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
        adjust_stock(session, "RS1", "quilts", -5, now=clock.now())
        adjust_stock(session, "RS1", "gloves", 10, now=clock.now())
        assert stock_by_point(session, {point.id}) == {point.id: {"gloves": 10, "quilts": 20}}
        listed = list_stock(session, region_code="11")
        assert [(r.service_point_code, r.item, r.quantity) for r in listed] == [
            ("RS1", "gloves", 10),
            ("RS1", "quilts", 20),
        ]

    def test_stock_never_below_zero(self, session: Session, clock: FixedClock) -> None:
        make_point(session, now=clock.now(), code="RS1")
        with pytest.raises(InvalidInputError, match="RS1 holds 0 coats; cannot take 3"):
            adjust_stock(session, "RS1", "coats", -3, now=clock.now())

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
