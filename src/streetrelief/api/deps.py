"""Shared request dependencies: the unit-of-work session, the clock and the policies."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy.orm import Session

from streetrelief.core.clock import Clock
from streetrelief.core.ids import MAX_RECORD_ID
from streetrelief.db.engine import session_scope
from streetrelief.dispatch.travel import TravelTimeProvider
from streetrelief.patrols.logic import HolidayCalendar
from streetrelief.triage.policy import TriagePolicy
from streetrelief.weather.geocode_tables import GeocodeTables

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
AUDITED_READ = {"x-audited-read": True}
"""``openapi_extra`` of a read route that writes an audit event (a person record, an export):
its session may write, and the API docs show that reading it is logged."""

# The small dependencies below are async on purpose: a sync one costs a hop to the thread pool.


def get_session(request: Request) -> Iterator[Session]:
    """One session per request, committed when the handler returns, rolled back on error."""
    factory = request.app.state.session_factory
    extra = getattr(request.scope.get("route"), "openapi_extra", None) or {}
    read_only = request.method in READ_METHODS and not extra.get("x-audited-read")
    with session_scope(factory, read_only=read_only) as session:
        yield session


async def get_clock(request: Request) -> Clock:
    """The application's clock."""
    clock: Clock = request.app.state.clock
    return clock


async def get_travel(request: Request) -> TravelTimeProvider:
    """The travel-time provider in use."""
    travel: TravelTimeProvider = request.app.state.travel
    return travel


async def get_triage_policy(request: Request) -> TriagePolicy:
    """The triage policy in force."""
    policy: TriagePolicy = request.app.state.triage_policy
    return policy


async def get_holiday_calendar(request: Request) -> HolidayCalendar:
    """The holiday calendar patrol planning reads."""
    calendar: HolidayCalendar = request.app.state.holiday_calendar
    return calendar


async def get_geocode_tables(request: Request) -> GeocodeTables:
    """The CAP geocode tables in use."""
    tables: GeocodeTables = request.app.state.geocode_tables
    return tables


# scope="function": the commit runs before the response is sent, so a failed commit is an error
# response rather than a lost write after a 201.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
ClockDep = Annotated[Clock, Depends(get_clock)]
TriagePolicyDep = Annotated[TriagePolicy, Depends(get_triage_policy)]
GeocodeTablesDep = Annotated[GeocodeTables, Depends(get_geocode_tables)]
HolidayCalendarDep = Annotated[HolidayCalendar, Depends(get_holiday_calendar)]
TravelDep = Annotated[TravelTimeProvider, Depends(get_travel)]
IdPath = Annotated[int, Path(ge=1, le=MAX_RECORD_ID, description="A record id.")]
