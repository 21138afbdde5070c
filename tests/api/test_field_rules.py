"""Rules on what the field may record: who was sent, when things happened, where they go."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from streetrelief.core.clock import FixedClock
from streetrelief.teams.models import Capability
from tests.factories.regions import beijing_tree
from tests.factories.teams import make_team

PROBLEM_JSON = "application/problem+json"


def _on_scene_incident(session: Session, client: TestClient, clock: FixedClock) -> tuple[int, int]:
    beijing_tree(session)
    team = make_team(session, now=clock.now(), capabilities=(Capability.transport,))
    session.flush()
    body = {
        "channel": "hotline",
        "reported_at": clock.now().isoformat(),
        "lat": 39.9175,
        "lon": 116.4170,
        "conditions": ["elderly"],
    }
    incident_id = client.post("/api/v1/reports", json=body).json()["incident_id"]
    assert (
        client.post(
            f"/api/v1/incidents/{incident_id}/dispatches", json={"team_id": team.id}
        ).status_code
        == 201
    )
    r = client.post(f"/api/v1/incidents/{incident_id}/transitions", json={"to": "on_scene"})
    assert r.status_code == 200, r.text
    return incident_id, team.id


def _encounter(**over: object) -> dict[str, object]:
    body: dict[str, object] = {
        "person": {"description": "young man, red jacket"},
        "outcome": "supplies_on_site",
    }
    body.update(over)
    return body


class TestEncounters:
    def test_team_never_sent_is_refused(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        incident_id, _team = _on_scene_incident(session, client, clock)
        other = make_team(session, now=clock.now(), code="OTHER")
        r = client.post(
            f"/api/v1/incidents/{incident_id}/encounters", json=_encounter(team_id=other.id)
        )
        assert r.status_code == 422
        assert r.headers["content-type"] == PROBLEM_JSON
        assert "was not sent" in r.json()["detail"]

    def test_unknown_destination_is_404_not_500(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        incident_id, team_id = _on_scene_incident(session, client, clock)
        r = client.post(
            f"/api/v1/incidents/{incident_id}/encounters",
            json=_encounter(team_id=team_id, destination_service_point_id=999),
        )
        assert r.status_code == 404
        assert r.json()["code"] == "not_found"

    def test_meeting_in_the_future_is_refused(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        incident_id, team_id = _on_scene_incident(session, client, clock)
        later = (clock.now() + timedelta(days=1)).isoformat()
        r = client.post(
            f"/api/v1/incidents/{incident_id}/encounters",
            json=_encounter(team_id=team_id, met_at=later),
        )
        assert r.status_code == 422
        assert r.json()["field"] == "met_at"
        assert client.get(f"/api/v1/incidents/{incident_id}/encounters").json() == []


class TestTransitionsAndRecommendations:
    def test_transition_in_the_future_is_refused(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        incident_id, _team = _on_scene_incident(session, client, clock)
        r = client.post(
            f"/api/v1/incidents/{incident_id}/transitions",
            json={"to": "resolved", "at": "2099-01-01T00:00:00Z"},
        )
        assert r.status_code == 422
        assert client.get(f"/api/v1/incidents/{incident_id}").json()["status"] == "on_scene"

    def test_no_recommendations_for_a_closed_incident(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        incident_id, _team = _on_scene_incident(session, client, clock)
        client.post(f"/api/v1/incidents/{incident_id}/transitions", json={"to": "resolved"})
        r = client.get(f"/api/v1/incidents/{incident_id}/recommendations")
        assert r.status_code == 409
        assert r.json()["code"] == "illegal_transition"


class TestEdges:
    def test_unknown_region_path_is_404(self, session: Session, client: TestClient) -> None:
        beijing_tree(session)
        r = client.get("/api/v1/regions/XX")
        assert r.status_code == 404
        assert r.json()["code"] == "not_found"

    def test_report_near_province_centre_goes_to_its_district(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        beijing_tree(session)  # the province centre (39.904, 116.407) is nearest to this point
        body = {
            "channel": "public",
            "reported_at": clock.now().isoformat(),
            "lat": 39.905,
            "lon": 116.407,
        }
        r = client.post("/api/v1/reports", json=body)
        assert r.json()["region_code"] == "110101"

    def test_last_event_id_must_be_an_id(self, client: TestClient) -> None:
        for bad in ("abc", "-5", "1e3"):
            r = client.get("/api/v1/events?follow=false", headers={"Last-Event-ID": bad})
            assert r.status_code == 422, bad
            assert r.json()["field"] == "Last-Event-ID"

    def test_oversize_body_is_413(self, client: TestClient) -> None:
        r = client.post(
            "/api/v1/reports",
            content=b"x" * 2_000_000,
            headers={"content-type": "application/json"},
        )
        assert r.status_code == 413
        assert r.headers["content-type"] == PROBLEM_JSON
        assert r.json()["code"] == "payload_too_large"

    def test_oversize_chunked_body_is_413(self, client: TestClient) -> None:
        def chunks() -> Iterator[bytes]:
            for _ in range(40):
                yield b"x" * 65_536

        r = client.post(
            "/api/v1/reports", content=chunks(), headers={"content-type": "application/json"}
        )
        assert r.status_code == 413
        assert r.json()["code"] == "payload_too_large"
