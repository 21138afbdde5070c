"""Use cases of notifications: add and list channels, subscribe, fan the outbox out into
deliveries, claim due deliveries, record each attempt, re-queue a dead one.

Owns the channels, subscriptions, the outbox cursor, deliveries and attempts. Reads events
through ``db.outbox`` and region names and paths through ``regions.service``; sending is left
to the channel adapters (``notify.channels``) and the worker (``notify.jobs``), which runs these
functions in short transactions of its own.

Delivery is at-least-once: a delivery row is made for each (event, subscription) in the same
transaction that moves the cursor past the event, so a crash neither skips nor doubles one;
it is marked sent only after the receiver accepted it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from streetrelief.core.clock import ensure_utc
from streetrelief.core.errors import (
    ConflictError,
    DeliveryStateError,
    NotFoundError,
    UnknownChannelError,
)
from streetrelief.db.outbox import Event, events_after
from streetrelief.notify import repository
from streetrelief.notify.channels import ChannelSpec, check_spec, public_address
from streetrelief.notify.logic import (
    EventView,
    check_event_pattern,
    event_region_codes,
    in_region_scope,
    is_excluded,
    mask_payload,
    matches_type,
    recipients_in,
    render,
    render_test_message,
)
from streetrelief.notify.models import (
    ChannelKind,
    DeliveryStatus,
    NotifyAttempt,
    NotifyChannel,
    NotifyCursor,
    NotifyDelivery,
    NotifySubscription,
)
from streetrelief.notify.ports import Message
from streetrelief.notify.schemas import (
    AttemptRead,
    ChannelCreate,
    ChannelRead,
    DeliveryRead,
    FanOutResult,
    SubscriptionCreate,
    SubscriptionRead,
)
from streetrelief.regions.service import regions_by_code, require_region
from streetrelief.reporters.service import THANKED_EVENT, thank_you_recipients

CURSOR = "deliveries"
"""Name of the cursor of the delivery fan-out over the outbox."""

ERROR_MAX_CHARS = 500
"""Longest failure reason kept on a delivery or attempt, characters (the column's size)."""


@dataclass(frozen=True)
class Claimed:
    """A delivery a worker holds: which, which try this is, how and what to send."""

    delivery_id: int
    attempt: int
    channel: ChannelSpec
    message: Message


def add_channel(session: Session, data: ChannelCreate, *, now: datetime) -> NotifyChannel:
    """Store a new channel.

    Args:
        data: name, kind, URL or recipients, secret and options.
        now: aware time of creation.

    Raises:
        ConflictError: a channel of that name exists.
        ChannelConfigError: the channel could never deliver (see ``channels.check_spec``).
    """
    spec = ChannelSpec(
        name=data.name,
        kind=data.kind,
        url=data.url,
        to=tuple(data.to),
        secret=data.secret or None,
        msgtype=data.msgtype or "markdown",
        add_event_recipients=data.add_event_recipients,
    )
    check_spec(spec)
    if repository.channel_by_name(session, data.name) is not None:
        raise ConflictError(f"channel {data.name!r} exists", field="name")
    config: dict[str, object] = {"msgtype": spec.msgtype}
    if spec.kind == ChannelKind.email:
        config |= {"to": list(spec.to), "add_event_recipients": spec.add_event_recipients}
    else:
        config["url"] = spec.url
    row = NotifyChannel(
        name=spec.name,
        kind=spec.kind,
        config=config,
        secret=spec.secret,
        is_active=True,
        created_at=ensure_utc(now),
    )
    session.add(row)
    session.flush()
    return row


def channel_spec(row: NotifyChannel) -> ChannelSpec:
    """A stored channel's settings."""
    config = row.config
    return ChannelSpec(
        name=row.name,
        kind=ChannelKind(row.kind),
        url=config.get("url"),
        to=tuple(config.get("to") or ()),
        secret=row.secret,
        msgtype=str(config.get("msgtype") or "markdown"),
        add_event_recipients=bool(config.get("add_event_recipients", False)),
    )


def channel_read(row: NotifyChannel) -> ChannelRead:
    """The shape shown of a channel: no secret, keys in URLs hidden."""
    return ChannelRead(
        id=row.id,
        name=row.name,
        kind=row.kind,
        address=public_address(channel_spec(row)),
        has_secret=bool(row.secret),
        is_active=row.is_active,
        created_at=row.created_at,
    )


def require_channel(session: Session, name: str) -> NotifyChannel:
    """The channel called ``name``.

    Raises:
        UnknownChannelError: no such channel.
    """
    row = repository.channel_by_name(session, name)
    if row is None:
        raise UnknownChannelError(f"no channel named {name!r}", field="channel")
    return row


def list_channels(session: Session) -> list[ChannelRead]:
    """All channels by name, without secrets."""
    return [channel_read(c) for c in repository.channels(session)]


def set_channel_active(session: Session, name: str, *, is_active: bool) -> ChannelRead:
    """Disable a channel (its deliveries wait, pending) or enable it again.

    Raises:
        UnknownChannelError: no such channel.
    """
    row = require_channel(session, name)
    row.is_active = is_active
    session.flush()
    return channel_read(row)


def subscribe(session: Session, data: SubscriptionCreate, *, now: datetime) -> NotifySubscription:
    """Send events of a type in a region subtree to a channel, from the next event on.

    Args:
        data: channel name, event pattern (type, ``prefix.*`` or ``*``), region subtree root.
        now: aware time of creation.

    Raises:
        UnknownChannelError: no such channel.
        InvalidInputError: the event pattern is malformed.
        UnknownRegionError: no such region.
    """
    channel = require_channel(session, data.channel)
    pattern = check_event_pattern(data.event)
    if data.region_code is not None:
        require_region(session, data.region_code)
    row = NotifySubscription(
        channel_id=channel.id,
        event_pattern=pattern,
        region_code=data.region_code,
        after_event_id=repository.last_event_id(session),
        is_active=True,
        created_at=ensure_utc(now),
    )
    session.add(row)
    session.flush()
    return row


def unsubscribe(session: Session, subscription_id: int) -> SubscriptionRead:
    """Stop a subscription; deliveries it already made still go out.

    Raises:
        NotFoundError: no such subscription.
    """
    row = session.get(NotifySubscription, subscription_id)
    if row is None:
        raise NotFoundError(f"no subscription {subscription_id}", subscription_id=subscription_id)
    row.is_active = False
    session.flush()
    return SubscriptionRead.model_validate(row)


def list_subscriptions(session: Session) -> list[SubscriptionRead]:
    """All subscriptions, oldest first."""
    return [SubscriptionRead.model_validate(s) for s in repository.subscriptions(session)]


def fan_out(session: Session, *, now: datetime, limit: int = 500) -> FanOutResult:
    """Turn the outbox events after the cursor into deliveries, and move the cursor past them.

    One transaction does both, with the cursor row locked, so a crash leaves neither done and
    two workers take turns; running it again with no new events creates nothing. Events about
    the people helped (``logic.EXCLUDED_EVENT_PREFIXES``) make no deliveries.

    Args:
        now: aware time; new deliveries are due at once.
        limit: most events read in one pass.
    """
    now = ensure_utc(now)
    cursor = repository.cursor_for_update(session, CURSOR)
    if cursor is None:
        cursor = NotifyCursor(name=CURSOR, last_event_id=0, updated_at=now)
        session.add(cursor)
        session.flush()
    events = events_after(session, cursor.last_event_id, limit=limit)
    if not events:
        return FanOutResult(events_read=0, deliveries_created=0, last_event_id=cursor.last_event_id)
    subscriptions = repository.active_subscriptions(session)
    ancestries = _ancestries(session, events)
    existing = repository.existing_pairs(session, [e.id for e in events])
    created = 0
    for event in events:
        if is_excluded(event.type):
            continue
        chains = [
            ancestries[c]
            for c in event_region_codes(event.region_code, event.payload)
            if c in ancestries
        ]
        for sub in subscriptions:
            if (
                event.id <= sub.after_event_id
                or (event.id, sub.id) in existing
                or not matches_type(sub.event_pattern, event.type)
                or not in_region_scope(sub.region_code, chains)
            ):
                continue
            session.add(
                NotifyDelivery(
                    event_id=event.id,
                    subscription_id=sub.id,
                    channel_id=sub.channel_id,
                    status=DeliveryStatus.pending,
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
            created += 1
    cursor.last_event_id = events[-1].id
    cursor.updated_at = now
    session.flush()
    return FanOutResult(
        events_read=len(events), deliveries_created=created, last_event_id=cursor.last_event_id
    )


def _ancestries(session: Session, events: Sequence[Event]) -> dict[str, list[str]]:
    codes = {c for e in events for c in event_region_codes(e.region_code, e.payload)}
    return {
        code: [p for p in region.path.strip("/").split("/") if p]
        for code, region in regions_by_code(session, codes).items()
    }


def claim_due(session: Session, *, now: datetime, limit: int, lease: timedelta) -> list[Claimed]:
    """Take up to ``limit`` pending deliveries that are due, for ``lease``.

    A claimed delivery is not due again until the lease ends, so other workers leave it
    alone; if this worker dies mid-send another takes it then (at-least-once). On PostgreSQL
    rows claimed by a concurrent transaction are skipped (``FOR UPDATE SKIP LOCKED``).
    Deliveries of disabled channels wait.

    Args:
        now: aware current time.
        limit: most deliveries taken.
        lease: how long they stay with this worker.
    """
    now = ensure_utc(now)
    rows = repository.claim_due(session, now=now, limit=limit)
    channels = repository.channels_by_id(session, [r.channel_id for r in rows])
    claimed = []
    for row in rows:
        channel = channels[row.channel_id]
        if not channel.is_active:
            continue
        event = repository.event(session, row.event_id)
        if event is None:  # pragma: no cover - the foreign key keeps events
            continue
        row.next_attempt_at = now + lease
        claimed.append(
            Claimed(
                delivery_id=row.id,
                attempt=row.attempts + 1,
                channel=channel_spec(channel),
                message=event_message(session, event, key=f"delivery-{row.id}"),
            )
        )
    session.flush()
    return claimed


def _local_time(at: datetime, zone_name: str | None) -> str:
    """``at`` to the minute in the region's time zone (UTC when it has none)."""
    try:
        zone: tzinfo = ZoneInfo(zone_name) if zone_name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        zone = UTC
    local = at.astimezone(zone)
    return local.strftime("%Y-%m-%d %H:%M ") + (local.tzname() or "UTC")


def event_message(session: Session, event: Event, *, key: str) -> Message:
    """The message of an event: rendered text and the event as JSON, with personal data masked.

    A social reporter's thank-you goes to the reporter's own e-mail address, looked up now
    (``reporters.service.thank_you_recipients``) so that the address is never in the event.
    """
    payload = mask_payload(event.payload, subject=event.subject)
    names = regions_by_code(session, [event.region_code]) if event.region_code else {}
    region = names.get(event.region_code or "")
    occurred = _local_time(event.occurred_at, region.timezone if region is not None else None)
    rendered = render(
        EventView(
            type=event.type,
            occurred_at=occurred,
            region_code=event.region_code,
            region_name=region.name if region is not None else None,
            payload=payload,
        )
    )
    return Message(
        key=key,
        title=rendered.title,
        text=rendered.text,
        markdown=rendered.markdown,
        event={
            "id": event.id,
            "type": event.type,
            "subject": event.subject,
            "subject_id": event.subject_id,
            "region_code": event.region_code,
            "occurred_at": occurred,
            "payload": payload,
        },
        recipients=recipients_in(event.payload)
        + (thank_you_recipients(session, event.payload) if event.type == THANKED_EVENT else ()),
    )


def make_test_message(name: str, *, now: datetime) -> Message:
    """The message ``notify test`` sends to channel ``name``."""
    rendered = render_test_message(name, ensure_utc(now).isoformat())
    return Message(
        key=f"test-{name}-{int(now.timestamp())}",
        title=rendered.title,
        text=rendered.text,
        markdown=rendered.markdown,
    )


def record_success(
    session: Session, delivery_id: int, *, now: datetime, status_code: int | None
) -> None:
    """The receiver accepted a delivery: log the attempt, mark it sent.

    Raises:
        NotFoundError: no such delivery.
    """
    row = _require_delivery(session, delivery_id, for_update=True)
    now = ensure_utc(now)
    session.add(
        NotifyAttempt(
            delivery_id=row.id, attempted_at=now, is_success=True, status_code=status_code
        )
    )
    row.attempts += 1
    row.status = DeliveryStatus.sent
    row.sent_at = now
    row.last_status_code = status_code
    row.last_error = None
    session.flush()


def record_failure(
    session: Session,
    delivery_id: int,
    *,
    now: datetime,
    reason: str,
    status_code: int | None,
    max_attempts: int,
    retry_in: timedelta,
) -> DeliveryStatus:
    """A try failed: log it, then wait ``retry_in`` or, after ``max_attempts``, mark it dead.

    A delivery another worker has marked sent meanwhile stays sent.

    Returns:
        The delivery's status now.

    Raises:
        NotFoundError: no such delivery.
    """
    row = _require_delivery(session, delivery_id, for_update=True)
    now = ensure_utc(now)
    reason = reason[:ERROR_MAX_CHARS]
    session.add(
        NotifyAttempt(
            delivery_id=row.id,
            attempted_at=now,
            is_success=False,
            status_code=status_code,
            error=reason,
        )
    )
    row.attempts += 1
    if row.status == DeliveryStatus.pending:
        row.last_status_code = status_code
        row.last_error = reason
        if row.attempts >= max_attempts:
            row.status = DeliveryStatus.dead
        else:
            row.next_attempt_at = now + retry_in
    session.flush()
    return DeliveryStatus(row.status)


def retry_delivery(session: Session, delivery_id: int, *, now: datetime) -> DeliveryRead:
    """Put a dead delivery back in the queue, due now, with a fresh count of attempts.

    Its past attempts stay in its history.

    Raises:
        NotFoundError: no such delivery.
        DeliveryStateError: it is not dead.
    """
    row = _require_delivery(session, delivery_id, for_update=True)
    if row.status != DeliveryStatus.dead:
        raise DeliveryStateError(
            f"delivery {delivery_id} is {row.status}; only a dead one is re-queued",
            delivery_id=delivery_id,
        )
    row.status = DeliveryStatus.pending
    row.attempts = 0
    row.next_attempt_at = ensure_utc(now)
    session.flush()
    return _reads(session, [row])[0]


def list_deliveries(
    session: Session,
    *,
    status: DeliveryStatus | None = None,
    channel: str | None = None,
    limit: int = 100,
) -> list[DeliveryRead]:
    """Deliveries newest first, with their attempts; of one status and one channel if given.

    Raises:
        UnknownChannelError: no such channel.
    """
    channel_id = require_channel(session, channel).id if channel is not None else None
    rows = repository.deliveries(session, status=status, channel_id=channel_id, limit=limit)
    return _reads(session, rows)


def get_delivery(session: Session, delivery_id: int) -> DeliveryRead:
    """One delivery with its attempts.

    Raises:
        NotFoundError: no such delivery.
    """
    return _reads(session, [_require_delivery(session, delivery_id)])[0]


def _require_delivery(
    session: Session, delivery_id: int, *, for_update: bool = False
) -> NotifyDelivery:
    row = (
        repository.delivery_for_update(session, delivery_id)
        if for_update
        else session.get(NotifyDelivery, delivery_id)
    )
    if row is None:
        raise NotFoundError(f"no delivery {delivery_id}", delivery_id=delivery_id)
    return row


def _reads(session: Session, rows: Sequence[NotifyDelivery]) -> list[DeliveryRead]:
    channels = repository.channels_by_id(session, [r.channel_id for r in rows])
    history: dict[int, list[AttemptRead]] = {}
    for attempt in repository.attempts_of(session, [r.id for r in rows]):
        history.setdefault(attempt.delivery_id, []).append(AttemptRead.model_validate(attempt))
    reads = []
    for row in rows:
        event = repository.event(session, row.event_id)
        reads.append(
            DeliveryRead(
                id=row.id,
                event_id=row.event_id,
                event_type=event.type if event is not None else "",
                channel=channels[row.channel_id].name,
                status=DeliveryStatus(row.status),
                attempts=row.attempts,
                next_attempt_at=row.next_attempt_at
                if row.status == DeliveryStatus.pending
                else None,
                created_at=row.created_at,
                sent_at=row.sent_at,
                last_status_code=row.last_status_code,
                last_error=row.last_error,
                history=history.get(row.id, []),
            )
        )
    return reads
