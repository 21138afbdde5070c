"""Sensitive fields: encrypted at rest, shown only to roles that need them, never in lists,
exports, statistics or event streams; minors most restricted; lawful basis recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from streetrelief.access.roles import Role
from streetrelief.audit.models import AuditEvent
from streetrelief.core.clock import FixedClock
from tests.access.world import CHILD, DONGCHENG, SECRETS, World, build_world

SENSITIVE = [v for values in (*SECRETS.values(), CHILD) for v in values]


@pytest.fixture
def world(session: Session, client: TestClient, clock: FixedClock) -> World:
    return build_world(session, client, clock)


def _leaks(text_: str) -> list[str]:
    return [v for v in SENSITIVE if v in text_]


class TestAtRest:
    def test_database_holds_no_clear_text(self, session: Session, world: World) -> None:
        rows = session.execute(
            text("SELECT name, id_number, phone, health_notes FROM persons")
        ).all()
        notes = session.execute(text("SELECT notes FROM encounters WHERE notes IS NOT NULL")).all()
        dumped = repr(rows) + repr(notes)
        assert _leaks(dumped) == []
        assert all(str(v).startswith("gAAAAA") for row in rows for v in row if v is not None)


class TestWhoSeesWhat:
    @pytest.mark.parametrize(
        ("role", "sees_adult", "sees_child"),
        [
            (Role.commander, True, True),
            (Role.service_point_staff, True, True),
            (Role.patrol, True, False),
            (Role.dispatcher, False, False),
            (Role.administrator, False, False),
        ],
    )
    def test_record_shown_by_role_and_minor_status(
        self, client: TestClient, world: World, role: Role, sees_adult: bool, sees_child: bool
    ) -> None:
        auth = world.headers[(role, DONGCHENG)]
        adult = client.get(f"/api/v1/persons/{world.districts[DONGCHENG].person_id}", headers=auth)
        child = client.get(f"/api/v1/persons/{world.child_id}", headers=auth)
        assert adult.status_code == child.status_code == 200
        assert (adult.json()["name"] == SECRETS[DONGCHENG][0]) is sees_adult
        assert (child.json()["name"] == CHILD[0]) is sees_child
        assert child.json()["is_minor"] is True
        if not sees_child:
            assert child.json()["masked"] == ["name", "id_number", "phone", "health_notes", "photo"]
            assert _leaks(child.text) == []

    def test_reads_are_audited(self, client: TestClient, session: Session, world: World) -> None:
        auth = world.headers[(Role.commander, DONGCHENG)]
        client.get(f"/api/v1/persons/{world.child_id}", headers=auth)
        [event] = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "read",
                AuditEvent.resource == "persons",
                AuditEvent.resource_id.is_not(None),
            )
        ).all()
        assert (event.actor, event.resource_id, event.region_code) == (
            "commander-110101",
            str(world.child_id),
            DONGCHENG,
        )
        assert event.detail == {"masked": False, "minor": True}

    def test_auditor_cannot_read_persons(self, client: TestClient, world: World) -> None:
        auth = world.headers[(Role.auditor, None)]
        assert client.get(f"/api/v1/persons/{world.child_id}", headers=auth).status_code == 403


class TestNowhereElse:
    def test_lists_exports_statistics_and_events_carry_no_sensitive_value(
        self, client: TestClient, world: World, clock: FixedClock
    ) -> None:
        auth = world.headers[(Role.commander, None)]
        window = {
            "start": (clock.now() - timedelta(days=1)).isoformat(),
            "end": (clock.now() + timedelta(hours=1)).isoformat(),
        }
        answers = {
            "list": client.get("/api/v1/persons", headers=auth),
            "export": client.get("/api/v1/exports/encounters.csv", params=window, headers=auth),
            "stats": client.get(
                "/api/v1/stats", params={"region_code": "11", **window}, headers=auth
            ),
            "events": client.get("/api/v1/events", params={"follow": "false"}, headers=auth),
            "incidents": client.get("/api/v1/incidents", headers=auth),
            "encounters": client.get(
                f"/api/v1/incidents/{world.districts[DONGCHENG].incident_id}/encounters",
                headers=auth,
            ),
            "reports": client.get(
                f"/api/v1/incidents/{world.districts[DONGCHENG].incident_id}/reports",
                headers=auth,
            ),
        }
        for name, answer in answers.items():
            assert answer.status_code == 200, (name, answer.text)
            assert _leaks(answer.text) == [], name
        # The same caller does see them where they belong: the check above can fail.
        one = client.get(f"/api/v1/persons/{world.child_id}", headers=auth)
        assert _leaks(one.text)
        lines = answers["export"].text.splitlines()
        assert lines[0].startswith("encounter_id,met_at,region_code,person_temp_id")
        assert len(lines) == 1 + 3

    def test_record_kept_local_never_exported(
        self, client: TestClient, world: World, clock: FixedClock
    ) -> None:
        auth = world.headers[(Role.commander, None)]
        person = world.districts[DONGCHENG].person_id
        assert (
            client.patch(
                f"/api/v1/persons/{person}", json={"keep_local": True}, headers=auth
            ).status_code
            == 200
        )
        window = {
            "start": (clock.now() - timedelta(days=1)).isoformat(),
            "end": (clock.now() + timedelta(hours=1)).isoformat(),
        }
        csv_text = client.get("/api/v1/exports/encounters.csv", params=window, headers=auth).text
        temp_id = client.get(f"/api/v1/persons/{person}", headers=auth).json()["temp_id"]
        assert temp_id not in csv_text
        assert len(csv_text.splitlines()) == 1 + 2

    def test_export_is_audited(
        self, client: TestClient, session: Session, world: World, clock: FixedClock
    ) -> None:
        auth = world.headers[(Role.commander, DONGCHENG)]
        window = {
            "start": (clock.now() - timedelta(days=1)).isoformat(),
            "end": (clock.now() + timedelta(hours=1)).isoformat(),
        }
        text_ = client.get("/api/v1/exports/encounters.csv", params=window, headers=auth).text
        assert len(text_.splitlines()) == 1 + 2, "a district commander exports its own only"
        [event] = session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()
        assert event.detail["rows"] == 2


class TestPhoto:
    def test_photo_encrypted_and_only_for_roles_that_see_details(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        person = world.districts[DONGCHENG].person_id
        jpeg = b"\xff\xd8\xff\xe0" + b"face" * 100
        commander = world.headers[(Role.commander, DONGCHENG)]
        r = client.put(
            f"/api/v1/persons/{person}/photo",
            content=jpeg,
            headers={**commander, "Content-Type": "image/jpeg"},
        )
        assert r.status_code == 204, r.text
        stored = session.execute(
            text("SELECT photo FROM persons WHERE id = :i"), {"i": person}
        ).scalar_one()
        assert b"face" not in bytes(stored)
        assert client.get(f"/api/v1/persons/{person}/photo", headers=commander).content == jpeg
        dispatcher = world.headers[(Role.dispatcher, DONGCHENG)]
        assert client.get(f"/api/v1/persons/{person}/photo", headers=dispatcher).status_code == 403

    def test_not_an_image_refused(self, client: TestClient, world: World) -> None:
        person = world.districts[DONGCHENG].person_id
        r = client.put(
            f"/api/v1/persons/{person}/photo",
            content=b"<svg/>",
            headers={**world.headers[(Role.commander, DONGCHENG)], "Content-Type": "image/svg+xml"},
        )
        assert r.status_code == 422


class TestLawfulBasis:
    def test_consent_basis_needs_consent(self, client: TestClient, world: World) -> None:
        incident = world.districts[DONGCHENG].incident_id
        body: dict[str, object] = {
            "person": {"approx_age": 50},
            "outcome": "refused",
            "legal_basis": "consent",
        }
        r = client.post(f"/api/v1/incidents/{incident}/encounters", json=body)
        assert r.status_code == 422
        assert "consent_given" in r.json()["detail"]
        body["consent_given"] = True
        r = client.post(f"/api/v1/incidents/{incident}/encounters", json=body)
        assert r.status_code == 201, r.text
        assert (r.json()["legal_basis"], r.json()["consent_given"]) == ("consent", True)

    def test_notice_after_the_emergency(
        self, client: TestClient, world: World, clock: FixedClock
    ) -> None:
        encounter = world.districts[DONGCHENG].encounter_id
        r = client.post(f"/api/v1/encounters/{encounter}/notice", json={})
        assert r.status_code == 200, r.text
        assert r.json()["legal_basis"] == "emergency"
        assert r.json()["notice_given_at"] is not None
        future = (clock.now() + timedelta(hours=1)).isoformat()
        assert (
            client.post(
                f"/api/v1/encounters/{encounter}/notice", json={"given_at": future}
            ).status_code
            == 422
        )
