"""Coverage of a night: visits within interval, blind spots, figures by region, map layer."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from streetrelief.patrols import logic, repository
from streetrelief.patrols.logic import HolidayCalendar
from streetrelief.patrols.models import HotspotStatus
from streetrelief.patrols.schemas import (
    CoverageComparison,
    CoverageReport,
    HotspotCoverage,
    HotspotRead,
    RegionChange,
    RegionCoverage,
)
from streetrelief.patrols.service.planning import effective_interval, shift_context
from streetrelief.regions.service import Scope, require_region


def coverage_report(
    session: Session,
    region_code: str,
    night: date,
    *,
    calendar: HolidayCalendar,
    scope: Scope = None,
) -> CoverageReport:
    """Coverage of the active hotspots of a region subtree over one night.

    Each hotspot's interval is its effective one at the night's start (level, holiday, recent
    findings); see :func:`logic.coverage` for when a hotspot is overdue.

    Raises:
        UnknownRegionError: no such region.
    """
    region = require_region(session, region_code)
    tz = ZoneInfo(region.timezone)
    start, end = logic.night_bounds(night, tz)
    context = shift_context(session, region, start, calendar)
    spots = [
        h
        for h in repository.hotspots(session, region.path, scope=scope)
        if h.status == HotspotStatus.active
    ]
    times: dict[int, list[datetime]] = defaultdict(list)
    for c in repository.check_ins(session, [h.id for h in spots], until=end):
        times[c.hotspot_id].append(c.checked_in_at)
    items = []
    for h in spots:
        interval = effective_interval(h, context, start)
        cov = logic.coverage(h.id, times[h.id], start=start, end=end, interval_s=interval)
        items.append(
            HotspotCoverage(
                hotspot_id=h.id,
                name=h.name,
                kind=h.kind,
                region_code=h.region_code,
                lat=h.lat,
                lon=h.lon,
                interval_s=interval,
                visits=cov.visits,
                last_visited_at=cov.last_visited_at,
                longest_gap_s=cov.longest_gap_s,
                is_visited=cov.is_visited,
                is_overdue=cov.is_overdue,
            )
        )
    return CoverageReport(
        region_code=region.code,
        night=night,
        start=start,
        end=end,
        hotspots=items,
        regions=_by_region(items),
    )


def _by_region(items: Sequence[HotspotCoverage]) -> list[RegionCoverage]:
    groups: dict[str, list[HotspotCoverage]] = defaultdict(list)
    for item in items:
        groups[item.region_code].append(item)
    out = []
    for code in sorted(groups):
        group = groups[code]
        within = sum(not i.is_overdue for i in group)
        out.append(
            RegionCoverage(
                region_code=code,
                hotspots=len(group),
                visited=sum(i.is_visited for i in group),
                overdue=len(group) - within,
                check_ins=sum(i.visits for i in group),
                share_within_interval=within / len(group),
            )
        )
    return out


def compare_coverage(before: CoverageReport, after: CoverageReport) -> CoverageComparison:
    """Two nights' coverage side by side, with the change per region."""
    old = {r.region_code: r for r in before.regions}
    new = {r.region_code: r for r in after.regions}
    change = []
    for code in sorted(old.keys() | new.keys()):
        a, b = old.get(code), new.get(code)
        share = None
        if a and b and a.share_within_interval is not None and b.share_within_interval is not None:
            share = b.share_within_interval - a.share_within_interval
        change.append(
            RegionChange(
                region_code=code,
                visited_change=(b.visited if b else 0) - (a.visited if a else 0),
                overdue_change=(b.overdue if b else 0) - (a.overdue if a else 0),
                share_change=share,
            )
        )
    return CoverageComparison(before=before, after=after, change=change)


def coverage_geojson(report: CoverageReport) -> dict[str, object]:
    """The coverage as a GeoJSON FeatureCollection of Points (``[lon, lat]``), one per hotspot."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": item.hotspot_id,
                "geometry": {"type": "Point", "coordinates": [item.lon, item.lat]},
                "properties": item.model_dump(mode="json", exclude={"lat", "lon"}),
            }
            for item in report.hotspots
        ],
    }


def hotspots_geojson(items: Sequence[HotspotRead]) -> dict[str, object]:
    """Hotspots as a GeoJSON FeatureCollection of Points (``[lon, lat]``)."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": item.id,
                "geometry": {"type": "Point", "coordinates": [item.lon, item.lat]},
                "properties": item.model_dump(mode="json", exclude={"lat", "lon"}),
            }
            for item in items
        ],
    }
