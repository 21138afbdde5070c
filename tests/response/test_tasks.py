"""The tasks a level change creates: owners from the roster, acknowledgement, stand-down,
idempotency, the leader notice, and the playbook other domains read."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from streetrelief.core.clock import FixedClock
from streetrelief.core.errors import InvalidInputError, NotFoundError, TaskClosedError
from streetrelief.db.outbox import Event
from streetrelief.duty.models import DutyRole
from streetrelief.response.levels import ResponseLevel
from streetrelief.response.models import ResponseActivation
from streetrelief.response.policy import load_preset
from streetrelief.response.service import (
    clear_override,
    configure_region,
    override_level,
    reassess_region,
)
from streetrelief.response.task_schemas import TaskRead
from streetrelief.response.tasks import (
    acknowledge_task,
    apply_playbook,
    complete_task,
    list_tasks,
    playbook_for,
    prepositioning_plan,
)
from streetrelief.service_points.models import ServicePointKind
from streetrelief.supplies.schemas import StockCount
from streetrelief.supplies.service import set_stock
from tests.factories.duty import make_point, make_shift
from tests.factories.regions import beijing_tree

CITY = "1101"


def bj(text: str) -> datetime:
    return datetime.fromisoformat(f"{text}+08:00")


def _events(session: Session, type_: str) -> list[Event]:
    return list(session.scalars(select(Event).where(Event.type == type_).order_by(Event.id)))


def _by_subject(tasks: list[TaskRead]) -> dict[str, TaskRead]:
    return {t.subject: t for t in tasks}


@pytest.fixture
def city(session: Session, clock: FixedClock) -> dict[str, int]:
    """Beijing with the china preset on 1101; a relief station open 08-20, a standby warming
    shelter, a 24/7 help point; stock; a leader at the command centre and at the station."""
    beijing_tree(session)
    now = clock.now()
    configure_region(session, CITY, "china", now=now - timedelta(days=1))
    rs = make_point(session, now=now, code="RS1", hours="08:00-20:00")
    ws = make_point(
        session,
        now=now,
        code="WS1",
        kind=ServicePointKind.warming_shelter,
        lat=39.931,
        hours="18:00-08:00",
        is_active=False,
    )
    hp = make_point(session, now=now, code="HP1", kind=ServicePointKind.help_point, lat=39.9)
    for item, quantity in [("quilts", 200), ("coats", 100), ("gloves", 150), ("hot_meals", 80)]:
        set_stock(
            session, StockCount(service_point_code="RS1", item=item, quantity=quantity), now=now
        )
    start, end = bj("2026-01-20 20:00"), bj("2026-01-21 08:00")
    wang = make_shift(session, now=now, name="王", start_at=start, end_at=end)
    li = make_shift(
        session, now=now, name="李", station="RS1", region_code="110105", start_at=start, end_at=end
    )
    zhao = make_shift(
        session, now=now, name="赵", role=DutyRole.dispatcher, start_at=start, end_at=end
    )
    return {"RS1": rs.id, "WS1": ws.id, "HP1": hp.id, "wang": wang.id, "li": li.id, "zhao": zhao.id}


def _raise_to_ii(session: Session, clock: FixedClock) -> None:
    override_level(
        session, CITY, ResponseLevel.II, reason="寒潮橙色预警", until=None, by="王", now=clock.now()
    )


class TestRaise:
    def test_raising_to_ii_creates_the_playbook_tasks_with_owners(
        self, session: Session, clock: FixedClock, city: dict[str, int]
    ) -> None:
        _raise_to_ii(session, clock)
        tasks = _by_subject(list_tasks(session, region_code="11"))
        rs, ws = city["RS1"], city["WS1"]
        assert {s: (t.kind, t.owner_name) for s, t in tasks.items()} == {
            f"standby:{ws}": ("open_standby_point", "王"),
            f"hours:{rs}": ("extend_hours", "李"),
            f"hours:{ws}": ("extend_hours", "王"),
            "patrol": ("set_patrol_frequency", "王"),
            "revisit": ("set_revisit_interval", "王"),
            "admission": ("set_admission", "王"),
            f"notify:{city['wang']}": ("notify_leader", "王"),
            f"notify:{city['li']}": ("notify_leader", "李"),
            f"notify:{city['zhao']}": ("notify_leader", "赵"),
            "notify:hotline_operator:nobody": ("notify_leader", "王"),
            f"transfer:quilts:{rs}:{ws}": ("transfer_stock", "李"),
            f"procure:coats:{ws}": ("procure_stock", "王"),
            f"procure:gloves:{ws}": ("procure_stock", "王"),
            f"procure:hot_meals:{ws}": ("procure_stock", "王"),
        }
        # The help point is neither a standby kind at II nor short of anything.
        assert all(t.service_point_id != city["HP1"] for t in tasks.values())
        assert tasks[f"standby:{ws}"].title == "open standby point WS1 (Point WS1)"
        assert tasks[f"transfer:quilts:{rs}:{ws}"].details["quantity"] == 50  # 200 - 120 → 50
        assert tasks[f"procure:coats:{ws}"].details["quantity"] == 30
        assert tasks["patrol"].title == "set hotspot patrol frequency to ×3"
        assert tasks["revisit"].title == "shorten revisits of people who refused help to 4 h"
        assert tasks[f"notify:{city['wang']}"].due_at == clock.now() + timedelta(minutes=15)
        assert {t.level for t in tasks.values()} == {"II"}
        assert {t.status for t in tasks.values()} == {"open"}
        [activation] = session.scalars(select(ResponseActivation)).all()
        assert {t.activation_id for t in tasks.values()} == {activation.id}
        assert len(_events(session, "response.task_created")) == len(tasks)

    def test_leader_notice_carries_trigger_and_roster_entries(
        self, session: Session, clock: FixedClock, city: dict[str, int]
    ) -> None:
        _raise_to_ii(session, clock)
        [notice] = _events(session, "response.leader_notice")
        assert notice.payload["level"] == "II"
        assert notice.payload["region_code"] == CITY
        assert notice.payload["trigger"]["kind"] == "override"
        assert notice.payload["trigger"]["reason"] == "寒潮橙色预警"
        recipients = {
            (r["person_name"], r["role"], r["station"]) for r in notice.payload["recipients"]
        }
        assert recipients == {
            ("王", "leader_in_charge", "command_centre"),
            ("李", "leader_in_charge", "RS1"),
            ("赵", "dispatcher", "command_centre"),
        }
        assert notice.payload["unreached_roles"] == ["hotline_operator"]

    def test_nobody_on_duty_leaves_tasks_unassigned_and_flagged(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        configure_region(session, CITY, "china", now=clock.now())
        make_point(session, now=clock.now(), code="RS1", hours="08:00-20:00")
        override_level(
            session, CITY, ResponseLevel.IV, reason="drill", until=None, by="", now=clock.now()
        )
        tasks = list_tasks(session, region_code=CITY)
        assert tasks
        assert all(t.is_unassigned and t.owner_name is None for t in tasks)
        assert "notify:leader_in_charge:nobody" in {t.subject for t in tasks}

    def test_reassessing_without_a_change_creates_no_duplicates(
        self, session: Session, clock: FixedClock, city: dict[str, int]
    ) -> None:
        _raise_to_ii(session, clock)
        before = len(list_tasks(session))
        clock.advance(timedelta(minutes=10))
        again = reassess_region(session, CITY, now=clock.now())
        assert not again.has_changed
        [activation] = session.scalars(select(ResponseActivation)).all()
        policy = load_preset("china")
        assert apply_playbook(session, activation, policy, now=clock.now()) == []
        assert len(list_tasks(session)) == before


class TestAcknowledge:
    def test_ack_records_who_and_when_then_done(
        self, session: Session, clock: FixedClock, city: dict[str, int]
    ) -> None:
        _raise_to_ii(session, clock)
        task = _by_subject(list_tasks(session))[f"standby:{city['WS1']}"]
        clock.advance(timedelta(minutes=7))
        acked = acknowledge_task(session, task.id, by=" 王 ", now=clock.now())
        assert (acked.status, acked.acknowledged_by, acked.acknowledged_at) == (
            "acknowledged",
            "王",
            clock.now(),
        )
        clock.advance(timedelta(minutes=30))
        done = complete_task(session, task.id, by="李", now=clock.now())
        assert (done.status, done.done_by, done.done_at) == ("done", "李", clock.now())
        assert done.acknowledged_by == "王"
        [ack_event] = _events(session, "response.task_acknowledged")
        assert (ack_event.subject_id, ack_event.payload["by"]) == (task.id, "王")
        with pytest.raises(TaskClosedError, match=f"response task {task.id} is done"):
            acknowledge_task(session, task.id, by="王", now=clock.now())

    def test_unknown_task_and_blank_name_refused(
        self, session: Session, clock: FixedClock, city: dict[str, int]
    ) -> None:
        with pytest.raises(NotFoundError, match="response task 999999 not found"):
            acknowledge_task(session, 999_999, by="王", now=clock.now())
        _raise_to_ii(session, clock)
        task = list_tasks(session)[0]
        with pytest.raises(InvalidInputError, match="say who"):
            complete_task(session, task.id, by="  ", now=clock.now())
        with pytest.raises(InvalidInputError, match="unknown task status 'late'"):
            list_tasks(session, status="late")


class TestLower:
    def test_lowering_cancels_open_tasks_and_stands_down_what_was_done(
        self, session: Session, clock: FixedClock, city: dict[str, int]
    ) -> None:
        _raise_to_ii(session, clock)
        raised = _by_subject(list_tasks(session))
        ws = city["WS1"]
        complete_task(session, raised[f"standby:{ws}"].id, by="王", now=clock.now())
        acknowledge_task(session, raised[f"hours:{ws}"].id, by="王", now=clock.now())
        clock.advance(timedelta(hours=3))
        lowered = clear_override(session, CITY, now=clock.now())
        assert (lowered.previous_level, lowered.response.level) == ("II", "none")

        after = {t.id: t for t in list_tasks(session)}
        # Open tasks of level II that no longer apply are cancelled by the new activation.
        rs_hours = after[raised[f"hours:{city['RS1']}"].id]
        assert rs_hours.status == "cancelled"
        assert rs_hours.cancelled_by_activation_id == lowered.activation.id  # type: ignore[union-attr]
        assert after[raised[f"transfer:quilts:{city['RS1']}:{ws}"].id].status == "cancelled"
        assert after[raised[f"notify:{city['zhao']}"].id].status == "cancelled"
        # What was done or taken on gets a stand-down task.
        new = _by_subject([t for t in after.values() if t.level == "none"])
        assert new[f"standby:{ws}"].kind == "close_standby_point"
        assert new[f"hours:{ws}"].kind == "restore_hours"
        assert new[f"hours:{ws}"].title == "restore hours of WS1 to 18:00-08:00"
        assert new["patrol"].title == "set hotspot patrol frequency to ×1"
        assert (
            new["revisit"].title
            == "restore revisits of people who refused help to the usual interval"
        )
        assert new["admission"].details == {"relaxed": []}
        assert f"hours:{city['RS1']}" not in new  # it was never extended
        # The leaders who had the level are told it ended.
        assert {f"notify:{city['wang']}", f"notify:{city['zhao']}"} <= set(new)
        assert _events(session, "response.task_cancelled")

    def test_raising_again_keeps_open_tasks_that_still_apply(
        self, session: Session, clock: FixedClock, city: dict[str, int]
    ) -> None:
        override_level(
            session, CITY, ResponseLevel.III, reason="黄色", until=None, by="王", now=clock.now()
        )
        first = _by_subject(list_tasks(session))
        standby = first[f"standby:{city['WS1']}"]
        clock.advance(timedelta(hours=1))
        _raise_to_ii(session, clock)
        tasks = list_tasks(session)
        # The III opening of WS1 still applies at II: kept, not duplicated.
        assert [t.id for t in tasks if t.subject == f"standby:{city['WS1']}"] == [standby.id]
        assert next(t for t in tasks if t.id == standby.id).status == "open"


class TestPlaybookFor:
    def test_other_domains_read_the_actions_in_force(
        self, session: Session, clock: FixedClock, city: dict[str, int]
    ) -> None:
        before = clock.now()
        clock.advance(timedelta(minutes=1))
        _raise_to_ii(session, clock)
        district = playbook_for(session, "110105", clock.now())
        assert (district.level, district.from_region_code) == ("II", CITY)
        assert district.patrol_multiplier == 3
        assert district.refusal_revisit_interval_s == 14400
        assert district.admission.admit_intoxicated
        earlier = playbook_for(session, "110105", before)
        assert (earlier.level, earlier.patrol_multiplier, earlier.refusal_revisit_interval_s) == (
            "none",
            1.0,
            None,
        )
        unconfigured = playbook_for(session, "11", clock.now())
        assert (unconfigured.level, unconfigured.from_region_code) == ("none", None)

    def test_naive_time_refused(self, session: Session, city: dict[str, int]) -> None:
        with pytest.raises(InvalidInputError, match="UTC offset"):
            playbook_for(session, CITY, datetime(2026, 1, 20, 22, 0))  # noqa: DTZ001 - the point

    def test_plan_at_the_current_level(
        self, session: Session, clock: FixedClock, city: dict[str, int]
    ) -> None:
        _raise_to_ii(session, clock)
        plan = prepositioning_plan(session, CITY, at=clock.now())
        assert plan.level == "II"
        assert [(t.item, t.quantity, t.from_point, t.to_point) for t in plan.transfers] == [
            ("quilts", 50, "RS1", "WS1")
        ]
        assert [(n.item, n.quantity, n.point) for n in plan.to_procure] == [
            ("coats", 30, "WS1"),
            ("gloves", 50, "WS1"),
            ("hot_meals", 50, "WS1"),
        ]
