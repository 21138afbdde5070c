"""The playbook of each response level, as data: what a level sets in motion.

Per level a policy lists the patrol frequency multiplier for hotspots, which kinds of standby
service point open, which kinds go to 24-hour hours, the stock each kind of point should hold,
how soon a person who refused help is revisited, which admission rules are relaxed, and which
roles on duty are told. Validated with the policy (``response.policy``); turned into tasks by
``response.tasks``. Who is on duty is the duty roster's; stock is the supplies domain's.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Annotated, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from streetrelief.duty.models import DutyRole
from streetrelief.service_points.models import ServicePointKind
from streetrelief.supplies.schemas import ITEM_PATTERN

MAX_PATROL_MULTIPLIER = 12.0
"""A sanity bound: hotspots visited at most twelve times as often as at level none."""


def _kinds(value: object) -> object:
    # ``true`` means every kind, ``false`` none; a list names the kinds.
    if value is True:
        return list(ServicePointKind)
    if value is False or value is None:
        return []
    return value


KindSet = Annotated[frozenset[ServicePointKind], BeforeValidator(_kinds)]
Item = Annotated[str, Field(pattern=ITEM_PATTERN, max_length=64)]


class AdmissionRules(BaseModel):
    """Admission rules of relief stations and shelters, as named relaxations.

    Each flag, when true, admits people the normal rules turn away or hold back. (Named
    ``admit_*`` after the rule they relax rather than ``is_*``: they are orders, not states.)
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    admit_intoxicated: bool = Field(False, description="Admit people who are drunk or high.")
    admit_without_id: bool = Field(
        False, description="Admit first, establish identity afterwards (先救助后甄别)."
    )
    admit_with_pets: bool = Field(False, description="Admit people with their animals.")
    admit_sanctioned: bool = Field(
        False, description="Admit people barred or suspended from a shelter."
    )
    admit_regardless_of_eligibility: bool = Field(
        False, description="No local-connection, eligibility or assigned-shelter checks."
    )

    @property
    def relaxed(self) -> tuple[str, ...]:
        """The names of the flags that are on, in field order."""
        return tuple(name for name, on in self.model_dump().items() if on)


class LevelActions(BaseModel):
    """What one response level sets in motion."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    patrol_multiplier: float = Field(
        1.0,
        ge=1.0,
        le=MAX_PATROL_MULTIPLIER,
        description="Hotspot visit frequency relative to level none (×).",
    )
    open_standby_points: KindSet = Field(
        default_factory=frozenset,
        description="Kinds of standby (inactive) service point to open; true for all kinds.",
    )
    extend_hours_24h: KindSet = Field(
        default_factory=frozenset, description="Kinds of service point to keep open 24 h."
    )
    stock_targets: dict[ServicePointKind, dict[Item, Annotated[int, Field(ge=0, le=100_000)]]] = (
        Field(default_factory=dict, description="Point kind → item → units to hold per point.")
    )
    refusal_revisit_interval_s: int | None = Field(
        None,
        ge=600,
        le=7 * 86400,
        description="Revisit a person who refused help within this many seconds; None: usual.",
    )
    response_target_factor: float = Field(
        1.0,
        gt=0.0,
        le=1.0,
        description="Response-time targets of the triage policy times this (×) for incidents "
        "triaged at the level. Higher levels shorten them because cold injury comes sooner as "
        "the cold deepens: Environment and Climate Change Canada's wind chill chart puts "
        "frostbite risk at 10-30 min of exposure at a wind chill of -28 to -39, 5-10 min at "
        "-40 to -47, and under 2 min at -55 or colder.",
    )
    admission: AdmissionRules = Field(default_factory=AdmissionRules)
    notify: tuple[DutyRole, ...] = Field((), description="Roles on duty to tell of the change.")
    source: str | None = Field(None, description="Key into the policy's sources.")


class Playbook(BaseModel):
    """The actions of every level; level none is the baseline (nothing extra by default)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    none: LevelActions = Field(default_factory=LevelActions)
    IV: LevelActions
    III: LevelActions
    II: LevelActions
    I: LevelActions  # noqa: E741 - the official name of the top tier

    @model_validator(mode="after")
    def _stronger_upwards(self) -> Self:
        ladder = [("none", self.none), ("IV", self.IV), ("III", self.III), ("II", self.II)]
        ladder.append(("I", self.I))
        for (low_name, low), (high_name, high) in pairwise(ladder):
            if high.patrol_multiplier < low.patrol_multiplier:
                msg = f"{high_name}.patrol_multiplier is below {low_name}'s"
                raise ValueError(msg)
            if not low.open_standby_points <= high.open_standby_points:
                msg = f"{high_name}.open_standby_points must include {low_name}'s"
                raise ValueError(msg)
            if high.response_target_factor > low.response_target_factor:
                msg = f"{high_name}.response_target_factor is above {low_name}'s"
                raise ValueError(msg)
            if not low.extend_hours_24h <= high.extend_hours_24h:
                msg = f"{high_name}.extend_hours_24h must include {low_name}'s"
                raise ValueError(msg)
        return self

    def for_level(self, level: int) -> LevelActions:
        """The actions of a level given as its ``ResponseLevel`` value (0 none … 4 I)."""
        return (self.none, self.IV, self.III, self.II, self.I)[level]

    def cited(self) -> list[tuple[str, str]]:
        """(where, source key) of every level that cites a source."""
        return [
            (f"playbook.{name}.source", actions.source)
            for name, actions in (
                ("none", self.none),
                ("IV", self.IV),
                ("III", self.III),
                ("II", self.II),
                ("I", self.I),
            )
            if actions.source is not None
        ]
