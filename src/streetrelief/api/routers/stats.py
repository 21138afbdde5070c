"""Statistics: ``GET /api/v1/stats``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime

from streetrelief.access.principal import (
    Principal,
    require_region_in_jurisdiction,
)
from streetrelief.access.roles import Permission
from streetrelief.api.deps import ClockDep, SessionDep
from streetrelief.api.security import require
from streetrelief.core.errors import InvalidInputError
from streetrelief.stats.schemas import Statistics
from streetrelief.stats.service import compute_statistics

router = APIRouter(tags=["statistics"])

DEFAULT_SPAN = timedelta(days=1)
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)


@router.get("/stats", response_model=Statistics)
def get_stats(
    principal: Annotated[Principal, Depends(require(Permission.stats_read))],
    session: SessionDep,
    clock: ClockDep,
    region_code: Annotated[str, Query(max_length=32, description="Root of the subtree.")],
    start: Annotated[AwareDatetime | None, Query(description="From (inclusive); 24 h ago.")] = None,
    end: Annotated[AwareDatetime | None, Query(description="Until (exclusive); now.")] = None,
) -> Statistics:
    """The campaign's figures for a region subtree and time range."""
    require_region_in_jurisdiction(session, principal, region_code)
    now = clock.now()
    end = end or now
    if start is None:
        if end < EARLIEST + DEFAULT_SPAN:
            raise InvalidInputError(
                f"end must be after {EARLIEST + DEFAULT_SPAN:%Y-%m-%d}", field="end"
            )
        start = end - DEFAULT_SPAN
    return compute_statistics(session, region_code, start, end, now=now)
