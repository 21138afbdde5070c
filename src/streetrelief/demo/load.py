"""Load the demo: Beijing's districts, generated teams, service points and reports.

The region rows are real (NBS 2023 district codes and names; centres from the cpca county
table, converted from GCJ-02 to WGS-84), and so are the district outlines (Vonng/adcode,
CC BY 4.0, simplified; GCJ-02, converted on import; see ``PROVENANCE.md`` here). Everything
else is generated and labelled "演示" (demo): teams, service points and the reports of one
evening, placed at random near district centres with a fixed seed. Nothing here describes a
real person.
"""

from __future__ import annotations

import random
import secrets
from datetime import UTC, datetime, time, timedelta
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session

from streetrelief.access import service as access
from streetrelief.access.roles import Role
from streetrelief.access.schemas import UserCreate
from streetrelief.config import Settings
from streetrelief.core.clock import Clock, FixedClock, SystemClock
from streetrelief.core.datum import CoordinateSystem
from streetrelief.core.errors import NotFoundError
from streetrelief.db.engine import get_engine, make_session_factory, session_scope
from streetrelief.dispatch.service import assign_team, recommend_teams, report_progress
from streetrelief.dispatch.travel import StraightLineTravel
from streetrelief.incidents.models import IncidentStatus
from streetrelief.incidents.service import require_incident
from streetrelief.intake.models import Channel
from streetrelief.intake.schemas import ReportCreate
from streetrelief.intake.service import receive_report
from streetrelief.patrols.models import HotspotKind
from streetrelief.patrols.schemas import HotspotCreate
from streetrelief.patrols.service.register import create_hotspot
from streetrelief.people.models import EncounterOutcome, PersonCategory
from streetrelief.people.schemas import EncounterCreate, ItemGiven, PersonIn
from streetrelief.people.service import record_encounter
from streetrelief.regions.boundaries import import_boundaries
from streetrelief.regions.importer import import_regions
from streetrelief.regions.models import Region
from streetrelief.service_points.models import ServicePointKind
from streetrelief.service_points.schemas import ServicePointCreate
from streetrelief.service_points.service import create_service_point
from streetrelief.teams.models import Capability, Department
from streetrelief.teams.schemas import TeamCreate, TeamMemberIn
from streetrelief.teams.service import create_team, find_team, set_team_status
from streetrelief.triage.policy import TriagePolicy, load_policy

SEED = 20260120
EVENING = timedelta(hours=3)
"""The demo evening starts this long before the demo is loaded."""
CENTRAL_DISTRICTS = ("110101", "110102", "110105", "110106", "110107", "110108")
SHIFT_CHANGES = (time(8), time(18))
"""Local times the demo's shifts change: a night shift 18:00-08:00 and a day shift."""
BEIJING = ZoneInfo("Asia/Shanghai")

_TEAMS = [
    # code, name, district, capabilities, vehicle, members (name, department)
    (
        "BJ-DC-1",
        "东城区联合巡查队（演示）",
        "110101",
        [Capability.outreach, Capability.supplies, Capability.transport],
        "京A·D0001",
        [("救助站 甲", Department.civil_affairs), ("民警 乙", Department.police)],
    ),
    (
        "BJ-XC-1",
        "西城区救助巡查队（演示）",
        "110102",
        [Capability.outreach, Capability.supplies, Capability.transport],
        "京A·D0002",
        [("救助站 丙", Department.civil_affairs), ("城管 丁", Department.urban_management)],
    ),
    (
        "BJ-CY-1",
        "朝阳区联合巡查队（演示）",
        "110105",
        [Capability.outreach, Capability.supplies, Capability.transport, Capability.police_escort],
        "京A·D0003",
        [
            ("救助站 戊", Department.civil_affairs),
            ("民警 己", Department.police),
            ("志愿者 庚", Department.volunteer),
        ],
    ),
    (
        "BJ-CY-2",
        "朝阳区步行巡查组（演示）",
        "110105",
        [Capability.outreach, Capability.supplies],
        None,
        [("社工 辛", Department.civil_affairs), ("志愿者 壬", Department.volunteer)],
    ),
    (
        "BJ-FT-1",
        "丰台区救助巡查队（演示）",
        "110106",
        [Capability.outreach, Capability.supplies, Capability.transport],
        "京A·D0005",
        [("救助站 癸", Department.civil_affairs), ("城管 子", Department.urban_management)],
    ),
    (
        "BJ-HD-1",
        "海淀区联合巡查队（演示）",
        "110108",
        [Capability.outreach, Capability.supplies, Capability.transport, Capability.police_escort],
        "京A·D0006",
        [("救助站 丑", Department.civil_affairs), ("民警 寅", Department.police)],
    ),
    (
        "BJ-MED-1",
        "市急救联动组（演示）",
        "110102",
        [Capability.medical, Capability.transport],
        "京A·D0120",
        [("医生 卯", Department.health), ("护士 辰", Department.health)],
    ),
]

