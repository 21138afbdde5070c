"""Use cases of social reporters: register, list with their figures, change, disable, issue a
personal reporting key, sign in by that key, list one's own reports, and thank them when the
incident of a credited report closes.

A reporter's name, phone and e-mail are personal information collected with their consent for
one purpose, to thank them and tell them the outcome (PIPL art. 13(1), 17): they are stored
encrypted, shown only on the reporter's own record, never in lists, events or logs. The key is
minted by ``access.service.mint_key`` like a partner key; only its SHA-256 digest is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from streetrelief.access import service as access
from streetrelief.access.principal import (
    Principal,
    require_in_jurisdiction,
    require_region_in_jurisdiction,
)
from streetrelief.access.roles import Role
from streetrelief.core.errors import (
    AuthenticationError,
    IdempotencyKeyReusedError,
    NotFoundError,
)
from streetrelief.core.idempotency import request_hash
from streetrelief.db.outbox import emit
from streetrelief.incidents.lifecycle import CLOSED
from streetrelief.incidents.models import IncidentStatus
from streetrelief.intake import service as intake
from streetrelief.intake.models import Channel
from streetrelief.regions.service import require_region
from streetrelief.reporters import repository
from streetrelief.reporters.models import ReporterKind, ReporterThanks, SocialReporter
from streetrelief.reporters.schemas import (
    OwnReport,
    ReporterCreate,
    ReporterDetail,
    ReporterFigures,
    ReporterIssued,
    ReporterRead,
    ReporterUpdate,
)

KEY_MARKER = "srr_"
"""How a social reporter's personal key begins (partner keys begin ``srk_``)."""

THANKED_EVENT = "social_reporter.thanked"
"""The outbox event of a thank-you; ``notify`` renders it and sends it to the reporter."""

OWN_REPORTS_LIMIT = 100
"""Most reports a reporter sees in their own list, newest first."""


@dataclass(frozen=True)
class NewKey:
    """A personal key as issued: shown once."""

    key: str
    expires_at: datetime | None


def _set_key(reporter: SocialReporter, *, now: datetime, valid_days: int | None) -> NewKey:
    minted = access.mint_key(KEY_MARKER)
    expires = now + timedelta(days=valid_days) if valid_days else None
    reporter.key_prefix = minted.prefix
    reporter.key_digest = minted.digest
    reporter.key_issued_at = now
    reporter.key_expires_at = expires
    return NewKey(minted.key, expires)


def register_reporter(
    session: Session,
    data: ReporterCreate,
    *,
    by: Principal,
    now: datetime,
    idempotency_key: str | None = None,
) -> ReporterIssued:
    """Register a social reporter in a region of the caller's and issue their personal key.

    Returns:
        The reporter's record and the key, which is shown this once.

    Args:
        idempotency_key: the caller's key (``api.deps.caller_key``); a repeat with the same
            body answers the reporter registered first, without a key.

    Raises:
        UnknownRegionError: (422) no such region, or one outside the caller's.
        IdempotencyKeyReusedError: (422) the key was used before with another body.
    """
    digest = request_hash(data)
    if idempotency_key is not None:
        earlier = repository.by_idempotency_key(session, idempotency_key)
        if earlier is not None:
            if earlier.request_hash != digest:
                raise IdempotencyKeyReusedError(
                    "this Idempotency-Key was used before with a different body"
                )
            return ReporterIssued(
                reporter=_detail(session, earlier),
                key=None,
                key_expires_at=earlier.key_expires_at,
                is_replay=True,
            )
    require_region_in_jurisdiction(session, by, data.region_code)
    require_region(session, data.region_code)
    reporter = SocialReporter(
        kind=data.kind,
        display_name=data.display_name,
        phone=data.phone,
        email=data.email,
        organisation=data.organisation,
        region_code=data.region_code,
        is_active=True,
        created_at=now,
        created_by=by.name,
        idempotency_key=idempotency_key,
        request_hash=digest,
    )
    key = _set_key(reporter, now=now, valid_days=data.key_valid_days)
    session.add(reporter)
    session.flush()
    return ReporterIssued(
        reporter=_detail(session, reporter), key=key.key, key_expires_at=key.expires_at
    )


