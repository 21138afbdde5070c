"""Bad input over HTTP: every refusal is a 4xx problem document, and nothing accepted is lost."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from starlette.types import Message

from streetrelief.core.clock import FixedClock
from streetrelief.teams.models import Capability
from tests.api.answers import HttpAnswer
from tests.factories.regions import beijing_tree
from tests.factories.reports import report_body
from tests.factories.teams import make_team

PROBLEM_JSON = "application/problem+json"
REPORTS = "/api/v1/reports"
JSON_HEADERS = {"content-type": "application/json"}

CONTRACT_PATHS = [
    "/api/v1/reports",
    "/api/v1/incidents",
    "/api/v1/incidents/{incident_id}",
    "/api/v1/incidents/{incident_id}/recommendations",
    "/api/v1/incidents/{incident_id}/dispatches",
    "/api/v1/incidents/{incident_id}/transitions",
    "/api/v1/incidents/{incident_id}/encounters",
    "/api/v1/teams",
    "/api/v1/service-points",
    "/api/v1/regions",
    "/api/v1/stats",
    "/api/v1/events",
    "/healthz",
]


def _without(body: dict[str, object], key: str) -> dict[str, object]:
    return {k: v for k, v in body.items() if k != key}


def assert_problem(r: HttpAnswer, status: int, code: str | None = None) -> dict[str, Any]:
    """Check that ``r`` is an RFC 9457 problem with ``status`` (and ``code``); return its body."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM_JSON), r.headers["content-type"]
    body: dict[str, Any] = r.json()
    assert body["status"] == status
    for key in ("title", "detail", "code"):
        assert isinstance(body[key], str), body
        assert body[key], body
    if code is not None:
        assert body["code"] == code, body
    return body


def _named_field(body: dict[str, Any]) -> set[str]:
    """Fields a problem points at: ``field`` of a domain error, ``errors[].loc`` of validation."""
    named = {str(body["field"])} if "field" in body else set()
    for error in body.get("errors", []):
        named.update(str(part) for part in error["loc"])
    return named


# (id, request keyword arguments built from the clock, status, code, field named or None)
BadReport = tuple[str, Any, int, str, str | None]

