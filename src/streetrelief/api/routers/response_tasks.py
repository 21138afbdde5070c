"""Response tasks: list by region and status, acknowledge, mark done."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from streetrelief.api.deps import ClockDep, IdPath, SessionDep
from streetrelief.response.task_schemas import TaskAction, TaskRead
from streetrelief.response.tasks import acknowledge_task, complete_task, list_tasks, task_read

router = APIRouter(prefix="/response-tasks", tags=["response"])


@router.get("", response_model=list[TaskRead])
def get_tasks(
    session: SessionDep,
    region_code: Annotated[
        str | None, Query(max_length=32, description="Only tasks of this subtree.")
    ] = None,
    status: Annotated[
        str | None, Query(max_length=16, description="open, acknowledged, done or cancelled.")
    ] = None,
) -> list[TaskRead]:
    """Tasks the level changes created, newest first, with owner, due time and status."""
    return list_tasks(session, region_code=region_code, status=status)


@router.post("/{task_id}/acknowledge", response_model=TaskRead)
def post_acknowledge(
    task_id: IdPath, body: TaskAction, session: SessionDep, clock: ClockDep
) -> TaskRead:
    """Record who has taken the task on, and when."""
    return task_read(acknowledge_task(session, task_id, by=body.by, now=clock.now()))


@router.post("/{task_id}/done", response_model=TaskRead)
def post_done(task_id: IdPath, body: TaskAction, session: SessionDep, clock: ClockDep) -> TaskRead:
    """Record that the task is done, by whom and when."""
    return task_read(complete_task(session, task_id, by=body.by, now=clock.now()))
