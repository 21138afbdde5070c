"""Statistics use case: gathers each domain's figures through its service functions."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from streetrelief.core.errors import InvalidInputError
from streetrelief.dispatch.service import dispatch_figures
from streetrelief.incidents.service import incident_figures
from streetrelief.intake.models import ACTIVE_CHANNELS
from streetrelief.intake.service import machine_report_figures
from streetrelief.patrols.service.check_ins import patrol_figures
from streetrelief.people.service import encounter_figures
from streetrelief.regions.service import require_region
from streetrelief.reporters.service import reporter_figures
from streetrelief.revisits.service import revisit_figures
from streetrelief.service_points.service import count_set_up
from streetrelief.stats.logic import percentile, share
from streetrelief.stats.schemas import Statistics


def compute_statistics(
    session: Session, region_code: str, start: datetime, end: datetime, *, now: datetime
) -> Statistics:
    """The campaign's figures for the subtree of ``region_code`` over [start, end).

    Raises:
        UnknownRegionError: no such region.
        InvalidInputError: ``end`` is not after ``start``.
    """
    if end <= start:
        raise InvalidInputError("end must be after start", field="end")
    region = require_region(session, region_code)
    path = region.path
    encounters, assisted, items = encounter_figures(session, path, start, end)
    dispatches, staff, vehicles = dispatch_figures(session, path, start, end)
    check_ins, patrol_staff = patrol_figures(session, path, start, end, ZoneInfo(region.timezone))
    inc = incident_figures(
        session,
        path,
        start,
        end,
        active_channels=frozenset(str(c) for c in ACTIVE_CHANNELS),
        now=min(now, end),
    )
    times = inc.response_times_s
    machine, judged, confirmed = machine_report_figures(session, path, start, end)
    social = reporter_figures(session, path, start, end)
    revisits, revisits_on_time = revisit_figures(session, path, start, end)
    return Statistics(
        region_code=region_code,
        timezone=region.timezone,
        start=start,
        end=end,
        person_times_assisted=assisted,
        encounters=encounters,
        patrol_person_times=staff + patrol_staff,
        patrol_check_ins=check_ins,
        vehicle_dispatches=vehicles,
        dispatches=dispatches,
        items_distributed=items,
        service_points_set_up=count_set_up(session, path, end),
        incidents=inc.incidents,
        reports=inc.reports,
        incidents_found_actively=inc.found_actively,
        share_found_actively=share(inc.found_actively, inc.incidents),
        response_time_p50_s=percentile(times, 50),
        response_time_p90_s=percentile(times, 90),
        response_time_p99_s=percentile(times, 99),
        arrivals=len(times),
        incidents_due=inc.due,
        share_on_time=share(inc.on_time, inc.due),
        machine_reports=machine,
        machine_reports_judged=judged,
        machine_confirmation_rate=share(confirmed, judged),
        social_reporter_reports=social.reports,
        social_reporter_reports_by_kind=social.by_kind,
        social_reporter_reports_helped=social.helped,
        revisits_done=revisits,
        revisits_done_on_time=revisits_on_time,
    )
