"""Routable graphs from an OpenStreetMap extract: read with pyrosm, weigh per travel mode, cache.

A graph is plain arrays: node positions (WGS-84 degrees) and directed edges between node
indices with their length (metres) and travel time (seconds). pyrosm splits ways at every node,
so an edge is one straight segment of a way and its length is pyrosm's great-circle length.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyrosm
from pyrosm.exceptions import PBFException

from streetrelief.core.errors import RoadNetworkError
from streetrelief.routing.speeds import DEFAULT_SPEED_KMH, OTHER_ROAD_SPEED_KMH, road_speeds_kmh
from streetrelief.teams.models import TravelMode

GRAPH_FORMAT = 1
"""Version of the cached arrays; part of the cache key, so a change here rebuilds caches."""

NETWORK_TYPE = {TravelMode.walking: "walking", TravelMode.vehicle: "driving+service"}
"""pyrosm network filter per mode: ways open to pedestrians; public roads open to motor
vehicles, service roads included (alleys and yards lead to where people shelter)."""

ONEWAY_FORWARD = frozenset({"yes", "true", "1"})
ONEWAY_REVERSE = frozenset({"-1", "reverse"})
ONEWAY_JUNCTIONS = frozenset({"roundabout", "circular"})
"""``oneway`` values and ``junction`` values that make a way one-way for vehicles (OSM wiki,
Key:oneway: ``junction=roundabout`` and ``circular`` imply ``oneway=yes``)."""

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
IndexArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class ModeGraph:
    """The directed road graph of one travel mode.

    Attributes:
        node_lat, node_lon: node positions, WGS-84 degrees, shape (n,).
        edge_from, edge_to: node indices of each directed edge, shape (m,).
        edge_length_m: edge length, metres, shape (m,).
        edge_time_s: time to travel the edge, seconds, shape (m,).
    """

    node_lat: FloatArray
    node_lon: FloatArray
    edge_from: IndexArray
    edge_to: IndexArray
    edge_length_m: FloatArray
    edge_time_s: FloatArray

    @property
    def node_count(self) -> int:
        """Number of nodes."""
        return len(self.node_lat)

    @property
    def edge_count(self) -> int:
        """Number of directed edges."""
        return len(self.edge_from)


def load_graphs(
    path: Path,
    *,
    walking_speed_kmh: float,
    cache_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[dict[TravelMode, ModeGraph], bool]:
    """The graph of every travel mode from an OSM PBF file, from the cache when it holds them.

    The cache file is named by the SHA-256 of the extract and of the build parameters (walking
    speed, the default driving speeds, ``GRAPH_FORMAT``), so a changed file or setting builds
    afresh and stale files are simply never read.

    Args:
        path: the ``.osm.pbf`` extract.
        walking_speed_kmh: walking speed of a foot patrol, km/h.
        cache_dir: folder for cached graphs (created when missing); None builds in memory only.
        progress: called with a short message before each slow step.

    Returns:
        The graphs by mode, and whether they came from the cache.

    Raises:
        RoadNetworkError: the file is missing, unreadable, not OSM PBF, or has no roads for a mode.
    """
    report = progress or (lambda _message: None)
    if not path.is_file():
        raise RoadNetworkError(f"{path}: no such road-network file")
    cache_file = None
    if cache_dir is not None:
        cache_file = cache_dir / f"{path.name}.{_cache_key(path, walking_speed_kmh)}.npz"
        if cache_file.is_file():
            report(f"loading cached graphs from {cache_file}")
            try:
                return _read_cache(cache_file), True
            except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
                # A damaged cache (a full disk, a copy cut short) is rebuilt, not fatal.
                logger.warning("%s: unreadable cached graph, building again (%s)", cache_file, exc)
    graphs = build_graphs(path, walking_speed_kmh=walking_speed_kmh, progress=report)
    if cache_file is not None:
        report(f"writing {cache_file}")
        try:
            _write_cache(cache_file, graphs)
        except OSError as exc:
            # The cache only saves time: a read-only or full disk costs the next start a build.
            logger.warning("%s: cannot cache the road graph (%s)", cache_file, exc)
    return graphs, False


def build_graphs(
    path: Path, *, walking_speed_kmh: float, progress: Callable[[str], None]
) -> dict[TravelMode, ModeGraph]:
    """Read the extract and build the graph of every travel mode (no cache).

    Raises:
        RoadNetworkError: the file is not OSM PBF or has no roads for a mode.
    """
    try:
        osm = pyrosm.OSM(str(path))
    except (PBFException, ValueError) as exc:  # pyrosm refuses other file types by ValueError
        raise RoadNetworkError(f"{path}: not a readable OpenStreetMap PBF file ({exc})") from exc
    graphs = {}
    for mode in TravelMode:
        progress(f"reading the {mode.value} network of {path.name}")
        graphs[mode] = _mode_graph(osm, path, mode, walking_speed_kmh)
    return graphs


def _mode_graph(
    osm: pyrosm.OSM, path: Path, mode: TravelMode, walking_speed_kmh: float
) -> ModeGraph:
    vehicle = mode is TravelMode.vehicle
    try:
        with warnings.catch_warnings():
            # pyrosm warns about its own internals, and "no edges" comes back as None below.
            warnings.simplefilter("ignore")
            network = osm.get_network(
                network_type=NETWORK_TYPE[mode],
                nodes=True,
                extra_attributes=["junction"] if vehicle else None,
            )
    except (PBFException, ValueError) as exc:  # pyrosm refuses other file types by ValueError
        raise RoadNetworkError(f"{path}: not a readable OpenStreetMap PBF file ({exc})") from exc
    nodes, edges = network if network is not None else (None, None)
    if nodes is None or edges is None or len(edges) == 0:
        raise RoadNetworkError(f"{path}: no roads for {mode.value} travel in the extract")
    node_ids = nodes["id"].to_numpy(dtype=np.int64)
    order = np.argsort(node_ids)
    sorted_ids = node_ids[order]
    u = order[np.searchsorted(sorted_ids, edges["u"].to_numpy(dtype=np.int64))]
    v = order[np.searchsorted(sorted_ids, edges["v"].to_numpy(dtype=np.int64))]
    length_m = edges["length"].to_numpy(dtype=np.float64)
    if vehicle:
        speed_kmh = road_speeds_kmh(edges["highway"], _tag(edges, "maxspeed"))
        forward, backward = _directions(edges)
    else:
        speed_kmh = np.full(len(edges), walking_speed_kmh)
        forward = backward = np.ones(len(edges), dtype=bool)
    time_s = length_m / (speed_kmh / 3.6)
    graph = ModeGraph(
        node_lat=nodes["lat"].to_numpy(dtype=np.float64),
        node_lon=nodes["lon"].to_numpy(dtype=np.float64),
        edge_from=np.concatenate([u[forward], v[backward]]).astype(np.int64),
        edge_to=np.concatenate([v[forward], u[backward]]).astype(np.int64),
        edge_length_m=np.concatenate([length_m[forward], length_m[backward]]),
        edge_time_s=np.concatenate([time_s[forward], time_s[backward]]),
    )
    logger.info(
        "%s: %s network, %d nodes, %d edges", path, mode.value, graph.node_count, graph.edge_count
    )
    return graph


def _directions(edges: pd.DataFrame) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Whether vehicles may drive each way from u to v (forward) and from v to u (backward)."""
    oneway = _tag(edges, "oneway").str.lower()
    circular = _tag(edges, "junction").isin(ONEWAY_JUNCTIONS) & (oneway != "no")
    reverse = oneway.isin(ONEWAY_REVERSE).to_numpy()
    one_way = (oneway.isin(ONEWAY_FORWARD) | circular).to_numpy()
    return ~reverse, ~one_way


