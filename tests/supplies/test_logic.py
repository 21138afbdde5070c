"""The pre-positioning plan on a small hand-built example, checked by hand."""

from __future__ import annotations

import pytest

from streetrelief.core.geo import haversine_m
from streetrelief.supplies.logic import PointStock, Procurement, Transfer, plan_transfers

# Four points in Beijing. B is 0.01° of latitude (~1.1 km) north of A; C is 0.1° of longitude
# (~8.5 km) east of A; D is 0.05° (~5.6 km) north of A.
A = PointStock(1, 39.90, 116.40, target={"quilts": 80, "coats": 10}, current={"quilts": 20})
B = PointStock(2, 39.91, 116.40, target={"quilts": 30}, current={"quilts": 100})
C = PointStock(3, 39.90, 116.50, target={}, current={"quilts": 50})
D = PointStock(4, 39.95, 116.40, target={"quilts": 30}, current={})


class TestPlanTransfers:
    def test_shortfalls_met_from_the_nearest_surplus_and_the_rest_procured(self) -> None:
        plan = plan_transfers([A, B, C, D])
        # By hand: quilts short at A 60 and D 30; surplus at B 70 and C 50 (C has no target).
        # A, the larger shortfall, goes first and takes all 60 from B (1.1 km, nearest).
        # D then takes B's last 10 (4.4 km) before C's (10.2 km), and 20 from C.
        # Coats: A lacks 10 and nobody has any to spare, so 10 coats are to be procured.
        assert [(t.item, t.quantity, t.from_point_id, t.to_point_id) for t in plan.transfers] == [
            ("quilts", 60, 2, 1),
            ("quilts", 10, 2, 4),
            ("quilts", 20, 3, 4),
        ]
        assert plan.to_procure == (Procurement("coats", 10, 1),)
        assert plan.transfers[0].distance_m == pytest.approx(1112, abs=1)
        assert plan.transfers[2].distance_m == pytest.approx(
            haversine_m(39.95, 116.40, 39.90, 116.50)
        )

    def test_nothing_to_move_when_every_point_meets_its_target(self) -> None:
        full = PointStock(1, 39.9, 116.4, target={"gloves": 5}, current={"gloves": 9})
        assert plan_transfers([full]).transfers == ()
        assert plan_transfers([full]).to_procure == ()

    def test_surplus_only_up_to_what_is_held(self) -> None:
        short = PointStock(1, 39.9, 116.4, target={"gloves": 10})
        spare = PointStock(2, 39.9, 116.5, target={"gloves": 2}, current={"gloves": 5})
        plan = plan_transfers([short, spare])
        assert [t.quantity for t in plan.transfers] == [3]
        assert plan.to_procure == (Procurement("gloves", 7, 1),)
        assert isinstance(plan.transfers[0], Transfer)

    @pytest.mark.parametrize(
        "points",
        [
            [PointStock(1, 0, 0, current={"x": -1})],
            [PointStock(1, 0, 0), PointStock(1, 1, 1)],
        ],
    )
    def test_bad_input_refused(self, points: list[PointStock]) -> None:
        with pytest.raises(ValueError, match=r"negative|unique"):
            plan_transfers(points)
