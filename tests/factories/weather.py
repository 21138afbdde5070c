"""Builders for CAP alerts: a small Taiwan region tree and synthetic CAP 1.2 messages."""

from __future__ import annotations

from sqlalchemy.orm import Session

from streetrelief.regions.models import Region, RegionLevel
from streetrelief.regions.schemas import RegionCreate
from streetrelief.regions.service import create_region

XIULIN_CENTRE = (24.10, 121.59)
"""Inside the CWA thunderstorm polygon over 三棧溪 (24.08-24.12 N, 121.56-121.62 E)."""
FENGLIN_CENTRE = (23.745, 121.452)


def taiwan_tree(session: Session) -> dict[str, Region]:
    """Taiwan with Hualien, Miaoli and Lienchiang counties and four townships, by MOI code.

    Centres are rounded WGS-84 town-hall positions; Xiulin's lies inside the polygon of the real
    thunderstorm alert and Xincheng's 6 km from it.
    """
    made = {}
    for code, name, level, parent, lat, lon in [
        ("TW", "臺灣", RegionLevel.country, None, 23.70, 120.96),
        ("10015", "花蓮縣", RegionLevel.province, "TW", 23.99, 121.60),
        ("1001502", "鳳林鎮", RegionLevel.county, "10015", *FENGLIN_CENTRE),
        ("1001504", "新城鄉", RegionLevel.county, "10015", 24.128, 121.641),
        ("1001511", "秀林鄉", RegionLevel.county, "10015", *XIULIN_CENTRE),
        ("10005", "苗栗縣", RegionLevel.province, "TW", 24.56, 120.82),
        ("1000512", "頭屋鄉", RegionLevel.county, "10005", 24.574, 120.847),
        ("09007", "連江縣", RegionLevel.province, "TW", 26.16, 119.95),
    ]:
        made[code] = create_region(
            session,
            RegionCreate(
                code=code,
                name=name,
                level=level,
                parent_code=parent,
                country_code="TW",
                timezone="Asia/Taipei",
                lat=lat,
                lon=lon,
            ),
        )
    return made


def cap_message(
    *,
    identifier: str = "TEST-1",
    sender: str = "test@example.org",
    sent: str = "2024-04-22T14:00:00+08:00",
    msg_type: str = "Alert",
    references: str | None = None,
    expires: str = "2024-04-22T20:00:00+08:00",
    area: str = "<areaDesc>somewhere</areaDesc>",
) -> bytes:
    """A schema-valid CAP 1.2 alert with one info block and one area (``area`` is its XML)."""
    refs = f"<references>{references}</references>" if references else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{identifier}</identifier>
  <sender>{sender}</sender>
  <sent>{sent}</sent>
  <status>Actual</status>
  <msgType>{msg_type}</msgType>
  <scope>Public</scope>
  {refs}
  <info>
    <category>Met</category>
    <event>cold wave</event>
    <urgency>Expected</urgency>
    <severity>Severe</severity>
    <certainty>Likely</certainty>
    <expires>{expires}</expires>
    <area>{area}</area>
  </info>
</alert>
""".encode()
