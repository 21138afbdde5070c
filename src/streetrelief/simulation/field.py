"""What simulated teams do in the field, as data.

These are the assumptions of a replay, stated once: how long a dispatcher takes to confirm,
how long a team takes to leave, how long it stays on scene, and what each encounter gives.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from streetrelief.people.models import EncounterOutcome


class FieldScript(BaseModel):
    """Behaviour of simulated dispatchers and teams."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    dispatcher_confirm_s: float = Field(
        60.0,
        ge=0,
        description="Triage to confirmed dispatch, seconds. Source: NFPA 1225 (2022) 7.4, "
        "90 % of emergency calls dispatched within 60 s.",
    )
    turnout_s: float = Field(60.0, ge=0, description="Dispatch to leaving, seconds.")
    on_scene_s: float = Field(
        1200.0, ge=0, description="Time spent with the people on scene, seconds (assumed)."
    )
    outcome_for_destination: dict[str, EncounterOutcome] = Field(
        default_factory=lambda: {
            "hospital": EncounterOutcome.hospital,
            "relief_station": EncounterOutcome.admitted_to_station,
            "warming_shelter": EncounterOutcome.admitted_to_station,
            "on_site": EncounterOutcome.supplies_on_site,
        }
    )
    items_for_measure: dict[str, dict[str, int]] = Field(
        default_factory=lambda: {
            "food_and_clothing": {"hot_meals": 1, "quilts": 1},
        }
    )
