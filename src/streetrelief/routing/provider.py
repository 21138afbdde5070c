"""Travel times over the road network of an OpenStreetMap extract.

Points are snapped to the nearest node of the graph's largest strongly connected component
(every node of it reaches every other, so a snapped pair always has a path; islands, and stubs
cut off at the edge of the extract, are never snapped to) with a KD-tree on Earth-centred
coordinates in metres (``core.geo.sphere_xyz_m``); the walk from the point to that node and
from the last node to the target counts at walking speed. Paths come from scipy's Dijkstra, one
run per distinct source: one-to-many runs from the origin, many-to-one from the target on the
reversed graph, so one-way streets count the right way round.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from streetrelief.core.geo import check_lat_lon, haversine_m, sphere_xyz_m
from streetrelief.dispatch.travel import StraightLineTravel, TravelEstimate
from streetrelief.routing.graph import FloatArray, IndexArray, ModeGraph, load_graphs
from streetrelief.teams.models import TravelMode

Point = tuple[float, float]

TIME_QUANTUM_S = 0.01
LENGTH_QUANTUM_M = 0.1
LENGTH_SPAN = float(2**28)
"""Each edge weight packs two whole numbers into one float64: its time in centiseconds times
``LENGTH_SPAN`` plus its length in decimetres. Path sums stay exact integers below 2**53, so one
Dijkstra run finds the fastest path (the shortest among equally fast ones) and carries that
path's length: up to 26,843 km and 93 hours, well beyond a city extract."""

MAX_MATRIX_CELLS = 20_000_000
"""Largest Dijkstra result held at once (sources x graph nodes, float64: 160 MB); bigger
many-to-many requests run in batches of sources, keeping only the columns asked for."""


@dataclass(frozen=True)
class NetworkSummary:
    """Size of one mode's graph."""

    mode: TravelMode
    nodes: int
    edges: int


