"""CAP feeds: list them with their status, add one, remove one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response, status

from streetrelief.access.roles import Permission
from streetrelief.api.deps import ClockDep, SessionDep
from streetrelief.api.security import require
from streetrelief.weather.feeds.schemas import FeedCreate, FeedRead
from streetrelief.weather.feeds.service import add_feed, list_feeds, remove_feed, to_read

router = APIRouter(prefix="/alerts/feeds", tags=["alerts"])

FeedNamePath = Annotated[str, Path(max_length=100, description="A feed's name.")]


@router.get(
    "", response_model=list[FeedRead], dependencies=[Depends(require(Permission.alerts_read))]
)
def get_feeds(session: SessionDep, clock: ClockDep) -> list[FeedRead]:
    """Every CAP feed by name, with its polling state and status now (pending, fresh, failing,
    stale, disabled)."""
    return list_feeds(session, now=clock.now())


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=FeedRead,
    dependencies=[Depends(require(Permission.response_configure))],
)
def post_feed(body: FeedCreate, session: SessionDep, clock: ClockDep) -> FeedRead:
    """Add a feed to poll (409 ``feed_exists`` when the name or URL is taken)."""
    now = clock.now()
    return to_read(add_feed(session, body, now=now), now=now)


@router.delete(
    "/{name}",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[Depends(require(Permission.response_configure))],
)
def delete_feed(name: FeedNamePath, session: SessionDep) -> Response:
    """Stop polling a feed; the alerts it brought stay stored."""
    remove_feed(session, name)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
