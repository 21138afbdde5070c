"""Every role, region, resource and action, against the real API on both databases.

Each request is sent by every role, from an account in 东城 and (for office roles) from a
national account, at records of 东城 and of 海淀. The expectation is computed from the role's
permissions and the jurisdiction alone: 401 for the public, 403 for a role without the
permission, 404 for a record outside the caller's regions (a region asked for by code answers
as an unknown one, 422 ``unknown_region``), and otherwise an answer from the
business rules (2xx, or a 409/422 for a state they do not allow) — never a 500.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from streetrelief.access.roles import ROLE_PERMISSIONS, Permission, Role
from streetrelief.audit.models import AuditEvent
from streetrelief.core.clock import FixedClock
from tests.access.world import DONGCHENG, HAIDIAN, World, build_world

P = Permission


@dataclass(frozen=True)
class Action:
    """One request: method, path and body for a district's records, and what it needs."""

    name: str
    method: str
    path: Callable[[World, str], str]
    permission: Permission
    body: Callable[[World, str], Any] | None = None
    regional: bool = True


ACTIONS = [
    Action(
        "read incident",
        "GET",
        lambda w, d: f"/incidents/{w.districts[d].incident_id}",
        P.incidents_read,
    ),
    Action(
        "read dispatches",
        "GET",
        lambda w, d: f"/incidents/{w.districts[d].incident_id}/dispatches",
        P.incidents_read,
    ),
    Action(
        "recommend teams",
        "GET",
        lambda w, d: f"/incidents/{w.districts[d].incident_id}/recommendations",
        P.dispatch_create,
    ),
    Action(
        "read reports",
        "GET",
        lambda w, d: f"/incidents/{w.districts[d].incident_id}/reports",
        P.reports_read,
    ),
    Action(
        "read encounters",
        "GET",
        lambda w, d: f"/incidents/{w.districts[d].incident_id}/encounters",
        P.encounters_read,
    ),
    Action("read team", "GET", lambda w, d: f"/teams/{w.districts[d].team_id}", P.teams_read),
    Action(
        "read service point",
        "GET",
        lambda w, d: f"/service-points/{w.districts[d].point_id}",
        P.service_points_read,
    ),
    Action(
        "read person", "GET", lambda w, d: f"/persons/{w.districts[d].person_id}", P.persons_read
    ),
    Action("read statistics", "GET", lambda w, d: f"/stats?region_code={d}", P.stats_read),
    Action(
        "read response level",
        "GET",
        lambda w, d: "/response-levels",
        P.response_read,
        regional=False,
    ),
    Action("read a district's level", "GET", lambda w, d: f"/response-levels/{d}", P.response_read),
    Action("read alerts", "GET", lambda w, d: "/alerts", P.alerts_read, regional=False),
    Action("roster gaps", "GET", lambda w, d: f"/roster/gaps?region_code={d}", P.roster_read),
    Action("stock", "GET", lambda w, d: f"/stock?region_code={d}", P.stock_read),
    Action("tasks", "GET", lambda w, d: f"/response-tasks?region_code={d}", P.response_read),
    Action("playbook", "GET", lambda w, d: f"/response-levels/{d}/playbook", P.response_read),
    Action("list hotspots", "GET", lambda w, d: f"/hotspots?region_code={d}", P.hotspots_read),
    Action(
        "coverage",
        "GET",
        lambda w, d: f"/patrols/coverage?region_code={d}&night=2026-01-20",
        P.patrols_read,
    ),
    Action(
        "plan patrols",
        "POST",
        lambda w, d: "/patrols/plan",
        P.patrols_plan,
        lambda w, d: {
            "region_code": d,
            "shift_start_at": "2026-01-20T10:00:00Z",
            "shift_end_at": "2026-01-20T22:00:00Z",
            "time_limit_s": 0.2,
        },
    ),
    Action("read audit log", "GET", lambda w, d: "/audit", P.audit_read, regional=False),
    Action("list accounts", "GET", lambda w, d: "/users", P.users_manage, regional=False),
    Action("list partners", "GET", lambda w, d: "/partners", P.partners_manage, regional=False),
    Action(
        "list social reporters",
        "GET",
        lambda w, d: "/social-reporters",
        P.social_reporters_manage,
        regional=False,
    ),
    Action(
        "read social reporter",
        "GET",
        lambda w, d: f"/social-reporters/{w.districts[d].reporter_id}",
        P.social_reporters_manage,
    ),
    Action(
        "disable social reporter",
        "PATCH",
        lambda w, d: f"/social-reporters/{w.districts[d].reporter_id}",
        P.social_reporters_manage,
        lambda w, d: {"is_active": False},
    ),
    Action(
        "new reporter key",
        "POST",
        lambda w, d: f"/social-reporters/{w.districts[d].reporter_id}/key",
        P.social_reporters_manage,
        lambda w, d: {},
    ),
    Action(
        "register social reporter",
        "POST",
        lambda w, d: "/social-reporters",
        P.social_reporters_manage,
        lambda w, d: {"kind": "volunteer", "display_name": "志愿者", "region_code": d},
    ),
    Action(
        "own reports",
        "GET",
        lambda w, d: "/social-reporters/me/reports",
        P.own_reports_read,
        regional=False,
    ),
    Action(
        "identify person",
        "PATCH",
        lambda w, d: f"/persons/{w.districts[d].person_id}",
        P.persons_update,
        lambda w, d: {"description": "grey coat, walks with a stick"},
    ),
    Action(
        "move incident on",
        "POST",
        lambda w, d: f"/incidents/{w.districts[d].incident_id}/transitions",
        P.incidents_update,
        lambda w, d: {"to": "on_scene"},
    ),
    Action(
        "dispatch a team",
        "POST",
        lambda w, d: f"/incidents/{w.districts[d].incident_id}/dispatches",
        P.dispatch_create,
        lambda w, d: {"team_id": w.districts[d].team_id},
    ),
    Action(
        "record encounter",
        "POST",
        lambda w, d: f"/incidents/{w.districts[d].incident_id}/encounters",
        P.encounters_create,
        lambda w, d: {"person": {"approx_age": 60}, "outcome": "supplies_on_site"},
    ),
    Action(
        "team status",
        "POST",
        lambda w, d: f"/teams/{w.districts[d].team_id}/status",
        P.teams_report_status,
        lambda w, d: {"lat": 39.92, "lon": 116.41},
    ),
    Action(
        "update occupancy",
        "PATCH",
        lambda w, d: f"/service-points/{w.districts[d].point_id}",
        P.service_points_update_occupancy,
        lambda w, d: {"occupancy": 3},
    ),
    Action(
        "create team",
        "POST",
        lambda w, d: "/teams",
        P.teams_manage,
        lambda w, d: {
            "code": f"NEW{d}",
            "name": "new",
            "region_code": d,
            "base_lat": 39.9,
            "base_lon": 116.4,
        },
    ),
    Action(
        "override response level",
        "POST",
        lambda w, d: f"/response-levels/{d}/override",
        P.response_override,
        lambda w, d: {"level": "II", "reason": "cold wave expected tonight"},
    ),
]

