"""Triage policy as data, and the pure function that applies it.

A policy lists the observed-condition codes it knows, rules from conditions (and optionally night
time and wind chill) to a priority, measures and a destination, response-time targets per
priority, which priorities are dispatched automatically, and the merge window for duplicate
reports. It is loaded from YAML and validated; nothing here touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from importlib import resources
from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from streetrelief.core.errors import PolicyError
from streetrelief.core.yamlfile import YAMLFileError, load_yaml
from streetrelief.incidents.models import PRIORITY_RANK, Priority


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TriageOutcome(_Strict):
    """What a rule decides: priority, measures and destination."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    description: str
    priority: Priority
    measures: tuple[str, ...] = ()
    destination: str | None = None


class TriageRule(TriageOutcome):
    """One rule. It matches when every present test holds."""

    when_any: frozenset[str] = Field(
        default_factory=frozenset, description="At least one of these conditions observed."
    )
    when_all: frozenset[str] = Field(
        default_factory=frozenset, description="All of these conditions observed."
    )
    unless_any: frozenset[str] = Field(
        default_factory=frozenset, description="None of these conditions observed."
    )
    at_night: bool | None = Field(None, description="Only at night (true) or by day (false).")
    wind_chill_at_most_c: float | None = Field(
        None, description="Only when the wind chill is known and at or below this, °C."
    )

    @model_validator(mode="after")
    def _has_a_test(self) -> Self:
        if not (self.when_any or self.when_all or self.wind_chill_at_most_c is not None):
            msg = f"rule {self.id} has no condition or wind-chill test"
            raise ValueError(msg)
        return self


class NightWindow(_Strict):
    """Local hours counted as night (may wrap past midnight)."""

    start: time
    end: time

    def contains(self, at: time) -> bool:
        """Whether local time ``at`` is inside the window."""
        if self.start <= self.end:
            return self.start <= at < self.end
        return at >= self.start or at < self.end


class MergeWindow(_Strict):
    """When a report joins an open incident instead of opening a new one."""

    radius_m: float = Field(gt=0, le=5000, description="Greatest distance to the incident, metres.")
    window_s: int = Field(
        gt=0, le=7 * 86400, description="Greatest gap to the incident's latest report, seconds."
    )
    half_life_s: int | None = Field(
        None,
        gt=0,
        description="The distance allowed halves every this many seconds of gap; none: no decay.",
    )
    vulnerability_conditions: tuple[str, ...] = Field(
        (), description="Condition codes that must not differ between reports that auto-merge."
    )
    people_tolerance: int = Field(
        2, ge=0, description="Largest difference in the number of people that still merges."
    )


class TriagePolicy(_Strict):
    """A versioned triage policy."""

    version: str
    name: str
    source: str = Field(description="Where the rules come from (agency notice, standard).")
    conditions: dict[str, str] = Field(description="Known condition codes and their meaning.")
    measures: dict[str, str] = Field(description="Known measure codes and their meaning.")
    capabilities_for_measure: dict[str, tuple[str, ...]] = Field(
        description="Team capabilities each measure needs."
    )
    destinations: dict[str, str]
    response_targets_s: dict[Priority, int] = Field(
        description="Report-to-arrival target per priority, seconds."
    )
    auto_dispatch: frozenset[Priority] = Field(
        description="Priorities assigned to the best team without a dispatcher's confirmation."
    )
    night: NightWindow
    merge: MergeWindow
    default: TriageOutcome
    rules: tuple[TriageRule, ...]

    @model_validator(mode="after")
    def _codes_are_known(self) -> Self:
        for rule in (*self.rules, self.default):
            tested = (
                rule.when_any | rule.when_all | rule.unless_any
                if isinstance(rule, TriageRule)
                else frozenset()
            )
            unknown = tested - set(self.conditions)
            if unknown:
                msg = f"rule {rule.id} uses unknown conditions {sorted(unknown)}"
                raise ValueError(msg)
            bad_measures = set(rule.measures) - set(self.measures)
            if bad_measures:
                msg = f"rule {rule.id} uses unknown measures {sorted(bad_measures)}"
                raise ValueError(msg)
            if rule.destination is not None and rule.destination not in self.destinations:
                msg = f"rule {rule.id} uses unknown destination {rule.destination!r}"
                raise ValueError(msg)
        missing = set(Priority) - set(self.response_targets_s)
        if missing:
            msg = f"no response target for priorities {sorted(missing)}"
            raise ValueError(msg)
        ids = [r.id for r in self.rules]
        if len(ids) != len(set(ids)):
            msg = "rule ids must be unique"
            raise ValueError(msg)
        return self

    def required_capabilities(self, measures: tuple[str, ...]) -> frozenset[str]:
        """Team capabilities the measures need together."""
        return frozenset(c for m in measures for c in self.capabilities_for_measure.get(m, ()))


