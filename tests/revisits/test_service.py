"""Revisits of people who refused help: due times by level, brought forward when the level
rises, patrol tasks for the nearest free team, escalation once, and completion."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from streetrelief.core.clock import FixedClock
from streetrelief.core.errors import TaskClosedError
from streetrelief.db.outbox import events_after
from streetrelief.patrols.logic import load_calendar
from streetrelief.patrols.schemas import CheckInCreate, PlanRequest
from streetrelief.patrols.service.check_ins import check_in
from streetrelief.patrols.service.planning import plan_patrols, plan_reads
from streetrelief.people.models import Encounter, EncounterOutcome, PersonCategory
from streetrelief.people.schemas import EncounterCreate, PersonIn
from streetrelief.people.service import record_encounter
from streetrelief.privacy.service import purge
from streetrelief.response.levels import ResponseLevel
from streetrelief.response.service import clear_override, configure_region, override_level
from streetrelief.revisits.models import CompletedBy, Revisit, RevisitStatus
from streetrelief.revisits.schemas import HandOutcome, RevisitCancel, RevisitComplete
from streetrelief.revisits.service import (
    CREATED,
    DUE,
    OVERDUE,
    PLANNED,
    assign_due_revisits,
    cancel_revisit,
    complete_revisit,
    escalate_overdue_revisits,
    list_revisits,
)
from streetrelief.stats.service import compute_statistics
from streetrelief.teams.models import Capability, Team, TeamStatus
from streetrelief.teams.service import set_team_status
from tests.dispatch.test_service import FAR, HERE, NEAR, POLICY, TRAVEL, on_scene
from tests.dispatch.test_timers import leader_on_duty
from tests.factories.patrols import make_hotspot
from tests.factories.regions import beijing_tree
from tests.factories.teams import make_team

DAY = timedelta(hours=24)
GRACE_S = 3600


def meet(
    session: Session,
    clock: FixedClock,
    incident_id: int,
    team: Team,
    *,
    person_id: int | None = None,
    outcome: EncounterOutcome = EncounterOutcome.refused,
    categories: tuple[PersonCategory, ...] = (PersonCategory.rough_sleeper,),
    at: tuple[float, float] | None = None,
) -> int:
    """Record an encounter by ``team`` at the incident now; returns the person's id."""
    encounter = record_encounter(
        session,
        incident_id,
        EncounterCreate(
            person_id=person_id,
            person=None if person_id is not None else PersonIn(description="grey coat"),
            team_id=team.id,
            outcome=outcome,
            categories=list(categories),
            lat=None if at is None else at[0],
            lon=None if at is None else at[1],
        ),
        policy=POLICY,
        now=clock.now(),
    )
    return encounter.person_id


def refusal(
    session: Session, clock: FixedClock, code: str = "CREW", at: tuple[float, float] = HERE
) -> tuple[Team, int, int]:
    """A team on scene at ``at`` and a person who refused help there: (team, incident,
    person)."""
    team = make_team(session, now=clock.now(), code=code, lat=at[0], lon=at[1])
    incident_id = on_scene(session, clock, team.id, at)
    return team, incident_id, meet(session, clock, incident_id, team)


def only(session: Session, status: RevisitStatus | None = None) -> Revisit:
    (revisit,) = list_revisits(session, status=None if status is None else status.value)
    return revisit


def free(session: Session, team: Team, clock: FixedClock) -> None:
    set_team_status(session, team, TeamStatus.available, clock.now())


