"""Recommending and assigning through the services: busy teams counted from when they will be
free, next jobs, stale positions and first responders for critical incidents."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from streetrelief.core.clock import FixedClock
from streetrelief.core.errors import TeamUnavailableError
from streetrelief.dispatch.service import (
    assign_team,
    dispatches_for,
    recommend_teams,
    report_progress,
)
from streetrelief.dispatch.travel import StraightLineTravel, TravelEstimate
from streetrelief.incidents.models import Incident, IncidentStatus
from streetrelief.incidents.service import require_incident
from streetrelief.intake.models import Channel
from streetrelief.intake.schemas import ReportCreate
from streetrelief.intake.service import receive_report
from streetrelief.teams.models import Capability, Team, TeamStatus, TravelMode
from streetrelief.teams.service import require_team
from streetrelief.triage.policy import load_policy
from tests.factories.regions import beijing_tree
from tests.factories.teams import make_team

TRAVEL = StraightLineTravel(detour_factor=1.4, vehicle_speed_kmh=30, walking_speed_kmh=4.5)
POLICY = load_policy()
HERE = (39.9175, 116.4170)
NEAR = (39.9220, 116.4170)  # 500 m away: beyond the merge radius
FAR = (40.05, 116.30)


def report(
    session: Session, clock: FixedClock, conditions: list[str], at: tuple[float, float]
) -> Incident:
    result = receive_report(
        session,
        ReportCreate(
            channel=Channel.hotline,
            reported_at=clock.now(),
            lat=at[0],
            lon=at[1],
            conditions=conditions,
        ),
        clock=clock,
        policy=POLICY,
        travel=TRAVEL,
    )
    return require_incident(session, result.incident_id)


def on_scene(session: Session, clock: FixedClock, team_id: int, at: tuple[float, float]) -> int:
    """Send the team to a fresh incident at ``at`` and report it on scene now."""
    incident = report(session, clock, ["refuses_help"], at)
    assign_team(session, incident.id, team_id, policy=POLICY, travel=TRAVEL, now=clock.now())
    report_progress(session, incident.id, IncidentStatus.en_route, at=clock.now(), now=clock.now())
    report_progress(session, incident.id, IncidentStatus.on_scene, at=clock.now(), now=clock.now())
    return incident.id


class TestRecommend:
    def test_team_finishing_next_door_ranks_before_idle_team_far_away(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        busy = make_team(session, now=clock.now(), code="BUSY", lat=NEAR[0], lon=NEAR[1])
        make_team(session, now=clock.now(), code="FAR", lat=FAR[0], lon=FAR[1])
        on_scene(session, clock, busy.id, NEAR)
        clock.advance(timedelta(minutes=15))
        incident = report(session, clock, ["elderly"], HERE)
        ranked = recommend_teams(session, incident, policy=POLICY, travel=TRAVEL, now=clock.now())
        assert [r.team_code for r in ranked] == ["BUSY", "FAR"]
        assert ranked[0].free_in_s == 300
        assert "free in 5 min" in ranked[0].explanation

    def test_stale_position_is_flagged(self, session: Session, clock: FixedClock) -> None:
        beijing_tree(session)
        make_team(session, now=clock.now() - timedelta(hours=2), code="OLD")
        incident = report(session, clock, ["elderly"], HERE)
        (only,) = recommend_teams(session, incident, policy=POLICY, travel=TRAVEL, now=clock.now())
        assert only.is_position_stale
        assert "stale" in only.explanation

    def test_limit_keeps_the_best(self, session: Session, clock: FixedClock) -> None:
        beijing_tree(session)
        make_team(session, now=clock.now(), code="A", lat=FAR[0], lon=FAR[1])
        make_team(session, now=clock.now(), code="B", lat=NEAR[0], lon=NEAR[1])
        incident = report(session, clock, ["elderly"], HERE)
        ranked = recommend_teams(
            session, incident, policy=POLICY, travel=TRAVEL, now=clock.now(), limit=1
        )
        assert [r.team_code for r in ranked] == ["B"]


class TestRankingRead:
    def test_varied_teams_rank_as_the_rules_say(self, session: Session, clock: FixedClock) -> None:
        """Capability, staleness, an on-scene team, a walking team, workload and a team holding
        a next job, read in one statement and ranked as columns."""
        beijing_tree(session)
        escort = (Capability.police_escort, Capability.transport)
        mid = (HERE[0] + 0.036, HERE[1])  # about 4 km north
        make_team(
            session, now=clock.now(), code="ESCORT", lat=FAR[0], lon=FAR[1], capabilities=escort
        )
        make_team(
            session,
            now=clock.now() - timedelta(hours=2),
            code="STALE",
            lat=NEAR[0],
            lon=NEAR[1],
            capabilities=escort,
        )
        busy = make_team(session, now=clock.now(), code="BUSY", lat=NEAR[0], lon=NEAR[1])
        make_team(session, now=clock.now(), code="WALKER", lat=NEAR[0], lon=NEAR[1], vehicle=None)
        worked = make_team(session, now=clock.now(), code="IDLE-A", lat=mid[0], lon=mid[1])
        make_team(session, now=clock.now(), code="IDLE-B", lat=mid[0], lon=mid[1])
        queued = make_team(session, now=clock.now(), code="QUEUED", lat=FAR[0], lon=FAR[1])
        earlier = on_scene(session, clock, worked.id, mid)
        report_progress(session, earlier, IncidentStatus.resolved, at=clock.now(), now=clock.now())
        on_scene(session, clock, queued.id, FAR)
        following = report(session, clock, ["refuses_help"], (FAR[0] + 0.01, FAR[1]))
        assign_team(session, following.id, queued.id, policy=POLICY, travel=TRAVEL, now=clock.now())
        on_scene(session, clock, busy.id, NEAR)
        clock.advance(timedelta(minutes=15))

        incident = report(session, clock, ["minor"], HERE)  # police escort and transport
        ranked = recommend_teams(session, incident, policy=POLICY, travel=TRAVEL, now=clock.now())

        codes = [r.team_code for r in ranked]
        assert codes == ["ESCORT", "STALE", "BUSY", "WALKER", "IDLE-B", "IDLE-A"]
        by_code = {r.team_code: r for r in ranked}
        assert by_code["STALE"].is_position_stale
        assert by_code["BUSY"].free_in_s == 300
        assert by_code["BUSY"].missing_capabilities == ("police_escort", "transport")
        assert by_code["IDLE-A"].dispatches_24h == 1
        assert by_code["IDLE-B"].dispatches_24h == 0
        assert by_code["IDLE-A"].eta_s == by_code["IDLE-B"].eta_s
        assert "walking" in by_code["WALKER"].explanation
        assert (
            by_code["WALKER"].eta_s == TRAVEL.travel(NEAR, HERE, TravelMode.walking).travel_time_s
        )
        best = recommend_teams(
            session, incident, policy=POLICY, travel=TRAVEL, now=clock.now(), limit=3
        )
        assert best == ranked[:3]


class OneWayTravel(StraightLineTravel):
    """Straight line to the incident, but ten times as long from it (a one-way street)."""

    def one_to_many(
        self, origin: tuple[float, float], targets: list[tuple[float, float]], mode: TravelMode
    ) -> list[TravelEstimate]:
        return [
            TravelEstimate(distance_m=e.distance_m * 10, travel_time_s=e.travel_time_s * 10)
            for e in TRAVEL.one_to_many(origin, targets, mode)
        ]

    def many_to_one(
        self, origins: list[tuple[float, float]], target: tuple[float, float], mode: TravelMode
    ) -> list[TravelEstimate]:
        return TRAVEL.many_to_one(origins, target, mode)


class TestDirection:
    def test_estimates_run_from_the_team_to_the_incident(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        team = make_team(session, now=clock.now(), code="A", lat=NEAR[0], lon=NEAR[1])
        incident = report(session, clock, ["elderly"], HERE)
        one_way = OneWayTravel(detour_factor=1.4, vehicle_speed_kmh=30, walking_speed_kmh=4.5)
        expected = TRAVEL.travel(NEAR, HERE, TravelMode.vehicle).travel_time_s
        (only,) = recommend_teams(session, incident, policy=POLICY, travel=one_way, now=clock.now())
        assert only.eta_s == expected
        dispatch = assign_team(
            session, incident.id, team.id, policy=POLICY, travel=one_way, now=clock.now()
        )
        assert dispatch.estimated_travel_s == expected


def _next_job_queued(session: Session, clock: FixedClock) -> tuple[Team, int, Incident]:
    """A team on scene at one incident (its id) and sent to a second as its next job."""
    beijing_tree(session)
    busy = make_team(session, now=clock.now(), code="BUSY", lat=NEAR[0], lon=NEAR[1])
    current = on_scene(session, clock, busy.id, NEAR)
    following = report(session, clock, ["elderly"], HERE)
    assign_team(session, following.id, busy.id, policy=POLICY, travel=TRAVEL, now=clock.now())
    return busy, current, following


class TestNextJob:
    def test_on_scene_team_takes_a_next_job_and_leaves_for_it_when_clear(
        self, session: Session, clock: FixedClock
    ) -> None:
        busy, current, following = _next_job_queued(session, clock)
        assert require_team(session, busy.id).status == TeamStatus.on_scene

        third = report(session, clock, ["elderly"], FAR)
        assert recommend_teams(session, third, policy=POLICY, travel=TRAVEL, now=clock.now()) == []

        clock.advance(timedelta(minutes=20))
        report_progress(session, current, IncidentStatus.resolved, at=clock.now(), now=clock.now())
        assert require_team(session, busy.id).status == TeamStatus.dispatched
        assert [d.team_id for d in dispatches_for(session, following.id)] == [busy.id]

    def test_a_team_closing_its_next_job_first_is_back_at_the_one_still_open(
        self, session: Session, clock: FixedClock
    ) -> None:
        busy, current, following = _next_job_queued(session, clock)
        for step in (IncidentStatus.en_route, IncidentStatus.on_scene, IncidentStatus.resolved):
            clock.advance(timedelta(minutes=5))
            report_progress(
                session, following.id, step, at=clock.now(), now=clock.now(), team_id=busy.id
            )
        assert require_team(session, busy.id).status == TeamStatus.on_scene, (
            "its first job is still open and it was on scene there"
        )
        clock.advance(timedelta(minutes=5))
        report_progress(session, current, IncidentStatus.resolved, at=clock.now(), now=clock.now())
        assert require_team(session, busy.id).status == TeamStatus.available


class TestSameTeamTwice:
    def test_a_team_already_sent_to_an_incident_is_not_sent_again(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        team = make_team(session, now=clock.now(), code="ONCE", lat=NEAR[0], lon=NEAR[1])
        incident = on_scene(session, clock, team.id, NEAR)
        with pytest.raises(TeamUnavailableError, match="already sent to incident"):
            assign_team(session, incident, team.id, policy=POLICY, travel=TRAVEL, now=clock.now())
        assert [d.team_id for d in dispatches_for(session, incident)] == [team.id]


class TestFirstResponder:
    def test_critical_gets_the_nearest_team_as_well_as_the_capable_one(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        make_team(session, now=clock.now(), code="NEAR", lat=NEAR[0], lon=NEAR[1])
        capable = (Capability.medical, Capability.transport)
        make_team(
            session, now=clock.now(), code="MEDIC", lat=FAR[0], lon=FAR[1], capabilities=capable
        )
        incident = report(session, clock, ["unresponsive"], HERE)
        sent = {require_team(session, d.team_id).code for d in dispatches_for(session, incident.id)}
        assert sent == {"NEAR", "MEDIC"}
        assert all(d.is_automatic for d in dispatches_for(session, incident.id))

    def test_only_the_capable_team_when_it_is_also_the_soonest(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        make_team(session, now=clock.now(), code="FAR", lat=FAR[0], lon=FAR[1])
        capable = (Capability.medical, Capability.transport)
        make_team(
            session, now=clock.now(), code="MEDIC", lat=NEAR[0], lon=NEAR[1], capabilities=capable
        )
        incident = report(session, clock, ["unresponsive"], HERE)
        sent = [require_team(session, d.team_id).code for d in dispatches_for(session, incident.id)]
        assert sent == ["MEDIC"]


class TestShifts:
    def test_team_whose_shift_ends_before_the_job_ranks_below_one_that_can_finish(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        # Next door, but leaving in 10 min: reach plus 20 min on scene would outlast it.
        make_team(
            session,
            now=clock.now(),
            code="LEAVING",
            lat=NEAR[0],
            lon=NEAR[1],
            shift_ends_at=clock.now() + timedelta(minutes=10),
        )
        make_team(
            session,
            now=clock.now(),
            code="STAYING",
            lat=FAR[0],
            lon=FAR[1],
            shift_ends_at=clock.now() + timedelta(hours=8),
        )
        make_team(session, now=clock.now(), code="UNKNOWN", lat=FAR[0], lon=FAR[1])
        incident = report(session, clock, ["elderly"], HERE)
        ranked = recommend_teams(session, incident, policy=POLICY, travel=TRAVEL, now=clock.now())
        assert [r.team_code for r in ranked] == ["STAYING", "UNKNOWN", "LEAVING"]
        leaving = ranked[2]
        assert leaving.is_shift_too_short
        assert leaving.eta_s < ranked[0].eta_s
        assert "shift ends in 10 min, before the job would end" in leaving.explanation
        assert not ranked[0].is_shift_too_short
        assert "shift" not in ranked[0].explanation

    def test_team_whose_shift_ended_is_neither_recommended_nor_sent(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        gone = make_team(
            session,
            now=clock.now(),
            code="GONE",
            lat=NEAR[0],
            lon=NEAR[1],
            shift_ends_at=clock.now() + timedelta(hours=1),
        )
        clock.advance(timedelta(hours=1))  # the end itself: the shift is over
        incident = report(session, clock, ["elderly"], HERE)
        assert (
            recommend_teams(session, incident, policy=POLICY, travel=TRAVEL, now=clock.now()) == []
        )
        with pytest.raises(TeamUnavailableError, match="GONE's shift ended at 2026-01-20 15:00"):
            assign_team(
                session, incident.id, gone.id, policy=POLICY, travel=TRAVEL, now=clock.now()
            )
        assert require_team(session, gone.id).status == TeamStatus.available