def require_reporter(session: Session, reporter_id: int, *, by: Principal) -> SocialReporter:
    """The reporter ``reporter_id``, if in the caller's regions.

    Raises:
        NotFoundError: (404) no such reporter, or one outside the caller's regions.
    """
    reporter = session.get(SocialReporter, reporter_id)
    what = f"social reporter {reporter_id}"
    if reporter is None:
        raise NotFoundError(f"{what} not found")
    require_in_jurisdiction(session, by, reporter.region_code, what)
    return reporter


def _read(reporter: SocialReporter, counts: dict[int, tuple[int, int]]) -> ReporterRead:
    reports, helped = counts.get(reporter.id, (0, 0))
    return ReporterRead(
        id=reporter.id,
        kind=ReporterKind(reporter.kind),
        organisation=reporter.organisation,
        region_code=reporter.region_code,
        is_active=reporter.is_active,
        created_at=reporter.created_at,
        key_prefix=reporter.key_prefix,
        key_expires_at=reporter.key_expires_at,
        reports=reports,
        helped=helped,
    )


def _detail(session: Session, reporter: SocialReporter) -> ReporterDetail:
    read = _read(reporter, intake.credited_counts(session, [reporter.id]))
    return ReporterDetail(
        **read.model_dump(),
        display_name=reporter.display_name,
        phone=reporter.phone,
        email=reporter.email,
    )


def list_reporters(
    session: Session,
    *,
    by: Principal,
    kind: ReporterKind | None = None,
    is_active: bool | None = None,
) -> list[ReporterRead]:
    """Reporters in the caller's regions, oldest first, each with their reports and how many
    led to people helped; no names or contacts.
    """
    rows = repository.reporters(session, paths=by.scope, kind=kind, is_active=is_active)
    counts = intake.credited_counts(session, [r.id for r in rows])
    return [_read(r, counts) for r in rows]


def reporter_detail(session: Session, reporter_id: int, *, by: Principal) -> ReporterDetail:
    """One reporter's record with name and contact.

    Raises:
        NotFoundError: (404) no such reporter in the caller's regions.
    """
    return _detail(session, require_reporter(session, reporter_id, by=by))


def update_reporter(
    session: Session, reporter_id: int, data: ReporterUpdate, *, by: Principal
) -> ReporterDetail:
    """Change a reporter's kind, name, contact or organisation, or disable or enable them.
    A disabled reporter's key is refused at once; a new key is needed only if it leaked.

    Raises:
        NotFoundError: (404) no such reporter in the caller's regions.
    """
    reporter = require_reporter(session, reporter_id, by=by)
    for name, value in data.model_dump(exclude_unset=True).items():
        setattr(reporter, name, value)
    session.flush()
    return _detail(session, reporter)


def issue_reporter_key(
    session: Session,
    reporter_id: int,
    *,
    by: Principal,
    now: datetime,
    valid_days: int | None = None,
    idempotency_key: str | None = None,
) -> ReporterIssued:
    """A new personal key for a reporter; the old one stops working at once.

    Args:
        idempotency_key: the caller's key; a repeat of the latest issue issues no other key.

    Raises:
        NotFoundError: (404) no such reporter in the caller's regions.
    """
    reporter = require_reporter(session, reporter_id, by=by)
    if idempotency_key is not None and reporter.key_idempotency_key == idempotency_key:
        return ReporterIssued(
            reporter=_detail(session, reporter),
            key=None,
            key_expires_at=reporter.key_expires_at,
            is_replay=True,
        )
    key = _set_key(reporter, now=now, valid_days=valid_days)
    reporter.key_idempotency_key = idempotency_key
    session.flush()
    return ReporterIssued(
        reporter=_detail(session, reporter), key=key.key, key_expires_at=key.expires_at
    )


