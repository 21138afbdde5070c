"""The report-to-help loop over HTTP: report, incident, triage, dispatch, encounter, stats."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from streetrelief.core.clock import FixedClock
from streetrelief.teams.models import Capability
from tests.factories.regions import beijing_tree
from tests.factories.reports import report_body
from tests.factories.teams import make_team


class TestReportToHelp:
    def test_whole_loop_counts_in_statistics(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        near = make_team(
            session,
            now=clock.now(),
            code="NEAR",
            capabilities=(Capability.transport, Capability.outreach),
        )
        make_team(
            session,
            now=clock.now(),
            code="FAR",
            region_code="110108",
            lat=39.96,
            lon=116.30,
            capabilities=(Capability.transport,),
        )

        r = client.post("/api/v1/reports", json=report_body(clock))
        assert r.status_code == 201, r.text
        accepted = r.json()
        assert accepted["is_merged"] is False
        assert accepted["region_code"] == "110101"
        assert accepted["priority"] == "high"
        incident_id = accepted["incident_id"]

        incident = client.get(f"/api/v1/incidents/{incident_id}").json()
        assert incident["status"] == "triaged"
        assert incident["triage_rules"][0] == "vulnerable_help_first"
        assert incident["destination"] == "relief_station"

        recs = client.get(f"/api/v1/incidents/{incident_id}/recommendations").json()
        assert [x["team_code"] for x in recs] == ["NEAR", "FAR"]
        assert recs[0]["has_all_capabilities"] is True

        r = client.post(
            f"/api/v1/incidents/{incident_id}/dispatches",
            json={"team_id": near.id},
        )
        assert r.status_code == 201, r.text
        assert client.get(f"/api/v1/teams/{near.id}").json()["status"] == "dispatched"

        clock.advance(timedelta(minutes=2))
        assert (
            client.post(
                f"/api/v1/incidents/{incident_id}/transitions", json={"to": "en_route"}
            ).status_code
            == 200
        )
        clock.advance(timedelta(minutes=8))
        r = client.post(f"/api/v1/incidents/{incident_id}/transitions", json={"to": "on_scene"})
        assert r.json()["on_scene_at"] is not None

        r = client.post(
            f"/api/v1/incidents/{incident_id}/encounters",
            json={
                "person": {"description": "male, about 70, grey coat", "approx_age": 70},
                "team_id": near.id,
                "categories": ["elderly", "confused"],
                "measures": ["transport", "identify_later"],
                "items": [{"item": "quilts", "quantity": 1}, {"item": "hot_meals", "quantity": 2}],
                "outcome": "admitted_to_station",
            },
        )
        assert r.status_code == 201, r.text
        assert r.json()["person_temp_id"].startswith("T-")
        clock.advance(timedelta(minutes=20))
        r = client.post(f"/api/v1/incidents/{incident_id}/transitions", json={"to": "resolved"})
        assert r.json()["status"] == "resolved"
        assert client.get(f"/api/v1/teams/{near.id}").json()["status"] == "available"

        stats = client.get(
            "/api/v1/stats",
            params={
                "region_code": "11",
                "start": (clock.now() - timedelta(hours=2)).isoformat(),
                "end": (clock.now() + timedelta(minutes=1)).isoformat(),
            },
        ).json()
        assert stats["person_times_assisted"] == 1
        assert stats["items_distributed"] == 3
        assert stats["patrol_person_times"] == 3
        assert stats["vehicle_dispatches"] == 1
        assert stats["incidents"] == 1
        assert stats["response_time_p50_s"] == 600.0
        assert stats["share_on_time"] == 1.0
        assert stats["share_found_actively"] == 0.0

    def test_second_report_nearby_merges_and_records_why(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        first = client.post("/api/v1/reports", json=report_body(clock)).json()
        clock.advance(timedelta(minutes=30))
        second = client.post(
            "/api/v1/reports",
            json=report_body(
                clock, lat=39.9180, channel="patrol", conditions=["elderly", "unresponsive"]
            ),
        ).json()
        assert second["is_merged"] is True
        assert second["incident_id"] == first["incident_id"]
        assert "same situation as incident" in second["merge_reason"]
        incident = client.get(f"/api/v1/incidents/{first['incident_id']}").json()
        assert incident["report_count"] == 2
        assert incident["conditions"] == ["elderly", "unresponsive"]
        assert "medical_emergency" in incident["triage_rules"]

    def test_critical_report_dispatches_automatically(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        team = make_team(
            session, now=clock.now(), capabilities=(Capability.medical, Capability.transport)
        )
        r = client.post("/api/v1/reports", json=report_body(clock, conditions=["unresponsive"]))
        body = r.json()
        assert body["priority"] == "critical"
        assert body["dispatch_id"] is not None
        assert body["incident_status"] == "dispatched"
        d = client.get(f"/api/v1/incidents/{body['incident_id']}/dispatches").json()
        assert d[0]["team_id"] == team.id
        assert d[0]["is_automatic"] is True
