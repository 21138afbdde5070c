"""Queries on reports."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from streetrelief.incidents.models import Incident
from streetrelief.intake.models import Report
from streetrelief.regions.repository import in_subtree
from streetrelief.regions.service import Scope, scope_clause


def by_idempotency_key(session: Session, key: str) -> Report | None:
    """The report accepted earlier under ``key``, or None."""
    return session.scalars(select(Report).where(Report.idempotency_key == key)).first()


def for_incident(session: Session, incident_id: int) -> Sequence[Report]:
    """Reports of an incident, in the order received."""
    stmt = select(Report).where(Report.incident_id == incident_id).order_by(Report.id)
    return session.scalars(stmt).all()


def by_tracking_code(session: Session, tracking_code: str) -> Report | None:
    """The report with this tracking code, or None."""
    return session.scalars(select(Report).where(Report.tracking_code == tracking_code)).first()


def search_with_incidents(
    session: Session,
    *,
    channel: str,
    tracking_codes: Collection[str] | None,
    service_codes: Collection[str] | None,
    is_open: bool | None,
    start: datetime | None,
    end: datetime | None,
    scope: Scope,
    limit: int,
) -> Sequence[tuple[Report, Incident]]:
    """Reports of ``channel`` with their incidents, newest first, filtered by tracking code,
    service code, whether the incident is open, ``reported_at`` in [start, end] and the
    jurisdiction ``scope``."""
    stmt = (
        select(Report, Incident)
        .join(Incident, Incident.id == Report.incident_id)
        .where(Report.channel == channel, scope_clause(Report.region_code, scope))
    )
    if tracking_codes is not None:
        stmt = stmt.where(Report.tracking_code.in_(tracking_codes))
    if service_codes is not None:
        stmt = stmt.where(Report.service_code.in_(service_codes))
    if is_open is not None:
        stmt = stmt.where(Incident.is_open.is_(is_open))
    if start is not None:
        stmt = stmt.where(Report.reported_at >= start)
    if end is not None:
        stmt = stmt.where(Report.reported_at <= end)
    stmt = stmt.order_by(Report.reported_at.desc(), Report.id.desc()).limit(limit)
    return [(r, i) for r, i in session.execute(stmt)]


def by_partner_record(session: Session, partner_id: int, source_id: str) -> Report | None:
    """The report a partner sent under its own record id, or None."""
    stmt = select(Report).where(Report.partner_id == partner_id, Report.source_id == source_id)
    return session.scalars(stmt).first()


def get(session: Session, report_id: int) -> Report | None:
    """The report with ``report_id``, or None."""
    return session.get(Report, report_id)


def machine_report_counts(
    session: Session, region_path: str, start: datetime, end: datetime
) -> tuple[int, int, int]:
    """(machine reports, of them judged by a person, of them confirmed) reported in the
    subtree at ``region_path`` over [start, end)."""
    stmt = select(Report.is_confirmed, func.count()).where(
        Report.needs_confirmation.is_(True),
        Report.reported_at >= start,
        Report.reported_at < end,
        in_subtree(Report.region_code, region_path),
    )
    counts = {verdict: int(n) for verdict, n in session.execute(stmt.group_by(Report.is_confirmed))}
    judged = counts.get(True, 0) + counts.get(False, 0)
    return sum(counts.values()), judged, counts.get(True, 0)


def credited_counts(
    session: Session, reporter_ids: Collection[int], helped_status: str
) -> dict[int, tuple[int, int]]:
    """Per social reporter: (reports credited, of them in an incident with ``helped_status``)."""
    if not reporter_ids:
        return {}
    helped = func.sum(case((Incident.status == helped_status, 1), else_=0))
    stmt = (
        select(Report.social_reporter_id, func.count(), helped)
        .join(Incident, Incident.id == Report.incident_id)
        .where(Report.social_reporter_id.in_(reporter_ids))
        .group_by(Report.social_reporter_id)
    )
    return {int(rid): (int(n), int(h or 0)) for rid, n, h in session.execute(stmt)}


def credited_reports(
    session: Session, reporter_id: int, limit: int
) -> Sequence[tuple[Report, str]]:
    """A social reporter's reports, newest first, each with its incident's status."""
    stmt = (
        select(Report, Incident.status)
        .join(Incident, Incident.id == Report.incident_id)
        .where(Report.social_reporter_id == reporter_id)
        .order_by(Report.received_at.desc(), Report.id.desc())
        .limit(limit)
    )
    return [(r, str(s)) for r, s in session.execute(stmt)]


def credited_in_period(
    session: Session, region_path: str, start: datetime, end: datetime, helped_status: str
) -> dict[int, tuple[int, int]]:
    """Per social reporter: (credited reports reported in the subtree at ``region_path`` over
    [start, end), of them in an incident with ``helped_status``)."""
    helped = func.sum(case((Incident.status == helped_status, 1), else_=0))
    stmt = (
        select(Report.social_reporter_id, func.count(), helped)
        .join(Incident, Incident.id == Report.incident_id)
        .where(
            Report.social_reporter_id.is_not(None),
            Report.reported_at >= start,
            Report.reported_at < end,
            in_subtree(Report.region_code, region_path),
        )
        .group_by(Report.social_reporter_id)
    )
    return {int(rid): (int(n), int(h or 0)) for rid, n, h in session.execute(stmt)}
