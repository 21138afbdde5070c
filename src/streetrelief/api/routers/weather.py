"""Weather readings: list a region's stored observations or forecasts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from streetrelief.access.roles import Permission
from streetrelief.api.deps import SessionDep
from streetrelief.api.security import require
from streetrelief.weather.schemas import ObservationFilter, ObservationRead
from streetrelief.weather.service import list_observations

router = APIRouter(prefix="/weather", tags=["weather"])


@router.get(
    "/observations",
    response_model=list[ObservationRead],
    dependencies=[Depends(require(Permission.weather_read))],
)
def get_observations(
    session: SessionDep, query: Annotated[ObservationFilter, Query()]
) -> list[ObservationRead]:
    """A region's own stored readings from ``start`` (inclusive) to ``end`` (exclusive), oldest
    first, times in UTC; at most ``limit``, page on with ``offset``."""
    rows = list_observations(
        session,
        region_code=query.region_code,
        start=query.start,
        end=query.end,
        is_forecast=query.is_forecast,
        limit=query.limit,
        offset=query.offset,
    )
    return [ObservationRead.model_validate(r) for r in rows]
