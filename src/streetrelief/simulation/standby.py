"""Standby positions for idle teams by expected coverage (a lever of the simulation).

Daskin's Maximum Expected Covering Location Problem (MEXCLP; "A maximum expected covering
location model", Transportation Science 17(1), 1983), used by ambulance services to station
idle crews: demand node *d* of weight *w_d* covered by *n_d* available teams, each busy with
probability *q*, is served by a covering team with probability ``1 - q**n_d``; adding one more
covering team gains ``w_d * q**n_d * (1 - q)``. A team that becomes idle (at the start of the
night, or when it clears with nothing waiting) goes to the candidate site with the largest
total gain over the demand it covers, given where the other idle teams stand or are heading
(the greedy step of MEXCLP), among the sites within ``MOVE_LIMIT_S``, unless where it is gains
nearly as much (``STAY_SHARE``).

- *Demand* is known before the night: the reports of the scenario's file that were not drawn
  into it (the night is a seeded sample of the file, so these are the same city's calls of the
  same days, never the night's own), clustered by k-means into ``DEMAND_NODES`` nodes weighted
  by their report counts; each node stands at the report nearest its centre.
- *Candidate sites*: the team bases, the service points and the demand nodes.
- *Covered*: a team reaches the node within the critical response target in force (triage
  target times the response level's factor) less the dispatcher's confirmation (none when critical
  incidents are dispatched automatically) and the turnout, by the team's own travel mode.
- *q*: the share of the night's teams on a job at the moment of the decision.

The live service does not move teams: it would need position suggestions for idle teams (not
built); this module only tells the simulation where idle teams wait.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.cluster.vq import kmeans2
from scipy.spatial import KDTree

from streetrelief.dispatch.travel import TravelTimeProvider
from streetrelief.teams.models import TravelMode

LatLon = tuple[float, float]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

DEMAND_NODES = 500
"""k-means clusters of the prior demand. Measured on the Los Angeles night (bench/dispatch.py,
ADR 0006): 200 nodes (a cluster can be wider than a coverage radius) did worse for critical
incidents than 500; 1,000 added nothing and doubled the time."""

MOVE_LIMIT_S = 600.0
"""A team moves only to sites it reaches within this, seconds. Without a limit, teams crossed
Los Angeles for a slightly better site and the mean went from 18.8 to 25.2 min (100 teams);
of 5, 10 and 20 minutes, 5 was worse for critical incidents and 20 about the same as 10."""

STAY_SHARE = 0.8
"""A team stays where it is when that gains at least this share of the best site's gain (it is
already near a good site). Of 0.5, 0.8 and 1.0 (move for any better site), 0.5 was worse for
critical incidents and 1.0 about the same as 0.8."""


@dataclass(frozen=True)
class StandbyPlan:
    """Candidate sites, demand nodes and the travel between them.

    ``reach_s[mode][s, d]``: travel time from site ``s`` to node ``d``, seconds, per team
    mode; ``weights[d]``: reports of the prior demand in node ``d``; ``target_s``: the critical
    response target at factor 1, seconds; ``lead_s``: confirmation plus turnout, seconds.
    """

    sites: list[LatLon]
    nodes: list[LatLon]
    weights: FloatArray
    reach_s: dict[TravelMode, FloatArray]
    target_s: float
    lead_s: float

    def budget_s(self, factor: float) -> float:
        """Travel time within which a team covers a node under ``factor`` (seconds)."""
        return self.target_s * factor - self.lead_s


def demand_nodes(history: list[LatLon], seed: int) -> tuple[list[LatLon], FloatArray]:
    """Cluster prior report locations (lat, lon degrees) into at most ``DEMAND_NODES`` nodes:
    each node at the report nearest its k-means centre (distances on an equirectangular
    projection at the mean latitude), weighted by its cluster's report count.

    Raises:
        ValueError: ``history`` is empty.
    """
    if not history:
        msg = "no prior reports to weigh demand by"
        raise ValueError(msg)
    points = np.asarray(history, dtype=np.float64)
    scaled = points * np.array([1.0, np.cos(np.radians(points[:, 0].mean()))])
    k = min(DEMAND_NODES, len(history))
    with warnings.catch_warnings():
        # Seeding from random reports can leave a cluster empty; empty ones are dropped below.
        warnings.filterwarnings("ignore", "One of the clusters is empty", UserWarning)
        centres, labels = kmeans2(scaled, k, minit="points", seed=np.random.default_rng(seed))
    counts = np.bincount(labels, minlength=k).astype(np.float64)
    used = counts > 0
    _, nearest = KDTree(scaled).query(centres[used])
    nodes = [(float(points[i, 0]), float(points[i, 1])) for i in np.atleast_1d(nearest)]
    return nodes, counts[used]


def standby_plan(
    *,
    history: list[LatLon],
    sites: list[LatLon],
    modes: set[TravelMode],
    travel: TravelTimeProvider,
    target_s: float,
    lead_s: float,
    seed: int,
) -> StandbyPlan:
    """The plan for a night: demand nodes from ``history`` (see ``demand_nodes``); candidate
    sites are ``sites`` (bases and service points) and the nodes themselves.

    Raises:
        ValueError: ``history`` is empty.
    """
    nodes, weights = demand_nodes(history, seed)
    all_sites = sites + nodes
    reach = {
        mode: np.array(
            [[e.travel_time_s for e in row] for row in travel.many_to_many(all_sites, nodes, mode)]
        )
        for mode in sorted(modes)
    }
    return StandbyPlan(all_sites, nodes, weights, reach, target_s, lead_s)


def pick_site(covers: BoolArray, weights: FloatArray, counts: FloatArray, q: float) -> int:
    """The greedy MEXCLP step: row 0 of ``covers`` is where the team is, the others are the
    sites within its move limit (see ``coverage_gain`` for the arguments). Returns 0 to stay
    (where it is gains at least ``STAY_SHARE`` of the best, or nothing gains), else the row of
    the site with the greatest gain (the first on a tie)."""
    gains = coverage_gain(covers, weights, counts, q)
    best = int(np.argmax(gains))
    return 0 if gains[0] >= STAY_SHARE * gains[best] else best


def coverage_gain(
    covers: BoolArray, weights: FloatArray, counts: FloatArray, q: float
) -> FloatArray:
    """MEXCLP marginal gain of one more team at each candidate.

    ``covers[s, d]``: candidate ``s`` covers node ``d``; ``counts[d]``: available teams
    already covering ``d``; ``q``: probability a team is busy, in [0, 1). Returns, per
    candidate, ``sum_d covers[s, d] * w_d * q**counts[d] * (1 - q)`` (Daskin 1983): the
    expected covered demand added.
    """
    return np.asarray(covers @ (weights * q**counts * (1.0 - q)), dtype=np.float64)
