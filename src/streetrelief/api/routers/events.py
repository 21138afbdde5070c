"""Server-sent events: ``GET /api/v1/events`` streams committed domain events.

A client resumes after a disconnect by sending the last id it saw in ``Last-Event-ID``; event
ids follow commit order (see ``db.outbox``), so nothing is skipped.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session, sessionmaker

from streetrelief.access.principal import (
    Principal,
    require_region_in_jurisdiction,
)
from streetrelief.access.roles import Permission
from streetrelief.api.security import require
from streetrelief.core.errors import InvalidInputError
from streetrelief.db.engine import session_scope
from streetrelief.db.outbox import Event, events_after
from streetrelief.regions.service import Scope, require_region

router = APIRouter(tags=["events"])

MAX_EVENT_ID = 2**63 - 1
"""Largest event id (a signed 64-bit column)."""

HEARTBEAT_S = 15.0
"""Idle time after which a comment line keeps proxies from closing the stream, seconds."""


def _format(ev: Event) -> str:
    data = {
        "id": ev.id,
        "type": ev.type,
        "subject": ev.subject,
        "subject_id": ev.subject_id,
        "region_code": ev.region_code,
        "occurred_at": ev.occurred_at.isoformat(),
        "payload": ev.payload,
    }
    return f"id: {ev.id}\nevent: {ev.type}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _fetch(factory: sessionmaker[Session], after: int, scope: Scope) -> list[str]:
    with session_scope(factory, read_only=True) as session:
        return [_format(e) for e in events_after(session, after, scope=scope)]


def _last_id(chunk: str) -> int:
    return int(chunk.split("\n", 1)[0].removeprefix("id: "))


@router.get("/events", response_class=StreamingResponse)
async def stream_events(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.events_read))],
    last_event_id: Annotated[str | None, Header(max_length=20)] = None,
    after: Annotated[
        int | None, Query(ge=0, le=MAX_EVENT_ID, description="Resume after this id.")
    ] = None,
    region_code: Annotated[str | None, Query(max_length=32)] = None,
    follow: Annotated[bool, Query(description="Keep streaming new events.")] = True,
) -> StreamingResponse:
    """Committed events of the caller's regions after ``Last-Event-ID`` (or ``after``), oldest
    first. Events carry no personal details (names, contacts, health); people appear by their
    temporary id only.

    With ``follow=false`` the stream ends once the backlog is sent.
    """
    factory: sessionmaker[Session] = request.app.state.session_factory
    start = after or 0
    if last_event_id is not None:
        text = last_event_id.strip()
        if not text.isdigit() or int(text) > MAX_EVENT_ID:
            raise InvalidInputError(
                "Last-Event-ID must be an event id this stream sent", field="Last-Event-ID"
            )
        start = int(text)
    scope = principal.scope
    if region_code is not None:
        with session_scope(factory, read_only=True) as session:
            require_region_in_jurisdiction(session, principal, region_code)
            scope = (require_region(session, region_code).path,)
    interval = request.app.state.settings.event_poll_interval_s

    async def body() -> AsyncIterator[str]:
        cursor = start
        idle = 0.0
        while True:
            chunks = await to_thread.run_sync(_fetch, factory, cursor, scope)
            for chunk in chunks:
                yield chunk
            if chunks:
                cursor = _last_id(chunks[-1])
                idle = 0.0
                continue
            if not follow or await request.is_disconnected():
                return
            await asyncio.sleep(interval)
            idle += interval
            if idle >= HEARTBEAT_S:
                idle = 0.0
                yield ": keep-alive\n\n"

    return StreamingResponse(
        body(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
