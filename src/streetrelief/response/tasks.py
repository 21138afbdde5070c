"""Use cases of the playbook: the actions in force, the tasks of each level change, their
acknowledgement, and the supplies pre-positioning plan.

Owns the ``response_tasks`` table and the events ``response.task_created``,
``response.task_acknowledged``, ``response.task_done``, ``response.task_cancelled`` and
``response.leader_notice``, all written in the caller's transaction. ``response.service`` calls
:func:`apply_playbook` where it records an activation. Who is on duty is asked of
``duty.service``, the points of ``service_points.service``, stock of ``supplies.service``; the
planning itself is ``response.logic`` and ``supplies.logic``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from streetrelief.core.clock import ensure_utc
from streetrelief.core.errors import InvalidInputError, NotFoundError, TaskClosedError
from streetrelief.db.outbox import emit
from streetrelief.duty.service import to_reads, who_is_on_duty
from streetrelief.incidents import repository as incidents_repository
from streetrelief.regions.service import require_region
from streetrelief.response import repository
from streetrelief.response.levels import ResponseLevel
from streetrelief.response.logic import (
    EarlierTask,
    PointView,
    ShiftView,
    TaskKind,
    TaskStatus,
    plan_tasks,
)
from streetrelief.response.models import ResponseActivation, ResponseTask
from streetrelief.response.playbook import LevelActions
from streetrelief.response.policy import ResponsePolicy, load_preset
from streetrelief.response.task_schemas import (
    PlanRead,
    PlaybookRead,
    ProcureRead,
    TaskRead,
    TransferRead,
)
from streetrelief.service_points.models import ServicePoint
from streetrelief.service_points.service import list_service_points
from streetrelief.supplies.logic import PointStock, StockPlan, plan_transfers
from streetrelief.supplies.service import stock_by_point, transfer_between_points

TASK_CREATED = "response.task_created"
TASK_ACKNOWLEDGED = "response.task_acknowledged"
TASK_DONE = "response.task_done"
TASK_CANCELLED = "response.task_cancelled"
LEADER_NOTICE = "response.leader_notice"


def playbook_for(session: Session, region_code: str, at: datetime) -> PlaybookRead:
    """The playbook actions in force in a region at ``at``.

    The level is the region's own, or its nearest configured ancestor's, as it stood at ``at``
    (from the activation log). The patrol planner reads ``patrol_multiplier``, refusals read
    ``refusal_revisit_interval_s``, shelters read ``admission``, triage reads
    ``response_target_factor``.

    Args:
        region_code: any region.
        at: aware moment.

    Returns:
        The actions; at level none (or with no configured ancestor) the policy's baseline.

    Raises:
        UnknownRegionError: no such region.
        InvalidInputError: ``at`` is naive.
    """
    if at.utcoffset() is None:
        raise InvalidInputError("at needs a UTC offset", field="at")
    at = ensure_utc(at)
    region = require_region(session, region_code)
    chain = [c for c in region.path.strip("/").split("/") if c]
    source = repository.nearest_configured(session, chain)
    level = ResponseLevel.none
    actions = LevelActions()
    if source is not None:
        level = ResponseLevel(repository.level_at(session, source.region_code, at))
        actions = _policy(source.preset, source.province).actions(level)
    return PlaybookRead(
        region_code=region.code,
        at=at,
        level=level.name,
        from_region_code=None if source is None else source.region_code,
        patrol_multiplier=actions.patrol_multiplier,
        open_standby_points=sorted(actions.open_standby_points),
        extend_hours_24h=sorted(actions.extend_hours_24h),
        stock_targets={k.value: dict(v) for k, v in actions.stock_targets.items()},
        refusal_revisit_interval_s=actions.refusal_revisit_interval_s,
        response_target_factor=actions.response_target_factor,
        admission=actions.admission,
        notify=[r.value for r in actions.notify],
    )


def apply_playbook(
    session: Session, activation: ResponseActivation, policy: ResponsePolicy, *, now: datetime
) -> list[ResponseTask]:
    """Create the tasks of one level change (raise or lower) and tell the leaders on duty.

    Open tasks of earlier changes that no longer apply are cancelled; acted-on openings and
    24-hour hours that no longer apply get stand-down tasks (close the point, restore its
    hours). Each task's owner is the leader in charge on duty at its point, else at the
    region's command centre, else anywhere in the region; with nobody on duty it is flagged
    unassigned. Safe to run twice: an activation that has tasks gets none again.

    Args:
        activation: the logged change.
        policy: the region's policy (its playbook).
        now: aware time of the change; due times count from it.

    Returns:
        The tasks created (empty when the activation already had tasks).
    """
    if repository.tasks_of_activation(session, activation.id):
        return []
    now = ensure_utc(now)
    region = activation.region_code
    old = policy.actions(ResponseLevel(activation.from_level))
    new = policy.actions(ResponseLevel(activation.to_level))
    points = list(list_service_points(session, region_code=region))
    shifts = who_is_on_duty(session, region, now)
    on_duty = [
        ShiftView(s.id, s.role, s.person_name, s.region_code, s.service_point_id) for s in shifts
    ]
    plan = plan_tasks(
        region_code=region,
        old=old,
        new=new,
        points=[PointView(p.id, p.code, p.name, p.kind, p.is_active, p.hours) for p in points],
        earlier=_earlier(session, region),
        on_duty=on_duty,
        stock=_stock_plan(session, points, new),
    )
    created = []
    for spec in plan.create:
        task = ResponseTask(
            region_code=region,
            activation_id=activation.id,
            level=activation.to_level,
            kind=spec.kind.value,
            subject=spec.subject,
            title=spec.title,
            service_point_id=spec.service_point_id,
            details=dict(spec.details),
            owner_name=None if spec.owner is None else spec.owner.person_name,
            owner_shift_id=None if spec.owner is None else spec.owner.id,
            is_unassigned=spec.owner is None,
            due_at=now + spec.due_after,
            status=TaskStatus.open.value,
            created_at=now,
        )
        session.add(task)
        created.append(task)
    session.flush()
    # The leaders hear of the change first; the task messages follow.
    roles = {t.details.get("role") for t in created if t.kind == TaskKind.notify_leader}
    recipients = [r for r in to_reads(session, shifts) if r.role.value in roles]
    emit(
        session,
        type_=LEADER_NOTICE,
        subject="response_activation",
        subject_id=activation.id,
        at=now,
        region_code=region,
        payload={
            "region_code": region,
            "from_level": ResponseLevel(activation.from_level).name,
            "level": ResponseLevel(activation.to_level).name,
            "trigger": {
                "kind": activation.trigger_kind,
                "rule": activation.trigger_rule,
                "warning": activation.trigger_warning,
                "reading_c": activation.trigger_reading_c,
                "reason": activation.reason,
            },
            "recipients": [r.model_dump(mode="json") for r in recipients],
            "unreached_roles": sorted(
                str(t.details.get("role")) for t in created if t.subject.endswith(":nobody")
            ),
        },
    )
    for task_id in plan.cancel:
        _cancel(session, task_id, activation, now=now)
    for task in created:
        _emit(session, task, TASK_CREATED, now, **_created_payload(task))
    return created


def tighten_open_targets(
    session: Session, activation: ResponseActivation, policy: ResponsePolicy
) -> list[int]:
    """After a level change, shorten the response-time targets of open incidents no team has
    reached yet, in the changed region's subtree where it is the nearest configured region.

    An incident's target is the triage policy's times the least ``response_target_factor`` of
    the levels in force since it was triaged (triage applies the level of the moment; each
    rise since tightened it). So when the new level's factor is below that least factor, the
    target becomes target * new factor / least factor (seconds, rounded, at least 1); a
    lowered level never lengthens a target. The breach timer and the overdue list then follow
    the shorter target. Source of the factors: the playbook (``LevelActions``).

    Args:
        activation: the change just logged (its ``at`` is now).
        policy: the region's policy.

    Returns:
        The ids of the incidents whose target was shortened.
    """
    new = policy.actions(ResponseLevel(activation.to_level)).response_target_factor
    root = require_region(session, activation.region_code)
    nested = [
        r.region_code
        for r in repository.in_region_subtree(session, root.path)
        if r.region_code != root.code
    ]
    earlier = [a for a in repository.activations(session, root.code) if a.id != activation.id]
    shortened = []
    for incident in incidents_repository.open_unreached(session, scope=(root.path,)):
        if incident.triaged_at is None or incident.response_target_s is None:
            continue
        path = require_region(session, incident.region_code).path
        if any(f"/{code}/" in path for code in nested):
            continue  # a configured region nearer the incident sets its level
        triaged_at = ensure_utc(incident.triaged_at)
        seen = [repository.level_at(session, root.code, triaged_at)]
        seen += [a.to_level for a in earlier if ensure_utc(a.at) > triaged_at]
        least = min(policy.actions(ResponseLevel(v)).response_target_factor for v in seen)
        if new < least:
            incident.response_target_s = max(1, round(incident.response_target_s * new / least))
            shortened.append(incident.id)
    return shortened


def list_tasks(
    session: Session, *, region_code: str | None = None, status: str | None = None
) -> list[TaskRead]:
    """Tasks of a region subtree (all when None), optionally of one status, newest first.

    Raises:
        UnknownRegionError: ``region_code`` is not a region.
        InvalidInputError: ``status`` is not a task status.
    """
    if status is not None and status not in TaskStatus.__members__:
        known = ", ".join(TaskStatus)
        raise InvalidInputError(f"unknown task status {status!r}; known: {known}", field="status")
    path = require_region(session, region_code).path if region_code is not None else None
    return [task_read(t) for t in repository.tasks(session, root_path=path, status=status)]


def acknowledge_task(session: Session, task_id: int, *, by: str, now: datetime) -> ResponseTask:
    """Record that ``by`` has taken a task on; acknowledging again changes nothing.

    Raises:
        NotFoundError: no such task.
        TaskClosedError: the task is done or cancelled.
        InvalidInputError: ``by`` is blank.
    """
    task = _open_task(session, task_id, by)
    if task.status == TaskStatus.open:
        task.status = TaskStatus.acknowledged.value
        task.acknowledged_by, task.acknowledged_at = by.strip(), ensure_utc(now)
        session.flush()
        _emit(session, task, TASK_ACKNOWLEDGED, ensure_utc(now), by=task.acknowledged_by)
    return task


def complete_task(session: Session, task_id: int, *, by: str, now: datetime) -> ResponseTask:
    """Record that a task is done (acknowledging it by the same person if nobody had).

    A finished ``transfer_stock`` task records its transfer in the supplies ledger.

    Raises:
        NotFoundError: no such task.
        TaskClosedError: the task is already done or cancelled.
        InvalidInputError: ``by`` is blank.
        InsufficientStockError: a transfer's source no longer holds the quantity.
    """
    task = _open_task(session, task_id, by)
    now = ensure_utc(now)
    if task.kind == TaskKind.transfer_stock:
        d = task.details
        transfer_between_points(
            session,
            str(d["item"]),
            int(d["quantity"]),
            int(d["from_point_id"]),
            int(d["to_point_id"]),
            by=by.strip(),
            now=now,
            reason=f"response task {task.id}",
        )
    if task.acknowledged_at is None:
        task.acknowledged_by, task.acknowledged_at = by.strip(), now
    task.status = TaskStatus.done.value
    task.done_by, task.done_at = by.strip(), now
    session.flush()
    _emit(session, task, TASK_DONE, now, by=task.done_by)
    return task


def prepositioning_plan(session: Session, region_code: str, *, at: datetime) -> PlanRead:
    """The transfers and purchases that bring a region's points to its level's stock targets.

    Args:
        region_code: any region; the level is its own or its nearest configured ancestor's.
        at: aware moment whose level applies.

    Raises:
        UnknownRegionError: no such region.
    """
    playbook = playbook_for(session, region_code, at)
    source = playbook.from_region_code
    actions = LevelActions()
    if source is not None:
        row = repository.get(session, source)
        if row is not None:
            actions = _policy(row.preset, row.province).actions(ResponseLevel[playbook.level])
    points = list(list_service_points(session, region_code=region_code))
    plan = _stock_plan(session, points, actions)
    codes = {p.id: p.code for p in points}
    return PlanRead(
        region_code=region_code,
        level=playbook.level,
        transfers=[
            TransferRead(
                item=t.item,
                quantity=t.quantity,
                from_point=codes[t.from_point_id],
                to_point=codes[t.to_point_id],
                distance_m=round(t.distance_m, 1),
            )
            for t in plan.transfers
        ],
        to_procure=[
            ProcureRead(item=n.item, quantity=n.quantity, point=codes[n.point_id])
            for n in plan.to_procure
        ],
    )


def task_read(task: ResponseTask) -> TaskRead:
    """The API shape of a task."""
    values = {name: getattr(task, name) for name in TaskRead.model_fields}
    return TaskRead.model_validate({**values, "level": ResponseLevel(task.level).name})


def _policy(preset: str, province: str | None) -> ResponsePolicy:
    return load_preset(preset, province=province)


def _stock_plan(
    session: Session, points: Sequence[ServicePoint], actions: LevelActions
) -> StockPlan:
    # Points that are open, and standby points this level opens, hold and receive stock.
    taking_part = [p for p in points if p.is_active or p.kind in actions.open_standby_points]
    held = stock_by_point(session, {p.id for p in taking_part})
    return plan_transfers(
        [
            PointStock(
                p.id,
                p.lat,
                p.lon,
                target=actions.stock_targets.get(p.kind, {}),
                current=held.get(p.id, {}),
            )
            for p in taking_part
        ]
    )


def _earlier(session: Session, region_code: str) -> dict[str, EarlierTask]:
    latest: dict[str, EarlierTask] = {}
    for t in repository.tasks_of_region(session, region_code):
        if t.status != TaskStatus.cancelled:
            latest[t.subject] = EarlierTask(
                t.id, TaskKind(t.kind), t.subject, TaskStatus(t.status), dict(t.details)
            )
    return latest


def _cancel(
    session: Session, task_id: int, activation: ResponseActivation, *, now: datetime
) -> None:
    task = repository.get_task(session, task_id)
    if task is None or task.status != TaskStatus.open:
        return
    task.status = TaskStatus.cancelled.value
    task.cancelled_at, task.cancelled_by_activation_id = now, activation.id
    _emit(session, task, TASK_CANCELLED, now, by_activation_id=activation.id)


def task_region(session: Session, task_id: int) -> str:
    """The region code of a task.

    Raises:
        NotFoundError: no such task.
    """
    task = repository.get_task(session, task_id)
    if task is None:
        raise NotFoundError(f"response task {task_id} not found", task_id=task_id)
    return task.region_code


def _open_task(session: Session, task_id: int, by: str) -> ResponseTask:
    if not by.strip():
        raise InvalidInputError("say who acts on the task", field="by")
    task = repository.get_task(session, task_id)
    if task is None:
        raise NotFoundError(f"response task {task_id} not found", task_id=task_id)
    if task.status in (TaskStatus.done, TaskStatus.cancelled):
        raise TaskClosedError(f"response task {task_id} is {task.status}", task_id=task_id)
    return task


def _created_payload(task: ResponseTask) -> dict[str, object]:
    return {
        "activation_id": task.activation_id,
        "kind": task.kind,
        "title": task.title,
        "service_point_id": task.service_point_id,
        "owner_name": task.owner_name,
        "owner_shift_id": task.owner_shift_id,
        "is_unassigned": task.is_unassigned,
        "due_at": task.due_at.isoformat(),
    }


def _emit(
    session: Session, task: ResponseTask, type_: str, at: datetime, **payload: object
) -> None:
    emit(
        session,
        type_=type_,
        subject="response_task",
        subject_id=task.id,
        at=at,
        region_code=task.region_code,
        payload={"status": task.status, **payload},
    )
