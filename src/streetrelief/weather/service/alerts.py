"""Use cases of stored CAP alerts: ingest messages, follow Update/Cancel chains, list alerts.

Owns storing each parsed alert once by (sender, identifier, sent), its derived summary, the
state it has in its chain (in force, superseded, cancelled), the regions it covers and the
domain events ``alert.received``, ``alert.superseded`` and ``alert.cancelled``. Parsing is left
to `weather.cap`, matching areas to regions to `weather.area_match`, and what a warning means
for the response level to the response policy.

Chains follow CAP 1.2 (2010) §3.2.1 msgType: an Update supersedes the messages it references
and a Cancel cancels them; Ack and Error change nothing. A Cancel message is itself stored as
``cancelled``: it is a notice that something ended and never puts a warning in force. A
reference is resolved by (sender, identifier), the exact ``sent`` preferred: CAP makes the
identifier unique per sender, and real feeds misquote ``sent`` (the Taiwan CWA chain of
2024-04-22 references its earlier messages one second after their own ``sent``). A reference
to a message never seen is kept and resolved when that message arrives; the arriving message
then takes at once the state its later messages gave it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from streetrelief.core.errors import CapParseError, InvalidInputError, NotFoundError
from streetrelief.db.outbox import emit, serialize_writers
from streetrelief.regions.service import require_region
from streetrelief.weather import repository
from streetrelief.weather.area_match import match_alert_regions
from streetrelief.weather.cap import AtomEntry, CapAlert, CapInfo, CapReference, parse_cap
from streetrelief.weather.geocode_tables import GeocodeTables, load_geocode_tables
from streetrelief.weather.models import (
    Alert,
    AlertArea,
    AlertInfo,
    AlertReference,
    AlertRegion,
    AlertState,
)
from streetrelief.weather.schemas import (
    AlertIngested,
    FileIngested,
    IngestReport,
    WarningInForce,
)

log = logging.getLogger(__name__)

SEVERITY_ORDER = ("Unknown", "Minor", "Moderate", "Severe", "Extreme")
"""CAP severities, lowest first. Source: OASIS CAP 1.2 (2010), §3.2.2 severity."""

CAP_FILE_SUFFIX = ".xml"
MAX_CAP_FILE_BYTES = 5_000_000
"""Largest CAP file read from disk, bytes; real alerts are tens of kilobytes (DWD's eight-
language message with 32 areas is about 60 kB)."""

_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


@dataclass(frozen=True, slots=True)
class _Chain:
    state: AlertState
    event: str


_CHAIN_EFFECT = {
    "Update": _Chain(AlertState.superseded, "alert.superseded"),
    "Cancel": _Chain(AlertState.cancelled, "alert.cancelled"),
}


def ingest_alert_bytes(
    session: Session,
    data: bytes,
    *,
    source: str,
    now: datetime,
    tables: GeocodeTables | None = None,
) -> list[AlertIngested]:
    """Parse a CAP message (one alert or an ``<alerts>`` collection) and store its alerts.

    Args:
        data: the document exactly as received.
        source: where it came from (a path or URL), stored with each alert.
        now: the time of receipt (aware UTC).
        tables: geocode tables; the shipped ones when None.

    Returns:
        One entry per alert, in document order; an alert stored before is reported as a
        duplicate and left as it was.

    Raises:
        CapParseError: the document does not parse (see `parse_cap`); nothing is stored.
    """
    alerts = parse_cap(data, source=source)
    return ingest_alerts(session, alerts, raw=data, now=now, tables=tables)


def ingest_alerts(
    session: Session,
    alerts: Sequence[CapAlert],
    *,
    raw: bytes,
    now: datetime,
    tables: GeocodeTables | None = None,
) -> list[AlertIngested]:
    """Store alerts parsed already (`weather.cap.parse_cap_entries`), following their chains.

    Args:
        alerts: parsed CAP 1.2 alerts of one document.
        raw: that document exactly as received, stored with each alert.
        now: the time of receipt (aware UTC).
        tables: geocode tables; the shipped ones when None.

    Returns:
        One entry per alert, in order; an alert stored before is a duplicate, left as it was.
    """
    tables = tables if tables is not None else load_geocode_tables()
    text = _raw_text(raw)
    serialize_writers(session)
    return [_store(session, alert, raw=text, now=now, tables=tables) for alert in alerts]


def stored_entries(session: Session, entries: Sequence[AtomEntry]) -> set[str]:
    """The URLs of those Atom index entries whose alert is stored already.

    An entry counts as stored when a stored alert came from its URL, or has the entry's
    ``cap:identifier`` and ``cap:sent`` (an alert is unique by sender, identifier and sent;
    CAP 1.2, §3.2.1 — the index gives no sender, and identifiers carry the issuer's prefix).
    """
    by_url = repository.stored_sources(session, [e.url for e in entries])
    identifiers = sorted({e.identifier for e in entries if e.identifier and e.sent})
    keys = repository.stored_keys(session, identifiers)
    return by_url | {e.url for e in entries if (e.identifier, e.sent) in keys}


def ingest_path(
    session: Session, path: Path, *, now: datetime, tables: GeocodeTables | None = None
) -> IngestReport:
    """Ingest a CAP file, or every ``*.xml`` file of a folder (not its sub-folders), by name.

    A file that cannot be read or parsed is reported with its reason and skipped; the other
    files still load, and a refused file changes nothing.

    Raises:
        InvalidInputError: ``path`` is neither a file nor a folder.
    """
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.name.endswith(".xml"))
    elif path.is_file():
        files = [path]
    else:
        raise InvalidInputError(f"{path}: no such file or folder", path=str(path))
    tables = tables if tables is not None else load_geocode_tables()
    report = IngestReport(files=[])
    for file in files:
        report.files.append(_ingest_file(session, file, now=now, tables=tables))
    return report


def require_alert(session: Session, alert_id: int) -> Alert:
    """The stored alert with its regions, infos and areas.

    Raises:
        NotFoundError: no alert has that id.
    """
    alert = repository.get_detail(session, alert_id)
    if alert is None:
        raise NotFoundError(f"alert {alert_id} not found", alert_id=alert_id)
    return alert


def list_alerts(
    session: Session, *, region_code: str | None = None, active_at: datetime | None = None
) -> Sequence[Alert]:
    """Stored alerts with their regions, newest first.

    Args:
        region_code: only alerts covering a region in this subtree.
        active_at: only alerts in force at this instant (state in force, status Actual, sent
            by then and not expired).

    Raises:
        UnknownRegionError: ``region_code`` is not a region.
    """
    path = require_region(session, region_code).path if region_code is not None else None
    return repository.listed(session, region_path=path, active_at=active_at)


def warnings_in_force(
    session: Session, region_codes: Sequence[str], *, at: datetime
) -> list[WarningInForce]:
    """The info blocks of alerts in force at ``at`` that cover any of ``region_codes``.

    Args:
        region_codes: region codes, e.g. a region and its ancestors; unknown codes match nothing.
        at: the instant (aware UTC); an alert counts when in force in its chain, status Actual,
            sent by then and not expired.

    Returns:
        One entry per info block (several languages give several), oldest alert first. Whether
        an info has begun (``onset``) or what it means for a level is left to the caller.
    """
    wanted = set(region_codes)
    out: list[WarningInForce] = []
    for alert in repository.in_force_for_regions(session, sorted(wanted), at):
        codes = sorted(r.region_code for r in alert.regions if r.region_code in wanted)
        out.extend(
            WarningInForce(
                alert_id=alert.id,
                identifier=alert.identifier,
                sender=alert.sender,
                sent=alert.sent,
                event=info.event,
                event_codes=[list(p) for p in info.event_codes],
                severity=info.severity,
                onset=info.onset or info.effective,
                expires=info.expires,
                parameters=[list(p) for p in info.parameters],
                region_codes=codes,
            )
            for info in alert.infos
        )
    return out


def _ingest_file(
    session: Session, file: Path, *, now: datetime, tables: GeocodeTables
) -> FileIngested:
    try:
        if file.stat().st_size > MAX_CAP_FILE_BYTES:
            return FileIngested(source=str(file), refused=f"larger than {MAX_CAP_FILE_BYTES} bytes")
        data = file.read_bytes()
        alerts = ingest_alert_bytes(session, data, source=str(file), now=now, tables=tables)
    except CapParseError as exc:
        log.info("CAP file %s refused: %s", file, exc.detail)
        return FileIngested(source=str(file), refused=exc.detail.removeprefix(f"{file}: "))
    except OSError as exc:
        log.info("CAP file %s unreadable: %s", file, exc)
        return FileIngested(source=str(file), refused=f"unreadable: {exc.strerror or exc}")
    return FileIngested(source=str(file), alerts=alerts)


def _store(
    session: Session, cap: CapAlert, *, raw: str, now: datetime, tables: GeocodeTables
) -> AlertIngested:
    known = repository.by_key(session, cap.sender, cap.identifier, cap.sent)
    if known is not None:
        return AlertIngested(
            identifier=cap.identifier,
            sender=cap.sender,
            sent=cap.sent,
            alert_id=known.id,
            is_duplicate=True,
        )
    alert = _new_alert(cap, raw=raw, now=now)
    session.add(alert)
    session.flush()
    for ref in cap.references:
        _add_reference(session, alert, ref, now=now)
    # Messages stored earlier that named this one before it arrived; as in `_resolve`, the
    # exact `sent` or else the only message with this sender and identifier.
    is_only = len(repository.by_sender_identifier(session, cap.sender, cap.identifier)) == 1
    for earlier in repository.unresolved_references_to(session, cap.sender, cap.identifier):
        if earlier.alert_id == alert.id or (earlier.sent != cap.sent and not is_only):
            continue
        earlier.referenced_alert_id = alert.id
        referrer = repository.get(session, earlier.alert_id)
        if referrer is not None:
            _apply_chain(session, referrer, alert, now=now)
    matches = match_alert_regions(session, cap, tables)
    for code, how in sorted(matches.by_code.items()):
        session.add(AlertRegion(alert_id=alert.id, region_code=code, matched_by=how))
    session.flush()
    codes = sorted(matches.by_code)
    emit(
        session,
        type_="alert.received",
        subject="alert",
        subject_id=alert.id,
        at=now,
        region_code=None,
        payload={
            "identifier": cap.identifier,
            "sender": cap.sender,
            "msg_type": cap.msg_type,
            "event": alert.event,
            "severity": alert.severity,
            "region_codes": codes,
        },
    )
    return AlertIngested(
        identifier=cap.identifier,
        sender=cap.sender,
        sent=cap.sent,
        alert_id=alert.id,
        is_duplicate=False,
        region_codes=codes,
        skipped_geocode_systems=sorted(matches.skipped_systems),
    )


def _add_reference(session: Session, alert: Alert, ref: CapReference, *, now: datetime) -> None:
    target = _resolve(session, ref, exclude_id=alert.id)
    session.add(
        AlertReference(
            alert_id=alert.id,
            sender=ref.sender,
            identifier=ref.identifier,
            sent=ref.sent,
            referenced_alert_id=target.id if target is not None else None,
        )
    )
    if target is not None:
        _apply_chain(session, alert, target, now=now)


def _resolve(session: Session, ref: CapReference, *, exclude_id: int) -> Alert | None:
    exact = repository.by_key(session, ref.sender, ref.identifier, ref.sent)
    if exact is not None:
        return exact if exact.id != exclude_id else None
    same = [
        a
        for a in repository.by_sender_identifier(session, ref.sender, ref.identifier)
        if a.id != exclude_id
    ]
    return same[0] if len(same) == 1 else None


def _apply_chain(session: Session, referrer: Alert, target: Alert, *, now: datetime) -> None:
    """Give ``target`` the state that ``referrer`` (an Update or a Cancel of it) implies."""
    effect = _CHAIN_EFFECT.get(referrer.msg_type)
    if effect is None or target.state == AlertState.cancelled:
        return
    if target.state == effect.state:
        return
    target.state = effect.state
    target.state_changed_at = now
    target.ended_by_id = referrer.id
    emit(
        session,
        type_=effect.event,
        subject="alert",
        subject_id=target.id,
        at=now,
        region_code=None,
        payload={
            "identifier": target.identifier,
            "sender": target.sender,
            "by_alert_id": referrer.id,
            "by_identifier": referrer.identifier,
        },
    )


def _new_alert(cap: CapAlert, *, raw: str, now: datetime) -> Alert:
    events = list(dict.fromkeys(info.event for info in cap.infos))
    starts = [s for info in cap.infos if (s := info.onset or info.effective) is not None]
    ends = [info.expires for info in cap.infos if info.expires is not None]
    is_cancel = cap.msg_type == "Cancel"
    return Alert(
        identifier=cap.identifier,
        sender=cap.sender,
        sent=cap.sent,
        status=cap.status,
        msg_type=cap.msg_type,
        scope=cap.scope,
        references=[f"{r.sender},{r.identifier},{r.sent.isoformat()}" for r in cap.references],
        note=cap.note,
        raw=raw,
        source=cap.source,
        received_at=now,
        event=events[0] if events else None,
        events=events,
        severity=_highest_severity(cap.infos),
        onset=min(starts) if starts else None,
        # An info without expiry is open-ended, so the alert is too.
        expires=max(ends) if ends and len(ends) == len(cap.infos) else None,
        state=AlertState.cancelled if is_cancel else AlertState.in_force,
        state_changed_at=now if is_cancel else None,
        infos=[_new_info(position, info) for position, info in enumerate(cap.infos)],
    )


def _new_info(position: int, info: CapInfo) -> AlertInfo:
    return AlertInfo(
        position=position,
        language=info.language,
        categories=list(info.categories),
        event=info.event,
        urgency=info.urgency,
        severity=info.severity,
        certainty=info.certainty,
        response_types=list(info.response_types),
        event_codes=[list(p) for p in info.event_codes],
        effective=info.effective,
        onset=info.onset,
        expires=info.expires,
        sender_name=info.sender_name,
        headline=info.headline,
        description=info.description,
        instruction=info.instruction,
        web=info.web,
        contact=info.contact,
        parameters=[list(p) for p in info.parameters],
        areas=[
            AlertArea(
                position=i,
                area_desc=area.area_desc,
                polygons=[[[lat, lon] for lat, lon in ring] for ring in area.polygons],
                circles=[[c.lat, c.lon, c.radius_km] for c in area.circles],
                geocodes=[list(p) for p in area.geocodes],
                altitude=area.altitude,
                ceiling=area.ceiling,
            )
            for i, area in enumerate(info.areas)
        ],
    )


def _highest_severity(infos: Sequence[CapInfo]) -> str | None:
    ranked = [i.severity for i in infos if i.severity in SEVERITY_ORDER]
    return max(ranked, key=SEVERITY_ORDER.index) if ranked else None


def _raw_text(data: bytes) -> str:
    """The message as text, in the encoding its XML declaration names (UTF-8 by default)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    declared = _XML_ENCODING.match(data)
    encoding = declared.group(1).decode("ascii") if declared else "utf-8"
    try:
        return data.decode(encoding, errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")
