"""Queries on stored CAP alerts and on stored observations and forecasts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session, selectinload

from streetrelief.regions.repository import in_subtree
from streetrelief.weather.models import (
    Alert,
    AlertInfo,
    AlertReference,
    AlertRegion,
    AlertState,
    WeatherObservation,
)


def by_key(session: Session, sender: str, identifier: str, sent: datetime) -> Alert | None:
    """The alert stored under (sender, identifier, sent), or None."""
    stmt = select(Alert).where(
        Alert.sender == sender, Alert.identifier == identifier, Alert.sent == sent
    )
    return session.scalars(stmt).first()


def by_sender_identifier(session: Session, sender: str, identifier: str) -> Sequence[Alert]:
    """Alerts of ``sender`` with ``identifier``, newest ``sent`` first."""
    stmt = select(Alert).where(Alert.sender == sender, Alert.identifier == identifier)
    return session.scalars(stmt.order_by(Alert.sent.desc(), Alert.id.desc())).all()


def unresolved_references_to(
    session: Session, sender: str, identifier: str
) -> Sequence[AlertReference]:
    """References to (sender, identifier) whose message had not been stored, oldest first."""
    stmt = select(AlertReference).where(
        AlertReference.sender == sender,
        AlertReference.identifier == identifier,
        AlertReference.referenced_alert_id.is_(None),
    )
    return session.scalars(stmt.order_by(AlertReference.id)).all()


def get(session: Session, alert_id: int) -> Alert | None:
    """The alert with ``alert_id``, without its children."""
    return session.get(Alert, alert_id)


def get_detail(session: Session, alert_id: int) -> Alert | None:
    """The alert with its regions, infos and areas loaded."""
    stmt = (
        select(Alert)
        .where(Alert.id == alert_id)
        .options(
            selectinload(Alert.regions),
            selectinload(Alert.infos).selectinload(AlertInfo.areas),
        )
    )
    return session.scalars(stmt).first()


def listed(
    session: Session,
    *,
    region_path: str | None = None,
    active_at: datetime | None = None,
    limit: int = 500,
) -> Sequence[Alert]:
    """Alerts with their regions, newest ``sent`` first.

    Args:
        region_path: only alerts matched to a region of this subtree.
        active_at: only alerts in force then: state ``in_force``, status Actual, sent at or
            before it, and not expired by then.
        limit: at most this many.
    """
    stmt = select(Alert).options(selectinload(Alert.regions))
    if region_path is not None:
        linked = select(AlertRegion.alert_id).where(
            in_subtree(AlertRegion.region_code, region_path)
        )
        stmt = stmt.where(Alert.id.in_(linked))
    if active_at is not None:
        stmt = stmt.where(
            Alert.state == AlertState.in_force,
            Alert.status == "Actual",
            Alert.sent <= active_at,
            or_(Alert.expires.is_(None), Alert.expires > active_at),
        )
    return session.scalars(stmt.order_by(Alert.sent.desc(), Alert.id.desc()).limit(limit)).all()


def in_force_for_regions(
    session: Session, region_codes: Sequence[str], at: datetime
) -> Sequence[Alert]:
    """Alerts in force at ``at`` matched to any of ``region_codes``, with regions and infos.

    In force as in ``listed``: state ``in_force``, status Actual, sent by then, not expired.
    """
    if not region_codes:
        return []
    linked = select(AlertRegion.alert_id).where(AlertRegion.region_code.in_(region_codes))
    stmt = (
        select(Alert)
        .where(
            Alert.id.in_(linked),
            Alert.state == AlertState.in_force,
            Alert.status == "Actual",
            Alert.sent <= at,
            or_(Alert.expires.is_(None), Alert.expires > at),
        )
        .options(selectinload(Alert.regions), selectinload(Alert.infos))
    )
    return session.scalars(stmt.order_by(Alert.sent, Alert.id)).all()


def stored_reading_keys(
    session: Session,
    region_code: str,
    *,
    is_forecast: bool,
    start: datetime,
    end: datetime,
) -> set[tuple[datetime, str]]:
    """(observed_at, station) of the region's readings from ``start`` to ``end``, inclusive."""
    stmt = select(WeatherObservation.observed_at, WeatherObservation.station).where(
        WeatherObservation.region_code == region_code,
        WeatherObservation.is_forecast == is_forecast,
        WeatherObservation.observed_at >= start,
        WeatherObservation.observed_at <= end,
    )
    return {(at, station) for at, station in session.execute(stmt)}


def add_readings(session: Session, rows: Sequence[dict[str, object]]) -> None:
    """Insert readings in one executemany (no ORM objects: imports run to tens of thousands)."""
    if rows:
        session.execute(insert(WeatherObservation), list(rows))


def latest_reading(
    session: Session, region_code: str, *, at: datetime, since: datetime | None = None
) -> WeatherObservation | None:
    """The region's latest observation at or before ``at`` (and at or after ``since``).

    On one hour from several stations, the station first by name wins.
    """
    stmt = select(WeatherObservation).where(
        WeatherObservation.region_code == region_code,
        WeatherObservation.is_forecast.is_(False),
        WeatherObservation.observed_at <= at,
    )
    if since is not None:
        stmt = stmt.where(WeatherObservation.observed_at >= since)
    stmt = stmt.order_by(WeatherObservation.observed_at.desc(), WeatherObservation.station)
    return session.scalars(stmt.limit(1)).first()


def readings(
    session: Session,
    region_code: str,
    *,
    is_forecast: bool = False,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int,
    offset: int = 0,
) -> Sequence[WeatherObservation]:
    """The region's readings from ``start`` (inclusive) to ``end`` (exclusive), oldest first."""
    stmt = select(WeatherObservation).where(
        WeatherObservation.region_code == region_code,
        WeatherObservation.is_forecast == is_forecast,
    )
    if start is not None:
        stmt = stmt.where(WeatherObservation.observed_at >= start)
    if end is not None:
        stmt = stmt.where(WeatherObservation.observed_at < end)
    stmt = stmt.order_by(
        WeatherObservation.observed_at, WeatherObservation.station, WeatherObservation.id
    )
    return session.scalars(stmt.offset(offset).limit(limit)).all()


def stored_sources(session: Session, sources: Sequence[str]) -> set[str]:
    """Those of ``sources`` that a stored alert names as where it came from."""
    if not sources:
        return set()
    stmt = select(Alert.source).where(Alert.source.in_(list(sources))).distinct()
    return set(session.scalars(stmt))


def stored_keys(session: Session, identifiers: Sequence[str]) -> set[tuple[str, datetime]]:
    """(identifier, sent) of stored alerts whose identifier is one of ``identifiers``."""
    if not identifiers:
        return set()
    stmt = select(Alert.identifier, Alert.sent).where(Alert.identifier.in_(list(identifiers)))
    return {(identifier, sent) for identifier, sent in session.execute(stmt)}


def readings_between(
    session: Session, region_code: str, *, start: datetime, end: datetime
) -> Sequence[WeatherObservation]:
    """The region's own observations (not forecasts) in [start, end), oldest first."""
    stmt = select(WeatherObservation).where(
        WeatherObservation.region_code == region_code,
        WeatherObservation.is_forecast.is_(False),
        WeatherObservation.observed_at >= start,
        WeatherObservation.observed_at < end,
    )
    return session.scalars(stmt.order_by(WeatherObservation.observed_at)).all()
