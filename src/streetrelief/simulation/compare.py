"""Run one night under several dispatch rules, side by side, against the hindsight bound."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

from streetrelief.core.errors import InvalidInputError
from streetrelief.dispatch.policy import DispatchPolicy
from streetrelief.simulation.bound import hindsight_bound_s, schedule_bound_s
from streetrelief.simulation.build import NightInputs
from streetrelief.simulation.night import DispatchRule, FieldModel, Night, NightResult
from streetrelief.simulation.rules import FixedZoneRule, NearestIdleRule, OurRule
from streetrelief.simulation.scenario import PolicyName
from streetrelief.simulation.standby import StandbyPlan, standby_plan
from streetrelief.simulation.summary import RunFigures, figures
from streetrelief.teams.models import TravelMode


@dataclass(frozen=True)
class Comparison:
    """Each rule's night and figures, the per-incident bound by incident index (seconds), and
    the bound on the mean reach time over all incidents (``bound.schedule_bound_s`` over the
    incident count, seconds)."""

    results: dict[str, NightResult]
    figures: dict[str, RunFigures]
    bound: dict[int, float]
    schedule_bound_mean_s: float


def zones(inputs: NightInputs) -> dict[int, int]:
    """Incident index → the team whose base it is quickest to reach from (its district)."""
    bases = [t.base for t in inputs.teams]
    out = {}
    for incident in inputs.incidents:
        times = inputs.travel.one_to_many(incident.pos, bases, TravelMode.vehicle)
        out[incident.idx] = min(range(len(bases)), key=lambda k: (times[k].travel_time_s, k))
    return out


def night_standby(inputs: NightInputs, turnout_s: float) -> StandbyPlan:
    """The night's standby plan: prior demand from the reports not drawn into it, candidate
    sites at the team bases, the service points and the demand nodes (``simulation.standby``).

    Raises:
        InvalidInputError: every report of the file was drawn into the night.
    """
    if not inputs.history:
        msg = "idle_teams_cover needs reports not drawn into the night (a count below the file's)"
        raise InvalidInputError(msg)
    return standby_plan(
        history=inputs.history,
        sites=[t.base for t in inputs.teams] + [p.pos for p in inputs.points],
        modes={t.mode for t in inputs.teams},
        travel=inputs.travel,
        target_s=inputs.critical_target_s,
        lead_s=inputs.critical_confirm_s + turnout_s,
        seed=inputs.scenario.seed,
    )


def make_rule(
    name: PolicyName, inputs: NightInputs, rules: DispatchPolicy, standby: StandbyPlan | None
) -> DispatchRule:
    """The dispatch rule called ``name``."""
    if name == PolicyName.ours:
        return OurRule(rules, standby)
    if name == PolicyName.nearest_idle:
        return NearestIdleRule()
    return FixedZoneRule(zones(inputs))


def compare(
    inputs: NightInputs,
    rules: DispatchPolicy,
    *,
    on_progress: Callable[[], None] | None = None,
) -> Comparison:
    """Simulate the night once per policy of the scenario, on fresh copies of its state.

    The standby sites of ``rules.idle_teams_cover`` join the places the per-incident bound
    lets a trip start from.

    Raises:
        SimulationLimitError: a run passed the scenario's wall-time bound.
        InvalidInputError: see ``night_standby``.
    """
    scenario = inputs.scenario
    field_model = FieldModel(
        turnout_s=scenario.field.turnout_s,
        on_scene_s=scenario.field.on_scene_s,
        handover_s=scenario.field.handover_s,
    )
    standby = night_standby(inputs, field_model.turnout_s) if rules.idle_teams_cover else None
    results: dict[str, NightResult] = {}
    for name in scenario.policies:
        night = Night(
            incidents=copy.deepcopy(inputs.incidents),
            teams=copy.deepcopy(inputs.teams),
            points=copy.deepcopy(inputs.points),
            travel=inputs.travel,
            field_model=field_model,
            rule=make_rule(name, inputs, rules, standby),
            horizon_s=inputs.horizon_s,
            wall_time_limit_s=scenario.wall_time_limit_s,
            on_progress=on_progress,
            level_factors=inputs.level_factors,
        )
        results[name.value] = night.run()
    bound = hindsight_bound_s(
        inputs.incidents,
        inputs.teams,
        inputs.points,
        inputs.travel,
        field_model.turnout_s,
        standby_sites=[] if standby is None else standby.sites,
    )
    schedule = schedule_bound_s(
        inputs.incidents,
        inputs.teams,
        inputs.travel,
        bound,
        turnout_s=field_model.turnout_s,
        on_scene_s=field_model.on_scene_s,
        horizon_s=inputs.horizon_s,
    )
    return Comparison(
        results=results,
        figures={name: figures(name, r, bound) for name, r in results.items()},
        bound=bound,
        schedule_bound_mean_s=schedule / max(1, len(inputs.incidents)),
    )
