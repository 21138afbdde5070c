"""Roles and what each may do: the access policy, as data.

Least privilege throughout (PIPL art. 51(3); HUD HMIS privacy standard, 2004, §4.3): the
administrator runs the system but does not read people's sensitive details; the auditor reads
the audit log and nothing personal; details of minors are visible to the fewest roles, those
that act for the child (the duty leader and the station's staff) — PIPL art. 31.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """Who a caller is, for access decisions."""

    administrator = "administrator"
    commander = "commander"
    """Commander or duty leader of a region's command centre."""
    dispatcher = "dispatcher"
    patrol = "patrol"
    """A patrol or outreach team member in the field."""
    service_point_staff = "service_point_staff"
    auditor = "auditor"
    partner = "partner"
    """A partner system (police dispatch, city management, video platform) using an API key."""
    social_reporter = "social_reporter"
    """A registered social reporter (street cleaner, courier, driver, guard, volunteer) using
    a personal reporting key: reports on the ``social_reporter`` channel, follows their own."""
    public = "public"
    """Anyone, not signed in: may submit a report and follow it by its tracking code."""


class Permission(StrEnum):
    """One action on one kind of record."""

    reports_create = "reports.create"
    service_catalogue_read = "service_catalogue.read"
    """The Open311 service list and the public status of a request by its id."""
    reports_confirm = "reports.confirm"
    """Confirm or reject a machine source's report (camera, sensor) before dispatch."""
    reports_merge = "reports.merge"
    """Move a report into another incident, or out into one of its own."""
    reports_read = "reports.read"
    incidents_read = "incidents.read"
    incidents_update = "incidents.update"
    dispatch_create = "dispatch.create"
    encounters_create = "encounters.create"
    encounters_read = "encounters.read"
    persons_read = "persons.read"
    persons_read_sensitive = "persons.read_sensitive"
    persons_read_minor = "persons.read_minor"
    persons_update = "persons.update"
    persons_export = "persons.export"
    teams_read = "teams.read"
    teams_manage = "teams.manage"
    teams_report_status = "teams.report_status"
    service_points_read = "service_points.read"
    service_points_manage = "service_points.manage"
    service_points_update_occupancy = "service_points.update_occupancy"
    hotspots_read = "hotspots.read"
    hotspots_manage = "hotspots.manage"
    """Add, import and review hotspots (activate candidates, retire places)."""
    patrols_read = "patrols.read"
    patrols_plan = "patrols.plan"
    patrols_check_in = "patrols.check_in"
    """Check in at a hotspot; a patrol member only for their own team."""
    referrals_create = "referrals.create"
    """Hold a place at a service point for a person being brought there, or release it."""
    revisits_read = "revisits.read"
    """Revisits of people who refused help; a patrol member only their own team's."""
    revisits_complete = "revisits.complete"
    """Mark a revisit done by hand; a patrol member only one their own team holds."""
    revisits_cancel = "revisits.cancel"
    regions_read = "regions.read"
    regions_manage = "regions.manage"
    stats_read = "stats.read"
    events_read = "events.read"
    alerts_read = "alerts.read"
    alerts_ingest = "alerts.ingest"
    weather_read = "weather.read"
    response_read = "response.read"
    response_override = "response.override"
    response_configure = "response.configure"
    response_tasks_update = "response_tasks.update"
    roster_read = "roster.read"
    roster_manage = "roster.manage"
    stock_read = "stock.read"
    stock_update = "stock.update"
    notify_manage = "notify.manage"
    grants_manage = "grants.manage"
    users_manage = "users.manage"
    partners_manage = "partners.manage"
    social_reporters_manage = "social_reporters.manage"
    """Register, list, change, disable social reporters and issue their personal keys."""
    own_reports_read = "own_reports.read"
    """A social reporter's own reports, at the public level of status."""
    audit_read = "audit.read"


P = Permission

