"""Dispatch over HTTP: acknowledging a dispatch, each team moving only its own dispatch, the
overdue list, and recommendations limited to the best few."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from streetrelief.access.roles import Role
from streetrelief.core.clock import FixedClock
from streetrelief.teams.models import Capability
from tests.factories.access import bearer, make_user
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


class TestTwoTeams:
    """A patrol and a medical team sent to one incident, each reporting for itself."""

    def test_a_members_step_moves_only_their_own_dispatch(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        patrol = make_team(session, now=clock.now(), code="BJ-DC-1")
        medics = make_team(
            session, now=clock.now(), code="BJ-DC-7", capabilities=(Capability.medical,)
        )
        members = {
            team.id: bearer(
                session,
                make_user(
                    session,
                    now=clock.now(),
                    role=Role.patrol,
                    region_code="110101",
                    username=team.code,
                    team_id=team.id,
                ),
                now=clock.now(),
            )
            for team in (patrol, medics)
        }
        incident_id = client.post("/api/v1/reports", json=report_body(clock)).json()["incident_id"]
        base = f"/api/v1/incidents/{incident_id}"
        for team in (patrol, medics):
            r = client.post(f"{base}/dispatches", json={"team_id": team.id})
            assert r.status_code == 201, r.text

        def step(team_id: int, to: str) -> tuple[int, str]:
            clock.advance(timedelta(minutes=1))
            r = client.post(f"{base}/transitions", json={"to": to}, headers=members[team_id])
            return r.status_code, r.json()["status" if r.status_code == 200 else "code"]

        def stamps() -> dict[int, tuple[bool, bool, bool]]:
            return {
                d["team_id"]: (
                    d["acknowledged_at"] is not None,
                    d["en_route_at"] is not None,
                    d["on_scene_at"] is not None,
                )
                for d in client.get(f"{base}/dispatches").json()
            }

        def status(team_id: int) -> str:
            return str(client.get(f"/api/v1/teams/{team_id}").json()["status"])

        assert step(patrol.id, "en_route") == (200, "en_route")
        assert step(patrol.id, "on_scene") == (200, "on_scene")
        assert stamps() == {patrol.id: (True, True, True), medics.id: (False, False, False)}
        assert (status(patrol.id), status(medics.id)) == ("on_scene", "dispatched")
        medics_dispatch = next(
            d["id"] for d in client.get(f"{base}/dispatches").json() if d["team_id"] == medics.id
        )
        r = client.post(
            f"{base}/dispatches/{medics_dispatch}/acknowledge", headers=members[patrol.id]
        )
        assert r.status_code == 403
        # The medics catch up: their dispatch moves, the incident stays on scene.
        assert step(medics.id, "en_route") == (200, "on_scene")
        assert step(medics.id, "en_route") == (409, "illegal_transition")
        assert stamps()[medics.id] == (True, True, False)
        assert step(medics.id, "on_scene") == (200, "on_scene")
        assert (status(patrol.id), status(medics.id)) == ("on_scene", "on_scene")
        # Closing the incident clears every team's dispatch, whoever reports it.
        assert step(patrol.id, "resolved") == (200, "resolved")
        assert {d["outcome"] for d in client.get(f"{base}/dispatches").json()} == {"resolved"}
        assert (status(patrol.id), status(medics.id)) == ("available", "available")
        assert step(medics.id, "on_scene") == (409, "illegal_transition")


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
