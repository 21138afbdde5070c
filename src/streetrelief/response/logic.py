"""Pure planning of the tasks a level change sets in motion.

Given the playbook actions of the old and the new level, the region's service points, the
tasks still in force from earlier changes, who is on duty and the stock plan, ``plan_tasks``
says which tasks to create (with owners from the roster, or flagged unassigned) and which
earlier open tasks no longer apply and are cancelled. Storing tasks and emitting events is
``response.tasks``'s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from streetrelief.duty.models import DutyRole
from streetrelief.response.playbook import LevelActions
from streetrelief.supplies.logic import StockPlan

OPEN_ALL_DAY = "24/7"
"""A point's hours when it never closes (OpenStreetMap opening_hours syntax)."""


class TaskKind(StrEnum):
    """What a task asks for."""

    open_standby_point = "open_standby_point"
    close_standby_point = "close_standby_point"
    extend_hours = "extend_hours"
    restore_hours = "restore_hours"
    transfer_stock = "transfer_stock"
    procure_stock = "procure_stock"
    notify_leader = "notify_leader"
    set_patrol_frequency = "set_patrol_frequency"
    set_revisit_interval = "set_revisit_interval"
    set_admission = "set_admission"


class TaskStatus(StrEnum):
    """Where a task stands: open → acknowledged → done, or cancelled."""

    open = "open"
    acknowledged = "acknowledged"
    done = "done"
    cancelled = "cancelled"


TASK_DUE: Mapping[TaskKind, timedelta] = {
    TaskKind.notify_leader: timedelta(minutes=15),
    TaskKind.set_patrol_frequency: timedelta(hours=1),
    TaskKind.set_revisit_interval: timedelta(hours=1),
    TaskKind.set_admission: timedelta(hours=1),
    TaskKind.extend_hours: timedelta(hours=1),
    TaskKind.open_standby_point: timedelta(hours=2),
    TaskKind.transfer_stock: timedelta(hours=6),
    TaskKind.close_standby_point: timedelta(hours=12),
    TaskKind.restore_hours: timedelta(hours=12),
    TaskKind.procure_stock: timedelta(hours=24),
}
"""How long after the level change each kind of task is due. A streetrelief campaign choice
(2026-11-29): leaders are told within a quarter of an hour and rules change within the hour;
points open within two hours; stand-down waits half a day so nobody is turned out at night."""

_SUPERSEDED_ALWAYS = ("notify:", "transfer:", "procure:")
"""Subjects whose open tasks a newer change always replaces (a new notice, a new plan)."""


@dataclass(frozen=True, slots=True)
class PointView:
    """A service point as the planner sees it."""

    id: int
    code: str
    name: str
    kind: str
    is_active: bool
    hours: str


@dataclass(frozen=True, slots=True)
class ShiftView:
    """A shift on duty: who, in which role, at which point (None: a command centre)."""

    id: int
    role: DutyRole
    person_name: str
    region_code: str
    service_point_id: int | None


@dataclass(frozen=True, slots=True)
class EarlierTask:
    """A task of an earlier change, not cancelled, the latest one of its subject."""

    id: int
    kind: TaskKind
    subject: str
    status: TaskStatus
    details: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TaskSpec:
    """A task to create."""

    kind: TaskKind
    subject: str
    title: str
    due_after: timedelta
    service_point_id: int | None = None
    owner: ShiftView | None = None
    details: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TaskPlan:
    """What a level change does to the task list."""

    create: tuple[TaskSpec, ...]
    cancel: tuple[int, ...]


def owner_for(
    shifts: Sequence[ShiftView], region_code: str, point_id: int | None = None
) -> ShiftView | None:
    """The leader in charge who owns a task: at the point, else at the region's command
    centre, else any leader on duty in the region; None when no leader is on duty."""
    leaders = [s for s in shifts if s.role == DutyRole.leader_in_charge]
    at_point = [s for s in leaders if point_id is not None and s.service_point_id == point_id]
    centre = [s for s in leaders if s.service_point_id is None and s.region_code == region_code]
    anywhere = [s for s in leaders if s.service_point_id is None] + leaders
    for group in (at_point, centre, anywhere):
        if group:
            return group[0]
    return None


def _spec(
    kind: TaskKind,
    subject: str,
    title: str,
    owner: ShiftView | None,
    *,
    point: int | None = None,
    **details: object,
) -> TaskSpec:
    return TaskSpec(kind, subject, title, TASK_DUE[kind], point, owner, details)


