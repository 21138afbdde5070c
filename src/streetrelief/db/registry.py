"""Imports every domain's models so that ``Base.metadata`` knows all tables (for Alembic)."""

from streetrelief.access.models import (
    AuthToken,
    Partner,
    PartnerKey,
    RegionGrant,
    SeenSignature,
    User,
)
from streetrelief.audit.models import AuditEvent
from streetrelief.db.base import Base
from streetrelief.db.outbox import Event
from streetrelief.dispatch.models import Dispatch
from streetrelief.duty.models import DutyShift
from streetrelief.incidents.models import Incident
from streetrelief.intake.models import Report
from streetrelief.notify.models import (
    NotifyAttempt,
    NotifyChannel,
    NotifyCursor,
    NotifyDelivery,
    NotifySubscription,
)
from streetrelief.patrols.models import CheckIn, Hotspot, PatrolPlan, PatrolStop
from streetrelief.people.models import Encounter, EncounterItem, Person
from streetrelief.privacy.models import RetentionPolicy
from streetrelief.regions.models import Region, RegionBoundary
from streetrelief.reporters.models import ReporterThanks, SocialReporter
from streetrelief.response.models import RegionResponse, ResponseActivation, ResponseTask
from streetrelief.revisits.models import Revisit
from streetrelief.service_points.models import CapacityOverflow, ReferralHold, ServicePoint
from streetrelief.supplies.models import StockLevel, StockMovement
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
    "AuditEvent",
    "AuthToken",
    "Base",
    "CapFeed",
    "CapacityOverflow",
    "CheckIn",
    "Dispatch",
    "DutyShift",
    "Encounter",
    "EncounterItem",
    "Event",
    "Hotspot",
    "Incident",
    "NotifyAttempt",
    "NotifyChannel",
    "NotifyCursor",
    "NotifyDelivery",
    "NotifySubscription",
    "Partner",
    "PartnerKey",
    "PatrolPlan",
    "PatrolStop",
    "Person",
    "ReferralHold",
    "Region",
    "RegionBoundary",
    "RegionGrant",
    "RegionResponse",
    "Report",
    "ReporterThanks",
    "ResponseActivation",
    "ResponseTask",
    "RetentionPolicy",
    "Revisit",
    "SeenSignature",
    "ServicePoint",
    "SocialReporter",
    "StockLevel",
    "StockMovement",
    "Team",
    "TeamMember",
    "User",
    "WeatherObservation",
]
