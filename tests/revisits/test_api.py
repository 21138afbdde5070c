"""Revisits over HTTP: lists by due time and status, the team's own tasks, completion and
cancellation by hand; roles, jurisdiction and bad input."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from streetrelief.access.roles import Role
from streetrelief.core.clock import FixedClock
from streetrelief.revisits.service import assign_due_revisits, list_revisits
from streetrelief.teams.models import Team
from tests.dispatch.test_service import NEAR, TRAVEL
from tests.factories.access import bearer, make_user
from tests.factories.regions import beijing_tree
from tests.revisits.test_service import DAY, free, refusal

CHAOYANG = (39.921, 116.443)


def as_(
    session: Session,
    clock: FixedClock,
    role: Role,
    region: str = "110101",
    team: Team | None = None,
) -> dict[str, str]:
    user = make_user(
        session,
        now=clock.now(),
        role=role,
        region_code=region,
        username=f"{role.value}-{region}-{team.code if team else ''}",
        team_id=None if team is None else team.id,
    )
    return bearer(session, user, now=clock.now())


def two_refusals(session: Session, clock: FixedClock) -> tuple[Team, Team, list[int]]:
    """Two refusals an hour apart, 500 m apart; the first is due and held by CREW, the second
    scheduled."""
    beijing_tree(session)
    crew, _, _ = refusal(session, clock, "CREW")
    clock.advance(timedelta(hours=1))
    other, _, _ = refusal(session, clock, "OTHER", NEAR)
    free(session, crew, clock)
    clock.advance(DAY - timedelta(minutes=30))
    assign_due_revisits(session, travel=TRAVEL, now=clock.now())
    return crew, other, [r.id for r in list_revisits(session)]


class TestList:
    def test_dispatcher_lists_by_due_time_and_status(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        crew, _, (first, second) = two_refusals(session, clock)
        headers = as_(session, clock, Role.dispatcher)
        rows = client.get("/api/v1/revisits", headers=headers).json()
        assert [(r["id"], r["status"], r["team_id"]) for r in rows] == [
            (first, "assigned", crew.id),
            (second, "scheduled", None),
        ]
        scheduled = client.get(
            "/api/v1/revisits", params={"status": "scheduled"}, headers=headers
        ).json()
        assert [r["id"] for r in scheduled] == [second]
        one = client.get(f"/api/v1/revisits/{first}", headers=headers).json()
        assert one["interval_source"] == "usual"

    def test_bad_status_or_region_is_422(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        headers = as_(session, clock, Role.dispatcher)
        bad = client.get("/api/v1/revisits", params={"status": "late"}, headers=headers)
        assert bad.status_code == 422
        assert "unknown revisit status 'late'" in bad.json()["detail"]
        outside = client.get("/api/v1/revisits", params={"region_code": "110108"}, headers=headers)
        assert outside.status_code == 422

    def test_other_districts_neither_list_nor_find_it(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        _, _, (first, _) = two_refusals(session, clock)
        haidian = as_(session, clock, Role.dispatcher, "110108")
        assert client.get("/api/v1/revisits", headers=haidian).json() == []
        assert client.get(f"/api/v1/revisits/{first}", headers=haidian).status_code == 404
        body = {"outcome": "seen_well"}
        done = client.post(f"/api/v1/revisits/{first}/complete", json=body, headers=haidian)
        assert done.status_code == 404

    def test_roles_without_revisits_are_refused(
        self, session: Session, client: TestClient, clock: FixedClock, anonymous: TestClient
    ) -> None:
        beijing_tree(session)
        assert client.get("/api/v1/revisits").status_code == 403  # the administrator
        auditor = as_(session, clock, Role.auditor)
        assert client.get("/api/v1/revisits", headers=auditor).status_code == 403
        assert anonymous.get("/api/v1/revisits").status_code == 401


class TestPatrol:
    def test_a_patrol_sees_and_completes_only_its_own_team_s_revisits(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        crew, other, (first, _) = two_refusals(session, clock)
        mine = as_(session, clock, Role.patrol, team=crew)
        theirs = as_(session, clock, Role.patrol, team=other)
        assert [r["id"] for r in client.get("/api/v1/revisits", headers=mine).json()] == [first]
        assert client.get("/api/v1/revisits", headers=theirs).json() == []
        tasks = client.get(f"/api/v1/teams/{crew.id}/revisits", headers=mine).json()
        assert [(t["id"], t["lat"]) for t in tasks] == [(first, 39.9175)]
        assert client.get(f"/api/v1/teams/{crew.id}/revisits", headers=theirs).status_code == 403
        body = {"outcome": "not_found", "note": "bedding gone"}
        refused = client.post(f"/api/v1/revisits/{first}/complete", json=body, headers=theirs)
        assert refused.status_code == 403
        cancel = client.post(
            f"/api/v1/revisits/{first}/cancel", json={"reason": "moved"}, headers=mine
        )
        assert cancel.status_code == 403

        done = client.post(f"/api/v1/revisits/{first}/complete", json=body, headers=mine)
        assert done.status_code == 200, done.text
        assert (done.json()["status"], done.json()["completed_by"]) == ("done", "by_hand")
        assert done.json()["note"] == "bedding gone"
        assert client.get(f"/api/v1/teams/{crew.id}/revisits", headers=mine).json() == []
        again = client.post(f"/api/v1/revisits/{first}/complete", json=body, headers=mine)
        assert again.status_code == 409


class TestByHand:
    def test_dispatcher_cancels_with_a_reason_and_bad_bodies_are_422(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        _, _, (_, second) = two_refusals(session, clock)
        headers = as_(session, clock, Role.dispatcher)
        url = f"/api/v1/revisits/{second}"
        assert (
            client.post(f"{url}/cancel", json={"reason": "  "}, headers=headers).status_code == 422
        )
        bad = client.post(f"{url}/complete", json={"outcome": "fine"}, headers=headers)
        assert bad.status_code == 422
        assert (
            client.post(
                "/api/v1/revisits/0/cancel", json={"reason": "x"}, headers=headers
            ).status_code
            == 422
        )
        missing = client.post("/api/v1/revisits/999/cancel", json={"reason": "x"}, headers=headers)
        assert missing.status_code == 404
        ok = client.post(f"{url}/cancel", json={"reason": "taken in by family"}, headers=headers)
        assert ok.status_code == 200, ok.text
        assert (ok.json()["status"], ok.json()["cancel_reason"]) == (
            "cancelled",
            "taken in by family",
        )


class TestTeamTasks:
    def test_a_team_s_revisits_show_only_inside_the_caller_s_regions(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        crew, _, _ = refusal(session, clock, "CREW", CHAOYANG)  # a 东城 team in 朝阳
        free(session, crew, clock)
        clock.advance(DAY)
        (revisit,) = assign_due_revisits(session, travel=TRAVEL, now=clock.now())
        assert (revisit.region_code, crew.region_code) == ("110105", "110101")
        url = f"/api/v1/teams/{crew.id}/revisits"
        assert client.get(url, headers=as_(session, clock, Role.dispatcher)).json() == []
        city = client.get(url, headers=as_(session, clock, Role.dispatcher, "1101")).json()
        assert [r["id"] for r in city] == [revisit.id]
