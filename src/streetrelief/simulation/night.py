"""A simulated night in memory: incidents arrive, a dispatch rule picks teams, teams travel,
work on scene, take people to service points with room, and return to base (SimPy time);
response levels change and a rise shortens the targets of incidents still waiting.

The model, shared by every rule compared: a team starts a trip only from its base, an
incident's site, a service point or a standby site (never mid-road); a team that clears with
nothing waiting returns to base (and takes no new job until it is back) or, when the rule says
so, waits where it is, or goes to a standby site the rule names; a busy team, or one on its way to a
standby site, may hold one next job, which it starts when it clears or arrives (a team on its
way is ranked from the site, as if it finished the move first).
Dispatch rules decide who goes where; they call ``dispatch.logic`` exactly as the services do.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any, Protocol

import simpy

from streetrelief.core.errors import InvalidInputError
from streetrelief.dispatch.logic import TeamOption
from streetrelief.dispatch.travel import TravelTimeProvider
from streetrelief.incidents.models import Priority
from streetrelief.teams.models import TravelMode

LatLon = tuple[float, float]
SimProcess = Generator[simpy.Event, Any, None]


class SimulationLimitError(InvalidInputError):
    """A simulation ran past its wall-time bound."""

    code = "simulation_limit"


@dataclass
class SimIncident:
    """An incident of the night; times are seconds from the start of the night."""

    idx: int
    source_id: str
    reported_s: float
    pos: LatLon
    priority: Priority
    required: frozenset[str]
    needs_transport: bool
    people: int
    target_s: float
    confirm_s: float
    base_target_s: float
    dispatched_s: float | None = None
    arrived_s: float | None = None
    team: int | None = None
    is_placed: bool = False
    is_transport_taken: bool = False
    teams_sent: int = 0

    @property
    def reach_s(self) -> float | None:
        """Report to arrival, seconds; None when never reached."""
        return None if self.arrived_s is None else self.arrived_s - self.reported_s


@dataclass
class SimTeam:
    """A team of the night."""

    idx: int
    code: str
    base: LatLon
    mode: TravelMode
    capabilities: frozenset[str]
    shift_end_s: float
    pos: LatLon = (0.0, 0.0)
    is_idle: bool = True
    is_moving: bool = False
    free_at_s: float = 0.0
    free_pos: LatLon = (0.0, 0.0)
    job: SimIncident | None = None
    next_job: SimIncident | None = None
    dispatches: int = 0
    busy_s: float = 0.0


@dataclass
class SimPoint:
    """A service point with room for ``capacity`` people."""

    name: str
    pos: LatLon
    capacity: int
    occupancy: int = 0


@dataclass(frozen=True)
class FieldModel:
    """Field timings of the night, seconds."""

    turnout_s: float
    on_scene_s: float
    handover_s: float


class DispatchRule(Protocol):
    """Who goes where: called when an incident is ready and when a team clears.

    ``idle_teams_stay``: whether a team that clears with nothing to do waits where it is
    (else it returns to base first, unless ``standby_for`` names a site).
    """

    idle_teams_stay: bool

    def on_ready(self, night: Night, incident: SimIncident) -> None:
        """Assign, give as a next job, or keep the incident waiting."""
        ...

    def next_for(self, night: Night, team: SimTeam) -> SimIncident | None:
        """The waiting incident a team that just cleared takes, if any."""
        ...

    def standby_for(self, night: Night, team: SimTeam) -> LatLon | None:
        """Where an idle team (at the start, or clear with nothing waiting) should wait; None
        for the model's default (base, or where it is when ``idle_teams_stay``)."""
        ...


@dataclass
class NightResult:
    """What happened: incidents with their times, teams with their load."""

    incidents: list[SimIncident]
    teams: list[SimTeam]
    points: list[SimPoint]
    horizon_s: float
    unplaced_people: int = 0
    wall_s: float = 0.0


