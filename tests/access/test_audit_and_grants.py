"""The audit log is append-only and searchable by auditors; cross-region work needs a grant."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from streetrelief.access.roles import Role
from streetrelief.cli.main import app as cli_app
from streetrelief.core.clock import FixedClock
from tests.access.world import DONGCHENG, HAIDIAN, World, build_world


@pytest.fixture
def world(session: Session, client: TestClient, clock: FixedClock) -> World:
    return build_world(session, client, clock)


class TestAuditLog:
    @pytest.mark.parametrize(
        "statement", ["UPDATE audit_events SET actor = 'x'", "DELETE FROM audit_events"]
    )
    def test_database_refuses_changes(self, session: Session, world: World, statement: str) -> None:
        assert session.execute(text("SELECT count(*) FROM audit_events")).scalar_one() > 0
        with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
            session.execute(text(statement))

    def test_auditor_searches_and_patrol_is_refused(self, client: TestClient, world: World) -> None:
        patrol = world.headers[(Role.patrol, DONGCHENG)]
        assert client.get("/api/v1/audit", headers=patrol).status_code == 403
        auditor = world.headers[(Role.auditor, None)]
        r = client.get("/api/v1/audit", params={"outcome": "denied"}, headers=auditor)
        assert r.status_code == 200
        [event] = r.json()
        assert (event["actor"], event["role"], event["resource"]) == (
            "patrol-110101",
            "patrol",
            "audit",
        )
        changes = client.get("/api/v1/audit", params={"action": "create"}, headers=auditor).json()
        assert {e["resource"] for e in changes} >= {"reports", "dispatch", "encounters"}

    def test_district_auditor_sees_its_district_only(
        self, client: TestClient, world: World
    ) -> None:
        client.get(
            f"/api/v1/incidents/{world.districts[HAIDIAN].incident_id}",
            headers=world.headers[(Role.dispatcher, DONGCHENG)],
        )
        national = client.get("/api/v1/audit", headers=world.headers[(Role.auditor, None)]).json()
        local = client.get("/api/v1/audit", headers=world.headers[(Role.auditor, DONGCHENG)]).json()
        assert {e["region_code"] for e in local} <= {DONGCHENG}
        assert len(national) > len(local)


class TestGrants:
    def test_neighbour_helps_only_while_granted(
        self, client: TestClient, world: World, clock: FixedClock
    ) -> None:
        incident = f"/api/v1/incidents/{world.districts[HAIDIAN].incident_id}"
        dongcheng = world.headers[(Role.dispatcher, DONGCHENG)]
        assert client.get(incident, headers=dongcheng).status_code == 404
        until = (clock.now() + timedelta(hours=6)).isoformat()
        body = {
            "region_code": HAIDIAN,
            "grantee_region_code": DONGCHENG,
            "reason": "海淀 teams all out",
            "ends_at": until,
        }
        assert client.post("/api/v1/grants", json=body, headers=dongcheng).status_code == 403
        r = client.post(
            "/api/v1/grants", json=body, headers=world.headers[(Role.commander, DONGCHENG)]
        )
        assert r.status_code == 404, "a district commander cannot grant a neighbour's region"
        r = client.post("/api/v1/grants", json=body, headers=world.headers[(Role.commander, None)])
        assert r.status_code == 201, r.text
        grant = r.json()["id"]
        assert client.get(incident, headers=dongcheng).status_code == 200
        clock.advance(timedelta(hours=6, seconds=1))
        assert client.get(incident, headers=dongcheng).status_code == 404, "the grant ended"
        clock.advance(timedelta(hours=-7))
        assert client.delete(f"/api/v1/grants/{grant}").status_code == 200
        assert client.get(incident, headers=dongcheng).status_code == 404, "revoked"
        log = client.get(
            "/api/v1/audit",
            params={"resource": "grants"},
            headers=world.headers[(Role.auditor, None)],
        )
        assert {e["action"] for e in log.json()} == {"create", "delete", "denied"}


class TestPublic:
    def test_public_reports_and_follows_only_its_own(
        self, anonymous: TestClient, world: World, clock: FixedClock
    ) -> None:
        body = {
            "channel": "public",
            "reported_at": clock.now().isoformat(),
            "lat": 39.9175,
            "lon": 116.417,
            "conditions": ["elderly"],
            "reporter_contact": "13611112222",
        }
        r = anonymous.post("/api/v1/reports", json=body)
        assert r.status_code == 201, r.text
        assert set(r.json()) == {"tracking_code", "received_at", "status"}
        code = r.json()["tracking_code"]
        r = anonymous.get(f"/api/v1/reports/track/{code}")
        assert r.json()["status"] == "help_on_the_way", "merged into the incident already on scene"
        assert anonymous.get("/api/v1/reports/track/not-a-real-code").status_code == 404
        assert (
            anonymous.post("/api/v1/reports", json={**body, "channel": "hotline"}).status_code
            == 403
        )
        assert anonymous.get("/api/v1/incidents").status_code == 401


class TestUsersCli:
    def test_first_administrator(self, cli_database: str, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("STREETRELIEF_NEW_PASSWORD", "a long enough password")
        r = CliRunner().invoke(cli_app, ["users", "create", "admin", "--role", "administrator"])
        assert r.exit_code == 0, r.output
        assert "admin: administrator of every region" in r.output
        again = CliRunner().invoke(cli_app, ["users", "create", "admin", "--role", "administrator"])
        assert again.exit_code == 1
        assert "taken" in again.output
        r = CliRunner().invoke(
            cli_app, ["users", "create", "bad", "--role", "commander", "--region", "999"]
        )
        assert r.exit_code == 1
        assert "unknown region" in r.output
        monkeypatch.setenv("STREETRELIEF_NEW_PASSWORD", "short")
        r = CliRunner().invoke(cli_app, ["users", "create", "weak", "--role", "auditor"])
        assert r.exit_code == 1
        assert "12 characters" in r.output
        listed = CliRunner().invoke(cli_app, ["users", "list", "--json"])
        assert '"username": "admin"' in listed.output
        assert "argon2" not in listed.output


class TestPartnersCli:
    def test_partner_needs_a_region_or_all_regions_and_gets_its_key_once(
        self, cli_database: str
    ) -> None:
        r = CliRunner().invoke(cli_app, ["partners", "add", "p1", "--channel", "partner"])
        assert r.exit_code == 2
        assert "--all-regions" in r.output
        r = CliRunner().invoke(
            cli_app, ["partners", "add", "p1", "--channel", "partner", "--region", "110101"]
        )
        assert r.exit_code == 0, r.output
        assert "API key: srk_" in r.output
        assert "signing secret: " in r.output
        keys = CliRunner().invoke(cli_app, ["partners", "keys", "p1"])
        assert "srk_" not in keys.output
        revoked = CliRunner().invoke(cli_app, ["partners", "revoke", "1"])
        assert revoked.exit_code == 0, revoked.output
        log = CliRunner().invoke(
            cli_app, ["audit", "search", "--json", "--resource", "partner_key"]
        )
        assert '"action": "revoke"' in log.output