class _ModeRouter:
    """Shortest paths and snapping on one mode's graph."""

    def __init__(self, graph: ModeGraph) -> None:
        self.graph = graph
        n = graph.node_count
        time_units = np.rint(graph.edge_time_s / TIME_QUANTUM_S)
        # At least one decimetre, so no edge weighs zero (which scipy may read as no edge).
        length_units = np.maximum(np.rint(graph.edge_length_m / LENGTH_QUANTUM_M), 1.0)
        weight = time_units * LENGTH_SPAN + length_units
        # Parallel edges (two ways joining the same nodes) keep the lightest: a CSR matrix
        # would add them up instead.
        order = np.lexsort((weight, graph.edge_to, graph.edge_from))
        u, v, w = graph.edge_from[order], graph.edge_to[order], weight[order]
        first = np.ones(len(u), dtype=bool)
        first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
        keep = first & (u != v)
        self.forward = csr_matrix((w[keep], (u[keep], v[keep])), shape=(n, n))
        self.reverse = self.forward.transpose().tocsr()
        _, component = connected_components(self.forward, directed=True, connection="strong")
        self.snap_nodes = np.flatnonzero(component == np.bincount(component).argmax())
        self.tree = cKDTree(
            sphere_xyz_m(graph.node_lat[self.snap_nodes], graph.node_lon[self.snap_nodes])
        )

    def snap(self, xyz: FloatArray) -> tuple[IndexArray, FloatArray]:
        """Nearest node of the main component to each point (Earth-centred metres, shape
        (n, 3)), and the distance to it, metres."""
        distance_m, nearest = self.tree.query(xyz)
        return self.snap_nodes[nearest], np.asarray(distance_m, dtype=np.float64)

    def costs_from(
        self, sources: IndexArray, columns: IndexArray, *, reverse: bool = False
    ) -> FloatArray:
        """Packed path weights from each source to each node of ``columns`` (to each source
        from them when ``reverse``), shape (len(sources), len(columns))."""
        graph = self.reverse if reverse else self.forward
        if len(sources) == 1:
            # min_only skips the predecessor bookkeeping: the fastest form for one source.
            costs = dijkstra(graph, directed=True, indices=sources, min_only=True)
            return np.asarray(costs[columns], dtype=np.float64).reshape(1, -1)
        rows_per_run = max(1, MAX_MATRIX_CELLS // self.graph.node_count)
        return np.vstack(
            [
                dijkstra(graph, directed=True, indices=sources[i : i + rows_per_run])[:, columns]
                for i in range(0, len(sources), rows_per_run)
            ]
        )


class RoadNetworkTravel:
    """Travel times over an OpenStreetMap road network; implements ``TravelTimeProvider``.

    Walking teams use the walkable network in both directions of every way at walking speed;
    vehicles use the drivable network, one-way streets respected, at the ``maxspeed`` of each
    way or the default of its class (see ``routing.speeds``). A point farther than
    ``max_snap_m`` from the network's main component (e.g. out at sea, outside the extract, or
    beside a road island) gets the straight-line estimate with ``is_fallback=True``: never zero,
    never an error.
    """

    def __init__(
        self,
        graphs: dict[TravelMode, ModeGraph],
        *,
        fallback: StraightLineTravel,
        walking_speed_kmh: float,
        max_snap_m: float,
        from_cache: bool = False,
    ) -> None:
        self._routers = {mode: _ModeRouter(g) for mode, g in graphs.items()}
        self.fallback = fallback
        self.walking_speed_ms = walking_speed_kmh / 3.6
        self.max_snap_m = max_snap_m
        self.from_cache = from_cache

    @classmethod
    def from_osm(
        cls,
        path: Path,
        *,
        cache_dir: Path | None = None,
        walking_speed_kmh: float,
        vehicle_speed_kmh: float,
        detour_factor: float,
        max_snap_m: float,
        progress: Callable[[str], None] | None = None,
    ) -> RoadNetworkTravel:
        """Build (or load from ``cache_dir``) the graphs of an ``.osm.pbf`` extract.

        Args:
            path: the OpenStreetMap PBF extract.
            cache_dir: folder of cached graphs; None builds in memory every time.
            walking_speed_kmh: foot patrol speed on the network and on snap legs, km/h.
            vehicle_speed_kmh, detour_factor: the straight-line fallback (see
                ``StraightLineTravel``).
            max_snap_m: farthest a point may lie from the network before the fallback, metres.
            progress: called with a short message before each slow step.

        Raises:
            RoadNetworkError: the file is missing, not OSM PBF, or has no roads for a mode.
        """
        graphs, from_cache = load_graphs(
            path, walking_speed_kmh=walking_speed_kmh, cache_dir=cache_dir, progress=progress
        )
        fallback = StraightLineTravel(
            detour_factor=detour_factor,
            vehicle_speed_kmh=vehicle_speed_kmh,
            walking_speed_kmh=walking_speed_kmh,
        )
        return cls(
            graphs,
            fallback=fallback,
            walking_speed_kmh=walking_speed_kmh,
            max_snap_m=max_snap_m,
            from_cache=from_cache,
        )

    def summary(self) -> list[NetworkSummary]:
        """Nodes and directed edges of each mode's graph."""
        return [
            NetworkSummary(mode, router.graph.node_count, router.graph.edge_count)
            for mode, router in self._routers.items()
        ]

    def extent(self, mode: TravelMode) -> tuple[float, float, float, float]:
        """(min lat, max lat, min lon, max lon) of the mode's graph nodes, WGS-84 degrees."""
        graph = self._routers[mode].graph
        return (
            float(graph.node_lat.min()),
            float(graph.node_lat.max()),
            float(graph.node_lon.min()),
            float(graph.node_lon.max()),
        )

    def one_to_many(
        self, origin: Point, targets: list[Point], mode: TravelMode
    ) -> list[TravelEstimate]:
        """Estimates from ``origin`` (lat, lon) to each target (lat, lon); metres, seconds.

        Raises:
            InvalidInputError: a coordinate that is not finite WGS-84 degrees.
        """
        return self.many_to_many([origin], targets, mode)[0] if targets else []

    def many_to_one(
        self, origins: list[Point], target: Point, mode: TravelMode
    ) -> list[TravelEstimate]:
        """Estimates from each origin to ``target``, by one Dijkstra run on the reversed graph.

        Raises:
            InvalidInputError: a coordinate that is not finite WGS-84 degrees.
        """
        if not origins:
            return []
        router = self._routers[mode]
        (target_node,), (target_snap,) = router.snap(self._xyz([target]))
        origin_nodes, origin_snap = router.snap(self._xyz(origins))
        if target_snap > self.max_snap_m:
            costs = np.zeros(len(origins))  # unused: every estimate falls back
        else:
            costs = router.costs_from(np.array([target_node]), origin_nodes, reverse=True)[0]
        return self._estimates(
            origins,
            [target] * len(origins),
            origin_snap_m=origin_snap,
            target_snap_m=np.full(len(origins), target_snap),
            same_node=origin_nodes == target_node,
            costs=costs,
            mode=mode,
        )

    def many_to_many(
        self, origins: list[Point], targets: list[Point], mode: TravelMode
    ) -> list[list[TravelEstimate]]:
        """A matrix: row ``i`` holds the estimates from ``origins[i]`` to each target.

        Dijkstra runs once per distinct origin node (or per distinct target node on the
        reversed graph, when there are fewer of those).

        Raises:
            InvalidInputError: a coordinate that is not finite WGS-84 degrees.
        """
        if not origins or not targets:
            return [[] for _ in origins]
        router = self._routers[mode]
        origin_nodes, origin_snap = router.snap(self._xyz(origins))
        target_nodes, target_snap = router.snap(self._xyz(targets))
        sources, inverse = np.unique(origin_nodes, return_inverse=True)
        sinks, sink_inverse = np.unique(target_nodes, return_inverse=True)
        if len(sinks) < len(sources):
            costs = router.costs_from(sinks, origin_nodes, reverse=True)[sink_inverse].T
        else:
            costs = router.costs_from(sources, target_nodes)[inverse]
        width = len(targets)
        flat = self._estimates(
            [o for o in origins for _ in range(width)],
            targets * len(origins),
            origin_snap_m=np.repeat(origin_snap, width),
            target_snap_m=np.tile(target_snap, len(origins)),
            same_node=(origin_nodes[:, None] == target_nodes[None, :]).ravel(),
            costs=costs.ravel(),
            mode=mode,
        )
        return [flat[i * width : (i + 1) * width] for i in range(len(origins))]

    def travel(self, origin: Point, target: Point, mode: TravelMode) -> TravelEstimate:
        """Estimate from one point to one other."""
        return self.one_to_many(origin, [target], mode)[0]

    def _xyz(self, points: Sequence[Point]) -> FloatArray:
        lat_lon = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        lat, lon = lat_lon[:, 0], lat_lon[:, 1]
        if not (np.all(np.abs(lat) <= 90.0) and np.all(np.abs(lon) <= 180.0)):  # NaN fails too
            for point in points:
                check_lat_lon(*point)
        return sphere_xyz_m(lat, lon)

    def _estimates(
        self,
        origins: Sequence[Point],
        targets: Sequence[Point],
        *,
        origin_snap_m: FloatArray,
        target_snap_m: FloatArray,
        same_node: npt.NDArray[np.bool_],
        costs: FloatArray,
        mode: TravelMode,
    ) -> list[TravelEstimate]:
        """Turn packed path weights plus snap legs into estimates; the fallback where a snap
        is too long. A pair that snaps to one node walks straight across instead: going to the
        node and back would make even a point to itself a trip."""
        routed = (origin_snap_m <= self.max_snap_m) & (target_snap_m <= self.max_snap_m)
        packed = np.where(routed, costs, 0.0)
        time_units = np.floor(packed / LENGTH_SPAN)
        length_units = packed - time_units * LENGTH_SPAN
        legs_m = origin_snap_m + target_snap_m
        distance_m = (length_units * LENGTH_QUANTUM_M + legs_m).tolist()
        time_s = (time_units * TIME_QUANTUM_S + legs_m / self.walking_speed_ms).tolist()
        out = list(map(TravelEstimate, distance_m, time_s))
        for i in np.flatnonzero(routed & same_node).tolist():
            across_m = haversine_m(*origins[i], *targets[i])
            out[i] = TravelEstimate(across_m, across_m / self.walking_speed_ms)
        for i in np.flatnonzero(~routed).tolist():
            out[i] = replace(self.fallback.travel(origins[i], targets[i], mode), is_fallback=True)
        return out
