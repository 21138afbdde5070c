"""What the pages need of the API: encounters replayed by a phone's offline queue, a team's
current assignments, the team of the caller, and incidents as GeoJSON, compact points and the
most urgent first for the console."""

from __future__ import annotations

import re
from datetime import timedelta
from importlib.resources import files
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from streetrelief.access.roles import Role
from streetrelief.core.clock import FixedClock
from streetrelief.supplies.catalogue import item_types
from tests.factories.access import bearer, make_user
from tests.factories.regions import beijing_tree
from tests.factories.reports import report_body
from tests.factories.teams import make_team

ENCOUNTER: dict[str, Any] = {
    "person": {"description": "grey coat, about 70"},
    "categories": ["elderly"],
    "items": [{"item": "coats", "quantity": 1}],
    "outcome": "supplies_on_site",
}


def _on_scene(session: Session, client: TestClient, clock: FixedClock) -> tuple[int, int]:
    """An incident with a team sent and on scene: (incident id, team id)."""
    beijing_tree(session)
    team = make_team(session, now=clock.now())
    incident_id = client.post("/api/v1/reports", json=report_body(clock)).json()["incident_id"]
    assert (
        client.post(
            f"/api/v1/incidents/{incident_id}/dispatches", json={"team_id": team.id}
        ).status_code
        == 201
    )
    for to in ("en_route", "on_scene"):
        r = client.post(f"/api/v1/incidents/{incident_id}/transitions", json={"to": to})
        assert r.status_code == 200, r.text
    return incident_id, team.id


