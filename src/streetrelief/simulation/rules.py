"""The dispatch rules a simulated night compares.

- ``OurRule``: the live policy. ``dispatch.logic.rank_teams`` over idle teams and busy teams
  by when and where they will be free, plus ``dispatch.logic.first_responder``; a team that
  clears takes the waiting incident first in ``dispatch.logic.next_job_order``; a queued next
  job is pre-empted as ``DispatchPolicy.may_preempt`` allows; with a standby plan, an idle
  team waits at the site of greatest expected coverage (``simulation.standby``).
- ``NearestIdleRule``: the nearest idle team by travel time, first come first served.
- ``FixedZoneRule``: each team covers the incidents nearest its base; its zone waits for it.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from streetrelief.dispatch.logic import first_responder, next_job_order, rank_teams
from streetrelief.dispatch.policy import DispatchPolicy
from streetrelief.incidents.models import PRIORITY_RANK
from streetrelief.simulation.build import factor_at
from streetrelief.simulation.night import LatLon, Night, SimIncident, SimTeam
from streetrelief.simulation.standby import MOVE_LIMIT_S, FloatArray, StandbyPlan, pick_site


class OurRule:
    """The policy of ``dispatch.logic`` and ``dispatch.policy``, as the services apply it."""

    def __init__(self, rules: DispatchPolicy, standby: StandbyPlan | None = None) -> None:
        self.rules = rules
        self.idle_teams_stay = rules.idle_teams_stay
        self.standby = standby
        self.waiting: dict[int, SimIncident] = {}
        # Team index → travel times (seconds) from where it waits to each demand node.
        self.posted: dict[int, FloatArray] = {}

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

    def standby_for(self, night: Night, team: SimTeam) -> LatLon | None:
        """With a standby plan, the greedy MEXCLP step (``standby.pick_site``): the site within
        ``MOVE_LIMIT_S`` adding the most expected covered demand given where the other available
        teams (idle, or on their way without a job) wait, or where the team is; without a
        plan, None."""
        plan = self.standby
        if plan is None:
            return None
        budget_s = plan.budget_s(factor_at(night.level_factors, night.now))
        counts = np.zeros(len(plan.nodes))
        for other in night.teams:
            row = self.posted.get(other.idx)
            available = other.is_idle or (other.is_moving and other.next_job is None)
            if other.idx != team.idx and row is not None and available:
                counts += row <= budget_s
        # Busy share; below 1, since the deciding team has no job.
        q = sum(t.job is not None for t in night.teams) / len(night.teams)
        here = np.array(
            [e.travel_time_s for e in night.travel.one_to_many(team.pos, plan.nodes, team.mode)]
        )
        trips = night.travel.one_to_many(team.pos, plan.sites, team.mode)
        near = [k for k, e in enumerate(trips) if e.travel_time_s <= MOVE_LIMIT_S]
        rows = np.vstack([here, plan.reach_s[team.mode][near]])
        best = pick_site(rows <= budget_s, plan.weights, counts, q)
        self.posted[team.idx] = rows[best]
        return team.pos if best == 0 else plan.sites[near[best - 1]]


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

    def standby_for(self, night: Night, team: SimTeam) -> LatLon | None:
        """None: teams go back to base."""
        return None


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

    def standby_for(self, night: Night, team: SimTeam) -> LatLon | None:
        """None: teams go back to base."""
        return None
