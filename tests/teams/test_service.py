"""Team use cases: create, update, status and position reports, lists by region subtree."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from streetrelief.core.clock import FixedClock
from streetrelief.core.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    TeamUnavailableError,
    UnknownRegionError,
)
from streetrelief.db.outbox import events_after
from streetrelief.teams import repository
from streetrelief.teams.models import Capability, Department, TeamStatus, TravelMode
from streetrelief.teams.schemas import TeamCreate, TeamMemberIn, TeamStatusUpdate, TeamUpdate
from streetrelief.teams.service import (
    create_team,
    list_teams,
    report_team_status,
    set_team_status,
    staff_count,
    update_team,
)
from tests.factories.regions import beijing_tree
from tests.factories.teams import make_team


class TestCreate:
    def test_new_team_stands_at_its_base_and_is_announced(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        team = make_team(session, now=clock.now(), members=2)
        assert (team.last_lat, team.last_lon) == (team.base_lat, team.base_lon)
        assert team.status == TeamStatus.available
        assert team.status_at == team.position_at == clock.now()
        assert team.mode == TravelMode.vehicle
        assert staff_count(session, team.id) == 2
        (event,) = events_after(session, 0)
        assert (event.type, event.subject_id, event.region_code) == (
            "team.created",
            team.id,
            "110101",
        )

    def test_team_without_vehicle_walks(self, session: Session, clock: FixedClock) -> None:
        beijing_tree(session)
        assert make_team(session, now=clock.now(), vehicle=None).mode == TravelMode.walking

    def test_duplicate_code_refused(self, session: Session, clock: FixedClock) -> None:
        beijing_tree(session)
        make_team(session, now=clock.now(), code="T1")
        with pytest.raises(ConflictError, match="T1 is taken"):
            make_team(session, now=clock.now(), code="T1", region_code="110105")

    def test_unknown_region_refused(self, session: Session, clock: FixedClock) -> None:
        beijing_tree(session)
        with pytest.raises(UnknownRegionError):
            make_team(session, now=clock.now(), region_code="999999")


class TestUpdate:
    def test_given_fields_change_and_others_stay(self, session: Session, clock: FixedClock) -> None:
        beijing_tree(session)
        team = make_team(session, now=clock.now(), members=3)
        data = TeamUpdate(
            name="Night walkers",
            vehicle=None,
            capabilities=[Capability.medical],
            members=[TeamMemberIn(name="Li", department=Department.health, role="medic")],
        )
        update_team(session, team.id, data, now=clock.now())
        assert (team.name, team.vehicle, team.capabilities) == ("Night walkers", None, ["medical"])
        assert [(m.name, m.role) for m in team.members] == [("Li", "medic")]
        assert staff_count(session, team.id) == 1
        assert (team.base_lat, team.base_lon) == (39.917, 116.416)
        assert events_after(session, 0)[-1].payload == {
            "fields": ["capabilities", "members", "name", "vehicle"]
        }

    def test_unknown_team_not_found(self, session: Session, clock: FixedClock) -> None:
        with pytest.raises(NotFoundError):
            update_team(session, 10_000, TeamUpdate(name="x"), now=clock.now())

    def test_members_of_team_loaded_without_them_can_be_replaced(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        team = make_team(session, now=clock.now())
        session.expunge_all()
        found = repository.by_code(session, team.code)
        assert found is not None
        data = TeamUpdate(members=[TeamMemberIn(name="Li", department=Department.police)])
        updated = update_team(session, found.id, data, now=clock.now())
        assert [m.name for m in updated.members] == ["Li"]


class TestStatusReport:
    def test_status_and_position_recorded_with_their_time(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        team = make_team(session, now=clock.now())
        at = clock.now() + timedelta(minutes=5)
        report = TeamStatusUpdate(status=TeamStatus.returning, lat=39.92, lon=116.42, at=at)
        report_team_status(session, team.id, report, now=clock.now())
        assert (team.status, team.status_at) == (TeamStatus.returning, at)
        assert (team.last_lat, team.last_lon, team.position_at) == (39.92, 116.42, at)

    @pytest.mark.parametrize(
        "status", [TeamStatus.dispatched, TeamStatus.en_route, TeamStatus.on_scene]
    )
    def test_dispatch_statuses_are_not_self_reported(
        self, session: Session, clock: FixedClock, status: TeamStatus
    ) -> None:
        beijing_tree(session)
        team = make_team(session, now=clock.now())
        with pytest.raises(InvalidInputError, match="set by the incident"):
            report_team_status(session, team.id, TeamStatusUpdate(status=status), now=clock.now())

    def test_team_on_an_incident_cannot_go_free(self, session: Session, clock: FixedClock) -> None:
        beijing_tree(session)
        team = make_team(session, now=clock.now())
        set_team_status(session, team, TeamStatus.on_scene, clock.now())
        for status in (TeamStatus.available, TeamStatus.off_duty):
            with pytest.raises(TeamUnavailableError):
                report_team_status(
                    session, team.id, TeamStatusUpdate(status=status), now=clock.now()
                )
        report = TeamStatusUpdate(status=TeamStatus.transporting)
        report_team_status(session, team.id, report, now=clock.now())
        assert team.status == TeamStatus.transporting

    def test_time_in_the_future_refused(self, session: Session, clock: FixedClock) -> None:
        beijing_tree(session)
        team = make_team(session, now=clock.now())
        later = TeamStatusUpdate(status=TeamStatus.returning, at=clock.now() + timedelta(hours=1))
        with pytest.raises(InvalidInputError, match="future"):
            report_team_status(session, team.id, later, now=clock.now())

    def test_position_alone_keeps_status_time(self, session: Session, clock: FixedClock) -> None:
        beijing_tree(session)
        team = make_team(session, now=clock.now())
        started = team.status_at
        clock.advance(timedelta(minutes=3))
        report = TeamStatusUpdate(lat=39.93, lon=116.43)
        report_team_status(session, team.id, report, now=clock.now())
        assert (team.status, team.status_at) == (TeamStatus.available, started)
        assert team.position_at == clock.now()

    @pytest.mark.parametrize(
        ("report", "message"),
        [
            pytest.param(TeamStatusUpdate(lat=39.9), "both lat and lon", id="lat-without-lon"),
            pytest.param(TeamStatusUpdate(lon=116.4), "both lat and lon", id="lon-without-lat"),
            pytest.param(TeamStatusUpdate(), "nothing to record", id="empty"),
        ],
    )
    def test_incomplete_report_refused(
        self, session: Session, clock: FixedClock, report: TeamStatusUpdate, message: str
    ) -> None:
        beijing_tree(session)
        team = make_team(session, now=clock.now())
        with pytest.raises(InvalidInputError, match=message):
            report_team_status(session, team.id, report, now=clock.now())
        assert (team.last_lat, team.last_lon) == (team.base_lat, team.base_lon)


class TestList:
    @pytest.mark.parametrize(
        ("region_code", "expected"),
        [
            (None, ["CY", "DC", "HD"]),
            ("11", ["CY", "DC", "HD"]),
            ("1101", ["CY", "DC", "HD"]),
            ("110105", ["CY"]),
            ("110101", ["DC"]),
        ],
    )
    def test_teams_of_a_subtree_by_code(
        self, session: Session, clock: FixedClock, region_code: str | None, expected: list[str]
    ) -> None:
        beijing_tree(session)
        for code, region in [("HD", "110108"), ("DC", "110101"), ("CY", "110105")]:
            make_team(session, now=clock.now(), code=code, region_code=region)
        found = list_teams(session, region_code=region_code)
        assert [t.code for t in found] == expected

    def test_status_filter_and_members_loaded(self, session: Session, clock: FixedClock) -> None:
        beijing_tree(session)
        make_team(session, now=clock.now(), code="A", members=2)
        busy = create_team(
            session,
            TeamCreate(
                code="B",
                name="Off duty",
                region_code="110105",
                base_lat=39.92,
                base_lon=116.44,
                status=TeamStatus.off_duty,
            ),
            now=clock.now(),
        )
        session.expunge_all()
        found = list_teams(session, statuses=[TeamStatus.available], with_members=True)
        assert [(t.code, len(t.members)) for t in found] == [("A", 2)]
        assert busy.code not in {t.code for t in found}

    def test_unknown_region_refused(self, session: Session) -> None:
        with pytest.raises(UnknownRegionError):
            list_teams(session, region_code="999999")