_POINTS = [
    # code, name, kind, host, district, capacity, hours
    (
        "BJ-RS-1",
        "市救助管理站（演示）",
        ServicePointKind.relief_station,
        "民政局",
        "110106",
        300,
        "24/7",
    ),
    (
        "BJ-WS-1",
        "东城区临时避寒点（演示）",
        ServicePointKind.warming_shelter,
        "街道办事处",
        "110101",
        40,
        "Mo-Su 18:00-08:00",
    ),
    (
        "BJ-WS-2",
        "海淀区临时避寒点（演示）",
        ServicePointKind.warming_shelter,
        "社区服务中心",
        "110108",
        30,
        "Mo-Su 18:00-08:00",
    ),
    (
        "BJ-RP-1",
        "北京站广场救助点（演示）",
        ServicePointKind.relief_point,
        "救助站",
        "110101",
        10,
        "24/7",
    ),
    (
        "BJ-HP-1",
        "朝阳区求助点（演示）",
        ServicePointKind.help_point,
        "彩票销售点",
        "110105",
        0,
        "Mo-Su 09:00-21:00",
    ),
    (
        "BJ-HP-2",
        "西城区求助点（演示）",
        ServicePointKind.help_point,
        "社区服务站",
        "110102",
        0,
        "Mo-Su 08:00-22:00",
    ),
]

_HOTSPOTS = [
    # code, name, kind, district, base visit interval (hours), active hours (local)
    ("BJ-HS-1", "北京站广场（演示）", HotspotKind.station_square, "110101", 2, "18:00-08:00"),
    ("BJ-HS-2", "建国门地下通道（演示）", HotspotKind.underpass, "110101", 3, "20:00-07:00"),
    ("BJ-HS-3", "西直门桥下（演示）", HotspotKind.bridge_culvert, "110102", 3, "20:00-07:00"),
    ("BJ-HS-4", "朝阳公园南门（演示）", HotspotKind.park, "110105", 4, "18:00-08:00"),
    ("BJ-HS-5", "丰台城乡结合部工地（演示）", HotspotKind.building_site, "110106", 6, None),
    ("BJ-HS-6", "海淀桥地下通道（演示）", HotspotKind.underpass, "110108", 3, "20:00-07:00"),
]

_REPORTS = [
    # channel, minutes before now, district, conditions, description
    (
        Channel.hotline,
        170,
        "110101",
        ["elderly", "confused"],
        "老人在地下通道口徘徊，说不清住址（演示）",
    ),
    (
        Channel.patrol,
        130,
        "110105",
        ["refuses_help", "inadequate_clothing"],
        "桥下有人露宿，拒绝去救助站（演示）",
    ),
    (Channel.social_reporter, 115, "110102", ["minor"], "环卫工人发现一名少年独自在公交站（演示）"),
    (Channel.public, 95, "110108", ["lying_down"], "工地旁有人躺在地上（演示）"),
    (Channel.partner, 70, "110106", ["stranded_traveller"], "110 转来：火车站旅客滞留（演示）"),
    (Channel.hotline, 45, "110101", ["unresponsive"], "地下通道有人叫不醒（演示）"),
    (Channel.public, 30, "110105", ["encampment"], "公园角落搭有帐篷（演示）"),
    (Channel.patrol, 10, "110107", [], "巡查发现一名露宿人员（演示）"),
]