_READ_OPERATIONS = frozenset(
    {
        P.service_catalogue_read,
        P.reports_read,
        P.incidents_read,
        P.encounters_read,
        P.persons_read,
        P.teams_read,
        P.service_points_read,
        P.hotspots_read,
        P.patrols_read,
        P.regions_read,
        P.stats_read,
        P.events_read,
        P.alerts_read,
        P.weather_read,
        P.response_read,
    }
)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.administrator: _READ_OPERATIONS
    | {
        P.reports_create,
        P.incidents_update,
        P.dispatch_create,
        P.encounters_create,
        P.teams_manage,
        P.teams_report_status,
        P.service_points_manage,
        P.service_points_update_occupancy,
        P.hotspots_manage,
        P.referrals_create,
        P.regions_manage,
        P.alerts_ingest,
        P.response_override,
        P.response_configure,
        P.response_tasks_update,
        P.roster_read,
        P.roster_manage,
        P.stock_read,
        P.stock_update,
        P.grants_manage,
        P.users_manage,
        P.partners_manage,
        P.notify_manage,
        P.social_reporters_manage,
    },
    Role.commander: _READ_OPERATIONS
    | {
        P.reports_create,
        P.reports_confirm,
        P.reports_merge,
        P.incidents_update,
        P.dispatch_create,
        P.encounters_create,
        P.persons_read_sensitive,
        P.persons_read_minor,
        P.persons_update,
        P.persons_export,
        P.teams_manage,
        P.teams_report_status,
        P.service_points_manage,
        P.service_points_update_occupancy,
        P.hotspots_manage,
        P.patrols_plan,
        P.patrols_check_in,
        P.referrals_create,
        P.revisits_read,
        P.revisits_complete,
        P.revisits_cancel,
        P.alerts_ingest,
        P.response_override,
        P.response_tasks_update,
        P.roster_read,
        P.roster_manage,
        P.stock_read,
        P.stock_update,
        P.grants_manage,
        P.social_reporters_manage,
    },
    Role.dispatcher: _READ_OPERATIONS
    | {
        P.reports_create,
        P.reports_confirm,
        P.reports_merge,
        P.incidents_update,
        P.dispatch_create,
        P.encounters_create,
        P.teams_report_status,
        P.hotspots_manage,
        P.patrols_plan,
        P.patrols_check_in,
        P.referrals_create,
        P.revisits_read,
        P.revisits_complete,
        P.revisits_cancel,
        P.response_tasks_update,
        P.roster_read,
        P.stock_read,
        P.social_reporters_manage,
    },
    Role.patrol: frozenset(
        {
            P.service_catalogue_read,
            P.reports_create,
            P.reports_read,
            P.incidents_read,
            P.incidents_update,
            P.encounters_create,
            P.encounters_read,
            P.persons_read,
            P.persons_read_sensitive,
            P.persons_update,
            P.teams_read,
            P.teams_report_status,
            P.service_points_read,
            P.hotspots_read,
            P.patrols_read,
            P.patrols_check_in,
            P.referrals_create,
            P.revisits_read,
            P.revisits_complete,
            P.regions_read,
            P.alerts_read,
            P.weather_read,
            P.response_read,
        }
    ),
    Role.service_point_staff: frozenset(
        {
            P.incidents_read,
            P.encounters_create,
            P.encounters_read,
            P.persons_read,
            P.persons_read_sensitive,
            P.persons_read_minor,
            P.persons_update,
            P.service_points_read,
            P.service_points_update_occupancy,
            P.regions_read,
            P.alerts_read,
            P.weather_read,
            P.response_read,
            P.response_tasks_update,
            P.stock_read,
            P.stock_update,
        }
    ),
    Role.auditor: frozenset({P.audit_read, P.regions_read, P.stats_read}),
    Role.partner: frozenset(
        {P.reports_create, P.service_catalogue_read, P.regions_read, P.alerts_read}
    ),
    Role.social_reporter: frozenset(
        {P.reports_create, P.own_reports_read, P.service_catalogue_read}
    ),
    Role.public: frozenset({P.reports_create, P.service_catalogue_read}),
}
"""What each role may do. Jurisdiction (the region subtree) limits every one of these, with one
widening: a patrol member also reaches an incident elsewhere that their own team was sent to
(``dispatch.service.require_incident_for``)."""

STAFF_ROLES = frozenset(Role) - {Role.partner, Role.social_reporter, Role.public}
"""Roles held by user accounts (partners and social reporters hold keys; the public holds
nothing)."""
