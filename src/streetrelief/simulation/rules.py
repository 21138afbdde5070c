"""The dispatch rules a simulated night compares.

- ``OurRule``: the live policy. ``dispatch.logic.rank_teams`` over idle teams and busy teams
  by when and where they will be free, plus ``dispatch.logic.first_responder``; a team that
  clears takes the waiting incident first in ``dispatch.logic.next_job_order``; a queued next
  job is pre-empted as ``DispatchPolicy.may_preempt`` allows.
- ``NearestIdleRule``: the nearest idle team by travel time, first come first served.
- ``FixedZoneRule``: each team covers the incidents nearest its base; its zone waits for it.
"""

from __future__ import annotations

from collections import deque

from streetrelief.dispatch.logic import first_responder, next_job_order, rank_teams
from streetrelief.dispatch.policy import DispatchPolicy
from streetrelief.incidents.models import PRIORITY_RANK
from streetrelief.simulation.night import Night, SimIncident, SimTeam


class OurRule:
    """The policy of ``dispatch.logic`` and ``dispatch.policy``, as the services apply it."""

    def __init__(self, rules: DispatchPolicy) -> None:
        self.rules = rules
        self.idle_teams_stay = rules.idle_teams_stay
        self.waiting: dict[int, SimIncident] = {}

    def on_ready(self, night: Night, incident: SimIncident) -> None:
        """Send the top-ranked team (maybe as a next job), pre-empt, or wait."""
        options = night.options(incident, include_busy=True)
        ranked = rank_teams(
            options,
            incident.required,
            expected_on_scene_s=self.rules.expected_on_scene_s,
            limit=1,
        )
        if ranked:
            night.send(night.teams[ranked[0].team_id], incident)
            if incident.priority in self.rules.first_responder_for:
                extra = first_responder({o.team_id: o.reach_s for o in options}, ranked[0])
                if extra is not None:
                    night.send(night.teams[extra], incident)
            return
        holder = self._preemptable(night, incident)
        if holder is not None and holder.next_job is not None:
            bumped = holder.next_job
            holder.next_job = None
            bumped.dispatched_s = bumped.team = None
            bumped.teams_sent -= 1
            holder.dispatches -= 1
            self._wait(bumped)
            night.send(holder, incident)
            return
        self._wait(incident)

    def _preemptable(self, night: Night, incident: SimIncident) -> SimTeam | None:
        holders = [
            t
            for t in night.teams
            if t.next_job is not None
            and self.rules.may_preempt(incident.priority, t.next_job.priority)
        ]
        return min(holders, key=lambda t: (t.free_at_s, t.idx), default=None)

    def _wait(self, incident: SimIncident) -> None:
        self.waiting[incident.idx] = incident

    def next_for(self, night: Night, team: SimTeam) -> SimIncident | None:
        """The waiting incident first in ``next_job_order`` from where the team is."""
        if not self.waiting:
            return None
        top = min(PRIORITY_RANK[i.priority] for i in self.waiting.values())
        group = [i for i in self.waiting.values() if PRIORITY_RANK[i.priority] == top]
        times = night.travel.one_to_many(team.pos, [i.pos for i in group], team.mode)
        _, chosen = min(
            zip(times, group, strict=True),
            key=lambda ti: (
                next_job_order(
                    ti[1].priority, ti[0].travel_time_s, ti[1].reported_s + ti[1].target_s
                ),
                ti[1].idx,
            ),
        )
        del self.waiting[chosen.idx]
        return chosen


class NearestIdleRule:
    """Nearest idle team, first come first served (what most centres do); teams go back to
    base between jobs."""

    idle_teams_stay = False

    def __init__(self) -> None:
        self.waiting: deque[SimIncident] = deque()

    def on_ready(self, night: Night, incident: SimIncident) -> None:
        """Send the idle team with the shortest travel, or wait in arrival order."""
        options = night.options(incident, include_busy=False)
        if not options:
            self.waiting.append(incident)
            return
        best = min(options, key=lambda o: (o.estimate.travel_time_s, o.team_id))
        night.send(night.teams[best.team_id], incident)

    def next_for(self, night: Night, team: SimTeam) -> SimIncident | None:
        """The longest-waiting incident."""
        return self.waiting.popleft() if self.waiting else None


class FixedZoneRule:
    """Each team covers its own district: the incidents whose nearest base is its own; teams
    go back to base between jobs."""

    idle_teams_stay = False

    def __init__(self, zone_of: dict[int, int]) -> None:
        self.zone_of = zone_of
        self.waiting: dict[int, deque[SimIncident]] = {}

    def on_ready(self, night: Night, incident: SimIncident) -> None:
        """Send the zone's team if idle, else wait for it."""
        team = night.teams[self.zone_of[incident.idx]]
        if team.is_idle:
            night.send(team, incident)
        else:
            self.waiting.setdefault(team.idx, deque()).append(incident)

    def next_for(self, night: Night, team: SimTeam) -> SimIncident | None:
        """The longest-waiting incident of the team's zone."""
        queue = self.waiting.get(team.idx)
        return queue.popleft() if queue else None