BAD_REPORTS: list[BadReport] = [
    ("lat_91", lambda c: {"json": report_body(c, lat=91)}, 422, "validation_failed", "lat"),
    (
        "lon_minus_181",
        lambda c: {"json": report_body(c, lon=-181)},
        422,
        "validation_failed",
        "lon",
    ),
    (
        "lat_nan",
        lambda c: {
            "content": f'{{"channel": "hotline", "reported_at": "{c.now().isoformat()}", '
            '"lat": NaN, "lon": 116.417}',
            "headers": JSON_HEADERS,
        },
        422,
        "validation_failed",
        "lat",
    ),
    (
        "lon_infinity",
        lambda c: {
            "content": f'{{"channel": "hotline", "reported_at": "{c.now().isoformat()}", '
            '"lat": 39.9175, "lon": Infinity}',
            "headers": JSON_HEADERS,
        },
        422,
        "validation_failed",
        "lon",
    ),
    (
        "lat_minus_infinity",
        lambda c: {
            "content": f'{{"channel": "hotline", "reported_at": "{c.now().isoformat()}", '
            '"lat": -Infinity, "lon": 116.417}',
            "headers": JSON_HEADERS,
        },
        422,
        "validation_failed",
        "lat",
    ),
    (
        "missing_lat",
        lambda c: {"json": _without(report_body(c), "lat")},
        422,
        "validation_failed",
        "lat",
    ),
    (
        "unknown_field",
        lambda c: {"json": report_body(c, severity="high")},
        422,
        "validation_failed",
        "severity",
    ),
    (
        "description_2001_chars",
        lambda c: {"json": report_body(c, description="冷" * 2001)},
        422,
        "validation_failed",
        "description",
    ),
    (
        "unknown_condition",
        lambda c: {"json": report_body(c, conditions=["elderly", "grumpy"])},
        422,
        "invalid_input",
        "conditions",
    ),
    (
        "unknown_region_code",
        lambda c: {"json": report_body(c, region_code="999999")},
        422,
        "unknown_region",
        "region_code",
    ),
    (
        "far_from_any_region",
        # Sydney: no Beijing region centre within the search box.
        lambda c: {"json": report_body(c, lat=-33.8688, lon=151.2093)},
        422,
        "location_outside_regions",
        "lat/lon",
    ),
    (
        "reported_at_without_offset",
        lambda c: {"json": report_body(c, reported_at="2026-01-20T14:00:00")},
        422,
        "validation_failed",
        "reported_at",
    ),
    (
        "reported_at_tomorrow",
        lambda c: {"json": report_body(c, reported_at=(c.now() + timedelta(days=1)).isoformat())},
        422,
        "invalid_input",
        "reported_at",
    ),
    (
        "people_count_zero",
        lambda c: {"json": report_body(c, people_count=0)},
        422,
        "validation_failed",
        "people_count",
    ),
    (
        "wrong_channel",
        lambda c: {"json": report_body(c, channel="carrier_pigeon")},
        422,
        "validation_failed",
        "channel",
    ),
    (
        "malformed_json",
        lambda c: {"content": '{"channel": "hotline", "lat": 39.9,', "headers": JSON_HEADERS},
        422,
        "validation_failed",
        None,
    ),
    (
        "empty_body",
        lambda c: {"content": b"", "headers": JSON_HEADERS},
        422,
        "validation_failed",
        None,
    ),
    (
        "nul_in_description",
        lambda c: {"json": report_body(c, description="man\x00asleep")},
        422,
        "validation_failed",
        "description",
    ),
    (
        "nul_in_region_code",
        lambda c: {"json": report_body(c, region_code="110101\x00")},
        422,
        "validation_failed",
        "region_code",
    ),
    ("json_array", lambda c: {"json": [report_body(c)]}, 422, "validation_failed", None),
    (
        "json_null",
        lambda c: {"content": "null", "headers": JSON_HEADERS},
        422,
        "validation_failed",
        None,
    ),
]


def _count_incidents(client: TestClient) -> int:
    r = client.get("/api/v1/incidents", params={"limit": 1000})
    assert r.status_code == 200, r.text
    return len(r.json())


class TestReportBadInput:
    @pytest.fixture
    def accepted(self, session: Session, client: TestClient, clock: FixedClock) -> dict[str, Any]:
        """A good report accepted before the bad ones arrive."""
        beijing_tree(session)
        r = client.post(REPORTS, json=report_body(clock))
        assert r.status_code == 201, r.text
        body: dict[str, Any] = r.json()
        return body

    def _assert_nothing_lost(self, client: TestClient, accepted: dict[str, Any]) -> None:
        assert _count_incidents(client) == 1
        incident = client.get(f"/api/v1/incidents/{accepted['incident_id']}")
        assert incident.status_code == 200, incident.text
        assert incident.json()["report_count"] == 1
        reports = client.get(f"/api/v1/incidents/{accepted['incident_id']}/reports").json()
        assert [x["id"] for x in reports] == [accepted["report_id"]]

    @pytest.mark.parametrize(
        ("make_request", "status", "code", "field"),
        [pytest.param(*case[1:], id=case[0]) for case in BAD_REPORTS],
    )
    def test_bad_report_refused_as_problem_and_nothing_lost(
        self,
        client: TestClient,
        clock: FixedClock,
        accepted: dict[str, Any],
        make_request: Any,
        status: int,
        code: str,
        field: str | None,
    ) -> None:
        r = client.post(REPORTS, **make_request(clock))
        body = assert_problem(r, status, code)
        if field is not None:
            assert field in _named_field(body), body
        self._assert_nothing_lost(client, accepted)

    def test_all_bad_reports_in_a_row_leave_accepted_report_alone(
        self, client: TestClient, clock: FixedClock, accepted: dict[str, Any]
    ) -> None:
        for name, make_request, status, code, _field in BAD_REPORTS:
            r = client.post(REPORTS, **make_request(clock))
            assert r.status_code == status, (name, r.text)
            assert r.json()["code"] == code, name
        self._assert_nothing_lost(client, accepted)
        # And the service still takes good reports afterwards.
        clock.advance(timedelta(minutes=5))
        r = client.post(REPORTS, json=report_body(clock, lat=39.9180))
        assert r.status_code == 201, r.text
        assert r.json()["incident_id"] == accepted["incident_id"]

    def test_reported_at_year_one_refused_and_nothing_lost(
        self, client: TestClient, clock: FixedClock, accepted: dict[str, Any]
    ) -> None:
        # So far back that the merge window around it leaves the datetime range.
        r = client.post(REPORTS, json=report_body(clock, reported_at="0001-01-01T00:30:00+00:00"))
        assert_problem(r, 422)
        self._assert_nothing_lost(client, accepted)