@dataclass(frozen=True)
class TriageDecision:
    """What triage decided and why: ``rules`` lists the rule that set the priority first."""

    priority: Priority
    measures: tuple[str, ...]
    destination: str | None
    response_target_s: int
    rules: tuple[str, ...]
    policy_version: str


def _matches(
    rule: TriageRule, observed: frozenset[str], is_night: bool, wind_chill_c: float | None
) -> bool:
    if rule.when_any and not rule.when_any & observed:
        return False
    if not rule.when_all <= observed or rule.unless_any & observed:
        return False
    if rule.at_night is not None and rule.at_night != is_night:
        return False
    if rule.wind_chill_at_most_c is not None:
        return wind_chill_c is not None and wind_chill_c <= rule.wind_chill_at_most_c
    return True


def triage(
    policy: TriagePolicy,
    conditions: frozenset[str] | set[str],
    *,
    local_time: time,
    wind_chill_c: float | None = None,
) -> TriageDecision:
    """Apply ``policy`` to what was observed.

    Every matching rule adds its measures (in rule order); the most urgent matching rule sets the
    priority and destination (the first one listed wins a tie). With no match the default rule
    applies. The decision names every rule that fired, the deciding one first.

    Args:
        conditions: observed condition codes (must be known to the policy).
        local_time: local time of day at the incident, for night-only rules.
        wind_chill_c: wind chill at the place, °C, when known.

    Raises:
        PolicyError: a condition code the policy does not know.
    """
    observed = frozenset(conditions)
    unknown = observed - set(policy.conditions)
    if unknown:
        raise PolicyError(f"unknown condition codes {sorted(unknown)}", field="conditions")
    is_night = policy.night.contains(local_time)
    fired: list[TriageOutcome] = [
        r for r in policy.rules if _matches(r, observed, is_night, wind_chill_c)
    ] or [policy.default]
    deciding = min(fired, key=lambda r: PRIORITY_RANK[r.priority])
    measures: list[str] = []
    for rule in [deciding, *fired]:
        measures.extend(m for m in rule.measures if m not in measures)
    ordered = [deciding.id, *(r.id for r in fired if r is not deciding)]
    return TriageDecision(
        priority=deciding.priority,
        measures=tuple(measures),
        destination=deciding.destination,
        response_target_s=policy.response_targets_s[deciding.priority],
        rules=tuple(ordered),
        policy_version=policy.version,
    )


def load_policy(path: Path | None = None) -> TriagePolicy:
    """Load and validate a policy file; the shipped campaign default when ``path`` is None.

    Raises:
        PolicyError: the file is not YAML or does not validate (the message says where).
    """
    try:
        if path is None:
            text = (
                resources.files("streetrelief.triage")
                .joinpath("default_policy.yaml")
                .read_text(encoding="utf-8")
            )
        else:
            text = path.read_text(encoding="utf-8")
        data = load_yaml(text)
    except (OSError, YAMLFileError) as exc:
        raise PolicyError(f"cannot read triage policy {path}: {exc}") from exc
    try:
        return TriagePolicy.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise PolicyError(f"triage policy {path or 'default'}: {where}: {first['msg']}") from exc
