"""Builders for regions."""

from __future__ import annotations

from sqlalchemy.orm import Session

from streetrelief.regions.models import Region, RegionLevel
from streetrelief.regions.schemas import RegionCreate
from streetrelief.regions.service import create_region


def beijing_tree(session: Session) -> dict[str, Region]:
    """Beijing (11), its municipal prefecture (1101) and two districts with WGS-84 centres."""
    made = {}
    for code, name, level, parent, lat, lon in [
        ("11", "北京市", RegionLevel.province, None, 39.904, 116.407),
        ("1101", "市辖区", RegionLevel.prefecture, "11", None, None),
        ("110101", "东城区", RegionLevel.county, "1101", 39.917, 116.416),
        ("110105", "朝阳区", RegionLevel.county, "1101", 39.921, 116.443),
        ("110108", "海淀区", RegionLevel.county, "1101", 39.959, 116.298),
    ]:
        made[code] = create_region(
            session,
            RegionCreate(code=code, name=name, level=level, parent_code=parent, lat=lat, lon=lon),
        )
    return made