def load_demo(settings: Settings, *, clock: Clock | None = None) -> str:
    """Load the demo into an empty database; leave any other database alone.

    Returns:
        One line saying what was loaded, or why nothing was.
    """
    clock = clock or SystemClock()
    factory = make_session_factory(get_engine(settings.database_url))
    with session_scope(factory) as session:
        if session.scalars(select(Region.code).limit(1)).first() is not None:
            return "database already holds regions: demo not loaded"
        counts = _load(
            session,
            clock,
            load_policy(settings.triage_policy_path),
            StraightLineTravel(
                detour_factor=settings.detour_factor,
                vehicle_speed_kmh=settings.vehicle_speed_kmh,
                walking_speed_kmh=settings.walking_speed_kmh,
            ),
        )
    return (
        f"demo loaded: {counts[0]} regions, {counts[1]} teams, {counts[2]} service points, "
        f"{counts[3]} hotspots, {counts[4]} reports (generated, labelled 演示)"
    )


def _load(
    session: Session, clock: Clock, policy: TriagePolicy, travel: StraightLineTravel
) -> tuple[int, int, int, int, int]:
    rng = random.Random(SEED)
    now = clock.now()
    data = resources.files("streetrelief.demo")
    result = import_regions(session, Path(str(data.joinpath("regions.csv"))))
    import_boundaries(
        session, Path(str(data.joinpath("boundaries_gcj02.geojson"))), CoordinateSystem.gcj02
    )
    centres = {
        r.code: (r.lat or 0.0, r.lon or 0.0)
        for r in session.scalars(
            select(Region).where(Region.code.in_((*CENTRAL_DISTRICTS, "110106", "110107")))
        )
    }

    def near(code: str, spread: float) -> tuple[float, float]:
        lat, lon = centres[code]
        return lat + rng.uniform(-spread, spread), lon + rng.uniform(-spread, spread)

    shift_ends_at = _shift_end(now)
    teams = []
    for code, name, district, caps, vehicle, members in _TEAMS:
        lat, lon = near(district, 0.01)
        team = create_team(
            session,
            TeamCreate(
                code=code,
                name=name,
                region_code=district,
                capabilities=caps,
                vehicle=vehicle,
                base_lat=lat,
                base_lon=lon,
                members=[TeamMemberIn(name=n, department=d) for n, d in members],
                shift_ends_at=shift_ends_at,
            ),
            now=now - EVENING,
        )
        teams.append(team)
    for code, name, kind, host, district, capacity, hours in _POINTS:
        lat, lon = near(district, 0.01)
        create_service_point(
            session,
            ServicePointCreate(
                code=code,
                name=name,
                kind=kind,
                host=host,
                region_code=district,
                lat=lat,
                lon=lon,
                hours=hours,
                capacity=capacity,
                occupancy=capacity // 3,
            ),
            now=now - EVENING,
        )
    for code, name, place_kind, district, interval_h, active in _HOTSPOTS:
        lat, lon = near(district, 0.01)
        create_hotspot(
            session,
            HotspotCreate(
                code=code,
                name=name,
                kind=place_kind,
                region_code=district,
                lat=lat,
                lon=lon,
                interval_s=interval_h * 3600,
                active_hours=active,
            ),
            now=now - EVENING,
        )
    # The evening is played in order on a clock of its own, so every timestamp and event
    # follows the one before it.
    evening = FixedClock(now - EVENING)
    for n, (channel, minutes, district, conditions, text) in enumerate(_REPORTS):
        lat, lon = near(district, 0.02)
        at = now - timedelta(minutes=minutes)
        evening.set(at + timedelta(seconds=30))
        accepted = receive_report(
            session,
            ReportCreate(
                channel=channel,
                reported_at=at,
                lat=lat,
                lon=lon,
                description=text,
                conditions=conditions,
                source_id=f"demo-{minutes}",
            ),
            clock=evening,
            policy=policy,
            travel=travel,
        )
        if n == 0:
            _play_incident(session, accepted.incident_id, evening, policy, travel)
    # Every team's phone reports where it is as the demo opens, as the field app does on duty,
    # so recommendations rank by fresh positions rather than flag them all stale.
    for team in teams:
        set_team_status(session, team, team.status, now, position=(team.last_lat, team.last_lon))
    return result.inserted, len(_TEAMS), len(_POINTS), len(_HOTSPOTS), len(_REPORTS)