def _tag(edges: pd.DataFrame, key: str) -> pd.Series:
    """One tag of every edge as text, "" where untagged; pyrosm leaves out the column of a
    tag that no way in the extract carries."""
    if key not in edges:
        return pd.Series("", index=edges.index)
    return edges[key].fillna("").astype(str)


def _cache_key(path: Path, walking_speed_kmh: float) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    parameters = {
        "format": GRAPH_FORMAT,
        "walking_speed_kmh": walking_speed_kmh,
        "default_speed_kmh": DEFAULT_SPEED_KMH,
        "other_road_speed_kmh": OTHER_ROAD_SPEED_KMH,
        "network_type": {mode.value: kind for mode, kind in NETWORK_TYPE.items()},
    }
    digest.update(json.dumps(parameters, sort_keys=True).encode())
    return digest.hexdigest()[:24]


_FIELDS = ("node_lat", "node_lon", "edge_from", "edge_to", "edge_length_m", "edge_time_s")


def _write_cache(cache_file: Path, graphs: dict[TravelMode, ModeGraph]) -> None:
    cache_file.parent.mkdir(parents=True, exist_ok=True)
    arrays = {
        f"{mode.value}.{field}": getattr(graph, field)
        for mode, graph in graphs.items()
        for field in _FIELDS
    }
    # A file of this writer's own, then an atomic rename: a reader, or a second process
    # building the same graph, never sees half a file.
    handle, partial = tempfile.mkstemp(dir=cache_file.parent, suffix=".partial.npz")
    try:
        with os.fdopen(handle, "wb") as stream:
            np.savez(stream, **arrays)
        Path(partial).replace(cache_file)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def _read_cache(cache_file: Path) -> dict[TravelMode, ModeGraph]:
    with np.load(cache_file) as data:
        return {
            mode: ModeGraph(*(data[f"{mode.value}.{field}"] for field in _FIELDS))
            for mode in TravelMode
        }
