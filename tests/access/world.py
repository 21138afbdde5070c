"""A small world for access tests: two districts of Beijing, each with a team, a service point,
an incident on scene and a person met there (with every sensitive field filled), a social
reporter, plus a child in 东城; and accounts of every role at district and at national level."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from streetrelief.access.roles import Role
from streetrelief.core.clock import FixedClock
from streetrelief.service_points.models import ServicePointKind
from streetrelief.service_points.schemas import ServicePointCreate
from streetrelief.service_points.service import create_service_point
from tests.factories.access import bearer, make_user
from tests.factories.regions import beijing_tree
from tests.factories.reports import report_body
from tests.factories.teams import make_team

DONGCHENG, HAIDIAN = "110101", "110108"
PLACES = {DONGCHENG: (39.9175, 116.417), HAIDIAN: (39.959, 116.298)}
SECRETS = {
    DONGCHENG: ("张三丰", "110101195001011234", "13800138000", "糖尿病，轻度失智"),
    HAIDIAN: ("李四光", "110108196202021234", "13900139000", "高血压"),
}
CHILD = ("王小明", "110101201505051234", "13700137000", "哮喘")
"""Name, ID number, phone, health notes: values that must never leak where masked."""


@dataclass
class District:
    """The records of one district."""

    team_id: int
    point_id: int
    incident_id: int
    person_id: int
    encounter_id: int
    reporter_id: int


@dataclass
class World:
    """Everything a matrix test touches."""

    districts: dict[str, District] = field(default_factory=dict)
    child_id: int = 0
    headers: dict[tuple[Role, str | None], dict[str, str]] = field(default_factory=dict)


def _person(values: tuple[str, str, str, str], *, age: int) -> dict[str, object]:
    name, id_number, phone, health = values
    return {
        "name": name,
        "id_number": id_number,
        "phone": phone,
        "health_notes": health,
        "approx_age": age,
    }


def build_world(session: Session, client: TestClient, clock: FixedClock) -> World:
    """Build the world through the API as the test administrator, then the accounts."""
    beijing_tree(session)
    world = World()
    now = clock.now()
    for code, (lat, lon) in PLACES.items():
        team = make_team(session, now=now, code=f"T{code}", region_code=code, lat=lat, lon=lon)
        point = create_service_point(
            session,
            ServicePointCreate(
                code=f"SP{code}",
                name=f"救助站 {code}",
                kind=ServicePointKind.relief_station,
                region_code=code,
                lat=lat,
                lon=lon,
                capacity=40,
            ),
            now=now,
        )
        r = client.post("/api/v1/reports", json=report_body(clock, lat=lat, lon=lon))
        assert r.status_code == 201, r.text
        incident_id = r.json()["incident_id"]
        assert r.json()["region_code"] == code
        r = client.post(f"/api/v1/incidents/{incident_id}/dispatches", json={"team_id": team.id})
        assert r.status_code == 201, r.text
        for step in ("en_route", "on_scene"):
            r = client.post(f"/api/v1/incidents/{incident_id}/transitions", json={"to": step})
            assert r.status_code == 200, r.text
        person = _person(SECRETS[code], age=75)
        r = client.post(
            f"/api/v1/incidents/{incident_id}/encounters",
            json={
                "person": person,
                "team_id": team.id,
                "categories": ["elderly"],
                "items": [{"item": "quilts", "quantity": 1}],
                "outcome": "admitted_to_station",
                "notes": f"{person['name']} sleeps under the bridge",
            },
        )
        assert r.status_code == 201, r.text
        person_id, encounter_id = r.json()["person_id"], r.json()["id"]
        r = client.post(
            "/api/v1/social-reporters",
            json={"kind": "courier", "display_name": SECRETS[code][0], "region_code": code},
        )
        assert r.status_code == 201, r.text
        world.districts[code] = District(
            team.id, point.id, incident_id, person_id, encounter_id, r.json()["reporter"]["id"]
        )
        if code == DONGCHENG:
            r = client.post(
                f"/api/v1/incidents/{incident_id}/encounters",
                json={
                    "person": _person(CHILD, age=10),
                    "team_id": team.id,
                    "categories": ["minor"],
                    "outcome": "admitted_to_station",
                    "legal_basis": "legal_duty",
                },
            )
            assert r.status_code == 201, r.text
            world.child_id = r.json()["person_id"]
    clock.advance(timedelta(minutes=5))
    dong = world.districts[DONGCHENG]
    for role in Role:
        if role in {Role.public, Role.partner, Role.social_reporter}:
            continue
        field_roles = {Role.patrol, Role.service_point_staff}
        for region in (DONGCHENG,) if role in field_roles else (DONGCHENG, None):
            user = make_user(
                session,
                now=clock.now(),
                role=role,
                region_code=region,
                team_id=dong.team_id if role is Role.patrol else None,
                service_point_id=dong.point_id if role is Role.service_point_staff else None,
            )
            world.headers[(role, region)] = bearer(session, user, now=clock.now())
    return world