class TestCreation:
    def test_refusal_without_a_level_is_revisited_after_the_usual_day(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        _, incident_id, person_id = refusal(session, clock)
        revisit = only(session)
        assert (revisit.person_id, revisit.incident_id) == (person_id, incident_id)
        assert revisit.due_at == clock.now() + DAY
        assert (revisit.interval_s, revisit.interval_source) == (86400, "usual")
        assert (revisit.lat, revisit.lon) == pytest.approx(HERE)
        assert revisit.status == RevisitStatus.scheduled
        (event,) = [e for e in events_after(session, 0) if e.type == CREATED]
        assert event.payload["interval_source"] == "usual"

    def test_refusal_at_level_ii_is_revisited_after_its_four_hours(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        configure_region(session, "1101", "china", now=clock.now())
        override_level(
            session,
            "1101",
            ResponseLevel.II,
            reason="cold wave",
            until=None,
            by="t",
            now=clock.now(),
        )
        refusal(session, clock)
        revisit = only(session)
        assert revisit.due_at == clock.now() + timedelta(hours=4)
        assert revisit.interval_source == "level II"

    @pytest.mark.parametrize("category", [PersonCategory.minor, PersonCategory.disabled])
    def test_minors_and_disabled_people_cannot_refuse(
        self, session: Session, clock: FixedClock, category: PersonCategory
    ) -> None:
        beijing_tree(session)
        team = make_team(session, now=clock.now(), lat=HERE[0], lon=HERE[1])
        incident_id = on_scene(session, clock, team.id, HERE)
        meet(session, clock, incident_id, team, categories=(category,))
        meet(session, clock, incident_id, team, outcome=EncounterOutcome.supplies_on_site)
        assert list_revisits(session) == []


class TestLevelChange:
    def test_a_rising_level_brings_due_times_forward_and_never_later(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        configure_region(session, "1101", "china", now=clock.now())
        refusal(session, clock)
        refused_at = clock.now()
        clock.advance(timedelta(minutes=30))
        override_level(
            session, "1101", ResponseLevel.I, reason="red", until=None, by="t", now=clock.now()
        )
        revisit = only(session)
        assert revisit.due_at == refused_at + timedelta(hours=2)
        assert revisit.interval_source == "level I"
        clock.advance(timedelta(minutes=30))
        clear_override(session, "1101", now=clock.now())
        assert only(session).due_at == refused_at + timedelta(hours=2)

    def test_a_revisit_already_late_under_the_new_interval_is_due_now(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        configure_region(session, "1101", "china", now=clock.now())
        refusal(session, clock)
        clock.advance(timedelta(hours=3))
        override_level(
            session, "1101", ResponseLevel.I, reason="red", until=None, by="t", now=clock.now()
        )
        assert only(session).due_at == clock.now()


class TestTimers:
    def test_due_revisit_goes_to_the_nearest_free_outreach_team_once(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        crew, _, _ = refusal(session, clock)
        near = make_team(session, now=clock.now(), code="NEAR", lat=NEAR[0], lon=NEAR[1])
        make_team(session, now=clock.now(), code="FAR", lat=FAR[0], lon=FAR[1])
        make_team(
            session,
            now=clock.now(),
            code="MEDIC",
            lat=HERE[0],
            lon=HERE[1],
            capabilities=(Capability.medical,),
        )
        assert crew.status == TeamStatus.on_scene  # busy: not free for a revisit
        clock.advance(DAY - timedelta(seconds=1))
        assert assign_due_revisits(session, travel=TRAVEL, now=clock.now()) == []

        clock.advance(timedelta(seconds=1))
        (revisit,) = assign_due_revisits(session, travel=TRAVEL, now=clock.now())
        assert (revisit.team_id, revisit.status) == (near.id, RevisitStatus.assigned)
        assert revisit.assigned_at == clock.now()
        assert assign_due_revisits(session, travel=TRAVEL, now=clock.now()) == []
        (event,) = [e for e in events_after(session, 0) if e.type == DUE]
        assert (event.payload["team_code"], event.subject_id) == ("NEAR", revisit.id)

    def test_a_team_whose_shift_has_ended_is_not_given_a_revisit(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        refusal(session, clock)
        make_team(
            session,
            now=clock.now(),
            code="GONE",
            lat=HERE[0],
            lon=HERE[1],
            shift_ends_at=clock.now() + timedelta(hours=8),
        )
        far = make_team(session, now=clock.now(), code="FAR", lat=FAR[0], lon=FAR[1])
        clock.advance(DAY)
        (revisit,) = assign_due_revisits(session, travel=TRAVEL, now=clock.now())
        assert revisit.team_id == far.id

    def test_with_no_free_team_it_waits_due_until_one_is_free(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        crew, _, _ = refusal(session, clock)
        clock.advance(DAY)
        assert assign_due_revisits(session, travel=TRAVEL, now=clock.now()) == []
        assert only(session).status == RevisitStatus.due
        free(session, crew, clock)
        (revisit,) = assign_due_revisits(session, travel=TRAVEL, now=clock.now())
        assert (revisit.team_id, revisit.status) == (crew.id, RevisitStatus.assigned)

    def test_overdue_revisit_escalates_once_to_the_duty_leader(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        refusal(session, clock)
        clock.advance(DAY + timedelta(seconds=GRACE_S))
        leader_on_duty(session, clock)
        assert escalate_overdue_revisits(session, grace_s=GRACE_S, now=clock.now()) == []

        clock.advance(timedelta(seconds=1))
        (revisit,) = escalate_overdue_revisits(session, grace_s=GRACE_S, now=clock.now())
        assert (revisit.status, revisit.escalated_at) == (RevisitStatus.overdue, clock.now())
        assert escalate_overdue_revisits(session, grace_s=GRACE_S, now=clock.now()) == []
        (event,) = [e for e in events_after(session, 0) if e.type == OVERDUE]
        assert [r["person_name"] for r in event.payload["recipients"]] == ["Leader Wang"]
        assert event.payload["late_s"] == GRACE_S + 1


class TestCompletion:
    def test_meeting_the_person_again_completes_it_and_a_new_refusal_links_on(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        team, incident_id, person_id = refusal(session, clock)
        first = only(session)
        clock.advance(timedelta(hours=20))
        meet(session, clock, incident_id, team, person_id=person_id)
        assert first.status == RevisitStatus.done
        assert (first.completed_by, first.outcome) == (CompletedBy.encounter, "refused")
        (second,) = list_revisits(session, status="scheduled")
        assert second.previous_id == first.id
        assert second.due_at == clock.now() + DAY
        assert first.completing_encounter_id == second.encounter_id

    def test_the_assigned_team_meeting_someone_at_the_place_completes_it(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        crew, incident_id, _ = refusal(session, clock)
        free(session, crew, clock)
        clock.advance(DAY)
        assign_due_revisits(session, travel=TRAVEL, now=clock.now())
        meet(session, clock, incident_id, crew, outcome=EncounterOutcome.admitted_to_station)
        revisit = only(session, RevisitStatus.done)
        assert (revisit.completed_by, revisit.outcome) == (
            CompletedBy.encounter,
            "admitted_to_station",
        )

    def test_a_check_in_by_the_assigned_team_near_the_place_completes_it(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        crew, _, _ = refusal(session, clock)
        other = make_team(session, now=clock.now(), code="OTHER", lat=FAR[0], lon=FAR[1])
        here = make_hotspot(session, now=clock.now(), code="HERE", lat=HERE[0], lon=HERE[1])
        away = make_hotspot(session, now=clock.now(), code="AWAY", lat=NEAR[0], lon=NEAR[1])
        free(session, crew, clock)
        clock.advance(DAY)
        assign_due_revisits(session, travel=TRAVEL, now=clock.now())

        def visit(hotspot_id: int, team: Team, at: tuple[float, float]) -> int:
            data = CheckInCreate(team_id=team.id, lat=at[0], lon=at[1], checked_in_at=clock.now())
            result = check_in(session, hotspot_id, data, clock=clock, policy=POLICY, travel=TRAVEL)
            return result.check_in.id

        visit(here.id, other, HERE)  # another team
        visit(away.id, crew, NEAR)  # 500 m away
        assert only(session).status == RevisitStatus.assigned
        made = visit(here.id, crew, (HERE[0] + 0.0003, HERE[1]))  # 33 m off
        revisit = only(session)
        assert (revisit.status, revisit.completed_by) == (RevisitStatus.done, CompletedBy.check_in)
        assert (revisit.completing_check_in_id, revisit.outcome) == (made, "nobody_found")

    def test_staff_complete_or_cancel_by_hand_once(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        refusal(session, clock)
        revisit = only(session)
        done = complete_revisit(
            session,
            revisit.id,
            RevisitComplete(outcome=HandOutcome.seen_well, note="warm enough, took a blanket"),
            by="dispatcher Li",
            now=clock.now(),
        )
        assert (done.status, done.completed_by, done.closed_by) == (
            RevisitStatus.done,
            CompletedBy.by_hand,
            "dispatcher Li",
        )
        assert done.note == "warm enough, took a blanket"
        with pytest.raises(TaskClosedError, match="is done"):
            cancel_revisit(
                session, revisit.id, RevisitCancel(reason="moved"), by="x", now=clock.now()
            )


class TestFigures:
    def test_stats_count_revisits_done_and_done_before_overdue(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        start = clock.now()
        refusal(session, clock)
        refusal(session, clock, "OTHER", NEAR)
        early, late = list_revisits(session)
        hand = RevisitComplete(outcome=HandOutcome.seen_well)
        complete_revisit(session, early.id, hand, by="Li", now=clock.now())
        clock.advance(DAY + timedelta(seconds=GRACE_S + 1))
        escalate_overdue_revisits(session, grace_s=GRACE_S, now=clock.now())
        complete_revisit(session, late.id, hand, by="Li", now=clock.now())
        figures = compute_statistics(
            session, "1101", start, clock.now() + timedelta(seconds=1), now=clock.now()
        )
        assert (figures.revisits_done, figures.revisits_done_on_time) == (2, 1)


class TestPrivacy:
    def test_the_purge_coarsens_the_place_and_drops_the_note(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        refusal(session, clock)
        revisit = only(session)
        note = RevisitComplete(outcome=HandOutcome.seen_well, note="sleeps behind the kiosk")
        complete_revisit(session, revisit.id, note, by="Li", now=clock.now())
        purge(session, now=clock.now() + timedelta(days=400), default_days=365, dry_run=False)
        session.expire_all()
        revisit = only(session)
        encounter = session.get(Encounter, revisit.encounter_id)
        assert encounter is not None
        assert revisit.note is None
        assert (revisit.lat, revisit.lon) == (encounter.lat, encounter.lon)
        assert (revisit.lat, revisit.lon) != pytest.approx(HERE, abs=1e-4)


class TestPatrolPlan:
    def test_a_shift_plan_routes_a_revisit_due_in_the_shift_and_its_team_holds_it(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        crew, _, _ = refusal(session, clock)
        free(session, crew, clock)
        due_at = only(session).due_at
        start = clock.now() + timedelta(hours=20)
        request = PlanRequest(
            region_code="110101",
            shift_start_at=start,
            shift_end_at=start + timedelta(hours=8),
            time_limit_s=0.5,
        )
        plan = plan_patrols(
            session, request, travel=TRAVEL, calendar=load_calendar(), now=clock.now()
        )
        (stop,) = plan_reads(session, [plan])[0].stops
        revisit = only(session)
        assert (stop.revisit_id, stop.hotspot_id, stop.team_id) == (revisit.id, None, crew.id)
        assert (stop.earliest_at, stop.latest_at) == (start, due_at)
        assert (revisit.team_id, revisit.status) == (crew.id, RevisitStatus.assigned)
        assert [e.type for e in events_after(session, 0) if e.subject == "revisit"] == [
            CREATED,
            PLANNED,
        ]
        clock.advance(DAY)
        assert assign_due_revisits(session, travel=TRAVEL, now=clock.now()) == []

        # A replan keeps it on a route though a team already holds it.
        again = PlanRequest(**{**request.model_dump(), "replans_id": plan.id})
        replanned = plan_patrols(
            session, again, travel=TRAVEL, calendar=load_calendar(), now=clock.now()
        )
        assert [s.revisit_id for s in plan_reads(session, [replanned])[0].stops] == [revisit.id]

    def test_a_revisit_due_after_the_shift_waits_for_a_later_plan(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        crew, _, _ = refusal(session, clock)
        free(session, crew, clock)
        request = PlanRequest(
            region_code="110101",
            shift_start_at=clock.now(),
            shift_end_at=clock.now() + timedelta(hours=8),
            time_limit_s=0.5,
        )
        plan = plan_patrols(
            session, request, travel=TRAVEL, calendar=load_calendar(), now=clock.now()
        )
        assert plan_reads(session, [plan])[0].stops == []
        assert plan.message == "no visits are due: no active hotspot needs one"