CALLERS = [
    (role, region)
    for role in Role
    for region in (
        (None,)
        if role is Role.public
        else (DONGCHENG,)
        if role in {Role.patrol, Role.service_point_staff}
        else (DONGCHENG, None)
    )
    if role not in {Role.partner, Role.social_reporter}
]


def expected(role: Role, region: str | None, action: Action, district: str) -> str:
    """What the access rules alone say about one request."""
    if action.permission not in ROLE_PERMISSIONS[role]:
        return "401" if role is Role.public else "403"
    if action.regional and region is not None and district != region:
        return "404"
    return "allowed"


def outcome(status: int, body: str) -> str:
    """What the caller was told; a region outside its jurisdiction answers as an unknown one
    (422 ``unknown_region``), which counts as hidden like a 404."""
    if status in {401, 403, 404}:
        return str(status)
    if status == 422 and '"code":"unknown_region"' in body:
        return "404"
    assert status < 500, status
    return "allowed"


@pytest.mark.parametrize(("role", "region"), CALLERS, ids=[f"{r}-{g or 'all'}" for r, g in CALLERS])
def test_no_access_beyond_role_and_jurisdiction(
    session: Session,
    client: TestClient,
    anonymous: TestClient,
    clock: FixedClock,
    role: Role,
    region: str | None,
) -> None:
    world = build_world(session, client, clock)
    caller = anonymous if role is Role.public else client
    headers = {} if role is Role.public else world.headers[(role, region)]
    if role is Role.public:
        caller.headers.pop("Authorization", None)
    wrong = []
    for action in ACTIONS:
        for district in (DONGCHENG, HAIDIAN):
            path = "/api/v1" + action.path(world, district)
            body = action.body(world, district) if action.body else None
            r = caller.request(action.method, path, json=body, headers=headers)
            got, want = outcome(r.status_code, r.text), expected(role, region, action, district)
            if got != want:
                wrong.append(f"{action.name} in {district}: got {r.status_code}, want {want}")
            if got in {"401", "403", "404"}:
                text = r.text
                for value in ("张三丰", "李四光", "13800138000", DONGCHENG, HAIDIAN):
                    if value in path or value in json.dumps(body):
                        continue  # the caller's own words may come back
                    assert value not in text, f"{action.name}: refusal leaks {value!r}"
    assert not wrong, "\n".join(wrong)
    # Every refusal and every change is in the audit log.
    denied = session.scalars(select(AuditEvent).where(AuditEvent.outcome == "denied")).all()
    refusals = sum(
        expected(role, region, a, d) != "allowed" for a in ACTIONS for d in (DONGCHENG, HAIDIAN)
    )
    assert len(denied) == refusals
