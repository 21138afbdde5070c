"""The hotspot register: add, change, list, import from files and from OpenStreetMap."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from streetrelief.core.errors import (
    ConflictError,
    ImportFileError,
    NotFoundError,
)
from streetrelief.core.geo import h3_cell
from streetrelief.core.tabular import ImportResult, Layout, Record, upsert_records
from streetrelief.db.outbox import emit
from streetrelief.patrols import repository
from streetrelief.patrols.models import (
    Hotspot,
    HotspotKind,
    HotspotStatus,
)
from streetrelief.patrols.osm import read_candidates
from streetrelief.patrols.schemas import (
    HotspotCreate,
    HotspotRead,
    HotspotUpdate,
)
from streetrelief.regions.service import Scope, require_region

HOTSPOT_LAYOUT = Layout(
    required=("code", "name", "kind", "region_code", "lat", "lon"),
    optional=(
        "radius_m",
        "interval_s",
        "active_hours",
        "service_s",
        "check_in_code",
        "notes",
        "status",
        "source",
    ),
    point=("lat", "lon"),
)
"""Hotspot file fields (the :class:`HotspotCreate` names); a GeoJSON Point gives lat and lon."""


def require_hotspot(session: Session, hotspot_id: int) -> Hotspot:
    """The hotspot with ``hotspot_id``.

    Raises:
        NotFoundError: no such hotspot.
    """
    hotspot = session.get(Hotspot, hotspot_id)
    if hotspot is None:
        raise NotFoundError(f"hotspot {hotspot_id} not found", hotspot_id=hotspot_id)
    return hotspot


def create_hotspot(session: Session, data: HotspotCreate, *, now: datetime) -> Hotspot:
    """Add a hotspot.

    Raises:
        ConflictError: the code is taken.
        UnknownRegionError: the region does not exist.
    """
    require_region(session, data.region_code)
    if repository.hotspots_by_code(session, [data.code]):
        raise ConflictError(f"hotspot code {data.code} is taken", field="code")
    hotspot = Hotspot(
        **data.model_dump(), h3_cell=h3_cell(data.lat, data.lon), created_at=now, updated_at=now
    )
    session.add(hotspot)
    session.flush()
    emit(
        session,
        type_="hotspot.created",
        subject="hotspot",
        subject_id=hotspot.id,
        at=now,
        region_code=hotspot.region_code,
        payload={"status": hotspot.status, "kind": hotspot.kind},
    )
    return hotspot


def update_hotspot(
    session: Session, hotspot_id: int, data: HotspotUpdate, *, now: datetime
) -> Hotspot:
    """Change a hotspot; a dispatcher activates a reviewed candidate by setting its status.

    Raises:
        NotFoundError: no such hotspot.
    """
    hotspot = require_hotspot(session, hotspot_id)
    changes = data.model_dump(exclude_unset=True)
    for name, value in changes.items():
        setattr(hotspot, name, value)
    hotspot.updated_at = now
    session.flush()
    emit(
        session,
        type_="hotspot.updated",
        subject="hotspot",
        subject_id=hotspot.id,
        at=now,
        region_code=hotspot.region_code,
        payload={"fields": sorted(changes)},
    )
    return hotspot


def list_hotspots(
    session: Session,
    *,
    region_code: str | None = None,
    kind: HotspotKind | None = None,
    status: HotspotStatus | None = None,
    scope: Scope = None,
) -> Sequence[Hotspot]:
    """Hotspots of a region subtree (all when None) inside ``scope``, by code.

    Raises:
        UnknownRegionError: ``region_code`` is not a region.
    """
    path = require_region(session, region_code).path if region_code else None
    return repository.hotspots(session, path, kind=kind, status=status, scope=scope)


def hotspot_read(hotspot: Hotspot, *, now: datetime) -> HotspotRead:
    """The API shape of a hotspot, with its next due time judged at ``now``.

    Only an active hotspot is due or overdue: candidates wait for review and retired ones are
    no longer patrolled, so neither has a due time.
    """
    last = hotspot.last_visited_at
    patrolled = hotspot.status == HotspotStatus.active
    next_due = None if last is None else last + timedelta(seconds=hotspot.interval_s)
    fields = set(HotspotRead.model_fields) - {"next_due_at", "is_overdue"}
    values = {name: getattr(hotspot, name) for name in fields}
    return HotspotRead.model_validate(
        {
            **values,
            "next_due_at": next_due if patrolled else None,
            "is_overdue": patrolled and (next_due is None or next_due < now),
        }
    )


def import_hotspots(session: Session, path: Path, *, now: datetime) -> ImportResult:
    """Load hotspots from a CSV or GeoJSON file: new codes created, known ones updated.

    Args:
        path: CSV with the :class:`HotspotCreate` field names as columns (``code,name,kind,
            region_code,lat,lon`` required), or a GeoJSON FeatureCollection of Points
            (``[lon, lat]``, WGS-84) with those properties.

    Returns:
        Counts of hotspots created, updated and unchanged.

    Raises:
        ImportFileError: a malformed file or row, naming the file and row; nothing is kept.
        OSError: the file cannot be read.
    """
    updatable = frozenset(HotspotUpdate.model_fields)

    def changes(record: Record, hotspot: Hotspot, data: HotspotCreate) -> dict[str, object]:
        moved = [
            n for n in ("region_code", "lat", "lon") if getattr(hotspot, n) != getattr(data, n)
        ]
        if moved:
            raise record.error(
                f"hotspot {hotspot.code} exists with another {', '.join(moved)}; "
                "those cannot be changed by an import"
            )
        wanted = data.model_dump(include=set(updatable & record.columns))
        return {k: v for k, v in wanted.items() if getattr(hotspot, k) != v}

    return upsert_records(
        session,
        path,
        HOTSPOT_LAYOUT,
        known={h.code: h for h in repository.hotspots(session)},
        parse=lambda record: record.to_model(HotspotCreate),
        changes=changes,
        create=lambda data: create_hotspot(session, data, now=now),
        update=lambda hotspot, diff: update_hotspot(
            session, hotspot.id, HotspotUpdate.model_validate(diff), now=now
        ),
    )


def import_osm(session: Session, path: Path, *, region_code: str, now: datetime) -> ImportResult:
    """Add the hotspot candidates of an OSM extract to a region, for review.

    New places become ``candidate`` hotspots; places already in the register (by
    ``osm:<type>/<id>`` code) are left as they are, so a review is never undone.

    Raises:
        ImportFileError: the file is unreadable or has no matching features.
        UnknownRegionError: no such region.
    """
    require_region(session, region_code)
    found = read_candidates(path)
    if not found:
        raise ImportFileError(
            "no station, bridge, culvert, underpass, building site, abandoned building "
            "or park features found (see the OSM tags in the README)",
            path=str(path),
        )
    known = {h.code for h in repository.hotspots_by_code(session, [c.code for c in found])}
    result = ImportResult(path)
    for c in found:
        if c.code in known:
            result.unchanged += 1
            continue
        data = HotspotCreate(
            code=c.code,
            name=c.name[:200],
            kind=c.kind,
            region_code=region_code,
            lat=c.lat,
            lon=c.lon,
            radius_m=c.radius_m,
            status=HotspotStatus.candidate,
            source=c.source[:200],
        )
        create_hotspot(session, data, now=now)
        result.created += 1
    return result