def _shift_end(now: datetime) -> datetime:
    """When the demo teams' shift ends (UTC): the first shift change in Beijing more than an
    hour after ``now``, so a demo loaded just before a change still has its teams on duty
    (at most 15 hours ahead, within the limit of ``teams.service.MAX_SHIFT_AHEAD``)."""
    local = (now + timedelta(hours=1)).astimezone(BEIJING)
    changes = [
        datetime.combine(local.date() + timedelta(days=d), at, BEIJING)
        for d in (0, 1)
        for at in SHIFT_CHANGES
    ]
    return min(c for c in changes if c > local).astimezone(UTC)


def _play_incident(
    session: Session,
    incident_id: int,
    clock: FixedClock,
    policy: TriagePolicy,
    travel: StraightLineTravel,
) -> None:
    """Take a demo incident through the whole loop, so statistics show something."""
    incident = require_incident(session, incident_id)
    best = recommend_teams(session, incident, policy=policy, travel=travel, now=clock.now())[0]
    clock.advance(timedelta(minutes=1))
    assign_team(
        session,
        incident_id,
        best.team_id,
        policy=policy,
        travel=travel,
        now=clock.now(),
        assigned_by="demo",
    )
    for step, wait in [
        (IncidentStatus.en_route, timedelta(minutes=1)),
        (IncidentStatus.on_scene, timedelta(seconds=best.eta_s)),
    ]:
        clock.advance(wait)
        report_progress(session, incident_id, step, at=clock.now(), now=clock.now())
    record_encounter(
        session,
        incident_id,
        EncounterCreate(
            person=PersonIn(description="男，约七十岁，灰色棉衣（演示）", approx_age=70),
            team_id=best.team_id,
            categories=[PersonCategory.elderly, PersonCategory.confused],
            measures=["transport", "identify_later"],
            items=[ItemGiven(item="coats", quantity=1), ItemGiven(item="hot_meals", quantity=1)],
            outcome=EncounterOutcome.admitted_to_station,
        ),
        policy=policy,
        now=clock.now(),
    )
    clock.advance(timedelta(minutes=20))
    report_progress(session, incident_id, IncidentStatus.resolved, at=clock.now(), now=clock.now())


DEMO_ACCOUNTS = (
    ("demo-admin", Role.administrator, None),
    ("demo-commander", Role.commander, "11"),
    ("demo-dispatcher", Role.dispatcher, "11"),
    ("demo-dongcheng", Role.dispatcher, "110101"),
    ("demo-auditor", Role.auditor, None),
    ("demo-patrol", Role.patrol, "110101"),
)
"""Demo accounts: user name, role, jurisdiction (Beijing, Dongcheng district, or all)."""
DEMO_PATROL_TEAM = "BJ-DC-1"
"""The team of ``demo-patrol``, whose field app shows that team's assignments."""


def reset_demo_accounts(settings: Settings, *, clock: Clock | None = None) -> tuple[str, list[str]]:
    """Create the demo accounts, or give them a new random password.

    Returns:
        The password, and the names of the accounts it opens (an account whose region is
        not in the database is left out).

    A fresh password on every start keeps a demo left running from being opened with a
    password someone else saw earlier.
    """
    now = (clock or SystemClock()).now()
    password = secrets.token_urlsafe(12)
    factory = make_session_factory(get_engine(settings.database_url))
    ready: list[str] = []
    with session_scope(factory) as session:
        for username, role, region in DEMO_ACCOUNTS:
            if region is not None and session.get(Region, region) is None:
                continue
            ready.append(username)
            try:
                access.set_password(session, username, password)
            except NotFoundError:
                team = find_team(session, DEMO_PATROL_TEAM) if role is Role.patrol else None
                access.create_user(
                    session,
                    UserCreate(
                        username=username,
                        password=SecretStr(password),
                        role=role,
                        region_code=region,
                        team_id=team.id if team else None,
                    ),
                    now=now,
                )
    return password, ready
