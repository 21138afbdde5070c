"""Imports every domain's models so that ``Base.metadata`` knows all tables (for Alembic)."""

from streetrelief.db.base import Base
from streetrelief.db.outbox import Event
from streetrelief.dispatch.models import Dispatch
from streetrelief.incidents.models import Incident
from streetrelief.intake.models import Report
from streetrelief.people.models import Encounter, EncounterItem, Person
from streetrelief.regions.models import Region
from streetrelief.response.models import RegionResponse, ResponseActivation
from streetrelief.service_points.models import ServicePoint
from streetrelief.teams.models import Team, TeamMember
from streetrelief.weather.feeds.models import CapFeed
from streetrelief.weather.models import (
    Alert,
    AlertArea,
    AlertInfo,
    AlertReference,
    AlertRegion,
    WeatherObservation,
)

__all__ = [
    "Alert",
    "AlertArea",
    "AlertInfo",
    "AlertReference",
    "AlertRegion",
    "Base",
    "CapFeed",
    "Dispatch",
    "Encounter",
    "EncounterItem",
    "Event",
    "Incident",
    "Person",
    "Region",
    "RegionResponse",
    "Report",
    "ResponseActivation",
    "ServicePoint",
    "Team",
    "TeamMember",
    "WeatherObservation",
]