@dataclass
class Night:
    """One run of one rule over copies of the night's incidents, teams and points."""

    incidents: list[SimIncident]
    teams: list[SimTeam]
    points: list[SimPoint]
    travel: TravelTimeProvider
    field_model: FieldModel
    rule: DispatchRule
    horizon_s: float
    wall_time_limit_s: float
    on_progress: Callable[[], None] | None = None
    level_factors: list[tuple[float, float]] = field(default_factory=list)
    env: simpy.Environment = field(default_factory=simpy.Environment)
    unplaced_people: int = 0

    def run(self) -> NightResult:
        """Run to the end of the horizon (or until nothing is left to do).

        Raises:
            SimulationLimitError: the wall-time bound passed.
        """
        started = time.monotonic()
        for team in self.teams:
            team.pos = team.free_pos = team.base
        for team in self.teams:
            site = self.rule.standby_for(self, team)
            if site is not None and site != team.pos:
                self.env.process(self._move(team, site))
        self.env.process(self._arrivals(started))
        self.env.process(self._levels())
        self.env.run(until=self.horizon_s)
        return NightResult(
            incidents=self.incidents,
            teams=self.teams,
            points=self.points,
            horizon_s=self.horizon_s,
            unplaced_people=self.unplaced_people,
            wall_s=time.monotonic() - started,
        )

    @property
    def now(self) -> float:
        """Seconds from the start of the night."""
        return float(self.env.now)

    def options(self, incident: SimIncident, *, include_busy: bool) -> list[TeamOption]:
        """Teams that can take ``incident``: idle ones, and (when asked) busy or moving ones
        without a next job, each with its time to reach from where it is or will be free."""
        by_mode: dict[TravelMode, list[SimTeam]] = {}
        for team in self.teams:
            if team.is_idle or (
                include_busy and (team.job is not None or team.is_moving) and team.next_job is None
            ):
                by_mode.setdefault(team.mode, []).append(team)
        out: list[TeamOption] = []
        for mode, group in by_mode.items():
            estimates = self.travel.one_to_many(
                incident.pos, [t.pos if t.is_idle else t.free_pos for t in group], mode
            )
            out.extend(
                TeamOption(
                    team_id=t.idx,
                    code=t.code,
                    capabilities=t.capabilities,
                    mode=mode,
                    estimate=e,
                    dispatches_24h=t.dispatches,
                    free_in_s=0.0 if t.is_idle else max(0.0, t.free_at_s - self.now),
                    shift_left_s=t.shift_end_s - self.now,
                )
                for t, e in zip(group, estimates, strict=True)
            )
        return out

    def send(self, team: SimTeam, incident: SimIncident) -> None:
        """Send an idle team now, or give a busy one ``incident`` as its next job."""
        self._take(team, incident)
        if team.is_idle:
            team.is_idle = False
            self.env.process(self._work(team, incident))
        else:
            team.next_job = incident

    def _take(self, team: SimTeam, incident: SimIncident) -> None:
        if incident.dispatched_s is None:
            incident.dispatched_s = self.now
            incident.team = team.idx
        incident.teams_sent += 1
        team.dispatches += 1

    def _arrivals(self, started: float) -> SimProcess:
        for incident in sorted(self.incidents, key=lambda i: i.reported_s):
            yield self.env.timeout(max(0.0, incident.reported_s - self.now))
            if time.monotonic() - started > self.wall_time_limit_s:
                msg = f"simulation passed its wall-time bound of {self.wall_time_limit_s:g} s"
                raise SimulationLimitError(msg)
            self.env.process(self._ready(incident))
            if self.on_progress is not None:
                self.on_progress()

    def _levels(self) -> SimProcess:
        """At each level change, shorten the target of every incident reported and not yet
        reached to the triage target times the new factor, never lengthening one (as
        ``response.tasks.tighten_open_targets`` does live)."""
        for at_s, factor in self.level_factors:
            yield self.env.timeout(max(0.0, at_s - self.now))
            for incident in self.incidents:
                if incident.reported_s <= self.now and incident.arrived_s is None:
                    tighter = float(max(1, round(incident.base_target_s * factor)))
                    incident.target_s = min(incident.target_s, tighter)

    def _ready(self, incident: SimIncident) -> SimProcess:
        if incident.confirm_s > 0:
            yield self.env.timeout(incident.confirm_s)
        self.rule.on_ready(self, incident)

    def _trip_s(self, origin: LatLon, target: LatLon, mode: TravelMode) -> float:
        return self.travel.one_to_many(origin, [target], mode)[0].travel_time_s

    def _nearest_point_with_room(self, pos: LatLon, people: int) -> SimPoint | None:
        room = [p for p in self.points if p.capacity - p.occupancy >= people]
        if not room:
            return None
        times = self.travel.one_to_many(pos, [p.pos for p in room], TravelMode.vehicle)
        return min(zip(times, room, strict=True), key=lambda tp: tp[0].travel_time_s)[1]

    def _plan(self, team: SimTeam, incident: SimIncident) -> None:
        """Predict when and where the team will be free (what ranking sees of it)."""
        there = self._trip_s(team.pos, incident.pos, team.mode)
        free_at = self.now + self.field_model.turnout_s + there + self.field_model.on_scene_s
        free_pos = incident.pos
        if incident.needs_transport and team.mode == TravelMode.vehicle:
            point = self._nearest_point_with_room(incident.pos, incident.people)
            if point is not None:
                free_at += self._trip_s(incident.pos, point.pos, team.mode)
                free_at += self.field_model.handover_s
                free_pos = point.pos
        team.free_at_s, team.free_pos = free_at, free_pos

    def _work(self, team: SimTeam, incident: SimIncident) -> SimProcess:
        while True:
            began = self.now
            team.job = incident
            self._plan(team, incident)
            yield self.env.timeout(self.field_model.turnout_s)
            yield self.env.timeout(self._trip_s(team.pos, incident.pos, team.mode))
            if incident.arrived_s is None:
                incident.arrived_s = self.now
                incident.team = team.idx
            team.pos = incident.pos
            yield self.env.timeout(self.field_model.on_scene_s)
            if (
                incident.needs_transport
                and team.mode == TravelMode.vehicle
                and not incident.is_transport_taken
            ):
                incident.is_transport_taken = True
                yield from self._transport(team, incident)
            team.busy_s += self.now - began
            team.job = None
            following = team.next_job or self.rule.next_for(self, team)
            team.next_job = None
            if following is None:
                break
            if following.dispatched_s is None:
                self._take(team, following)
            incident = following
        if self.rule.idle_teams_stay and team.pos == incident.pos:
            team.free_pos = team.pos
            team.is_idle = True
            return
        site = self.rule.standby_for(self, team)
        if site is None:
            yield from self._return(team)
        elif site == team.pos:
            team.free_pos = team.pos
            team.is_idle = True
        else:
            yield from self._move(team, site)

    def _transport(self, team: SimTeam, incident: SimIncident) -> SimProcess:
        point = self._nearest_point_with_room(team.pos, incident.people)
        if point is None:
            self.unplaced_people += incident.people
            return
        point.occupancy += incident.people
        incident.is_placed = True
        yield self.env.timeout(self._trip_s(team.pos, point.pos, team.mode))
        yield self.env.timeout(self.field_model.handover_s)
        team.pos = point.pos

    def _return(self, team: SimTeam) -> SimProcess:
        began = self.now
        yield self.env.timeout(self._trip_s(team.pos, team.base, team.mode))
        team.pos = team.free_pos = team.base
        team.busy_s += self.now - began
        following = self.rule.next_for(self, team)
        if following is None:
            team.is_idle = True
            return
        self._take(team, following)
        self.env.process(self._work(team, following))

    def _move(self, team: SimTeam, site: LatLon) -> SimProcess:
        """Go to a standby site; a job given on the way (``next_job``) starts on arrival."""
        began = self.now
        trip_s = self._trip_s(team.pos, site, team.mode)
        team.is_idle, team.is_moving = False, True
        team.free_at_s, team.free_pos = self.now + trip_s, site
        yield self.env.timeout(trip_s)
        team.pos = site
        team.is_moving = False
        team.busy_s += self.now - began
        following = team.next_job or self.rule.next_for(self, team)
        team.next_job = None
        if following is None:
            team.is_idle = True
            return
        if following.dispatched_s is None:
            self._take(team, following)
        self.env.process(self._work(team, following))
