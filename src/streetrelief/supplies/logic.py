"""Pure arithmetic of pre-positioning: shortfalls against targets, met by nearest surplus.

Given, per service point, its position, its target stock and its current stock, the plan
moves items from points holding more than their target to points holding less, nearest source
first (great-circle distance, ``core.geo.haversine_m``), and lists what no surplus can cover as
to procure. Reading stock and targets from the database is left to the services.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from streetrelief.core.geo import haversine_m


@dataclass(frozen=True, slots=True)
class PointStock:
    """One service point as the plan sees it: position (WGS-84), target and current counts."""

    point_id: int
    lat: float
    lon: float
    target: Mapping[str, int] = field(default_factory=dict)
    current: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Transfer:
    """Move ``quantity`` of ``item`` from one point to another, ``distance_m`` apart."""

    item: str
    quantity: int
    from_point_id: int
    to_point_id: int
    distance_m: float


@dataclass(frozen=True, slots=True)
class Procurement:
    """A shortfall no surplus covers: buy or request ``quantity`` of ``item`` for a point."""

    item: str
    quantity: int
    point_id: int


@dataclass(frozen=True, slots=True)
class StockPlan:
    """The transfers to make and what is left to procure."""

    transfers: tuple[Transfer, ...] = ()
    to_procure: tuple[Procurement, ...] = ()


def plan_transfers(points: Sequence[PointStock]) -> StockPlan:
    """Plan transfers that bring every point up to its target, from the nearest surplus first.

    A point's surplus of an item is what it holds above its target (all it holds when it has
    no target for the item); its shortfall is what it lacks below the target. Short points are
    served largest shortfall first (ties by point id); each takes from the surplus points
    nearest to it, in order, until met or no surplus is left. Items are planned in name order.

    Args:
        points: the points of the plan; ids unique; counts non-negative integers.

    Returns:
        The transfers (items in name order, then in the order served) and, per point and item,
        the shortfall left to procure.

    Raises:
        ValueError: a negative count or a repeated point id.
    """
    ids = [p.point_id for p in points]
    if len(ids) != len(set(ids)):
        msg = "point ids must be unique"
        raise ValueError(msg)
    for p in points:
        if any(v < 0 for v in (*p.target.values(), *p.current.values())):
            msg = f"point {p.point_id}: counts must not be negative"
            raise ValueError(msg)
    items = sorted({i for p in points for i in (*p.target, *p.current)})
    transfers: list[Transfer] = []
    to_procure: list[Procurement] = []
    for item in items:
        surplus = {
            p.point_id: p.current.get(item, 0) - p.target.get(item, 0)
            for p in points
            if p.current.get(item, 0) > p.target.get(item, 0)
        }
        short = sorted(
            (
                (p.target.get(item, 0) - p.current.get(item, 0), p)
                for p in points
                if p.target.get(item, 0) > p.current.get(item, 0)
            ),
            key=lambda pair: (-pair[0], pair[1].point_id),
        )
        by_id = {p.point_id: p for p in points}
        for shortfall, point in short:
            need = shortfall
            sources = sorted(
                (
                    haversine_m(point.lat, point.lon, by_id[s].lat, by_id[s].lon),
                    s,
                )
                for s, left in surplus.items()
                if left > 0
            )
            for distance_m, source in sources:
                if need == 0:
                    break
                moved = min(need, surplus[source])
                surplus[source] -= moved
                need -= moved
                transfers.append(Transfer(item, moved, source, point.point_id, distance_m))
            if need > 0:
                to_procure.append(Procurement(item, need, point.point_id))
    return StockPlan(tuple(transfers), tuple(to_procure))