def principal_for_reporter_key(session: Session, key: str, *, now: datetime) -> Principal:
    """The social reporter holding personal key ``key``: may report on the
    ``social_reporter`` channel in their region and read their own reports.

    Raises:
        AuthenticationError: malformed, unknown or expired key, or a disabled reporter.
    """
    prefix = access.key_lookup_prefix(key, KEY_MARKER)
    reporter = repository.by_key_prefix(session, prefix) if prefix is not None else None
    if (
        reporter is None
        or not access.key_is_live(
            key,
            digest_=reporter.key_digest,
            expires_at=reporter.key_expires_at,
            revoked_at=None,
            now=now,
        )
        or not reporter.is_active
    ):
        raise AuthenticationError("the reporting key is not valid")
    return Principal(
        kind="social_reporter",
        name=f"social_reporter:{reporter.id}",
        role=Role.social_reporter,
        scope=access.region_scope(session, reporter.region_code, now=now),
        region_code=reporter.region_code,
        social_reporter_id=reporter.id,
        channels=frozenset({Channel.social_reporter.value}),
    )


def own_reports(session: Session, principal: Principal) -> list[OwnReport]:
    """The caller's own reports, newest first, at the level the public is told.

    Raises:
        NotFoundError: the caller is not a social reporter.
    """
    if principal.social_reporter_id is None:
        raise NotFoundError("only a social reporter has reports of their own")
    rows = intake.credited_reports(session, principal.social_reporter_id, limit=OWN_REPORTS_LIMIT)
    return [
        OwnReport(tracking_code=r.tracking_code or "", received_at=r.received_at, status=status)
        for r, status in rows
    ]


def thank_reporters(session: Session, *, now: datetime, limit: int = 500) -> int:
    """Thank the reporters of credited reports whose incident has closed: one thanks row per
    report, ever, and a ``social_reporter.thanked`` event when there is someone to tell (an
    active reporter with an e-mail address), so no delivery waits for an address that is not
    there.

    The event says only the public outcome (``intake.service.PUBLIC_STATUS``: helped or
    closed) and the report's tracking code; no team, place, person or time. Running it again,
    or twice at once, thanks nobody twice (the thanks row's key is the report).

    Returns:
        How many reports were thanked now.
    """
    thanked = 0
    for report, status in repository.closed_unthanked(session, [s.value for s in CLOSED], limit):
        outcome = intake.PUBLIC_STATUS[IncidentStatus(status)]
        reporter_id = report.social_reporter_id or 0
        reporter = session.get(SocialReporter, reporter_id)
        is_reachable = reporter is not None and reporter.is_active and bool(reporter.email)
        try:
            with session.begin_nested():
                session.add(
                    ReporterThanks(
                        report_id=report.id,
                        social_reporter_id=reporter_id,
                        outcome=outcome,
                        thanked_at=now,
                    )
                )
                session.flush()
        except IntegrityError:
            continue  # thanked by a concurrent run
        thanked += 1
        if is_reachable:
            emit(
                session,
                type_=THANKED_EVENT,
                subject="report",
                subject_id=report.id,
                at=now,
                region_code=report.region_code,
                payload={
                    "social_reporter_id": reporter_id,
                    "outcome": outcome,
                    "tracking_code": report.tracking_code,
                },
            )
    return thanked


def thank_you_recipients(session: Session, payload: dict[str, Any]) -> tuple[str, ...]:
    """The address a thank-you event goes to: the reporter's e-mail, if they gave one and are
    still active; read at sending time so it never sits in the event itself."""
    reporter_id = payload.get("social_reporter_id")
    reporter = session.get(SocialReporter, reporter_id) if isinstance(reporter_id, int) else None
    if reporter is None or not reporter.is_active or not reporter.email:
        return ()
    return (reporter.email,)


def reporter_figures(
    session: Session, region_path: str, start: datetime, end: datetime
) -> ReporterFigures:
    """Reports by social reporters in a subtree over [start, end): in all, by the reporter's
    kind, and how many led to people helped."""
    counts = intake.credited_figures(session, region_path, start, end)
    kinds = repository.kinds_of(session, list(counts))
    by_kind: dict[str, int] = {}
    for reporter_id, (n, _) in counts.items():
        by_kind[kinds[reporter_id]] = by_kind.get(kinds[reporter_id], 0) + n
    return ReporterFigures(
        reports=sum(n for n, _ in counts.values()),
        by_kind=dict(sorted(by_kind.items())),
        helped=sum(h for _, h in counts.values()),
    )
