"""Nearest place that can take someone: open, accepting the person, with a free place, ranked
by travel time.

The KD-tree of ``service_points.index`` gives points nearest first by great circle; the rules
of ``service_points.logic`` keep those open at the time (hours per weekday and exceptions,
standby points by response level) that take the person; the live figures keep those with a
free place (capacity - occupancy - holds in force at that time); then the travel-time provider
ranks that pool. The pool is the ``POOL_FACTOR`` x ``limit`` nearest such points (at least
``MIN_POOL``): with a road provider a point slightly further as the crow flies can be quicker
to reach, and the pool lets it win.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from streetrelief.core.clock import ensure_utc
from streetrelief.dispatch.travel import TravelTimeProvider
from streetrelief.regions.service import Scope, regions_by_code
from streetrelief.response.levels import ResponseLevel
from streetrelief.response.tasks import playbook_for
from streetrelief.service_points import repository
from streetrelief.service_points.index import IndexedPoint, PointIndex
from streetrelief.service_points.logic import is_open, takes
from streetrelief.service_points.models import ServicePointKind
from streetrelief.service_points.schemas import NearestQuery, NearestRead
from streetrelief.service_points.service import point_read
from streetrelief.teams.models import TravelMode

POOL_FACTOR = 4
MIN_POOL = 20
"""Candidates ranked by travel time: 4 x limit, at least 20 (a local choice)."""

_lock = threading.Lock()
_indexes: dict[str, PointIndex] = {}


def current_index(session: Session) -> PointIndex:
    """The index of the session's database, rebuilt when points were added or changed."""
    key = repository.index_key(session)
    bind = str(session.get_bind().engine.url)
    with _lock:
        index = _indexes.get(bind)
        if index is None or index.key != key:
            index = build_index(session, key)
            _indexes[bind] = index
        return index


def build_index(session: Session, key: tuple[int, int]) -> PointIndex:
    """A fresh index of every point (active, standby and warehouses alike)."""
    points = repository.all_points(session)
    regions = regions_by_code(session, {p.region_code for p in points})
    return PointIndex(
        [
            IndexedPoint(
                id=p.id,
                lat=p.lat,
                lon=p.lon,
                region_code=p.region_code,
                region_path=regions[p.region_code].path,
                timezone=regions[p.region_code].timezone,
                hours=p.hours,
                is_active=p.is_active,
                standby_level=p.standby_level,
                attributes=tuple(p.attributes),
                languages=tuple(p.languages),
                requires_id=p.requires_id,
                is_warehouse=p.kind == ServicePointKind.warehouse,
            )
            for p in points
        ],
        key,
    )


def point_filter(
    query: NearestQuery, *, at: datetime, scope: Scope, level_of: Callable[[str], int]
) -> Callable[[IndexedPoint], bool]:
    """The test an indexed point must pass before its live figures are read: not a warehouse,
    inside ``scope``, takes the person (``logic.takes``) and open at ``at`` (``logic.is_open``;
    ``level_of`` gives a region's response level, asked only for standby points)."""

    # Points share a few hours expressions and attribute sets: each is judged once per query.
    opened: dict[tuple[str, str, int], bool] = {}
    taken: dict[tuple[tuple[str, ...], tuple[str, ...], bool], bool] = {}

    def accept(p: IndexedPoint) -> bool:
        if p.is_warehouse or (
            scope is not None and not any(p.region_path.startswith(s) for s in scope)
        ):
            return False
        who = (p.attributes, p.languages, p.requires_id)
        if who not in taken:
            taken[who] = takes(
                attributes=p.attributes,
                languages=p.languages,
                requires_id=p.requires_id,
                needs=query.needs,
                has_id=query.has_id,
                language=query.language,
            )
        if not taken[who]:
            return False
        if not p.is_active and (
            p.standby_level is None or level_of(p.region_code) < p.standby_level
        ):
            return False
        when = (p.hours, p.timezone, 0)
        if when not in opened:
            opened[when] = is_open(
                is_active=True,
                standby_level=None,
                hours=p.hours,
                at=at,
                timezone=p.timezone,
                level=0,
            )
        return opened[when]

    return accept


def nearest_service_points(
    session: Session,
    query: NearestQuery,
    *,
    travel: TravelTimeProvider,
    now: datetime,
    scope: Scope = None,
    mode: TravelMode = TravelMode.vehicle,
) -> list[NearestRead]:
    """The open points that take the person and have a free place, quickest to reach first.

    Args:
        query: where (WGS-84), when (``at``, else ``now``), what the person needs, how many.
        travel: the travel-time provider (straight line, road network...).
        now: aware current time.
        scope: the caller's jurisdiction; points outside it are left out.
        mode: how the person is brought (a team's vehicle by default).

    Returns:
        Up to ``limit`` places with distance (metres) and travel time (seconds), by travel
        time then distance.
    """
    at = ensure_utc(query.at or now)
    index = current_index(session)
    levels: dict[str, int] = {}

    def level_of(region_code: str) -> int:
        if region_code not in levels:
            levels[region_code] = int(ResponseLevel[playbook_for(session, region_code, at).level])
        return levels[region_code]

    accept = point_filter(query, at=at, scope=scope, level_of=level_of)
    pool_size = max(MIN_POOL, POOL_FACTOR * query.limit)
    pool: list[tuple[IndexedPoint, float]] = []
    batch: list[tuple[IndexedPoint, float]] = []

    def take_free(candidates: list[tuple[IndexedPoint, float]]) -> None:
        live = repository.live_figures(session, [p.id for p, _ in candidates], at)
        for p, d in candidates:
            capacity, occupancy, held = live.get(p.id, (0, 0, 0))
            if capacity - occupancy - held > 0:
                pool.append((p, d))

    for found in index.nearest(query.lat, query.lon, accept):
        batch.append(found)
        if len(batch) == pool_size:
            take_free(batch)
            batch = []
            if len(pool) >= pool_size:
                break
    if batch and len(pool) < pool_size:
        take_free(batch)
    pool = pool[:pool_size]
    if not pool:
        return []
    estimates = travel.one_to_many((query.lat, query.lon), [(p.lat, p.lon) for p, _ in pool], mode)
    ranked = sorted(
        zip(pool, estimates, strict=True),
        key=lambda pair: (pair[1].travel_time_s, pair[1].distance_m, pair[0][0].id),
    )[: query.limit]
    points = {p.id: p for p in repository.by_ids(session, [c.id for (c, _), _ in ranked])}
    return [
        NearestRead(
            service_point=point_read(points[c.id], now=now),
            distance_m=round(e.distance_m, 1),
            travel_time_s=round(e.travel_time_s, 1),
            is_fallback=e.is_fallback,
        )
        for (c, _), e in ranked
    ]