class TestBadInputElsewhere:
    @pytest.fixture
    def incident_id(self, session: Session, client: TestClient, clock: FixedClock) -> int:
        """A triaged, high-priority incident in 东城 (no automatic dispatch)."""
        beijing_tree(session)
        r = client.post(REPORTS, json=report_body(clock))
        assert r.status_code == 201, r.text
        assert r.json()["incident_status"] == "triaged"
        return int(r.json()["incident_id"])

    def _status(self, client: TestClient, incident_id: int) -> str:
        return str(client.get(f"/api/v1/incidents/{incident_id}").json()["status"])

    def test_unknown_incident_is_404_problem(self, client: TestClient, incident_id: int) -> None:
        assert_problem(client.get(f"/api/v1/incidents/{incident_id + 1000}"), 404, "not_found")

    @pytest.mark.parametrize(
        "path",
        [
            "/api/v1/incidents/{id}",
            "/api/v1/incidents/{id}/reports",
            "/api/v1/incidents/{id}/dispatches",
            "/api/v1/incidents/{id}/encounters",
            "/api/v1/teams/{id}",
            "/api/v1/service-points/{id}",
        ],
    )
    @pytest.mark.parametrize("record_id", [2**31, 10**20])
    def test_id_beyond_integer_columns_is_4xx_problem(
        self, client: TestClient, incident_id: int, path: str, record_id: int
    ) -> None:
        # Ids are 32-bit INTEGER columns (64-bit at most on SQLite): no such record can exist.
        r = client.get(path.format(id=record_id))
        assert r.status_code in {404, 422}, r.text
        assert_problem(r, r.status_code)

    def test_paging_offset_beyond_64_bits_is_422(
        self, client: TestClient, incident_id: int
    ) -> None:
        r = client.get("/api/v1/incidents", params={"offset": 10**20})
        body = assert_problem(r, 422, "validation_failed")
        assert "offset" in _named_field(body)

    def test_non_numeric_incident_id_is_422_problem(
        self, client: TestClient, incident_id: int
    ) -> None:
        assert_problem(client.get("/api/v1/incidents/abc"), 422, "validation_failed")

    def test_triaged_to_resolved_is_409_and_status_kept(
        self, client: TestClient, incident_id: int
    ) -> None:
        r = client.post(f"/api/v1/incidents/{incident_id}/transitions", json={"to": "resolved"})
        body = assert_problem(r, 409, "illegal_transition")
        assert body["current"] == "triaged"
        assert body["target"] == "resolved"
        assert self._status(client, incident_id) == "triaged"

    def test_resolved_to_en_route_is_409_and_status_kept(
        self, session: Session, client: TestClient, clock: FixedClock, incident_id: int
    ) -> None:
        team = make_team(session, now=clock.now(), capabilities=(Capability.transport,))
        r = client.post(f"/api/v1/incidents/{incident_id}/dispatches", json={"team_id": team.id})
        assert r.status_code == 201, r.text
        for step in ("on_scene", "resolved"):
            r = client.post(f"/api/v1/incidents/{incident_id}/transitions", json={"to": step})
            assert r.status_code == 200, r.text
        r = client.post(f"/api/v1/incidents/{incident_id}/transitions", json={"to": "en_route"})
        body = assert_problem(r, 409, "illegal_transition")
        assert body["current"] == "resolved"
        assert self._status(client, incident_id) == "resolved"
        assert client.get(f"/api/v1/teams/{team.id}").json()["status"] == "available"

    @pytest.mark.parametrize("target", ["teleported", "triaged", "new", "", None])
    def test_transition_to_status_not_offered_is_422(
        self, client: TestClient, incident_id: int, target: str | None
    ) -> None:
        r = client.post(f"/api/v1/incidents/{incident_id}/transitions", json={"to": target})
        body = assert_problem(r, 422, "validation_failed")
        assert "to" in _named_field(body)
        assert self._status(client, incident_id) == "triaged"

    def test_dispatching_a_dispatched_team_is_409_team_unavailable(
        self, session: Session, client: TestClient, clock: FixedClock, incident_id: int
    ) -> None:
        team = make_team(session, now=clock.now())
        # A second incident in 朝阳, about 2.3 km away: too far to merge with the first.
        other = client.post(REPORTS, json=report_body(clock, lat=39.921, lon=116.443)).json()
        assert other["incident_id"] != incident_id
        r = client.post(f"/api/v1/incidents/{incident_id}/dispatches", json={"team_id": team.id})
        assert r.status_code == 201, r.text

        r = client.post(
            f"/api/v1/incidents/{other['incident_id']}/dispatches", json={"team_id": team.id}
        )
        body = assert_problem(r, 409, "team_unavailable")
        assert body["team_id"] == team.id
        assert self._status(client, other["incident_id"]) == "triaged"
        assert client.get(f"/api/v1/incidents/{other['incident_id']}/dispatches").json() == []
        # Nor may the same team be sent twice to the same incident.
        r = client.post(f"/api/v1/incidents/{incident_id}/dispatches", json={"team_id": team.id})
        assert_problem(r, 409, "team_unavailable")
        assert len(client.get(f"/api/v1/incidents/{incident_id}/dispatches").json()) == 1

    def test_dispatching_unknown_team_is_404(self, client: TestClient, incident_id: int) -> None:
        r = client.post(f"/api/v1/incidents/{incident_id}/dispatches", json={"team_id": 987654})
        assert_problem(r, 404, "not_found")
        assert self._status(client, incident_id) == "triaged"

    def test_dispatching_team_id_beyond_integer_columns_is_4xx(
        self, client: TestClient, incident_id: int
    ) -> None:
        r = client.post(f"/api/v1/incidents/{incident_id}/dispatches", json={"team_id": 10**20})
        assert r.status_code in {404, 422}, r.text
        assert_problem(r, r.status_code)
        assert self._status(client, incident_id) == "triaged"

    def test_dispatching_to_unknown_incident_is_404(
        self, session: Session, client: TestClient, clock: FixedClock, incident_id: int
    ) -> None:
        team = make_team(session, now=clock.now())
        r = client.post(
            f"/api/v1/incidents/{incident_id + 1000}/dispatches", json={"team_id": team.id}
        )
        assert_problem(r, 404, "not_found")
        assert client.get(f"/api/v1/teams/{team.id}").json()["status"] == "available"

    def test_encounter_before_on_scene_is_409(self, client: TestClient, incident_id: int) -> None:
        r = client.post(
            f"/api/v1/incidents/{incident_id}/encounters",
            json={"person": {"description": "man in a grey coat"}, "outcome": "refused"},
        )
        assert_problem(r, 409, "illegal_transition")
        assert client.get(f"/api/v1/incidents/{incident_id}/encounters").json() == []

    def test_encounter_with_person_and_person_id_is_422(
        self, client: TestClient, incident_id: int
    ) -> None:
        r = client.post(
            f"/api/v1/incidents/{incident_id}/encounters",
            json={
                "person_id": 1,
                "person": {"description": "man in a grey coat"},
                "outcome": "refused",
            },
        )
        body = assert_problem(r, 422, "validation_failed")
        assert "person_id" in body["detail"]

    def test_stats_end_before_start_is_422(self, client: TestClient, clock: FixedClock) -> None:
        r = client.get(
            "/api/v1/stats",
            params={
                "region_code": "11",
                "start": clock.now().isoformat(),
                "end": (clock.now() - timedelta(hours=1)).isoformat(),
            },
        )
        body = assert_problem(r, 422, "invalid_input")
        assert body["field"] == "end"

    def test_stats_ending_at_year_one_is_422(self, client: TestClient, incident_id: int) -> None:
        # The default start (a day before end) would fall before the first representable date.
        r = client.get(
            "/api/v1/stats", params={"region_code": "11", "end": "0001-01-01T00:00:00+00:00"}
        )
        assert_problem(r, 422)

    def test_stats_for_unknown_region_is_422_unknown_region(
        self, client: TestClient, incident_id: int
    ) -> None:
        r = client.get("/api/v1/stats", params={"region_code": "999999"})
        assert_problem(r, 422, "unknown_region")

    def test_stats_with_naive_time_is_422(self, client: TestClient, incident_id: int) -> None:
        r = client.get("/api/v1/stats", params={"region_code": "11", "start": "2026-01-20T10:00"})
        assert_problem(r, 422, "validation_failed")

    def test_regions_under_unknown_parent_is_422(
        self, client: TestClient, incident_id: int
    ) -> None:
        r = client.get("/api/v1/regions", params={"parent_code": "unknown"})
        assert_problem(r, 422, "unknown_region")

    def test_unknown_path_is_404_problem(self, client: TestClient) -> None:
        assert_problem(client.get("/api/v1/nowhere"), 404, "not_found")

    def test_wrong_method_is_405_problem(self, client: TestClient) -> None:
        assert_problem(client.delete(REPORTS), 405, "method_not_allowed")


