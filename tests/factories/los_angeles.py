"""The Los Angeles example set-up (regions and teams files under examples/los_angeles)."""

from __future__ import annotations

import csv
import gzip
import math
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from streetrelief.regions.importer import import_regions
from streetrelief.teams.importer import import_teams

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "los_angeles"
LA_ZONE = ZoneInfo("America/Los_Angeles")
LA_TIME_FORMAT = "%m/%d/%Y %I:%M:%S %p"


def load_los_angeles(session: Session, *, now: datetime, with_teams: bool = True) -> None:
    """Import the example region tree (and teams) for Los Angeles."""
    import_regions(session, EXAMPLES / "regions.csv")
    if with_teams:
        import_teams(session, EXAMPLES / "teams.csv", now=now)


@dataclass(frozen=True)
class RawRequest:
    """One homeless-encampment request, read straight from a file with the csv module."""

    srnumber: str
    created: datetime
    lat: float
    lon: float
    source: str


def raw_encampment_requests(path: Path) -> list[RawRequest]:
    """Homeless-encampment rows of either LA file, in time order (then by request number)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    out = []
    for row in rows:
        if "RequestType" in row:  # the raw export
            if row["RequestType"] != "Homeless Encampment":
                continue
            sr, created, lat, lon, source = (
                row["SRNumber"],
                row["CreatedDate"],
                row["Latitude"],
                row["Longitude"],
                row["RequestSource"],
            )
        else:  # the derived encampment-only file
            sr, created, lat, lon, source = (
                row["srnumber"],
                row["created"],
                row["latitude"],
                row["longitude"],
                row["request_source"],
            )
        out.append(
            RawRequest(
                srnumber=sr,
                created=datetime.strptime(created, LA_TIME_FORMAT).replace(tzinfo=LA_ZONE),
                lat=float(lat),
                lon=float(lon),
                source=source,
            )
        )
    return sorted(out, key=lambda r: (r.created, r.srnumber))


def count_merges_without_closing(
    requests: list[RawRequest], radius_m: float, window_s: float, half_life_s: float | None
) -> tuple[int, int]:
    """(incidents, merged reports) if no incident ever closes, computed independently.

    Each request, in time order, joins the nearest earlier group whose first request lies
    within ``radius_m`` (halved every ``half_life_s`` of gap) and whose latest request is at
    most ``window_s`` older; otherwise it starts a group. Distances use the spherical law of
    cosines, not the product's haversine.
    """
    groups: list[list[RawRequest]] = []
    merged = 0
    for req in requests:
        best: tuple[float, int] | None = None
        for i, group in enumerate(groups):
            anchor = group[0]
            d = _distance_m(anchor.lat, anchor.lon, req.lat, req.lon)
            gap = (req.created - max(r.created for r in group)).total_seconds()
            allowed = radius_m * (0.5 ** (gap / half_life_s) if half_life_s else 1.0)
            if d <= allowed and gap <= window_s and (best is None or d < best[0]):
                best = (d, i)
        if best is None:
            groups.append([req])
        else:
            groups[best[1]].append(req)
            merged += 1
    return len(groups), merged


def _distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    cos_angle = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(
        math.radians(lon2 - lon1)
    )
    return 6_371_008.8 * math.acos(max(-1.0, min(1.0, cos_angle)))
