"""Replay a night (or days) of real requests in simulated time, through the real services.

SimPy drives the clock. Reports arrive at their real times and places and go through intake,
merging and triage exactly as live ones; incidents the policy does not dispatch automatically
are confirmed by a simulated dispatcher after ``FieldScript.dispatcher_confirm_s`` (the top
recommendation); teams leave, travel for the provider's estimated time, arrive, record one
encounter per person, stay on scene, resolve, and take the most urgent waiting incident.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import simpy
from sqlalchemy.orm import Session, sessionmaker

from streetrelief.core.clock import SimClock
from streetrelief.core.errors import InvalidInputError, StreetReliefError
from streetrelief.db.engine import session_scope
from streetrelief.dispatch.service import (
    assign_team,
    dispatches_for,
    recommend_teams,
    report_progress,
)
from streetrelief.dispatch.travel import TravelTimeProvider
from streetrelief.incidents.models import PRIORITY_RANK, IncidentStatus, Priority
from streetrelief.incidents.service import require_incident
from streetrelief.intake.schemas import ReportCreate
from streetrelief.intake.service import receive_report
from streetrelief.people.models import EncounterOutcome
from streetrelief.people.schemas import EncounterCreate, ItemGiven, PersonIn
from streetrelief.people.service import record_encounter
from streetrelief.simulation.field import FieldScript
from streetrelief.simulation.sources import SourceReport
from streetrelief.stats.schemas import Statistics
from streetrelief.stats.service import compute_statistics
from streetrelief.triage.policy import TriagePolicy

SimProcess = Generator[simpy.Event, Any, None]


@dataclass
class ReplayOutcome:
    """What a replay did, and the statistics it ends with."""

    start: datetime
    end: datetime
    reports: int = 0
    merged: int = 0
    incidents: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    dispatches: int = 0
    encounters: int = 0
    statistics: Statistics | None = None


class Replay:
    """One replay of ``reports`` over a database with regions and teams already loaded.

    Raises:
        InvalidInputError: there are no reports.
    """

    def __init__(
        self,
        factory: sessionmaker[Session],
        reports: Sequence[SourceReport],
        *,
        policy: TriagePolicy,
        travel: TravelTimeProvider,
        script: FieldScript,
    ) -> None:
        if not reports:
            raise InvalidInputError("no reports to replay")
        self.factory = factory
        self.reports = sorted(reports, key=lambda r: r.reported_at)
        self.policy = policy
        self.travel = travel
        self.script = script
        self.env = simpy.Environment()
        self.clock = SimClock(self.env, self.reports[0].reported_at)
        self.waiting: list[tuple[int, datetime, int]] = []
        self.outcome = ReplayOutcome(start=self.clock.start, end=self.clock.start)

    def run(
        self, *, stats_region: str, on_report: Callable[[], None] | None = None
    ) -> ReplayOutcome:
        """Replay every report to the end and return the outcome with statistics.

        Args:
            stats_region: region code whose subtree the closing statistics cover.
            on_report: called after each report is handled (progress display).

        Raises:
            UnknownRegionError: ``stats_region`` is not a region.
        """
        for report in self.reports:
            self.env.process(self._arrive(report, on_report))
        self.env.run()
        end = self.clock.now() + timedelta(seconds=1)
        self.outcome.end = end
        with session_scope(self.factory, read_only=True) as session:
            self.outcome.statistics = compute_statistics(
                session, stats_region, self.outcome.start, end, now=end
            )
        return self.outcome

    def _now(self) -> datetime:
        return self.clock.now()

    def _arrive(self, report: SourceReport, on_report: Callable[[], None] | None) -> SimProcess:
        delay = (report.reported_at - self._now()).total_seconds()
        yield self.env.timeout(max(0.0, delay))
        data = ReportCreate(
            channel=report.channel,
            reported_at=report.reported_at,
            lat=report.lat,
            lon=report.lon,
            description=report.description[:2000],
            conditions=list(report.conditions),
            source_id=report.source_id,
        )
        try:
            with session_scope(self.factory) as session:
                result = receive_report(
                    session, data, clock=self.clock, policy=self.policy, travel=self.travel
                )
                incident = require_incident(session, result.incident_id)
                dispatch_team = None
                if result.dispatch_id is not None:
                    dispatch_team = (incident.id, self._eta(session, incident.id))
                is_merged = result.report.is_merged
        except StreetReliefError as exc:
            self.outcome.rejected.append((report.line, exc.detail))
            return
        finally:
            if on_report is not None:
                on_report()
        self.outcome.reports += 1
        if is_merged:
            self.outcome.merged += 1
            return
        self.outcome.incidents += 1
        if dispatch_team is not None:
            self.outcome.dispatches += 1
            self.env.process(self._team_run(*dispatch_team))
        else:
            self.env.process(self._dispatcher(result.incident_id))

    def _dispatcher(self, incident_id: int) -> SimProcess:
        yield self.env.timeout(self.script.dispatcher_confirm_s)
        self._try_assign(incident_id)

    def _try_assign(self, incident_id: int) -> bool:
        now = self._now()
        with session_scope(self.factory) as session:
            incident = require_incident(session, incident_id)
            if incident.status != IncidentStatus.triaged:
                return True
            ranked = recommend_teams(
                session, incident, policy=self.policy, travel=self.travel, now=now
            )
            # A replay follows each team one job at a time, so it sends only teams free now.
            ranked = [r for r in ranked if r.free_in_s == 0]
            if not ranked:
                rank = PRIORITY_RANK[Priority(incident.priority or Priority.normal)]
                heapq.heappush(self.waiting, (rank, incident.first_reported_at, incident_id))
                return False
            assign_team(
                session,
                incident_id,
                ranked[0].team_id,
                policy=self.policy,
                travel=self.travel,
                now=now,
                assigned_by="replay dispatcher",
            )
            eta = self._eta(session, incident_id)
        self.outcome.dispatches += 1
        self.env.process(self._team_run(incident_id, eta))
        return True

    def _eta(self, session: Session, incident_id: int) -> float:
        return dispatches_for(session, incident_id)[-1].estimated_travel_s

    def _team_run(self, incident_id: int, eta_s: float) -> SimProcess:
        yield self.env.timeout(self.script.turnout_s)
        self._progress(incident_id, IncidentStatus.en_route)
        yield self.env.timeout(eta_s)
        self._progress(incident_id, IncidentStatus.on_scene)
        self._record_encounters(incident_id)
        yield self.env.timeout(self.script.on_scene_s)
        self._progress(incident_id, IncidentStatus.resolved)
        while self.waiting:
            _rank, _first, waiting_id = heapq.heappop(self.waiting)
            if self._try_assign(waiting_id):
                break

    def _progress(self, incident_id: int, target: IncidentStatus) -> None:
        with session_scope(self.factory) as session:
            report_progress(session, incident_id, target, at=self._now(), now=self._now())

    def _record_encounters(self, incident_id: int) -> None:
        with session_scope(self.factory) as session:
            incident = require_incident(session, incident_id)
            team_id = dispatches_for(session, incident_id)[-1].team_id
            outcome = self.script.outcome_for_destination.get(
                incident.destination or "", EncounterOutcome.supplies_on_site
            )
            items: dict[str, int] = {}
            for measure in incident.measures:
                for item, qty in self.script.items_for_measure.get(measure, {}).items():
                    items[item] = items.get(item, 0) + qty
            for n in range(incident.people_count):
                record_encounter(
                    session,
                    incident_id,
                    EncounterCreate(
                        person=PersonIn(description=f"person {n + 1} at replayed incident"),
                        team_id=team_id,
                        categories=[],
                        measures=list(incident.measures),
                        items=[ItemGiven(item=i, quantity=q) for i, q in sorted(items.items())],
                        outcome=outcome,
                    ),
                    policy=self.policy,
                    now=self._now(),
                )
                self.outcome.encounters += 1