def plan_tasks(
    *,
    region_code: str,
    old: LevelActions,
    new: LevelActions,
    points: Sequence[PointView],
    earlier: Mapping[str, EarlierTask],
    on_duty: Sequence[ShiftView],
    stock: StockPlan,
) -> TaskPlan:
    """The tasks of one level change, and the earlier open tasks it cancels.

    Args:
        region_code: the region whose level changed.
        old: the playbook actions of the level left; ``new`` those of the level entered.
        points: the region subtree's service points.
        earlier: the latest non-cancelled task of each subject from earlier changes.
        on_duty: the shifts on duty in the region at the change.
        stock: the pre-positioning plan at the new level (``supplies.logic.plan_transfers``).

    Returns:
        Tasks to create (point tasks in point-code order) and earlier task ids to cancel.
    """
    region_owner = owner_for(on_duty, region_code)
    create: list[TaskSpec] = []
    cancel: list[int] = []

    def stand_down(subject: str, kind: TaskKind, title: str, point: PointView) -> None:
        before = earlier.get(subject)
        if before is None or before.kind not in (
            TaskKind.open_standby_point,
            TaskKind.extend_hours,
        ):
            return
        if before.status == TaskStatus.open:
            cancel.append(before.id)
            return
        owner = owner_for(on_duty, region_code, point.id)
        create.append(_spec(kind, subject, title, owner, point=point.id, **before.details))

    for p in sorted(points, key=lambda p: p.code):
        standby, hours = f"standby:{p.id}", f"hours:{p.id}"
        is_standby_open = p.kind in new.open_standby_points
        is_on = earlier.get(standby)
        opening = (
            is_standby_open
            and not p.is_active
            and (is_on is None or is_on.kind != TaskKind.open_standby_point)
        )
        if opening:
            create.append(
                _spec(
                    TaskKind.open_standby_point,
                    standby,
                    f"open standby point {p.code} ({p.name})",
                    owner_for(on_duty, region_code, p.id),
                    point=p.id,
                )
            )
        elif not is_standby_open:
            stand_down(standby, TaskKind.close_standby_point, f"close standby point {p.code}", p)

        is_open = (
            p.is_active
            or opening
            or (is_on is not None and is_on.kind == TaskKind.open_standby_point)
        )
        wants_24h = p.kind in new.extend_hours_24h and is_open
        hours_on = earlier.get(hours)
        if (
            wants_24h
            and p.hours != OPEN_ALL_DAY
            and (hours_on is None or hours_on.kind != TaskKind.extend_hours)
        ):
            create.append(
                _spec(
                    TaskKind.extend_hours,
                    hours,
                    f"extend hours of {p.code} ({p.name}) to 24 h",
                    owner_for(on_duty, region_code, p.id),
                    point=p.id,
                    hours_before=p.hours,
                )
            )
        elif not wants_24h:
            before = hours_on.details.get("hours_before", "") if hours_on is not None else ""
            stand_down(hours, TaskKind.restore_hours, f"restore hours of {p.code} to {before}", p)

    _settings(create, cancel=cancel, earlier=earlier, old=old, new=new, owner=region_owner)

    for subject, task in earlier.items():
        if subject.startswith(_SUPERSEDED_ALWAYS) and task.status == TaskStatus.open:
            cancel.append(task.id)

    roles = list(dict.fromkeys((*new.notify, *old.notify)))
    for role in roles:
        holders = [s for s in on_duty if s.role == role]
        for s in holders:
            create.append(
                _spec(
                    TaskKind.notify_leader,
                    f"notify:{s.id}",
                    f"notify {role.value} on duty {s.person_name}",
                    s,
                    role=role.value,
                )
            )
        if not holders:
            create.append(
                _spec(
                    TaskKind.notify_leader,
                    f"notify:{role.value}:nobody",
                    f"notify {role.value} on duty: nobody is on duty",
                    region_owner,
                    role=role.value,
                )
            )

    code = {p.id: p.code for p in points}
    for t in stock.transfers:
        create.append(
            _spec(
                TaskKind.transfer_stock,
                f"transfer:{t.item}:{t.from_point_id}:{t.to_point_id}",
                f"transfer {t.quantity} {t.item} from {code.get(t.from_point_id, '?')} "
                f"to {code.get(t.to_point_id, '?')}",
                owner_for(on_duty, region_code, t.from_point_id),
                point=t.to_point_id,
                item=t.item,
                quantity=t.quantity,
                from_point_id=t.from_point_id,
                to_point_id=t.to_point_id,
                distance_m=round(t.distance_m),
            )
        )
    for n in stock.to_procure:
        create.append(
            _spec(
                TaskKind.procure_stock,
                f"procure:{n.item}:{n.point_id}",
                f"procure {n.quantity} {n.item} for {code.get(n.point_id, '?')}",
                region_owner,
                point=n.point_id,
                item=n.item,
                quantity=n.quantity,
            )
        )
    return TaskPlan(tuple(create), tuple(dict.fromkeys(cancel)))


def _settings(
    create: list[TaskSpec],
    *,
    cancel: list[int],
    earlier: Mapping[str, EarlierTask],
    old: LevelActions,
    new: LevelActions,
    owner: ShiftView | None,
) -> None:
    """Region-wide settings that changed: patrol frequency, revisit interval, admission."""
    changes: list[tuple[TaskKind, str, str, dict[str, object]]] = []
    if new.patrol_multiplier != old.patrol_multiplier:
        changes.append(
            (
                TaskKind.set_patrol_frequency,
                "patrol",
                f"set hotspot patrol frequency to ×{new.patrol_multiplier:g}",
                {"patrol_multiplier": new.patrol_multiplier},
            )
        )
    if new.refusal_revisit_interval_s != old.refusal_revisit_interval_s:
        interval = new.refusal_revisit_interval_s
        text = "the usual interval" if interval is None else f"{interval / 3600:g} h"
        verb = (
            "shorten"
            if interval is not None
            and (
                old.refusal_revisit_interval_s is None or interval < old.refusal_revisit_interval_s
            )
            else "restore"
        )
        changes.append(
            (
                TaskKind.set_revisit_interval,
                "revisit",
                f"{verb} revisits of people who refused help to {text}",
                {"refusal_revisit_interval_s": interval},
            )
        )
    if new.admission != old.admission:
        relaxed = ", ".join(new.admission.relaxed) or "the usual rules"
        changes.append(
            (
                TaskKind.set_admission,
                "admission",
                f"set admission at stations and shelters: {relaxed}",
                {"relaxed": list(new.admission.relaxed)},
            )
        )
    for kind, subject, title, details in changes:
        previous = earlier.get(subject)
        if previous is not None and previous.status == TaskStatus.open:
            cancel.append(previous.id)
        create.append(TaskSpec(kind, subject, title, TASK_DUE[kind], None, owner, details))
