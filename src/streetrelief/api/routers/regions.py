"""Regions: browse the tree, add a region."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from streetrelief.access.roles import Permission
from streetrelief.api.deps import SessionDep
from streetrelief.api.security import require
from streetrelief.regions.schemas import RegionCreate, RegionRead
from streetrelief.regions.service import create_region, find_region, list_regions

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
