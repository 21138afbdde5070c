"""Queries on social reporters and their thanks.

``closed_unthanked`` reads reports and incidents as well: which credited reports still owe a
thank-you is an anti-join against this domain's own table, and only SQL does that without
reading every report ever credited.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from streetrelief.incidents.models import Incident
from streetrelief.intake.models import Report
from streetrelief.regions.repository import in_any_subtree
from streetrelief.reporters.models import ReporterKind, ReporterThanks, SocialReporter


def by_key_prefix(session: Session, prefix: str) -> SocialReporter | None:
    """The reporter whose personal key has the public ``prefix``, or None."""
    stmt = select(SocialReporter).where(SocialReporter.key_prefix == prefix)
    return session.scalars(stmt).one_or_none()


def by_idempotency_key(session: Session, key: str) -> SocialReporter | None:
    """The reporter registered earlier under the caller's ``key``, or None."""
    stmt = select(SocialReporter).where(SocialReporter.idempotency_key == key)
    return session.scalars(stmt).one_or_none()


def reporters(
    session: Session,
    *,
    paths: Sequence[str] | None,
    kind: ReporterKind | None,
    is_active: bool | None,
) -> Sequence[SocialReporter]:
    """Reporters registered in the subtrees at ``paths`` (all when None), oldest first."""
    stmt = select(SocialReporter)
    if paths is not None:
        stmt = stmt.where(in_any_subtree(SocialReporter.region_code, paths))
    if kind is not None:
        stmt = stmt.where(SocialReporter.kind == kind)
    if is_active is not None:
        stmt = stmt.where(SocialReporter.is_active.is_(is_active))
    return session.scalars(stmt.order_by(SocialReporter.id)).all()


def kinds_of(session: Session, reporter_ids: Collection[int]) -> dict[int, str]:
    """The kind of each reporter id given."""
    if not reporter_ids:
        return {}
    stmt = select(SocialReporter.id, SocialReporter.kind).where(SocialReporter.id.in_(reporter_ids))
    return {int(i): str(k) for i, k in session.execute(stmt)}


def closed_unthanked(
    session: Session, closed_statuses: Collection[str], limit: int
) -> Sequence[tuple[Report, str]]:
    """Credited reports whose incident is closed and which have no thanks yet, oldest first,
    each with its incident's status."""
    stmt = (
        select(Report, Incident.status)
        .join(Incident, Incident.id == Report.incident_id)
        .outerjoin(ReporterThanks, ReporterThanks.report_id == Report.id)
        .where(
            Report.social_reporter_id.is_not(None),
            Incident.status.in_(closed_statuses),
            ReporterThanks.report_id.is_(None),
        )
        .order_by(Report.id)
        .limit(limit)
    )
    return [(r, str(s)) for r, s in session.execute(stmt)]