class TestEncounterItems:
    def test_every_item_the_field_app_offers_is_in_the_catalogue(self) -> None:
        template = files("streetrelief.web").joinpath("templates/field/index.html").read_text()
        fieldset = template.split('_("Items given")', 1)[1].split("</fieldset>", 1)[0]
        offered = re.findall(r'\("([a-z_]+)", _\("', fieldset)
        assert offered, "the field app offers items"
        assert set(offered) <= set(item_types())

    def test_an_item_not_in_the_catalogue_is_422_and_nothing_is_recorded(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        incident_id, _ = _on_scene(session, client, clock)
        url = f"/api/v1/incidents/{incident_id}/encounters"
        body = {**ENCOUNTER, "items": [{"item": "coat", "quantity": 1}]}
        r = client.post(url, json=body)
        assert r.status_code == 422, r.text
        assert "unknown item 'coat'" in r.json()["detail"]
        assert client.get(url).json() == []


class TestEncounterIdempotency:
    def test_repeat_with_same_key_records_once_and_replays(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        incident_id, _ = _on_scene(session, client, clock)
        url = f"/api/v1/incidents/{incident_id}/encounters"
        first = client.post(url, json=ENCOUNTER, headers={"Idempotency-Key": "phone-1"})
        assert first.status_code == 201, first.text
        again = client.post(url, json=ENCOUNTER, headers={"Idempotency-Key": "phone-1"})
        assert again.status_code == 200, again.text
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.json()["id"] == first.json()["id"]
        assert again.json()["person_temp_id"] == first.json()["person_temp_id"]
        assert len(client.get(url).json()) == 1

    def test_same_key_with_another_body_is_refused(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        incident_id, _ = _on_scene(session, client, clock)
        url = f"/api/v1/incidents/{incident_id}/encounters"
        client.post(url, json=ENCOUNTER, headers={"Idempotency-Key": "phone-1"})
        other = {**ENCOUNTER, "outcome": "refused"}
        r = client.post(url, json=other, headers={"Idempotency-Key": "phone-1"})
        assert r.status_code == 422
        assert r.json()["code"] == "idempotency_key_reused"
        assert len(client.get(url).json()) == 1

    def test_without_key_each_post_records(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        incident_id, _ = _on_scene(session, client, clock)
        url = f"/api/v1/incidents/{incident_id}/encounters"
        for _ in range(2):
            assert client.post(url, json=ENCOUNTER).status_code == 201
        assert len(client.get(url).json()) == 2

    def test_keys_are_the_callers_own(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        incident_id, _ = _on_scene(session, client, clock)
        url = f"/api/v1/incidents/{incident_id}/encounters"
        other = make_user(session, now=clock.now(), role=Role.commander, username="other")
        client.post(url, json=ENCOUNTER, headers={"Idempotency-Key": "k"})
        r = client.post(
            url,
            json=ENCOUNTER,
            headers={"Idempotency-Key": "k", **bearer(session, other, now=clock.now())},
        )
        assert r.status_code == 201, r.text
        assert len(client.get(url).json()) == 2


class TestFieldAppReads:
    def test_team_dispatches_are_its_current_assignments(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        incident_id, team_id = _on_scene(session, client, clock)
        current = client.get(f"/api/v1/teams/{team_id}/dispatches")
        assert current.status_code == 200, current.text
        assert [d["incident_id"] for d in current.json()] == [incident_id]
        client.post(f"/api/v1/incidents/{incident_id}/transitions", json={"to": "resolved"})
        assert client.get(f"/api/v1/teams/{team_id}/dispatches").json() == []

    def test_unknown_team_dispatches_is_404(self, client: TestClient) -> None:
        assert client.get("/api/v1/teams/999/dispatches").status_code == 404

    def test_me_gives_a_patrol_members_team(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        team = make_team(session, now=clock.now())
        member = make_user(
            session, now=clock.now(), role=Role.patrol, region_code="110101", team_id=team.id
        )
        r = client.get("/api/v1/auth/me", headers=bearer(session, member, now=clock.now()))
        assert r.json()["team_id"] == team.id


class TestIncidentMap:
    def test_open_incidents_as_geojson_points(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        body = report_body(clock)
        incident_id = client.post("/api/v1/reports", json=body).json()["incident_id"]
        r = client.get("/api/v1/incidents.geojson", params={"region_code": "11"})
        assert r.status_code == 200, r.text
        collection = r.json()
        assert collection["type"] == "FeatureCollection"
        [feature] = collection["features"]
        assert feature["id"] == incident_id
        assert feature["geometry"] == {"type": "Point", "coordinates": [body["lon"], body["lat"]]}
        assert feature["properties"]["priority"] == "high"
        assert feature["properties"]["is_open"] is True

    def test_closed_incidents_left_out_by_default(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        incident_id, _ = _on_scene(session, client, clock)
        client.post(f"/api/v1/incidents/{incident_id}/transitions", json={"to": "resolved"})
        assert client.get("/api/v1/incidents.geojson").json()["features"] == []
        closed = client.get("/api/v1/incidents.geojson", params={"is_open": "false"}).json()
        assert [f["id"] for f in closed["features"]] == [incident_id]

    @pytest.mark.parametrize(
        "path", ["/api/v1/incidents.geojson", "/api/v1/incidents/queue", "/api/v1/incidents/points"]
    )
    def test_region_outside_jurisdiction_answers_as_unknown(
        self, session: Session, client: TestClient, clock: FixedClock, path: str
    ) -> None:
        beijing_tree(session)
        local = make_user(session, now=clock.now(), role=Role.dispatcher, region_code="110101")
        r = client.get(
            path,
            params={"region_code": "110108"},
            headers=bearer(session, local, now=clock.now()),
        )
        assert r.status_code == 422
        assert r.json()["code"] == "unknown_region"


def _report(client: TestClient, clock: FixedClock, minutes_ago: int, condition: str, n: int) -> int:
    """An incident reported ``minutes_ago`` with ``condition``, the ``n``-th of a row 1.1 km
    apart (beyond the merge radius)."""
    body = report_body(
        clock,
        reported_at=(clock.now() - timedelta(minutes=minutes_ago)).isoformat(),
        lat=39.9175 + 0.01 * n,
        conditions=[condition],
    )
    r = client.post("/api/v1/reports", json=body)
    assert r.status_code in (200, 201), r.text
    incident_id: int = r.json()["incident_id"]
    return incident_id


class TestConsoleQueueAndPoints:
    def test_queue_is_most_urgent_then_longest_waiting_with_the_open_count(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        low = _report(client, clock, 50, "encampment", 0)
        normal = _report(client, clock, 40, "stranded_traveller", 1)
        high_new = _report(client, clock, 10, "elderly", 2)
        high_old = _report(client, clock, 30, "elderly", 3)
        queue = client.get("/api/v1/incidents/queue", params={"region_code": "11"}).json()
        assert queue["total"] == 4
        assert [i["id"] for i in queue["items"]] == [high_old, high_new, normal, low]
        assert [i["priority"] for i in queue["items"]] == ["high", "high", "normal", "low"]
        first = client.get("/api/v1/incidents/queue", params={"limit": 2}).json()
        assert first["total"] == 4
        assert [i["id"] for i in first["items"]] == [high_old, high_new]

    def test_closed_incidents_leave_the_queue_and_the_points(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        incident_id, _ = _on_scene(session, client, clock)
        client.post(f"/api/v1/incidents/{incident_id}/transitions", json={"to": "resolved"})
        assert client.get("/api/v1/incidents/queue").json() == {"total": 0, "items": []}
        assert client.get("/api/v1/incidents/points").json() == {"points": []}

    @pytest.mark.parametrize("limit", ["0", "1001", "many"])
    def test_queue_limit_out_of_range_is_422(self, client: TestClient, limit: str) -> None:
        r = client.get("/api/v1/incidents/queue", params={"limit": limit})
        assert r.status_code == 422
        assert r.json()["detail"].startswith("query.limit")

    def test_points_are_id_lon_lat_priority_status_to_five_decimals(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        body = report_body(clock, lat=39.91751234, lon=116.41709876)
        incident_id = client.post("/api/v1/reports", json=body).json()["incident_id"]
        r = client.get("/api/v1/incidents/points", params={"region_code": "11"})
        assert r.status_code == 200, r.text
        assert r.json() == {"points": [[incident_id, 116.4171, 39.91751, "high", "triaged"]]}

    def test_queue_and_points_keep_to_the_callers_regions(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        own = client.post("/api/v1/reports", json=report_body(clock)).json()["incident_id"]
        haidian = report_body(clock, lat=39.959, lon=116.298, region_code="110108")
        assert client.post("/api/v1/reports", json=haidian).status_code == 201
        local = make_user(session, now=clock.now(), role=Role.dispatcher, region_code="110101")
        headers = bearer(session, local, now=clock.now())
        queue = client.get("/api/v1/incidents/queue", headers=headers).json()
        assert (queue["total"], [i["id"] for i in queue["items"]]) == (1, [own])
        points = client.get("/api/v1/incidents/points", headers=headers).json()["points"]
        assert [p[0] for p in points] == [own]
        assert client.get("/api/v1/incidents/queue").json()["total"] == 2  # a city-wide account