class TestOpenApiContract:
    def test_document_lists_contract_paths(self, client: TestClient) -> None:
        r = client.get("/openapi.json")
        assert r.status_code == 200, r.text
        paths = r.json()["paths"]
        missing = [p for p in CONTRACT_PATHS if p not in paths]
        assert missing == []

    def test_report_intake_is_a_post(self, client: TestClient) -> None:
        paths = client.get("/openapi.json").json()["paths"]
        assert "post" in paths["/api/v1/reports"]
        assert "post" in paths["/api/v1/incidents/{incident_id}/transitions"]
        assert "post" in paths["/api/v1/incidents/{incident_id}/dispatches"]
        assert "get" in paths["/api/v1/events"]


ACKNOWLEDGE = "/api/v1/incidents/1/dispatches/1/acknowledge"


class TestClientGone:
    def test_client_leaving_mid_body_is_a_quiet_4xx(
        self, app: FastAPI, caplog: pytest.LogCaptureFixture
    ) -> None:
        """A phone gone while acknowledging a dispatch: no 500 and no error logged."""
        sent: list[Message] = []

        async def receive() -> Message:
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": ACKNOWLEDGE,
            "raw_path": ACKNOWLEDGE.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"200")],
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
        }
        with caplog.at_level(logging.ERROR):
            asyncio.run(app(scope, receive, send))
        [start] = [m for m in sent if m["type"] == "http.response.start"]
        assert start["status"] == 400
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
