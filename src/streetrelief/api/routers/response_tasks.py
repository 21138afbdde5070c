"""Response tasks: list by region and status, acknowledge, mark done."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from streetrelief.access.principal import Principal, region_filter, require_in_jurisdiction
from streetrelief.access.roles import Permission
from streetrelief.api.deps import ClockDep, IdPath, SessionDep
from streetrelief.api.security import require
from streetrelief.response.task_schemas import TaskAction, TaskRead
from streetrelief.response.tasks import (
    acknowledge_task,
    complete_task,
    list_tasks,
    task_read,
    task_region,
)

router = APIRouter(prefix="/response-tasks", tags=["response"])

ReadTasks = Annotated[Principal, Depends(require(Permission.response_read))]
UpdateTasks = Annotated[Principal, Depends(require(Permission.response_tasks_update))]


@router.get("", response_model=list[TaskRead])
def get_tasks(
    principal: ReadTasks,
    session: SessionDep,
    region_code: Annotated[
        str | None, Query(max_length=32, description="Only tasks of this subtree.")
    ] = None,
    status: Annotated[
        str | None, Query(max_length=16, description="open, acknowledged, done or cancelled.")
    ] = None,
) -> list[TaskRead]:
    """Tasks the level changes created in the caller's regions, newest first, with owner, due
    time and status."""
    region = region_filter(session, principal, region_code)
    return list_tasks(session, region_code=region, status=status)


@router.post("/{task_id}/acknowledge", response_model=TaskRead)
def post_acknowledge(
    task_id: IdPath, body: TaskAction, principal: UpdateTasks, session: SessionDep, clock: ClockDep
) -> TaskRead:
    """Record who has taken the task on, and when."""
    require_in_jurisdiction(session, principal, task_region(session, task_id), f"task {task_id}")
    return task_read(acknowledge_task(session, task_id, by=body.by, now=clock.now()))


@router.post("/{task_id}/done", response_model=TaskRead)
def post_done(
    task_id: IdPath, body: TaskAction, principal: UpdateTasks, session: SessionDep, clock: ClockDep
) -> TaskRead:
    """Record that the task is done, by whom and when."""
    require_in_jurisdiction(session, principal, task_region(session, task_id), f"task {task_id}")
    return task_read(complete_task(session, task_id, by=body.by, now=clock.now()))
