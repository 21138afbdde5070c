"""The pages wired to the other domains, in a real browser: region boundaries and hotspots on
the console map, and a check-in at a hotspot from the field app, offline and back online."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import BrowserContext, expect
from sqlalchemy import func, select

from streetrelief.core.clock import SystemClock
from streetrelief.db.engine import session_scope
from streetrelief.intake.models import Channel, Report
from streetrelief.patrols.models import CheckIn, HotspotKind
from streetrelief.patrols.schemas import HotspotCreate
from streetrelief.patrols.service.register import create_hotspot
from streetrelief.regions.boundaries import import_boundaries
from tests.web.conftest import (
    PHONE,
    TIMEOUT_MS,
    Crew,
    LiveServer,
    eventually,
    lose_first_answer,
    ready,
    shoot,
    sign_in,
    synced,
)

MakeContext = Callable[..., BrowserContext]

DONGCHENG_BOX = (39.87, 116.33, 39.99, 116.43)
"""(south, west, north, east) of the test outline of 东城区: it holds the console's centre and
every test's place, which lie in 东城区 by their nearest centre as well."""


def _hotspot(server: LiveServer, code: str, lat: float, lon: float, *, visited: bool) -> int:
    """An active hotspot at the point: never visited (overdue), or visited a minute ago."""
    now = SystemClock().now()
    with session_scope(server.factory) as session:
        hotspot = create_hotspot(
            session,
            HotspotCreate(
                code=code,
                name=f"测试点位 {code}",
                kind=HotspotKind.underpass,
                region_code="110101",
                lat=lat,
                lon=lon,
                radius_m=100,
            ),
            now=now,
        )
        if visited:
            hotspot.last_visited_at = now - timedelta(minutes=1)
        return hotspot.id


def _check_ins(server: LiveServer, hotspot_id: int) -> list[CheckIn]:
    with session_scope(server.factory, read_only=True) as session:
        rows = session.scalars(select(CheckIn).where(CheckIn.hotspot_id == hotspot_id)).all()
        session.expunge_all()
        return list(rows)


def _patrol_reports(server: LiveServer, source_id: str) -> int:
    with session_scope(server.factory, read_only=True) as session:
        count = session.scalar(
            select(func.count())
            .select_from(Report)
            .where(Report.channel == Channel.patrol, Report.source_id == source_id)
        )
        return int(count or 0)


def test_console_draws_boundaries_and_hotspots(
    live_server: LiveServer, new_context: MakeContext, tmp_path: Path
) -> None:
    south, west, north, east = DONGCHENG_BOX
    outline = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    path = tmp_path / "dongcheng.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"code": "110101"},
                        "geometry": {"type": "Polygon", "coordinates": [outline]},
                    }
                ],
            }
        )
    )
    with session_scope(live_server.factory) as session:
        assert import_boundaries(session, path).imported == ["110101"]
    _hotspot(live_server, "T-OVERDUE", 39.93, 116.40, visited=False)
    _hotspot(live_server, "T-VISITED", 39.94, 116.41, visited=True)

    console = new_context(viewport={"width": 1440, "height": 900}).new_page()
    sign_in(console, live_server.url, "dispatcher-11", "/console")
    console.goto(f"{live_server.url}/console?lang=zh-CN")
    ready(console)
    map_ = console.locator("#map")
    expect(map_).to_have_attribute("data-boundaries", "1", timeout=TIMEOUT_MS)
    expect(map_).to_have_attribute("data-hotspots", re.compile(r"^[1-9]\d*$"))
    controls = console.locator(".leaflet-control-layers-overlays")
    expect(controls).to_contain_text("行政区边界")
    expect(controls).to_contain_text("重点点位")

    # Pointing at the outline, away from every marker, names the district.
    box = map_.bounding_box()
    assert box is not None
    console.mouse.move(box["x"] + box["width"] / 2 - 40, box["y"] + box["height"] / 2)
    tooltip = console.locator(".leaflet-tooltip:not(.place-label)")
    expect(tooltip).to_have_text("东城区", timeout=TIMEOUT_MS)
    shoot(console, "console-layers-zh-CN")


def test_field_app_checks_in_at_nearest_hotspot_online_and_offline(
    live_server: LiveServer, crew: Crew, new_context: MakeContext
) -> None:
    near = _hotspot(live_server, f"T-NEAR-{crew.team_id}", crew.lat, crew.lon, visited=False)
    far = _hotspot(live_server, f"T-FAR-{crew.team_id}", crew.lat, crew.lon - 0.004, visited=False)
    context = new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": crew.lat + 0.0002, "longitude": crew.lon},
        permissions=["geolocation"],
    )
    field = context.new_page()
    sign_in(field, live_server.url, crew.username, "/field")
    field.goto(f"{live_server.url}/field?lang=en")
    ready(field)
    choice = field.locator("#c-hotspot")
    expect(choice.locator("option").first).to_have_attribute("value", str(near))
    expect(choice.locator(f"option[value='{far}']")).to_contain_text(" m")
    expect(choice).to_have_value(str(near))

    # Nobody there: a check-in and no report.
    field.get_by_role("button", name="Check in", exact=True).click()
    eventually(lambda: len(_check_ins(live_server, near)) == 1)
    synced(field)
    assert _check_ins(live_server, near)[0].report_id is None

    # Offline, two people found: kept on the phone, then sent once, though the first answer
    # is lost on the way back.
    context.set_offline(True)
    field.locator("#c-people").fill("2")
    field.get_by_label("An elderly person").check()
    field.locator("#c-note").fill("two men under the bridge")
    field.locator("#c-note").press("Tab")  # to the submit button
    field.keyboard.press("Enter")
    expect(field.locator("#sync-state")).to_have_attribute("data-waiting", "1")
    shoot(field, "field-app-check-in-offline-en")
    assert len(_check_ins(live_server, near)) == 1

    lost = lose_first_answer(field, r".*/check-ins$")
    context.set_offline(False)
    expect(field.locator("#sync-state")).to_have_attribute("data-waiting", "0", timeout=40_000)
    assert lost
    assert lost[0]
    found = [c for c in _check_ins(live_server, near) if c.people_found]
    assert len(found) == 1
    assert found[0].conditions == ["elderly"]
    assert found[0].report_id is not None
    assert _patrol_reports(live_server, f"check-in {found[0].id}") == 1
    shoot(field, "field-app-check-in-en")
