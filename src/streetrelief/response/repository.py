"""Queries on region responses and their activation log."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from streetrelief.regions.repository import in_subtree
from streetrelief.response.models import RegionResponse, ResponseActivation


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
