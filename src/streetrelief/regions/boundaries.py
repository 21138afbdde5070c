"""Region boundaries: import outlines from GeoJSON, find the region a point lies in, and hand
them to the console's map as a FeatureCollection.

Outlines are stored per region as GeoJSON geometry text in WGS-84 with a bounding box; a point
is placed by testing the boxes in the database and then the shapes (shapely), finest region
first. Where no boundary holds a point, :func:`regions.service.locate_region` falls back on
the nearest region centre.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely import STRtree
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from streetrelief.core.datum import CoordinateSystem, is_in_mainland_china, shift_to_wgs84
from streetrelief.core.errors import ImportFileError
from streetrelief.core.geo import shape_point
from streetrelief.regions import repository
from streetrelief.regions.models import Region, RegionBoundary

CODE_PROPERTIES = ("code", "adcode", "region_code")
"""Feature properties that may carry the region code, in the order they are tried."""

POLYGON_TYPES = frozenset({"Polygon", "MultiPolygon"})


@dataclass
class BoundaryImport:
    """What importing a boundary file did."""

    path: Path
    imported: list[str] = field(default_factory=list)
    """Region codes whose boundary was stored (new or replaced)."""
    unknown: list[str] = field(default_factory=list)
    """Codes of features whose region is not in the tree (skipped)."""


def region_code_candidates(raw: str) -> list[str]:
    """Codes a file's code may name in the tree: itself, then, for a six-digit Chinese adcode
    padded with zeros (110000, 110100), the short GB/T 2260 forms the tree uses (11, 1101)."""
    out = [raw]
    if raw.isdigit() and len(raw) == 6:
        if raw.endswith("0000"):
            out.append(raw[:2])
        elif raw.endswith("00"):
            out.append(raw[:4])
    return out


def import_boundaries(
    session: Session, path: Path, crs: CoordinateSystem = CoordinateSystem.wgs84
) -> BoundaryImport:
    """Store the outline of each region a GeoJSON FeatureCollection (plain or .gz) names.

    Args:
        path: a FeatureCollection whose features carry a Polygon or MultiPolygon geometry and
            the region code in one of ``CODE_PROPERTIES`` (a number or a string).
        crs: the datum of the file's coordinates ([lon, lat] degrees); GCJ-02 and BD-09 outlines
            inside mainland China are converted vertex by vertex to WGS-84.

    Returns:
        The codes stored and the codes not found in the tree. Importing again replaces.

    Raises:
        ImportFileError: unreadable, not UTF-8, not JSON, not a FeatureCollection, a feature
            without a code or with another geometry type, or an invalid polygon.
    """
    where = str(path)
    try:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, gzip.BadGzipFile, EOFError) as exc:
        raise ImportFileError(f"not a UTF-8 GeoJSON file: {exc}", path=where) from exc
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise ImportFileError("not a GeoJSON FeatureCollection", path=where)
    result = BoundaryImport(path)
    for number, feature in enumerate(document.get("features") or [], start=1):
        code, geometry = _parse_feature(feature, number, where)
        region = next(
            (r for c in region_code_candidates(code) if (r := repository.get(session, c))), None
        )
        if region is None:
            result.unknown.append(code)
            continue
        wgs = _to_wgs84(geometry, crs)
        min_lon, min_lat, max_lon, max_lat = wgs.bounds
        repository.save_boundary(
            session,
            RegionBoundary(
                region_code=region.code,
                geometry=json.dumps(mapping(wgs), separators=(",", ":")),
                source_crs=crs.value,
                min_lat=min_lat,
                max_lat=max_lat,
                min_lon=min_lon,
                max_lon=max_lon,
            ),
        )
        result.imported.append(region.code)
    session.flush()
    return result


def _parse_feature(feature: object, number: int, where: str) -> tuple[str, BaseGeometry]:
    if not isinstance(feature, dict):
        raise ImportFileError(f"feature {number} is not an object", path=where)
    props = feature.get("properties") or {}
    code = next((props[k] for k in CODE_PROPERTIES if props.get(k) not in (None, "")), None)
    if not isinstance(code, str | int) or isinstance(code, bool):
        raise ImportFileError(
            f"feature {number} has no region code in {list(CODE_PROPERTIES)}", path=where
        )
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") not in POLYGON_TYPES:
        raise ImportFileError(f"feature {number} is not a Polygon or MultiPolygon", path=where)
    try:
        shaped = shape(geometry)
    except (ValueError, TypeError, IndexError, KeyError) as exc:
        raise ImportFileError(f"feature {number}: {exc}", path=where) from exc
    if shaped.is_empty or not shaped.is_valid:
        raise ImportFileError(f"feature {number}: invalid or empty polygon", path=where)
    return str(code), shaped


def _to_wgs84(geometry: BaseGeometry, crs: CoordinateSystem) -> BaseGeometry:
    centre = geometry.representative_point()
    if crs is CoordinateSystem.wgs84 or not is_in_mainland_china(centre.y, centre.x):
        return geometry

    def shift(coords: NDArray[np.float64]) -> NDArray[np.float64]:
        # shapely hands over an (n, 2) array of (x=lon, y=lat) rows.
        pairs = [shift_to_wgs84(lat, lon, crs) for lon, lat in coords]
        return np.array([(lon, lat) for lat, lon in pairs], dtype=np.float64)

    return shapely.transform(geometry, shift)


def region_by_boundary(session: Session, lat: float, lon: float) -> Region | None:
    """The finest region whose stored outline holds the WGS-84 point, or None.

    The boxes are tested in the database; the few outlines whose box holds the point go into
    a shapely STRtree and are tested exactly, deepest region first.
    """
    boxes = repository.boundaries_covering_box(session, lat, lon)
    if not boxes:
        return None
    shapes = [shape(json.loads(b.geometry)) for b in boxes]
    point = shape_point(lat, lon)
    hits = sorted(int(i) for i in STRtree(shapes).query(point, predicate="covered_by"))
    if not hits:
        return None
    return repository.get(session, boxes[hits[0]].region_code)


def boundaries_feature_collection(
    session: Session, root: Region | None, scope: Collection[str] | None
) -> dict[str, Any]:
    """The stored outlines in ``root``'s subtree (all when None) and inside ``scope`` as a
    GeoJSON FeatureCollection (RFC 7946, WGS-84); each feature's properties are ``code``,
    ``name`` and ``level``."""
    rows = repository.boundaries_in_subtree(session, root.path if root else None, scope)
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": region.code,
                "geometry": json.loads(boundary.geometry),
                "properties": {"code": region.code, "name": region.name, "level": region.level},
            }
            for boundary, region in rows
        ],
    }
