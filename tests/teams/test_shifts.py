"""Team shifts: a shift end given on coming on duty (or changed later), cleared on going off
duty, and refused when past, more than a day ahead, or given to a team off duty."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from streetrelief.core.clock import FixedClock
from streetrelief.core.errors import InvalidInputError
from streetrelief.db.outbox import events_after
from streetrelief.teams.models import TeamStatus
from streetrelief.teams.schemas import TeamStatusUpdate, TeamUpdate
from streetrelief.teams.service import report_team_status, update_team
from tests.factories.regions import beijing_tree
from tests.factories.teams import make_team


class TestService:
    def test_coming_on_duty_sets_the_end_and_going_off_duty_clears_it(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        team = make_team(session, now=clock.now())
        report_team_status(
            session, team.id, TeamStatusUpdate(status=TeamStatus.off_duty), now=clock.now()
        )
        end = clock.now() + timedelta(hours=10)
        report_team_status(
            session,
            team.id,
            TeamStatusUpdate(status=TeamStatus.available, shift_ends_at=end),
            now=clock.now(),
        )
        assert (team.status, team.shift_ends_at) == (TeamStatus.available, end)
        assert events_after(session, 0)[-1].payload["shift_ends_at"] == end.isoformat()
        report_team_status(
            session, team.id, TeamStatusUpdate(status=TeamStatus.off_duty), now=clock.now()
        )
        assert team.shift_ends_at is None

    def test_shift_end_alone_changes_it_and_patch_can_clear_it(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        team = make_team(session, now=clock.now(), shift_ends_at=clock.now() + timedelta(hours=2))
        later = clock.now() + timedelta(hours=4)
        report_team_status(session, team.id, TeamStatusUpdate(shift_ends_at=later), now=clock.now())
        assert team.shift_ends_at == later
        update_team(session, team.id, TeamUpdate(shift_ends_at=None), now=clock.now())
        assert team.shift_ends_at is None

    @pytest.mark.parametrize(
        ("hours", "reason"),
        [(0, "must lie in the future"), (-1, "must lie in the future"), (24.5, "24 hours")],
    )
    def test_end_now_past_or_beyond_a_day_refused(
        self, session: Session, clock: FixedClock, hours: float, reason: str
    ) -> None:
        beijing_tree(session)
        team = make_team(session, now=clock.now())
        end = clock.now() + timedelta(hours=hours)
        with pytest.raises(InvalidInputError, match=reason):
            update_team(session, team.id, TeamUpdate(shift_ends_at=end), now=clock.now())
        assert team.shift_ends_at is None

    def test_off_duty_team_has_no_shift_end(self, session: Session, clock: FixedClock) -> None:
        beijing_tree(session)
        team = make_team(session, now=clock.now())
        with pytest.raises(InvalidInputError, match="off-duty team has no shift"):
            report_team_status(
                session,
                team.id,
                TeamStatusUpdate(
                    status=TeamStatus.off_duty, shift_ends_at=clock.now() + timedelta(hours=1)
                ),
                now=clock.now(),
            )
        assert team.status == TeamStatus.available


class TestApi:
    def test_on_duty_with_shift_end_then_off_duty(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        team = make_team(session, now=clock.now())
        url = f"/api/v1/teams/{team.id}/status"
        assert client.post(url, json={"status": "off_duty"}).status_code == 200
        # 08:00 Beijing the next morning.
        r = client.post(
            url, json={"status": "available", "shift_ends_at": "2026-01-21T08:00+08:00"}
        )
        assert r.status_code == 200, r.text
        assert r.json()["shift_ends_at"] == "2026-01-21T00:00:00Z"
        r = client.post(url, json={"status": "off_duty"})
        assert r.json()["shift_ends_at"] is None

    def test_patch_sets_the_shift_end(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        team = make_team(session, now=clock.now())
        end = (clock.now() + timedelta(hours=6)).isoformat()
        r = client.patch(f"/api/v1/teams/{team.id}", json={"shift_ends_at": end})
        assert r.status_code == 200, r.text
        assert r.json()["shift_ends_at"] == "2026-01-20T20:00:00Z"

    @pytest.mark.parametrize(
        ("body", "reason"),
        [
            ({"shift_ends_at": "2026-01-20T13:00:00Z"}, "must lie in the future"),
            ({"shift_ends_at": "2026-01-22T08:00:00+08:00"}, "more than 24 hours ahead"),
            ({"shift_ends_at": "2026-01-21T08:00:00"}, "timezone"),
            ({"status": "off_duty", "shift_ends_at": "2026-01-21T00:00Z"}, "no shift"),
        ],
    )
    def test_bad_shift_end_is_422_with_the_reason(
        self,
        session: Session,
        client: TestClient,
        clock: FixedClock,
        body: dict[str, str],
        reason: str,
    ) -> None:
        beijing_tree(session)
        team = make_team(session, now=clock.now())
        r = client.post(f"/api/v1/teams/{team.id}/status", json=body)
        assert r.status_code == 422, r.text
        assert reason in r.text
        shown = client.get(f"/api/v1/teams/{team.id}").json()
        assert (shown["status"], shown["shift_ends_at"]) == ("available", None)
