"""The hotspot and patrol API: register, review, check-ins, plans, coverage, permissions."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from streetrelief.access.roles import Role
from streetrelief.core.clock import FixedClock
from streetrelief.patrols import routing
from streetrelief.patrols.models import HotspotStatus
from streetrelief.patrols.service.planning import MISSED_WINDOW
from streetrelief.response.levels import ResponseLevel
from streetrelief.response.service import configure_region, override_level
from tests.factories.access import bearer, make_user
from tests.factories.patrols import make_hotspot
from tests.factories.regions import beijing_tree
from tests.factories.teams import make_team

HOTSPOTS = "/api/v1/hotspots"
PATROLS = "/api/v1/patrols"


@pytest.fixture
def world(session: Session, clock: FixedClock) -> dict[str, Any]:
    """Beijing, a team in Dongcheng, two active hotspots there, one in Chaoyang."""
    beijing_tree(session)
    now = clock.now()
    team = make_team(session, now=now)
    return {
        "team": team,
        "h1": make_hotspot(session, now=now, code="H1", check_in_code="QX-2041"),
        "h2": make_hotspot(session, now=now, code="H2", lat=39.925, lon=116.410),
        "h3": make_hotspot(
            session, now=now, code="H3", region_code="110105", lat=39.921, lon=116.443
        ),
    }


def _as(session: Session, clock: FixedClock, role: Role, **kw: Any) -> dict[str, str]:
    user = make_user(session, now=clock.now(), role=role, username=f"{role}-{kw}", **kw)
    return bearer(session, user, now=clock.now())


def _check_in(team_id: int, at: datetime, **kw: Any) -> dict[str, Any]:
    return {"team_id": team_id, "checked_in_at": at.isoformat(), **kw}


@pytest.mark.usefixtures("world")
class TestRegister:
    def test_list_filters_and_shows_due_times(self, client: TestClient) -> None:
        r = client.get(HOTSPOTS, params={"region_code": "110101"})
        assert r.status_code == 200, r.text
        items = r.json()
        assert [h["name"] for h in items] == ["Hotspot H1", "Hotspot H2"]
        first = items[0]
        assert {"id", "kind", "lat", "lon", "region_code", "status", "interval_s"} <= first.keys()
        assert (first["last_visited_at"], first["next_due_at"], first["is_overdue"]) == (
            None,
            None,
            True,
        )
        assert client.get(HOTSPOTS, params={"kind": "park"}).json() == []
        assert len(client.get(HOTSPOTS, params={"status": "active"}).json()) == 3

    def test_geojson_is_a_feature_collection_lon_first(self, client: TestClient) -> None:
        r = client.get(f"{HOTSPOTS}.geojson", params={"region_code": "110105"})
        assert r.status_code == 200
        assert r.headers["content-type"] == "application/geo+json"
        body = r.json()
        assert body["type"] == "FeatureCollection"
        assert body["features"][0]["geometry"]["coordinates"] == [116.443, 39.921]
        assert body["features"][0]["properties"]["status"] == "active"

    def test_candidate_is_activated_by_review(self, client: TestClient) -> None:
        made = client.post(
            HOTSPOTS,
            json={
                "code": "C1",
                "name": "Bridge",
                "kind": "bridge_culvert",
                "region_code": "110101",
                "lat": 39.93,
                "lon": 116.41,
                "status": "candidate",
                "active_hours": "18:00-08:00",
            },
        )
        assert made.status_code == 201, made.text
        assert (made.json()["next_due_at"], made.json()["is_overdue"]) == (None, False)
        r = client.patch(f"{HOTSPOTS}/{made.json()['id']}", json={"status": "active"})
        assert r.json()["status"] == HotspotStatus.active
        assert r.json()["is_overdue"] is True, "an active hotspot never visited is overdue"

    @pytest.mark.parametrize(
        ("change", "field"),
        [({"active_hours": "evening"}, "active_hours"), ({"interval_s": 60}, "interval_s")],
    )
    def test_bad_fields_are_422(
        self, client: TestClient, change: dict[str, Any], field: str
    ) -> None:
        r = client.post(
            HOTSPOTS,
            json={
                "code": "C2",
                "name": "x",
                "kind": "park",
                "region_code": "110101",
                "lat": 39.93,
                "lon": 116.41,
                **change,
            },
        )
        assert r.status_code == 422
        assert field in r.text

    def test_patrol_member_cannot_review(self, app_client_for: Any) -> None:
        r = app_client_for(Role.patrol).patch(f"{HOTSPOTS}/1", json={"status": "retired"})
        assert r.status_code == 403


@pytest.fixture
def app_client_for(client: TestClient, session: Session, clock: FixedClock) -> Any:
    """A function giving the test client signed in with another role (in Dongcheng)."""

    def make(role: Role, **kw: Any) -> TestClient:
        client.headers.update(_as(session, clock, role, region_code="110101", **kw))
        return client

    return make


class TestCheckIns:
    def test_position_in_geofence_records_a_visit(
        self, world: dict[str, Any], app_client_for: Any, clock: FixedClock
    ) -> None:
        c = app_client_for(Role.dispatcher)
        h1 = world["h1"]
        at = clock.now() - timedelta(minutes=5)
        r = c.post(
            f"{HOTSPOTS}/{h1.id}/check-ins",
            json=_check_in(world["team"].id, at, lat=39.9202, lon=116.4201),
        )
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["check_in"]["method"] == "geofence"
        assert body["check_in"]["distance_m"] < 30
        assert body["report_id"] is None
        listed = c.get(f"{HOTSPOTS}/{h1.id}").json()
        assert listed["last_visited_at"].startswith(at.strftime("%Y-%m-%dT%H:%M"))
        assert listed["is_overdue"] is False

    def test_position_outside_the_geofence_is_refused_with_the_distance(
        self, world: dict[str, Any], app_client_for: Any, clock: FixedClock
    ) -> None:
        c = app_client_for(Role.dispatcher)
        r = c.post(
            f"{HOTSPOTS}/{world['h1'].id}/check-ins",
            json=_check_in(world["team"].id, clock.now(), lat=39.93, lon=116.42),
        )
        assert r.status_code == 422
        assert "outside its 100 m geofence" in r.json()["detail"]

    def test_posted_code_proves_presence_and_wrong_code_does_not(
        self, world: dict[str, Any], app_client_for: Any, clock: FixedClock
    ) -> None:
        c = app_client_for(Role.dispatcher)
        url = f"{HOTSPOTS}/{world['h1'].id}/check-ins"
        ok = c.post(url, json=_check_in(world["team"].id, clock.now(), code="QX-2041"))
        assert ok.status_code == 201
        assert ok.json()["check_in"]["method"] == "code"
        bad = c.post(url, json=_check_in(world["team"].id, clock.now(), code="QX-0000"))
        assert bad.status_code == 422

    def test_people_found_become_a_patrol_report_counted_as_found_actively(
        self, world: dict[str, Any], app_client_for: Any, clock: FixedClock
    ) -> None:
        c = app_client_for(Role.dispatcher)
        at = clock.now() - timedelta(minutes=2)
        r = c.post(
            f"{HOTSPOTS}/{world['h1'].id}/check-ins",
            json=_check_in(
                world["team"].id,
                at,
                code="QX-2041",
                people_found=2,
                note="two men asleep in the underpass",
            ),
        )
        assert r.status_code == 201, r.text
        incident_id = r.json()["incident_id"]
        reports = c.get(f"/api/v1/incidents/{incident_id}/reports").json()
        assert [(x["channel"], x["people_count"]) for x in reports] == [("patrol", 2)]
        stats = c.get("/api/v1/stats", params={"region_code": "110101"}).json()
        assert stats["incidents_found_actively"] == 1
        assert stats["share_found_actively"] == 1.0
        assert stats["patrol_check_ins"] == 1
        assert stats["patrol_person_times"] >= 3  # the team's three members

    def test_idempotency_key_replays_the_first_check_in(
        self, world: dict[str, Any], app_client_for: Any, clock: FixedClock
    ) -> None:
        c = app_client_for(Role.dispatcher)
        url = f"{HOTSPOTS}/{world['h1'].id}/check-ins"
        body = _check_in(world["team"].id, clock.now(), code="QX-2041")
        first = c.post(url, json=body, headers={"Idempotency-Key": "ci-1"})
        again = c.post(url, json=body, headers={"Idempotency-Key": "ci-1"})
        assert (first.status_code, again.status_code) == (201, 200)
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.json()["check_in"]["id"] == first.json()["check_in"]["id"]
        other = c.post(url, json={**body, "note": "x"}, headers={"Idempotency-Key": "ci-1"})
        assert other.status_code == 422
        assert other.json()["code"] == "idempotency_key_reused"

    def test_patrol_member_checks_in_only_for_own_team(
        self, world: dict[str, Any], app_client_for: Any, session: Session, clock: FixedClock
    ) -> None:
        other = make_team(session, now=clock.now(), code="T2")
        c = app_client_for(Role.patrol, team_id=world["team"].id)
        url = f"{HOTSPOTS}/{world['h1'].id}/check-ins"
        assert (
            c.post(url, json=_check_in(world["team"].id, clock.now(), code="QX-2041")).status_code
            == 201
        )
        assert c.post(url, json=_check_in(other.id, clock.now(), code="QX-2041")).status_code == 403

    def test_candidate_hotspot_takes_no_check_in(
        self, world: dict[str, Any], app_client_for: Any, session: Session, clock: FixedClock
    ) -> None:
        cand = make_hotspot(session, now=clock.now(), code="C9", status=HotspotStatus.candidate)
        c = app_client_for(Role.dispatcher)
        r = c.post(
            f"{HOTSPOTS}/{cand.id}/check-ins",
            json=_check_in(world["team"].id, clock.now(), lat=cand.lat, lon=cand.lon),
        )
        assert r.status_code == 409

    def test_other_jurisdiction_hotspot_is_not_found(
        self, world: dict[str, Any], app_client_for: Any, clock: FixedClock
    ) -> None:
        c = app_client_for(Role.dispatcher)
        r = c.post(
            f"{HOTSPOTS}/{world['h3'].id}/check-ins",
            json=_check_in(world["team"].id, clock.now(), lat=39.921, lon=116.443),
        )
        assert r.status_code == 404


def _plan(c: TestClient, start: datetime, hours: float, **kw: Any) -> dict[str, Any]:
    r = c.post(
        f"{PATROLS}/plan",
        json={
            "region_code": "110101",
            "shift_start_at": start.isoformat(),
            "shift_end_at": (start + timedelta(hours=hours)).isoformat(),
            "time_limit_s": 0.5,
            **kw,
        },
    )
    assert r.status_code == 201, r.text
    plan: dict[str, Any] = r.json()
    return plan


class TestPlans:
    def test_shift_plan_routes_every_visit_due(
        self, world: dict[str, Any], app_client_for: Any, clock: FixedClock
    ) -> None:
        c = app_client_for(Role.dispatcher)
        plan = _plan(c, clock.now(), 4)
        # Two hotspots every 4 h over a 4 h shift: one visit each, both on the team's route.
        assert plan["status"] == "complete"
        assert sorted((s["hotspot_id"], s["team_id"]) for s in plan["stops"]) == [
            (world["h1"].id, world["team"].id),
            (world["h2"].id, world["team"].id),
        ]
        assert [s["sequence"] for s in plan["stops"]] == [1, 2]
        assert plan["message"] == "every visit due is planned"
        assert c.get(PATROLS).json()[0]["id"] == plan["id"]

    def test_response_level_multiplier_adds_visits(
        self, world: dict[str, Any], app_client_for: Any, clock: FixedClock, session: Session
    ) -> None:
        earlier = clock.now() - timedelta(minutes=5)
        configure_region(session, "11", "china", now=earlier)
        override_level(
            session, "11", ResponseLevel.II, reason="drill", until=None, by="test", now=earlier
        )
        c = app_client_for(Role.dispatcher)
        plan = _plan(c, clock.now(), 4)
        assert plan["level"] == "II"
        assert plan["patrol_multiplier"] > 1
        assert len(plan["stops"]) > 2

    def test_no_teams_gives_a_partial_plan_not_an_empty_one(
        self, world: dict[str, Any], app_client_for: Any, clock: FixedClock, session: Session
    ) -> None:
        c = app_client_for(Role.dispatcher)
        plan = _plan(c, clock.now(), 4, team_ids=[])
        assert plan["status"] == "partial"
        assert {s["reason"] for s in plan["stops"]} == {routing.NO_TEAMS}

    def test_replan_keeps_visits_made_and_names_missed_windows(
        self, world: dict[str, Any], app_client_for: Any, clock: FixedClock
    ) -> None:
        c = app_client_for(Role.dispatcher)
        start = clock.now() - timedelta(hours=5)  # slots: 5 h to 1 h ago, then 1 h ago to 1 h on
        first = _plan(c, start, 6)
        h1 = world["h1"]
        c.post(
            f"{HOTSPOTS}/{h1.id}/check-ins",
            json=_check_in(world["team"].id, clock.now() - timedelta(hours=2), code="QX-2041"),
        )
        again = _plan(c, start, 6, replans_id=first["id"])
        assert again["replans_id"] == first["id"]
        made = [s for s in again["stops"] if s["check_in_id"] is not None]
        assert [s["hotspot_id"] for s in made] == [h1.id]
        missed = [s for s in again["stops"] if s["reason"] == MISSED_WINDOW]
        assert [s["hotspot_id"] for s in missed] == [world["h2"].id]
        later = [s for s in again["stops"] if s["arrive_at"] and s["check_in_id"] is None]
        assert all(s["arrive_at"] >= clock.now().isoformat()[:16] for s in later)

    @pytest.mark.parametrize(
        ("hours", "extra"),
        [(-1, {}), (30, {}), (4, {"team_ids": [10**20]}), (4, {"replans_id": 2**40})],
    )
    def test_bad_shift_is_422(
        self,
        world: dict[str, Any],
        app_client_for: Any,
        clock: FixedClock,
        hours: float,
        extra: dict[str, Any],
    ) -> None:
        c = app_client_for(Role.dispatcher)
        r = c.post(
            f"{PATROLS}/plan",
            json={
                "region_code": "110101",
                "shift_start_at": clock.now().isoformat(),
                "shift_end_at": (clock.now() + timedelta(hours=hours)).isoformat(),
                **extra,
            },
        )
        assert r.status_code == 422

    def test_patrol_member_may_not_plan(
        self, world: dict[str, Any], app_client_for: Any, clock: FixedClock
    ) -> None:
        c = app_client_for(Role.patrol, team_id=world["team"].id)
        r = c.post(
            f"{PATROLS}/plan",
            json={
                "region_code": "110101",
                "shift_start_at": clock.now().isoformat(),
                "shift_end_at": (clock.now() + timedelta(hours=4)).isoformat(),
            },
        )
        assert r.status_code == 403


class TestCoverage:
    def test_map_layer_marks_visited_and_blind_spots(
        self, world: dict[str, Any], app_client_for: Any, clock: FixedClock
    ) -> None:
        c = app_client_for(Role.dispatcher)
        c.post(
            f"{HOTSPOTS}/{world['h1'].id}/check-ins",
            json=_check_in(world["team"].id, clock.now() - timedelta(hours=1), code="QX-2041"),
        )
        r = c.get(
            f"{PATROLS}/coverage.geojson", params={"region_code": "110101", "night": "2026-01-20"}
        )
        assert r.status_code == 200, r.text
        props = {f["properties"]["hotspot_id"]: f["properties"] for f in r.json()["features"]}
        assert props[world["h1"].id]["is_visited"] is True
        assert props[world["h2"].id]["is_visited"] is False
        assert props[world["h2"].id]["is_overdue"] is True
        report = c.get(
            f"{PATROLS}/coverage", params={"region_code": "110101", "night": "2026-01-20"}
        )
        assert report.json()["regions"] == [
            {
                "region_code": "110101",
                "hotspots": 2,
                "visited": 1,
                "overdue": 2,
                "check_ins": 1,
                "share_within_interval": 0.0,
            }
        ]
        cmp = c.get(
            f"{PATROLS}/coverage/compare",
            params={"region_code": "110101", "before": "2026-01-19", "after": "2026-01-20"},
        )
        assert cmp.json()["change"] == [
            {"region_code": "110101", "visited_change": 1, "overdue_change": 0, "share_change": 0.0}
        ]
