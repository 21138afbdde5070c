"""Queries on revisits."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from streetrelief.regions.repository import in_subtree
from streetrelief.regions.service import Scope, scope_clause
from streetrelief.revisits.models import OPEN_STATUSES, Revisit, RevisitStatus


def get(session: Session, revisit_id: int) -> Revisit | None:
    """The revisit with ``revisit_id``, or None."""
    return session.get(Revisit, revisit_id)


def listed(
    session: Session,
    *,
    root_path: str | None,
    statuses: Collection[RevisitStatus] | None,
    team_id: int | None = None,
    scope: Scope = None,
    limit: int = 200,
) -> Sequence[Revisit]:
    """Revisits of a subtree (all when None) inside ``scope``, optionally of some statuses and
    one team, by due time (then id)."""
    stmt = select(Revisit).where(scope_clause(Revisit.region_code, scope))
    if root_path is not None:
        stmt = stmt.where(in_subtree(Revisit.region_code, root_path))
    if statuses is not None:
        stmt = stmt.where(Revisit.status.in_([s.value for s in statuses]))
    if team_id is not None:
        stmt = stmt.where(Revisit.team_id == team_id)
    return session.scalars(stmt.order_by(Revisit.due_at, Revisit.id).limit(limit)).all()


def of_persons(session: Session, person_ids: Collection[int]) -> Sequence[Revisit]:
    """Every revisit of the given persons, by id."""
    stmt = select(Revisit).where(Revisit.person_id.in_(list(person_ids)))
    return session.scalars(stmt.order_by(Revisit.id)).all()


def open_in_subtree(session: Session, root_path: str) -> Sequence[Revisit]:
    """Revisits still to be made in a subtree."""
    stmt = select(Revisit).where(
        in_subtree(Revisit.region_code, root_path),
        Revisit.status.in_([s.value for s in OPEN_STATUSES]),
    )
    return session.scalars(stmt.order_by(Revisit.id)).all()


def open_of_person(session: Session, person_id: int) -> Sequence[Revisit]:
    """Revisits of a person still to be made, oldest first."""
    stmt = select(Revisit).where(
        Revisit.person_id == person_id, Revisit.status.in_([s.value for s in OPEN_STATUSES])
    )
    return session.scalars(stmt.order_by(Revisit.id)).all()


def open_of_team(session: Session, team_id: int, *, scope: Scope = None) -> Sequence[Revisit]:
    """Revisits a team holds as patrol tasks inside ``scope``, by due time."""
    stmt = select(Revisit).where(
        Revisit.team_id == team_id,
        Revisit.status.in_([s.value for s in OPEN_STATUSES]),
        scope_clause(Revisit.region_code, scope),
    )
    return session.scalars(stmt.order_by(Revisit.due_at, Revisit.id)).all()


def due_without_team(session: Session, now: datetime) -> Sequence[Revisit]:
    """Open revisits due by ``now`` that no team holds yet, by due time; locked, skipping rows
    another run holds (PostgreSQL), so two job processes never assign one twice."""
    stmt = select(Revisit).where(
        Revisit.status.in_([s.value for s in OPEN_STATUSES]),
        Revisit.team_id.is_(None),
        Revisit.due_at <= now,
    )
    return session.scalars(
        stmt.order_by(Revisit.due_at, Revisit.id).with_for_update(skip_locked=True)
    ).all()


def overdue_unescalated(session: Session, due_before: datetime) -> Sequence[Revisit]:
    """Open revisits due before ``due_before`` that were never escalated, by due time; locked as
    :func:`due_without_team` is."""
    stmt = select(Revisit).where(
        Revisit.status.in_([s.value for s in OPEN_STATUSES - {RevisitStatus.overdue}]),
        Revisit.escalated_at.is_(None),
        Revisit.due_at < due_before,
    )
    return session.scalars(
        stmt.order_by(Revisit.due_at, Revisit.id).with_for_update(skip_locked=True)
    ).all()


def figures(session: Session, region_path: str, start: datetime, end: datetime) -> tuple[int, int]:
    """(revisits done, of them done before they were overdue) with ``done_at`` in a subtree and
    [start, end)."""
    stmt = select(func.count(), func.count().filter(Revisit.escalated_at.is_(None))).where(
        in_subtree(Revisit.region_code, region_path),
        Revisit.status == RevisitStatus.done.value,
        Revisit.done_at >= start,
        Revisit.done_at < end,
    )
    done, on_time = session.execute(stmt).one()
    return int(done), int(on_time)
