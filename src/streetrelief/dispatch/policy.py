"""Dispatch policy as data: what may pre-empt what, how long a team has to acknowledge, and
the assumptions used to predict when a busy team will be free.

Loaded with the rest of the settings; nothing here touches the database. The live services
and the simulation read the same object, so a comparison run measures the policy in force.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from streetrelief.incidents.models import PRIORITY_RANK, Priority


class DispatchPolicy(BaseModel):
    """Rules of assignment that are not triage."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    preempts: dict[Priority, frozenset[Priority]] = Field(
        default_factory=lambda: {Priority.critical: frozenset({Priority.low})},
        description="Priority of a new incident → priorities of queued assignments it may take "
        "the team from. Default: a critical incident may take a team queued for a low one.",
    )
    first_responder_for: frozenset[Priority] = Field(
        default_factory=lambda: frozenset({Priority.critical}),
        description="Priorities for which the soonest team is sent as well when the best "
        "capable team is farther (see ``dispatch.logic.first_responder``).",
    )
    ack_timeout_s: int = Field(
        120,
        gt=0,
        le=3600,
        description="Seconds a team has to acknowledge an assignment before the next team is "
        "asked. Source: NFPA 1710 (2020) 4.1.2.1 turnout time of 60-80 s, plus a minute for "
        "a team that must first finish talking to someone.",
    )
    expected_on_scene_s: int = Field(
        1200,
        ge=0,
        description="Expected time a team stays on scene, seconds, for predicting when a busy "
        "team will be free (the simulation's default on-scene time).",
    )
    stale_position_s: int = Field(
        900,
        gt=0,
        description="A position older than this, seconds, is stale: still used, flagged in the "
        "explanation, and ranked after fresh ones of the same capability.",
    )

    idle_teams_stay: bool = Field(
        False,
        description="Whether a team that clears at an incident's site with nothing waiting "
        "stays there, ready, instead of driving back to base (after taking people to a service "
        "point it returns: shelters would gather idle teams). Off: bench/dispatch.py measures "
        "it (ADR 0006); it cut the mean under moderate load but cost critical incidents their "
        "on-time share. The live service ranks a team from its last reported position either "
        "way; this tells the simulation where teams wait.",
    )
    idle_teams_cover: bool = Field(
        False,
        description="Whether an idle team moves to the standby site that adds the most "
        "expected coverage of critical demand known before the night (Daskin's MEXCLP, "
        "``simulation.standby``); a team on its way can be given a job, which it starts on "
        "arrival. Simulation only: the live service would need position suggestions.",
    )

    def may_preempt(self, new: Priority, held: Priority) -> bool:
        """Whether an incident of priority ``new`` may take a team assigned to ``held``."""
        return (
            held in self.preempts.get(new, frozenset()) and PRIORITY_RANK[new] < PRIORITY_RANK[held]
        )
