"""Dispatch timers over HTTP: acknowledging a dispatch, the overdue list, and recommendations
limited to the best few."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from streetrelief.core.clock import FixedClock
from tests.factories.regions import beijing_tree
from tests.factories.reports import report_body
from tests.factories.teams import make_team


class TestAcknowledge:
    def test_team_acknowledges_its_dispatch_once(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        team = make_team(session, now=clock.now())
        incident_id = client.post("/api/v1/reports", json=report_body(clock)).json()["incident_id"]
        sent = client.post(
            f"/api/v1/incidents/{incident_id}/dispatches", json={"team_id": team.id}
        ).json()
        assert sent["acknowledged_at"] is None
        clock.advance(timedelta(seconds=30))
        r = client.post(f"/api/v1/incidents/{incident_id}/dispatches/{sent['id']}/acknowledge")
        assert r.status_code == 200, r.text
        assert r.json()["acknowledged_at"] is not None

    def test_unknown_dispatch_is_404(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        incident_id = client.post("/api/v1/reports", json=report_body(clock)).json()["incident_id"]
        r = client.post(f"/api/v1/incidents/{incident_id}/dispatches/999/acknowledge")
        assert r.status_code == 404
        assert "999" in r.json()["detail"]

    def test_anonymous_cannot_acknowledge(self, anonymous: TestClient) -> None:
        assert anonymous.post("/api/v1/incidents/1/dispatches/1/acknowledge").status_code == 401


class TestOverdue:
    def test_waiting_incident_appears_once_its_target_passes(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        accepted = client.post("/api/v1/reports", json=report_body(clock)).json()
        assert client.get("/api/v1/incidents/overdue").json() == []
        clock.advance(timedelta(minutes=31))
        overdue = client.get("/api/v1/incidents/overdue").json()
        assert [i["id"] for i in overdue] == [accepted["incident_id"]]


class TestRecommendationLimit:
    def test_limit_and_bad_limit(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        make_team(session, now=clock.now(), code="A")
        make_team(session, now=clock.now(), code="B", lat=39.95, lon=116.40)
        incident_id = client.post("/api/v1/reports", json=report_body(clock)).json()["incident_id"]
        url = f"/api/v1/incidents/{incident_id}/recommendations"
        one = client.get(url, params={"limit": 1}).json()
        assert [r["team_code"] for r in one] == ["A"]
        assert one[0]["free_in_s"] == 0
        assert client.get(url, params={"limit": 0}).status_code == 422
