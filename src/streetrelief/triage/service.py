"""Triage use case: apply the policy in force to an incident and record the decision."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from streetrelief.incidents import service as incidents
from streetrelief.incidents.models import Incident
from streetrelief.regions.service import require_region
from streetrelief.response.tasks import playbook_for
from streetrelief.triage.policy import TriageDecision, TriagePolicy, triage


def triage_incident(
    session: Session,
    incident: Incident,
    *,
    policy: TriagePolicy,
    now: datetime,
    wind_chill_c: float | None = None,
) -> TriageDecision:
    """Triage ``incident`` by its observed conditions at the region's local time of day.

    The policy's response-time target is multiplied by the ``response_target_factor`` of the
    response level in force in the incident's region at ``now`` (``playbook_for``), so an
    incident triaged under a higher level is due sooner; its due time, breach timer and
    on-time figure all follow the stored target.

    Args:
        wind_chill_c: wind chill at the incident, °C, when known.
    """
    zone = ZoneInfo(require_region(session, incident.region_code).timezone)
    decision = triage(
        policy,
        frozenset(incident.conditions),
        local_time=now.astimezone(zone).time(),
        wind_chill_c=wind_chill_c,
    )
    factor = playbook_for(session, incident.region_code, now).response_target_factor
    if factor != 1.0:
        decision = replace(
            decision, response_target_s=max(1, round(decision.response_target_s * factor))
        )
    incidents.apply_triage(session, incident, decision, now)
    return decision
