"""Hotspot candidates from an OpenStreetMap extract (PBF, XML or O5M, read with pyosmium).

Owns which OSM tags make a hotspot of which kind (:data:`RULES`); storing the candidates, for a
dispatcher to review, is the service's business. Nodes give a point; ways give the centre of
their outline (closed ways: the polygon's centroid) and a radius reaching their farthest node.
Multipolygon relations are not read (their outer ways usually carry no tags of their own).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import osmium
from shapely import LineString, Polygon

from streetrelief.core.errors import ImportFileError
from streetrelief.core.geo import haversine_m
from streetrelief.patrols.models import HotspotKind

PEDESTRIAN_WAYS = frozenset({"footway", "pedestrian", "path", "steps", "cycleway", "corridor"})
"""``highway`` values people walk on: their tunnels are pedestrian underpasses."""
MIN_RADIUS_M = 30.0
"""A point hotspot's check-in radius: GPS fixes from phones in streets are typically within
5-30 m (van Diggelen & Enge 2015, "The world's first GPS MOOC and worldwide laboratory using
smartphones", ION GNSS+)."""


@dataclass(frozen=True)
class Rule:
    """Tags that make a hotspot kind: every (key, values) pair must match (an empty set: any
    value), and ``excluded`` values of the first key are skipped."""

    kind: HotspotKind
    tags: tuple[tuple[str, frozenset[str]], ...]
    excluded: frozenset[str] = frozenset()

    def matches(self, tags: Mapping[str, str]) -> bool:
        """Whether ``tags`` (an element's tags) satisfy this rule."""
        for key, values in self.tags:
            value = tags.get(key)
            if value is None or (values and value not in values):
                return False
        return tags.get(self.tags[0][0]) not in self.excluded

    @property
    def text(self) -> str:
        """The rule as OSM tag filters, e.g. ``tunnel!=building_passage + highway=footway|...``."""
        parts = []
        for key, values in self.tags:
            parts.append(f"{key}={'|'.join(sorted(values)) if values else '*'}")
        if self.excluded:
            parts[0] += f" (not {'|'.join(sorted(self.excluded))})"
        return " + ".join(parts)


def _any(key: str, *values: str) -> tuple[str, frozenset[str]]:
    return (key, frozenset(values))


RULES: tuple[Rule, ...] = (
    Rule(HotspotKind.station_square, (_any("railway", "station", "halt"),)),
    Rule(HotspotKind.station_square, (_any("public_transport", "station"),)),
    Rule(HotspotKind.station_square, (_any("amenity", "bus_station"),)),
    Rule(HotspotKind.bridge_culvert, (_any("man_made", "bridge"),)),
    Rule(HotspotKind.bridge_culvert, (_any("bridge"), _any("highway")), frozenset({"no"})),
    Rule(HotspotKind.bridge_culvert, (_any("tunnel", "culvert"),)),
    Rule(
        HotspotKind.underpass,
        (_any("tunnel"), ("highway", PEDESTRIAN_WAYS)),
        frozenset({"no", "building_passage", "culvert"}),
    ),
    Rule(HotspotKind.building_site, (_any("landuse", "construction"),)),
    Rule(HotspotKind.building_site, (_any("building", "construction"),)),
    Rule(HotspotKind.abandoned_building, (_any("building", "abandoned", "ruins"),)),
    Rule(HotspotKind.abandoned_building, (_any("abandoned:building"),)),
    Rule(HotspotKind.abandoned_building, (_any("disused:building"),)),
    Rule(HotspotKind.park, (_any("leisure", "park"),)),
)
"""Which tags make which kind, first match wins. Urban fringe has no OSM tag: add it by file."""


@dataclass(frozen=True)
class OsmCandidate:
    """A place found in the extract."""

    code: str
    """``osm:node/ID`` or ``osm:way/ID``."""
    name: str
    kind: HotspotKind
    lat: float
    lon: float
    radius_m: float
    source: str
    """The rule that matched, as OSM tag filters."""


def read_candidates(path: Path) -> list[OsmCandidate]:
    """Hotspot candidates of an OSM extract, nodes first, each by id.

    Args:
        path: an OSM file that pyosmium reads (``.osm.pbf``, ``.osm``, ``.o5m``).

    Returns:
        One candidate per matching node or way; none when nothing matches.

    Raises:
        ImportFileError: the file is missing or not an OSM file.
    """
    if not path.is_file():
        raise ImportFileError("no such file", path=str(path))
    try:
        return sorted(_scan(path), key=lambda c: (not c.code.startswith("osm:node"), c.code))
    except RuntimeError as exc:  # libosmium reports unreadable input as RuntimeError
        raise ImportFileError(f"not a readable OSM file: {exc}", path=str(path)) from exc


def _scan(path: Path) -> Iterator[OsmCandidate]:
    processor = osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
    for obj in processor.with_locations():
        if not obj.tags:
            continue
        tags = {t.k: t.v for t in obj.tags}
        rule = next((r for r in RULES if r.matches(tags)), None)
        if rule is None:
            continue
        if isinstance(obj, osmium.osm.Node):
            if not obj.location.valid():
                continue
            lat, lon, radius = obj.location.lat, obj.location.lon, MIN_RADIUS_M
            code = f"osm:node/{obj.id}"
        elif isinstance(obj, osmium.osm.Way):
            ring = [(n.lon, n.lat) for n in obj.nodes if n.location.valid()]
            if len(ring) < 2:
                continue
            shape = Polygon(ring) if len(ring) >= 4 and ring[0] == ring[-1] else LineString(ring)
            centre = shape.centroid
            lat, lon = centre.y, centre.x
            radius = max(MIN_RADIUS_M, *(haversine_m(lat, lon, y, x) for x, y in ring))
            code = f"osm:way/{obj.id}"
        else:
            continue
        yield OsmCandidate(
            code=code,
            name=tags.get("name") or f"{rule.kind.value.replace('_', ' ')} {code[4:]}",
            kind=rule.kind,
            lat=lat,
            lon=lon,
            radius_m=round(radius, 1),
            source=rule.text,
        )
