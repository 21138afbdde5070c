"""Regions: browse the tree, add a region."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from fastapi.responses import JSONResponse

from streetrelief.access.principal import Principal, region_filter
from streetrelief.access.roles import Permission
from streetrelief.api.deps import SessionDep
from streetrelief.api.security import require
from streetrelief.regions.boundaries import boundaries_feature_collection
from streetrelief.regions.schemas import RegionCreate, RegionRead
from streetrelief.regions.service import create_region, find_region, list_regions, require_region

router = APIRouter(prefix="/regions", tags=["regions"])


@router.get(
    "", response_model=list[RegionRead], dependencies=[Depends(require(Permission.regions_read))]
)
def get_regions(
    session: SessionDep, parent_code: Annotated[str | None, Query(max_length=32)] = None
) -> list[RegionRead]:
    """Children of ``parent_code``; the roots when omitted."""
    return [RegionRead.model_validate(r) for r in list_regions(session, parent_code)]


@router.get(
    "/boundaries.geojson",
    responses={200: {"content": {"application/geo+json": {}}}},
)
def get_boundaries(
    principal: Annotated[Principal, Depends(require(Permission.regions_read))],
    session: SessionDep,
    within: Annotated[str | None, Query(max_length=32, description="A region code.")] = None,
) -> JSONResponse:
    """Region outlines (WGS-84) in the subtree of ``within`` (the caller's own region when
    omitted) as a GeoJSON FeatureCollection; features carry ``code``, ``name``, ``level``."""
    code = region_filter(session, principal, within)
    root = require_region(session, code) if code is not None else None
    collection = boundaries_feature_collection(session, root, principal.scope)
    return JSONResponse(collection, media_type="application/geo+json")


@router.get(
    "/{code}", response_model=RegionRead, dependencies=[Depends(require(Permission.regions_read))]
)
def get_region(code: str, session: SessionDep) -> RegionRead:
    """One region."""
    return RegionRead.model_validate(find_region(session, code))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=RegionRead,
    dependencies=[Depends(require(Permission.regions_manage))],
)
def post_region(data: RegionCreate, session: SessionDep) -> RegionRead:
    """Add a region under an existing parent."""
    return RegionRead.model_validate(create_region(session, data))
