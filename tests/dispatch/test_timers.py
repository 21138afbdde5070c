"""Acknowledgement timeouts and response-target breaches: the next team goes, the duty leader
hears, and running the check twice changes nothing more."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from streetrelief.core.clock import FixedClock
from streetrelief.core.errors import IllegalTransitionError
from streetrelief.db.outbox import events_after
from streetrelief.dispatch.models import NOT_ACKNOWLEDGED
from streetrelief.dispatch.policy import DispatchPolicy
from streetrelief.dispatch.service import (
    assign_team,
    dispatches_for,
    recommend_teams,
    report_progress,
)
from streetrelief.dispatch.timers import (
    ACK_TIMEOUT,
    TARGET_BREACHED,
    acknowledge_dispatch,
    escalate_unacknowledged,
    raise_target_breaches,
)
from streetrelief.incidents.models import IncidentStatus
from streetrelief.incidents.service import overdue_incidents
from streetrelief.teams.models import TeamStatus
from streetrelief.teams.service import require_team
from tests.dispatch.test_service import FAR, HERE, NEAR, POLICY, TRAVEL, report
from tests.factories.duty import make_shift
from tests.factories.regions import beijing_tree
from tests.factories.teams import make_team

RULES = DispatchPolicy(ack_timeout_s=120)


def leader_on_duty(session: Session, clock: FixedClock) -> None:
    make_shift(
        session,
        now=clock.now(),
        name="Leader Wang",
        start_at=clock.now() - timedelta(hours=1),
        end_at=clock.now() + timedelta(hours=8),
    )


class TestAcknowledgementTimeout:
    def test_silent_team_is_replaced_by_the_next_and_the_leader_is_told(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        leader_on_duty(session, clock)
        silent = make_team(session, now=clock.now(), code="SILENT", lat=NEAR[0], lon=NEAR[1])
        other = make_team(session, now=clock.now(), code="OTHER", lat=FAR[0], lon=FAR[1])
        incident = report(session, clock, ["elderly"], HERE)
        first = assign_team(
            session, incident.id, silent.id, policy=POLICY, travel=TRAVEL, now=clock.now()
        )
        clock.advance(timedelta(seconds=60))
        assert (
            escalate_unacknowledged(
                session, policy=POLICY, travel=TRAVEL, now=clock.now(), rules=RULES
            )
            == []
        )

        clock.advance(timedelta(seconds=61))
        (timeout,) = escalate_unacknowledged(
            session, policy=POLICY, travel=TRAVEL, now=clock.now(), rules=RULES
        )
        assert (timeout.dispatch_id, timeout.next_team_id) == (first.id, other.id)
        assert first.outcome == NOT_ACKNOWLEDGED
        assert require_team(session, silent.id).status == TeamStatus.available
        assert [d.team_id for d in dispatches_for(session, incident.id)] == [silent.id, other.id]
        (event,) = [e for e in events_after(session, 0) if e.type == ACK_TIMEOUT]
        assert event.payload["next_team_id"] == other.id
        assert [r["person_name"] for r in event.payload["recipients"]] == ["Leader Wang"]
        assert (
            escalate_unacknowledged(
                session, policy=POLICY, travel=TRAVEL, now=clock.now(), rules=RULES
            )
            == []
        )

    def test_no_team_that_stayed_silent_is_sent_again(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        first = make_team(session, now=clock.now(), code="FIRST", lat=NEAR[0], lon=NEAR[1])
        second = make_team(session, now=clock.now(), code="SECOND", lat=NEAR[0], lon=NEAR[1])
        third = make_team(session, now=clock.now(), code="THIRD", lat=FAR[0], lon=FAR[1])
        incident = report(session, clock, ["elderly"], HERE)
        for team in (first, second):
            assign_team(
                session, incident.id, team.id, policy=POLICY, travel=TRAVEL, now=clock.now()
            )
        clock.advance(timedelta(seconds=121))
        timeouts = escalate_unacknowledged(
            session, policy=POLICY, travel=TRAVEL, now=clock.now(), rules=RULES
        )
        assert [t.next_team_id for t in timeouts] == [None, third.id]
        ranked = recommend_teams(session, incident, policy=POLICY, travel=TRAVEL, now=clock.now())
        assert [r.team_id for r in ranked] == [], "the silent teams are not recommended again"
        assert [d.team_id for d in dispatches_for(session, incident.id)] == [
            first.id,
            second.id,
            third.id,
        ]

    def test_acknowledged_or_moving_dispatch_never_times_out(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        a = make_team(session, now=clock.now(), code="A", lat=NEAR[0], lon=NEAR[1])
        b = make_team(session, now=clock.now(), code="B", lat=FAR[0], lon=FAR[1])
        one = report(session, clock, ["elderly"], HERE)
        two = report(session, clock, ["elderly"], FAR)
        sent = assign_team(session, one.id, a.id, policy=POLICY, travel=TRAVEL, now=clock.now())
        assign_team(session, two.id, b.id, policy=POLICY, travel=TRAVEL, now=clock.now())
        acknowledge_dispatch(session, sent.id, now=clock.now())
        report_progress(session, two.id, IncidentStatus.en_route, at=clock.now(), now=clock.now())
        clock.advance(timedelta(hours=1))
        assert (
            escalate_unacknowledged(
                session, policy=POLICY, travel=TRAVEL, now=clock.now(), rules=RULES
            )
            == []
        )

    def test_a_cleared_dispatch_cannot_be_acknowledged(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        team = make_team(session, now=clock.now())
        incident = report(session, clock, ["elderly"], HERE)
        sent = assign_team(
            session, incident.id, team.id, policy=POLICY, travel=TRAVEL, now=clock.now()
        )
        clock.advance(timedelta(minutes=5))
        escalate_unacknowledged(session, policy=POLICY, travel=TRAVEL, now=clock.now(), rules=RULES)
        with pytest.raises(IllegalTransitionError, match="cleared"):
            acknowledge_dispatch(session, sent.id, now=clock.now())


class TestResponseTargets:
    def test_overdue_incident_breaches_once_and_stays_on_the_overdue_list(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        leader_on_duty(session, clock)
        incident = report(session, clock, ["elderly"], HERE)
        target = incident.response_target_s
        assert target is not None
        clock.advance(timedelta(seconds=target))
        assert raise_target_breaches(session, now=clock.now()) == []
        assert overdue_incidents(session, now=clock.now()) == []

        clock.advance(timedelta(seconds=1))
        assert raise_target_breaches(session, now=clock.now()) == [incident.id]
        assert raise_target_breaches(session, now=clock.now()) == []
        assert [i.id for i in overdue_incidents(session, now=clock.now())] == [incident.id]
        (event,) = [e for e in events_after(session, 0) if e.type == TARGET_BREACHED]
        assert event.payload["waited_s"] == target + 1
        assert event.payload["recipients"][0]["person_name"] == "Leader Wang"

    def test_reached_incident_is_not_overdue(self, session: Session, clock: FixedClock) -> None:
        beijing_tree(session)
        team = make_team(session, now=clock.now())
        incident = report(session, clock, ["elderly"], HERE)
        assign_team(session, incident.id, team.id, policy=POLICY, travel=TRAVEL, now=clock.now())
        for step in (IncidentStatus.en_route, IncidentStatus.on_scene):
            report_progress(session, incident.id, step, at=clock.now(), now=clock.now())
        clock.advance(timedelta(hours=5))
        assert raise_target_breaches(session, now=clock.now()) == []
