"""Queries on region responses and their activation log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from streetrelief.regions.repository import in_subtree
from streetrelief.response.models import RegionResponse, ResponseActivation, ResponseTask


def get(session: Session, region_code: str) -> RegionResponse | None:
    """The response row of ``region_code``, or None when it is not configured."""
    return session.get(RegionResponse, region_code)


def get_for_update(session: Session, region_code: str) -> RegionResponse | None:
    """The response row of ``region_code``, locked for this transaction (``FOR UPDATE`` on
    PostgreSQL; SQLite's write transaction holds the database already), read afresh."""
    return session.get(RegionResponse, region_code, with_for_update=True, populate_existing=True)


def by_codes(session: Session, region_codes: Sequence[str]) -> Sequence[RegionResponse]:
    """The response rows of those of ``region_codes`` that are configured."""
    if not region_codes:
        return []
    stmt = select(RegionResponse).where(RegionResponse.region_code.in_(region_codes))
    return session.scalars(stmt).all()


def in_region_subtree(session: Session, root_path: str | None) -> Sequence[RegionResponse]:
    """Configured regions of a subtree (every one when None), by region code."""
    stmt = select(RegionResponse)
    if root_path is not None:
        stmt = stmt.where(in_subtree(RegionResponse.region_code, root_path))
    return session.scalars(stmt.order_by(RegionResponse.region_code)).all()


def activations(
    session: Session, region_code: str, *, limit: int = 200
) -> Sequence[ResponseActivation]:
    """The level changes of ``region_code``, newest first."""
    stmt = (
        select(ResponseActivation)
        .where(ResponseActivation.region_code == region_code)
        .order_by(ResponseActivation.at.desc(), ResponseActivation.id.desc())
        .limit(limit)
    )
    return session.scalars(stmt).all()


def nearest_configured(session: Session, chain: Sequence[str]) -> RegionResponse | None:
    """The configured region nearest the end of ``chain`` (codes from the root down)."""
    rows = {r.region_code: r for r in by_codes(session, chain)}
    return next((rows[c] for c in reversed(chain) if c in rows), None)


def level_at(session: Session, region_code: str, at: datetime) -> int:
    """The level a configured region had at ``at``: the last change at or before it (0 if none)."""
    stmt = (
        select(ResponseActivation.to_level)
        .where(ResponseActivation.region_code == region_code, ResponseActivation.at <= at)
        .order_by(ResponseActivation.at.desc(), ResponseActivation.id.desc())
        .limit(1)
    )
    level = session.scalars(stmt).first()
    return 0 if level is None else level


def get_activation(session: Session, activation_id: int) -> ResponseActivation | None:
    """The activation with ``activation_id``, or None."""
    return session.get(ResponseActivation, activation_id)


def get_task(session: Session, task_id: int) -> ResponseTask | None:
    """The task with ``task_id``, or None."""
    return session.get(ResponseTask, task_id)


def tasks_of_activation(session: Session, activation_id: int) -> Sequence[ResponseTask]:
    """The tasks one activation created, by id."""
    stmt = select(ResponseTask).where(ResponseTask.activation_id == activation_id)
    return session.scalars(stmt.order_by(ResponseTask.id)).all()


def tasks_of_region(session: Session, region_code: str) -> Sequence[ResponseTask]:
    """Every task of one region, oldest first."""
    stmt = select(ResponseTask).where(ResponseTask.region_code == region_code)
    return session.scalars(stmt.order_by(ResponseTask.id)).all()


def tasks(
    session: Session, *, root_path: str | None, status: str | None, limit: int = 1000
) -> Sequence[ResponseTask]:
    """Tasks of a subtree (all when None), optionally of one status, newest first."""
    stmt = select(ResponseTask)
    if root_path is not None:
        stmt = stmt.where(in_subtree(ResponseTask.region_code, root_path))
    if status is not None:
        stmt = stmt.where(ResponseTask.status == status)
    return session.scalars(stmt.order_by(ResponseTask.id.desc()).limit(limit)).all()
