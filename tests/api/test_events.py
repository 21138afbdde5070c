"""The event stream: committed events as server-sent events, resumable without a gap."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from streetrelief.core.clock import FixedClock
from tests.api.answers import HttpAnswer
from tests.factories.access import bearer, make_user
from tests.factories.regions import beijing_tree
from tests.factories.reports import report_body
from tests.factories.teams import make_team

EVENTS = "/api/v1/events"
REPORTS = "/api/v1/reports"
DONGCHENG = (39.9175, 116.4170)
"""A place in 东城 (110101)."""
HAIDIAN = (39.9590, 116.2980)
"""A place in 海淀 (110108), about 10 km from ``DONGCHENG``."""


@dataclass(frozen=True)
class Sse:
    """One parsed server-sent event."""

    id: int
    event: str
    data: dict[str, Any]


def _report(
    clock: FixedClock, place: tuple[float, float], *, conditions: Sequence[str] = ("elderly",)
) -> dict[str, object]:
    # These reports carry no description; "" is the schema's own default for one left out.
    return report_body(clock, lat=place[0], lon=place[1], description="", conditions=conditions)


def _post_report(client: TestClient, clock: FixedClock, place: tuple[float, float]) -> int:
    r = client.post(REPORTS, json=_report(clock, place))
    assert r.status_code == 201, r.text
    return int(r.json()["incident_id"])


def parse_sse(r: HttpAnswer) -> list[Sse]:
    """The events of a finished ``text/event-stream`` body; each frame needs id, event, data."""
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/event-stream")
    assert r.text == "" or r.text.endswith("\n\n"), r.text[-200:]
    out = []
    for frame in r.text.split("\n\n"):
        if not frame:
            continue
        fields: dict[str, str] = {}
        for line in frame.split("\n"):
            if line.startswith(":"):
                continue
            name, _, value = line.partition(": ")
            assert name not in fields, frame
            fields[name] = value
        assert set(fields) == {"id", "event", "data"}, frame
        out.append(Sse(int(fields["id"]), fields["event"], json.loads(fields["data"])))
    return out


def _backlog(client: TestClient, **params: str | int) -> list[Sse]:
    return parse_sse(client.get(EVENTS, params={"follow": "false", **params}))


def _resume(client: TestClient, last_event_id: int | str, **params: str | int) -> list[Sse]:
    r = client.get(
        EVENTS,
        params={"follow": "false", **params},
        headers={"Last-Event-ID": str(last_event_id)},
    )
    return parse_sse(r)


def _assert_contiguous_after(events: list[Sse], last_id: int) -> None:
    assert [e.id for e in events] == list(range(last_id + 1, last_id + 1 + len(events)))


class TestBacklog:
    def test_report_streams_opened_then_triaged(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        incident_id = _post_report(client, clock, DONGCHENG)

        r = client.get(EVENTS, params={"follow": "false"})
        assert r.headers["cache-control"] == "no-cache"
        assert r.text.startswith("id: ")
        events = parse_sse(r)
        mine = [e for e in events if e.data["subject_id"] == incident_id]
        assert [e.event for e in mine] == ["incident.opened", "incident.triaged"]
        opened, triaged = mine
        assert opened.data["subject"] == "incident"
        assert opened.data["region_code"] == "110101"
        assert opened.data["payload"]["channel"] == "hotline"
        assert triaged.data["payload"]["priority"] == "high"

    def test_each_frame_repeats_its_id_and_type_in_data(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        make_team(session, now=clock.now())
        session.flush()  # the builder's team.created event, as a request's commit would
        _post_report(client, clock, DONGCHENG)
        events = _backlog(client)
        assert [e.event for e in events] == ["team.created", "incident.opened", "incident.triaged"]
        for e in events:
            assert e.data["id"] == e.id
            assert e.data["type"] == e.event
            assert e.data["occurred_at"].startswith("2026-01-20T14:00:00")
        assert [e.id for e in events] == sorted({e.id for e in events})

    def test_nothing_committed_gives_an_empty_stream(
        self, session: Session, client: TestClient
    ) -> None:
        beijing_tree(session)
        assert _backlog(client) == []

    def test_refused_report_leaves_no_event(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        r = client.post(REPORTS, json=_report(clock, DONGCHENG, conditions=["grumpy"]))
        assert r.status_code == 422, r.text
        assert _backlog(client) == []


class TestResume:
    def test_last_event_id_returns_only_later_events(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        _post_report(client, clock, DONGCHENG)
        everything = _backlog(client)
        first = everything[0].id

        later = _resume(client, first)
        assert later == [e for e in everything if e.id > first]
        assert later
        _assert_contiguous_after(later, first)

    def test_resume_sees_new_commits_without_gap(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        team = make_team(session, now=clock.now())
        session.flush()  # the builder's team.created event, as a request's commit would
        _post_report(client, clock, DONGCHENG)
        seen = _backlog(client)
        last = seen[-1].id

        second = _post_report(client, clock, HAIDIAN)
        r = client.post(f"/api/v1/incidents/{second}/dispatches", json={"team_id": team.id})
        assert r.status_code == 201, r.text
        r = client.post(f"/api/v1/incidents/{second}/transitions", json={"to": "en_route"})
        assert r.status_code == 200, r.text

        new = _resume(client, last)
        _assert_contiguous_after(new, last)
        types = [e.event for e in new]
        for expected in (
            "incident.opened",
            "incident.triaged",
            "dispatch.assigned",
            "incident.dispatched",
            "incident.en_route",
        ):
            assert expected in types
        assert types.index("incident.opened") < types.index("dispatch.assigned")
        assert types.index("dispatch.assigned") < types.index("incident.en_route")
        assert {e.data["subject_id"] for e in new if e.data["subject"] == "incident"} == {second}

    def test_after_query_resumes_like_last_event_id(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        _post_report(client, clock, DONGCHENG)
        _post_report(client, clock, HAIDIAN)
        first = _backlog(client)[0].id
        assert _backlog(client, after=first) == _resume(client, first)

    def test_resume_at_newest_id_gives_empty_stream(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        _post_report(client, clock, DONGCHENG)
        newest = _backlog(client)[-1].id
        assert _resume(client, newest) == []
        assert _resume(client, newest + 1000) == []

    def test_negative_after_is_422(self, session: Session, client: TestClient) -> None:
        r = client.get(EVENTS, params={"follow": "false", "after": -1})
        assert r.status_code == 422, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["code"] == "validation_failed"

    @pytest.mark.parametrize(
        ("where", "cursor"),
        [("header", "99999999999999999999"), ("query", str(10**20))],
    )
    def test_cursor_beyond_64_bits_is_refused_or_empty_not_a_broken_stream(
        self,
        session: Session,
        app: FastAPI,
        clock: FixedClock,
        where: str,
        cursor: str,
    ) -> None:
        beijing_tree(session)
        # Server errors raised here: a failure inside the stream comes after the 200 headers.
        admin = make_user(session, now=clock.now())
        with TestClient(app, headers=bearer(session, admin, now=clock.now())) as client:
            _post_report(client, clock, DONGCHENG)
            if where == "header":
                r = client.get(
                    EVENTS, params={"follow": "false"}, headers={"Last-Event-ID": cursor}
                )
            else:
                r = client.get(EVENTS, params={"follow": "false", "after": cursor})
        if r.status_code == 422:
            assert r.headers["content-type"].startswith("application/problem+json")
        else:
            assert parse_sse(r) == []


class TestRegionFilter:
    @pytest.fixture
    def two_incidents(self, session: Session, client: TestClient, clock: FixedClock) -> list[int]:
        """One incident in 东城 (110101) and one in 海淀 (110108)."""
        beijing_tree(session)
        return [_post_report(client, clock, DONGCHENG), _post_report(client, clock, HAIDIAN)]

    def test_district_filter_keeps_only_its_events(
        self, client: TestClient, two_incidents: list[int]
    ) -> None:
        dongcheng, haidian = two_incidents
        events = _backlog(client, region_code="110108")
        assert events
        assert {e.data["region_code"] for e in events} == {"110108"}
        assert {e.data["subject_id"] for e in events} == {haidian}
        assert dongcheng not in {e.data["subject_id"] for e in events}
        assert [e.event for e in events] == ["incident.opened", "incident.triaged"]

    def test_prefecture_filter_keeps_its_whole_subtree(
        self, client: TestClient, two_incidents: list[int]
    ) -> None:
        everything = _backlog(client)
        assert _backlog(client, region_code="1101") == everything
        assert _backlog(client, region_code="11") == everything
        assert {e.data["region_code"] for e in everything} == {"110101", "110108"}

    def test_district_without_events_gives_empty_stream(
        self, client: TestClient, two_incidents: list[int]
    ) -> None:
        assert _backlog(client, region_code="110105") == []

    def test_filter_and_resume_combine(self, client: TestClient, two_incidents: list[int]) -> None:
        events = _backlog(client, region_code="110101")
        first = events[0].id
        assert _resume(client, first, region_code="110101") == events[1:]

    def test_unknown_region_is_422_problem_before_streaming(
        self, client: TestClient, two_incidents: list[int]
    ) -> None:
        r = client.get(EVENTS, params={"follow": "false", "region_code": "999999"})
        assert r.status_code == 422, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["code"] == "unknown_region"
