"""Response-time targets tightened by the response level in force when an incident is
triaged, and by a rise while it waits: the stored target, the overdue list and the breach
timer all follow it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from streetrelief.core.clock import FixedClock
from streetrelief.dispatch.timers import raise_target_breaches
from streetrelief.dispatch.travel import StraightLineTravel
from streetrelief.incidents.models import Incident, Priority
from streetrelief.incidents.service import overdue_incidents, require_incident
from streetrelief.intake.models import Channel
from streetrelief.intake.schemas import ReportCreate
from streetrelief.intake.service import receive_report
from streetrelief.response.levels import ResponseLevel
from streetrelief.response.policy import load_preset
from streetrelief.response.service import clear_override, configure_region, override_level
from streetrelief.triage.policy import load_policy
from tests.factories.regions import beijing_tree

TRAVEL = StraightLineTravel(detour_factor=1.4, vehicle_speed_kmh=30, walking_speed_kmh=4.5)
POLICY = load_policy()
CITY = "1101"


def report(session: Session, clock: FixedClock) -> Incident:
    result = receive_report(
        session,
        ReportCreate(
            channel=Channel.hotline,
            reported_at=clock.now(),
            lat=39.9175,
            lon=116.4170,
            conditions=["elderly"],
        ),
        clock=clock,
        policy=POLICY,
        travel=TRAVEL,
    )
    return require_incident(session, result.incident_id)


@pytest.fixture
def beijing(session: Session, clock: FixedClock) -> None:
    beijing_tree(session)
    configure_region(session, CITY, "china", now=clock.now() - timedelta(days=1))


def test_level_ii_shortens_the_target_and_the_incident_falls_due_sooner(
    session: Session, clock: FixedClock, beijing: None
) -> None:
    factor = load_preset("china").actions(ResponseLevel.II).response_target_factor
    assert factor < 1.0
    override_level(
        session, CITY, ResponseLevel.II, reason="寒潮橙色预警", until=None, by="王", now=clock.now()
    )
    incident = report(session, clock)
    assert incident.priority is not None
    base = POLICY.response_targets_s[Priority(incident.priority)]
    assert incident.response_target_s == round(base * factor)
    clock.advance(timedelta(seconds=round(base * factor) + 1))
    assert [i.id for i in overdue_incidents(session, now=clock.now())] == [incident.id]
    assert raise_target_breaches(session, now=clock.now()) == [incident.id]


def test_level_none_keeps_the_policy_target(
    session: Session, clock: FixedClock, beijing: None
) -> None:
    incident = report(session, clock)
    assert incident.priority is not None
    base = POLICY.response_targets_s[Priority(incident.priority)]
    assert incident.response_target_s == base
    clock.advance(timedelta(seconds=round(base * 0.6) + 1))
    assert overdue_incidents(session, now=clock.now()) == []


def _level_iii(session: Session, clock: FixedClock) -> None:
    """The city's leader raises the response to level III (a yellow cold-wave warning)."""
    warning = "寒潮黄色预警"
    override_level(
        session, CITY, ResponseLevel.III, reason=warning, until=None, by="王", now=clock.now()
    )


def test_a_rise_shortens_the_target_of_a_waiting_incident_once_and_a_fall_keeps_it(
    session: Session, clock: FixedClock, beijing: None
) -> None:
    china = load_preset("china")
    factor = china.actions(ResponseLevel.III).response_target_factor
    assert factor < 1.0
    incident = report(session, clock)
    assert incident.priority is not None
    base = POLICY.response_targets_s[Priority(incident.priority)]
    assert incident.response_target_s == base
    clock.advance(timedelta(seconds=60))
    _level_iii(session, clock)
    assert incident.response_target_s == round(base * factor)
    clock.advance(timedelta(seconds=60))
    clear_override(session, CITY, now=clock.now())
    assert incident.response_target_s == round(base * factor)
    clock.advance(timedelta(seconds=60))
    _level_iii(session, clock)
    # Level III again: no tighter than it already was.
    assert incident.response_target_s == round(base * factor)
    clock.advance(timedelta(seconds=round(base * factor) - 180 + 1))
    assert raise_target_breaches(session, now=clock.now()) == [incident.id]


def test_a_higher_level_may_not_loosen_the_target() -> None:
    playbook = load_preset("china").playbook
    assert playbook is not None
    with pytest.raises(ValueError, match="response_target_factor is above"):
        type(playbook).model_validate(
            playbook.model_dump()
            | {"I": {**playbook.I.model_dump(), "response_target_factor": 1.0}}
        )
