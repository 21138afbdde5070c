"""A patrol team sent to an incident in the next district: its members see and work that one
incident, and nothing else there; another team's members still cannot find it."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from streetrelief.access.roles import Role
from streetrelief.core.clock import FixedClock
from tests.access.world import DONGCHENG, HAIDIAN, PLACES, World, build_world
from tests.factories.access import bearer, make_user
from tests.factories.reports import report_body
from tests.factories.teams import make_team


def _sent_next_door(
    session: Session, client: TestClient, clock: FixedClock, world: World
) -> tuple[int, int, dict[str, str]]:
    """A second 东城 team with a member's headers, sent to a new incident in 海淀."""
    lat, lon = PLACES[DONGCHENG]
    team = make_team(session, now=clock.now(), code="DC-2", region_code=DONGCHENG, lat=lat, lon=lon)
    member = make_user(
        session,
        now=clock.now(),
        role=Role.patrol,
        region_code=DONGCHENG,
        username="dc-2-member",
        team_id=team.id,
    )
    r = client.post("/api/v1/reports", json=report_body(clock, lat=39.99, lon=116.30))
    assert r.status_code == 201, r.text
    assert r.json()["region_code"] == HAIDIAN
    incident_id = r.json()["incident_id"]
    assert incident_id != world.districts[HAIDIAN].incident_id
    r = client.post(f"/api/v1/incidents/{incident_id}/dispatches", json={"team_id": team.id})
    assert r.status_code == 201, r.text
    return incident_id, team.id, bearer(session, member, now=clock.now())


def test_member_sees_and_works_the_incident_next_door(
    session: Session, client: TestClient, clock: FixedClock
) -> None:
    world = build_world(session, client, clock)
    incident_id, team_id, member = _sent_next_door(session, client, clock, world)
    for tail in ("", "/dispatches", "/reports", "/encounters"):
        r = client.get(f"/api/v1/incidents/{incident_id}{tail}", headers=member)
        assert r.status_code == 200, (tail, r.text)
    dispatch_id = client.get(f"/api/v1/incidents/{incident_id}/dispatches").json()[0]["id"]
    r = client.post(
        f"/api/v1/incidents/{incident_id}/dispatches/{dispatch_id}/acknowledge", headers=member
    )
    assert r.status_code == 200, r.text
    for step in ("en_route", "on_scene"):
        r = client.post(
            f"/api/v1/incidents/{incident_id}/transitions", json={"to": step}, headers=member
        )
        assert r.status_code == 200, r.text
        assert r.json()["status"] == step
    r = client.post(
        f"/api/v1/incidents/{incident_id}/encounters",
        json={
            "person": {"description": "man in a grey coat"},
            "team_id": team_id,
            "outcome": "supplies_on_site",
        },
        headers=member,
    )
    assert r.status_code == 201, r.text
    person_id = r.json()["person_id"]
    r = client.post(
        f"/api/v1/incidents/{incident_id}/transitions", json={"to": "resolved"}, headers=member
    )
    assert r.status_code == 200, r.text
    # Kept for the record once the dispatch has cleared.
    assert client.get(f"/api/v1/incidents/{incident_id}", headers=member).status_code == 200
    # Nothing else of 海淀: not its other incident, not the person met, not in any list.
    haidian = world.districts[HAIDIAN]
    for path in (
        f"/incidents/{haidian.incident_id}",
        f"/persons/{person_id}",
        f"/persons/{haidian.person_id}",
        f"/teams/{haidian.team_id}",
    ):
        assert client.get(f"/api/v1{path}", headers=member).status_code == 404, path
    listed = client.get("/api/v1/incidents", headers=member).json()
    assert {i["region_code"] for i in listed} == {DONGCHENG}
    r = client.get(f"/api/v1/incidents?region_code={HAIDIAN}", headers=member)
    assert r.status_code == 422
    assert r.json()["code"] == "unknown_region"


def test_another_teams_member_still_cannot_find_it(
    session: Session, client: TestClient, clock: FixedClock
) -> None:
    world = build_world(session, client, clock)
    incident_id, team_id, _member = _sent_next_door(session, client, clock, world)
    other = world.headers[(Role.patrol, DONGCHENG)]
    base = f"/api/v1/incidents/{incident_id}"
    for tail in ("", "/dispatches", "/reports", "/encounters"):
        r = client.get(base + tail, headers=other)
        assert r.status_code == 404, (tail, r.text)
        assert HAIDIAN not in r.text
    dispatch_id = client.get(f"{base}/dispatches").json()[0]["id"]
    refused = [
        client.post(f"{base}/transitions", json={"to": "en_route"}, headers=other),
        client.post(
            f"{base}/encounters",
            json={"person": {"description": "x"}, "team_id": team_id, "outcome": "refused"},
            headers=other,
        ),
        client.post(f"{base}/dispatches/{dispatch_id}/acknowledge", headers=other),
    ]
    assert [r.status_code for r in refused] == [404, 404, 404]
    assert client.get(base).json()["status"] == "dispatched"
