"""Queries on hotspots, check-ins and patrol plans."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from streetrelief.patrols.models import (
    CheckIn,
    Hotspot,
    HotspotKind,
    HotspotStatus,
    PatrolPlan,
    PatrolStop,
)
from streetrelief.regions.repository import in_subtree
from streetrelief.regions.service import Scope, scope_clause


def hotspots(
    session: Session,
    region_path: str | None = None,
    *,
    kind: HotspotKind | None = None,
    status: HotspotStatus | None = None,
    scope: Scope = None,
) -> Sequence[Hotspot]:
    """Hotspots in a subtree (all when None) and a jurisdiction, by code."""
    stmt = select(Hotspot).where(scope_clause(Hotspot.region_code, scope))
    if region_path is not None:
        stmt = stmt.where(in_subtree(Hotspot.region_code, region_path))
    if kind is not None:
        stmt = stmt.where(Hotspot.kind == kind)
    if status is not None:
        stmt = stmt.where(Hotspot.status == status)
    return session.scalars(stmt.order_by(Hotspot.code)).all()


def check_ins(
    session: Session, hotspot_ids: Collection[int], *, until: datetime
) -> Sequence[CheckIn]:
    """Check-ins at these hotspots made before ``until``, oldest first."""
    if not hotspot_ids:
        return []
    stmt = select(CheckIn).where(CheckIn.hotspot_id.in_(hotspot_ids), CheckIn.checked_in_at < until)
    return session.scalars(stmt.order_by(CheckIn.checked_in_at, CheckIn.id)).all()


def check_ins_between(
    session: Session, region_path: str, start: datetime, end: datetime
) -> Sequence[CheckIn]:
    """Check-ins in a subtree made in [start, end), oldest first."""
    stmt = select(CheckIn).where(
        in_subtree(CheckIn.region_code, region_path),
        CheckIn.checked_in_at >= start,
        CheckIn.checked_in_at < end,
    )
    return session.scalars(stmt.order_by(CheckIn.checked_in_at, CheckIn.id)).all()


def check_in_by_key(session: Session, key: str) -> CheckIn | None:
    """The check-in sent with this (caller-scoped) idempotency key, or None."""
    return session.scalars(select(CheckIn).where(CheckIn.idempotency_key == key)).first()


def plans(
    session: Session, region_path: str | None, *, scope: Scope = None, limit: int = 50
) -> Sequence[PatrolPlan]:
    """Plans in a subtree (all when None) and a jurisdiction, newest first."""
    stmt = select(PatrolPlan).where(scope_clause(PatrolPlan.region_code, scope))
    if region_path is not None:
        stmt = stmt.where(in_subtree(PatrolPlan.region_code, region_path))
    return session.scalars(stmt.order_by(PatrolPlan.id.desc()).limit(limit)).all()


def stops(session: Session, plan_ids: Collection[int]) -> Sequence[PatrolStop]:
    """Stops of these plans, by plan, team and sequence."""
    if not plan_ids:
        return []
    stmt = select(PatrolStop).where(PatrolStop.plan_id.in_(plan_ids))
    return session.scalars(
        stmt.order_by(PatrolStop.plan_id, PatrolStop.team_id, PatrolStop.sequence, PatrolStop.id)
    ).all()


def hotspots_by_code(session: Session, codes: Collection[str]) -> Sequence[Hotspot]:
    """The hotspots with these codes."""
    if not codes:
        return []
    return session.scalars(select(Hotspot).where(Hotspot.code.in_(codes))).all()


def planned_revisit_ids(session: Session, plan_id: int) -> set[int]:
    """The revisits a plan put on a team's route."""
    stmt = select(PatrolStop.revisit_id).where(
        PatrolStop.plan_id == plan_id,
        PatrolStop.revisit_id.is_not(None),
        PatrolStop.team_id.is_not(None),
    )
    return {int(i) for i in session.scalars(stmt) if i is not None}
