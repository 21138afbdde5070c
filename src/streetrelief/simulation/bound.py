"""The hindsight lower bound: no dispatch rule could have reached an incident sooner.

For incident ``i`` reported at ``r_i`` at site ``x_i``:

    bound_i = confirm_i + turnout + min over modes m of the teams,
              min over p in P_i of travel_m(p → x_i)

where ``P_i`` holds every team base, every service point, and the site of every other
incident reported no later than ``r_i + confirm_i``. Proof sketch: in the night's model a team
starts a trip only from its base, an incident's site or a service point, and a team can stand
at an incident's site only after that incident was reported; a team sent to ``i`` is sent no
earlier than ``r_i + confirm_i`` (the confirmation every rule waits for), then turns out and
travels from some point of ``P_i`` at its mode's travel time. Each term is at most what any
rule achieves, so the bound holds for every rule, with or without knowing the future; it
ignores that one team cannot be in two places (the relaxation that makes it a bound).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from streetrelief.dispatch.travel import StraightLineTravel, TravelTimeProvider
from streetrelief.simulation.night import LatLon, SimIncident, SimPoint, SimTeam
from streetrelief.teams.models import TravelMode


def hindsight_bound_s(
    incidents: list[SimIncident],
    teams: list[SimTeam],
    points: list[SimPoint],
    travel: TravelTimeProvider,
    turnout_s: float,
) -> dict[int, float]:
    """Per incident index, the least possible report-to-arrival time, seconds (see above)."""
    modes = sorted({t.mode for t in teams})
    fixed: list[LatLon] = [t.base for t in teams] + [p.pos for p in points]
    order = sorted(incidents, key=lambda i: i.reported_s)
    times = np.array([i.reported_s for i in order])
    positions: list[LatLon] = fixed + [i.pos for i in order]
    lats = np.array([p[0] for p in positions])
    lons = np.array([p[1] for p in positions])
    out: dict[int, float] = {}
    for k, incident in enumerate(order):
        upto = len(fixed) + int(
            np.searchsorted(times, incident.reported_s + incident.confirm_s, side="right")
        )
        usable = np.ones(upto, dtype=bool)
        usable[len(fixed) + k] = False
        best = min(
            _min_travel_s(travel, lats[:upto][usable], lons[:upto][usable], incident.pos, m)
            for m in modes
        )
        out[incident.idx] = incident.confirm_s + turnout_s + best
    return out


def _min_travel_s(
    travel: TravelTimeProvider,
    lats: npt.NDArray[np.float64],
    lons: npt.NDArray[np.float64],
    target: LatLon,
    mode: TravelMode,
) -> float:
    if isinstance(travel, StraightLineTravel):
        # Symmetric, so one vectorised row from the target serves every origin.
        return float(travel.distances_m(target, lats, lons).min()) / travel.speed_ms[mode]
    origins = list(zip(lats.tolist(), lons.tolist(), strict=True))
    return min(e.travel_time_s for e in travel.many_to_one(origins, target, mode))
