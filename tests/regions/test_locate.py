"""Locating points in the real Chinese tree: each county's own centre finds that county."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from streetrelief.regions.importer import import_regions
from streetrelief.regions.models import Region, RegionLevel
from streetrelief.regions.service import locate_region


def test_county_centres_find_their_county(session: Session, shared_data: Path) -> None:
    divisions = shared_data / "china_admin_divisions"
    for name in ("modood_provinces.csv", "modood_cities.csv", "modood_areas.csv"):
        import_regions(session, divisions / name)
    import_regions(session, divisions / "cpca_adcodes_with_coords.csv", coords_only=True)
    counties = session.scalars(
        select(Region).where(
            Region.level == RegionLevel.county,
            Region.lat.is_not(None),
            Region.code.like("11%") | Region.code.like("23%"),  # Beijing and Heilongjiang
        )
    ).all()
    assert len(counties) > 100
    misplaced = []
    for county in counties:
        assert county.lat is not None
        assert county.lon is not None
        found = locate_region(session, county.lat, county.lon)
        if found is None or found.code != county.code:
            misplaced.append((county.code, found.code if found else None))
    assert misplaced == []
